"""worklist.xlsx as a clerk uses it: numbers masked, nothing interpreted, differences in red,
order kept, one sheet's worth at most, and never a half-written file.

Every behaviour is checked on both writers: the fast one (rows rendered as XML) and the one
that goes through xlsxwriter's API cell by cell. Files are read back with openpyxl.
"""

from __future__ import annotations

import random
import re
import zipfile
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.worksheet.worksheet import Worksheet

from himoken.collate import worklist
from himoken.collate.verdicts import Verdict
from himoken.collate.worklist import (
    EXCEL_MAX_CHARS,
    HEADERS,
    LIST_SHEET,
    SUMMARY_SHEET,
    WorklistEntry,
    write_worklist,
)
from himoken.mynumber import random_number, with_check_digit

JST = timezone(timedelta(hours=9))
WHEN = datetime(2026, 11, 27, 10, 15, tzinfo=JST)
RED = "FFFF0000"
RNG = random.Random(20261127)

PERSON = {
    "氏名": "試験　太郎",
    "氏名フリガナ": "シケン　タロウ",
    "生年月日": "1985-03-01",
    "性別": "1",
    "住所": "大阪府大阪市北区梅田一丁目2番3号",
}

both_writers = pytest.mark.parametrize("fast", [True, False], ids=["fast", "xlsxwriter"])


def entry(
    ordinal: int = 1,
    verdict: Verdict = Verdict.MATCH,
    *,
    record: Mapping[str, str] | None = None,
    register: Mapping[str, str] | None = None,
    candidate: Mapping[str, str] | None = None,
    reasons: tuple[str, ...] = (),
    risk: int = 0,
    record_id: str | None = None,
    explanation: str = "一致。",
    linked: str | None = None,
    candidate_number: str = "",
) -> WorklistEntry:
    record = dict(PERSON) if record is None else record
    return WorklistEntry(
        ordinal=ordinal,
        record_id=f"T{ordinal:06d}" if record_id is None else record_id,
        verdict=verdict,
        reasons=reasons,
        risk=risk,
        explanation=explanation,
        linked_number=random_number(RNG) if linked is None else linked,
        candidate_number=candidate_number,
        record=record,
        register=dict(record) if register is None else register,
        candidate={} if candidate is None else candidate,
    )


def write(tmp_path: Path, entries: Any, fast: bool, **options: Any) -> tuple[int, Path]:
    path = tmp_path / "worklist.xlsx"
    options.setdefault("generated_at", WHEN)
    return write_worklist(path, entries, fast=fast, **options), path


def sheets(path: Path) -> tuple[Worksheet, Worksheet]:
    book = openpyxl.load_workbook(path, rich_text=True)
    assert book.sheetnames == [LIST_SHEET, SUMMARY_SHEET]
    return book[LIST_SHEET], book[SUMMARY_SHEET]


def column(name: str) -> int:
    """1-based column of a header."""
    return HEADERS.index(name) + 1


def runs(value: Any) -> list[tuple[str, bool]]:
    """A cell's text as (text, red) runs, adjacent runs of the same kind merged."""
    if value is None:
        return []
    parts: list[tuple[str, bool]] = []
    items = value if isinstance(value, CellRichText) else [value]
    for item in items:
        if isinstance(item, TextBlock):
            red = bool(item.font.b) and item.font.color is not None and item.font.color.rgb == RED
            parts.append((item.text, red))
        else:
            parts.append((str(item), False))
    merged: list[tuple[str, bool]] = []
    for text, red in parts:
        if merged and merged[-1][1] == red:
            merged[-1] = (merged[-1][0] + text, red)
        elif text:
            merged.append((text, red))
    return merged


def text(value: Any) -> str | None:
    return None if value is None else "".join(t for t, _ in runs(value))


def data_rows(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(min_row=2, values_only=True))


def summary_texts(summary: Worksheet) -> list[str]:
    return [str(v) for row in summary.iter_rows(values_only=True) for v in row if v is not None]


# --- layout ------------------------------------------------------------------------------


