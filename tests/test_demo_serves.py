"""The README's main job ends by serving both sites with demo data: log in to each as the
demo users it prints and find the demo's records and organisations."""

from __future__ import annotations

import csv
import http.cookiejar
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest


def free_port() -> int:
    """A port whose successor is free too (the progress site takes port + 1)."""
    while True:
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = first.getsockname()[1]
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port


def log_in(base: str, username: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    page = opener.open(base + "accounts/login/", timeout=10).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": "demo-only", "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(base + "accounts/login/", data, headers={"Referer": base})
    opener.open(request, timeout=10)
    return opener


def wait_for(url: str, process: subprocess.Popen, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the demo stopped before serving"
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} did not answer within {seconds} s")


@pytest.mark.slow
def test_the_demo_serves_both_sites_with_demo_logins(tmp_path: Path) -> None:
    port = free_port()
    review, progress = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{port + 1}/"
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "himoken"), "demo", "--residents", "2000",
         "--out", str(tmp_path / "demo"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout), daemon=True)
    reader.start()
    try:
        wait_for(review + "accounts/login/", process)
        wait_for(progress + "accounts/login/", process)
        worklist = log_in(review, "handler").open(review, timeout=10).read().decode()
        assert "要確認一覧" in worklist and re.search(r"全\d+件", worklist)
        assert "公金受取口座" in worklist
        reports = log_in(progress, "secretariat").open(progress + "reports/", timeout=10)
        assert "集計報告" in reports.read().decode()
        # The entry-check API answers with the token the demo printed, against its register.
        token = re.search(r"Bearer (hk_\S+)\)", "".join(lines)).group(1)
        number, name, birth = first_resident(tmp_path / "demo" / "register.csv")
        body = json.dumps({"number": number, "name": name, "birth_date": birth}).encode()
        request = urllib.request.Request(
            review + "api/v1/linkage-checks", body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        answer = json.loads(urllib.request.urlopen(request, timeout=10).read())
        assert answer["decision"] in ("accept", "accept_with_note"), answer
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        reader.join(timeout=10)
    output = "".join(lines)
    assert review in output and "supervisor / demo-only" in output
    assert process.returncode == 0, output


def first_resident(register: Path) -> tuple[str, str, str]:
    """A resident still living here (a removed entry is a stop: REMOVED)."""
    with register.open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if not r["消除事由"])
    return row["個人番号"], row["氏名"], row["生年月日"]
