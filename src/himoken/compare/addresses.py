"""Compare addresses: the same place however written, or how far apart.

Clerks drowned in 「1番1号」 vs 「1-1」 in 2023 (spec: domain brief). Here notation is never a
difference: kanji numerals, 丁目番号 vs hyphens, ケ/ヶ/が, a prefecture or 郡 left out, Kyoto's
street names, a building written on one side only — each is cleared with its evidence
(「1-2-3=一丁目2番3号」). What remains is graded by how far apart the two places are, so the
engine can weigh it: another room of the same block, another block of the same town, another
town, another municipality. 地番 (1234番地5) against 住居表示 (1丁目2番3号) in one town cannot be
reconciled without land records, and says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum

from himoken.compare.outcome import SIDES, Outcome, Reason
from himoken.gcpause import gc_paused
from himoken.normalize.addresses import Flag, Numbering, ParsedAddress, fold_numerals, parse

PREFECTURE_OMITTED = "都道府県省略"
COUNTY_OMITTED = "郡省略"
WARD_OMITTED = "区省略"
MUNICIPALITY_OMITTED = "市区町村省略"
STREET_NAME = "通り名の有無"
STREET_NAME_FORM = "通り名の表記"
OAZA = "大字の有無"
AZA = "字の有無"
BUILDING_ONE_SIDE = "方書の有無"
BUILDING_FORM = "方書の表記"
ROOM_ONE_SIDE = "部屋番号の有無"
POSTAL_CODE = "郵便番号の有無"
GENERIC_NOTATION = "表記差異"


class AddressLevel(StrEnum):
    """Levels of agreement of two addresses, best first."""

    SAME = "same"  # equal after width and spacing only
    NOTATION = "notation"  # the same place written differently
    SAME_BUT_BUILDING = "same_but_building"  # same numbers, different building or room
    SAME_TOWN_OTHER_BLOCK = "same_town_other_block"
    SAME_MUNICIPALITY = "same_municipality"  # another town (or 字) of the same municipality
    DIFFERENT = "different"  # another municipality or prefecture
    UNRESOLVABLE = "unresolvable"  # 地番 vs 住居表示 in the same town: needs land records
    UNREADABLE = "unreadable"  # a side is not an address
    MISSING = "missing"  # a side is empty


# Levels at which two addresses are the same place (room included).
SAME_PLACE = frozenset({AddressLevel.SAME, AddressLevel.NOTATION})


def _outcome(level: AddressLevel, evidence: tuple[str, ...], note: str) -> Outcome:
    if level in (AddressLevel.SAME, AddressLevel.MISSING):
        reason = None
    elif level is AddressLevel.NOTATION:
        reason = Reason.ADDRESS_NOTATION
    else:
        reason = Reason.ADDRESS_DIFF
    return Outcome(level, reason, evidence, note)


def _pair(left: str, right: str) -> str:
    return f"{left or 'なし'}/{right or 'なし'}"


# ---------------------------------------------------------------- municipality


def _municipality_agrees(left: ParsedAddress, right: ParsedAddress) -> bool:
    if left.cities and right.cities:
        return not set(left.cities).isdisjoint(right.cities)
    if left.cities or right.cities:
        return False
    return left.municipality == right.municipality


def _within(value: str, parsed: ParsedAddress, other: ParsedAddress) -> ParsedAddress | None:
    """`value` read inside the other side's municipality, when it names none of its own.

    A business system of the municipality itself often keeps 梅田1-2-3 (or 北区梅田1-2-3) for
    大阪市北区梅田1-2-3. A value that names a known municipality with its prefecture is taken
    at its word; otherwise only a town Japan Post knows there makes the reading count (大和町
    is a municipality of 宮城県 and also a town of several others).
    """
    if not other.cities or (parsed.cities and parsed.prefecture_text):
        return None
    reread = parse(value, within=other.cities)
    if reread.has(Flag.TOWN_UNKNOWN) or not reread.town:
        return None
    return reread


def _municipality_evidence(left: ParsedAddress, right: ParsedAddress) -> list[str]:
    evidence: list[str] = []
    if bool(left.prefecture_text) != bool(right.prefecture_text):
        evidence.append(PREFECTURE_OMITTED)
    if left.has(Flag.MUNICIPALITY_OMITTED) or right.has(Flag.MUNICIPALITY_OMITTED):
        evidence.append(MUNICIPALITY_OMITTED)
        return evidence
    if left.county and left.county_written != right.county_written:
        evidence.append(COUNTY_OMITTED)
    if left.has(Flag.WARD_OMITTED) != right.has(Flag.WARD_OMITTED):
        evidence.append(WARD_OMITTED)
    left_name = _without_county(left)
    right_name = _without_county(right)
    if (
        left_name
        and right_name
        and left_name != right_name
        and WARD_OMITTED not in evidence
        and left_name.replace(" ", "") != right_name.replace(" ", "")
    ):
        evidence.append(f"{left_name}={right_name}")
    return evidence


def _without_county(parsed: ParsedAddress) -> str:
    text = parsed.municipality_text
    if parsed.county_written and text.startswith(parsed.county):
        return text[len(parsed.county) :]
    return text


# ---------------------------------------------------------------- building

_ROOM = re.compile(r"(\d+)(?:号室|号|室)?$")
_BRACKETS = str.maketrans(dict.fromkeys("()[]{}「」『』【】〔〕<>《》"))
_BUILDING_NOISE = re.compile(r"[\s\-()（）「」『』,、・.]|号室$")


def _building_key(rest: str) -> tuple[str, str]:
    """(building name, room number) of a building text, with width and numerals folded.

    The room is cut off before numerals are folded: 第二107号室 is room 107 of 第2.
    """
    if not rest:
        return "", ""
    text = unicodedata.normalize("NFKC", rest).translate(_BRACKETS).rstrip()
    room = _ROOM.search(text)
    name, number = (text[: room.start()], room[1]) if room else (text, "")
    return _BUILDING_NOISE.sub("", fold_numerals(name)[0]), number.lstrip("0")


def _building_outcome(left: ParsedAddress, right: ParsedAddress) -> tuple[bool, list[str]]:
    """(whether the buildings agree, evidence of how they are written differently)."""
    if left.rest == right.rest:
        return True, []
    left_name, left_room = _building_key(left.rest)
    right_name, right_room = _building_key(right.rest)
    if not (left_name or left_room) or not (right_name or right_room):
        return True, [BUILDING_ONE_SIDE]
    if (left_name, left_room) == (right_name, right_room):
        return True, [f"{BUILDING_FORM}({left.rest}={right.rest})"]
    if left_room == right_room and (not left_name or not right_name):
        return True, [f"{BUILDING_FORM}({left.rest}={right.rest})"]
    if left_name == right_name and (not left_room or not right_room):
        return True, [ROOM_ONE_SIDE]
    return False, []


def _room_number_as_block(shorter: ParsedAddress, longer: ParsedAddress) -> bool:
    """1343-706 for 1343番地 パークハイツ706号室: the last number is the other side's room."""
    numbers, more = shorter.numbers, longer.numbers
    if len(more) != len(numbers) + 1 or more[:-1] != numbers or longer.rest:
        return False
    return _building_key(shorter.rest)[1] == str(more[-1])


