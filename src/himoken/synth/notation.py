"""How values are written: the register's form, and the benign differences business systems add.

Every function that alters a value returns the code of the difference it applied, so the truth
file can list exactly which notations a record carries. Codes (truth column 表記差異):

NAME_SPACE, NAME_WIDTH, KANJI_VARIANT, GAIJI, LATIN_CASE, LATIN_ORDER, LATIN_MIDDLE, ALIAS,
KANA_HIRAGANA, KANA_HALF_WIDTH, KANA_SPACE, KANA_LEGACY, DATE_FORMAT, DATE_ERA_OVERFLOW,
ADDRESS_HYPHEN, ADDRESS_ARABIC, ADDRESS_KANJI_NUMERAL, ADDRESS_FULL_WIDTH,
ADDRESS_NO_PREFECTURE, ADDRESS_NO_GUN, ADDRESS_KE, ADDRESS_NO_BUILDING.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
import re
from typing import NamedTuple

import jaconv

from himoken.synth.draws import below, between
from himoken.synth.sources import BUILDING_SUFFIXES, BUILDING_WORDS, Town

# Variant (異体字/旧字体) -> standard form, for the pairs a business system most often writes
# differently from the register. Never 斎/斉, 崎/埼, 太/大: those are different characters.
VARIANT_TO_STANDARD: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "濵": "浜",
    "濱": "浜",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斉",
    "澤": "沢",
    "廣": "広",
    "嶋": "島",
    "櫻": "桜",
    "國": "国",
    "德": "徳",
    "眞": "真",
    "惠": "恵",
    "瀨": "瀬",
    "槇": "槙",
    "冨": "富",
    "栁": "柳",
    "實": "実",
    "淺": "浅",
    "壽": "寿",
    "條": "条",
    "藏": "蔵",
    "凜": "凛",
    "遙": "遥",
}
# The variant a clerk or applicant writes for a standard character (register has the standard).
STANDARD_TO_VARIANT: dict[str, str] = {
    "高": "髙",
    "崎": "﨑",
    "辺": "邊",
    "斎": "齋",
    "沢": "澤",
    "浜": "濵",
    "島": "嶋",
    "広": "廣",
    "凛": "凜",
    "遥": "遙",
}
# Register-side variant surnames missing from the surname table (not in JIS X 0208), with the
# share of holders of the standard surname who are registered with the variant.
REGISTER_VARIANT_RATES: dict[str, tuple[str, float]] = {
    "高": ("髙", 0.06),
    "崎": ("﨑", 0.04),
    "浜": ("濵", 0.02),
}
GAIJI_BASE = 0xE000  # CP932 user-defined area starts here (U+E000-U+E757)
GAIJI_MARK = "〓"

KANJI_DIGITS = "〇一二三四五六七八九"
_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
_SMALL_TO_LARGE = str.maketrans("ャュョッァィゥェォ", "ヤユヨツアイウエオ")
_O_ROW = "オコソトノホモヨロゴゾドボポョ"
_U_ROW = "ウクスツヌフムユルグズヅブプュ"
_LONG_VOWEL = re.compile(f"(?<=[{_O_ROW}])[ウオ]|(?<=[{_U_ROW}])ウ")

ERAS: tuple[tuple[str, str, int, dt.date, dt.date], ...] = (
    # name, letter, era code, first day, last day
    ("明治", "M", 1, dt.date(1868, 1, 25), dt.date(1912, 7, 29)),
    ("大正", "T", 2, dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    ("昭和", "S", 3, dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    ("平成", "H", 4, dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    ("令和", "R", 5, dt.date(2019, 5, 1), dt.date(9999, 12, 31)),
)

_GREGORIAN_FORMATS = {
    "iso": "{y:04d}-{m:02d}-{d:02d}",
    "slash": "{y}/{m}/{d}",
    "compact": "{y:04d}{m:02d}{d:02d}",
    "kanji": "{y}年{m}月{d}日",
}
_ERA_FORMATS = {
    "wareki": "{era}{y_text}年{m}月{d}日",  # 昭和60年3月1日, 平成元年1月8日
    "wareki_full_width": "{era}{y}年{m}月{d}日",  # 昭和６０年３月１日
    "era_dot": "{letter}{y}.{m}.{d}",  # S60.3.1
    "era_slash": "{letter}{y:02d}/{m:02d}/{d:02d}",  # S60/03/01
    "era_code": "{code}{y:02d}{m:02d}{d:02d}",  # 3600301
}
DATE_STYLES = (*_GREGORIAN_FORMATS, *_ERA_FORMATS)


def to_full_width(text: str) -> str:
    """Digits and hyphens in full width, as many business systems store them."""
    return text.translate(_FULL_WIDTH)


def kanji_number(value: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十 (丁目 and 番 as the register writes them)."""
    if value < 10:
        return KANJI_DIGITS[value]
    tens, ones = divmod(value, 10)
    return (
        ("" if tens == 1 else KANJI_DIGITS[tens]) + "十" + ("" if ones == 0 else KANJI_DIGITS[ones])
    )


