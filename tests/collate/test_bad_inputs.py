"""Inputs as they come from the field: other encodings, missing columns, empty or absent files,
an OUT_DIR that can't be written, huge fields, damaged numbers and bytes (spec §1, §4, §5)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from typer.testing import CliRunner

from himoken.cli import app
from himoken.collate import outputs
from himoken.collate.run import CollateError, collate
from tests.collate.conftest import (
    RECORD_COLUMNS,
    REGISTER_COLUMNS,
    Run,
    csv_text,
    number,
    reasons,
    run_files,
    run_rows,
    write_records,
    write_register,
    write_table,
)
from tests.collate.test_verdicts import RECORDS as CASES
from tests.collate.test_verdicts import REGISTER

# Cases whose text needs more than ASCII in every encoding: 髙, 〓, kana, full-width digits.
CASE_IDS = ["MATCH", "KANJI", "KANA", "ADDR", "MOVED", "RENAMED", "KANA_DIFF", "GAIJI", "FAMILY",
            "HOMONYM", "EXCEL", "NOT_IN_REGISTER", "WIDE", "GROUPED_SPACE"]  # fmt: skip
SOME = [r for r in CASES if r["レコード番号"] in CASE_IDS]
UNDECODABLE = b"\x85\x40"  # neither UTF-8 nor CP932
FINISHED = ("results.csv", "summary.json")


def outcome(run: Run) -> list[tuple[str, str, str, str]]:
    return [(r["レコード番号"], r["判定"], r["理由"], r["候補個人番号"]) for r in run.rows]


def plant_earlier_outputs(out: Path) -> None:
    """What an earlier finished run leaves in OUT_DIR."""
    out.mkdir(parents=True, exist_ok=True)
    for name in FINISHED:
        (out / name).write_text("earlier run\n", encoding="utf-8")


def assert_nothing_looks_finished(out: Path) -> None:
    for name in FINISHED:
        assert not (out / name).exists(), name


# --- encodings --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def utf8_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_rows(tmp_path_factory.mktemp("utf8"), REGISTER, SOME)


def test_the_cases_give_their_verdicts_in_utf8(utf8_run: Run) -> None:
    verdicts = {r["レコード番号"]: r["判定"] for r in utf8_run.rows}
    assert verdicts["KANJI"] == "NOTATION" and verdicts["GAIJI"] == "REVIEW"
    assert verdicts["FAMILY"] == "SUSPECT" and verdicts["EXCEL"] == "INVALID"


@pytest.mark.parametrize(
    ("register_encoding", "records_encoding", "bom"),
    [
        ("cp932", "cp932", False),
        ("utf-16-le", "utf-16-le", True),
        ("utf-8", "utf-8", True),
        ("cp932", "utf-16-le", True),
    ],
    ids=["cp932", "utf16-bom", "utf8-bom", "cp932-register-utf16-records"],
)
def test_other_encodings_give_the_same_results(
    tmp_path: Path, utf8_run: Run, register_encoding: str, records_encoding: str, bom: bool
) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER, encoding=register_encoding,
                              bom=bom and register_encoding != "cp932")  # fmt: skip
    records = write_records(tmp_path / "records.csv", SOME, encoding=records_encoding, bom=bom)
    if register_encoding == "cp932":  # the variant form is there in CP932's own bytes
        assert "髙".encode("cp932") in register.read_bytes()
    run = run_files(register, records, tmp_path / "out")
    assert outcome(run) == outcome(utf8_run)
    assert [r["説明"] for r in run.rows] == [r["説明"] for r in utf8_run.rows]


def test_crlf_tsv_input_gives_the_same_results(tmp_path: Path, utf8_run: Run) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER, newline="\r\n")
    records = tmp_path / "records.tsv"
    records.write_text(csv_text(SOME, RECORD_COLUMNS, delimiter="\t"), encoding="utf-8")
    assert outcome(run_files(register, records, tmp_path / "out")) == outcome(utf8_run)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_register_row_with_an_extra_field_is_still_matched_in_any_encoding(
    tmp_path: Path, encoding: str
) -> None:
    """A UTF-8 register is read by the SQL engine, which drops rows it cannot parse; the
    engine's reader keeps them. The verdict must not depend on which read the file."""
    register = tmp_path / "register.csv"
    lines = [
        "個人番号,氏名,生年月日,性別,住所",
        f"{number(1)},山田　太郎,1980-01-01,1,大阪府大阪市北区梅田1-1",
        f"{number(2)},鈴木　花子,1981-02-02,2,大阪府大阪市北区梅田1-2,余分",
    ]
    register.write_text("\n".join(lines) + "\n", encoding=encoding)
    people = [
        ("A1", number(1), "山田太郎", "1980-01-01"),
        ("A2", number(2), "鈴木花子", "1981-02-02"),
    ]
    columns = ("レコード番号", "個人番号", "氏名", "生年月日")
    records = write_records(
        tmp_path / "records.csv", [dict(zip(columns, p, strict=True)) for p in people]
    )
    run = run_files(register, records, tmp_path / "out")
    assert run["A2"]["判定"] == "MATCH"
    assert "register_malformed_rows: 1" in (tmp_path / "out" / "run.log").read_text("utf-8")


