"""One record against one register entry outside a run (`check`), and the files a run writes
for the review app: flagged.parquet (always) and register.parquet (`--keep-register`).

`check_linkage` is the engine's record-local step: on the hand-made cases of test_verdicts it
must say exactly what results.csv says wherever no other record or resident is involved.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from himoken.cli import app
from himoken.collate.backends.base import ANNOTATED_COLUMNS, ANNOTATED_SCHEMA
from himoken.collate.check import LinkageCheck, check_linkage, lookup_entry
from himoken.collate.profiles import REGISTER_COLUMNS
from himoken.collate.run import collate
from himoken.collate.verdicts import Reason, Verdict
from himoken.mynumber import parse
from himoken.synth import ERROR_TYPES, SynthOptions, generate
from tests.collate.conftest import (
    FLAGGED,
    number,
    read_results,
    write_records,
    write_register,
    wrong_check_digit,
)
from tests.collate.test_verdicts import RECORDS, REGISTER, N

SHINJUKU = "東京都新宿区西新宿二丁目8番1号"
FUKUOKA = "福岡県福岡市中央区天神一丁目1番1号"

ENTRY = {
    "個人番号": number(901),
    "氏名": "髙橋　京子",
    "氏名フリガナ": "タカハシ　キョウコ",
    "生年月日": "1975-11-03",
    "性別": "2",
    "住所": SHINJUKU,
    "世帯番号": "H01",
    "消除事由": "",
}


def linked_record(**changes: str) -> dict[str, str]:
    """A record of ENTRY's person linked to ENTRY's number, with `changes`."""
    fields = ("個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所")
    return {**{c: ENTRY[c] for c in fields}, "レコード番号": "R1", **changes}


# --- check_linkage on its own -----------------------------------------------------------------


def test_the_same_person_written_mechanically_differently_is_a_match() -> None:
    record = linked_record(
        氏名="髙橋京子", 氏名フリガナ="たかはし きょうこ", 生年月日="昭和50年11月3日", 性別="女"
    )
    check = check_linkage(record, ENTRY)
    assert check == LinkageCheck(Verdict.MATCH, (), "照合した項目はすべて一致。", ())
    assert not check.flagged


def test_a_kanji_variant_is_notation() -> None:
    check = check_linkage(linked_record(氏名="高橋　京子"), ENTRY)
    assert check.verdict is Verdict.NOTATION and not check.flagged
    assert check.reasons == (Reason.KANJI_VARIANT,)
    assert "髙" in check.explanation and "高" in check.explanation
    assert check.explanation == "。".join(check.notes) + "。"


def test_another_person_on_the_number_is_suspect() -> None:
    record = linked_record(
        氏名="中村　大輔", 氏名フリガナ="ナカムラ　ダイスケ", 生年月日="1985-09-09", 性別="2"
    )
    check = check_linkage(record, ENTRY)
    assert check.verdict is Verdict.SUSPECT and check.flagged
    assert {Reason.NAME_DIFF, Reason.BIRTHDATE_DIFF} <= set(check.reasons)
    assert "生年月日が異なる(1985-09-09/1975-11-03)" in check.explanation


def test_a_check_digit_failure_is_invalid_whatever_the_entry() -> None:
    record = linked_record(個人番号=wrong_check_digit(ENTRY["個人番号"]))
    for entry in (ENTRY, None):
        check = check_linkage(record, entry)
        assert (check.verdict, check.reasons) == (Verdict.INVALID, (Reason.CHECK_DIGIT,))
        assert check.explanation == "個人番号のチェックデジットが合わない。"


def test_a_malformed_number_is_invalid_and_says_what_is_wrong() -> None:
    check = check_linkage(linked_record(個人番号="1.23457E+11"), ENTRY)
    assert (check.verdict, check.reasons) == (Verdict.INVALID, (Reason.MALFORMED,))
    assert "指数表記" in check.explanation
    empty = check_linkage(linked_record(個人番号=""), None)
    assert (empty.verdict, empty.reasons) == (Verdict.INVALID, (Reason.MALFORMED,))


def test_a_number_the_register_lacks_is_invalid() -> None:
    check = check_linkage(linked_record(), None)
    assert (check.verdict, check.reasons) == (Verdict.INVALID, (Reason.NOT_IN_REGISTER,))
    assert check.explanation == "住民記録にこの番号がない。"


def test_a_removed_entry_is_review() -> None:
    check = check_linkage(linked_record(), {**ENTRY, "消除事由": "死亡"})
    assert (check.verdict, check.reasons) == (Verdict.REVIEW, (Reason.REMOVED,))
    assert "消除済み(死亡)" in check.explanation


def test_a_folded_number_is_noted_only() -> None:
    wide = ENTRY["個人番号"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    check = check_linkage(linked_record(個人番号=wide), ENTRY)
    assert (check.verdict, check.reasons) == (Verdict.MATCH, ())
    assert check.notes == ("個人番号の全角数字を半角に変換",)


def test_a_move_known_only_by_date_is_settled_as_the_engine_does() -> None:
    entry = {**ENTRY, "住所": FUKUOKA, "住所異動日": "2023-01-10"}
    record = linked_record(紐付け日="2021-06-01", 紐付け方法="申請書記載")
    assert check_linkage(record, entry).reasons == (Reason.MOVED,)
    partial = {**record, "紐付け方法": "住基ネット照会(一部情報)"}
    assert check_linkage(partial, entry).reasons == (Reason.ADDRESS_DIFF,)


# --- against a run of the hand-made cases -----------------------------------------------------

# Cases whose verdict the record and its entry alone decide (no pattern, no owner search, no
# register repeating the number, no row location in 説明).
LOCAL = (
    "MATCH", "MATCH_ERA", "KANJI", "KANA", "ADDR", "MOVED", "RENAMED", "RENAMED_WEAK",
    "MOVED_WEAK", "MOVED_PARTIAL", "RENAMED_NOT", "MOVED_BEFORE", "NAME_DIFF", "KANA_DIFF",
    "BIRTH_DIFF", "SEX_DIFF", "ADDRESS_DIFF", "REMOVED", "GAIJI", "SHIFT_1", "TWO_ITEMS", "WIDE",
    "GROUPED", "GROUPED_SPACE",
)  # fmt: skip


@pytest.fixture(scope="module")
def kept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT_DIR of the test_verdicts cases collated with keep_register."""
    where = tmp_path_factory.mktemp("kept")
    register = write_register(where / "register.csv", REGISTER)
    records = write_records(where / "records.csv", RECORDS)
    collate(register, records, where / "out", keep_register=True)
    return where / "out"


