"""Ingest: every data row accounted for, each problem with its line and column."""

from __future__ import annotations

import codecs
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from himoken.collate.ingest import UnreadableFile, open_table, read_delimited
from himoken.collate.profiles import FileLayout
from himoken.synth import SynthOptions, generate

REQUIRED = ("レコード番号", "個人番号", "氏名", "生年月日")
HEADER = "レコード番号,個人番号,氏名,生年月日"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_every_synthetic_row_is_accounted_for(tmp_path: Path, encoding: str) -> None:
    options = SynthOptions(
        residents=2_000, seed=4, encoding=encoding, workers=1,
        error_rates={"MALFORMED_ROW": 0.02, "EXCEL_DAMAGE": 0.01},
    )  # fmt: skip
    generate(options, tmp_path)
    for folder in sorted(p for p in tmp_path.iterdir() if p.is_dir()):
        table = read_delimited(folder / "records.csv", REQUIRED)
        rows = list(table.rows)
        truth = (folder / "truth.csv").read_text(encoding="utf-8").splitlines()[1:]
        assert table.encoding == encoding
        assert len(rows) == len(truth)
        assert [r.ordinal for r in rows] == list(range(1, len(rows) + 1))
        broken = {
            int(line.split(",")[0])
            for line in truth
            if ",UNDECODABLE," in line or ",MISSING_FIELDS," in line
        }
        assert {r.ordinal for r in rows if r.malformed} == broken
        for row in rows:
            assert row.line == row.ordinal + 1  # no multi-line fields in these files
            if row.malformed:
                assert f"{row.line}行目" in row.problems[0]


def test_encodings_are_detected_by_bom_then_utf8_then_cp932(tmp_path: Path) -> None:
    text = f"{HEADER}\r\nA1,123456789018,髙橋　太郎,昭和60年3月1日\r\n"
    cases = {
        "utf-8": "utf-8",
        "utf-8-sig": "utf-8-sig",
        "utf-16": "utf-16",
        "cp932": "cp932",
    }
    for written, detected in cases.items():
        table = read_delimited(write(tmp_path / f"{written}.csv", text, written), REQUIRED)
        [row] = list(table.rows)
        assert table.encoding == detected
        assert row.values["氏名"] == "髙橋　太郎" and not row.malformed


def test_the_encoding_can_be_overridden(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", f"{HEADER}\nA1,123456789018,山田　太郎,1985-03-01\n", "cp932")
    table = read_delimited(path, REQUIRED, encoding="cp932")
    assert next(table.rows).values["氏名"] == "山田　太郎"
    with pytest.raises(UnreadableFile, match="文字コード「nonsense」"):
        read_delimited(path, REQUIRED, encoding="nonsense")


def test_a_utf16_file_cut_mid_character_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + "個人番号,氏名\n".encode("utf-16-le") + b"\x00")
    with pytest.raises(UnreadableFile, match=r"register\.csv: utf-16として読めない"):
        read_delimited(path)


def test_only_the_row_with_undecodable_bytes_is_malformed(tmp_path: Path) -> None:
    good = "A1,123456789018,山田　太郎,1985-03-01\r\n".encode()
    bad = "A2,983205673214,山".encode() + b"\x85\x40" + "田,1985-03-02\r\n".encode()
    path = tmp_path / "r.csv"
    path.write_bytes(f"{HEADER}\r\n".encode() + good + bad + good.replace(b"A1", b"A3"))
    rows = list(read_delimited(path, REQUIRED).rows)
    assert [r.malformed for r in rows] == [False, True, False]
    assert rows[1].problems == ("3行目「氏名」: utf-8として読めないバイトがある",)
    assert rows[1].values["レコード番号"] == "A2"


def test_quoted_fields_spanning_lines_and_blank_lines(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        'A1,123456789018,"山田\n太郎",1985-03-01\n'
        "\n"
        "A2,983205673214,田中　花子,1990-01-01\n"
        "A3,123456789018\n"
    )
    rows = list(read_delimited(write(tmp_path / "r.csv", text), REQUIRED).rows)
    assert [(r.ordinal, r.line) for r in rows] == [(1, 2), (2, 5), (3, 6)]
    assert rows[0].values["氏名"] == "山田\n太郎"
    assert rows[2].problems == ("6行目: 列数が2(ヘッダは4列)",)


def test_tab_separated_files(tmp_path: Path) -> None:
    text = HEADER.replace(",", "\t") + "\nA1\t123456789018\t山田　太郎\t1985-03-01\n"
    table = read_delimited(write(tmp_path / "r.tsv", text), REQUIRED)
    assert table.delimiter == "\t"
    assert next(table.rows).values["個人番号"] == "123456789018"