def _numbering(parsed: ParsedAddress) -> Numbering:
    """Which system the numbers look written in, also from their shape: 1234-5 is a 地番,
    and 1-2-3 in a town with 丁目 a 住居表示 (札幌's 2丁目3 is neither: it has 番地 there)."""
    if parsed.numbering is not Numbering.UNKNOWN:
        return parsed.numbering
    if parsed.has(Flag.CHOME_INFERRED) and len(parsed.blocks) == 2:
        return Numbering.JUKYO
    if parsed.chome is None and parsed.blocks and parsed.blocks[0] >= 100:
        return Numbering.CHIBAN
    return Numbering.UNKNOWN


# ---------------------------------------------------------------- compare


def compare(left: str | None, right: str | None) -> Outcome:
    """Compare the business system's address (left) with the register's (right)."""
    left, right = left or "", right or ""
    if not left.strip() or not right.strip():
        side = SIDES[0] if not left.strip() else SIDES[1]
        return _outcome(AddressLevel.MISSING, (side,), f"{side}の住所なし")
    mine, theirs = parse(left), parse(right)
    if mine.text == theirs.text:
        return _outcome(AddressLevel.SAME, (), "")
    unreadable = [
        f"{side}:{parsed.text}"
        for side, parsed in zip(SIDES, (mine, theirs), strict=True)
        if not parsed.readable
    ]
    if unreadable:
        return _unreadable(unreadable)
    if not _municipality_agrees(mine, theirs):
        mine, theirs = _read_within(left, right, mine, theirs)
    bare = [  # 1-2-3 against a whole address: no place named to compare
        f"{side}:{parsed.text}"
        for side, parsed, other in ((SIDES[0], mine, theirs), (SIDES[1], theirs, mine))
        if not (parsed.municipality or parsed.town) and (other.municipality or other.town)
    ]
    if bare:
        return _unreadable(bare)
    return _places_apart(mine, theirs) or _same_place(mine, theirs)


def _unreadable(sides: list[str]) -> Outcome:
    return _outcome(
        AddressLevel.UNREADABLE, tuple(sides), f"住所を読み取れない({'、'.join(sides)})"
    )


