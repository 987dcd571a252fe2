"""The files and command of the collation contract (spec §1, §4, §8) as a batch job sees them.

One RECORDS file mixes ordinary cases with rejected rows (undecodable bytes, too few fields, a
repeated レコード番号, a row with no id), blank lines and a quoted field spanning lines; it is
collated once through the `himoken collate` command with organisation labels.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from himoken.cli import app
from himoken.collate.run import collate
from himoken.summary import validate
from tests.collate.conftest import (
    FLAGGED,
    RECORD_COLUMNS,
    RESULT_HEADER,
    SEVERITY,
    Run,
    csv_text,
    read_results,
    reasons,
    run_files,
    write_records,
    write_register,
)
from tests.collate.test_verdicts import RECORDS as CASES
from tests.collate.test_verdicts import REGISTER

LABELS = {
    "--organisation-code": "271004",
    "--organisation-name": "大阪市",
    "--business": "障害者手帳",
    "--system": "手帳台帳システム",
}
UNDECODABLE = b"\x85\x40"  # neither UTF-8 nor CP932


def case(name: str, record_id: str, **changes: str) -> dict[str, str]:
    row = dict(next(r for r in CASES if r["レコード番号"] == name))
    return {**row, "レコード番号": record_id, **changes}


def line(row: dict[str, str]) -> bytes:
    """One CSV data line (UTF-8, LF) of a record dict."""
    return csv_text([row], RECORD_COLUMNS).split("\n", 1)[1].encode("utf-8")


# (record id expected in results.csv, the bytes of the data row); physical lines noted
ROWS: list[tuple[str, bytes]] = [
    ("K0001", line(case("MATCH", "K0001"))),  # line 2
    ("K0002", line(case("KANJI", "K0002")) + b"\n"),  # line 3, then a blank line 4
    ("K0003", line(case("KANA", "K0003")).replace("木村".encode(), "木".encode() + UNDECODABLE)),
    ("K0004", "K0004,123456789018,木村　京子\n".encode()),  # line 6: too few fields
    ("K0001", line(case("RENAMED", "K0001"))),  # line 7: the id again
    ("#ROW:6", ",,壊れた行\n".encode()),  # line 8: no id at all
    ("K0007", line(case("ADDR", "K0007", 申請書番号="A-1\nA-2"))),  # lines 9-10
    ("K0008", line(case("EXCEL", "K0008"))),  # line 11
    ("K0009", line(case("HOMONYM", "K0009"))),
    ("K0010", line(case("MOVED", "K0010"))),
    ("K0011", line(case("KANA_DIFF", "K0011"))),
    ("K0012", line(case("NOT_IN_REGISTER", "K0012"))),
    ("K0013", line(case("WIDE", "K0013")) + b"\n\n"),  # blank lines at the end
]
IDS = [record_id for record_id, _ in ROWS]


def records_bytes() -> bytes:
    header = csv_text([], RECORD_COLUMNS).encode("utf-8")
    return header + b"".join(data for _, data in ROWS)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, str]:
    where = tmp_path_factory.mktemp("contract")
    register = write_register(where / "register.csv", REGISTER)
    records = where / "records.csv"
    records.write_bytes(records_bytes())
    lines = records_bytes().split(b"\n")  # the physical lines the tests below name
    assert lines[3] == b"" and lines[4].startswith(b"K0003,") and lines[7].startswith(b",,")
    assert lines[8].startswith(b"K0007,") and lines[10].startswith(b"K0008,")
    out = where / "out"
    arguments = ["collate", "--register", str(register), "--records", str(records)]
    arguments += ["--out", str(out), *(item for pair in LABELS.items() for item in pair)]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 0, result.output
    return Run(None, out, read_results(out)), result.stdout  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def run(cli_run: tuple[Run, str]) -> Run:
    return cli_run[0]


# --- results.csv ------------------------------------------------------------------------------


def test_one_row_per_data_row_in_input_order(run: Run) -> None:
    assert [r["レコード番号"] for r in run.rows] == IDS


def test_header_bom_and_crlf(run: Run) -> None:
    data = (run.out / "results.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + ",".join(RESULT_HEADER).encode() + b"\r\n")
    assert data.endswith(b"\r\n")
    assert data.count(b"\n") == data.count(b"\r\n") == len(ROWS) + 1


def test_undecodable_bytes_reject_only_their_row(run: Run) -> None:
    row = run.rows[2]
    assert (row["判定"], reasons(row)[0]) == ("INVALID", "MALFORMED")
    assert "5行目" in row["説明"] and "「氏名」" in row["説明"]
    assert run.rows[1]["判定"] == "NOTATION" and run.rows[4]["判定"] == "INVALID"


def test_a_row_with_too_few_fields_is_malformed(run: Run) -> None:
    row = run.rows[3]
    assert (row["レコード番号"], row["判定"], reasons(row)[0]) == ("K0004", "INVALID", "MALFORMED")
    assert "6行目" in row["説明"]


def test_a_repeated_record_id_is_malformed_after_its_first_row(run: Run) -> None:
    first, again = run.rows[0], run.rows[4]
    assert first["判定"] == "MATCH"
    assert (again["判定"], reasons(again)[0]) == ("INVALID", "MALFORMED")
    assert "7行目" in again["説明"] and "レコード番号" in again["説明"]


def test_a_row_without_record_id_is_named_by_its_ordinal(run: Run) -> None:
    row = run.rows[5]
    assert row["レコード番号"] == "#ROW:6" and row["判定"] == "INVALID"
    assert "8行目" in row["説明"]


def test_a_quoted_field_spanning_lines_is_one_row(run: Run) -> None:
    assert run.rows[6]["判定"] == "NOTATION"
    # the lines after it are counted as physical lines
    assert "11行目「個人番号」" in run.rows[7]["説明"]


def test_flag_is_set_exactly_for_review_suspect_invalid(run: Run) -> None:
    for row in run.rows:
        assert row["判定"] in SEVERITY, row
        assert row["要確認"] == ("1" if row["判定"] in FLAGGED else "0"), row


def test_risk_is_an_integer_ranked_by_verdict_band(run: Run) -> None:
    for row in run.rows:
        assert re.fullmatch(r"\d{1,3}", row["リスク"]) and 0 <= int(row["リスク"]) <= 100, row
    ranked = ("MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT")
    for row in run.rows:
        for other in run.rows:
            a, b = row["判定"], other["判定"]
            if a in ranked and b in ranked and ranked.index(a) < ranked.index(b):
                assert int(row["リスク"]) < int(other["リスク"]), (row, other)
            if a == "REVIEW" and b == "INVALID":
                assert int(row["リスク"]) < int(other["リスク"]), (row, other)


def test_candidate_is_empty_unless_flagged(run: Run) -> None:
    for row in run.rows:
        if row["判定"] in ("MATCH", "NOTATION", "EXPLAINED"):
            assert row["候補個人番号"] == "", row
    assert any(row["候補個人番号"] for row in run.rows)  # HOMONYM, NOT_IN_REGISTER


def test_every_flagged_row_explains_itself(run: Run) -> None:
    for row in run.rows:
        if row["要確認"] == "1":
            assert row["説明"].strip(), row


# --- summary.json, run.log, the other outputs --------------------------------------------------


def test_summary_validates_and_counts_the_results(run: Run) -> None:
    summary = run.summary
    assert validate(summary) == []
    assert summary["run"]["record_rows"] == len(ROWS)
    assert summary["run"]["register_rows"] == len(REGISTER)
    assert sum(summary["verdicts"].values()) == len(ROWS)
    assert summary["verdicts"] == {v: sum(r["判定"] == v for r in run.rows) for v in SEVERITY}
    counted: dict[str, int] = {}
    for row in run.rows:
        for code in reasons(row):
            counted[code] = counted.get(code, 0) + 1
    assert summary["reasons"] == counted


def test_summary_carries_the_labels_given_on_the_command_line(run: Run) -> None:
    summary = run.summary
    assert summary["organisation"] == {"code": "271004", "name": "大阪市"}
    assert (summary["business"], summary["system"]) == ("障害者手帳", "手帳台帳システム")


def test_summary_holds_no_personal_data(run: Run) -> None:
    text = (run.out / "summary.json").read_text(encoding="utf-8")
    assert not re.search(r"[0-9０-９]{12}", text)
    for record_id in IDS:
        assert record_id not in text
    for resident in REGISTER:
        assert resident["個人番号"] not in text
        assert resident["氏名"] not in text and resident["氏名"].replace("　", "") not in text
        assert resident["住所"] not in text


def test_out_dir_holds_every_output(run: Run) -> None:
    for name in ("results.csv", "summary.json", "results.parquet", "worklist.xlsx", "run.log"):
        assert (run.out / name).stat().st_size > 0, name
    table = pq.read_table(run.out / "results.parquet")
    assert table.column("レコード番号").to_pylist() == IDS


def test_run_log_holds_no_number(run: Run) -> None:
    text = (run.out / "run.log").read_text(encoding="utf-8")
    assert text.strip()
    assert not re.search(r"\d{12}", text)
    assert not re.search(r"\d{4}[ -]\d{4}[ -]\d{4}", text)


def test_command_prints_the_verdict_table(cli_run: tuple[Run, str]) -> None:
    run, stdout = cli_run
    for label in ("一致", "表記差異", "経緯差異", "不一致", "誤紐付け疑い", "番号不正"):
        assert label in stdout
    invalid = run.summary["verdicts"]["INVALID"]
    assert re.search(rf"番号不正\s*│?\s*INVALID\s*│?\s*{invalid}\b", stdout), stdout


# --- header-only input, a second run into the same OUT_DIR ------------------------------------


def test_header_only_records_and_a_second_run_replacing_the_first(tmp_path: Path) -> None:
    register = write_register(tmp_path / "register.csv", REGISTER)
    records = write_records(tmp_path / "records.csv", [case("MATCH", "F1"), case("KANA", "F2")])
    out = tmp_path / "out"
    first = run_files(register, records, out)
    assert [r["レコード番号"] for r in first.rows] == ["F1", "F2"]
    first_id = first.summary["run"]["id"]

    empty = write_records(tmp_path / "empty.csv", [])
    second = collate(register, empty, out)
    data = (out / "results.csv").read_bytes()
    assert data == b"\xef\xbb\xbf" + ",".join(RESULT_HEADER).encode() + b"\r\n"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["run"]["id"] != first_id and summary == second.summary
    assert summary["run"]["record_rows"] == 0 and set(summary["verdicts"].values()) == {0}
    assert validate(summary) == []
    assert pq.read_table(out / "results.parquet").num_rows == 0
    assert not list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
