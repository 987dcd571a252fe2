"""XLSX, Parquet and fixed width: values as text without damage, every row accounted for, each
row able to say where its fields are (spec §1, §4, §5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from himoken.collate.ingest import (
    UnreadableFile,
    open_table,
    read_fixed_width,
    read_parquet,
    read_xlsx,
)
from himoken.collate.profiles import FileLayout, FixedField, load_profile

REQUIRED = ("レコード番号", "個人番号", "氏名", "生年月日")
HEADER = ["レコード番号", "個人番号", "氏名", "生年月日"]


def ordinals_contiguous(rows: list) -> bool:
    return [r.ordinal for r in rows] == list(range(1, len(rows) + 1))


# --- XLSX -------------------------------------------------------------------------------------


def workbook(path: Path, rows: list[list], title: str = "Sheet1", extra: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if extra:
        book.create_sheet(extra).append(["他のシート"])
    book.save(path)
    return path


def test_xlsx_cells_become_text_without_damage(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx",
        [
            [None],  # blank rows above the header are skipped
            [*HEADER, "登録順", "登録日時"],
            ["A1", 123456789018, "山田　太郎", dt.datetime(1985, 3, 1), 3,
             dt.datetime(2020, 4, 1, 9, 30)],
            [],  # blank: not a row
            [None, None, None, None],
            ["A2", 23456789018, "田中　花子", "昭和60年3月1日", 4.0, None],  # leading zero lost
            ["A3", "012345678901", None, None, 2.5],  # text number kept as typed; empty cells
        ],
    )  # fmt: skip
    table = read_xlsx(path, REQUIRED)
    rows = list(table.rows)
    assert table.kind == "xlsx" and table.sheet == "Sheet1"
    assert table.header == (*HEADER, "登録順", "登録日時")
    assert [(r.ordinal, r.line) for r in rows] == [(1, 3), (2, 6), (3, 7)]
    first, short, sparse = (r.values for r in rows)
    assert first["個人番号"] == "123456789018" and first["生年月日"] == "1985-03-01"
    assert first["登録順"] == "3" and first["登録日時"] == "2020-04-01T09:30:00"
    assert (
        short["個人番号"] == "23456789018"
    )  # digits as stored; the number parser calls it MALFORMED
    assert short["登録順"] == "4" and short["登録日時"] == ""
    assert (
        sparse["個人番号"] == "012345678901" and sparse["氏名"] == "" and sparse["登録順"] == "2.5"
    )
    assert sparse["登録日時"] == ""  # trailing cells Excel didn't store
    assert not any(r.malformed for r in rows)


def test_xlsx_locate_names_sheet_cell_and_column(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx", [HEADER, ["A1", "1.23457E+11", "山田　太郎", "1985-03-01"]], "台帳"
    )
    [row] = list(read_xlsx(path, REQUIRED).rows)
    assert row.locate("個人番号") == "シート「台帳」B2「個人番号」"
    assert row.locate("生年月日") == "シート「台帳」D2「生年月日」"
    assert row.locate() == "シート「台帳」2行目"


def test_xlsx_a_value_outside_the_header_makes_its_row_malformed(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx",
        [HEADER, ["A1", "123456789018", "山田　太郎", "1985-03-01", None, "メモ"],
         ["A2", "983205673214", "田中　花子", "1990-01-01", None, None]],
    )  # fmt: skip
    first, second = read_xlsx(path, REQUIRED).rows
    assert first.problems == ("シート「Sheet1」F2: 見出しのない列に値がある",)
    assert not second.malformed


def test_xlsx_sheets_by_name_and_header_only(tmp_path: Path) -> None:
    path = workbook(tmp_path / "r.xlsx", [HEADER], "台帳", extra="集計")
    assert list(read_xlsx(path, REQUIRED).rows) == []
    assert read_xlsx(path, (), sheet="集計").header == ("他のシート",)
    with pytest.raises(UnreadableFile, match=r"シート「名簿」がない\(あるのは「台帳」「集計」\)"):
        read_xlsx(path, REQUIRED, sheet="名簿")


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([], "シート「Sheet1」にヘッダがない"),
        ([[None], ["レコード番号", "個人番号", "生年月日"]],
         "シート「Sheet1」2行目: 必須列「氏名」がない"),
    ],
)  # fmt: skip
def test_xlsx_that_cannot_be_used(tmp_path: Path, rows: list, reason: str) -> None:
    path = workbook(tmp_path / "r.xlsx", rows)
    with pytest.raises(UnreadableFile) as raised:
        read_xlsx(path, REQUIRED)
    assert str(path) in str(raised.value) and reason in str(raised.value)


def test_corrupt_and_old_workbooks(tmp_path: Path) -> None:
    corrupt = tmp_path / "r.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(UnreadableFile, match="XLSXとして読めない"):
        open_table(corrupt, REQUIRED)
    old = tmp_path / "r.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    with pytest.raises(UnreadableFile, match=r"\.xls"):
        open_table(old, REQUIRED)
    empty = tmp_path / "e.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFile, match="空のファイル"):
        open_table(empty, REQUIRED)


def test_a_workbook_is_recognised_by_content_whatever_its_name(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "r.xlsx", [HEADER, ["A1", "123456789018", "山田　太郎", "1985-03-01"]]
    )
    renamed = path.rename(tmp_path / "extract.dat")
    table = open_table(renamed, REQUIRED)
    assert table.kind == "xlsx" and next(table.rows).values["レコード番号"] == "A1"


def test_a_text_export_named_xls_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"  # what many systems call an "Excel" download
    path.write_bytes("\t".join(HEADER).encode("cp932") + b"\r\nA1\t123456789018\t\x8eR\t1985\r\n")
    table = open_table(path, REQUIRED)
    assert table.kind == "delimited" and table.delimiter == "\t" and table.encoding == "cp932"
    assert next(table.rows).values["氏名"] == "山"


# --- Parquet ----------------------------------------------------------------------------------


def parquet(path: Path, columns: dict[str, pa.Array], row_group_size: int | None = None) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=row_group_size)
    return path


def test_parquet_values_become_text_and_nulls_empty(tmp_path: Path) -> None:
    path = parquet(
        tmp_path / "r.parquet",
        {
            "レコード番号": pa.array(["A1", "A2", None]),
            "個人番号": pa.array([123456789018, None, 23456789018], pa.int64()),
            "氏名": pa.array(["山田　太郎", "田中　花子", ""]),
            "生年月日": pa.array([dt.date(1985, 3, 1), None, dt.date(2001, 1, 2)]),
            "登録順": pa.array([1.0, 2.5, None]),
            "登録日時": pa.array([dt.datetime(2020, 4, 1), dt.datetime(2020, 4, 1, 9, 30), None]),
            "旧": pa.array([b"\x82\xa0", b"\x85\x40", None]),  # CP932 あ; bytes of nothing
        },
    )
    table = read_parquet(path, REQUIRED)
    rows = list(table.rows)
    assert table.kind == "parquet" and ordinals_contiguous(rows)
    first, second, third = (r.values for r in rows)
    assert first == {
        "レコード番号": "A1", "個人番号": "123456789018", "氏名": "山田　太郎",
        "生年月日": "1985-03-01", "登録順": "1", "登録日時": "2020-04-01", "旧": "あ",
    }  # fmt: skip
    assert second["個人番号"] == "" and second["登録順"] == "2.5"
    assert second["登録日時"] == "2020-04-01T09:30:00"
    assert third["レコード番号"] == "" and third["個人番号"] == "23456789018"
    assert [r.malformed for r in rows] == [False, True, False]
    assert rows[1].problems == ("行グループ1 / 2行目「旧」: 文字として読めないバイトがある",)


def test_parquet_is_streamed_by_batches_and_located_by_row_group(tmp_path: Path) -> None:
    n = 2_500
    path = parquet(
        tmp_path / "r.parquet",
        {
            "レコード番号": pa.array([f"A{i}" for i in range(n)]),
            "個人番号": pa.array(["123456789018"] * n),
            "氏名": pa.array(["山田　太郎"] * n),
            "生年月日": pa.array(["1985-03-01"] * n),
        },
        row_group_size=1_000,
    )
    rows = list(read_parquet(path, REQUIRED, batch_rows=300).rows)
    assert len(rows) == n and ordinals_contiguous(rows)
    assert rows[1_000].values["レコード番号"] == "A1000" and rows[1_000].line == 1_001
    assert rows[0].locate("個人番号") == "行グループ1 / 1行目「個人番号」"
    assert rows[1_000].locate("個人番号") == "行グループ2 / 1001行目「個人番号」"
    assert rows[-1].locate() == "行グループ3 / 2500行目"


def test_parquet_that_cannot_be_used(tmp_path: Path) -> None:
    path = parquet(tmp_path / "r.parquet", {"レコード番号": pa.array(["A1"])})
    with pytest.raises(UnreadableFile, match="必須列「個人番号」「氏名」「生年月日」がない"):
        read_parquet(path, REQUIRED)
    corrupt = tmp_path / "c.parquet"
    corrupt.write_bytes(b"PAR1 broken")
    with pytest.raises(UnreadableFile, match="Parquetとして読めない"):
        open_table(corrupt, REQUIRED)
    header_only = parquet(tmp_path / "h.parquet", {c: pa.array([], pa.string()) for c in HEADER})
    assert list(open_table(header_only, REQUIRED).rows) == []


# --- Fixed width ------------------------------------------------------------------------------

LAYOUT = (
    FixedField("レコード番号", 0, 6),
    FixedField("個人番号", 6, 12),
    FixedField("氏名", 18, 10),
    FixedField("生年月日", 28, 8),
)


def fixed(path: Path, lines: list[bytes], ending: bytes = b"\r\n") -> Path:
    path.write_bytes(b"".join(line + ending for line in lines))
    return path


def line(record_id: str, number: str, name: str, born: str) -> bytes:
    def pad(text: str, width: int) -> bytes:
        data = text.encode("cp932")
        return data + b" " * (width - len(data))

    return pad(record_id, 6) + pad(number, 12) + pad(name, 10) + pad(born, 8)


def test_fixed_width_fields_by_byte(tmp_path: Path) -> None:
    path = fixed(
        tmp_path / "r.dat",
        [
            line("A1", "123456789018", "山田　太郎", "19850301"),
            b"",  # blank: not a row
            line("A2", "983205673214", "ﾀﾅｶ ﾊﾅｺ", "19900101"),
            "A3    123456789018髙橋　".encode("cp932") + "　　".encode("cp932") + b"19850301",
        ],
    )
    table = read_fixed_width(path, REQUIRED, LAYOUT)
    rows = list(table.rows)
    assert table.kind == "fixed_width" and table.encoding == "cp932" and ordinals_contiguous(rows)
    assert [r.line for r in rows] == [1, 3, 4]
    assert rows[0].values == {
        "レコード番号": "A1", "個人番号": "123456789018", "氏名": "山田　太郎",
        "生年月日": "19850301",
    }  # fmt: skip
    assert rows[1].values["氏名"] == "ﾀﾅｶ ﾊﾅｺ"  # inner spaces kept, padding removed
    assert rows[2].values["氏名"] == "髙橋"  # full-width padding removed too
    assert not any(r.malformed for r in rows)
    assert rows[0].locate("個人番号") == "1行目(7バイト目)「個人番号」"
    assert rows[2].locate("生年月日") == "4行目(29バイト目)「生年月日」"


def test_fixed_width_short_lines_and_undecodable_fields(tmp_path: Path) -> None:
    good = line("A1", "123456789018", "山田　太郎", "19850301")
    undecodable = good[:18] + b"\x85\x40" + good[20:]
    path = fixed(
        tmp_path / "r.dat",
        [good, good[:24], undecodable, good[:14], good.replace(b"A1", b"A5")],
        ending=b"\n",
    )
    rows = list(read_fixed_width(path, REQUIRED, LAYOUT).rows)
    assert [r.malformed for r in rows] == [False, True, True, True, False]
    assert rows[1].problems == (
        "2行目(19バイト目)「氏名」: 行が24バイトで短い(レイアウトは36バイト)",
    )
    assert "生年月日" not in rows[1].values  # the line ends before it
    assert rows[2].problems == ("3行目(19バイト目)「氏名」: cp932として読めないバイトがある",)
    assert rows[2].values["個人番号"] == "123456789018" and rows[2].values["レコード番号"] == "A1"
    assert rows[3].problems == (
        "4行目(7バイト目)「個人番号」: 行が14バイトで短い(レイアウトは36バイト)",
    )


def test_fixed_width_through_a_profile(tmp_path: Path) -> None:
    path = fixed(tmp_path / "r.dat", [line("A1", "123456789018", "山田　太郎", "19850301")])
    layout = FileLayout(
        fixed_width=(FixedField("宛名番号", 0, 6), *LAYOUT[1:]),
        columns={"宛名番号": "レコード番号"},
    )
    table = open_table(path, REQUIRED, layout)
    [row] = table.rows
    assert table.header == tuple(HEADER) and row.values["レコード番号"] == "A1"
    assert row.locate("レコード番号") == "1行目(1バイト目)「宛名番号」"
    with pytest.raises(UnreadableFile, match="固定長レイアウトに必須列「生年月日」がない"):
        open_table(path, REQUIRED, FileLayout(fixed_width=LAYOUT[:3]))


def test_the_shipped_example_profile_reads_its_extract(tmp_path: Path) -> None:
    profile = load_profile("example-fixed-width")

    def field(text: str, width: int) -> bytes:
        data = text.encode("cp932")
        assert len(data) <= width
        return data + b" " * (width - len(data))

    record = b"".join(
        field(text, width)
        for text, width in (
            ("0000012345", 10), ("123456789018", 12), ("\ue000橋　太郎", 30), ("ﾀｶﾊｼ ﾀﾛｳ", 30),
            ("3600301", 7), ("1", 1), ("大阪市北区梅田一丁目2番3号", 80), ("20200401", 8),
            ("OP001", 8),
        )
    )  # fmt: skip
    assert len(record) == 186
    path = fixed(tmp_path / "records.dat", [record])
    [row] = open_table(path, ("レコード番号", "個人番号", "氏名", "生年月日"), profile.records).rows
    assert row.values == {
        "レコード番号": "0000012345", "個人番号": "123456789018", "氏名": "\ue000橋　太郎",
        "氏名フリガナ": "ﾀｶﾊｼ ﾀﾛｳ", "生年月日": "3600301", "性別": "男",
        "住所": "大阪市北区梅田一丁目2番3号", "紐付け日": "20200401", "登録者": "OP001",
    }  # fmt: skip
    assert profile.gaiji["\ue000"] == "髙"
