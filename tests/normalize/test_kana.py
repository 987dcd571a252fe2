"""Readings (氏名フリガナ): canonical and legacy forms, caching, and the comparator's helpers.

The comparator's levels are covered case by case in tests/corpus/kana.tsv; this file checks the
normalization rules, their properties (Hypothesis) and the once-per-distinct-value behaviour.
"""

from __future__ import annotations

import gc

import jaconv
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from himoken.compare import kana as compare_kana
from himoken.normalize import kana
from himoken.normalize.kana import (
    ReadingKind,
    canonical,
    fold_differences,
    legacy_folds,
    legacy_form,
    normalize,
    normalize_many,
    split,
)

# ---------------------------------------------------------------- canonical form


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ヤマダ　タロウ", "ヤマダタロウ"),
        ("やまだ たろう", "ヤマダタロウ"),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", "ヤマダタロウ"),
        ("ﾊﾟｸ", "パク"),
        ("ｳﾞｨｸﾄﾙ", "ヴィクトル"),
        ("ゔぃくとる", "ヴィクトル"),
        ("ヤマダ\tタロウ", "ヤマダタロウ"),
        (" ヤマダ\u3000\u3000タロウ ", "ヤマダタロウ"),
        ("ヤマダ\u200bタロウ", "ヤマダタロウ"),
        ("ジョン・スミス", "ジョンスミス"),
        ("ｼﾞｮﾝ･ｽﾐｽ", "ジョンスミス"),
        ("カ゛ンタ", "ガンタ"),
        ("ハ゜ク", "パク"),
        ("さゝき", "ササキ"),
        ("いすゞ", "イスズ"),
        ("サヽキ", "ササキ"),
        ("ミスヾ", "ミスズ"),
        ("ｻﾄ-", "サトー"),
        ("サト─", "サトー"),
        ("サト−", "サトー"),
        ("ｻﾄｰ", "サトー"),
        ("キョウコ", "キョウコ"),  # small kana are kept: that is a legacy fold, not mechanical
        ("ヂヅヲ", "ヂヅヲ"),
    ],
)
def test_canonical(value: str, expected: str) -> None:
    assert canonical(value) == expected


@pytest.mark.parametrize(
    ("value", "marks"),
    [
        ("ヤマダ　タロウ", ()),
        ("やまだ　たろう", ("ひらがな",)),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", ("半角",)),
        ("さゝき", ("ひらがな", "踊り字")),
        ("ｻﾄ-", ("半角", "長音記号")),
        ("ＳＭＩＴＨ", ("全角英数",)),
    ],
)
def test_mechanical_marks(value: str, marks: tuple[str, ...]) -> None:
    assert normalize(value).marks == marks


@pytest.mark.parametrize(
    ("value", "parts"),
    [
        ("ヤマダ　タロウ", ("ヤマダ", "タロウ")),
        ("ﾔﾏﾀﾞ ﾀﾛｳ", ("ヤマダ", "タロウ")),
        ("やまだ\tたろう", ("ヤマダ", "タロウ")),
        ("  ヤマダ   タロウ  ", ("ヤマダ", "タロウ")),
        ("ヤマダタロウ", ("ヤマダタロウ",)),
        ("ジョン・スミス　ジュニア", ("ジョン", "スミス", "ジュニア")),
        ("", ()),
        ("\u3000 \t", ()),
    ],
)
def test_split_keeps_the_parts(value: str, parts: tuple[str, ...]) -> None:
    assert split(value) == parts
    assert "".join(parts) == canonical(value)


@pytest.mark.parametrize(
    ("value", "kind", "foreign"),
    [
        ("ヤマダ", ReadingKind.KANA, ()),
        ("", ReadingKind.EMPTY, ()),
        ("　", ReadingKind.EMPTY, ()),
        ("SMITH JOHN", ReadingKind.LATIN, ()),
        ("ｓｍｉｔｈ", ReadingKind.LATIN, ()),
        ("O'Brien", ReadingKind.LATIN, ()),
        ("山田　太郎", ReadingKind.UNREADABLE, ("漢字:山田太郎",)),
        ("ヤマダ1", ReadingKind.UNREADABLE, ("数字:1",)),
        ("ヤマダ１", ReadingKind.UNREADABLE, ("数字:1",)),
        ("ヤマ\ue000", ReadingKind.UNREADABLE, ("外字:\ue000",)),
        ("ヤマダ〓", ReadingKind.UNREADABLE, ("外字:〓",)),
        ("ヤマダ　Taro", ReadingKind.UNREADABLE, ("英字:Taro",)),
        ("ヤマダ?", ReadingKind.UNREADABLE, ("記号:?",)),
    ],
)
def test_non_kana_is_reported_not_raised(
    value: str, kind: ReadingKind, foreign: tuple[str, ...]
) -> None:
    reading = normalize(value)
    assert reading.kind == kind
    assert reading.foreign == foreign


def test_latin_key_ignores_case_width_spaces_and_punctuation() -> None:
    keys = {
        normalize(v).key for v in ("SMITH JOHN", "smith john", "ＳＭＩＴＨ　ＪＯＨＮ", "Smith-John")
    }
    assert keys == {"smithjohn"}