# --- damaged rows lose nothing ----------------------------------------------------------------


def test_damaged_numbers_and_undecodable_bytes_in_a_cp932_file_lose_nothing(
    tmp_path: Path,
) -> None:
    rows = [
        {**SOME[0], "レコード番号": "D1"},
        {**SOME[1], "レコード番号": "D2", "個人番号": "1.23457E+11"},
        {**SOME[2], "レコード番号": "D3", "個人番号": "@@BAD@@"},
        {**SOME[3], "レコード番号": "D4"},
    ]
    data = csv_text(rows, RECORD_COLUMNS).encode("cp932")
    data = data.replace(b"@@BAD@@", b"7310" + UNDECODABLE + b"123456")
    records = tmp_path / "records.csv"
    records.write_bytes(data)
    register = write_register(tmp_path / "register.csv", REGISTER)
    run = run_files(register, records, tmp_path / "out")
    assert [r["レコード番号"] for r in run.rows] == ["D1", "D2", "D3", "D4"]
    assert run.summary["run"]["record_rows"] == 4
    first, excel, undecodable, last = run.rows
    assert first["判定"] == "MATCH" and last["判定"] == "NOTATION"  # the rest read as CP932
    for row, line in ((excel, 3), (undecodable, 4)):
        assert (row["判定"], reasons(row)[0]) == ("INVALID", "MALFORMED"), row
        assert f"{line}行目「個人番号」" in row["説明"], row
    assert "1.23457E+11" in excel["説明"]


def test_a_huge_field_is_processed_and_its_row_accounted_for(tmp_path: Path) -> None:
    huge = "山田" + "あ" * 350_000  # about 1 MB in UTF-8
    rows = [
        {**SOME[0], "レコード番号": "H1"},
        {**SOME[1], "レコード番号": "H2", "氏名": huge},
        {**SOME[2], "レコード番号": "H3"},
    ]
    run = run_rows(tmp_path, REGISTER, rows)
    assert (tmp_path / "records.csv").stat().st_size > 1_000_000
    assert [r["レコード番号"] for r in run.rows] == ["H1", "H2", "H3"]
    assert run.rows[0]["判定"] == "MATCH" and run.rows[2]["判定"] == "NOTATION"
    # a long name is a name that differs, not a broken row
    assert run.rows[1]["判定"] in ("REVIEW", "SUSPECT"), run.rows[1]
    assert "NAME_DIFF" in reasons(run.rows[1])


# --- runs that cannot be done -----------------------------------------------------------------


def test_missing_required_register_column_names_file_and_column(tmp_path: Path) -> None:
    columns = [c for c in REGISTER_COLUMNS if c != "生年月日"]
    register = write_table(tmp_path / "register.csv", REGISTER, columns)
    records = write_records(tmp_path / "records.csv", SOME)
    out = tmp_path / "out"
    plant_earlier_outputs(out)
    with pytest.raises(CollateError) as raised:
        collate(register, records, out)
    message = str(raised.value)
    assert "register.csv" in message and "生年月日" in message and "\n" not in message
    assert_nothing_looks_finished(out)