def test_a_header_only_file_has_no_rows(tmp_path: Path) -> None:
    assert list(read_delimited(write(tmp_path / "r.csv", f"{HEADER}\r\n"), REQUIRED).rows) == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空のファイル"),
        (b"\r\n\r\n", "ヘッダがない"),
        ("レコード番号,個人番号,生年月日\r\n".encode(), "必須列「氏名」がない"),
        ("レコード番号,個人番号\r\n".encode(), "必須列「氏名」「生年月日」がない"),
    ],
)
def test_files_that_cannot_be_used_at_all(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "records.csv"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as raised:
        read_delimited(path, REQUIRED)
    message = str(raised.value)
    assert str(path) in message and reason in message and "\n" not in message


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match="読めない"):
        read_delimited(tmp_path / "nowhere.csv", REQUIRED)


def test_locate_on_text_files_keeps_the_wording_of_problems(tmp_path: Path) -> None:
    text = f"{HEADER}\nA1,123456789018,山田　太郎,1985-03-01\n\nA2,983205673214\n"
    first, second = read_delimited(write(tmp_path / "r.csv", text), REQUIRED).rows
    assert first.locate("個人番号") == "2行目「個人番号」" and first.locate() == "2行目"
    assert second.problems == (f"{second.locate()}: 列数が2(ヘッダは4列)",)


def test_a_profile_renames_columns_and_recodes_values(tmp_path: Path) -> None:
    text = "宛名番号,マイナンバー,氏名,生年月日,性別\nA1,123456789018,山田　太郎,1985-03-01,1\r\n"
    text += "A2,983205673214,田中　花子,1990-01-01, 2 \nA3,983205673214,田中　花子,1990-01-01,女\n"
    layout = FileLayout(
        columns={"宛名番号": "レコード番号", "マイナンバー": "個人番号"},
        codes={"性別": {"1": "男", "2": "女"}},
    )
    table = open_table(write(tmp_path / "r.csv", text), REQUIRED, layout)
    rows = list(table.rows)
    assert table.header == ("レコード番号", "個人番号", "氏名", "生年月日", "性別")
    assert rows[0].values["レコード番号"] == "A1" and rows[0].values["個人番号"] == "123456789018"
    assert [r.values["性別"] for r in rows] == [
        "男",
        "女",
        "女",
    ]  # unlisted values pass as they are
    assert rows[0].locate("個人番号") == "2行目「マイナンバー」"  # the file's own header
    assert rows[0].locate("氏名") == "2行目「氏名」"


def test_a_profile_cannot_make_two_columns_one_or_hide_a_missing_one(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", "宛名番号,レコード番号,個人番号,氏名,生年月日\n")
    with pytest.raises(
        UnreadableFile, match="列「宛名番号」と「レコード番号」がどちらも「レコード番号」"
    ):
        open_table(path, REQUIRED, FileLayout(columns={"宛名番号": "レコード番号"}))
    path = write(tmp_path / "r.csv", "番号,氏名,生年月日\n")
    with pytest.raises(UnreadableFile) as raised:
        open_table(path, REQUIRED, FileLayout(columns={"宛名番号": "レコード番号"}))
    assert "1行目: 必須列「レコード番号」(プロファイルでは「宛名番号」)「個人番号」がない" in str(
        raised.value
    )


def test_every_synthetic_row_is_accounted_for_in_xlsx_and_parquet(tmp_path: Path) -> None:
    errors = {"MALFORMED_ROW": 0.02, "EXCEL_DAMAGE": 0.01}
    generate(SynthOptions(residents=1_500, seed=7, workers=1, error_rates=errors), tmp_path)
    source = read_delimited(tmp_path / "jido-teate" / "records.csv", REQUIRED)
    header = list(source.header)
    rows = list(source.rows)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("台帳")
    sheet.append(header)
    for row in rows:
        sheet.append([row.values.get(c) for c in header])
        if row.ordinal % 100 == 0:
            sheet.append([])  # blank rows are not rows
    book.save(tmp_path / "records.xlsx")
    columns = {c: pa.array([r.values.get(c, "") for r in rows], pa.string()) for c in header}
    pq.write_table(pa.table(columns), tmp_path / "records.parquet", row_group_size=500)
    for name in ("records.xlsx", "records.parquet"):
        again = list(open_table(tmp_path / name, REQUIRED).rows)
        assert [r.ordinal for r in again] == list(range(1, len(rows) + 1)), name
        for before, after in zip(rows, again, strict=True):
            assert {c: v for c, v in after.values.items() if v} == {
                c: v for c, v in before.values.items() if v
            }
