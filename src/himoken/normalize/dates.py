"""Birth dates (生年月日) in every notation of spec §5, read into comparable year/month/day.

Business systems and registers write the same day as `1985-03-01`, `19850301`, `昭和60年3月1日`,
`Ｓ６０．３．１` or the era code `3600301`; foreign residents may have `1960年不詳`. A date is read,
never guessed: anything ambiguous (a two-digit Gregorian year, an Excel serial number) or
impossible (2月30日, 平成元年1月7日) is unreadable, with the reason kept for the clerk.

Birth dates repeat massively (a million records hold ~35,000 distinct values), so `parse_date`
is cached and `parse_many` parses each distinct value of a column once.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import NamedTuple

# ---------------------------------------------------------------- eras

YearMonthDay = tuple[int, int, int]


class Era(NamedTuple):
    """A Japanese era (元号) with its first and last Gregorian day."""

    name: str  # 昭和
    short: str  # 昭: the one-kanji abbreviation forms use (昭60.3.1)
    letter: str  # S
    code: int  # 3: the leading digit of the era-code form 3600301
    first: YearMonthDay
    last: YearMonthDay | None  # None: the current era
    # first and last as YYYYMMDD integers, which compare faster than tuples
    first_key: int
    last_key: int

    def gregorian_year(self, era_year: int) -> int:
        """Year arithmetic also used past the era's end (平成31年 = 2019)."""
        return self.first[0] + era_year - 1

    def era_year(self, year: int) -> int:
        return year - self.first[0] + 1


# 明治 counts from 慶応4年1月1日 (1868-01-25), as the 改元の詔 made it retroactive; the synthetic
# prefecture uses the same day. No living person was born before the 1873 calendar reform, so
# 明治 dates are read by the same arithmetic as the others.
def _era(
    name: str, short: str, letter: str, code: int, first: YearMonthDay, last: YearMonthDay | None
) -> Era:
    y, m, d = first
    last_key = 99991231 if last is None else last[0] * 10000 + last[1] * 100 + last[2]
    return Era(name, short, letter, code, first, last, y * 10000 + m * 100 + d, last_key)


ERAS: tuple[Era, ...] = (
    _era("明治", "明", "M", 1, (1868, 1, 25), (1912, 7, 29)),
    _era("大正", "大", "T", 2, (1912, 7, 30), (1926, 12, 24)),
    _era("昭和", "昭", "S", 3, (1926, 12, 25), (1989, 1, 7)),
    _era("平成", "平", "H", 4, (1989, 1, 8), (2019, 4, 30)),
    _era("令和", "令", "R", 5, (2019, 5, 1), None),
)
_ERA_BY_MARK: dict[str, Era] = {
    mark: era for era in ERAS for mark in (era.name, era.short, era.letter, str(era.code))
}


def era_of(year: int, month: int, day: int) -> Era | None:
    """The era a full Gregorian date belongs to; None before 明治."""
    date = (year, month, day)
    for era in reversed(ERAS):
        if date >= era.first:
            return era
    return None


def days_in_month(year: int, month: int) -> int:
    """Arithmetic instead of datetime/calendar: called for every distinct value."""
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


# ---------------------------------------------------------------- the parsed value


class Notation(StrEnum):
    """The family of notation a value was written in (separators and width aside)."""

    WESTERN = "western"  # 1985-03-01, 1985/3/1, 1985.3.1
    COMPACT = "compact"  # 19850301
    WESTERN_KANJI = "western_kanji"  # 1985年3月1日, 1960年不詳
    ERA_KANJI = "era_kanji"  # 昭和60年3月1日, 昭60.3.1, 平成元年1月8日
    ERA_LETTER = "era_letter"  # S60.3.1, S60/03/01, s60年3月1日
    ERA_CODE = "era_code"  # 3600301


# Notes on how a value was read. Only NOTE_ERA_OVERFLOW matters to a comparison; the others
# are mechanical canonicalisation (width, 元年, numerals, a midnight time from an export).
NOTE_ERA_OVERFLOW = "改元後の表記"
NOTE_FULL_WIDTH = "全角"
NOTE_GANNEN = "元年"
NOTE_KANJI_NUMERALS = "漢数字"
NOTE_MIDNIGHT = "時刻付き"


