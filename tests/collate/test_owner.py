"""The true-owner search: the register entry that best fits a flagged record's own data."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from himoken.collate import owner
from himoken.collate.owner import OwnerMatch, fits_better, search_owners
from himoken.collate.stage import birth_key
from himoken.mynumber import with_check_digit
from himoken.synth import ERROR_TYPES, SynthOptions, generate

REGISTER_TEXT = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所", "世帯番号", "通称")
RECORD_TEXT = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所")
SEARCHED_ERRORS = (
    "FAMILY_MEMBER",
    "HOMONYM",
    "CARRY_OVER",
    "ROW_SHIFT",
    "DUPLICATE_NUMBER",
    "TYPO_VALID",
)


def num(n: int) -> str:
    """A valid synthetic individual number; larger n, larger number."""
    return with_check_digit(f"{52_000_000_000 + n * 101:011d}")


def make_register(con: duckdb.DuckDBPyConnection, people: Iterable[Mapping[str, Any]]) -> None:
    """Table `register` from dicts with 個人番号 and the text columns (removed: 消除事由)."""
    rows = list(people)
    con.register(
        "register_rows",
        pa.table(
            {
                "row_id": pa.array(range(1, len(rows) + 1), pa.int64()),
                "number": pa.array([p.get("個人番号") for p in rows], pa.string()),
                "birth_key": pa.array([birth_key(p.get("生年月日")) for p in rows], pa.string()),
                "removed": pa.array([bool(p.get("消除事由")) for p in rows], pa.bool_()),
                **{c: pa.array([p.get(c) for p in rows], pa.string()) for c in REGISTER_TEXT},
            }
        ),
    )
    con.execute("CREATE OR REPLACE TABLE register AS SELECT * FROM register_rows")
    con.unregister("register_rows")


def make_searched(con: duckdb.DuckDBPyConnection, records: Iterable[Mapping[str, Any]]) -> None:
    """Table `searched` from dicts with 個人番号 (None: malformed) and the text columns; the
    linked household and address come from `register`."""
    rows = list(records)
    con.register(
        "searched_rows",
        pa.table(
            {
                "ordinal": pa.array(range(1, len(rows) + 1), pa.int64()),
                "linked_number": pa.array([r.get("個人番号") for r in rows], pa.string()),
                "birth_key": pa.array([birth_key(r.get("生年月日")) for r in rows], pa.string()),
                **{c: pa.array([r.get(c) for r in rows], pa.string()) for c in RECORD_TEXT},
            }
        ),
    )
    con.execute(
        """CREATE OR REPLACE TABLE searched AS
           SELECT s.ordinal, s.linked_number, e."世帯番号" AS linked_household,
                  e."住所" AS linked_address, s.birth_key, s."氏名", s."氏名フリガナ",
                  s."生年月日", s."性別", s."住所"
           FROM searched_rows s LEFT JOIN (
             SELECT number, min("世帯番号") AS "世帯番号", min("住所") AS "住所"
             FROM register GROUP BY number) e ON e.number = s.linked_number"""
    )
    con.unregister("searched_rows")


def person(
    n: int, name: str, reading: str, birth: str, sex: str, address: str, household: str, **more: str
) -> dict[str, Any]:
    return {
        "個人番号": num(n),
        "氏名": name,
        "氏名フリガナ": reading,
        "生年月日": birth,
        "性別": sex,
        "住所": address,
        "世帯番号": household,
        **more,
    }


HOME = "大阪府大阪市北区梅田一丁目2番3号"
FLAT = "大阪府堺市堺区南瓦町3番1号　堺ハイツ205号室"
ELSEWHERE = "大阪府豊中市本町二丁目5番8号"

PEOPLE = [
    person(1, "山田　太郎", "ヤマダ　タロウ", "1960-01-01", "1", HOME, "H01"),
    person(2, "山田　花子", "ヤマダ　ハナコ", "1962-02-02", "2", HOME, "H01"),
    person(3, "山田　一郎", "ヤマダ　イチロウ", "1990-05-05", "1", HOME, "H01"),
    person(4, "佐藤　健", "サトウ　ケン", "1975-03-03", "1", FLAT, "H02"),
    person(5, "佐藤　健", "サトウ　ケン", "1975-03-03", "1", ELSEWHERE, "H03"),
    person(
        6,
        "鈴木　次郎",
        "スズキ　ジロウ",
        "1985-07-15",
        "1",
        ELSEWHERE.replace("5番8号", "7番1号"),
        "H04",
    ),
    person(
        7,
        "田中　美咲",
        "タナカ　ミサキ",
        "1985-07-15",
        "2",
        "大阪府吹田市江坂町一丁目3番4号",
        "H05",
    ),
    person(
        8, "髙橋　清", "タカハシ　キヨシ", "1950-11-11", "1", "大阪府池田市城南一丁目1番1号", "H06"
    ),
    person(
        9,
        "金　英哲",
        "キム　ヨンチョル",
        "1970-04-04",
        "1",
        "大阪府大阪市生野区桃谷二丁目3番4号",
        "H07",
        通称="金山　英哲",
    ),
    # the same person twice under two numbers (a duplicate registration), and a removed twin
    person(12, "中村　優", "ナカムラ　ユウ", "2001-08-08", "2", "大阪府高槻市紺屋町1番1号", "H08"),
    person(11, "中村　優", "ナカムラ　ユウ", "2001-08-08", "2", "大阪府高槻市紺屋町1番1号", "H09"),
    person(
        10,
        "小林　誠",
        "コバヤシ　マコト",
        "1999-09-09",
        "1",
        "大阪府茨木市駅前一丁目2番3号",
        "H10",
        消除事由="転出",
    ),
    person(
        13, "小林　誠", "コバヤシ　マコト", "1999-09-09", "1", "大阪府茨木市駅前一丁目2番3号", "H11"
    ),
    person(
        14, "小林　誠", "コバヤシ　マコト", "1988-01-20", "1", "大阪府茨木市駅前三丁目1番1号", "H12"
    ),
]


def record(of: int, linked: int | None, **changes: str | None) -> dict[str, Any]:
    """The record of PEOPLE's person number `of`, linked to person `linked` (None: malformed)."""
    source = next(p for p in PEOPLE if p["個人番号"] == num(of))
    values = {c: source[c] for c in RECORD_TEXT}
    values.update(changes)
    return {"個人番号": num(linked) if linked is not None else None, **values}


