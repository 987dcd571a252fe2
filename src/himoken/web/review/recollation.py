"""Scheduled re-collation in the review (issue 7): a 事務's records are collated again from the
files its schedule names (`himoken.prevention.recollation.recollate`, one history folder per
事務), the new run is compared with the one before it, and the run comes into the review.

How the comparison meets the cases (docs/review.md, 定期的な再照合):

- A flagged record becomes a new case in the new run, unless the 事務 already has a case on the
  same linkage (the same レコード番号 and linked number) that no re-collation has marked as
  resolved: that case follows its record into the new run (fresh record copies, verdict and
  risk; its status, contacts, decisions and comments stay). So a record flagged month after
  month is one case, a decision already taken is not asked again, and the newest run holds a
  case for every record it flags (its summary.json adds up).
- A case whose record is RESOLVED (flagged before, not now), or whose record now carries
  another number (that linkage is gone; the new one is a case of its own), is marked
  `resolved_in` this re-collation. Its status stays: the statuses are people's findings (a
  訂正済み is an approved correction), which a re-collation cannot supply; the case page says
  that the re-collation found the linkage no longer flagged, and a clerk settles what is open.
- Rows the comparison cannot pair (`#ROW:<n>`, repeated レコード番号) are new cases every run.

All or nothing: the library leaves no folder and no history line when the collation or the
comparison fails, and when bringing the run in fails, its folder and history line are removed
and the database is rolled back. A failure is kept as a failed Recollation with its reason.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import datetime
import logging
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from himoken.collate.profiles import Labels, Profile, ProfileError, load_profile
from himoken.collate.run import CollateError
from himoken.prevention.recollation import (
    CHANGES_CSV,
    HISTORY_FILE,
    RecollationError,
    RunRecord,
    recollate,
)
from himoken.web.audit import log as audit
from himoken.web.review import imports
from himoken.web.review.models import (
    Business,
    Case,
    CaseCount,
    Recollation,
    RecollationSchedule,
    Run,
)

try:  # POSIX: one re-collation of a history folder at a time
    import fcntl
except ImportError:  # pragma: no cover - the review site runs on Linux
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)
# What a case that follows its record into the new run takes from the new run's row.
FROM_NEW_RUN = (
    "run", "ordinal", "verdict", "reasons", "risk", "explanation", "candidate_number",
    "record", "entry", "candidate",
)  # fmt: skip
CARRIED_FIELDS = (*FROM_NEW_RUN, "first_run", "version", "updated")
CHUNK = 1_000


class Failed(Exception):
    """A schedule's re-collation could not be done; str() names the file and why."""


def history_dir(business: Business) -> Path:
    root = settings.REVIEW_RECOLLATION_ROOT or Path(settings.DATA_DIR) / "recollation"
    return Path(root) / f"business-{business.pk}"


def due(today: datetime.date | None = None) -> QuerySet[RecollationSchedule]:
    """Active schedules whose next date has come."""
    today = today or timezone.localdate()
    return RecollationSchedule.objects.filter(active=True, next_due__lte=today)


def following(schedule: RecollationSchedule, today: datetime.date) -> datetime.date | None:
    """The next due date after a run today: the scheduled date moved on by whole periods
    until it lies after today; none for re-collations at renewals (set by hand)."""
    if schedule.frequency == RecollationSchedule.Frequency.MANUAL:
        return None
    date = schedule.next_due or today
    while date <= today:
        if schedule.frequency == RecollationSchedule.Frequency.WEEKLY:
            date += datetime.timedelta(days=7)
        else:
            year, month = (date.year + 1, 1) if date.month == 12 else (date.year, date.month + 1)
            day = min(date.day, calendar.monthrange(year, month)[1])
            date = datetime.date(year, month, day)
    return date


def input_files(schedule: RecollationSchedule) -> tuple[Path, Path]:
    """The register and the records, each an existing file under the import folder."""
    root = Path(settings.REVIEW_IMPORT_ROOT).resolve()
    files = []
    for stored, what in (
        (schedule.register, "住民記録ファイル"),
        (schedule.records, "事務データファイル"),
    ):
        path = Path(stored).resolve()
        if not path.is_relative_to(root):
            raise Failed(f"{path}: {what}が取込の置き場 {root} の外にある")
        if not path.is_file():
            raise Failed(f"{path}: {what}がない")
        files.append(path)
    return files[0], files[1]


