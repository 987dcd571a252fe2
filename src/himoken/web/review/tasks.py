"""Collations started from the UI run in the background and report progress into their Run,
so the run page can be reloaded or closed while they work.

Runners (settings.REVIEW_TASKS): "subprocess" (default: a detached `manage.py review_collate`
that outlives the web worker which started it), "thread" (one process, e.g. the browser tests'
live server on an in-memory database) or "inline" (synchronous, for unit tests).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from himoken.collate.profiles import Labels, Profile, ProfileError, load_profile
from himoken.collate.run import CollateError, collate
from himoken.web.review.imports import NotACollation, import_cases
from himoken.web.review.models import Run

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between progress writes


def run_directory(run: Run) -> Path:
    return Path(settings.DATA_DIR) / "runs" / str(run.pk)


def start(run: Run) -> None:
    runner = getattr(settings, "REVIEW_TASKS", "subprocess")
    if runner == "inline":
        execute(run.pk)
    elif runner == "thread":
        threading.Thread(target=_in_thread, args=(run.pk,), daemon=True).start()
    else:
        folder = run_directory(run)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "task.log", "ab") as output:
            subprocess.Popen(
                [sys.executable, "-m", "himoken.web.manage", "review_collate", str(run.pk)],
                stdout=output,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=os.environ | {"DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE},
            )


def _in_thread(pk: int) -> None:
    try:
        execute(pk)
    finally:
        connection.close()


def execute(pk: int) -> None:
    """Collate the run's uploaded files into its folder and import the flagged records."""
    run = Run.objects.select_related("business__organisation").get(pk=pk)
    folder = run_directory(run)
    Run.objects.filter(pk=pk).update(status=Run.Status.RUNNING, stage="開始")
    last, latest, owner = 0.0, {}, threading.get_ident()

    def progress(stage: str, done: int, total: int | None) -> None:
        # The engine reports from its reader threads too; only this thread writes to the
        # database (its connection, its transaction), the others leave their latest figures.
        nonlocal last
        latest.update(stage=stage, done=done, total=total)
        now = time.monotonic()
        if threading.get_ident() == owner and now - last >= PROGRESS_EVERY:
            last = now
            Run.objects.filter(pk=pk).update(**latest)

    business = run.business
    labels = Labels(business.organisation.code, business.organisation.name, business.name,
                    business.system or None)  # fmt: skip
    try:
        profile = load_profile(run.profile) if run.profile else Profile()
        collate(
            _input(folder, "register"), _input(folder, "records"), folder / "out", labels,
            profile=profile, keep_register=True, progress=progress,
        )  # fmt: skip
        import_cases(run, folder / "out")
    except (CollateError, ProfileError, NotACollation) as error:
        _failed(pk, str(error))
    except Exception as error:
        # The message may hold input values: the log gets the type only, the page a pointer.
        logger.error("collation of run %s failed: %s", pk, type(error).__name__)
        _failed(pk, f"照合が異常終了した({type(error).__name__})。システム管理者に連絡を。")


def _input(folder: Path, name: str) -> Path:
    return next((folder / "input").glob(f"{name}.*"))


def _failed(pk: int, message: str) -> None:
    Run.objects.filter(pk=pk).update(
        status=Run.Status.FAILED, message=message, finished=timezone.now()
    )
