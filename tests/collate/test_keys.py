"""Comparison keys of the owner search: Japanese normalization once, and SQL twins that agree."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from himoken.collate import keys

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def one(**columns: str | None) -> dict[str, str | None]:
    """The keys of one person given as keyword columns (missing ones None)."""
    table = keys.person_keys(
        [columns.get("name")],
        [columns.get("reading")],
        [columns.get("birth")],
        [columns.get("sex")],
        [columns.get("address")],
        alias=[columns.get("alias")],
        address_hint=[columns.get("hint")],
    )
    return table.to_pylist()[0]


def test_every_key_column_in_order_one_row_per_input() -> None:
    table = keys.person_keys(
        ["山田　太郎", None],
        ["ヤマダ　タロウ", ""],
        ["1985-03-01", None],
        ["1", ""],
        ["大阪府大阪市北区梅田一丁目2番3号", None],
    )
    assert table.column_names == list(keys.KEY_COLUMNS)
    assert table.num_rows == 2
    assert set(table.to_pylist()[1].values()) == {None}


def test_names_keep_text_and_fold_variants() -> None:
    variant = one(name="髙橋　太郎")
    assert variant["name_text"] == "髙橋太郎" and variant["name_folded"] == "高橋太郎"
    assert (variant["surname_folded"], variant["given_folded"]) == ("高橋", "太郎")
    assert variant["given_spaced"] == "太郎"
    assert one(name="高橋 太郎")["name_folded"] == variant["name_folded"]
    # 斎/斉 are different characters, never merged
    assert one(name="斎藤　恵")["name_folded"] != one(name="斉藤　恵")["name_folded"]


def test_a_name_without_space_splits_by_known_surnames_but_is_not_spaced() -> None:
    keyed = one(name="山田太郎")
    assert (keyed["surname_folded"], keyed["given_folded"]) == ("山田", "太郎")
    assert keyed["given_spaced"] is None


def test_latin_names_sort_their_parts_and_aliases_take_the_first() -> None:
    latin = one(name="NGUYEN VAN NAM")
    assert latin["name_sorted"] == one(name="Van Nam Nguyen")["name_sorted"] == "NAM NGUYEN VAN"
    assert one(name="山田　太郎")["name_sorted"] is None
    assert one(name="金　英哲", alias="山口　力雄;金山　英")["name_alias_folded"] == "山口力雄"


def test_the_gaiji_table_applies_before_folding() -> None:
    table = keys.person_keys(
        ["\ue001橋　太郎"], [None], [None], [None], [None], gaiji_table={"\ue001": "髙"}
    )
    assert table.column("name_folded").to_pylist() == ["高橋太郎"]


def test_readings_canonical_and_legacy_key() -> None:
    modern, legacy = one(reading="キョウコ"), one(reading="キヨウコ")
    assert modern["reading_canonical"] != legacy["reading_canonical"]
    assert modern["reading_key"] == legacy["reading_key"]
    assert one(reading="きょうこ")["reading_canonical"] == modern["reading_canonical"]
    assert one(reading="ｷｮｳｺ")["reading_canonical"] == modern["reading_canonical"]


@pytest.mark.parametrize(
    ("birth", "expected"),
    [
        ("1985-03-01", ("1985-03-01", "1985", "1985-03", "03-01", "19850301", "00113589")),
        ("1960-00-00", (None, "1960", None, None, None, None)),
        ("1960-05-00", (None, "1960", "1960-05", None, None, None)),
        (None, (None,) * 6),
    ],
)
def test_birth_keys_keep_only_the_known_parts(
    birth: str | None, expected: tuple[str | None, ...]
) -> None:
    keyed = one(birth=birth)
    columns = ("birth_full", "birth_year", "birth_ym", "birth_md", "birth_digits", "birth_sorted")
    assert tuple(keyed[c] for c in columns) == expected


def test_sex_codes() -> None:
    assert [one(sex=code)["sex"] for code in ("1", "男性", "F", "２", "0", "9", "", None)] == [
        "1",
        "1",
        "2",
        "2",
        None,
        None,
        None,
        None,
    ]


def test_addresses_agree_across_notation_and_grade_by_distance() -> None:
    full = one(address="大阪府大阪市北区梅田一丁目2番3号　梅田ハイツ101号室")
    assert full["address_municipality"] == "大阪市北区"
    same = one(address="大阪市北区梅田１－２－３ 梅田ハイツ 101")
    assert same["address_full"] == full["address_full"]
    no_building = one(address="大阪府大阪市北区梅田1丁目2-3")
    assert no_building["address_block"] == full["address_block"]
    assert no_building["address_full"] != full["address_full"]
    other_block = one(address="大阪府大阪市北区梅田一丁目5番3号")
    assert other_block["address_town"] == full["address_town"]
    assert other_block["address_block"] != full["address_block"]


def test_an_address_without_municipality_is_read_within_its_hint() -> None:
    bare = one(address="梅田1-2-3", hint="大阪府大阪市北区梅田一丁目2番3号")
    assert bare["address_block"] == one(address="大阪府大阪市北区梅田一丁目2番3号")["address_block"]


# ---------------------------------------------------------------- the SQL twins


def _corpus_values(name: str) -> list[str]:
    with (CORPUS / name).open(encoding="utf-8") as f:
        rows = [row for row in csv.reader(f, delimiter="\t") if row and not row[0].startswith("#")]
    return sorted({value for row in rows for value in row[:2] if value.strip()})


NAMES = [
    *_corpus_values("names.tsv"),
    "NGUYEN VAN NAM",
    "Van Nam Nguyen",
    "ＮＧＵＹＥＮ　ＮＡＭ",
    "SMITH,JOHN",
    "O'BRIEN  MARY",
    "山田太郎",
    " 山田　 太郎 ",
    "渡邊　一",
    "㐂田　二郎",
    "塚本　三郎",
    "葛\U000e0100城　四郎",
    "ﾔﾏﾀﾞ　ﾀﾛｳ",
    "山田・太郎",
    "〓橋　花子",
    "李　明",
]
READINGS = [
    *_corpus_values("kana.tsv"),
    "ヤマダ　タロウ",
    "キヨウコ",
    "オオタ　ユーコ",
    "ヴァン　ナム",
    "やまだ",
    "ﾔﾏﾀﾞ",
    "ヂヅヲヱヰ",
    "シ゛ロウ",
    "",
]


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    return duckdb.connect()


def _sql_column(con: duckdb.DuckDBPyConnection, values: list[str], expression: str) -> list:
    """`expression` (on column v) for each value, in order."""
    con.register("sql_values", pa.table({"i": list(range(len(values))), "v": values}))
    try:
        return [
            row[0]
            for row in con.execute(f"SELECT {expression} FROM sql_values ORDER BY i").fetchall()
        ]
    finally:
        con.unregister("sql_values")


def test_simple_names_are_keyed_by_sql_exactly_as_in_python(
    con: duckdb.DuckDBPyConnection,
) -> None:
    simple = _sql_column(con, NAMES, keys.simple_name_sql("v"))
    assert simple == [keys.is_simple_name(v) for v in NAMES]
    assert 0 < sum(simple) < len(NAMES)
    python = keys.person_keys(
        NAMES, [None] * len(NAMES), [None] * len(NAMES), [None] * len(NAMES), [None] * len(NAMES)
    ).to_pylist()
    for column, expression in (
        ("name_folded", keys.name_prefilter_sql("v")),
        ("given_spaced", keys.given_prefilter_sql("v")),
    ):
        sql = _sql_column(con, NAMES, expression)
        for value, is_simple, from_sql, keyed in zip(NAMES, simple, sql, python, strict=True):
            if is_simple:
                assert from_sql == keyed[column], (column, value)
    latin = _sql_column(con, NAMES, f"regexp_full_match(v, {keys.LATIN_SQL})")
    ordered = _sql_column(con, NAMES, keys.sorted_name_prefilter_sql("v"))
    for value, is_simple, is_latin, from_sql, keyed in zip(
        NAMES, simple, latin, ordered, python, strict=True
    ):
        if is_simple and is_latin and keyed["name_sorted"] is not None:
            assert from_sql == keyed["name_sorted"], value


def test_variant_and_wide_names_are_not_simple() -> None:
    assert keys.is_simple_name("高橋　太郎") and keys.is_simple_name("NGUYEN VAN NAM")
    for value in (
        "髙橋　太郎",
        "渡邊　一",
        "ＮＧＵＹＥＮ",
        "ﾔﾏﾀﾞ",
        "〓橋",
        "SMITH,JOHN",
        "山田・太郎",
    ):
        assert not keys.is_simple_name(value), value


def test_simple_readings_have_the_skeleton_of_their_legacy_key(
    con: duckdb.DuckDBPyConnection,
) -> None:
    simple = _sql_column(con, READINGS, keys.simple_reading_sql("v"))
    assert simple == [keys.is_simple_reading(v) for v in READINGS]
    assert 0 < sum(simple) < len(READINGS)
    skeletons = _sql_column(con, READINGS, keys.reading_prefilter_sql("v"))
    python = keys.person_keys(
        [None] * len(READINGS),
        READINGS,
        [None] * len(READINGS),
        [None] * len(READINGS),
        [None] * len(READINGS),
    ).to_pylist()
    for value, is_simple, skeleton, keyed in zip(READINGS, simple, skeletons, python, strict=True):
        if is_simple:
            assert skeleton == keys.reading_skeleton(keyed["reading_key"]), value


def test_equal_legacy_keys_have_equal_skeletons() -> None:
    for a, b in (
        ("キヨウコ", "キョウコ"),
        ("オオタ", "オータ"),
        ("ユウコ", "ユーコ"),
        ("ツヅキ", "ツズキ"),
    ):
        key_a, key_b = one(reading=a)["reading_key"], one(reading=b)["reading_key"]
        assert key_a == key_b
        assert keys.reading_skeleton(key_a) == keys.reading_skeleton(b.replace("\u3000", ""))
