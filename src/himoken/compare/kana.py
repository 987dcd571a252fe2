"""Compare readings (氏名フリガナ): record (left) against the register (right).

Levels, best first (spec §6, §7):

- equal: the same canonical form; width, script and spacing are mechanical (MATCH), so no
  reason; evidence lists what differed mechanically (ひらがな, 半角, 空白 ...).
- legacy: the same legacy key (small kana, ヂ/ジ, ヅ/ズ, ヴ, long vowels, ヲヱヰ; rules in
  himoken.normalize.kana) → KANA_VARIANT (NOTATION); evidence the folds, left→right ("ヨ→ョ").
- near: edit distance of the legacy keys 1, or 2 when both keys are at least 6 kana long →
  KANA_DIFF; a typo or a voicing difference (ハシモト/ハシモド) that a clerk should look at,
  and a hint for the true-owner search.
- different: anything further → KANA_DIFF.
- unreadable: a side holds non-kana (kanji, digits, 外字, letters next to kana) → KANA_DIFF;
  readings in Latin letters on both sides compare case-, width-, space- and
  punctuation-insensitively as equal or different.
- missing: a side is empty → no reason (the check is skipped, spec §2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from himoken.compare.outcome import SIDES, Outcome, Reason
from himoken.normalize.kana import (
    CACHE_SIZE,
    Reading,
    ReadingKind,
    fold_differences,
    latin_key,
    legacy_form,
    normalize,
    normalize_many,
)

__all__ = [
    "KanaLevel",
    "compare",
    "compare_many",
    "compare_readings",
    "edit_distance",
    "surname_and_given",
]


class KanaLevel(StrEnum):
    """Levels of agreement between two readings, best first."""

    EQUAL = "equal"
    LEGACY = "legacy"
    NEAR = "near"
    DIFFERENT = "different"
    UNREADABLE = "unreadable"
    MISSING = "missing"


# Levels at which two readings are the same reading (legacy spellings included).
AGREES = frozenset({KanaLevel.EQUAL, KanaLevel.LEGACY})

NEAR_LIMIT = 2
"""Largest edit distance that can still be `near` (for keys of LONG_KEY kana or more)."""
LONG_KEY = 6

_SEPARATOR_RUNS = re.compile("[\\s\u3000・･＝=]+")


def edit_distance(left: str, right: str, limit: int = NEAR_LIMIT) -> int:
    """Levenshtein distance in characters, or limit + 1 as soon as it must exceed `limit`.

    Common prefix and suffix are cut first, and a row whose minimum passes `limit` stops the
    search: comparing two names costs a few µs.
    """
    if left == right:
        return 0
    if abs(len(left) - len(right)) > limit:
        return limit + 1
    shorter = min(len(left), len(right))
    start = 0
    while start < shorter and left[start] == right[start]:
        start += 1
    end = 0
    while end < shorter - start and left[-1 - end] == right[-1 - end]:
        end += 1
    left = left[start : len(left) - end]
    right = right[start : len(right) - end]
    if not left or not right:
        return min(len(left) + len(right), limit + 1)
    previous = list(range(len(right) + 1))
    for row, left_char in enumerate(left, start=1):
        current = [row]
        for column, right_char in enumerate(right, start=1):
            current.append(
                min(
                    previous[column] + 1,
                    current[column - 1] + 1,
                    previous[column - 1] + (left_char != right_char),
                )
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def _shown(left: Reading, right: Reading) -> str:
    """The readings as a note shows them: only the parts that differ when both split alike."""
    if len(left.parts) == len(right.parts) > 1:
        differing = [(a, b) for a, b in zip(left.parts, right.parts, strict=True) if a != b]
        if differing:
            return "　".join(a for a, _ in differing) + "/" + "　".join(b for _, b in differing)
    return "　".join(left.parts) + "/" + "　".join(right.parts)


def _split_points(reading: Reading) -> list[int]:
    """Lengths of the parts in key characters: where a reading is split, spelling aside."""
    fold = legacy_form if reading.kind is ReadingKind.KANA else latin_key
    return [len(fold(part)) for part in reading.parts]


def _split_differs(left: Reading, right: Reading) -> bool:
    """Whether the readings split into parts at different places (ヤマダ タロウ/ヤマダタロウ)."""
    if left.spaced.count(" ") != right.spaced.count(" "):
        return True
    if left.canonical == right.canonical:
        return left.spaced != right.spaced
    return _split_points(left) != _split_points(right)


def _same_legacy_key(left: Reading, right: Reading) -> bool:
    """Whether two kana readings are spelling variants of each other.

    Keys fold part by part, so a long vowel never folds across a space (ヤマモト オサム keeps
    its オ). When the two are split differently, the whole strings are compared as well:
    ヤマモトオサム written without a space may then still match ヤマモト ヲサム.
    """
    if left.key == right.key:
        return True
    return _split_differs(left, right) and legacy_form(left.canonical) == legacy_form(
        right.canonical
    )


def _mechanical_differences(left: Reading, right: Reading) -> tuple[str, ...]:
    """Mechanical differences between two readings: marks on one side only, and spacing."""
    if left.raw == right.raw:
        return ()
    found = [m for m in left.marks if m not in right.marks]
    found += [m for m in right.marks if m not in left.marks and m not in found]
    if _split_differs(left, right):
        found.append("空白")
        if len(left.parts) > 1 and len(right.parts) > 1:
            found.append("区切り位置")
    elif _SEPARATOR_RUNS.findall(left.raw) != _SEPARATOR_RUNS.findall(right.raw):
        found.append("空白")
    return tuple(dict.fromkeys(found))


def _word_order_hint(left: Reading, right: Reading) -> tuple[str, ...]:
    """("語順",) when the parts are the same but in another order (タロウ ヤマダ)."""
    if len(left.parts) > 1 and sorted(left.parts) == sorted(right.parts):
        return ("語順",)
    return ()


_EQUAL = Outcome(KanaLevel.EQUAL)
_EQUAL_LATIN = Outcome(KanaLevel.EQUAL, None, ("英字",))


def compare_readings(left: Reading, right: Reading) -> Outcome:
    """Compare two normalized readings (see the module docstring for the levels)."""
    if left.raw == right.raw:  # the common case, answered without allocating
        if left.kind is ReadingKind.KANA:
            return _EQUAL
        if left.kind is ReadingKind.LATIN:
            return _EQUAL_LATIN
    if left.kind is ReadingKind.EMPTY or right.kind is ReadingKind.EMPTY:
        empty_sides = tuple(
            f"{side}空欄"
            for side, reading in zip(SIDES, (left, right), strict=True)
            if reading.kind is ReadingKind.EMPTY
        )
        return Outcome(KanaLevel.MISSING, None, empty_sides)
    if left.kind is ReadingKind.LATIN and right.kind is ReadingKind.LATIN:
        if left.key == right.key:
            letter_case: tuple[str, ...] = ()
            if left.canonical.casefold() != right.canonical.casefold():
                letter_case = ("記号",)  # apostrophes, hyphens, accents
            elif left.canonical != right.canonical:
                letter_case = ("大文字小文字",)
            return Outcome(
                KanaLevel.EQUAL,
                None,
                ("英字", *letter_case, *_mechanical_differences(left, right)),
            )
        return Outcome(
            KanaLevel.DIFFERENT,
            Reason.KANA_DIFF,
            ("英字", *_word_order_hint(left, right)),
            f"フリガナ(英字)が異なる({_shown(left, right)})",
        )
    if left.kind is not ReadingKind.KANA or right.kind is not ReadingKind.KANA:
        evidence = []
        for side, reading in zip(SIDES, (left, right), strict=True):
            if reading.kind is ReadingKind.LATIN:
                evidence.append(f"{side}:英字:{reading.canonical}")
            evidence += [f"{side}:{item}" for item in reading.foreign]
        categories = dict.fromkeys(item.split(":")[1] for item in evidence)
        return Outcome(
            KanaLevel.UNREADABLE,
            Reason.KANA_DIFF,
            tuple(evidence),
            f"フリガナに仮名以外の文字({'・'.join(categories)})があり照合できない",
        )
    if left.canonical == right.canonical:
        return Outcome(KanaLevel.EQUAL, None, _mechanical_differences(left, right))
    if _same_legacy_key(left, right):
        return Outcome(
            KanaLevel.LEGACY,
            Reason.KANA_VARIANT,
            fold_differences(left.canonical, right.canonical)
            + _mechanical_differences(left, right),
            f"フリガナの表記差異({_shown(left, right)})",
        )
    long_keys = min(len(left.key), len(right.key)) >= LONG_KEY
    distance = edit_distance(left.key, right.key, NEAR_LIMIT if long_keys else 1)
    if distance == 1 or (distance == 2 and long_keys):
        return Outcome(
            KanaLevel.NEAR,
            Reason.KANA_DIFF,
            (f"距離{distance}",),
            f"フリガナが近いが異なる({_shown(left, right)})",
        )
    return Outcome(
        KanaLevel.DIFFERENT,
        Reason.KANA_DIFF,
        _word_order_hint(left, right),
        f"フリガナが異なる({_shown(left, right)})",
    )


@lru_cache(maxsize=CACHE_SIZE)
def compare(left: str, right: str) -> Outcome:
    """Compare the record's reading (left) with the register's 氏名フリガナ (right)."""
    return compare_readings(normalize(left), normalize(right))


def compare_many(lefts: Sequence[str], rights: Sequence[str]) -> list[Outcome]:
    """Compare two aligned columns: each distinct value of either column and each distinct
    pair is handled once."""
    if len(lefts) != len(rights):
        raise ValueError(f"columns differ in length: {len(lefts)} and {len(rights)}")
    readings = normalize_many([*lefts, *rights])
    by_pair: dict[tuple[str, str], Outcome] = {}
    outcomes = []
    append = outcomes.append
    for left, right in zip(readings[: len(lefts)], readings[len(lefts) :], strict=True):
        if left is right and left.kind is ReadingKind.KANA:  # same value: the common case
            append(_EQUAL)
            continue
        pair = (left.raw, right.raw)
        outcome = by_pair.get(pair)
        if outcome is None:
            outcome = by_pair[pair] = compare_readings(left, right)
        append(outcome)
    return outcomes


def surname_and_given(value: str) -> tuple[str, str] | None:
    """(surname, given name) in canonical form, split on the first space; None without one.

    Lets the engine check the given name alone when the surname changed on marriage.
    """
    parts = normalize(value).parts
    if len(parts) < 2:
        return None
    return parts[0], " ".join(parts[1:])
