"""Purging a finished run's personal data: its files (uploads, extracts, outputs) and the
record copies, contact notes, comments and typed numbers of its cases. Statuses, causes,
counts and the audit log stay, so the run can still be reported; the purge itself is logged."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himoken.web.audit import log as audit
from himoken.web.review.models import Case, Comment, Contact, Decision, Run
from himoken.web.review.tasks import run_directory

PURGED_TEXT = "(消去済み)"  # stored, not shown through the UI language


class NotFinished(Exception):
    """Only a finished or failed run can be purged: a running one still writes its files."""


def purge(run: Run, user: Any, why: str) -> dict[str, int]:
    if run.status not in (Run.Status.FINISHED, Run.Status.FAILED):
        raise NotFinished(
            _("%(status)sの照合は消去できない") % {"status": run.get_status_display()}
        )
    folders = [run_directory(run)]
    if run.directory:  # an import's OUT_DIR lies under the site's own import folder
        folders.append(Path(run.directory))
    removed_files = sum(_remove(folder) for folder in folders)
    cases = Case.objects.filter(run=run)
    with transaction.atomic():
        counts = {
            "cases": cases.update(
                linked_number="", candidate_number="", record={}, entry={}, candidate={}
            ),
            "contacts": Contact.objects.filter(case__run=run).update(note=""),
            "comments": Comment.objects.filter(case__run=run).update(text=PURGED_TEXT),
            "decisions": Decision.objects.filter(case__run=run).update(
                new_number="", check_explanation="", comment="", approval_comment=""
            ),
            "files": removed_files,
        }
        Run.objects.filter(pk=run.pk).update(status=Run.Status.PURGED, purged=timezone.now())
        audit.record(user, "run.purge", run, why=why, **counts)
    return counts


def expired(days: int, now: datetime.datetime | None = None) -> list[Run]:
    """Finished runs older than the retention period."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return list(
        Run.objects.filter(status__in=(Run.Status.FINISHED, Run.Status.FAILED), finished__lt=cutoff)
    )


def _remove(folder: Path) -> int:
    if not folder.exists():
        return 0
    count = sum(1 for path in folder.rglob("*") if path.is_file())
    shutil.rmtree(folder)
    return count