# ---------------------------------------------------------------- dates


class BirthDate(NamedTuple):
    """A birth date whose month and/or day may be unknown (foreign residents): 0 = unknown."""

    year: int
    month: int
    day: int

    @property
    def known(self) -> bool:
        return self.month != 0 and self.day != 0

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def register_form(self) -> str:
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


def era_of(day: dt.date) -> tuple[str, str, int, int]:
    """(era name, letter, code, year in era) of a Gregorian date."""
    for name, letter, code, first, last in ERAS:
        if first <= day <= last:
            return name, letter, code, day.year - first.year + 1
    raise ValueError(f"date before 明治: {day}")


def overflowed_era(day: dt.date) -> tuple[str, str, int, int] | None:
    """The era a not-yet-updated system keeps writing after its end (平成31年5月1日)."""
    if day >= dt.date(2019, 5, 1):
        return "平成", "H", 4, day.year - 1988
    return None


@functools.cache  # ~33,000 distinct birth dates: each rendering is computed once per process
def render_date(birth: BirthDate, style: str, overflow: bool = False) -> str:
    """`birth` written in `style`; with `overflow`, dates after 平成 are written in 平成."""
    if not birth.known:
        # Partially unknown dates of foreign residents: what the register and systems write.
        if style in ("kanji", "wareki", "wareki_full_width"):
            return (
                f"{birth.year}年不詳" if birth.month == 0 else f"{birth.year}年{birth.month}月不詳"
            )
        return birth.register_form()
    day = birth.as_date()
    if style in _GREGORIAN_FORMATS:
        return _GREGORIAN_FORMATS[style].format(y=day.year, m=day.month, d=day.day)
    if style not in _ERA_FORMATS:
        raise ValueError(f"unknown date style {style!r}")
    name, letter, code, year = (overflow and overflowed_era(day)) or era_of(day)
    text = _ERA_FORMATS[style].format(
        era=name,
        letter=letter,
        code=code,
        y=year,
        m=day.month,
        d=day.day,
        y_text="元" if year == 1 else str(year),
    )
    return to_full_width(text) if style == "wareki_full_width" else text


# ---------------------------------------------------------------- sex

SEX_CODES: dict[str, tuple[str, str]] = {
    "digit": ("1", "2"),
    "kanji": ("男", "女"),
    "kanji_long": ("男性", "女性"),
    "letter": ("M", "F"),
}


def render_sex(sex: int, style: str) -> str:
    return SEX_CODES[style][sex - 1]


# ---------------------------------------------------------------- names


class PersonName(NamedTuple):
    """A name as registered. Latin names keep family, given and middle parts apart."""

    surname: str
    given: str
    surname_kana: str
    given_kana: str
    latin: bool = False
    middle: str = ""
    middle_kana: str = ""

    def register_form(self) -> str:
        if self.latin:
            return " ".join(p for p in (self.surname, self.given, self.middle) if p)
        return f"{self.surname}\u3000{self.given}"

    def register_kana(self) -> str:
        if self.middle_kana:
            return f"{self.surname_kana}\u3000{self.given_kana}\u3000{self.middle_kana}"
        return f"{self.surname_kana}\u3000{self.given_kana}"


def variant_surname(surname: str, rng: random.Random) -> str:
    """Apply register-side variant forms (髙橋, 﨑山, 濵田) at their rates."""
    for standard, (variant, rate) in REGISTER_VARIANT_RATES.items():
        if standard in surname and rng.random() < rate:
            surname = surname.replace(standard, variant, 1)
    return surname


def kanji_variant(text: str, rng: random.Random) -> str | None:
    """`text` with one variant/standard form swapped, or None when it has none to swap."""
    positions = [
        i for i, c in enumerate(text) if c in VARIANT_TO_STANDARD or c in STANDARD_TO_VARIANT
    ]
    if not positions:
        return None
    i = positions[below(rng, len(positions))]
    c = text[i]
    swapped = VARIANT_TO_STANDARD.get(c) or STANDARD_TO_VARIANT[c]
    return text[:i] + swapped + text[i + 1 :]


def gaiji(text: str, rng: random.Random) -> str | None:
    """A vendor 外字: a variant character stored as a private-use code point (or 〓)."""
    positions = [i for i, c in enumerate(text) if c in VARIANT_TO_STANDARD]
    if not positions:
        return None
    i = positions[below(rng, len(positions))]
    mark = GAIJI_MARK if rng.random() < 0.2 else chr(GAIJI_BASE + ord(text[i]) % 0x700)
    return text[:i] + mark + text[i + 1 :]


