"""Benign differences: each code in the truth file is what the record really shows."""

from __future__ import annotations

import datetime as dt
import random
import re

import jaconv
import pytest

from himoken.synth.notation import (
    VARIANT_TO_STANDARD,
    BirthDate,
    kanji_variant,
    legacy_kana,
    render_date,
)
from tests.synth.world_files import World


@pytest.mark.parametrize(
    ("day", "style", "expected"),
    [
        (dt.date(1985, 3, 1), "wareki", "昭和60年3月1日"),
        (dt.date(1985, 3, 1), "wareki_full_width", "昭和６０年３月１日"),
        (dt.date(1985, 3, 1), "era_dot", "S60.3.1"),
        (dt.date(1985, 3, 1), "era_slash", "S60/03/01"),
        (dt.date(1985, 3, 1), "era_code", "3600301"),
        (dt.date(1985, 3, 1), "compact", "19850301"),
        (dt.date(1985, 3, 1), "slash", "1985/3/1"),
        (dt.date(1985, 3, 1), "kanji", "1985年3月1日"),
        (dt.date(1989, 1, 7), "wareki", "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "wareki", "平成元年1月8日"),
        (dt.date(2019, 4, 30), "era_code", "4310430"),
        (dt.date(2019, 5, 1), "wareki", "令和元年5月1日"),
        (dt.date(1926, 12, 24), "wareki", "大正15年12月24日"),
        (dt.date(1926, 12, 25), "wareki", "昭和元年12月25日"),
    ],
)
def test_dates_render_with_exact_era_boundaries(day: dt.date, style: str, expected: str) -> None:
    assert render_date(BirthDate(day.year, day.month, day.day), style) == expected


def test_a_system_not_updated_keeps_writing_heisei() -> None:
    birth = BirthDate(2019, 5, 1)
    assert render_date(birth, "wareki", overflow=True) == "平成31年5月1日"
    assert render_date(BirthDate(2021, 2, 3), "era_code", overflow=True) == "4330203"


def test_partially_unknown_dates() -> None:
    assert render_date(BirthDate(1960, 0, 0), "iso") == "1960-00-00"
    assert render_date(BirthDate(1960, 0, 0), "wareki") == "1960年不詳"


def test_kanji_variants_never_merge_different_characters() -> None:
    rng = random.Random(0)
    for text in ("斉藤", "埼玉", "太田", "大田", "択"):
        assert kanji_variant(text, rng) is None
    assert kanji_variant("髙橋", rng) == "高橋"
    assert kanji_variant("高橋", rng) == "髙橋"
    assert kanji_variant("齋藤", rng) == "斎藤"


def test_legacy_kana_spellings() -> None:
    rng = random.Random(0)
    assert legacy_kana("キョウコ", rng) in {"キヨウコ", "キョーコ"}
    assert legacy_kana("ツヅキ", rng) == "ツズキ"
    assert legacy_kana("ヴー", rng) == "ブー"
    assert legacy_kana("アヤ", rng) is None
    assert legacy_kana("クオン", rng) is None  # オ after ク (u-row) is not a long vowel
    assert legacy_kana("ユウコ", rng) == "ユーコ"


def _flat(text: str) -> str:
    return re.sub(r"[\s\u3000]", "", text)


def _standard(text: str) -> str:
    return "".join(VARIANT_TO_STANDARD.get(c, c) for c in _flat(text))


def test_notation_codes_describe_the_records(raised_world: World) -> None:
    seen: set[str] = set()
    for extract, truth in raised_world.all_truth:
        if truth["誤り種別"] == "MALFORMED_ROW":
            continue
        record = extract.record(truth)
        owner = raised_world.register[truth["正しい個人番号"]]
        codes = set(filter(None, truth["表記差異"].split(";")))
        history = set(filter(None, truth["経緯"].split(";")))
        seen |= codes
        name = owner["旧氏名"].split(";")[0] if "NAME_CHANGED" in history else owner["氏名"]
        if not codes & {"KANJI_VARIANT", "GAIJI", "ALIAS"} and not re.search("[A-Za-z]", name):
            assert _flat(record["氏名"]) == _flat(name)
        if "KANJI_VARIANT" in codes:
            assert _flat(record["氏名"]) != _flat(name)
            assert _standard(record["氏名"]) == _standard(name)
        if "GAIJI" in codes:
            assert re.search("[\ue000-\uf8ff〓]", record["氏名"])
        if "NAME_SPACE" in codes:
            assert record["氏名"] != name and _flat(record["氏名"]) == _flat(record["氏名"])
        if "KANA_HIRAGANA" in codes:
            assert re.search("[ぁ-ゖ]", record["氏名フリガナ"])
        if "KANA_HALF_WIDTH" in codes:
            assert re.search("[ｦ-ﾟ]", record["氏名フリガナ"])
        if "ADDRESS_NO_PREFECTURE" in codes:
            assert record["住所"] and not record["住所"].startswith("大阪府")
        if "ADDRESS_HYPHEN" in codes:  # 1-2-3 for 一丁目2番3号, 123-4 for 123番地4
            street = record["住所"].split("\u3000")[0]
            assert re.search(r"\d$", street) and "番" not in street and "丁目" not in street
        if "ADDRESS_FULL_WIDTH" in codes:
            assert re.search("[０-９]", record["住所"])
        if "DATE_ERA_OVERFLOW" in codes:
            assert owner["生年月日"] >= "2019-05-01"
            assert record["生年月日"].startswith(("平成", "H", "4"))
        if (
            "MOVED" in history
            and record["住所"]
            and not any(c.startswith("ADDRESS") for c in codes)
        ):
            assert record["住所"] in owner["前住所"].split(";")
        if "NUMBER_FULL_WIDTH" in codes:
            assert jaconv.z2h(record["個人番号"], digit=True) == truth["正しい個人番号"]
        if not codes and not history and not truth["誤り種別"]:
            assert record["氏名"] == owner["氏名"]
            assert record["住所"] in ("", owner["住所"])
    expected = {
        "KANJI_VARIANT",
        "GAIJI",
        "NAME_SPACE",
        "KANA_HIRAGANA",
        "KANA_HALF_WIDTH",
        "KANA_LEGACY",
        "ADDRESS_NO_PREFECTURE",
        "ADDRESS_HYPHEN",
        "ADDRESS_KANJI_NUMERAL",
        "ADDRESS_FULL_WIDTH",
        "ADDRESS_NO_BUILDING",
        "DATE_FORMAT",
        "DATE_ERA_OVERFLOW",
        "LATIN_ORDER",
        "LATIN_CASE",
        "ALIAS",
        "NUMBER_GROUPED",
        "NUMBER_FULL_WIDTH",
    }
    assert expected <= seen, expected - seen


# Differences spec §6 clears by mechanical canonicalisation alone (width, case, spacing,
# hiragana/katakana, date format): a MATCH, not a notation difference.
MECHANICAL = {
    "NAME_SPACE",
    "NAME_WIDTH",
    "LATIN_CASE",
    "KANA_HALF_WIDTH",
    "KANA_SPACE",
    "KANA_HIRAGANA",
    "DATE_FORMAT",
    "NUMBER_GROUPED",
    "NUMBER_FULL_WIDTH",
    "ADDRESS_FULL_WIDTH",
}


def test_about_a_fifth_of_correct_records_need_more_than_mechanical_canonicalisation(
    raised_world: World,
) -> None:
    correct = [t for _, t in raised_world.all_truth if not t["誤り種別"]]
    codes = [set(filter(None, f"{t['表記差異']};{t['経緯']}".split(";"))) for t in correct]
    any_difference = sum(bool(c) for c in codes) / len(correct)
    beyond_mechanical = sum(bool(c - MECHANICAL) for c in codes) / len(correct)
    assert any_difference <= 0.5
    assert 0.12 <= beyond_mechanical <= 0.30  # 2023: up to a fifth still needed eyes


def test_each_system_writes_its_own_sex_codes(raised_world: World) -> None:
    expected = {
        "shogaisha-techo": {"男", "女"},
        "seikatsu-hogo": {"1", "2"},
        "kokin-koza": {"M", "F"},
        "jido-teate": {"男性", "女性"},
    }
    for slug, codes in expected.items():
        extract = raised_world.extracts[slug]
        values = {
            line.fields[5]
            for line in extract.lines
            if line.fields is not None and len(line.fields) == len(extract.header)
        }
        assert values == codes