@both_writers
def test_header_panes_filter_and_side_by_side_columns(tmp_path: Path, fast: bool) -> None:
    count, path = write(tmp_path, [entry(1), entry(2)], fast)
    sheet, _ = sheets(path)
    header = next(sheet.iter_rows(max_row=1, values_only=True))
    assert header == HEADERS
    assert header[:10] == (
        "行番号", "レコード番号", "判定", "要確認", "理由", "理由(日本語)",
        "リスク", "説明", "個人番号", "候補個人番号",
    )  # fmt: skip
    for item in ("氏名", "氏名フリガナ", "生年月日", "性別", "住所"):
        at = header.index(f"{item}(事務)")
        assert header[at + 1] == f"{item}(住民記録)"
    assert header[-3:] == ("氏名(候補)", "生年月日(候補)", "住所(候補)")
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == "A1:W3"
    assert sheet.column_dimensions["H"].width > sheet.column_dimensions["A"].width  # 説明
    assert count == 2


@both_writers
def test_verdicts_reasons_and_flagged_rows(tmp_path: Path, fast: bool) -> None:
    entries = [
        entry(
            7,
            Verdict.SUSPECT,
            register={**PERSON, "生年月日": "1990-07-15"},
            reasons=("FAMILY_MEMBER", "BIRTHDATE_DIFF"),
            risk=93,
            explanation="世帯員の番号の疑い。",
        ),
        entry(3, Verdict.MATCH),
    ]
    _, path = write(tmp_path, entries, fast)
    sheet, _ = sheets(path)
    suspect, match = data_rows(sheet)
    assert suspect[:8] == (
        7, "T000007", "誤紐付け疑い", 1, "FAMILY_MEMBER;BIRTHDATE_DIFF",
        "世帯員の番号、生年月日相違", 93, "世帯員の番号の疑い。",
    )  # fmt: skip
    assert match[:7] == (3, "T000003", "一致", 0, None, None, 0)
    # A flagged row is filled across the table, empty cells included; others are not.
    fills = {sheet.cell(2, col).fill.fgColor.rgb for col in range(1, len(HEADERS) + 1)}
    assert len(fills) == 1 and fills != {"00000000"}
    assert sheet.cell(2, column("候補個人番号")).fill.fgColor.rgb in fills  # empty cell
    assert sheet.cell(3, 1).fill.fill_type is None


@both_writers
def test_each_flagged_verdict_has_its_own_fill(tmp_path: Path, fast: bool) -> None:
    flagged = [Verdict.REVIEW, Verdict.SUSPECT, Verdict.INVALID]
    _, path = write(tmp_path, [entry(i, v) for i, v in enumerate(flagged, 1)], fast)
    sheet, _ = sheets(path)
    fills = [sheet.cell(row, 1).fill.fgColor.rgb for row in (2, 3, 4)]
    assert len(set(fills)) == 3


# --- numbers -----------------------------------------------------------------------------


@both_writers
def test_numbers_are_masked_by_default(tmp_path: Path, fast: bool) -> None:
    linked, candidate = random_number(RNG), with_check_digit("12345678901")
    e = entry(1, Verdict.SUSPECT, linked=linked, candidate_number=candidate)
    _, path = write(tmp_path, [e], fast)
    sheet, summary = sheets(path)
    shown = sheet.cell(2, column("個人番号"))
    assert shown.value == "********" + linked[-4:]
    assert sheet.cell(2, column("候補個人番号")).value == "********" + candidate[-4:]
    # The full numbers are nowhere in the file.
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            assert linked.encode() not in data and candidate.encode() not in data
    assert any("下4桁" in t for t in summary_texts(summary))


@both_writers
def test_show_numbers_writes_them_whole_as_text(tmp_path: Path, fast: bool) -> None:
    linked = with_check_digit("00012345678")  # leading zeros: lost if it became a number
    candidate = random_number(RNG)
    e = entry(1, Verdict.SUSPECT, linked=linked, candidate_number=candidate)
    _, path = write(tmp_path, [e], fast, show_numbers=True)
    sheet, summary = sheets(path)
    for name, number in (("個人番号", linked), ("候補個人番号", candidate)):
        cell = sheet.cell(2, column(name))
        assert cell.value == number
        assert cell.data_type == "s"
    assert any("全桁" in t for t in summary_texts(summary))


