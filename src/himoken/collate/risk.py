"""リスク: an ordinal 0–100 score of how likely the linked number belongs to someone else.

Not a probability. Each piece of evidence adds points (`POINTS`); a candidate owner that fits
the record better than the linked entry adds `BETTER_CANDIDATE`; the sum is then held inside
the band of the record's verdict (`BANDS`), so a SUSPECT always outranks a REVIEW and any
NOTATION record outranks a MATCH. Both steps are monotone: more evidence never lowers the
score. docs/collation.md shows the table.
"""

from __future__ import annotations

from collections.abc import Iterable

from himoken.collate.verdicts import Reason, Verdict

POINTS: dict[Reason, int] = {
    Reason.ADDRESS_NOTATION: 1,
    Reason.KANJI_VARIANT: 2,
    Reason.KANA_VARIANT: 2,
    Reason.NAME_NOTATION: 3,
    Reason.MOVED: 5,
    Reason.NAME_CHANGED: 8,
    Reason.GAIJI: 5,
    Reason.ADDRESS_DIFF: 8,
    Reason.KANA_DIFF: 10,
    Reason.REMOVED: 15,
    Reason.REGISTER_NUMBER: 15,
    Reason.SEX_DIFF: 20,
    Reason.NAME_DIFF: 25,
    Reason.BIRTHDATE_DIFF: 25,
    Reason.HOMONYM: 30,
    Reason.DUPLICATE_NUMBER: 30,
    Reason.FAMILY_MEMBER: 35,
    Reason.ROW_SHIFT: 35,
    Reason.CARRY_OVER: 35,
    Reason.MALFORMED: 80,
    Reason.NOT_IN_REGISTER: 100,
    Reason.CHECK_DIGIT: 100,
}
BETTER_CANDIDATE = 25

# Lowest and highest risk of each verdict.
BANDS: dict[Verdict, tuple[int, int]] = {
    Verdict.MATCH: (0, 0),
    Verdict.NOTATION: (1, 9),
    Verdict.EXPLAINED: (10, 19),
    Verdict.REVIEW: (20, 59),
    Verdict.SUSPECT: (60, 99),
    Verdict.INVALID: (80, 100),
}


def risk(verdict: Verdict, reasons: Iterable[Reason], better_candidate: bool = False) -> int:
    points = sum(POINTS[reason] for reason in reasons)
    if better_candidate:
        points += BETTER_CANDIDATE
    low, high = BANDS[verdict]
    return max(low, min(high, points))
