"""From ingested rows to records under inspection.

Records (spec §3, §5, §7): each row's 個人番号 is parsed — full-width digits and 4-4-4 grouping
folded and noted, anything else MALFORMED or CHECK_DIGIT, never repaired — and a レコード番号
seen before makes its later rows MALFORMED. A row too broken to have an id is `#ROW:<n>`.
Work is done on column batches (`RowBatch`), the way the engine reads millions of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from himoken.collate.ingest import Locator, Row, RowBatch, batches_of
from himoken.mynumber import ParsedNumber, Problem, parse, plain_validity

# Where an id first appeared: (line, locator) — formatted only when the id repeats.
FirstSeen = tuple[int, Locator | None]

RECORD_ID = "レコード番号"
NUMBER = "個人番号"


@dataclass(frozen=True, slots=True)
class Record:
    row: Row
    record_id: str  # as in RECORDS, or #ROW:<n> when the row has none
    number: ParsedNumber
    problems: tuple[str, ...]  # row problems first, then the number's, then a repeated id
    notes: tuple[str, ...]  # foldings of the number (全角, 区切り): 説明 only

    @property
    def malformed(self) -> bool:
        """Spec MALFORMED: the row or its number cannot be used as it stands."""
        return bool(self.problems)

    @property
    def check_digit_fails(self) -> bool:
        return self.number.problem is Problem.CHECK_DIGIT


class NumberStatus:
    """What a record's 個人番号 allows."""

    OK = "ok"
    CHECK_DIGIT = "check_digit"
    MALFORMED = "malformed"  # the number or the row: the record is INVALID with MALFORMED


@dataclass(slots=True)
class RecordColumns:
    """What `checked` finds in a batch, one list entry per row."""

    record_ids: list[str]
    numbers: list[str | None]  # 12 digits after the allowed foldings; None when unusable
    statuses: list[str]  # NumberStatus
    problems: list[tuple[str, ...]]
    notes: list[tuple[str, ...]]


def checked(batch: RowBatch, first_seen: dict[str, FirstSeen]) -> RecordColumns:
    """Numbers parsed and ids checked for one batch; `first_seen` carries where ids seen in
    earlier batches first appeared (id -> (line, locator))."""
    count = len(batch)
    ids = batch.columns.get(RECORD_ID) or [""] * count
    values = batch.columns.get(NUMBER) or [""] * count
    result = RecordColumns([], [], [], [], [])
    for index, (value, valid) in enumerate(zip(values, plain_validity(values), strict=True)):
        record_id = ids[index].strip() or f"#ROW:{batch.ordinals[index]}"
        problems = batch.problems.get(index, ())
        notes: tuple[str, ...] = ()
        if valid is None:  # not 12 plain digits: say exactly what it is
            number = parse(value)
            digits = number.number
            status = NumberStatus.CHECK_DIGIT if number.problem is Problem.CHECK_DIGIT else ""
            if number.malformed:
                problems += (f"{batch.locate(index, NUMBER)}: {number.explanation()}",)
            elif number.notes:
                notes = (number.explanation(),)
        else:
            digits, status = value, "" if valid else NumberStatus.CHECK_DIGIT
        seen = first_seen.get(record_id)
        if seen is not None:
            first = Row(0, seen[0], {}, (), seen[1]).locate()
            problems += (f"{batch.locate(index, RECORD_ID)}: {first}と重複",)
        else:
            first_seen[record_id] = (batch.lines[index], batch.locator)
        if problems:
            digits, status = None, NumberStatus.MALFORMED
        result.record_ids.append(record_id)
        result.numbers.append(digits)
        result.statuses.append(status or NumberStatus.OK)
        result.problems.append(problems)
        result.notes.append(notes)
    return result


def prepare_records(rows: Iterable[Row], chunk_size: int = 10_000) -> Iterator[Record]:
    """Records in input order, one per row; nothing is dropped."""
    first_seen: dict[str, FirstSeen] = {}
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= chunk_size:
            yield from _records(chunk, first_seen)
            chunk = []
    if chunk:
        yield from _records(chunk, first_seen)


def _records(rows: list[Row], first_seen: dict[str, FirstSeen]) -> Iterator[Record]:
    header = list(dict.fromkeys(column for row in rows for column in row.values))
    batch = next(batches_of(iter(rows), header, len(rows)))
    found = checked(batch, first_seen)
    for index, row in enumerate(rows):
        yield Record(
            row, found.record_ids[index], parse(row.values.get(NUMBER)), found.problems[index],
            found.notes[index],
        )  # fmt: skip