@both_writers
def test_malformed_numbers_are_masked_too(tmp_path: Path, fast: bool) -> None:
    _, path = write(tmp_path, [entry(1, Verdict.INVALID, linked="1.23457E+11")], fast)
    sheet, _ = sheets(path)
    assert sheet.cell(2, column("個人番号")).value == "*******E+11"


# --- nothing is interpreted --------------------------------------------------------------

FORMULA_LIKE = [
    "=1+1",
    '=HYPERLINK("http://example.invalid","x")',
    "+81-6-0000-0000",
    "-1",
    "@SUM(A1)",
    "\tindent",
    "\rreturn",
    "＝１＋１",
    "＋８１",
    "－１",
    "＠ｘ",
]


@both_writers
@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_formula_like_values_get_a_quote(tmp_path: Path, fast: bool, value: str) -> None:
    e = entry(
        1,
        Verdict.REVIEW,
        record_id=value,
        explanation=value,
        record={**PERSON, "氏名": value, "住所": value},
        register={**PERSON, "住所": value},
        candidate={"氏名": value},
        reasons=(value,),
    )
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    expected = "'" + value.replace("\r", "_x000D_")  # openpyxl leaves Excel's escape as is
    for name in ("レコード番号", "説明", "理由", "理由(日本語)", "氏名(事務)", "住所(事務)"):
        cell = sheet.cell(2, column(name))
        assert cell.data_type == "s", name
        assert text(cell.value) == expected, name
    assert text(sheet.cell(2, column("住所(住民記録)")).value) == expected
    assert text(sheet.cell(2, column("氏名(候補)")).value) == expected
    with zipfile.ZipFile(path) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


@both_writers
def test_highlighted_values_are_escaped_too(tmp_path: Path, fast: bool) -> None:
    e = entry(1, Verdict.REVIEW, record={**PERSON, "氏名": "=山田"}, register={"氏名": "=山内"})
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    assert runs(sheet.cell(2, column("氏名(事務)")).value) == [("'=山", False), ("田", True)]
    assert runs(sheet.cell(2, column("氏名(住民記録)")).value) == [("'=山", False), ("内", True)]
    e = entry(1, Verdict.REVIEW, record={"住所": "-1"}, register={"住所": "+1"})
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    address = sheet.cell(2, column("住所(事務)")).value
    assert runs(address) == [("'", False), ("-", True), ("1", False)]


@both_writers
def test_markup_and_odd_characters_come_back_as_written(tmp_path: Path, fast: bool) -> None:
    values = {
        "氏名": "<r><t>x</t></r>",
        "氏名フリガナ": "A & B <c>",
        "住所": "  前後に空白  ",
        "生年月日": "_x0041_",
        "性別": "\U00020bb7",  # 𠮷, outside the BMP
    }
    e = entry(1, record=values, register=dict(values), candidate={"氏名": "<r>y</r>"})
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    for item, value in values.items():
        assert text(sheet.cell(2, column(f"{item}(事務)")).value) == value
        assert text(sheet.cell(2, column(f"{item}(住民記録)")).value) == value
    assert text(sheet.cell(2, column("氏名(候補)")).value) == "<r>y</r>"


@both_writers
def test_control_characters_and_bad_decoding_keep_the_file_valid(
    tmp_path: Path, fast: bool
) -> None:
    e = entry(1, record={**PERSON, "氏名": "試\x01験", "住所": "梅田\udcff"})
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    assert sheet.cell(2, column("氏名(事務)")).value == "試_x0001_験"  # Excel's escape
    assert sheet.cell(2, column("住所(事務)")).value == "梅田\ufffd"


@both_writers
def test_a_value_longer_than_a_cell_holds_is_cut(tmp_path: Path, fast: bool) -> None:
    long = "長" * (EXCEL_MAX_CHARS + 10)
    e = entry(1, Verdict.REVIEW, explanation=long, record={"住所": long}, register={"住所": "短"})
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    for name in ("説明", "住所(事務)"):
        value = text(sheet.cell(2, column(name)).value)
        assert value is not None and len(value) <= EXCEL_MAX_CHARS and value.endswith("…")


