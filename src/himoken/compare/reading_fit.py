"""Does a reading fit a kanji name? Useful when one side has no 氏名フリガナ (spec §2: the reading
became a legal entry of the 住民票 only in 2025, older data lacks it).

The dictionary ships with `japanese-personal-name-dataset` (MIT, offline): 1,999 surnames with
their readings and ~9,400 given-name readings with every known kanji spelling. Kanji are
compared through their variant-folded forms (髙橋 reads as 高橋). A name outside the dictionary
gives `unknown`, never a guess.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from enum import StrEnum
from importlib import resources

import jaconv

from himoken.compare.outcome import Outcome
from himoken.normalize.names import normalize, split


class FitLevel(StrEnum):
    FITS = "fits"
    UNKNOWN = "unknown"
    DOES_NOT_FIT = "does_not_fit"
    MISSING = "missing"


def _katakana(reading: str) -> str:
    return jaconv.hira2kata(jaconv.h2z(reading, kana=True, ascii=False, digit=False))


@functools.cache
def _dictionary() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(surname kanji -> readings, given-name kanji -> readings), keys variant-folded."""
    folder = resources.files("japanese_personal_name_dataset") / "dataset"
    surnames: dict[str, set[str]] = defaultdict(set)
    with (folder / "last_name_org.csv").open(encoding="utf-8") as handle:
        for row in csv.reader(handle):
            if len(row) >= 3 and row[0]:
                surnames[normalize(row[0]).folded].add(_katakana(row[2]))
    given: dict[str, set[str]] = defaultdict(set)
    for name in ("first_name_man_org.csv", "first_name_woman_org.csv"):
        with (folder / name).open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                if len(row) >= 3:
                    reading = _katakana(row[0])
                    for kanji in row[2:]:
                        if kanji:
                            given[normalize(kanji).folded].add(reading)
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
    kana = _katakana(reading)
    pieces = kana.replace("\u3000", " ").split()
    candidates = (
        [(pieces[0], "".join(pieces[1:]))]
        if len(pieces) >= 2
        else [(kana[:i], kana[i:]) for i in range(1, len(kana))]
    )
    for surname_kana, given_kana in candidates:
        if surname_kana in surname_readings and given_kana in given_readings:
            return Outcome(
                FitLevel.FITS, None, (f"{parts[0]}={surname_kana}", f"{parts[1]}={given_kana}")
            )
    return Outcome(
        FitLevel.DOES_NOT_FIT, None, (kana,),
        f"フリガナ「{reading.strip()}」は氏名「{name.strip()}」の読みとして辞書にない",
    )  # fmt: skip