# ---------------------------------------------------------------- legacy form


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (("キヨウコ", "キョウコ", "キョーコ", "キヨオコ"), "キヨウコ"),
        (("オオタ", "オータ", "オウタ"), "オウタ"),
        (("ユウコ", "ユーコ"), "ユウコ"),
        (("コウジ", "コージ", "コオジ"), "コウジ"),
        (("サイトウ", "サイトオ", "サイトー"), "サイトウ"),
        (("オオオカ", "オーオカ", "オウオカ"), "オウオカ"),
        (("フジタ", "フヂタ"), "フジタ"),
        (("ミカズキ", "ミカヅキ"), "ミカズキ"),
        (("ハットリ", "ハツトリ"), "ハツトリ"),
        (("ヴィクトリア", "ビクトリア"), "ビクトリア"),
        (("ヴァレリー", "バレリー", "バレリイ"), "バレリイ"),
        (("ヴェラ", "ベラ"), "ベラ"),
        (("ヴォルフ", "ボルフ"), "ボルフ"),
        (("イヴ", "イブ"), "イブ"),
        (("カヲル", "カオル"), "カオル"),
        (("ヱミ", "エミ"), "エミ"),
        (("ヰサオ", "イサオ"), "イサオ"),
        (("ニーナ", "ニイナ"), "ニイナ"),
        (("マーヤ", "マアヤ"), "マアヤ"),
        (("ケーコ", "ケエコ"), "ケエコ"),
        (("クヮ", "クワ"), "クワ"),
        (("ヵ", "カ"), "カ"),
    ],
)
def test_legacy_spellings_share_one_key(spellings: tuple[str, ...], key: str) -> None:
    assert {legacy_form(canonical(s)) for s in spellings} == {key}


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ハシモト", "ハシモド"),  # voicing
        ("ヤマサキ", "ヤマザキ"),  # rendaku
        ("ケイコ", "ケーコ"),  # エイ is not folded with エー
        ("レイナ", "レーナ"),
        ("ユウコ", "ユコ"),  # a dropped long vowel is a different spelling of nothing
        ("ハットリ", "ハトリ"),
        ("カトウ", "カド"),
        ("サトウ", "サト"),
    ],
)
def test_different_readings_keep_different_keys(left: str, right: str) -> None:
    assert legacy_form(left) != legacy_form(right)


def test_long_vowels_do_not_fold_across_a_space() -> None:
    assert normalize("ヤマモト　オサム").key == "ヤマモトオサム"
    assert normalize("ヤマモト　ウサム").key == "ヤマモトウサム"


@pytest.mark.parametrize(
    ("value", "folds"),
    [
        ("キョウコ", ("ョ→ヨ",)),
        ("オータ", ("ー→ウ",)),
        ("オオタ", ("オ→ウ",)),
        ("ヴァレンティナ", ("ヴァ→バ", "ィ→イ")),
        ("ジョージ", ("ョ→ヨ", "ー→ウ")),
        ("サトウ", ()),
    ],
)
def test_legacy_folds_name_what_was_folded(value: str, folds: tuple[str, ...]) -> None:
    assert legacy_folds(value) == folds


@pytest.mark.parametrize(
    ("left", "right", "differences"),
    [
        ("キヨウコ", "キョウコ", ("ヨ→ョ",)),
        ("オータ", "オオタ", ("ー→オ",)),
        ("ヴァレンティナ", "バレンティナ", ("ヴァ→バ",)),
        ("リヨウコ", "リョーコ", ("ヨ→ョ", "ウ→ー")),
        ("サトウ", "サトウ", ()),
    ],
)
def test_fold_differences_read_left_to_right(
    left: str, right: str, differences: tuple[str, ...]
) -> None:
    assert fold_differences(left, right) == differences


# ---------------------------------------------------------------- properties

KATAKANA = "".join(chr(c) for c in range(0x30A1, 0x30F7)) + "ー"
katakana_readings = st.lists(
    st.text(alphabet=KATAKANA, min_size=1, max_size=8), min_size=1, max_size=3
).map("\u3000".join)
kana_like_text = st.text(
    alphabet=KATAKANA
    + "".join(chr(c) for c in range(0x3041, 0x3097))
    + "".join(chr(c) for c in range(0xFF65, 0xFFA0))
    + " \u3000\t・ゝゞヽヾヿゟ゛゜\u3099\u309a-‐─ー〓山Aa1",
    max_size=12,
)


@settings(max_examples=500)
@given(st.one_of(kana_like_text, st.text(max_size=12)))
def test_canonical_is_idempotent(value: str) -> None:
    once = canonical(value)
    assert canonical(once) == once


@settings(max_examples=500)
@given(
    st.one_of(
        kana_like_text,
        katakana_readings,
        katakana_readings.map(jaconv.kata2hira),
        katakana_readings.map(lambda s: jaconv.z2h(s, kana=True, digit=False)),
    )
)
def test_fast_paths_agree_with_the_general_steps(value: str) -> None:
    assert kana._analyse(value) == kana._analyse_in_general(value)


