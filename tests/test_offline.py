"""Nothing is fetched at import or run time: the engine runs on an isolated network."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent

# Runs in a fresh interpreter so that no module is imported before the network is blocked.
BLOCKED_RUN = """
import socket, sys

def refuse(*args, **kwargs):
    raise OSError("network access attempted while offline")

socket.socket.connect = refuse
socket.socket.connect_ex = refuse
socket.socket.sendto = refuse
socket.getaddrinfo = refuse
socket.create_connection = refuse

import pytest
sys.exit(pytest.main(["-q", "-p", "no:cacheprovider", "tests/compare/test_corpus.py"]))
"""


def test_the_whole_corpus_runs_with_networking_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert " passed" in result.stdout


def test_the_guard_really_blocks() -> None:
    probe = BLOCKED_RUN.split("import pytest")[0] + (
        "import urllib.request\n"
        "try:\n"
        "    urllib.request.urlopen('http://127.0.0.1:9/', timeout=1)\n"
        "except Exception as error:\n"
        "    print('blocked' if 'offline' in str(error) else f'other: {error}')\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout.strip() == "blocked", result.stdout + result.stderr
