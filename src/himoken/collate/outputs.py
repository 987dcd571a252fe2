"""Writing a run's files: results.csv (the contract, spec §4), summary.json, the worklist.

Each writer writes one file in the run's work directory; `run` moves them into OUT_DIR.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from himoken.collate.backends import Backend
from himoken.collate.stage import PERSON_COLUMNS
from himoken.collate.verdicts import Verdict
from himoken.collate.worklist import WorklistEntry
from himoken.collate.worklist import write_worklist as write_workbook

RESULT_COLUMNS = ("レコード番号", "判定", "要確認", "理由", "リスク", "候補個人番号", "説明")
# Records that need no look still appear in the worklist after the flagged ones, the riskiest
# first, up to this many; results.csv has them all.
WORKLIST_UNFLAGGED_ROWS = 10_000


def write_parquet(path: Path, batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> int:
    """Batches written as one Parquet file of `schema`, whatever the engine inferred (an
    empty file still has every column); returns the rows written."""
    rows = 0
    with pq.ParquetWriter(path, schema) as writer:
        for batch in batches:
            writer.write_batch(batch.cast(schema))
            rows += batch.num_rows
    return rows


def write_results_csv(path: Path, rows: Iterable[tuple]) -> int:
    """UTF-8 with BOM, CRLF, header row; returns the number of data rows written."""
    written = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(RESULT_COLUMNS)
        for row in rows:
            writer.writerow(row)
            written += 1
    return written


def write_json(path: Path, document: Mapping[str, Any]) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _worklist_entries(backend: Backend, unflagged: int) -> Iterator[WorklistEntry]:
    reader = backend.worklist_rows(unflagged, 10_000)
    for batch in reader:
        for row in batch.to_pylist():
            yield WorklistEntry(
                ordinal=row["ordinal"],
                record_id=row["レコード番号"],
                verdict=Verdict[row["判定"]],
                reasons=tuple(r for r in row["理由"].split(";") if r),
                risk=row["リスク"],
                explanation=row["説明"],
                linked_number=row["linked"] or "",
                candidate_number=row["候補個人番号"] or "",
                record={c: row[f"r_{c}"] or "" for c in PERSON_COLUMNS},
                register={c: row[f"e_{c}"] or "" for c in PERSON_COLUMNS if row[f"e_{c}"]},
                candidate={c: row[f"c_{c}"] or "" for c in PERSON_COLUMNS if row[f"c_{c}"]},
            )


def write_worklist(
    backend: Backend,
    path: Path,
    show_numbers: bool,
    counts: Mapping[str, int],
    title: str,
    unflagged: int = WORKLIST_UNFLAGGED_ROWS,
) -> int:
    """worklist.xlsx: flagged records first by risk, then the riskiest of the rest."""
    note = (
        f"要確認でない記録は、リスクの高い順に最大{unflagged:,}件を載せる。"
        "全件は results.csv にある。"
    )
    return write_workbook(
        path, _worklist_entries(backend, unflagged), show_numbers=show_numbers, title=title,
        counts=counts, notes=(note,),
    )  # fmt: skip