class ParsedDate(NamedTuple):
    """A birth date read from text; month and day are 0 when unknown (foreign residents).

    year/month/day are Gregorian. `era` and `era_year` keep what an era notation said
    (昭和, 60), so that a date written in the wrong era can be recognised; they are empty for
    Gregorian notations.
    """

    year: int
    month: int
    day: int
    notation: Notation
    era: str = ""
    era_year: int = 0
    notes: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        """True when month and day are both known."""
        return self.month != 0 and self.day != 0

    @property
    def iso(self) -> str:
        """1985-03-01; unknown parts as 00 (1960-05-00), as registers write them."""
        digits = self.digits
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"

    @property
    def digits(self) -> str:
        """The 8-digit YYYYMMDD form, where a single mistyped digit is visible."""
        return str(self.year * 10000 + self.month * 100 + self.day).zfill(8)

    @property
    def era_overflow(self) -> bool:
        """Written in an era after it had ended (平成31年5月1日)."""
        return NOTE_ERA_OVERFLOW in self.notes

    def era_text(self) -> str:
        """The era reading in kanji (平成31年5月1日), for notes; '' for Gregorian notations."""
        if not self.era:
            return ""
        year = "元" if self.era_year == 1 else str(self.era_year)
        if not self.month:
            return f"{self.era}{year}年不詳"
        if not self.day:
            return f"{self.era}{year}年{self.month}月不詳"
        return f"{self.era}{year}年{self.month}月{self.day}日"


# ---------------------------------------------------------------- reading

_NUMBER = r"[0-9]{1,2}|[〇一二三四五六七八九十]{1,3}"  # kanji numerals: 昭和六十年三月一日
_UNKNOWN = r"不[詳明]"
# 年 followed by 3月1日, 3月不詳, 3月日不詳, 不詳 or 月日不詳
_KANJI_TAIL = rf"年(?:(?P<km>{_NUMBER})月(?:(?P<kd>{_NUMBER})日|日?{_UNKNOWN})|(?:月日)?{_UNKNOWN})"
_ERA_MARK = r"明治|大正|昭和|平成|令和|[明大昭平令MTSHRmtshr]"
# The common forms first, with plain groups (they are cheaper to match and to read) ...
_WESTERN_SEPARATED = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})")
_ERA_KANJI = re.compile(r"(明治|大正|昭和|平成|令和)(元|[0-9]{1,2})年([0-9]{1,2})月([0-9]{1,2})日")
_ERA_LETTER = re.compile(r"([MTSHRmtshr])(元|[0-9]{1,2})([-/.])([0-9]{1,2})\3([0-9]{1,2})")
# ... then everything else: unknown parts, kanji numerals, 昭60.3.1, S60年3月1日, S.60.3.1
_WESTERN_KANJI = re.compile(rf"(?P<y>[0-9]{{4}}){_KANJI_TAIL}")
_ERA_ANY = re.compile(
    rf"(?P<era>{_ERA_MARK})\.?(?P<y>元|{_NUMBER})"
    rf"(?:(?P<sep>[-/.])(?P<sm>[0-9]{{1,2}})(?P=sep)(?P<sd>[0-9]{{1,2}})|{_KANJI_TAIL})"
)
# An export's midnight time after the date (Excel, databases): 1985/03/01 0:00:00
_MIDNIGHT = re.compile(r"[T ]0?0:00(?::00(?:\.0+)?)?$")
_FULL_WIDTH_ASCII = re.compile("[\uff01-\uff5e\u3000]")
_ALL_UNKNOWN = frozenset({"不詳", "不明", "年月日不詳", "生年月日不詳"})
_KANJI_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_KANJI_NUMERALS = frozenset("〇一二三四五六七八九十")
_ERA_BY_ANY_MARK = {**_ERA_BY_MARK, **{era.letter.lower(): era for era in ERAS}}
_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# Members bound once: an enum attribute lookup costs more than the rest of a comparison.
_AS_COMPACT, _AS_WESTERN, _AS_WESTERN_KANJI = (
    Notation.COMPACT,
    Notation.WESTERN,
    Notation.WESTERN_KANJI,
)
_AS_ERA_KANJI, _AS_ERA_LETTER, _AS_ERA_CODE = (
    Notation.ERA_KANJI,
    Notation.ERA_LETTER,
    Notation.ERA_CODE,
)
_new_parsed_date = tuple.__new__  # a NamedTuple's own __new__ costs a microsecond more


