"""Records with their numbers checked; the register indexed by number with its warnings."""

from __future__ import annotations

from pathlib import Path

from himoken.collate.ingest import read_delimited
from himoken.collate.records import prepare_records
from himoken.mynumber import Problem
from himoken.synth import SynthOptions, generate

HEADER = "レコード番号,個人番号,氏名,生年月日"


def rows_of(tmp_path: Path, body: str) -> list:
    path = tmp_path / "r.csv"
    path.write_text(f"{HEADER}\n{body}", encoding="utf-8")
    return list(read_delimited(path).rows)


def test_numbers_are_checked_and_never_repaired(tmp_path: Path) -> None:
    records = list(
        prepare_records(
            rows_of(
                tmp_path,
                "A1,123456789018,山田　太郎,1985-03-01\n"
                "A2,１２３４５６７８９０１８,山田　太郎,1985-03-01\n"
                "A3,1234-5678-9018,山田　太郎,1985-03-01\n"
                "A4,123456789010,山田　太郎,1985-03-01\n"
                "A5,1.23457E+11,山田　太郎,1985-03-01\n"
                "A6,23456789018,山田　太郎,1985-03-01\n"
                "A7,,山田　太郎,1985-03-01\n",
            )
        )
    )
    ok, wide, grouped, check, excel, short, empty = records
    assert not ok.malformed and ok.number.number == "123456789018" and ok.notes == ()
    assert not wide.malformed and "全角" in wide.notes[0]
    assert not grouped.malformed and "区切り" in grouped.notes[0]
    assert not check.malformed and check.check_digit_fails
    for record, problem in ((excel, Problem.EXCEL_EXPONENT), (short, Problem.LOST_LEADING_ZERO),
                            (empty, Problem.EMPTY)):  # fmt: skip
        assert (
            record.malformed and record.number.problem is problem and record.number.number is None
        )
        assert record.problems[0].startswith(f"{record.row.line}行目「個人番号」")


def test_a_repeated_record_id_is_malformed_after_its_first_row(tmp_path: Path) -> None:
    records = list(
        prepare_records(
            rows_of(
                tmp_path,
                "A1,123456789018,山田　太郎,1985-03-01\n"
                "A1,983205673214,田中　花子,1990-01-01\n"
                ",983205673214,田中　花子,1990-01-01\n",
            )
        )
    )
    assert [r.malformed for r in records] == [False, True, False]
    assert records[1].problems == ("3行目「レコード番号」: 2行目と重複",)
    assert records[2].record_id == "#ROW:3"


def test_synthetic_records_all_accounted_for(tmp_path: Path) -> None:
    generate(SynthOptions(residents=1_500, seed=5, workers=1,
                          error_rates={"MALFORMED_ROW": 0.03, "EXCEL_DAMAGE": 0.02,
                                       "CHECK_DIGIT": 0.02}), tmp_path)  # fmt: skip
    table = read_delimited(tmp_path / "kokin-koza" / "records.csv")
    records = list(prepare_records(table.rows))
    truth = (tmp_path / "kokin-koza" / "truth.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(records) == len(truth)
    for record, line in zip(records, truth, strict=True):
        error = line.split(",")[4]
        if error in ("EXCEL_DAMAGE", "MALFORMED_ROW"):
            assert record.malformed, line
        if error == "CHECK_DIGIT":
            assert record.check_digit_fails, line
