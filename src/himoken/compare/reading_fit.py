"""Does a reading fit a kanji name? Useful when one side has no 氏名フリガナ (spec §2: the reading
became a legal entry of the 住民票 only in 2025, older data lacks it).

The dictionary ships with `japanese-personal-name-dataset` (MIT, offline): 1,999 surnames with
their readings and ~9,400 given-name readings with every known kanji spelling. Kanji are
compared through their variant-folded forms (髙橋 reads as 高橋). A name outside the dictionary
gives `unknown`, never a guess.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from enum import StrEnum

from himoken.compare.outcome import Outcome
from himoken.normalize import kana, name_dictionary
from himoken.normalize.names import normalize, split


class FitLevel(StrEnum):
    FITS = "fits"
    UNKNOWN = "unknown"
    DOES_NOT_FIT = "does_not_fit"
    MISSING = "missing"


@functools.cache
def _dictionary() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(surname kanji -> readings, given-name kanji -> readings), kanji variant-folded and
    readings in the kana normalizer's canonical form."""
    surnames: dict[str, set[str]] = defaultdict(set)
    for surname in name_dictionary.surnames():
        surnames[normalize(surname.kanji).folded].add(kana.canonical(surname.reading))
    given: dict[str, set[str]] = defaultdict(set)
    for name in name_dictionary.given_names():
        for spelling in name.spellings:
            given[normalize(spelling).folded].add(kana.canonical(name.reading))
    return (
        {k: frozenset(v) for k, v in surnames.items()},
        {k: frozenset(v) for k, v in given.items()},
    )


@functools.lru_cache(maxsize=1 << 16)
def reading_fits(name: str, reading: str) -> Outcome:
    """Whether `reading` can be read from the kanji of `name` (both sides' splits used)."""
    if not name.strip() or not reading.strip():
        return Outcome(FitLevel.MISSING)
    parts = split(name)
    if parts is None:
        return Outcome(FitLevel.UNKNOWN)
    surnames, given_names = _dictionary()
    surname_readings = surnames.get(normalize(parts[0]).folded)
    given_readings = given_names.get(normalize(parts[1]).folded)
    if not surname_readings or not given_readings:
        return Outcome(FitLevel.UNKNOWN)
    pieces = kana.split(reading)
    whole = "".join(pieces)
    candidates = (
        [(pieces[0], "".join(pieces[1:]))]
        if len(pieces) >= 2
        else [(whole[:i], whole[i:]) for i in range(1, len(whole))]
    )
    for surname_kana, given_kana in candidates:
        if surname_kana in surname_readings and given_kana in given_readings:
            return Outcome(
                FitLevel.FITS, None, (f"{parts[0]}={surname_kana}", f"{parts[1]}={given_kana}")
            )
    return Outcome(
        FitLevel.DOES_NOT_FIT, None, (whole,),
        f"フリガナ「{reading.strip()}」は氏名「{name.strip()}」の読みとして辞書にない",
    )  # fmt: skip
