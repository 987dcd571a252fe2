"""Comparison keys for the true-owner search: Japanese normalization done once, in Python.

The owner search scores pairs with Splink in SQL (DuckDB here, Spark later), and SQL engines
know nothing of 髙/高, キヨウコ/キョウコ or 一丁目2番3号 = 1-2-3. So every comparison level of the
model is plain equality (or a Levenshtein distance) on columns computed here, per distinct
value, by the project's normalizers (`himoken.normalize`). The same function serves records and
register entries, so the two sides of a pair always hold keys made by the same rules.

`person_keys(...)` returns a pyarrow Table with one row per input row and the columns of
`KEY_COLUMNS` (all strings; None when a value is missing or unreadable):

| column | from | example |
|---|---|---|
| name_text | mechanical canonical name (width, spaces, case) | 髙橋太郎 |
| name_folded | kanji variants folded (MJ shrink map), 外字 table applied | 高橋太郎 |
| name_alias_folded | first 通称 of a register entry, folded | 山口力雄 |
| name_sorted | Latin names: folded parts sorted (order-free) | NAM NGUYEN VAN |
| surname_folded, given_folded | split on a space, else by known surnames | 高橋 / 太郎 |
| given_spaced | given_folded, only when the name was written with a space | 太郎 |
| reading_canonical | mechanical canonical reading | キョウコ |
| reading_key | legacy-spelling key (キヨウコ = キョウコ) | キヨウコ |
| birth_full | YYYY-MM-DD, only when month and day are known | 1985-03-01 |
| birth_year / birth_ym / birth_md | known parts | 1985 / 1985-03 / 03-01 |
| birth_digits | YYYYMMDD, where one mistyped digit is one edit | 19850301 |
| birth_sorted | the digits sorted: equal for swapped digits or month/day | 00113589 |
| sex | 1 or 2; None for missing, 0 (unknown) and 9 (not applicable) | 1 |
| address_municipality | 市区町村 (政令市 ward included) | 大阪市北区 |
| address_town | municipality + 町域 key | 大阪市北区/梅田 |
| address_block | town + 地割・丁目・番・号 (no building) | 大阪市北区/梅田/1-2-3 |
| address_full | block + building and room, notation folded | 大阪市北区/梅田/1-2-3/梅田ハイツ/101 |

`name_prefilter_sql(column)` is the SQL half of `name_folded`: for the names that need nothing
beyond removing spaces and upper-casing (most register names), SQL computes the same key, so
the search can find the register rows a name blocking rule can reach without pulling the
register into Python; `simple_name_sql(column)` says which names those are.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

import pyarrow as pa

from himoken.normalize import addresses, kana, names
from himoken.normalize.sex import Sex, parse_sex

KEY_COLUMNS: tuple[str, ...] = (
    "name_text",
    "name_folded",
    "name_alias_folded",
    "name_sorted",
    "surname_folded",
    "given_folded",
    "given_spaced",
    "reading_canonical",
    "reading_key",
    "birth_full",
    "birth_year",
    "birth_ym",
    "birth_md",
    "birth_digits",
    "birth_sorted",
    "sex",
    "address_municipality",
    "address_town",
    "address_block",
    "address_full",
)

_K = TypeVar("_K", bound=Hashable)
_V = TypeVar("_V")


def _per_distinct(values: Sequence[_K], compute: Callable[[_K], _V]) -> list[_V]:
    """`compute` once per distinct value, results in input order."""
    known: dict[_K, _V] = {}
    result = []
    for value in values:
        if value in known:
            result.append(known[value])
        else:
            result.append(known.setdefault(value, compute(value)))
    return result


# ---------------------------------------------------------------- names


def _name_keys(
    values: Sequence[str | None], gaiji_table: Mapping[str, str] | None
) -> list[tuple[str | None, ...]]:
    """(text, folded, sorted, surname, given, given when spaced) per value."""
    normalized = names.normalize_many([v or "" for v in values], gaiji_table)

    def keys(name: names.NormalizedName) -> tuple[str | None, ...]:
        if name.empty:
            return (None, None, None, None, None, None)
        text, folded = name.text, name.folded
        ordered = (
            " ".join(sorted(_fold_parts(name))) if name.latin and len(name.parts) > 1 else None
        )
        if len(name.parts) >= 2:
            cut = len(name.parts[0])
        else:
            split = names.split(name.raw)
            cut = len(split[0]) if split is not None and len(split[0]) < len(text) else 0
        surname = folded[:cut] or None
        given = folded[cut:] if cut else None
        return (text, folded, ordered, surname, given, given if len(name.parts) >= 2 else None)

    return _per_distinct(normalized, keys)


def _fold_parts(name: names.NormalizedName) -> list[str]:
    """The folded form of each part (folding is character by character: slice `folded`)."""
    parts, start = [], 0
    for part in name.parts:
        parts.append(name.folded[start : start + len(part)])
        start += len(part)
    return parts


def _alias_keys(
    values: Sequence[str | None], gaiji_table: Mapping[str, str] | None
) -> list[str | None]:
    """The folded form of the first 通称 (a register lists them `;`-separated)."""
    firsts = [(v or "").split(";")[0].strip() for v in values]
    return [name.folded or None for name in names.normalize_many(firsts, gaiji_table)]


# Characters whose name key SQL computes exactly like Python: printable ASCII (not the comma,
# which `names` reads as a separator), kana and CJK ideographs that NFKC leaves alone and the
# variant fold leaves alone. U+0020 and U+3000 are removed before the check.
_SIMPLE_RANGES = (
    (0x21, 0x7E),
    (0x3005, 0x3006),
    (0x3041, 0x3096),
    (0x309D, 0x309E),
    (0x30A1, 0x30FA),
    (0x30FC, 0x30FE),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
)
_NOT_SIMPLE = frozenset(",・")


@functools.cache
def _simple_class() -> str:
    """A regex character class of the simple characters, as ranges (compact for RE2)."""
    folds = names._fold_table()  # the variant fold itself (cached by `names`)
    runs: list[tuple[int, int]] = []
    for low, high in _SIMPLE_RANGES:
        for code in range(low, high + 1):
            char = chr(code)
            simple = (
                code not in folds
                and char not in _NOT_SIMPLE
                and unicodedata.normalize("NFKC", char) == char
            )
            if not simple:
                continue
            if runs and runs[-1][1] == code - 1:
                runs[-1] = (runs[-1][0], code)
            else:
                runs.append((code, code))

    def escape(code: int) -> str:
        return re.escape(chr(code)) if code < 0x80 else chr(code)

    body = "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in runs)
    return f"[{body}]"


def _strip_spaces_sql(column: str) -> str:
    return f"replace(replace({column}, ' ', ''), '\u3000', '')"


def simple_name_sql(column: str) -> str:
    """DuckDB SQL: true when `name_prefilter_sql(column)` equals the name's `name_folded`
    (and `sorted_name_prefilter_sql` its `name_sorted`, for Latin names)."""
    pattern = _simple_class().replace("'", "''")  # a SQL string literal
    return f"regexp_full_match({_strip_spaces_sql(column)}, '{pattern}+')"


def name_prefilter_sql(column: str) -> str:
    """DuckDB SQL computing `name_folded` for simple names (see `simple_name_sql`)."""
    return f"upper({_strip_spaces_sql(column)})"


def sorted_name_prefilter_sql(column: str) -> str:
    """DuckDB SQL computing `name_sorted` for simple Latin names (other names never meet a
    record's `name_sorted`, which is only set for Latin names)."""
    parts = f"string_split(trim(regexp_replace(upper({column}), '[ \u3000]+', ' ', 'g')), ' ')"
    return f"array_to_string(list_sort({parts}), ' ')"


def given_prefilter_sql(column: str) -> str:
    """DuckDB SQL computing `given_spaced` for simple names: NULL without a space."""
    spaced = f"regexp_matches({column}, '[^ \u3000][ \u3000]+[^ \u3000]')"
    given = f"regexp_replace({column}, '^[ \u3000]*[^ \u3000]+[ \u3000]+', '')"
    return f"CASE WHEN {spaced} THEN upper({_strip_spaces_sql(given)}) END"


LATIN_SQL = "'[!-~ \u3000]+'"
"""A regex (SQL literal) of names in ASCII letters: the only ones `name_sorted` is set for."""


def is_simple_name(value: str) -> bool:
    """Python twin of `simple_name_sql` (tests hold the two together)."""
    stripped = value.replace(" ", "").replace("\u3000", "")
    return bool(stripped) and re.fullmatch(f"{_simple_class()}+", stripped) is not None


# Readings: full-width katakana without ヴ-syllables (whose legacy key merges two characters).
# For those, deleting every character a legacy fold touches — vowels, ー, small kana and their
# large forms, ヂ/ジ, ヅ/ズ, ヲヱヰ — leaves the same skeleton for a reading and its legacy key,
# so equal legacy keys mean equal skeletons, which SQL can compute.
_SIMPLE_READING = "[\u30a1-\u30f3\u30f5\u30f6\u30fc]+"
_SKELETON_DROP = "アイウエオァィゥェォーッツャヤュユョヨヮワヵカヶケヂジヅズヲヱヰ"
_SKELETON_TABLE = str.maketrans(dict.fromkeys(_SKELETON_DROP + " \u3000"))


def simple_reading_sql(column: str) -> str:
    """DuckDB SQL: true when `reading_prefilter_sql(column)` is the skeleton of the reading's
    legacy key (`reading_skeleton`)."""
    return f"regexp_full_match({_strip_spaces_sql(column)}, '{_SIMPLE_READING}')"


def reading_prefilter_sql(column: str) -> str:
    """DuckDB SQL computing `reading_skeleton(reading_key)` for simple readings."""
    return f"regexp_replace({column}, '[{_SKELETON_DROP} \u3000]', '', 'g')"


def reading_skeleton(key: str | None) -> str | None:
    """The skeleton of a legacy reading key (what `reading_prefilter_sql` computes)."""
    return key.translate(_SKELETON_TABLE) if key is not None else None


def is_simple_reading(value: str) -> bool:
    """Python twin of `simple_reading_sql`."""
    stripped = value.replace(" ", "").replace("\u3000", "")
    return re.fullmatch(_SIMPLE_READING, stripped) is not None


# ---------------------------------------------------------------- readings


def _reading_keys(values: Sequence[str | None]) -> list[tuple[str | None, str | None]]:
    readings = kana.normalize_many([v or "" for v in values])

    def keys(reading: kana.Reading) -> tuple[str | None, str | None]:
        if reading.kind is kana.ReadingKind.EMPTY:
            return (None, None)
        return (reading.canonical, reading.key or None)

    return _per_distinct(readings, keys)


# ---------------------------------------------------------------- birth dates


@functools.lru_cache(maxsize=1 << 16)
def _birth_keys(value: str | None) -> tuple[str | None, ...]:
    """(full, year, year-month, month-day, digits, sorted digits) of an ISO birth key
    (YYYY-MM-DD, with 00 for unknown parts)."""
    if not value or len(value) != 10 or value[:4] == "0000":
        return (None,) * 6
    year, month, day = value[:4], value[5:7], value[8:]
    if month == "00":
        return (None, year, None, None, None, None)
    if day == "00":
        return (None, year, f"{year}-{month}", None, None, None)
    digits = f"{year}{month}{day}"
    return (value, year, f"{year}-{month}", f"{month}-{day}", digits, "".join(sorted(digits)))


def _sex_key(value: str | None) -> str | None:
    sex = parse_sex(value or "")
    return str(int(sex)) if sex in (Sex.MALE, Sex.FEMALE) else None


# ---------------------------------------------------------------- addresses

_ROOM = re.compile(r"(\d+)(?:号室|号|室)?$")
_BUILDING_NOISE = re.compile(r"[\s\-()（）「」『』\[\]【】,、・.]|号室$")


def _building(rest: str) -> str:
    """Building name and room with width, brackets and numerals folded: レジデンスII/602."""
    if not rest:
        return ""
    text = unicodedata.normalize("NFKC", rest).rstrip()
    room = _ROOM.search(text)
    name, number = (text[: room.start()], room[1]) if room else (text, "")
    return f"{_BUILDING_NOISE.sub('', addresses.fold_numerals(name)[0])}/{number.lstrip('0')}"


def _address_keys(parsed: addresses.ParsedAddress) -> tuple[str | None, ...]:
    """(municipality, town, block, full) of a parsed address."""
    if parsed.empty or not parsed.readable:
        return (None, None, None, None)
    municipality = parsed.municipality or parsed.municipality_text
    if not municipality:
        return (None, None, None, None)
    town = f"{municipality}/{parsed.town_key}" if parsed.town_key else None
    numbers = parsed.numbers
    if town is None or not numbers:
        return (municipality, town, None, None)
    block = f"{town}/{'-'.join(map(str, numbers))}"
    return (municipality, town, block, f"{block}/{_building(parsed.rest)}")


def _address_column(
    values: Sequence[str | None], hints: Sequence[str | None] | None
) -> list[tuple[str | None, ...]]:
    """Keys of each address; one that names no municipality of its own (梅田1-2-3, kept by the
    municipality's own systems) is read within the municipality of its hint (the linked
    entry's address), as the comparator does."""
    parsed = addresses.parse_many([v or None for v in values])
    if hints is not None:
        for i, (own, hint) in enumerate(zip(parsed, hints, strict=True)):
            if hint and own.readable and not own.cities and not own.prefecture_text:
                other = addresses.parse(hint)
                if other.cities:
                    reread = addresses.parse(values[i], within=other.cities)
                    if reread.town and not reread.has(addresses.Flag.TOWN_UNKNOWN):
                        parsed[i] = reread
    return _per_distinct(parsed, _address_keys)


# ---------------------------------------------------------------- all together


def person_keys(
    name: Sequence[str | None],
    reading: Sequence[str | None],
    birth_key: Sequence[str | None],
    sex: Sequence[str | None],
    address: Sequence[str | None],
    *,
    alias: Sequence[str | None] | None = None,
    address_hint: Sequence[str | None] | None = None,
    gaiji_table: Mapping[str, str] | None = None,
) -> pa.Table:
    """The key columns (`KEY_COLUMNS`) of people given as parallel columns of raw values.

    `birth_key` is the ISO key the collation stages already hold (YYYY-MM-DD, YYYY-00-00 for
    a year only, None when unreadable). `alias`: register 通称 (`;`-separated). `address_hint`:
    an address to read a municipality-less `address` within (see `_address_column`).
    `gaiji_table` maps private-use characters to standard ones (spec §5).
    """
    rows = len(name)
    name_keys = _name_keys(name, gaiji_table)
    alias_keys = _alias_keys(alias, gaiji_table) if alias is not None else [None] * rows
    reading_keys = _reading_keys(reading)
    births = [_birth_keys(value or None) for value in birth_key]
    sexes = _per_distinct(list(sex), _sex_key)
    places = _address_column(address, address_hint)
    columns: dict[str, list[str | None]] = {}
    for i, column in enumerate(
        (
            "name_text",
            "name_folded",
            "name_sorted",
            "surname_folded",
            "given_folded",
            "given_spaced",
        )
    ):
        columns[column] = [keys[i] for keys in name_keys]
    columns["name_alias_folded"] = alias_keys
    columns["reading_canonical"] = [keys[0] for keys in reading_keys]
    columns["reading_key"] = [keys[1] for keys in reading_keys]
    for i, column in enumerate(
        ("birth_full", "birth_year", "birth_ym", "birth_md", "birth_digits", "birth_sorted")
    ):
        columns[column] = [keys[i] for keys in births]
    columns["sex"] = sexes
    for i, column in enumerate(
        ("address_municipality", "address_town", "address_block", "address_full")
    ):
        columns[column] = [keys[i] for keys in places]
    return pa.table({column: pa.array(columns[column], pa.string()) for column in KEY_COLUMNS})