class _Unreadable(NamedTuple):
    """Why a value could not be read (for the clerk's note)."""

    reason: str


def is_missing(value: str | None) -> bool:
    """Empty, blank, or a date wholly unknown (不詳): nothing to compare."""
    if not value:
        return True
    text = value.strip()
    return not text or unicodedata.normalize("NFKC", text).replace(" ", "") in _ALL_UNKNOWN


def _number(text: str) -> int:
    """A 1–2 digit number in ASCII digits or kanji numerals (六十, 三十一, 十, 六〇); -1 if not."""
    if text.isascii():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return -1
        return (_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0)
    if len(text) > 2:
        return -1
    return int("".join(str(_KANJI_DIGITS[c]) for c in text))


def _impossible(year: int, month: int, day: int) -> str | None:
    """Why (year, month, day) is no date; None for a real date or a partially unknown one."""
    if year < 1:
        return "0年は存在しない"
    if month < 0 or day < 0:
        return "数字が読めない"
    if month > 12:
        return f"{month}月は存在しない"
    if month == 0 and day != 0:
        return "月が不詳なのに日がある"
    if day > days_in_month(year, month or 1):
        return f"{month}月{day}日は存在しない"
    return None


def _build(
    year: int,
    month: int,
    day: int,
    notation: Notation,
    notes: tuple[str, ...],
    era: Era | None = None,
    era_year: int = 0,
) -> ParsedDate | _Unreadable:
    """Check a read date and wrap it; impossible dates and dates before their era are errors."""
    if not (year > 0 and 0 < month < 13 and 0 < day <= _DAYS_IN_MONTH[month]):
        problem = _impossible(year, month, day)  # or a leap day, or unknown parts
        if problem is not None:
            return _Unreadable(problem)
    if era is None:
        return _new_parsed_date(ParsedDate, (year, month, day, notation, "", 0, notes))
    if era_year < 1:
        return _Unreadable("0年は存在しない")
    # Partially unknown: the latest possible day must be in the era; the earliest tells
    # whether the era had already ended.
    earliest = year * 10000 + month * 100 + day
    latest = earliest if day else year * 10000 + (month or 12) * 100 + 31
    if latest < era.first_key:
        first = "{:04d}-{:02d}-{:02d}".format(*era.first)
        return _Unreadable(f"{era.name}は{first}から")
    if earliest > era.last_key:
        notes += (NOTE_ERA_OVERFLOW,)
    if era_year == 1:
        notes += (NOTE_GANNEN,)
    return _new_parsed_date(ParsedDate, (year, month, day, notation, era.name, era_year, notes))


def _read_digits(text: str, notes: tuple[str, ...]) -> ParsedDate | _Unreadable:
    """19850301 (Gregorian) or 3600301 (era code, then YYMMDD); other lengths are not dates."""
    if len(text) == 8:
        return _build(int(text[:4]), int(text[4:6]), int(text[6:]), _AS_COMPACT, notes)
    if len(text) == 7:
        era = _ERA_BY_MARK.get(text[0])
        if era is None:
            return _Unreadable(f"元号コード「{text[0]}」は1〜5でない")
        era_year = int(text[1:3])
        return _build(
            era.gregorian_year(era_year),
            int(text[3:5]),
            int(text[5:]),
            _AS_ERA_CODE,
            notes,
            era,
            era_year,
        )
    if len(text) == 6:
        return _Unreadable("西暦2桁の年は世紀が決まらない")
    return _Unreadable("日付の形式でない")


