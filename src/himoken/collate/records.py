"""From ingested rows to records under inspection.

Records (spec §3, §5, §7): each row's 個人番号 is parsed — full-width digits and 4-4-4 grouping
folded and noted, anything else MALFORMED or CHECK_DIGIT, never repaired — and a レコード番号
seen before makes its later rows MALFORMED. A row too broken to have an id is `#ROW:<n>`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from himoken.collate.ingest import Row
from himoken.mynumber import ParsedNumber, Problem, parse

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


def prepare_records(rows: Iterable[Row]) -> Iterator[Record]:
    """Records in input order, one per row; nothing is dropped."""
    first_line: dict[str, str] = {}
    for row in rows:
        record_id = row.values.get(RECORD_ID, "").strip() or f"#ROW:{row.ordinal}"
        problems = list(row.problems)
        number = parse(row.values.get(NUMBER))
        if number.malformed:
            problems.append(f"{row.locate(NUMBER)}: {number.explanation()}")
        if record_id in first_line:
            problems.append(f"{row.locate(RECORD_ID)}: {first_line[record_id]}と重複")
        else:
            first_line[record_id] = row.locate()
        notes = (number.explanation(),) if number.ok and number.notes else ()
        yield Record(row, record_id, number, tuple(problems), notes)