# --- differences -------------------------------------------------------------------------


@both_writers
def test_only_the_differing_characters_are_red(tmp_path: Path, fast: bool) -> None:
    e = entry(
        1,
        Verdict.NOTATION,
        record={**PERSON, "氏名": "髙橋　太郎", "氏名フリガナ": "キヨウコ"},
        register={**PERSON, "氏名": "高橋　太郎", "氏名フリガナ": "キョウコ"},
        reasons=("KANJI_VARIANT", "KANA_VARIANT"),
    )
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    record_name = sheet.cell(2, column("氏名(事務)")).value
    register_name = sheet.cell(2, column("氏名(住民記録)")).value
    assert runs(record_name) == [("髙", True), ("橋　太郎", False)]
    assert runs(register_name) == [("高", True), ("橋　太郎", False)]
    assert runs(sheet.cell(2, column("氏名フリガナ(事務)")).value) == [
        ("キ", False), ("ヨ", True), ("ウコ", False),
    ]  # fmt: skip
    assert runs(sheet.cell(2, column("氏名フリガナ(住民記録)")).value) == [
        ("キ", False), ("ョ", True), ("ウコ", False),
    ]  # fmt: skip
    # Equal values are plain.
    assert sheet.cell(2, column("住所(事務)")).value == PERSON["住所"]
    assert sheet.cell(2, column("住所(住民記録)")).value == PERSON["住所"]


@both_writers
def test_differences_in_the_middle_and_insertions(tmp_path: Path, fast: bool) -> None:
    e = entry(
        1,
        Verdict.REVIEW,
        record={"氏名": "山田太郎", "住所": "大阪府大阪市北区梅田1-2-3"},
        register={"氏名": "山田　太郎", "住所": "大阪府大阪市北区梅田1-9-3"},
    )
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    assert sheet.cell(2, column("氏名(事務)")).value == "山田太郎"  # nothing of its own differs
    assert runs(sheet.cell(2, column("氏名(住民記録)")).value) == [
        ("山田", False), ("　", True), ("太郎", False),
    ]  # fmt: skip
    assert runs(sheet.cell(2, column("住所(住民記録)")).value) == [
        ("大阪府大阪市北区梅田1-", False), ("9", True), ("-3", False),
    ]  # fmt: skip


@both_writers
def test_wholly_different_missing_and_unlinked_values(tmp_path: Path, fast: bool) -> None:
    e = entry(
        1,
        Verdict.SUSPECT,
        record={"氏名": "試験　花子", "性別": "男", "住所": ""},
        register={"氏名": "別人　次郎", "性別": "女", "住所": PERSON["住所"]},
    )
    unlinked = entry(2, Verdict.INVALID, register={})
    _, path = write(tmp_path, [e, unlinked], fast)
    sheet, _ = sheets(path)
    # A value that differs as a whole is red as a whole.
    for name, value in (("性別(事務)", "男"), ("性別(住民記録)", "女")):
        cell = sheet.cell(2, column(name))
        assert text(cell.value) == value
        assert cell.font.b and cell.font.color.rgb == RED
    # Some characters in common: only the others are red.
    assert runs(sheet.cell(2, column("氏名(事務)")).value) == [
        ("試験", True), ("　", False), ("花子", True),
    ]  # fmt: skip
    # Missing on one side: shown as it is, not as a difference.
    assert sheet.cell(2, column("住所(事務)")).value is None
    assert sheet.cell(2, column("住所(住民記録)")).value == PERSON["住所"]
    # No linked entry: the record's values, plain; the register's side empty.
    assert sheet.cell(3, column("氏名(事務)")).value == PERSON["氏名"]
    assert sheet.cell(3, column("氏名(住民記録)")).value is None