def test_missing_required_records_column_fails_the_command_with_one_line(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    columns = [c for c in RECORD_COLUMNS if c != "レコード番号"]
    records = write_table(tmp_path / "records.csv", SOME, columns)
    out = tmp_path / "out"
    good = run_files(register, write_records(tmp_path / "good.csv", SOME), out)
    assert good.rows  # an earlier run finished here
    result = CliRunner().invoke(
        app, ["collate", "--register", str(register), "--records", str(records), "--out", str(out)]
    )
    assert result.exit_code != 0
    lines = [text for text in result.stderr.splitlines() if text.strip()]
    assert len(lines) == 1, result.stderr
    assert "records.csv" in lines[0] and "レコード番号" in lines[0]
    assert_nothing_looks_finished(out)


@pytest.mark.parametrize("which", ["register", "records"])
def test_zero_byte_file(tmp_path: Path, which: str) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    records = write_records(tmp_path / "records.csv", SOME)
    empty = register if which == "register" else records
    empty.write_bytes(b"")
    out = tmp_path / "out"
    plant_earlier_outputs(out)
    with pytest.raises(CollateError) as raised:
        collate(register, records, out)
    assert str(empty) in str(raised.value) and "\n" not in str(raised.value)
    assert_nothing_looks_finished(out)


def test_header_without_columns_is_refused(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    records = tmp_path / "records.csv"
    records.write_bytes(codecs.BOM_UTF8 + b"\r\n\r\n")
    with pytest.raises(CollateError) as raised:
        collate(register, records, tmp_path / "out")
    assert str(records) in str(raised.value)


def test_file_that_does_not_exist(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    missing = tmp_path / "no-such-records.csv"
    out = tmp_path / "out"
    plant_earlier_outputs(out)
    with pytest.raises(CollateError) as raised:
        collate(register, missing, out)
    assert str(missing) in str(raised.value)
    assert_nothing_looks_finished(out)
    result = CliRunner().invoke(
        app, ["collate", "--register", str(register), "--records", str(missing), "--out", str(out)]
    )
    assert result.exit_code != 0 and "no-such-records.csv" in result.stderr


def test_unwritable_out_dir(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    records = write_records(tmp_path / "records.csv", SOME)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n", encoding="utf-8")
    out = blocker / "out"
    with pytest.raises(CollateError) as raised:
        collate(register, records, out)
    assert "a-file" in str(raised.value) and "\n" not in str(raised.value)
    result = CliRunner().invoke(
        app, ["collate", "--register", str(register), "--records", str(records), "--out", str(out)]
    )
    assert result.exit_code != 0 and "a-file" in result.stderr


def test_interrupted_run_leaves_nothing_that_looks_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    records = write_records(tmp_path / "records.csv", SOME)
    out = tmp_path / "out"
    plant_earlier_outputs(out)

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(outputs, "write_worklist", interrupted)  # after results.csv is written
    with pytest.raises(KeyboardInterrupt):
        collate(register, records, out)
    assert_nothing_looks_finished(out)
    assert [p.name for p in out.iterdir() if p.name in ("results.parquet", "run.log")] == []


def test_a_summary_that_breaks_its_schema_is_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug that made summary.json invalid stops the run with the schema's reasons (not a
    TypeError), and nothing looks finished."""
    from himoken.collate.run import _Run
    from himoken.summary import SummaryError

    register = write_register(tmp_path / "register.csv", REGISTER)
    records = write_records(tmp_path / "records.csv", SOME)
    out = tmp_path / "out"
    monkeypatch.setattr(_Run, "_summary", lambda self, labels, counts: {"schema": "broken"})
    with pytest.raises(SummaryError, match=r"summary\.json: .*required property"):
        collate(register, records, out)
    assert_nothing_looks_finished(out)
