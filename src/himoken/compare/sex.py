"""Compare sex codes: equal, unknown (0/9 on a side), different, unreadable, missing."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from enum import StrEnum

from himoken.compare.outcome import Outcome, Reason
from himoken.normalize.sex import Sex, parse_sex

_LABEL = {Sex.MALE: "男", Sex.FEMALE: "女", Sex.UNKNOWN: "不明", Sex.NOT_APPLICABLE: "適用不能"}


class SexLevel(StrEnum):
    EQUAL = "equal"
    UNKNOWN = "unknown"
    DIFFERENT = "different"
    UNREADABLE = "unreadable"
    MISSING = "missing"


@functools.cache
def compare(record: str, register: str) -> Outcome:
    if not (record or "").strip() or not (register or "").strip():
        return Outcome(SexLevel.MISSING)
    mine, theirs = parse_sex(record), parse_sex(register)
    if mine is None or theirs is None:
        bad = record if mine is None else register
        return Outcome(
            SexLevel.UNREADABLE,
            Reason.SEX_DIFF,
            (bad.strip(),),
            f"性別コード「{bad.strip()}」を読めない",
        )
    if mine == theirs:
        return Outcome(SexLevel.EQUAL)
    if Sex.UNKNOWN in (mine, theirs) or Sex.NOT_APPLICABLE in (mine, theirs):
        return Outcome(SexLevel.UNKNOWN, None, (_LABEL[mine], _LABEL[theirs]))
    return Outcome(
        SexLevel.DIFFERENT, Reason.SEX_DIFF, (_LABEL[mine], _LABEL[theirs]),
        f"性別が異なる({_LABEL[mine]}/{_LABEL[theirs]})",
    )  # fmt: skip


def compare_many(records: Sequence[str], registers: Sequence[str]) -> list[Outcome]:
    return [compare(a, b) for a, b in zip(records, registers, strict=True)]
