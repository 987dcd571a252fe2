"""The offline name dictionary: japanese-personal-name-dataset (MIT).

1,999 surnames with their reading and estimated population (variant forms such as 齋藤 and
渡邊 at their own counts), and ~9,400 given-name readings, each with every known kanji
spelling. Read here once per process, for everything that needs it: splitting a name without
a space, checking that a reading fits a name, and the synthetic prefecture's surnames.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources
from typing import NamedTuple

import jaconv


class Surname(NamedTuple):
    kanji: str
    reading: str  # katakana
    population: int


class GivenName(NamedTuple):
    reading: str  # katakana
    spellings: tuple[str, ...]  # kanji spellings
    sex: int  # 1 male, 2 female


def _rows(name: str) -> list[list[str]]:
    path = resources.files("japanese_personal_name_dataset") / "dataset" / name
    with path.open(encoding="utf-8") as handle:
        return [row for row in csv.reader(handle) if row]


@functools.cache
def surnames() -> tuple[Surname, ...]:
    rows = _rows("last_name_org.csv")
    result = tuple(
        Surname(kanji, jaconv.hira2kata(hiragana), int(population))
        for kanji, population, hiragana, *_ in rows
        if kanji
    )
    if len(result) < 1000:
        raise RuntimeError(f"surname table too small: {len(result)} rows")
    return result


@functools.cache
def given_names() -> tuple[GivenName, ...]:
    result = []
    for sex, name in ((1, "first_name_man_org.csv"), (2, "first_name_woman_org.csv")):
        for hiragana, _romaji, *spellings in _rows(name):
            result.append(
                GivenName(jaconv.hira2kata(hiragana), tuple(s for s in spellings if s), sex)
            )
    return tuple(result)