def test_check_linkage_says_what_the_engine_says_on_record_local_cases(kept: Path) -> None:
    results = {row["レコード番号"]: row for row in read_results(kept)}
    by_id = {record["レコード番号"]: record for record in RECORDS}
    for record_id in LOCAL:
        record, row = by_id[record_id], results[record_id]
        check = check_linkage(record, lookup_entry(kept / "register.parquet", record["個人番号"]))
        assert check.verdict.code == row["判定"], (record_id, check, row)
        assert ";".join(check.reasons) == row["理由"], (record_id, check, row)
        assert check.explanation == row["説明"], (record_id, check, row)


def test_the_engine_only_adds_to_check_linkage(kept: Path) -> None:
    """Cross-record evidence raises verdicts; nothing the record alone decides is lost."""
    results = {row["レコード番号"]: row for row in read_results(kept)}
    for record in RECORDS:
        row = results[record["レコード番号"]]
        check = check_linkage(record, lookup_entry(kept / "register.parquet", record["個人番号"]))
        assert Verdict[row["判定"]] >= check.verdict, (check, row)
        assert set(check.reasons) <= set(row["理由"].split(";")) - {""}, (check, row)


def test_lookup_entry_reads_back_the_register(kept: Path) -> None:
    register = kept / "register.parquet"
    for resident in REGISTER:
        entry = lookup_entry(register, resident["個人番号"])
        assert entry is not None and list(entry) == list(REGISTER_COLUMNS)
        assert entry == {c: resident.get(c, "") for c in REGISTER_COLUMNS}


def test_lookup_entry_folds_the_number_and_finds_nothing_else(kept: Path) -> None:
    register = kept / "register.parquet"
    kanji = N["kanji"]
    grouped = f"{kanji[:4]}-{kanji[4:8]}-{kanji[8:]}"
    wide = kanji.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert lookup_entry(register, grouped) == lookup_entry(register, wide)
    assert lookup_entry(register, kanji)["氏名"] == "髙橋　京子"
    for value in (N["absent"], wrong_check_digit(kanji), kanji[1:], "", "' OR '1'='1"):
        assert lookup_entry(register, value) is None, value


def test_flagged_parquet_is_the_flagged_results_with_both_sides(kept: Path) -> None:
    table = pq.read_table(kept / "flagged.parquet")
    assert table.schema == ANNOTATED_SCHEMA and tuple(table.column_names) == ANNOTATED_COLUMNS
    rows = table.to_pylist()
    results = read_results(kept)
    flagged = [(i, r) for i, r in enumerate(results, start=1) if r["要確認"] == "1"]
    assert [row["ordinal"] for row in rows] == [i for i, _ in flagged]
    for row, (ordinal, result) in zip(rows, flagged, strict=True):
        for column in ("レコード番号", "判定", "理由", "説明", "候補個人番号"):
            assert row[column] == result[column], (column, row, result)
        assert row["リスク"] == int(result["リスク"])
        record = RECORDS[ordinal - 1]
        assert row["linked"] == record["個人番号"]  # as given, e.g. 1.23457E+11
        assert row["r_氏名"] == record["氏名"] and row["r_住所"] == record.get("住所", "")
    by_id = {row["レコード番号"]: row for row in rows}
    assert by_id["REMOVED"]["e_氏名"] == "森　和夫" and by_id["REMOVED"]["e_消除事由"] == "死亡"
    assert by_id["NOT_IN_REGISTER"]["e_氏名"] is None
    homonym = by_id["HOMONYM"]
    assert homonym["候補個人番号"] == N["homonym_b"] and homonym["c_住所"].startswith("愛知県")
    assert by_id["ADDRESS_DIFF"]["c_氏名"] is None
    assert by_id["MOVED_PARTIAL"]["r_紐付け日"] == "2021-06-01"
    assert by_id["MOVED_PARTIAL"]["e_住所異動日"] == "2023-01-10"