def search(records: list[dict[str, Any]], **kwargs: Any) -> dict[int, OwnerMatch]:
    con = duckdb.connect()
    make_register(con, PEOPLE)
    make_searched(con, records)
    return {m.ordinal: m for m in search_owners(con, "searched", "register", **kwargs)}


def test_a_household_members_number_finds_the_right_member() -> None:
    # the son's record linked to his father's number (FAMILY_MEMBER), date in 和暦, hyphens
    found = search([record(3, 1, 生年月日="平成2年5月5日", 住所="大阪市北区梅田1-2-3", 性別="男")])
    match = found[1]
    assert match.number == num(3)
    assert match.levels == {
        "name": "exact",
        "reading": "exact",
        "birth": "exact",
        "sex": "equal",
        "address": "same",
    }
    assert match.evidence == "氏名・フリガナ・生年月日・性別・住所が一致"
    assert match.linked_weight is not None and match.match_weight > match.linked_weight
    assert fits_better(match)


def test_a_homonym_stranger_gives_way_to_the_one_at_the_records_address() -> None:
    found = search([record(4, 5)])  # 佐藤 健 of the flat, linked to the other 佐藤 健
    match = found[1]
    assert match.number == num(4)
    assert match.levels["address"] == "same" and match.levels["name"] == "exact"
    assert fits_better(match)
    assert match.linked_weight is not None and match.match_weight - match.linked_weight > 10


def test_fits_better_is_false_when_the_linked_entry_fits_as_well() -> None:
    found = search([record(4, 5, 住所=None)])  # no address: the two 佐藤 健 fit equally
    match = found[1]
    assert match.number == num(4) and match.match_weight == match.linked_weight
    assert not fits_better(match)
    assert match.levels["address"] == "missing"


def test_a_typoed_birth_date_still_finds_its_owner_by_name_and_address() -> None:
    # 1985-07-15: the day mistyped (7-16), and the year digits swapped (1958)
    found = search([record(6, 7, 生年月日="1985-07-16"), record(6, None, 生年月日="1958-07-15")])
    for match in found.values():
        assert match.number == num(6)
        assert match.levels["birth"] == "near" and match.levels["name"] == "exact"
    assert "生年月日は1字違い" in found[1].evidence
    assert found[2].linked_weight is None  # no linked number: nothing to compare with
    assert fits_better(found[2])


def test_a_searched_record_with_a_null_linked_number() -> None:
    found = search([record(8, None, 氏名="高橋 清")])
    match = found[1]
    assert match.number == num(8) and match.linked_weight is None
    assert match.levels["name"] == "variant"
    assert match.evidence.startswith("氏名(字形差異)・")
    assert fits_better(match)


