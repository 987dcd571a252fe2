"""The register's own history as an explanation of a difference (spec §7 MOVED, NAME_CHANGED).

A record keeps the values its business system held on the day the number was linked; the
register has moved on since. Strong evidence is a value that reappears in the history: the
record's address is one of the entry's 前住所, its name one of the 旧氏名. A change date after
紐付け日 is weaker: for a name it needs the given name, birth date and sex unchanged; for an
address with no 前住所 to compare it is only a hint that the engine accepts later, once no other
resident fits the record better and the linkage was not a partial-information query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from himoken.compare import addresses, dates, kana, names
from himoken.compare.outcome import Outcome
from himoken.compare.sex import SexLevel
from himoken.normalize.dates import parse_date
from himoken.normalize.kana import split as split_reading
from himoken.normalize.names import split as split_name


class NameChange(NamedTuple):
    note: str
    explains_reading: bool  # the reading differs because of the same change


class Move(NamedTuple):
    strong: bool  # the record's address is a 前住所; else only 住所異動日 > 紐付け日
    note: str


def _get(row: Mapping[str, str], column: str) -> str:
    return (row.get(column) or "").strip()


def _history(row: Mapping[str, str], column: str) -> list[str]:
    return [part.strip() for part in _get(row, column).split(";")]


def _iso(value: str) -> str | None:
    parsed = parse_date(value) if value else None
    return parsed.iso if parsed is not None and parsed.known else None


def changed_after_linkage(record: Mapping[str, str], change_date: str) -> tuple[str, str] | None:
    """(change, linkage) ISO dates when the register's change took effect after 紐付け日."""
    changed, linked = _iso(change_date), _iso(_get(record, "紐付け日"))
    if changed is None or linked is None or changed <= linked:
        return None
    return changed, linked


def _reading_agrees(record_reading: str, register_reading: str) -> bool:
    if not record_reading or not register_reading:
        return True
    return kana.compare(record_reading, register_reading).level in kana.AGREES


def name_change(
    record: Mapping[str, str],
    entry: Mapping[str, str],
    birth: Outcome,
    sex: Outcome,
    gaiji_table: Mapping[str, str] | None = None,
) -> NameChange | None:
    """NAME_CHANGED when the record's name is one of the entry's 旧氏名, or 氏名変更日 is after
    紐付け日 with the given name, birth date and sex unchanged."""
    name, reading = _get(record, "氏名"), _get(record, "氏名フリガナ")
    old_readings = _history(entry, "旧氏名フリガナ")
    for position, old in enumerate(_history(entry, "旧氏名")):
        if not old:
            continue
        outcome = names.compare_many([name], [old], gaiji_table=gaiji_table)[0]
        if outcome.level in names.AGREES:
            old_reading = old_readings[position] if position < len(old_readings) else ""
            return NameChange(
                f"事務側の氏名は旧氏名({old})と一致",
                _reading_agrees(reading, old_reading),
            )
    changed = changed_after_linkage(record, _get(entry, "氏名変更日"))
    if changed is None or birth.level not in dates.AGREES:
        return None
    if sex.level is SexLevel.DIFFERENT:
        return None
    register_split = split_name(_get(entry, "氏名"))
    record_split = split_name(name, register_split)
    if register_split is None or record_split is None:
        return None
    if names.compare(record_split[1], register_split[1]).level not in names.AGREES:
        return None
    record_parts, register_parts = (
        split_reading(reading),
        split_reading(_get(entry, "氏名フリガナ")),
    )
    explains = (
        not record_parts
        or not register_parts
        or _reading_agrees(record_parts[-1], register_parts[-1])
    )
    on, linked = changed
    return NameChange(
        f"氏名変更日({on})が紐付け日({linked})より後、名・生年月日・性別は一致", explains
    )


def move(record: Mapping[str, str], entry: Mapping[str, str]) -> Move | None:
    """MOVED when the record's address is one of the entry's 前住所 (strong); a weak hint when
    the entry has no 前住所 but 住所異動日 is after 紐付け日; else None."""
    address = _get(record, "住所")
    previous = [p for p in _history(entry, "前住所") if p]
    moved_on = _get(entry, "住所異動日")
    if previous:
        outcomes = addresses.compare_many([address] * len(previous), previous)
        for old, outcome in zip(previous, outcomes, strict=True):
            if outcome.level in addresses.SAME_PLACE:
                when = f"、住所異動日 {_iso(moved_on)}" if _iso(moved_on) else ""
                return Move(True, f"事務側の住所は前住所({old})と一致{when}")
        return None
    changed = changed_after_linkage(record, moved_on)
    if changed is None:
        return None
    on, linked = changed
    return Move(False, f"前住所の記録はないが住所異動日({on})が紐付け日({linked})より後")