@settings(max_examples=300)
@given(kana_like_text)
def test_legacy_form_is_idempotent(value: str) -> None:
    key = legacy_form(canonical(value))
    assert legacy_form(key) == key


@settings(max_examples=300)
@given(katakana_readings)
def test_hiragana_and_half_width_renderings_share_the_canonical_form(value: str) -> None:
    expected = canonical(value)
    assert canonical(jaconv.kata2hira(value)) == expected
    assert canonical(jaconv.z2h(value, kana=True, ascii=False, digit=False)) == expected
    assert canonical(value.replace("\u3000", " ")) == expected
    assert split(jaconv.kata2hira(value)) == split(value)


@settings(max_examples=300)
@given(katakana_readings)
def test_a_reading_equals_its_renderings_in_the_comparator(value: str) -> None:
    for rendering in (jaconv.kata2hira(value), jaconv.z2h(value, kana=True, digit=False)):
        outcome = compare_kana.compare(rendering, value)
        assert outcome.level == compare_kana.KanaLevel.EQUAL
        assert outcome.reason is None


def _levenshtein(left: str, right: str) -> int:
    """Textbook reference, no shortcuts."""
    previous = list(range(len(right) + 1))
    for i, a in enumerate(left, start=1):
        current = [i]
        for j, b in enumerate(right, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1]


@settings(max_examples=500)
@given(
    st.text(alphabet="アイウカキ", max_size=9),
    st.text(alphabet="アイウカキ", max_size=9),
    st.integers(min_value=0, max_value=3),
)
def test_bounded_edit_distance_matches_the_reference(left: str, right: str, limit: int) -> None:
    assert compare_kana.edit_distance(left, right, limit) == min(
        _levenshtein(left, right), limit + 1
    )


# ---------------------------------------------------------------- once per distinct value


@pytest.fixture
def counted_analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every value actually analysed (cache misses), starting from an empty cache."""
    analysed: list[str] = []
    real_analyse = kana._analyse

    def counting(value: str) -> kana.Reading:
        analysed.append(value)
        return real_analyse(value)

    kana.clear_cache()
    monkeypatch.setattr(kana, "_analyse", counting)
    yield analysed
    kana.clear_cache()


def test_normalize_many_analyses_each_distinct_value_once(counted_analyses: list[str]) -> None:
    column = ["ヤマダ　タロウ", "ｻﾄｳ ﾊﾅｺ", "ヤマダ　タロウ", "", "ｻﾄｳ ﾊﾅｺ", "ヤマダ　タロウ", ""]
    readings = normalize_many(column)
    assert sorted(counted_analyses) == sorted(set(column))
    assert [r.raw for r in readings] == column
    assert readings[0] is readings[2] is readings[5]
    normalize_many(iter(column))  # a generator works too, and the cache answers
    normalize("ヤマダ　タロウ")
    assert len(counted_analyses) == len(set(column))


def test_columns_larger_than_the_cache_are_still_deduplicated(
    counted_analyses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kana, "CACHE_SIZE", 3)
    column = [f"ヤマダ　{name}" for name in ("タロウ", "ジロウ", "サブロウ", "シロウ")] * 5
    readings = normalize_many(column)
    assert len(counted_analyses) == 4
    assert [r.canonical for r in readings] == [canonical(v) for v in column]


def test_normalize_many_restores_the_garbage_collector() -> None:
    assert gc.isenabled()
    normalize_many(["ヤマダ"])
    assert gc.isenabled()
    gc.disable()
    try:
        normalize_many(["ヤマダ"])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_compare_many_compares_each_distinct_pair_once(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[str, str]] = []
    real_compare = compare_kana.compare_readings

    def counting(left: kana.Reading, right: kana.Reading) -> object:
        compared.append((left.raw, right.raw))
        return real_compare(left, right)

    monkeypatch.setattr(compare_kana, "compare_readings", counting)
    lefts = ["キヨウコ", "ヤマダ", "キヨウコ", "ヤマダ"]
    rights = ["キョウコ", "ヤマダ", "キョウコ", "ヤマダ"]
    outcomes = compare_kana.compare_many(lefts, rights)
    assert compared == [("キヨウコ", "キョウコ")]  # identical values need no comparison
    assert [str(o.level) for o in outcomes] == ["legacy", "equal", "legacy", "equal"]
    with pytest.raises(ValueError, match="differ in length"):
        compare_kana.compare_many(lefts, rights[:1])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ヤマダ　ハナコ", ("ヤマダ", "ハナコ")),
        ("ﾔﾏﾀﾞ ﾊﾅｺ", ("ヤマダ", "ハナコ")),
        ("スミス　ジョン　ポール", ("スミス", "ジョン ポール")),
        ("ヤマダハナコ", None),
        ("", None),
    ],
)
def test_surname_and_given(value: str, expected: tuple[str, str] | None) -> None:
    assert compare_kana.surname_and_given(value) == expected