def test_the_linked_entry_is_never_the_candidate() -> None:
    # correct linkages: the best other entry is someone else, and does not fit better
    found = search([record(n, n) for n in (1, 2, 3, 4, 6, 8, 9)])
    for ordinal, n in enumerate((1, 2, 3, 4, 6, 8, 9), start=1):
        match = found.get(ordinal)
        if match is not None:
            assert match.number != num(n)
            assert match.linked_weight is not None and match.linked_weight > match.match_weight
            assert not fits_better(match)


def test_ties_break_by_number_and_current_residents_before_removed_entries() -> None:
    found = search(
        [
            record(12, None),  # two identical entries: the smaller number (11) wins
            record(13, 14),  # identical current (13) and removed (10) entries: 13 despite 10 < 13
            record(12, 12),  # linked to the larger duplicate: the other one is the candidate
        ]
    )
    assert found[1].number == num(11)
    assert found[2].number == num(13)
    assert found[3].number == num(11) and found[3].match_weight == found[3].linked_weight
    assert not fits_better(found[3])


def test_a_record_holding_the_alias_finds_the_entry() -> None:
    found = search([record(9, 1, 氏名="金山　英哲", 氏名フリガナ=None)])
    assert found[1].number == num(9) and found[1].levels["name"] == "alias"


def test_a_gaiji_table_makes_private_use_characters_comparable() -> None:
    gaiji = record(8, 1, 氏名="\ue0a1橋　清", 氏名フリガナ=None, 住所=None)
    assert search([gaiji])[1].levels["name"] == "near"
    assert search([gaiji], gaiji_table={"\ue0a1": "髙"})[1].levels["name"] == "exact"


def test_results_are_deterministic_and_in_ordinal_order() -> None:
    records = [record(3, 1), record(4, 5), record(12, None), record(13, 14), record(6, 7)]
    first, second = search(records), search(records)
    assert list(first) == sorted(first)
    assert first == second


def test_the_callers_connection_is_left_as_it_was() -> None:
    con = duckdb.connect()
    make_register(con, PEOPLE)
    make_searched(con, [record(3, 1), record(4, 5)])
    tables = "SELECT table_name FROM duckdb_tables() ORDER BY 1"
    assert search_owners(con, "searched", "register")
    assert con.execute(tables).fetchall() == [("register",), ("searched",)]


def test_an_empty_search_and_a_record_nothing_reaches() -> None:
    assert search([]) == {}
    lonely = {
        "個人番号": None,
        "氏名": "誰　某",
        "生年月日": "1900-01-01",
        "性別": "1",
        "住所": None,
        "氏名フリガナ": None,
    }
    assert search([lonely]) == {}


# ---------------------------------------------------------------- evidence and the model


@pytest.mark.parametrize(
    ("levels", "text"),
    [
        (
            {
                "name": "exact",
                "birth": "exact",
                "sex": "equal",
                "address": "same",
                "reading": "missing",
            },
            "氏名・生年月日・性別・住所が一致",
        ),
        (
            {
                "name": "variant",
                "birth": "exact",
                "address": "same_town",
                "sex": "missing",
                "reading": "missing",
            },
            "氏名(字形差異)・生年月日が一致、住所は同じ町",
        ),
        (
            {
                "name": "different",
                "reading": "different",
                "birth": "exact",
                "sex": "different",
                "address": "same_block",
            },
            "生年月日が一致、住所は同じ番地(方書違い)、氏名・フリガナ・性別は不一致",
        ),
        (
            {c: "missing" for c in ("name", "reading", "birth", "sex", "address")},
            "比較できる項目なし",
        ),
    ],
)
def test_evidence_reads_as_a_clerks_fragment(levels: dict[str, str], text: str) -> None:
    assert owner.evidence(levels) == text


def test_the_fixed_model_is_versioned_complete_and_portable_sql() -> None:
    model = json.loads(owner.MODEL_PATH.read_text(encoding="utf-8"))
    assert model["linker_uid"] == f"himoken_owner_v{owner.MODEL_VERSION}"
    assert owner.load_model() == model
    labels = owner.level_labels(model)
    assert set(labels) == {"name", "reading", "birth", "sex", "address"}
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                assert level["label_for_charts"] == "missing"
                continue
            assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] <= 1
            assert level["label_for_charts"] in owner._EVIDENCE[name]
    sql = " ".join(
        [level["sql_condition"] for c in model["comparisons"] for level in c["comparison_levels"]]
        + [rule["blocking_rule"] for rule in model["blocking_rules_to_generate_predictions"]]
    )
    # Spark runs the same model: nothing but comparisons, IS NULL, AND/OR and levenshtein.
    functions = set(re.findall(r"([a-z_]+)\(", sql))
    assert functions == {"levenshtein"}
    used = set(re.findall(r"\b([a-z_]+?)(?:_l|_r)\b", sql)) | set(
        re.findall(r"[lr]\.([a-z_]+)", sql)
    )
    assert used <= set(owner.SPLINK_COLUMNS)