@both_writers
def test_candidate_values(tmp_path: Path, fast: bool) -> None:
    candidate = {
        "氏名": "試験　次郎",
        "生年月日": "1987-05-05",
        "住所": "大阪府堺市堺区南瓦町3番1号",
    }
    e = entry(1, Verdict.SUSPECT, candidate=candidate, candidate_number=random_number(RNG))
    _, path = write(tmp_path, [e], fast)
    sheet, _ = sheets(path)
    for item, value in candidate.items():
        assert sheet.cell(2, column(f"{item}(候補)")).value == value


# --- order, count, limit -----------------------------------------------------------------


@both_writers
def test_order_is_kept_and_rows_are_counted(tmp_path: Path, fast: bool) -> None:
    verdicts = list(Verdict)
    ordinals = RNG.sample(range(1, 1000), 60)
    entries = [entry(n, verdicts[i % len(verdicts)], risk=100 - i) for i, n in enumerate(ordinals)]
    count, path = write(tmp_path, iter(entries), fast)
    sheet, summary = sheets(path)
    rows = data_rows(sheet)
    assert count == len(rows) == 60
    assert [row[0] for row in rows] == ordinals
    assert [row[1] for row in rows] == [e.record_id for e in entries]
    assert [row[6] for row in rows] == [e.risk for e in entries]
    # Without counts, the summary counts the rows written.
    counted = {row[1]: row[2] for row in summary.iter_rows(min_row=4, max_row=9, values_only=True)}
    assert counted == {v.code: 10 for v in Verdict}


@both_writers
def test_no_entries_gives_a_header_only_list(tmp_path: Path, fast: bool) -> None:
    count, path = write(tmp_path, [], fast, counts={})
    sheet, summary = sheets(path)
    assert count == 0
    assert list(sheet.iter_rows(values_only=True)) == [HEADERS]
    assert sheet.auto_filter.ref == "A1:W1"
    assert ("合計", None, 0, None) in list(summary.iter_rows(values_only=True))


@both_writers
def test_rows_beyond_the_limit_are_left_to_results_csv(tmp_path: Path, fast: bool) -> None:
    taken = 0

    def entries() -> Iterator[WorklistEntry]:
        nonlocal taken
        for n in range(1, 101):
            taken += 1
            yield entry(n)

    count, path = write(tmp_path, entries(), fast, row_limit=3, counts={"MATCH": 100})
    sheet, summary = sheets(path)
    assert count == 3
    assert [row[0] for row in data_rows(sheet)] == [1, 2, 3]
    assert taken == 4  # stopped at the first entry beyond the limit
    notes = [t for t in summary_texts(summary) if "results.csv" in t]
    assert len(notes) == 1 and "残りの97件" in notes[0] and "3件" in notes[0]

    _, path = write(tmp_path, [entry(1)], fast, row_limit=3)
    _, summary = sheets(path)
    assert not [t for t in summary_texts(summary) if "results.csv" in t]


