"""From ingested rows to records under inspection and a register indexed by number.

Records (spec §3, §5, §7): each row's 個人番号 is parsed — full-width digits and 4-4-4 grouping
folded and noted, anything else MALFORMED or CHECK_DIGIT, never repaired — and a レコード番号
seen before makes its later rows MALFORMED. A row too broken to have an id is `#ROW:<n>`.

Register (spec §2): entries by number. A register whose numbers repeat or fail the check
digit is still used; such entries are counted for the run log and summary.json warnings.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

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
    first_line: dict[str, int] = {}
    for row in rows:
        record_id = row.values.get(RECORD_ID, "").strip() or f"#ROW:{row.ordinal}"
        problems = list(row.problems)
        number = parse(row.values.get(NUMBER))
        if number.malformed:
            problems.append(f"{row.line}行目「{NUMBER}」: {number.explanation()}")
        if record_id in first_line:
            problems.append(f"{row.line}行目「{RECORD_ID}」: {first_line[record_id]}行目と重複")
        else:
            first_line[record_id] = row.line
        notes = (number.explanation(),) if number.ok and number.notes else ()
        yield Record(row, record_id, number, tuple(problems), notes)


@dataclass
class RegisterIndex:
    """Register entries by number (a list: repeated numbers are kept, and flagged)."""

    entries: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    warnings: Counter = field(default_factory=Counter)
    rows: int = 0

    def lookup(self, number: str) -> list[dict[str, str]]:
        return self.entries.get(number, [])

    def repeated(self, number: str) -> bool:
        return len(self.entries.get(number, ())) > 1


def index_register(rows: Iterable[Row]) -> RegisterIndex:
    """Index register rows by their (folded) number; count what spec §2 asks to warn about."""
    index = RegisterIndex()
    for row in rows:
        index.rows += 1
        if row.malformed:
            index.warnings["register_malformed_rows"] += 1
        number = parse(row.values.get(NUMBER))
        if number.number is None:
            index.warnings["register_invalid_numbers"] += 1
            continue
        if number.problem is Problem.CHECK_DIGIT:
            index.warnings["register_invalid_numbers"] += 1
        entries = index.entries.setdefault(number.number, [])
        if len(entries) == 1:
            index.warnings["register_duplicate_numbers"] += 1
        entries.append(row.values)
    index.warnings.setdefault("register_duplicate_numbers", 0)
    index.warnings.setdefault("register_invalid_numbers", 0)
    return index
