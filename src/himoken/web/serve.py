"""Setting up and serving the two sites from the command line (`himoken serve`, `himoken demo`).

Each site runs in its own processes with its own settings and database, as in production:
Django's management commands for set-up, gunicorn (pre-fork WSGI workers) for serving. This
module only starts processes; it imports nothing from Django, so the CLI stays light.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SITES = ("review", "progress")


@dataclass(frozen=True)
class Site:
    name: str  # review or progress
    data_dir: Path
    port: int
    host: str = "127.0.0.1"
    workers: int = 2

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def env(self) -> dict[str, str]:
        return os.environ | {
            "DJANGO_SETTINGS_MODULE": f"himoken.web.settings.{self.name}",
            "HIMOKEN_DATA_DIR": str(self.data_dir.resolve()),
            "HIMOKEN_ALLOWED_HOSTS": ",".join(dict.fromkeys((self.host, "localhost", "127.0.0.1"))),
        }


class ServeError(Exception):
    """A set-up step failed; str() names the step and what it printed last."""


def manage(site: Site, *arguments: str) -> str:
    """Run one management command for the site; its output, or ServeError."""
    site.data_dir.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "himoken.web.manage", *arguments],
        env=site.env(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:]
        raise ServeError(f"{site.name}: manage.py {arguments[0]} failed: {' '.join(last)}")
    return done.stdout


def prepare(site: Site) -> None:
    """Database tables and static files, idempotent."""
    manage(site, "migrate", "--noinput")
    manage(site, "collectstatic", "--noinput")


def start(site: Site, extra: Sequence[str] = ()) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "himoken.web.wsgi:application",
         "--bind", f"{site.host}:{site.port}", "--workers", str(site.workers),
         "--no-control-socket", *extra],  # two sites: no shared ~/.gunicorn socket
        env=site.env(), stdout=subprocess.DEVNULL,
    )  # fmt: skip


def serve_until_interrupted(processes: list[subprocess.Popen]) -> None:
    try:
        for process in processes:
            process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