def run(schedule: RecollationSchedule, now: datetime.datetime | None = None) -> Recollation:
    """Re-collate the schedule's files and bring the run into the review; on failure, keep a
    failed Recollation and raise Failed (nothing brought in)."""
    started = now or timezone.now()
    business = schedule.business
    history = history_dir(business)
    try:
        register, records = input_files(schedule)
        profile = load_profile(schedule.profile) if schedule.profile else Profile()
        with _one_at_a_time(history):
            size = _size(history / HISTORY_FILE)
            record = recollate(
                register, records, history, _labels(business), profile=profile,
                keep_register=True, now=timezone.localtime(started),
            )  # fmt: skip
            try:
                return bring_in(schedule, record, started)
            except BaseException:
                _undo(record.run_dir, history / HISTORY_FILE, size)
                raise
    except (Failed, RecollationError, CollateError, ProfileError, imports.NotACollation) as error:
        _failed(schedule, started, str(error), type(error).__name__)
        raise Failed(str(error)) from error
    except Exception as error:
        # The message may hold input values: the log gets the type only, the page a pointer.
        logger.error("re-collation of business %s failed: %s", business.pk, type(error).__name__)
        message = f"再照合が異常終了した({type(error).__name__})。システム管理者に連絡を。"
        _failed(schedule, started, message, type(error).__name__)
        raise Failed(message) from error


def bring_in(
    schedule: RecollationSchedule, record: RunRecord, started: datetime.datetime
) -> Recollation:
    """The re-collation's run as a Run with its cases (new, carried, resolved), in one
    transaction."""
    out = record.run_dir
    summary = imports.read_summary(out)
    paired_flagged, resolved_ids = _categories(out / CHANGES_CSV)
    line = record.history_line
    with transaction.atomic():
        run = Run.objects.create(
            business=schedule.business,
            source=Run.Source.RECOLLATION,
            status=Run.Status.RUNNING,
            run_id=uuid.UUID(summary["run"]["id"]),
            directory=str(out),
            created_by_id=schedule.updated_by_id,
        )
        recollation = Recollation.objects.create(
            schedule=schedule, run=run, status=Recollation.Status.FINISHED, started=started,
            folder=out.name, **{key: line[key] for key in (
                "records", "flagged", "new", "resolved", "still_flagged", "added", "gone",
                "unpaired")},
        )  # fmt: skip
        added, carried, replaced = _cases(run, out / imports.FLAGGED_FILE, paired_flagged)
        resolved = _resolve(run, recollation, resolved_ids, replaced)
        CaseCount.recount(run.business_id)
        finished = timezone.now()
        Run.objects.filter(pk=run.pk).update(
            summary=summary, status=Run.Status.FINISHED, finished=finished
        )
        Recollation.objects.filter(pk=recollation.pk).update(
            finished=finished, cases_added=added, cases_carried=carried, cases_resolved=resolved
        )
        RecollationSchedule.objects.filter(pk=schedule.pk).update(
            last_run=started, next_due=following(schedule, timezone.localdate(started))
        )
        audit.record(
            None, "recollation.run", recollation, business=schedule.business_id, run=run.pk,
            flagged=line["flagged"], new=line["new"], resolved=line["resolved"],
            still_flagged=line["still_flagged"], cases_added=added, cases_carried=carried,
            cases_resolved=resolved,
        )  # fmt: skip
    recollation.refresh_from_db()
    schedule.refresh_from_db()
    return recollation


def _categories(changes: Path) -> tuple[set[str], set[str]]:
    """レコード番号 of the paired records flagged now (NEW, STILL_FLAGGED) and of the RESOLVED."""
    flagged: set[str] = set()
    resolved: set[str] = set()
    with changes.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        category, record_id = header.index("区分"), header.index("レコード番号")
        for row in reader:
            if row[category] in ("NEW", "STILL_FLAGGED"):
                flagged.add(row[record_id])
            elif row[category] == "RESOLVED":
                resolved.add(row[record_id])
    return flagged, resolved


