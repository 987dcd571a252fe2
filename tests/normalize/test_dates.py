"""Birth-date parser: every notation of spec §5, era boundaries, unknown parts, caching."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from himoken.compare.dates import DateLevel, compare, compare_many
from himoken.normalize.dates import (
    ERAS,
    NOTE_ERA_OVERFLOW,
    NOTE_FULL_WIDTH,
    NOTE_GANNEN,
    Era,
    Notation,
    ParsedDate,
    era_of,
    is_missing,
    parse_date,
    parse_many,
    unreadable_reason,
)
from himoken.synth.notation import DATE_STYLES, BirthDate, render_date

_FULL_WIDTH = str.maketrans(
    "0123456789./-SsHhTtMmRr", "０１２３４５６７８９．／－ＳｓＨｈＴｔＭｍＲｒ"
)
_KANJI_DIGITS = "〇一二三四五六七八九"


def _ymd(parsed: ParsedDate | None) -> tuple[int, int, int] | None:
    return None if parsed is None else (parsed.year, parsed.month, parsed.day)


# ---------------------------------------------------------------- every notation of spec §5


@pytest.mark.parametrize(
    ("text", "notation"),
    [
        ("1985-03-01", Notation.WESTERN),
        ("1985/3/1", Notation.WESTERN),
        ("1985.03.01", Notation.WESTERN),
        ("19850301", Notation.COMPACT),
        ("1985年3月1日", Notation.WESTERN_KANJI),
        ("昭和60年3月1日", Notation.ERA_KANJI),
        ("昭和６０年３月１日", Notation.ERA_KANJI),
        ("昭和六十年三月一日", Notation.ERA_KANJI),
        ("昭和60年 3月 1日", Notation.ERA_KANJI),
        ("昭60.3.1", Notation.ERA_KANJI),
        ("㍼60年3月1日", Notation.ERA_KANJI),
        ("S60.3.1", Notation.ERA_LETTER),
        ("S60/03/01", Notation.ERA_LETTER),
        ("Ｓ６０．３．１", Notation.ERA_LETTER),
        ("s60.3.1", Notation.ERA_LETTER),
        ("S60年3月1日", Notation.ERA_LETTER),
        ("3600301", Notation.ERA_CODE),
        ("３６００３０１", Notation.ERA_CODE),
        ("  1985-03-01\t", Notation.WESTERN),
        ("\u30001985/03/01 0:00:00", Notation.WESTERN),
    ],
)
def test_every_notation_reads_the_same_day(text: str, notation: Notation) -> None:
    parsed = parse_date(text)
    assert parsed is not None, unreadable_reason(text)
    assert (parsed.year, parsed.month, parsed.day, parsed.notation) == (1985, 3, 1, notation)
    assert parsed.iso == "1985-03-01"
    assert parsed.digits == "19850301"
    assert parsed.known


def test_era_notations_keep_what_was_written() -> None:
    parsed = parse_date("S60.3.1")
    assert parsed is not None
    assert (parsed.era, parsed.era_year) == ("昭和", 60)
    assert parsed.era_text() == "昭和60年3月1日"
    western = parse_date("1985-03-01")
    assert western is not None
    assert (western.era, western.era_year, western.era_text()) == ("", 0, "")


def test_full_width_is_noted_but_changes_nothing() -> None:
    full, half = parse_date("Ｓ６０．３．１"), parse_date("S60.3.1")
    assert full is not None and half is not None
    assert NOTE_FULL_WIDTH in full.notes and NOTE_FULL_WIDTH not in half.notes
    assert _ymd(full) == _ymd(half)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和2年1月1日", (2020, 1, 1)),
        ("R2.1.1", (2020, 1, 1)),
        ("r02/01/01", (2020, 1, 1)),
        ("5020101", (2020, 1, 1)),
        ("平成12年2月29日", (2000, 2, 29)),
        ("H12.2.29", (2000, 2, 29)),
        ("大正5年1月1日", (1916, 1, 1)),
        ("T5.1.1", (1916, 1, 1)),
        ("2050101", (1916, 1, 1)),
        ("明治40年10月10日", (1907, 10, 10)),
        ("M40.10.10", (1907, 10, 10)),
        ("1401010", (1907, 10, 10)),
        ("昭和二十年十二月三十一日", (1945, 12, 31)),
    ],
)
def test_other_eras(text: str, expected: tuple[int, int, int]) -> None:
    assert _ymd(parse_date(text)) == expected


# ---------------------------------------------------------------- era boundaries


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明治45年7月29日", (1912, 7, 29)),
        ("大正元年7月30日", (1912, 7, 30)),
        ("大正15年12月24日", (1926, 12, 24)),
        ("昭和元年12月25日", (1926, 12, 25)),
        ("昭和64年1月7日", (1989, 1, 7)),
        ("平成元年1月8日", (1989, 1, 8)),
        ("H元.1.8", (1989, 1, 8)),
        ("4010108", (1989, 1, 8)),
        ("平成31年4月30日", (2019, 4, 30)),
        ("令和元年5月1日", (2019, 5, 1)),
    ],
)
def test_first_and_last_days_of_eras(text: str, expected: tuple[int, int, int]) -> None:
    parsed = parse_date(text)
    assert _ymd(parsed) == expected
    assert parsed is not None and NOTE_ERA_OVERFLOW not in parsed.notes
    assert (NOTE_GANNEN in parsed.notes) == (parsed.era_year == 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成31年5月1日", (2019, 5, 1)),
        ("H31.5.1", (2019, 5, 1)),
        ("4310501", (2019, 5, 1)),
        ("平成32年1月1日", (2020, 1, 1)),
        ("昭和64年1月8日", (1989, 1, 8)),
        ("明治45年7月30日", (1912, 7, 30)),
        ("大正15年12月25日", (1926, 12, 25)),
        ("平成31年5月不詳", (2019, 5, 0)),
    ],
)
def test_a_date_written_after_its_era_ended_is_read_with_a_note(
    text: str, expected: tuple[int, int, int]
) -> None:
    parsed = parse_date(text)
    assert _ymd(parsed) == expected
    assert parsed is not None and parsed.era_overflow


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("昭和元年12月24日", "昭和は1926-12-25から"),
        ("平成元年1月7日", "平成は1989-01-08から"),
        ("4010107", "平成は1989-01-08から"),
        ("令和元年4月30日", "令和は2019-05-01から"),
        ("大正元年7月29日", "大正は1912-07-30から"),
        ("昭和元年11月不詳", "昭和は1926-12-25から"),
    ],
)
def test_a_date_before_its_era_began_is_unreadable(text: str, reason: str) -> None:
    assert parse_date(text) is None
    assert unreadable_reason(text) == reason


def test_the_era_table_is_contiguous() -> None:
    for before, after in itertools.pairwise(ERAS):
        assert before.last is not None
        last = dt.date(*before.last)
        assert dt.date(*after.first) == last + dt.timedelta(days=1)
    assert era_of(1868, 1, 24) is None
    assert era_of(1989, 1, 7) == ERAS[2] and era_of(1989, 1, 8) == ERAS[3]


# ---------------------------------------------------------------- unknown parts, unreadable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1960-00-00", (1960, 0, 0)),
        ("1960-05-00", (1960, 5, 0)),
        ("19600500", (1960, 5, 0)),
        ("1960年不詳", (1960, 0, 0)),
        ("1960年5月不詳", (1960, 5, 0)),
        ("1960年月日不詳", (1960, 0, 0)),
        ("1960年5月日不詳", (1960, 5, 0)),
        ("昭和35年不詳", (1960, 0, 0)),
        ("3350000", (1960, 0, 0)),
    ],
)
def test_partially_unknown_dates(text: str, expected: tuple[int, int, int]) -> None:
    parsed = parse_date(text)
    assert _ymd(parsed) == expected
    assert parsed is not None and not parsed.known
    assert parsed.iso == "{:04d}-{:02d}-{:02d}".format(*expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1985-02-30", "2月30日は存在しない"),
        ("1985-13-01", "13月は存在しない"),
        ("1900-02-29", "2月29日は存在しない"),
        ("平成31年2月29日", "2月29日は存在しない"),
        ("850301", "西暦2桁の年は世紀が決まらない"),
        ("31107", "日付の形式でない"),
        ("6600301", "元号コード「6」は1〜5でない"),
        ("0000-00-00", "0年は存在しない"),
        ("昭和0年1月1日", "0年は存在しない"),
        ("1960-00-05", "月が不詳なのに日がある"),
        ("1985/03/01 12:00", "時刻付きで午前0時でない"),
        ("1985-3/1", "日付の形式でない"),
        ("S60.3", "日付の形式でない"),
        ("١٩٨٥٠٣٠١", "日付の形式でない"),
        ("昭和百年1月1日", "日付の形式でない"),
        ("##########", "日付の形式でない"),
    ],
)
def test_impossible_or_ambiguous_values_are_never_guessed(text: str, reason: str) -> None:
    assert parse_date(text) is None
    assert unreadable_reason(text) == reason


def test_readable_values_have_no_unreadable_reason() -> None:
    assert unreadable_reason("1985-03-01") is None


@pytest.mark.parametrize("text", ["", "   ", "\u3000", "不詳", "年月日不詳", "不明"])
def test_missing_values(text: str) -> None:
    assert is_missing(text)
    assert parse_date(text) is None


def test_present_values_are_not_missing() -> None:
    assert not is_missing("1960年不詳")
    assert not is_missing("abc")


# ---------------------------------------------------------------- round trip (Hypothesis)


def _kanji_number(value: int) -> str:
    tens, ones = divmod(value, 10)
    if not tens:
        return _KANJI_DIGITS[ones]
    return ("" if tens == 1 else _KANJI_DIGITS[tens]) + "十" + (_KANJI_DIGITS[ones] if ones else "")


def _renderings(era: Era, era_year: int, day: dt.date) -> list[str]:
    """`day` written in every era notation, with `era` and `era_year` as the year."""
    y, m, d = era_year, day.month, day.day
    y_text = "元" if y == 1 else str(y)
    kanji = f"{era.name}{y_text}年{m}月{d}日"
    kanji_year = "元" if y == 1 else _kanji_number(y)
    return [
        kanji,
        kanji.translate(_FULL_WIDTH),
        f"{era.short}{y}.{m}.{d}",
        f"{era.name}{kanji_year}年{_kanji_number(m)}月{_kanji_number(d)}日",
        f"{era.name}{y:2d}年{m:2d}月{d:2d}日",
        f"{era.letter}{y}.{m}.{d}",
        f"{era.letter.lower()}{y:02d}/{m:02d}/{d:02d}",
        f"{era.letter}{y:02d}/{m:02d}/{d:02d}".translate(_FULL_WIDTH),
        f"{era.letter}{y_text}.{m}.{d}",
        f"{era.code}{y:02d}{m:02d}{d:02d}",
    ]


_DATES = st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2030, 12, 31))


@given(_DATES)
def test_every_era_notation_round_trips(day: dt.date) -> None:
    era = era_of(day.year, day.month, day.day)
    assert era is not None
    for text in _renderings(era, era.era_year(day.year), day):
        parsed = parse_date(text)
        assert _ymd(parsed) == (day.year, day.month, day.day), text
        assert parsed is not None and parsed.era == era.name and not parsed.era_overflow


@given(_DATES)
def test_the_previous_era_after_its_end_round_trips_with_a_note(day: dt.date) -> None:
    era = era_of(day.year, day.month, day.day)
    assert era is not None
    if era.code == 1:
        return
    previous = ERAS[era.code - 2]
    for text in _renderings(previous, previous.era_year(day.year), day):
        parsed = parse_date(text)
        assert _ymd(parsed) == (day.year, day.month, day.day), text
        assert parsed is not None and parsed.era_overflow


@given(_DATES)
def test_gregorian_notations_round_trip(day: dt.date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{y}/{m}/{d}",
        f"{y}.{m:02d}.{d}",
        f"{y:04d}{m:02d}{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}-{m:02d}-{d:02d}".translate(_FULL_WIDTH),
        f"{y}/{m:02d}/{d:02d} 0:00:00",
    ):
        assert _ymd(parse_date(text)) == (y, m, d), text


@given(_DATES, st.sampled_from(DATE_STYLES), st.booleans(), st.sampled_from(["", "m", "md"]))
def test_whatever_the_synthetic_prefecture_writes_reads_back(
    day: dt.date, style: str, overflow: bool, unknown: str
) -> None:
    birth = BirthDate(day.year, 0 if unknown == "md" else day.month, 0 if unknown else day.day)
    parsed = parse_date(render_date(birth, style, overflow))
    assert _ymd(parsed) == tuple(birth)


# ---------------------------------------------------------------- caching


def test_parse_many_parses_each_distinct_value_once() -> None:
    values = ["1985-03-01", "S60.3.1", "1985-03-01", "abc", "S60.3.1", "1985-03-01", "abc"]
    parse_date.cache_clear()
    parsed = parse_many(iter(values))
    info = parse_date.cache_info()
    assert (info.misses, info.hits) == (3, 0)
    assert [_ymd(p) for p in parsed] == [_ymd(parse_date(v)) for v in values]
    assert parsed[0] is parsed[2] is parsed[5]
    assert parsed[3] is None and parsed[6] is None


def test_compare_many_compares_each_distinct_pair_once() -> None:
    lefts = ["S60.3.1", "S60.3.1", "1985-03-04", "", "S60.3.1"]
    rights = ["1985-03-01", "1985-03-01", "1985-04-03", "1985-03-01", "1985-03-01"]
    compare.cache_clear()
    outcomes = compare_many(lefts, rights)
    assert compare.cache_info().misses == 3
    assert [o.level for o in outcomes] == [
        DateLevel.EQUAL,
        DateLevel.EQUAL,
        DateLevel.NEAR,
        DateLevel.MISSING,
        DateLevel.EQUAL,
    ]
    with pytest.raises(ValueError):
        compare_many(["1985-03-01"], [])
