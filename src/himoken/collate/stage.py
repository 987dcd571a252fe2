"""From ingested rows to Arrow batches the SQL engine stages: the register and the records.

What Python must do per row happens here, once: the number is parsed (spec §5: folded, never
repaired), the birth date read into a key that blocking can join on, a register entry's state
noted. Everything else stays the raw contract values, so that the SQL engine carries them and
the classifier reads them back in batches.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

import pyarrow as pa

from himoken.collate.ingest import Row
from himoken.collate.records import Record, prepare_records
from himoken.mynumber import Problem, parse
from himoken.normalize.dates import parse_date

REGISTER_COLUMNS = (
    "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "世帯番号", "続柄", "旧氏名",
    "旧氏名フリガナ", "氏名変更日", "旧氏", "通称", "前住所", "住所異動日", "消除事由",
)  # fmt: skip
RECORD_COLUMNS = (
    "レコード番号", "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "紐付け日",
    "紐付け方法", "登録者", "登録端末", "登録日時", "登録バッチ", "登録順", "申請書番号",
)  # fmt: skip
REGISTER_REQUIRED = ("個人番号", "氏名", "生年月日", "性別", "住所")
RECORDS_REQUIRED = ("レコード番号", "個人番号", "氏名", "生年月日")
# The person's attributes compared with the register (spec §3 columns both sides share).
PERSON_COLUMNS = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所")

BATCH_ROWS = 50_000


class NumberStatus:
    """What the records' 個人番号 allows (records table column `number_status`)."""

    OK = "ok"
    CHECK_DIGIT = "check_digit"
    MALFORMED = "malformed"


@functools.lru_cache(maxsize=1 << 16)
def birth_key(value: str | None) -> str | None:
    """ISO date for blocking; `YYYY-00-00` when only the year is known; None when unreadable."""
    if not value or not value.strip():
        return None
    parsed = parse_date(value)
    if parsed is None or parsed.year is None:
        return None
    if parsed.known:
        return parsed.iso
    return f"{parsed.year:04d}-00-00"


REGISTER_SCHEMA = pa.schema(
    [("row_id", pa.int64()), ("number", pa.string()), ("number_valid", pa.bool_()),
     ("birth_key", pa.string()), ("removed", pa.bool_())]
    + [(column, pa.string()) for column in REGISTER_COLUMNS]
)  # fmt: skip

RECORDS_SCHEMA = pa.schema(
    [("ordinal", pa.int64()), ("line", pa.int64()), ("record_id", pa.string()),
     ("number", pa.string()), ("number_status", pa.string()), ("problems", pa.string()),
     ("notes", pa.string()), ("birth_key", pa.string())]
    + [(column, pa.string()) for column in RECORD_COLUMNS]
)  # fmt: skip


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def register_batches(rows: Iterable[Row], size: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The register as staged: one row per register data row (malformed ones included; they
    are counted by the caller's warnings and can still be matched on what they hold)."""
    for chunk in _chunks(rows, size):
        numbers = [parse(row.values.get("個人番号")) for row in chunk]
        columns: dict[str, list] = {
            "row_id": [row.ordinal for row in chunk],
            "number": [n.number for n in numbers],
            "number_valid": [n.problem is not Problem.CHECK_DIGIT for n in numbers],
            "birth_key": [birth_key(row.values.get("生年月日")) for row in chunk],
            "removed": [bool((row.values.get("消除事由") or "").strip()) for row in chunk],
        }
        for column in REGISTER_COLUMNS:
            columns[column] = [row.values.get(column) for row in chunk]
        yield pa.RecordBatch.from_pydict(columns, schema=REGISTER_SCHEMA)


def record_batches(rows: Iterable[Row], size: int = BATCH_ROWS) -> Iterator[pa.RecordBatch]:
    """The records as staged, in input order, every data row included."""
    for chunk in _chunks(prepare_records(rows), size):
        columns: dict[str, list] = {
            "ordinal": [r.row.ordinal for r in chunk],
            "line": [r.row.line for r in chunk],
            "record_id": [r.record_id for r in chunk],
            "number": [r.number.number if not r.malformed else None for r in chunk],
            "number_status": [_status(r) for r in chunk],
            "problems": ["\n".join(r.problems) for r in chunk],
            "notes": ["\n".join(r.notes) for r in chunk],
            "birth_key": [birth_key(r.row.values.get("生年月日")) for r in chunk],
        }
        for column in RECORD_COLUMNS:
            columns[column] = [r.row.values.get(column) for r in chunk]
        yield pa.RecordBatch.from_pydict(columns, schema=RECORDS_SCHEMA)


def _status(record: Record) -> str:
    if record.malformed:
        return NumberStatus.MALFORMED
    if record.check_digit_fails:
        return NumberStatus.CHECK_DIGIT
    return NumberStatus.OK