def _paired_rows(flagged_file: Path, paired_flagged: set[str]) -> dict[str, int]:
    """The row (ordinal) of each paired flagged record: its first row, as the comparison pairs
    them; later rows with the same レコード番号 are cases of their own."""
    first: dict[str, int] = {}
    table = pq.read_table(flagged_file, columns=["ordinal", "レコード番号"])
    for ordinal, record_id in zip(
        table.column("ordinal").to_pylist(), table.column("レコード番号").to_pylist(), strict=True
    ):
        if record_id in paired_flagged and ordinal < first.get(record_id, ordinal + 1):
            first[record_id] = ordinal
    return first


def _cases(run: Run, flagged_file: Path, paired_flagged: set[str]) -> tuple[int, int, list[int]]:
    """New cases and carried ones for the run's flagged records: (added, carried, pks of live
    cases whose record now has another number)."""
    paired = _paired_rows(flagged_file, paired_flagged)
    added = carried = 0
    replaced: list[int] = []
    now = timezone.now()
    for batch in imports._cases(run, flagged_file):
        ids = [c.record_id for c in batch if paired.get(c.record_id) == c.ordinal]
        live: dict[str, list[Case]] = defaultdict(list)
        for chunk in _chunks(ids):
            for case in (
                Case.objects.select_for_update()
                .filter(business_id=run.business_id, resolved_in__isnull=True, record_id__in=chunk)
                .exclude(run=run)
                .order_by("-pk")
            ):
                live[case.record_id].append(case)
        fresh, moved = [], []
        for case in batch:
            earlier = (
                live.get(case.record_id, []) if paired.get(case.record_id) == case.ordinal else []
            )
            same = next((c for c in earlier if c.linked_number == case.linked_number), None)
            replaced += [c.pk for c in earlier if c is not same]
            if same is None:
                case.first_run = run
                fresh.append(case)
                continue
            same.first_run_id = same.first_run_id or same.run_id
            for field in FROM_NEW_RUN:
                setattr(same, field, getattr(case, field))
            same.version += 1
            same.updated = now
            moved.append(same)
        Case.objects.bulk_create(fresh)
        Case.objects.bulk_update(moved, CARRIED_FIELDS, batch_size=CHUNK)
        added += len(fresh)
        carried += len(moved)
    return added, carried, replaced


def _resolve(
    run: Run, recollation: Recollation, resolved_ids: set[str], replaced: list[int]
) -> int:
    """Mark the live cases of RESOLVED records and of replaced linkages; their status stays."""
    live = Case.objects.filter(business_id=run.business_id, resolved_in__isnull=True).exclude(
        run=run
    )
    changes = {"resolved_in": recollation, "version": F("version") + 1, "updated": timezone.now()}
    count = 0
    for chunk in _chunks(sorted(resolved_ids)):
        count += live.filter(record_id__in=chunk).update(**changes)
    for chunk in _chunks(replaced):
        count += live.filter(pk__in=chunk).update(**changes)
    return count


def _chunks(values: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _labels(business: Business) -> Labels:
    organisation = business.organisation
    return Labels(organisation.code, organisation.name, business.name, business.system or None)


@contextlib.contextmanager
def _one_at_a_time(history: Path) -> Iterator[None]:
    """Two runs of one history folder at once would both compare with the same run."""
    try:
        history.mkdir(parents=True, exist_ok=True)
        handle = (history / ".lock").open("a")
    except OSError as error:
        raise Failed(f"{history}: 履歴の置き場を作れない({error.strerror or error})") from error
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as error:
                raise Failed(f"{history}: この事務の再照合が実行中") from error
        yield


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return None


def _undo(run_dir: Path, history_file: Path, size: int | None) -> None:
    """Take back what recollate() left: the run's folder and its history line."""
    shutil.rmtree(run_dir, ignore_errors=True)
    with contextlib.suppress(OSError):
        if size is None:
            history_file.unlink(missing_ok=True)
        else:
            os.truncate(history_file, size)


def _failed(
    schedule: RecollationSchedule, started: datetime.datetime, message: str, kind: str
) -> None:
    recollation = Recollation.objects.create(
        schedule=schedule, status=Recollation.Status.FAILED, started=started,
        finished=timezone.now(), message=message,
    )  # fmt: skip
    # The message names files (paths may hold any digits): the log gets the kind only.
    audit.record(None, "recollation.fail", recollation, business=schedule.business_id, error=kind)