def _read_any_era(match: re.Match[str], notes: tuple[str, ...]) -> ParsedDate | _Unreadable:
    """The less common era forms: unknown parts, kanji numerals, one-kanji era, mixed."""
    mark, year_text, month_text, day_text = match.group("era", "y", "km", "kd")
    era = _ERA_BY_ANY_MARK[mark]
    if any(c in _KANJI_NUMERALS for c in year_text + (month_text or "") + (day_text or "")):
        notes += (NOTE_KANJI_NUMERALS,)
    if match["sep"]:
        month, day = int(match["sm"]), int(match["sd"])
    else:
        month = _number(month_text) if month_text else 0
        day = _number(day_text) if day_text else 0
    era_year = 1 if year_text == "元" else _number(year_text)
    notation = _AS_ERA_LETTER if mark.isascii() else _AS_ERA_KANJI
    return _build(era.gregorian_year(era_year), month, day, notation, notes, era, era_year)


def _read(value: str) -> ParsedDate | _Unreadable:
    """Read one value (uncached); see `parse_date`."""
    text = value.strip()
    notes: tuple[str, ...] = ()
    if not text.isascii():
        folded = unicodedata.normalize("NFKC", text)  # also ㍼ → 昭和, ㋿ → 令和
        if folded != text and _FULL_WIDTH_ASCII.search(text):
            notes = (NOTE_FULL_WIDTH,)
        text = folded
    if ":" in text:
        stripped = _MIDNIGHT.sub("", text)
        if stripped == text:
            return _Unreadable("時刻付きで午前0時でない")
        text = stripped.rstrip("T ")
        notes += (NOTE_MIDNIGHT,)
    parts = text.split()
    if len(parts) != 1:  # 昭和60年 3月 1日: fixed-width systems pad numbers with spaces
        text = "".join(parts)
        if not text:
            return _Unreadable("空欄")
    if "0" <= text[0] <= "9":
        if text.isdigit() and text.isascii():  # not other scripts' digits (١٩٨٥)
            return _read_digits(text, notes)
        if (match := _WESTERN_SEPARATED.fullmatch(text)) is not None:
            year, _, month, day = match.groups()
            return _build(int(year), int(month), int(day), _AS_WESTERN, notes)
        if (match := _WESTERN_KANJI.fullmatch(text)) is not None:
            year_text, month_text, day_text = match.group("y", "km", "kd")
            if not (month_text or "").isascii() or not (day_text or "").isascii():
                notes += (NOTE_KANJI_NUMERALS,)
            month = _number(month_text) if month_text else 0
            day = _number(day_text) if day_text else 0
            return _build(int(year_text), month, day, _AS_WESTERN_KANJI, notes)
        return _Unreadable("日付の形式でない")
    if (match := _ERA_KANJI.fullmatch(text)) is not None:
        mark, year_text, month, day = match.groups()
        notation = _AS_ERA_KANJI
    elif (match := _ERA_LETTER.fullmatch(text)) is not None:
        mark, year_text, _, month, day = match.groups()
        notation = _AS_ERA_LETTER
    elif (match := _ERA_ANY.fullmatch(text)) is not None:
        return _read_any_era(match, notes)
    else:
        return _Unreadable("日付の形式でない")
    era = _ERA_BY_ANY_MARK[mark]
    era_year = 1 if year_text == "元" else int(year_text)
    return _build(
        era.gregorian_year(era_year), int(month), int(day), notation, notes, era, era_year
    )


@functools.lru_cache(maxsize=1 << 18)
def parse_date(value: str) -> ParsedDate | None:
    """The birth date `value` stands for, or None when it can't be read (never a guess).

    Cached: a column of a million birth dates holds a few tens of thousands distinct values.
    """
    if not value:
        return None
    parsed = _read(value)
    return parsed if isinstance(parsed, ParsedDate) else None


def unreadable_reason(value: str) -> str | None:
    """Why `value` is not a date (「平成は1989-01-08から」); None when it reads. Not cached:
    only the rare unreadable values get here."""
    if parse_date(value) is not None:
        return None
    if not value or not value.strip():
        return "空欄"
    parsed = _read(value)
    return parsed.reason if isinstance(parsed, _Unreadable) else None


def parse_many(values: Iterable[str]) -> list[ParsedDate | None]:
    """Parse a column, each distinct value once."""
    values = values if isinstance(values, list) else list(values)
    readings = {value: parse_date(value) for value in dict.fromkeys(values)}
    return list(map(readings.__getitem__, values))