def _read_within(
    left: str, right: str, mine: ParsedAddress, theirs: ParsedAddress
) -> tuple[ParsedAddress, ParsedAddress]:
    """When one side names no municipality of its own, read it in the other's."""
    reread = _within(left, mine, theirs)
    if reread is not None:
        return reread, theirs
    reread = _within(right, theirs, mine)
    if reread is not None:
        return mine, reread
    return mine, theirs


def _places_apart(mine: ParsedAddress, theirs: ParsedAddress) -> Outcome | None:
    """The outcome when prefecture, municipality, town or 字 differ; None when they agree."""
    if mine.prefecture and theirs.prefecture and mine.prefecture != theirs.prefecture:
        return _outcome(
            AddressLevel.DIFFERENT,
            (mine.prefecture, theirs.prefecture),
            f"住所の都道府県が異なる({_pair(mine.prefecture, theirs.prefecture)})",
        )
    if not _municipality_agrees(mine, theirs):
        left_name = mine.municipality or mine.municipality_text
        right_name = theirs.municipality or theirs.municipality_text
        return _outcome(
            AddressLevel.DIFFERENT,
            (left_name, right_name),
            f"住所の市区町村が異なる({_pair(left_name, right_name)})",
        )
    if mine.town_key != theirs.town_key:
        return _outcome(
            AddressLevel.SAME_MUNICIPALITY,
            (mine.town, theirs.town),
            f"住所の町域が異なる({_pair(mine.town_text, theirs.town_text)})",
        )
    if mine.aza and theirs.aza and mine.aza != theirs.aza:
        return _outcome(
            AddressLevel.SAME_MUNICIPALITY,
            (mine.aza, theirs.aza),
            f"住所の字が異なる({_pair(mine.aza, theirs.aza)})",
        )
    return None


def _same_place(mine: ParsedAddress, theirs: ParsedAddress) -> Outcome:
    """Same town: the numbers, then the building decide; else it is notation, with evidence."""
    numbers_agree = mine.numbers == theirs.numbers
    building_agrees, building_evidence = _building_outcome(mine, theirs)
    if not numbers_agree and (
        _room_number_as_block(mine, theirs) or _room_number_as_block(theirs, mine)
    ):
        numbers_agree, building_agrees = True, True
        building_evidence = [BUILDING_ONE_SIDE]
    if not numbers_agree:
        numbers = (mine.numbers_text, theirs.numbers_text)
        if {_numbering(mine), _numbering(theirs)} == {Numbering.CHIBAN, Numbering.JUKYO}:
            return _outcome(
                AddressLevel.UNRESOLVABLE,
                numbers,
                f"地番と住居表示のため照合できない({_pair(*numbers)})",
            )
        return _outcome(
            AddressLevel.SAME_TOWN_OTHER_BLOCK, numbers, f"住所の番地が異なる({_pair(*numbers)})"
        )
    if not building_agrees:
        rests = (mine.rest, theirs.rest)
        return _outcome(
            AddressLevel.SAME_BUT_BUILDING,
            rests,
            f"住所は同じ番地で方書が異なる({_pair(*rests)})",
        )
    evidence = [POSTAL_CODE] if mine.has(Flag.POSTAL_CODE) != theirs.has(Flag.POSTAL_CODE) else []
    evidence += _municipality_evidence(mine, theirs)
    if mine.street != theirs.street:
        evidence.append(STREET_NAME if not (mine.street and theirs.street) else STREET_NAME_FORM)
    if mine.has(Flag.OAZA) != theirs.has(Flag.OAZA):
        evidence.append(OAZA)
    if mine.town_text != theirs.town_text and mine.town_text and theirs.town_text:
        evidence.append(f"{mine.town_text}={theirs.town_text}")
    if bool(mine.aza) != bool(theirs.aza):
        evidence.append(AZA)
    if mine.numbers_text != theirs.numbers_text:
        evidence.append(f"{mine.numbers_text}={theirs.numbers_text}")
    evidence += building_evidence
    if not evidence:
        evidence.append(GENERIC_NOTATION)
    return _outcome(
        AddressLevel.NOTATION, tuple(evidence), f"住所は表記差異({'、'.join(evidence)})"
    )


def compare_many(lefts: Iterable[str | None], rights: Iterable[str | None]) -> list[Outcome]:
    """Compare two columns pairwise; each distinct pair is compared once.

    The garbage collector is paused meanwhile, as in parse_many: outcomes hold no cycles.
    """
    done: dict[tuple[str | None, str | None], Outcome] = {}
    outcomes: list[Outcome] = []
    with gc_paused():
        for pair in zip(lefts, rights, strict=True):
            outcome = done.get(pair)
            if outcome is None:
                outcome = done[pair] = compare(*pair)
            outcomes.append(outcome)
    return outcomes