def test_fits_better_rule() -> None:
    def match(weight: float, linked: float | None) -> OwnerMatch:
        return OwnerMatch(1, num(1), weight, linked, {}, "")

    threshold, margin = owner.FIT_THRESHOLD, owner.FIT_MARGIN
    assert fits_better(match(threshold + 1, None))
    assert not fits_better(match(threshold, None))
    assert fits_better(match(threshold + margin + 2, threshold + 1))
    assert not fits_better(match(threshold + margin + 1, threshold + 1))
    assert not fits_better(match(40.0, 40.0))


# ---------------------------------------------------------------- a synthetic prefecture


@pytest.fixture(scope="session")
def owner_world(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[duckdb.DuckDBPyConnection, dict[int, dict[str, str]]]:
    """A 20,000-resident world (seed 11, every error at 0.003) staged into DuckDB: `register`
    and `searched` (every extract's records; ordinal = extract * 10**7 + 行番号), with truth."""
    import csv

    out: Path = tmp_path_factory.mktemp("owner_world")
    generate(
        SynthOptions(
            residents=20_000, seed=11, workers=1, error_rates=dict.fromkeys(ERROR_TYPES, 0.003)
        ),
        out,
    )
    con = duckdb.connect()
    owner.stage_register(con, out / "register.csv", "register")
    truth: dict[int, dict[str, str]] = {}
    parts = []
    for i, slug in enumerate(("shogaisha-techo", "seikatsu-hogo", "kokin-koza", "jido-teate")):
        with (out / slug / "truth.csv").open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                truth[i * 10**7 + int(row["行番号"])] = row
        owner.stage_searched(
            con, out / slug / "records.csv", "register", f"searched_{i}", ordinal_offset=i * 10**7
        )
        parts.append(f"SELECT * FROM searched_{i}")
    con.execute(f"CREATE TABLE searched AS {' UNION ALL '.join(parts)}")
    return con, truth


def test_top_one_is_the_true_owner_for_wrong_linkages(
    owner_world: tuple[duckdb.DuckDBPyConnection, dict[int, dict[str, str]]],
) -> None:
    con, truth = owner_world
    found = {m.ordinal: m for m in search_owners(con, "searched", "register")}
    kinds: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for ordinal, row in truth.items():
        if row["誤り種別"] in SEARCHED_ERRORS:
            kinds[row["誤り種別"]] += 1
            match = found.get(ordinal)
            right[row["誤り種別"]] += match is not None and match.number == row["正しい個人番号"]
    assert set(kinds) == set(SEARCHED_ERRORS) and sum(kinds.values()) >= 200
    assert sum(right.values()) >= 0.95 * sum(kinds.values()), (right, kinds)
    # and a correct linkage almost never has another entry that fits better
    correct = [o for o, row in truth.items() if not row["誤り種別"] and o in found]
    named = sum(fits_better(found[o]) for o in correct)
    assert named <= 0.001 * len(correct)


def test_the_sql_prefilter_loses_nothing_the_blocking_rules_reach(
    owner_world: tuple[duckdb.DuckDBPyConnection, dict[int, dict[str, str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same results when every register row is keyed in Python (no SQL prefilter)."""
    con, truth = owner_world
    some = sorted(truth)[::7]
    con.execute(
        "CREATE OR REPLACE TABLE searched_some AS SELECT * FROM searched "
        "WHERE ordinal IN (SELECT unnest(?))",
        [some],
    )
    prefiltered = search_owners(con, "searched_some", "register")

    def everything(con: duckdb.DuckDBPyConnection, scratch: Any, *args: Any) -> str:
        name = f"{scratch.prefix}_all"
        con.execute(f"CREATE TEMP TABLE {name} AS SELECT row_id FROM register")
        scratch.tables.append(name)
        return name

    monkeypatch.setattr(owner, "_reachable_rows", everything)
    assert search_owners(con, "searched_some", "register") == prefiltered
