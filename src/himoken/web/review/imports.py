"""Bringing a finished collation (OUT_DIR of spec §1) into the review: its summary and one
Case per flagged record. Importing the same run again adds nothing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from himoken.summary import SummaryError, require_valid
from himoken.web.review.models import Business, Case, CaseCount, Run

FLAGGED_FILE = "flagged.parquet"
BATCH_ROWS = 5_000
# flagged.parquet prefixes: the record's, the linked entry's and the candidate's columns
SIDES = {"r_": "record", "e_": "entry", "c_": "candidate"}


class NotACollation(Exception):
    """The folder is not a finished collation; str() says which file and why."""


def read_summary(out_dir: Path) -> dict[str, Any]:
    path = out_dir / "summary.json"
    if not path.is_file():
        raise NotACollation(_("%(path)s: ない(照合が終わっていないフォルダ)") % {"path": path})
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        require_valid(document, str(path))
    except (ValueError, SummaryError) as error:
        raise NotACollation(
            _("%(path)s: 集計の形式ではない: %(error)s") % {"path": path, "error": error}
        ) from error
    if not (out_dir / FLAGGED_FILE).is_file():
        raise NotACollation(
            _("%(path)s: ない(himoken 0.1 以降の照合結果が必要)") % {"path": out_dir / FLAGGED_FILE}
        )
    return document


def existing_run(summary: dict[str, Any]) -> Run | None:
    return Run.objects.filter(run_id=uuid.UUID(summary["run"]["id"])).first()


def import_cases(run: Run, out_dir: Path) -> int:
    """Add the run's flagged records as cases (again: nothing added) and mark it finished."""
    summary = read_summary(out_dir)
    added = 0
    for batch in _cases(run, out_dir / FLAGGED_FILE):
        with transaction.atomic():
            added += len(Case.objects.bulk_create(batch, ignore_conflicts=True))
    CaseCount.recount(run.business_id)
    Run.objects.filter(pk=run.pk).update(
        summary=summary,
        run_id=uuid.UUID(summary["run"]["id"]),
        status=Run.Status.FINISHED,
        finished=timezone.now(),
        directory=str(out_dir),
    )
    return added


def import_out_dir(out_dir: Path, business: Business, user: Any) -> tuple[Run, bool]:
    """The run for OUT_DIR and whether it is new: the same run id imported twice is one run."""
    summary = read_summary(out_dir)
    with transaction.atomic():
        run = existing_run(summary)
        if run is not None:
            return run, False
        run = Run.objects.create(
            business=business,
            source=Run.Source.IMPORT,
            status=Run.Status.RUNNING,
            run_id=uuid.UUID(summary["run"]["id"]),
            directory=str(out_dir),
            created_by=user,
        )
    import_cases(run, out_dir)
    run.refresh_from_db()
    return run, True


def _cases(run: Run, path: Path) -> Iterator[list[Case]]:
    source = pq.ParquetFile(path)
    for batch in source.iter_batches(batch_size=BATCH_ROWS):
        yield [_case(run, row) for row in batch.to_pylist()]


def _case(run: Run, row: dict[str, Any]) -> Case:
    people: dict[str, dict[str, str]] = {side: {} for side in SIDES.values()}
    for column, value in row.items():
        side = SIDES.get(column[:2])
        if side is not None and value not in (None, ""):
            people[side][column[2:]] = str(value)
    return Case(
        run=run,
        business_id=run.business_id,
        ordinal=row["ordinal"],
        record_id=row["レコード番号"] or f"#ROW:{row['ordinal']}",
        verdict=row["判定"],
        reasons=row["理由"] or "",
        risk=int(row["リスク"] or 0),
        explanation=row["説明"] or "",
        linked_number=(row.get("linked") or "")[:40],
        candidate_number=row["候補個人番号"] or "",
        **people,
    )