def legacy_kana(kana: str, rng: random.Random) -> str | None:
    """An older spelling of a reading: large kana for small, ヂ/ジ and ヅ/ズ, ヴ/ブ, ー for a
    vowel."""
    options = []
    if kana.translate(_SMALL_TO_LARGE) != kana:
        options.append(kana.translate(_SMALL_TO_LARGE))
    for a, b in (
        ("ヂ", "ジ"),
        ("ヅ", "ズ"),
        ("ジ", "ヂ"),
        ("ズ", "ヅ"),
        ("ヴァ", "バ"),
        ("ヴ", "ブ"),
    ):
        if a in kana:
            options.append(kana.replace(a, b, 1))
    # A long vowel written ー: ウ or オ after an o-row kana (オオタ, コウジ), ウ after a u-row
    # kana (ユウコ). オ after a u-row kana is another sound (カズオ), never ー.
    long_vowel = _LONG_VOWEL.sub("ー", kana, count=1)
    if long_vowel != kana:
        options.append(long_vowel)
    if not options:
        return None
    return options[below(rng, len(options))]


# ---------------------------------------------------------------- addresses


def street(town: str, chome: int, ban: int, go: int) -> str:
    """町域 and block numbers as the register writes them: 梅田一丁目2番3号, 吉川123番地4."""
    if chome:
        return f"{town}{kanji_number(chome)}丁目{ban}番" + (f"{go}号" if go else "")
    return f"{town}{ban}番地" + (f"{go}" if go else "")


class Address(NamedTuple):
    town: Town
    chome: int  # 0 when the town has no 丁目
    ban: int
    go: int  # 0 when there is no 号 / 枝番
    building: str
    room: int
    text: str  # the register's form, rendered once: a household shares its Address

    def register_form(self) -> str:
        return self.text


def make_address(
    town: Town, chome: int, ban: int, go: int, building: str = "", room: int = 0
) -> Address:
    suffix = ""
    if building:
        suffix = f"\u3000{building}" + (f"{room}号室" if room else "")
    text = f"{town.prefecture}{town.city}{street(town.town, chome, ban, go)}{suffix}"
    return Address(town, chome, ban, go, building, room, text)


def random_address(town: Town, rng: random.Random, apartment_rate: float = 0.4) -> Address:
    chome = (
        1 + bisect.bisect_right(_CHOME_CUMULATIVE, rng.random() * _CHOME_CUMULATIVE[-1])
        if town.has_chome
        else 0
    )
    ban = between(rng, 1, 40) if chome else between(rng, 1, 1500)
    go = between(rng, 1, 30) if (chome or rng.random() < 0.5) else 0
    if rng.random() < apartment_rate:
        word = BUILDING_WORDS[below(rng, len(BUILDING_WORDS))]
        suffix = BUILDING_SUFFIXES[below(rng, len(BUILDING_SUFFIXES))]
        building = f"{word}{town.town[:2]}{suffix}"
        room = between(rng, 1, 12) * 100 + between(rng, 1, 10)
        return make_address(town, chome, ban, go, building, room)
    return make_address(town, chome, ban, go)


_CHOME_CUMULATIVE = list(itertools.accumulate([30, 22, 16, 11, 8, 5, 4, 2, 2]))


def record_address(address: Address, rng: random.Random, rate: float) -> tuple[str, list[str]]:
    """The address as a business system holds it, with the notation codes applied."""
    codes: list[str] = []
    town = address.town
    prefecture, city, town_name = town.prefecture, town.city, town.town
    chome, ban, go = address.chome, address.ban, address.go
    if rng.random() < rate:
        codes.append("ADDRESS_NO_PREFECTURE")
        prefecture = ""
    if "郡" in city and rng.random() < rate * 2:
        codes.append("ADDRESS_NO_GUN")
        city = city.split("郡", 1)[1]
    if ("ケ" in town_name or "ヶ" in town_name) and rng.random() < 0.5:
        codes.append("ADDRESS_KE")
        town_name = (
            town_name.replace("ケ", "ヶ") if "ケ" in town_name else town_name.replace("ヶ", "ケ")
        )

    style = rng.random()
    if style < rate * 2:
        codes.append("ADDRESS_HYPHEN")
        numbers = (chome, ban, go) if chome else (ban, go)
        street_text = town_name + "-".join(str(n) for n in numbers if n)
    elif chome and style < rate * 3:
        codes.append("ADDRESS_ARABIC")
        street_text = f"{town_name}{chome}丁目{ban}" + (f"-{go}" if go else "番")
    elif style < rate * 3.3:
        codes.append("ADDRESS_KANJI_NUMERAL")
        if chome:
            go_text = f"{kanji_number(go)}号" if go else ""
            number_part = f"{kanji_number(chome)}丁目{kanji_number(ban)}番{go_text}"
        else:  # 番地 written digit by digit, as older systems do: 一二三番地四
            number_part = f"{_kanji_digits(ban)}番地" + (_kanji_digits(go) if go else "")
        street_text = f"{town_name}{number_part}"
    else:
        street_text = street(town_name, chome, ban, go)

    suffix = ""
    if address.building:
        if rng.random() < rate:
            codes.append("ADDRESS_NO_BUILDING")
            suffix = f"-{address.room}" if address.room and "ADDRESS_HYPHEN" in codes else ""
        else:
            room = f"{address.room}号室" if address.room else ""
            suffix = f"\u3000{address.building}{room}"
    text = f"{prefecture}{city}{street_text}{suffix}"
    if rng.random() < rate * 0.5 and re.search(r"\d", text):
        codes.append("ADDRESS_FULL_WIDTH")
        text = to_full_width(text)
    return text, codes


