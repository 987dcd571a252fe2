"""Compare birth dates: equal in any notation, equal on known parts, near, different.

Notation is never a difference: 昭和60年3月1日, S60.3.1, 3600301 and 1985-03-01 are the same day,
and so is 平成31年5月1日 (a system not updated for 令和) and 2019-05-01 — that one is noted for
the clerk. Dates that differ are BIRTHDATE_DIFF; `near` singles out the differences keying
produces (one digit, month and day swapped, the wrong era picked for the right year), which
point to a typo rather than to another person.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from enum import StrEnum

from himoken.compare.outcome import SIDES, Outcome, Reason
from himoken.normalize.dates import ParsedDate, era_of, is_missing, parse_date, unreadable_reason

NEAR_ONE_DIGIT = "1桁違い"
NEAR_DIGITS_SWAPPED = "数字入替"  # two adjacent digits swapped: 1985-03-01 / 1985-03-10
NEAR_MONTH_DAY_SWAPPED = "月日入替"
NEAR_ERA_SLIP = "元号違い"
UNKNOWN_MONTH_DAY = "月日不詳"
UNKNOWN_DAY = "日不詳"


class DateLevel(StrEnum):
    """Levels of agreement of two birth dates, best first."""

    EQUAL = "equal"  # the same day, in any notation
    EQUAL_KNOWN_PARTS = "equal_known_parts"  # a side partly unknown, the known parts agree
    NEAR = "near"  # differ as one keying slip would: a digit, a swap, the era
    DIFFERENT = "different"
    UNREADABLE = "unreadable"  # a side is not a date
    MISSING = "missing"  # a side is empty or wholly unknown (不詳)


# Levels at which two birth dates are the same day (partly unknown dates on their known parts).
AGREES = frozenset({DateLevel.EQUAL, DateLevel.EQUAL_KNOWN_PARTS})


def _era_overflow_readings(*dates: ParsedDate) -> tuple[str, ...]:
    """「平成31年5月1日=2019-05-01」 for each side written in an era after it ended."""
    readings = (f"{d.era_text()}={d.iso}" for d in dates if d.era_overflow)
    return tuple(dict.fromkeys(readings))


def _era_readings(date: ParsedDate) -> set[tuple[str, int]]:
    """(era, year in era) the date was written in, and the one its day belongs to."""
    readings = {(date.era, date.era_year)} if date.era else set()
    era = era_of(date.year, date.month, date.day)
    if era is not None:
        readings.add((era.name, era.era_year(date.year)))
    return readings


def _differing_digits(mine: str, theirs: str) -> int:
    """How many digits of two YYYYMMDD strings (or equal-length prefixes) differ."""
    return sum(map(str.__ne__, mine, theirs))


def _adjacent_digits_swapped(mine: str, theirs: str) -> bool:
    """1985-03-01 / 1985-03-10: the other classic keying slip besides a wrong digit."""
    differ = [i for i in range(len(mine)) if mine[i] != theirs[i]]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and (mine[differ[0]], mine[differ[1]]) == (theirs[differ[1]], theirs[differ[0]])
    )


def _iso(digits: str) -> str:
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _era_year_text(era: str, era_year: int) -> str:
    return f"{era}{'元' if era_year == 1 else era_year}年"


def _near_kind(
    mine: ParsedDate, theirs: ParsedDate, mine_digits: str, theirs_digits: str
) -> tuple[str, ...]:
    """Which keying slip could turn one full date into the other (with detail), if any."""
    differing = _differing_digits(mine_digits, theirs_digits)
    if differing == 1:
        return (NEAR_ONE_DIGIT,)
    if differing == 2 and _adjacent_digits_swapped(mine_digits, theirs_digits):
        return (NEAR_DIGITS_SWAPPED,)
    if mine.year == theirs.year and (mine.month, mine.day) == (theirs.day, theirs.month):
        return (NEAR_MONTH_DAY_SWAPPED,)
    if (mine.month, mine.day) == (theirs.month, theirs.day):
        theirs_readings = _era_readings(theirs)
        for era, era_year in sorted(_era_readings(mine)):
            for other_era, other_year in sorted(theirs_readings):
                if other_year == era_year and other_era != era:
                    eras = f"{_era_year_text(era, era_year)}/{_era_year_text(other_era, era_year)}"
                    return (NEAR_ERA_SLIP, eras)
    return ()


def _with_readings(note: str, readings: tuple[str, ...]) -> str:
    if not readings:
        return note
    return f"{note}、和暦は改元後の表記({'、'.join(readings)})"


def _missing(left: str, right: str) -> Outcome:
    blank = [
        (side, "空欄" if not (value or "").strip() else "不詳")
        for side, value in zip(SIDES, (left, right), strict=True)
        if is_missing(value)
    ]
    evidence = tuple(f"{side}{state}" for side, state in blank)
    if len(blank) == 2:
        return Outcome(DateLevel.MISSING, None, evidence, "生年月日が両側とも空欄または不詳")
    side, state = blank[0]
    return Outcome(DateLevel.MISSING, None, evidence, f"{side}の生年月日が{state}")


def _unreadable(left: str, right: str) -> Outcome:
    evidence: list[str] = []
    notes: list[str] = []
    for side, value in zip(SIDES, (left, right), strict=True):
        reason = unreadable_reason(value)
        if reason is None:
            continue
        evidence += [f"{side}={value.strip()}", reason]
        notes.append(f"{side}の生年月日「{value.strip()}」を日付として読めない({reason})")
    return Outcome(DateLevel.UNREADABLE, Reason.BIRTHDATE_DIFF, tuple(evidence), "、".join(notes))


@functools.lru_cache(maxsize=1 << 18)
def compare(left: str, right: str) -> Outcome:
    """Compare the business system's birth date (left) with the register's (right)."""
    mine, theirs = parse_date(left), parse_date(right)
    if mine is None or theirs is None:
        if is_missing(left) or is_missing(right):
            return _missing(left, right)
        return _unreadable(left, right)
    readings = _era_overflow_readings(mine, theirs) if mine.notes or theirs.notes else ()
    if mine[:3] == theirs[:3] and mine.known:
        note = f"生年月日の和暦は改元後の表記({'、'.join(readings)})" if readings else ""
        return Outcome(DateLevel.EQUAL, None, readings, note)
    mine_digits, theirs_digits = mine.digits, theirs.digits
    mine_iso, theirs_iso = _iso(mine_digits), _iso(theirs_digits)
    if mine.known and theirs.known:
        kind = _near_kind(mine, theirs, mine_digits, theirs_digits)
    else:
        # compare the parts known on both sides: the year, the month if both know it ...
        unknown = UNKNOWN_MONTH_DAY if not (mine.month and theirs.month) else UNKNOWN_DAY
        known = 4 if unknown == UNKNOWN_MONTH_DAY else 6
        differing = _differing_digits(mine_digits[:known], theirs_digits[:known])
        if differing == 0:
            agreed = "年" if unknown == UNKNOWN_MONTH_DAY else "年月"
            return Outcome(
                DateLevel.EQUAL_KNOWN_PARTS,
                None,
                (unknown, mine_iso, theirs_iso, *readings),
                _with_readings(f"生年月日は{unknown}、{agreed}は一致", readings),
            )
        kind = (NEAR_ONE_DIGIT,) if differing == 1 else ()
    dates = f"{mine_iso}/{theirs_iso}"
    if kind:
        return Outcome(
            DateLevel.NEAR,
            Reason.BIRTHDATE_DIFF,
            (mine_iso, theirs_iso, *kind, *readings),
            _with_readings(f"生年月日が近いが異なる({dates}、{' '.join(kind)})", readings),
        )
    return Outcome(
        DateLevel.DIFFERENT,
        Reason.BIRTHDATE_DIFF,
        (mine_iso, theirs_iso, *readings),
        _with_readings(f"生年月日が異なる({dates})", readings),
    )


def compare_many(lefts: Iterable[str], rights: Iterable[str]) -> list[Outcome]:
    """Compare two columns row by row, each distinct pair once."""
    pairs = list(zip(lefts, rights, strict=True))
    outcomes = {pair: compare(*pair) for pair in dict.fromkeys(pairs)}
    return list(map(outcomes.__getitem__, pairs))