def test_header_only_records_give_an_empty_flagged_parquet(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER[:3])
    records = write_records(tmp_path / "records.csv", [])
    collate(register, records, tmp_path / "out", keep_register=True)
    table = pq.read_table(tmp_path / "out" / "flagged.parquet")
    assert table.num_rows == 0 and table.schema == ANNOTATED_SCHEMA
    assert pq.read_table(tmp_path / "out" / "register.parquet").num_rows == 3


def test_register_parquet_keeps_valid_numbers_only_and_only_when_asked(tmp_path: Path) -> None:
    rows = [
        {**REGISTER[0]},
        {**REGISTER[1], "個人番号": wrong_check_digit(REGISTER[1]["個人番号"])},
        {**REGISTER[2], "個人番号": "1.23457E+11"},
        {**REGISTER[3], "個人番号": f"{N['address'][:4]} {N['address'][4:8]} {N['address'][8:]}"},
        {**REGISTER[4], "個人番号": N["match"]},  # the register holds this number twice
    ]
    register = write_register(tmp_path / "register.csv", rows)
    records = write_records(tmp_path / "records.csv", [RECORDS[0]])
    out = tmp_path / "out"
    arguments = ["collate", "--register", str(register), "--records", str(records)]
    result = CliRunner().invoke(app, [*arguments, "--out", str(out), "--keep-register"])
    assert result.exit_code == 0, result.output
    kept = pq.read_table(out / "register.parquet")
    assert kept.column_names == list(REGISTER_COLUMNS)
    assert kept.column("個人番号").to_pylist() == [N["match"], N["address"], N["match"]]
    assert lookup_entry(out / "register.parquet", N["match"])["氏名"] == "佐藤　健一"  # first

    result = CliRunner().invoke(app, [*arguments, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert not (out / "register.parquet").exists()  # an earlier run's copy is removed
    assert (out / "flagged.parquet").exists()


# --- a tiny synthetic prefecture --------------------------------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """600 residents, every wrong linkage at 2% (no undecodable rows), one extract collated
    through the command with --keep-register into world/out."""
    where = tmp_path_factory.mktemp("check_world")
    rates = {**dict.fromkeys(ERROR_TYPES, 0.02), "MALFORMED_ROW": 0.0}
    generate(SynthOptions(residents=600, seed=7, workers=1, error_rates=rates), where)
    arguments = ["collate", "--register", str(where / "register.csv"), "--records"]
    arguments += [str(where / "kokin-koza" / "records.csv"), "--out", str(where / "out")]
    result = CliRunner().invoke(app, [*arguments, "--keep-register"])
    assert result.exit_code == 0, result.output
    return where


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_flagged_parquet_holds_exactly_the_flagged_rows_of_a_world(world: Path) -> None:
    results = read_results(world / "out")
    records = read_csv(world / "kokin-koza" / "records.csv")
    assert len(records) == len(results)
    rows = pq.read_table(world / "out" / "flagged.parquet").to_pylist()
    flagged = [i for i, r in enumerate(results, start=1) if r["要確認"] == "1"]
    assert len(flagged) > 10 and {results[i - 1]["判定"] for i in flagged} == FLAGGED
    assert [row["ordinal"] for row in rows] == flagged
    for row in rows:
        result, record = results[row["ordinal"] - 1], records[row["ordinal"] - 1]
        assert (row["レコード番号"], row["判定"]) == (result["レコード番号"], result["判定"])
        assert row["r_氏名"] == record["氏名"] and row["linked"] == record["個人番号"]


def test_lookup_entry_round_trip_on_a_world(world: Path) -> None:
    register = read_csv(world / "register.csv")
    valid = [row for row in register if parse(row["個人番号"]).ok]
    kept = pq.read_table(world / "out" / "register.parquet")
    assert kept.column("個人番号").to_pylist() == [row["個人番号"] for row in valid]
    for row in valid[::25]:
        entry = lookup_entry(world / "out" / "register.parquet", row["個人番号"])
        assert entry is not None
        assert {c: entry[c] for c in row} == row