def test_rows_stop_before_the_sheet_outgrows_a_plain_zip_member(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Scaled down: the real room is about 2 GiB of sheet XML.
    monkeypatch.setattr(worklist._Member, "CHUNK", 1)
    monkeypatch.setattr(worklist._Member, "ROOM", 20_000)
    count, path = write(tmp_path, (entry(n) for n in range(1, 101)), True, counts={"MATCH": 100})
    sheet, summary = sheets(path)
    assert 0 < count < 100
    assert len(data_rows(sheet)) == count
    assert any(f"残りの{100 - count}件" in t for t in summary_texts(summary))


def test_row_limit_must_fit_a_sheet(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_worklist(tmp_path / "w.xlsx", [], row_limit=1_048_576)
    assert list(tmp_path.iterdir()) == []


# --- summary -----------------------------------------------------------------------------


@both_writers
def test_summary_sheet(tmp_path: Path, fast: bool) -> None:
    counts = {"MATCH": 50, "NOTATION": 8, "EXPLAINED": 2, "REVIEW": 4, "SUSPECT": 1, "INVALID": 3}
    note = "要確認でないレコードはリスクの高い順に1万件まで。"
    _, path = write(
        tmp_path, [entry(1)], fast, counts=counts, title="=障害者手帳 点検", notes=[note]
    )
    _, summary = sheets(path)
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][0] == "'=障害者手帳 点検"  # the title is input too
    assert rows[2] == ("判定", "判定コード", "件数", "要確認")
    assert rows[3:9] == [
        ("一致", "MATCH", 50, 0),
        ("表記差異", "NOTATION", 8, 0),
        ("経緯差異", "EXPLAINED", 2, 0),
        ("不一致", "REVIEW", 4, 1),
        ("誤紐付け疑い", "SUSPECT", 1, 1),
        ("番号不正", "INVALID", 3, 1),
    ]
    assert rows[9] == ("合計", None, 68, None)
    assert rows[10][0] == "うち要確認" and rows[10][2] == 8
    texts = summary_texts(summary)
    assert any(t.startswith("作成日時: 2026-11-27T10:15:00+09:00") for t in texts)
    assert note in texts


# --- atomic ------------------------------------------------------------------------------


@both_writers
def test_a_failure_leaves_no_file_and_no_scratch(tmp_path: Path, fast: bool) -> None:
    def failing() -> Iterator[WorklistEntry]:
        yield entry(1)
        yield entry(2)
        raise OSError("records file vanished")

    path = tmp_path / "worklist.xlsx"
    with pytest.raises(OSError, match="vanished"):
        write_worklist(path, failing(), fast=fast)
    assert list(tmp_path.iterdir()) == []

    # An earlier worklist at `path` is left as it was.
    path.write_bytes(b"earlier")
    with pytest.raises(OSError, match="vanished"):
        write_worklist(path, failing(), fast=fast)
    assert list(tmp_path.iterdir()) == [path]
    assert path.read_bytes() == b"earlier"


@both_writers
def test_a_finished_worklist_replaces_the_earlier_one(tmp_path: Path, fast: bool) -> None:
    path = tmp_path / "worklist.xlsx"
    path.write_bytes(b"earlier")
    assert write_worklist(path, [entry(1)], fast=fast) == 1
    assert list(tmp_path.iterdir()) == [path]
    sheet, _ = sheets(path)
    assert sheet.cell(2, 1).value == 1


# --- the two writers agree ---------------------------------------------------------------


def test_fast_and_xlsxwriter_writers_give_the_same_cells(tmp_path: Path) -> None:
    rng = random.Random(5)
    alphabet = "山田髙高橋太郎花子キヨョウコ12-3丁目番号 　=+-@<>&'\"_x0041_\t"
    entries = []
    for n in range(1, 301):
        record = {k: "".join(rng.choices(alphabet, k=rng.randint(0, 8))) for k in PERSON}
        register = {
            k: v if rng.random() < 0.5 else "".join(rng.choices(alphabet, k=rng.randint(0, 8)))
            for k, v in record.items()
        }
        entries.append(
            entry(n, rng.choice(list(Verdict)), record=record, register=register, risk=n % 101)
        )
    books, data = [], []
    for fast in (True, False):
        folder = tmp_path / str(fast)
        folder.mkdir()
        _, path = write(folder, entries, fast)
        books.append(sheets(path))
        with zipfile.ZipFile(path) as archive:
            xml = archive.read("xl/worksheets/sheet1.xml").decode()
        rows = xml[xml.index('<row r="2"') : xml.index("</sheetData>")]
        data.append(re.sub(r' s="\d+"', "", rows))  # style numbers depend on first use
    # The rows are the very XML xlsxwriter writes for these cells.
    assert data[0] == data[1]
    (fast_list, fast_summary), (slow_list, slow_summary) = books
    cells = zip(fast_list.iter_rows(), slow_list.iter_rows(), strict=True)
    for fast_row, slow_row in cells:
        for a, b in zip(fast_row, slow_row, strict=True):
            assert runs(a.value) == runs(b.value), a.coordinate
            assert a.data_type == b.data_type, a.coordinate
            assert a.fill.fgColor.rgb == b.fill.fgColor.rgb, a.coordinate
            assert (a.font.b, a.font.color and a.font.color.rgb) == (
                b.font.b,
                b.font.color and b.font.color.rgb,
            ), a.coordinate
    assert list(fast_summary.iter_rows(values_only=True)) == list(
        slow_summary.iter_rows(values_only=True)
    )
