"""One record against one register entry, outside a collation run: the record-local part of
the engine, for the review app (a clerk's corrected number) and for checks at linkage time.

`lookup_entry` reads the entry of a number from the register.parquet a run wrote with
`collate(keep_register=True)` (`himoken collate --keep-register`); `check_linkage` judges a
record against it exactly as the engine's record-local step does (`linked`, `classify`), so
that a verdict here is the verdict the record would get in results.csv — cross-record
patterns aside (see `check_linkage`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

from himoken.collate import classify, linked, patterns
from himoken.collate.backends.base import ENTRY_COLUMNS
from himoken.collate.classify import Assessment, EntryState, Options
from himoken.collate.records import NumberStatus
from himoken.collate.verdicts import Reason, Verdict
from himoken.mynumber import Problem, parse


@dataclass(frozen=True, slots=True)
class LinkageCheck:
    """The verdict of one record against the entry of its number, as results.csv words it."""

    verdict: Verdict
    reasons: tuple[Reason, ...]  # the deciding reason first (理由)
    explanation: str  # 説明
    notes: tuple[str, ...]  # the parts of 説明, in order

    @property
    def flagged(self) -> bool:
        """要確認: a person must look at the record."""
        return self.verdict.flagged


def lookup_entry(register_parquet: Path, number: str) -> dict[str, str] | None:
    """The register entry of `number` in a register.parquet written by a run with
    `keep_register`: its columns as written (empty text for null), or None when the register
    holds no entry with a valid number equal to it. `number` may be written as the contract
    allows (full-width digits, 4-4-4 groups); a value that is not 12 digits finds nothing.
    When the register held the number twice, the first entry in register order is returned
    (the one the engine compares with)."""
    digits = parse(number).number
    if digits is None:
        return None
    with duckdb.connect(":memory:") as con:
        result = con.execute(
            "SELECT * EXCLUDE (file_row_number) FROM read_parquet(?, file_row_number = true) "
            'WHERE "個人番号" = ? ORDER BY file_row_number LIMIT 1',
            [str(register_parquet), digits],
        )
        columns = [d[0] for d in result.description]
        row = result.fetchone()
    if row is None:
        return None
    values = ("" if value is None else str(value) for value in row)
    return dict(zip(columns, values, strict=True))


def check_linkage(
    record: Mapping[str, str | None],
    entry: Mapping[str, str | None] | None,
    options: Options = Options(),  # noqa: B008 - frozen, as classify.assess_linked's
) -> LinkageCheck:
    """Judge `record` (the contract's record columns: 個人番号, 氏名, 氏名フリガナ, 生年月日,
    性別, 住所, 紐付け日, 紐付け方法 ...) against `entry`, the register entry of its number
    (the register's columns, as `lookup_entry` gives them; None when the register has none).

    What the record and its entry alone decide, by the engine's own code: a malformed number
    (MALFORMED) or one failing the check digit (CHECK_DIGIT) is INVALID, as is a number the
    register lacks (NOT_IN_REGISTER); a removed entry is REVIEW with REMOVED; otherwise the five
    comparisons and the entry's history (MOVED, NAME_CHANGED) set the verdict. A move known
    only from 住所異動日 after 紐付け日 is settled as the engine settles it when no other
    resident fits better.

    Out of scope, because they need other records or the whole register: DUPLICATE_NUMBER,
    ROW_SHIFT, CARRY_OVER, FAMILY_MEMBER, HOMONYM, a register that holds the number twice or
    with a failing check digit (REGISTER_NUMBER), and the true-owner search (候補個人番号, and
    SUSPECT because another resident fits better). They only ever add to what is decided
    here, so the engine may flag a record this check passes, never the other way round.
    """
    assessment = assess(record, entry, options) or Assessment()  # None: a plain MATCH
    settle_alone(assessment, record, entry)
    return result_of(assessment)


def assess(
    record: Mapping[str, str | None],
    entry: Mapping[str, str | None] | None,
    options: Options = Options(),  # noqa: B008 - frozen, as classify.assess_linked's
    state: EntryState = EntryState.FOUND,
) -> Assessment | None:
    """check_linkage's assessment before what the record alone leaves open is settled, for
    callers that add the set-wise checks themselves (entry-time checks:
    himoken.prevention.entry). None: a plain MATCH with nothing to say. `state`: REPEATED when
    the register holds the number more than once, INVALID_NUMBER when its entry's own number
    fails the check digit."""
    number = parse(record.get("個人番号"))
    if number.malformed:
        status = NumberStatus.MALFORMED
    elif number.problem is Problem.CHECK_DIGIT:
        status = NumberStatus.CHECK_DIGIT
    else:
        status = NumberStatus.OK
    assessment: Assessment | None
    if status != NumberStatus.OK or entry is None:
        assessment = linked._invalid(  # the engine's wording for each number problem
            {
                "number_status": [status],
                "problems": [number.explanation() if number.malformed else ""],
                "氏名": [record.get("氏名")],
                "生年月日": [record.get("生年月日")],
            },
            0,
        )
    else:
        records = {column: [text] for column, text in record.items()}
        entries = {column: [entry.get(column)] for column in ENTRY_COLUMNS}
        (assessment,) = classify.assess_linked(records, entries, [state], options)
    if number.notes and not number.malformed:  # 全角 or 4-4-4 folded: said in 説明 only
        if assessment is None:
            assessment = Assessment(name_and_birth_agree=True, searchable=True)
        assessment.note(number.explanation())
    return assessment


def settle_alone(
    assessment: Assessment,
    record: Mapping[str, str | None],
    entry: Mapping[str, str | None] | None,
) -> None:
    """Settle what the record alone left open, as the engine does when no other resident fits
    better: a move known only from 住所異動日 after 紐付け日."""
    if assessment.weak_move:
        number = parse(record.get("個人番号")).number
        pending = patterns.Pending(0, assessment, dict(record), dict(entry or {}), number)
        patterns.settle_weak_move(pending)


def result_of(assessment: Assessment) -> LinkageCheck:
    """The verdict, reasons and 説明 of an assessment, as results.csv words them."""
    verdict = assessment.verdict
    return LinkageCheck(
        verdict=verdict,
        reasons=tuple(assessment.ordered_reasons()),
        explanation=linked.explain(assessment, verdict),
        notes=tuple(n for n in assessment.notes if n),
    )