def _kanji_digits(value: int) -> str:
    """123 -> 一二三 (番地 numbers written digit by digit, as older systems do)."""
    return "".join(KANJI_DIGITS[int(c)] for c in str(value))


# ---------------------------------------------------------------- record-side names


def record_name(
    name: PersonName, alias: str, rng: random.Random, rate: float
) -> tuple[str, list[str]]:
    """The name as a business system holds it, with the notation codes applied."""
    codes: list[str] = []
    if name.latin:
        return _record_latin_name(name, rng, rate)
    if alias and rng.random() < 0.5:
        return alias, ["ALIAS"]
    surname, given = name.surname, name.given
    roll = rng.random()
    if any(c in VARIANT_TO_STANDARD for c in surname + given):
        # A system without the registered variant form writes the standard form, or keeps
        # the form as a vendor 外字 of its own.
        if roll < 0.5:
            codes.append("KANJI_VARIANT")
            surname, given = _swap_variant(surname, given, rng)
        elif roll < 0.7:
            marked = gaiji(surname, rng)
            codes.append("GAIJI")
            surname, given = (marked, given) if marked else (surname, gaiji(given, rng) or given)
    elif roll < rate * 0.5:  # the applicant wrote a variant form the register does not use
        swapped = _swap_variant(surname, given, rng)
        if swapped != (surname, given):
            codes.append("KANJI_VARIANT")
            surname, given = swapped
    separator = "\u3000"
    if rng.random() < rate:
        codes.append("NAME_SPACE")
        separator = [" ", "", "\u3000\u3000"][below(rng, 3)]
    return f"{surname}{separator}{given}", codes


def _swap_variant(surname: str, given: str, rng: random.Random) -> tuple[str, str]:
    surname_variant = kanji_variant(surname, rng)
    if surname_variant is not None:
        return surname_variant, given
    return surname, kanji_variant(given, rng) or given


def _record_latin_name(name: PersonName, rng: random.Random, rate: float) -> tuple[str, list[str]]:
    codes: list[str] = []
    parts = [name.surname, name.given] + ([name.middle] if name.middle else [])
    if name.middle and rng.random() < rate * 2:
        codes.append("LATIN_MIDDLE")
        parts = parts[:2]
    if rng.random() < rate * 2:
        codes.append("LATIN_ORDER")
        parts = parts[1:] + parts[:1]
    text = " ".join(parts)
    if rng.random() < rate * 2:
        codes.append("LATIN_CASE")
        text = text.title()
    if rng.random() < rate:
        codes.append("NAME_WIDTH")
        text = jaconv.h2z(text, ascii=True)
    return text, codes


def record_kana(name: PersonName, rng: random.Random, rate: float) -> tuple[str, list[str]]:
    """The reading as a business system holds it, with the notation codes applied."""
    codes: list[str] = []
    surname, given = (
        name.surname_kana,
        " ".join(p for p in (name.given_kana, name.middle_kana) if p),
    )
    if rng.random() < rate:
        legacy = legacy_kana(given, rng)
        if legacy is not None:
            codes.append("KANA_LEGACY")
            given = legacy
    separator = "\u3000"
    if rng.random() < rate:
        codes.append("KANA_SPACE")
        separator = [" ", ""][below(rng, 2)]
    text = f"{surname}{separator}{given}"
    roll = rng.random()
    if roll < rate:
        codes.append("KANA_HIRAGANA")
        text = jaconv.kata2hira(text)
    elif roll < rate * 2:
        codes.append("KANA_HALF_WIDTH")
        text = jaconv.z2h(text, kana=True, ascii=False, digit=False)
    return text, codes
