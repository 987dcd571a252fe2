"""From ingested rows to Arrow batches the SQL engine stages: the register and the records.

What Python must do per row happens here, once: the number is parsed (spec §5: folded, never
repaired), the birth date read into a key that blocking can join on, a register entry's state
noted. Everything else stays the raw contract values, so that the SQL engine carries them and
the classifier reads them back in batches.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Iterable, Iterator, Mapping

import pyarrow as pa

from himoken.collate.ingest import RowBatch
from himoken.collate.profiles import RECORD_COLUMNS, REGISTER_COLUMNS
from himoken.collate.records import FirstSeen, checked
from himoken.mynumber import Problem, parse, plain_validity
from himoken.normalize.dates import parse_date

REGISTER_REQUIRED = ("個人番号", "氏名", "生年月日", "性別", "住所")
RECORDS_REQUIRED = ("レコード番号", "個人番号", "氏名", "生年月日")
# The person's attributes compared with the register (spec §3 columns both sides share).
PERSON_COLUMNS = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所")

BATCH_ROWS = 50_000


# Western dates written plainly (1985-03-01, 1985/3/1, 19850301): read without the full
# parser, which handles every other form of spec §5.
_PLAIN_DATE = re.compile(r"(\d{4})(?:([-/])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))")


@functools.lru_cache(maxsize=1 << 18)
def birth_key(value: str | None) -> str | None:
    """ISO date for blocking; `YYYY-00-00` when only the year is known; None when unreadable."""
    if not value or not value.strip():
        return None
    plain = _PLAIN_DATE.fullmatch(value)
    if plain is not None:
        year, month, day = int(plain[1]), int(plain[3] or plain[5]), int(plain[4] or plain[6])
        if 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1] and year > 1868:
            return f"{year:04d}-{month:02d}-{day:02d}"
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


def _column(batch: RowBatch, column: str) -> list[str | None]:
    return batch.columns.get(column) or [None] * len(batch)


def register_batches(
    batches: Iterable[RowBatch], warnings: dict[str, int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The register as staged: one row per register data row (malformed ones included: they
    are counted in `warnings` and can still be matched on what they hold)."""
    warnings = warnings if warnings is not None else {}
    for batch in batches:
        if batch.problems:
            malformed = warnings.get("register_malformed_rows", 0) + len(batch.problems)
            warnings["register_malformed_rows"] = malformed
        yield register_batch(batch.ordinals, batch.columns)


def register_batch(row_ids: list[int], values: Mapping[str, list[str | None]]) -> pa.RecordBatch:
    """Register rows as staged (REGISTER_SCHEMA) from their contract columns' raw values (a
    column the file lacks: None), wherever they were read."""
    count = len(row_ids)

    def column(name: str) -> list[str | None]:
        return values.get(name) or [None] * count

    numbers, valid = register_numbers(column("個人番号"))
    columns: dict[str, list] = {
        "row_id": row_ids,
        "number": numbers,
        "number_valid": valid,
        "birth_key": [birth_key(value) for value in column("生年月日")],
        "removed": [is_removed(value) for value in column("消除事由")],
    }
    for name in REGISTER_COLUMNS:
        columns[name] = column(name)
    return pa.RecordBatch.from_pydict(columns, schema=REGISTER_SCHEMA)


def record_batches(batches: Iterable[RowBatch]) -> Iterator[pa.RecordBatch]:
    """The records as staged, in input order, every data row included."""
    first_seen: dict[str, FirstSeen] = {}
    for batch in batches:
        found = checked(batch, first_seen)
        columns: dict[str, list] = {
            "ordinal": batch.ordinals,
            "line": batch.lines,
            "record_id": found.record_ids,
            "number": found.numbers,
            "number_status": found.statuses,
            "problems": ["\n".join(problems) for problems in found.problems],
            "notes": ["\n".join(notes) for notes in found.notes],
            "birth_key": [birth_key(value) for value in _column(batch, "生年月日")],
        }
        for column in RECORD_COLUMNS:
            columns[column] = _column(batch, column)
        yield pa.RecordBatch.from_pydict(columns, schema=RECORDS_SCHEMA)


def is_removed(reason: str | None) -> bool:
    """Whether a register entry is removed: its 消除事由 holds anything but whitespace."""
    return bool(reason and reason.strip())


def register_numbers(values: list[str | None]) -> tuple[list[str | None], list[bool]]:
    """The register's numbers folded (None when malformed) and whether each passes the check
    digit; plain 12-digit values vectorised."""
    pairs = [
        (value, valid) if valid is not None else _parsed(value)
        for value, valid in zip(values, plain_validity(values), strict=True)
    ]
    return [number for number, _ in pairs], [valid for _, valid in pairs]


def _parsed(value: str | None) -> tuple[str | None, bool]:
    number = parse(value)
    return number.number, number.problem is not Problem.CHECK_DIGIT
