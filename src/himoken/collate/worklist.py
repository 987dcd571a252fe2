"""worklist.xlsx: the clerks' Excel view of a collation run.

results.csv (spec §4) is for machines; clerks open this workbook. It lists every record in
the order the engine gives (flagged records first by descending risk, then the rest), shows
the record's values and the linked register entry's side by side with the differing
characters in red bold, and masks the numbers unless asked not to. Three things matter more
than looks:

- Nothing from the inputs is ever interpreted by Excel: every value is written as a string
  cell (12-digit numbers would lose digits as numbers), and text that Excel or a later CSV
  export could take for a formula (= + - @, tab, CR and their full-width forms) gets a
  leading `'`.
- It streams: a run has hundreds of thousands of records, so rows go to disk as they come
  and at most one sheet's worth is written (fewer if the sheet would pass 2 GiB of XML);
  the rest is in results.csv and the summary sheet says so.
- It is atomic: the workbook is assembled in a scratch directory next to `path` and moved
  into place with os.replace, so a failed run leaves no half-written worklist.

How it is written: xlsxwriter (public API only) builds the workbook — styles, the header
row, panes, filter, print setup, the summary sheet. Going through xlsxwriter cell by cell
costs about 7 µs a cell and its constant_memory packaging copies the sheet twice before
compressing it, which caps it at a few thousand rows/s for this sheet. So by default the
data rows are rendered here as the very XML xlsxwriter writes for them in constant_memory
mode (inline strings, the same rich-text runs) and streamed straight into the final zip,
compressed on a worker thread, between the parts of the xlsxwriter-built skeleton.
`fast=False` writes every cell through xlsxwriter (write_string, write_number,
write_rich_string) instead; the tests hold both to the same XML.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import queue
import re
import tempfile
import threading
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from difflib import SequenceMatcher
from pathlib import Path
from typing import IO, Any, TypeAlias

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from himoken import __version__
from himoken.collate.verdicts import REASON_LABELS, Verdict
from himoken.gcpause import gc_paused
from himoken.mynumber import mask

LIST_SHEET = "要確認一覧"
SUMMARY_SHEET = "集計"
EXCEL_MAX_ROWS = 1_048_576
DEFAULT_ROW_LIMIT = EXCEL_MAX_ROWS - 1  # one row is the header
EXCEL_MAX_CHARS = 32_767  # per cell, in UTF-16 code units

ITEMS = ("氏名", "氏名フリガナ", "生年月日", "性別", "住所")
CANDIDATE_ITEMS = ("氏名", "生年月日", "住所")
RECORD_SIDE = "事務"
REGISTER_SIDE = "住民記録"
CANDIDATE_SIDE = "候補"

# (header, width in characters) of the list sheet, in column order.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("行番号", 8),
    ("レコード番号", 14),
    ("判定", 13),
    ("要確認", 7),
    ("理由", 26),
    ("理由(日本語)", 30),
    ("リスク", 7),
    ("説明", 60),
    ("個人番号", 15),
    ("候補個人番号", 15),
    *(
        (f"{item}({side})", width)
        for item, width in zip(ITEMS, (16, 18, 12, 7, 36), strict=True)
        for side in (RECORD_SIDE, REGISTER_SIDE)
    ),
    *(
        (f"{item}({CANDIDATE_SIDE})", width)
        for item, width in zip(CANDIDATE_ITEMS, (16, 12, 36), strict=True)
    ),
)
HEADERS: tuple[str, ...] = tuple(name for name, _ in COLUMNS)
FROZEN_COLUMNS = 2  # 行番号 and レコード番号 stay visible when scrolling right

# Row fill per flagged verdict; records that need no review stay unfilled.
VERDICT_FILLS: dict[Verdict, str] = {
    Verdict.REVIEW: "#FFF2CC",  # yellow
    Verdict.SUSPECT: "#F8CBAD",  # red
    Verdict.INVALID: "#D9D2E9",  # purple
}
DIFF_COLOR = "#FF0000"

# First characters that make a spreadsheet (or a CSV exported from it) read a formula.
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")

# A cell: nothing, an integer we computed, text, or rich text as (text, highlighted) runs.
Rich: TypeAlias = tuple[tuple[str, bool], ...]
Cell: TypeAlias = int | str | Rich | None
TextFn: TypeAlias = Callable[[str], "str | None"]


@dataclass(frozen=True, slots=True)
class WorklistEntry:
    """One record of the run as the worklist shows it."""

    ordinal: int  # 1-based data-row number in RECORDS
    record_id: str  # レコード番号 (or #ROW:<n>)
    verdict: Verdict
    reasons: tuple[str, ...]  # reason codes, the deciding one first
    risk: int  # 0-100
    explanation: str  # 説明
    linked_number: str  # the number as linked (may be malformed text, or "")
    candidate_number: str  # 候補個人番号 or ""
    record: Mapping[str, str]  # 氏名, 氏名フリガナ, 生年月日, 性別, 住所 (missing = empty)
    register: Mapping[str, str]  # the linked entry's values; empty mapping if none
    candidate: Mapping[str, str] = field(default_factory=dict)  # the candidate's values


# --- cell text ---------------------------------------------------------------------------

_SURROGATES = re.compile(r"[\ud800-\udfff]")


def _fits(text: str) -> bool:
    # Most characters are one UTF-16 unit; count exactly only when it could matter.
    return len(text) <= EXCEL_MAX_CHARS // 2 or len(text.encode("utf-16-le")) // 2 <= (
        EXCEL_MAX_CHARS
    )


def _display(value: str) -> str:
    """What a cell shows for a non-empty input value: lone surrogates (bad decoding) as
    U+FFFD, a `'` before anything formula-like, cut to Excel's cell limit."""
    text = _SURROGATES.sub("\ufffd", value)
    if text[0] in FORMULA_STARTS:
        text = "'" + text
    if not _fits(text):
        cut = text[: EXCEL_MAX_CHARS - 1]
        while not _fits(cut + "…"):
            cut = cut[:-1]
        text = cut + "…"
    return text


def _plain_text(value: str) -> str | None:
    """A cell's text for xlsxwriter's API (None: leave the cell empty)."""
    return _display(value) if value else None


# XML text as Excel writes it: &, <, > as entities; control characters (CR too, which XML
# would fold) as _xHHHH_; a literal _xHHHH_ protected as _x005F_xHHHH_.
_XML_ESCAPES = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# Anything that needs more than <t>value</t>: checked first, so most values cost one search.
_NOT_SIMPLE = re.compile(
    r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x[0-9A-Fa-f]{4}_|^[\s=+\-@＝＋－＠]|\s$"
)


def _xml_escape(match: re.Match[str]) -> str:
    found = match.group()
    if found in _ENTITIES:
        return _ENTITIES[found]
    if len(found) == 1:
        return f"_x{ord(found):04X}_"
    return "_x005F" + found


def _t(text: str) -> str:
    """The <t> element of display text."""
    escaped = text if _XML_ESCAPES.search(text) is None else _XML_ESCAPES.sub(_xml_escape, text)
    # Leading or trailing whitespace (any, as xlsxwriter decides it) must be kept.
    if escaped[0].isspace() or escaped[-1].isspace():
        return f'<t xml:space="preserve">{escaped}</t>'
    return f"<t>{escaped}</t>"


def _xml_text(value: str) -> str | None:
    """A cell's text as its <t> element (None: leave the cell empty)."""
    if not value:
        return None
    if len(value) <= EXCEL_MAX_CHARS // 2 and _NOT_SIMPLE.search(value) is None:
        return f"<t>{value}</t>"
    return _t(_display(value))


# --- differences -------------------------------------------------------------------------


def _spans(a: str, b: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The [start, end) ranges of a and of b that differ from the other value."""
    # Common prefix and suffix first: most differences are one or two characters
    # (髙/高, キヨウコ/キョウコ), and SequenceMatcher is needed only for a longer middle.
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[-1 - s] == b[-1 - s]:
        s += 1
    a_end, b_end = len(a) - s, len(b) - s
    mid_a, mid_b = a[p:a_end], b[p:b_end]
    if not mid_a or not mid_b or (len(mid_a) <= 2 and len(mid_b) <= 2):
        return ([(p, a_end)] if mid_a else []), ([(p, b_end)] if mid_b else [])
    spans_a: list[tuple[int, int]] = []
    spans_b: list[tuple[int, int]] = []
    matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            spans_a.append((p + i1, p + i2))
        if j2 > j1:
            spans_b.append((p + j1, p + j2))
    return spans_a, spans_b


def _rich(value: str, spans: list[tuple[int, int]], text: TextFn) -> Cell:
    """A value with its differing spans highlighted: runs of display text, or `text(value)`
    when nothing is highlighted (or the value is too long to be)."""
    if not spans or not _fits("'" + value):
        return text(value)
    value = _SURROGATES.sub("\ufffd", value)  # one character for one: spans stay valid
    runs: list[tuple[str, bool]] = []
    at = 0
    for start, end in spans:
        if start > at:
            runs.append((value[at:start], False))
        runs.append((value[start:end], True))
        at = end
    if at < len(value):
        runs.append((value[at:], False))
    if value[0] in FORMULA_STARTS:  # defuse, as _display does
        if runs[0][1]:
            runs.insert(0, ("'", False))
        else:
            runs[0] = ("'" + runs[0][0], False)
    return tuple(runs)


def _pair(record_value: str, register_value: str, text: TextFn) -> tuple[Cell, Cell]:
    """The record's and the register's value of one item, differences highlighted."""
    # A value missing on one side is shown as it is, not as one long difference.
    if record_value == register_value:
        shown = text(record_value)
        return shown, shown
    if not record_value or not register_value:
        return text(record_value), text(register_value)
    spans_a, spans_b = _spans(record_value, register_value)
    return _rich(record_value, spans_a, text), _rich(register_value, spans_b, text)


@functools.lru_cache(maxsize=4096)
def _verdict_cells(verdict: Verdict, reasons: tuple[str, ...], text: TextFn) -> list[Cell]:
    """判定, 要確認, 理由, 理由(日本語): few distinct combinations, so made once each."""
    labels = "、".join(REASON_LABELS.get(code, code) for code in reasons)  # type: ignore[call-overload]
    return [text(verdict.label), 1 if verdict.flagged else 0, text(";".join(reasons)), text(labels)]


def _cells(entry: WorklistEntry, show_numbers: bool, text: TextFn) -> list[Cell]:
    """The list sheet's cells of one entry, in COLUMNS order."""
    linked, candidate_number = entry.linked_number, entry.candidate_number
    if not show_numbers:
        linked = mask(linked) if linked else ""
        candidate_number = mask(candidate_number) if candidate_number else ""
    cells: list[Cell] = [
        int(entry.ordinal),
        text(entry.record_id),
        *_verdict_cells(entry.verdict, entry.reasons, text),
        int(entry.risk),
        text(entry.explanation),
        text(linked),
        text(candidate_number),
    ]
    record, register, candidate = entry.record, entry.register, entry.candidate
    for item in ITEMS:
        cells.extend(_pair(record.get(item) or "", register.get(item) or "", text))
    if candidate:
        cells.extend(text(candidate.get(item) or "") for item in CANDIDATE_ITEMS)
    else:
        cells.extend((None,) * len(CANDIDATE_ITEMS))
    return cells


# --- the workbook through xlsxwriter -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RowFormats:
    text: Format
    text_diff: Format  # a value that differs as a whole (男/女)
    number: Format
    filled: bool  # flagged: empty cells get the fill too


@dataclass(frozen=True, slots=True)
class _Formats:
    header: Format
    diff: Format  # font of highlighted runs
    rows: dict[Verdict, _RowFormats]
    distinct: tuple[_RowFormats, ...]  # each _RowFormats once, in a fixed order


def _add_formats(workbook: Workbook) -> _Formats:
    header = workbook.add_format(
        {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    diff = workbook.add_format({"bold": True, "font_color": DIFF_COLOR})

    def row_formats(fill: str | None) -> _RowFormats:
        # Text cells are formatted "@" so that a value a clerk types in stays text.
        base: dict[str, Any] = {"bg_color": fill} if fill else {}
        return _RowFormats(
            text=workbook.add_format({**base, "num_format": "@"}),
            text_diff=workbook.add_format(
                {**base, "num_format": "@", "bold": True, "font_color": DIFF_COLOR}
            ),
            number=workbook.add_format(base),
            filled=fill is not None,
        )

    plain = row_formats(None)
    rows = {v: row_formats(VERDICT_FILLS[v]) if v in VERDICT_FILLS else plain for v in Verdict}
    distinct = (plain, *(rows[v] for v in VERDICT_FILLS))
    return _Formats(header=header, diff=diff, rows=rows, distinct=distinct)


def _list_sheet(workbook: Workbook, formats: _Formats, rows: int) -> Worksheet:
    """The list sheet with its header row and settings; `rows` entry rows will follow."""
    sheet = workbook.add_worksheet(LIST_SHEET)
    for col, (_, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.set_row(0, 30)
    for col, name in enumerate(HEADERS):
        sheet.write_string(0, col, name, formats.header)
    sheet.freeze_panes(1, FROZEN_COLUMNS)
    sheet.autofilter(0, 0, rows, len(COLUMNS) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(0)
    sheet.fit_to_pages(1, 0)
    return sheet


@dataclass(frozen=True, slots=True)
class _Summary:
    title: str
    counts: Mapping[str, int] | None  # None: count the verdicts of the rows written
    show_numbers: bool
    when: datetime
    notes: tuple[str, ...] = ()  # the caller's, after ours


def _summary_sheet(
    workbook: Workbook, summary: _Summary, written: int, more: bool, tally: Counter[Verdict]
) -> None:
    sheet = workbook.add_worksheet(SUMMARY_SHEET)
    bold = workbook.add_format({"bold": True})
    heading = workbook.add_format({"bold": True, "font_size": 14})
    head = workbook.add_format({"bold": True, "bg_color": "#D9D9D9", "border": 1})
    cell = workbook.add_format({"border": 1})
    total_format = workbook.add_format({"bold": True, "border": 1, "top": 2})
    sheet.set_column(0, 0, 18)
    sheet.set_column(1, 1, 12)
    sheet.set_column(2, 3, 10)

    def text(row: int, col: int, value: str, cell_format: Format | None = None) -> None:
        shown = _plain_text(value)
        if shown is not None:
            sheet.write_string(row, col, shown, cell_format)

    counts = summary.counts
    if counts is None:
        counts = {verdict.code: tally[verdict] for verdict in Verdict}
    text(0, 0, summary.title or "紐付け点検 要確認一覧", heading)
    row = 2
    for col, name in enumerate(("判定", "判定コード", "件数", "要確認")):
        sheet.write_string(row, col, name, head)
    verdicts = {verdict.code: verdict for verdict in Verdict}
    # The six verdicts in order of severity, then any other key the caller counted.
    codes = [*verdicts, *(code for code in counts if code not in verdicts)]
    total = flagged = 0
    for code in codes:
        row += 1
        count = int(counts.get(code, 0))
        verdict = verdicts.get(code)
        is_flagged = verdict is not None and verdict.flagged
        text(row, 0, verdict.label if verdict is not None else code, cell)
        text(row, 1, code, cell)
        sheet.write_number(row, 2, count, cell)
        sheet.write_number(row, 3, 1 if is_flagged else 0, cell)
        total += count
        flagged += count if is_flagged else 0
    row += 1
    sheet.write_string(row, 0, "合計", total_format)
    sheet.write_blank(row, 1, None, total_format)
    sheet.write_number(row, 2, total, total_format)
    sheet.write_blank(row, 3, None, total_format)
    row += 1
    sheet.write_string(row, 0, "うち要確認", bold)
    sheet.write_number(row, 2, flagged, bold)

    notes = [
        f"作成日時: {summary.when.isoformat(timespec='seconds')}(himoken {__version__})",
        f"一覧の行数: {written:,}件",
        "並び順: 要確認(不一致・誤紐付け疑い・番号不正)をリスクの高い順に、その後その他。",
        "赤字は事務データと住民記録で異なる文字。",
        "個人番号は全桁を表示しています。取り扱いに注意してください。"
        if summary.show_numbers
        else "個人番号は下4桁のみ表示しています。",
    ]
    if summary.counts is None:
        notes.append("件数は一覧に載せた行の判定を数えたものです。")
    notes.extend(summary.notes)
    if more:
        rest = total - written if summary.counts is not None and total > written else 0
        notes.append(
            f"1シートに載せられる行数の上限のため、一覧には先頭の{written:,}件のみを載せて"
            "います。"
            + (f"残りの{rest:,}件を含む" if rest else "残りを含む")
            + "全件は results.csv にあります。"
        )
    row += 2
    sheet.write_string(row, 0, "注記", bold)
    for note in notes:
        row += 1
        text(row, 0, note)


def _new_workbook(target: str | IO[bytes], options: dict[str, Any], when: datetime) -> Workbook:
    workbook = xlsxwriter.Workbook(
        target,
        {
            # Nothing is ever interpreted: every input value goes through write_string.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            **options,
        },
    )
    # xlsxwriter writes the creation time as UTC without converting it.
    created = when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    workbook.set_properties({"title": "要確認一覧", "created": created})
    return workbook


# --- rows through xlsxwriter's API (fast=False) ------------------------------------------


def _write_public(
    partial: Path,
    scratch: str,
    entries: Iterable[WorklistEntry],
    row_limit: int,
    summary: _Summary,
) -> int:
    workbook = _new_workbook(
        str(partial), {"constant_memory": True, "tmpdir": scratch}, summary.when
    )
    try:
        return _write_public_rows(workbook, entries, row_limit, summary)
    except BaseException:
        # Close xlsxwriter's row files so that the scratch directory can go (Windows).
        for sheet in workbook.worksheets():
            with contextlib.suppress(Exception):
                sheet.row_data_fh.close()
        raise


def _write_public_rows(
    workbook: Workbook, entries: Iterable[WorklistEntry], row_limit: int, summary: _Summary
) -> int:
    formats = _add_formats(workbook)
    sheet = _list_sheet(workbook, formats, 0)
    written, more, tally = 0, False, Counter[Verdict]()
    for entry in _limited(entries, row_limit):
        if entry is None:
            more = True
            break
        written += 1
        tally[entry.verdict] += 1
        row_formats = formats.rows[entry.verdict]
        cells = _cells(entry, summary.show_numbers, _plain_text)
        _write_cells(sheet, written, cells, row_formats, formats.diff)
    sheet.autofilter(0, 0, written, len(COLUMNS) - 1)
    _summary_sheet(workbook, summary, written, more, tally)
    if written > 500_000:
        workbook.use_zip64()  # the sheet XML may pass the 2 GiB ZIP member limit
    workbook.close()
    return written


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9A-Fa-f]{4}_")


def _write_cells(
    sheet: Worksheet, row: int, cells: Sequence[Cell], formats: _RowFormats, diff: Format
) -> None:
    def string(col: int, text: str, cell_format: Format) -> None:
        if text.startswith("<r>") and text.endswith("</r>"):
            # In constant_memory mode xlsxwriter takes such a string for its own rich-text
            # XML and writes it unescaped; as plain runs (three: fewer are refused) it is
            # escaped like any text.
            sheet.write_rich_string(row, col, text[:1], text[1:2], text[2:], cell_format)
        else:
            sheet.write_string(row, col, text, cell_format)

    for col, value in enumerate(cells):
        if value is None:
            if formats.filled:
                sheet.write_blank(row, col, None, formats.text)
        elif isinstance(value, int):
            sheet.write_number(row, col, value, formats.number)
        elif isinstance(value, str):
            string(col, value, formats.text)
        elif len(value) == 1:  # one highlighted run: the whole value differs
            string(col, value[0][0], formats.text_diff)
        elif any(_CONTROL.search(text) for text, _ in value):
            # xlsxwriter escapes control characters in rich inline strings twice; show such
            # rare values plain rather than garbled.
            string(col, "".join(text for text, _ in value), formats.text)
        else:
            args: list[Any] = []
            for text, highlighted in value:
                if highlighted:
                    args.append(diff)
                args.append(text)
            sheet.write_rich_string(row, col, *args, formats.text)


# --- rows rendered here (fast=True) ------------------------------------------------------

_SHEET1 = "xl/worksheets/sheet1.xml"
_CONTENT_TYPES = "[Content_Types].xml"
_TEMPLATE_ROW = 1  # the skeleton's row 2 holds one blank cell per data-row format
_SHEET_DATA_END = "</sheetData>"
# Fast deflate: the sheet is 80-90 % markup, which compresses well at any level; level 6
# costs 2.5 times the CPU for a file about a quarter smaller.
_ZIP_LEVEL = 1


@dataclass(frozen=True, slots=True)
class _Skeleton:
    """An xlsxwriter workbook without data rows, cut where they go."""

    parts: dict[str, bytes]  # every zip member but the list sheet
    head: str  # the list sheet up to and including the header row
    tail: str  # the list sheet from </sheetData>
    xf: tuple[int, ...]  # style index of each data-row format, in _Formats.distinct order

    @classmethod
    def build(
        cls, summary: _Summary, written: int, more: bool, tally: Counter[Verdict]
    ) -> _Skeleton:
        buffer = io.BytesIO()
        workbook = _new_workbook(buffer, {"in_memory": True}, summary.when)
        formats = _add_formats(workbook)
        sheet = _list_sheet(workbook, formats, written)
        # One blank cell per data-row format, so that styles.xml holds them all and the
        # sheet says which index each got; the row itself is cut out below.
        template = [f for rf in formats.distinct for f in (rf.text, rf.text_diff, rf.number)]
        for col, cell_format in enumerate(template):
            sheet.write_blank(_TEMPLATE_ROW, col, None, cell_format)
        _summary_sheet(workbook, summary, written, more, tally)
        workbook.close()
        with zipfile.ZipFile(buffer) as archive:
            parts = {name: archive.read(name) for name in archive.namelist()}
        xml = parts.pop(_SHEET1).decode("utf-8")
        row_start = xml.index(f'<row r="{_TEMPLATE_ROW + 1}"')
        row_end = xml.index("</row>", row_start) + len("</row>")
        styles = re.findall(r'<c r="[A-Z]+\d+"(?: s="(\d+)")?/>', xml[row_start:row_end])
        if len(styles) != len(template) or not xml.startswith(_SHEET_DATA_END, row_end):
            raise RuntimeError("worklist: unexpected xlsxwriter sheet layout")
        # <dimension> is left out: the row count is not known when the sheet starts.
        head = re.sub(r"<dimension ref=\"[^\"]*\"/>", "", xml[:row_start], count=1)
        return cls(parts, head, xml[row_end:], tuple(int(s or 0) for s in styles))


class _Member:
    """A zip member written as a stream of text, compressed on a worker thread (zlib lets
    go of the GIL) while the caller renders the next rows.

    Not ZIP64, which Excel is particular about (Apache POI bug 57342): `full` says when the
    member nears the 2 GiB limit of a plain ZIP member, and the writer stops adding rows."""

    CHUNK = 1 << 20  # characters handed over at a time (at most 4 MiB of UTF-8)
    ROOM = zipfile.ZIP64_LIMIT - (64 << 20)  # leaves room for a pending chunk and the tail

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self.handle = archive.open(name, "w")
        self.pending: list[str] = []
        self.size = 0  # characters pending
        self.written = 0  # bytes handed over
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.worker = threading.Thread(target=self._drain, name="worklist-zip", daemon=True)
        self.worker.start()

    def _drain(self) -> None:
        while (chunk := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.handle.write(chunk)
                except BaseException as error:  # reported to the writer in _hand_over
                    self.error = error

    @property
    def full(self) -> bool:
        return self.written > self.ROOM

    def write(self, text: str) -> None:
        self.pending.append(text)
        self.size += len(text)
        if self.size >= self.CHUNK:
            self._hand_over()

    def _hand_over(self) -> None:
        if self.error is not None:
            raise self.error
        chunk = "".join(self.pending).encode("utf-8")
        self.written += len(chunk)
        self.queue.put(chunk)
        self.pending.clear()
        self.size = 0

    def close(self) -> None:
        self._hand_over()
        self.queue.put(None)
        self.worker.join()
        if self.error is not None:
            raise self.error
        self.handle.close()

    def abandon(self) -> None:
        self.queue.put(None)
        self.worker.join()
        # The archive cannot be closed (nor its scratch file removed) with a member open.
        with contextlib.suppress(Exception):
            self.handle.close()


@dataclass(frozen=True, slots=True)
class _RowStyle:
    """The fixed middle of a row's cells, after the cell reference: `<c r="A2` + this."""

    text: str
    diff: str  # a value that differs as a whole
    number: str
    blank: str | None  # flagged rows: empty cells get the fill too

    @classmethod
    def of(cls, text_xf: int, diff_xf: int, number_xf: int, filled: bool) -> _RowStyle:
        return cls(
            text=f'" s="{text_xf}" t="inlineStr"><is>',
            diff=f'" s="{diff_xf}" t="inlineStr"><is>',
            number=f'" s="{number_xf}"><v>',
            blank=f'" s="{text_xf}"/>' if filled else None,
        )


def _row_xml(row: int, cells: Sequence[Cell], style: _RowStyle) -> str:
    """A <row> element, as xlsxwriter writes these cells in constant_memory mode; text
    cells hold <t> elements (from _xml_text), rich runs hold display text."""
    n = str(row + 1)
    text_style, blank = style.text, style.blank
    parts = ['<row r="', n, '">']
    append = parts.append
    for start, value in zip(_CELL_STARTS, cells, strict=True):
        kind = value.__class__
        if kind is str:
            append(f"{start}{n}{text_style}{value}</is></c>")
        elif value is None:
            if blank is not None:
                append(f"{start}{n}{blank}")
        elif kind is int:
            append(f"{start}{n}{style.number}{value}</v></c>")
        elif len(value) == 1:  # type: ignore[arg-type]
            append(f"{start}{n}{style.diff}{_t(value[0][0])}</is></c>")  # type: ignore[index]
        else:
            runs = "".join(
                f"{_DIFF_RUN if highlighted else _PLAIN_RUN if i else '<r>'}{_t(text)}</r>"
                for i, (text, highlighted) in enumerate(value)  # type: ignore[arg-type]
            )
            append(f"{start}{n}{text_style}{runs}</is></c>")
    append("</row>")
    return "".join(parts)


_CELL_STARTS = tuple(f'<c r="{xl_col_to_name(col)}' for col in range(len(COLUMNS)))
# Run fonts as xlsxwriter writes them: highlighted runs bold in DIFF_COLOR, later plain runs
# in the default font (the first run takes the cell's).
_FONT_TAIL = '<rFont val="Calibri"/><family val="2"/><scheme val="minor"/></rPr>'
_DIFF_RUN = f'<r><rPr><b/><sz val="11"/><color rgb="FF{DIFF_COLOR[1:]}"/>{_FONT_TAIL}'
_PLAIN_RUN = f'<r><rPr><sz val="11"/><color theme="1"/>{_FONT_TAIL}'


def _write_fast(
    partial: Path, entries: Iterable[WorklistEntry], row_limit: int, summary: _Summary
) -> int:
    # The skeleton is built twice: first for the sheet's head and the style indices, last
    # (with the row count and the summary) for everything else. Only the last is kept; the
    # first must agree with it.
    first = _Skeleton.build(summary, 0, False, Counter())
    styles = _styles_by_verdict(first.xf)
    show = summary.show_numbers
    with zipfile.ZipFile(
        partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=_ZIP_LEVEL
    ) as archive:
        archive.writestr(_CONTENT_TYPES, first.parts[_CONTENT_TYPES])
        member = _Member(archive, _SHEET1)
        try:
            member.write(first.head)
            written, more, tally = 0, False, Counter[Verdict]()
            for entry in _limited(entries, row_limit):
                if entry is None or member.full:
                    more = True
                    break
                written += 1
                verdict = entry.verdict
                tally[verdict] += 1
                cells = _cells(entry, show, _xml_text)
                member.write(_row_xml(written, cells, styles[verdict]))
            last = _Skeleton.build(summary, written, more, tally)
            if (last.head, last.xf, last.parts[_CONTENT_TYPES]) != (
                first.head,
                first.xf,
                first.parts[_CONTENT_TYPES],
            ):
                raise RuntimeError("worklist: xlsxwriter skeletons disagree")
            member.write(last.tail)
        except BaseException:
            member.abandon()
            raise
        member.close()
        for name, data in last.parts.items():
            if name != _CONTENT_TYPES:
                archive.writestr(name, data)
    return written


def _styles_by_verdict(xf: tuple[int, ...]) -> dict[Verdict, _RowStyle]:
    """Each verdict's row style, from the style indices of the skeleton's template row
    (text, text_diff, number of each _Formats.distinct: plain, then the fills in order)."""
    plain = _RowStyle.of(xf[0], xf[1], xf[2], filled=False)
    filled = {
        verdict: _RowStyle.of(xf[3 * i], xf[3 * i + 1], xf[3 * i + 2], filled=True)
        for i, verdict in enumerate(VERDICT_FILLS, start=1)
    }
    return {verdict: filled.get(verdict, plain) for verdict in Verdict}


def _limited(entries: Iterable[WorklistEntry], limit: int) -> Iterator[WorklistEntry | None]:
    """The entries up to `limit`, then None if there are more (having taken just one)."""
    iterator = iter(entries)
    for count, entry in enumerate(iterator):
        if count >= limit:
            yield None
            return
        yield entry


# --- entry point -------------------------------------------------------------------------


def write_worklist(
    path: Path,
    entries: Iterable[WorklistEntry],
    *,
    show_numbers: bool = False,
    title: str = "",
    counts: Mapping[str, int] | None = None,
    row_limit: int = DEFAULT_ROW_LIMIT,
    generated_at: datetime | None = None,
    notes: Iterable[str] = (),
    fast: bool = True,
) -> int:
    """Write worklist.xlsx at `path` atomically; return the number of entry rows written.

    `entries` come in display order and are consumed as they are written. At most
    `row_limit` rows are written; when there are more, the summary sheet says the rest is in
    results.csv. `counts` (verdict code -> records) is shown on the summary sheet; without
    it, the verdicts of the rows written are counted. `generated_at` is the time the summary
    sheet states (default: now); `notes` are added to its notes (e.g. which records the
    caller left out). `fast=False` writes every cell through xlsxwriter's API
    (slower; the same XML). Python's cyclic garbage collector is paused while it runs.
    """
    if not 0 <= row_limit <= DEFAULT_ROW_LIMIT:
        raise ValueError(f"row_limit must be between 0 and {DEFAULT_ROW_LIMIT}: {row_limit}")
    path = Path(path)
    summary = _Summary(
        title=title,
        counts=counts,
        show_numbers=show_numbers,
        when=generated_at or datetime.now().astimezone(),
        notes=tuple(notes),
    )
    # Scratch directory next to `path`: the workbook (and xlsxwriter's row files) are made
    # there, so os.replace is a rename, and a failure leaves nothing behind. The rows are
    # short-lived strings and tuples: the cyclic collector only slows them down.
    with (
        tempfile.TemporaryDirectory(
            prefix=f".{path.name}.", dir=path.parent, ignore_cleanup_errors=True
        ) as scratch,
        gc_paused(),
    ):
        partial = Path(scratch) / path.name
        if fast:
            written = _write_fast(partial, entries, row_limit, summary)
        else:
            written = _write_public(partial, scratch, entries, row_limit, summary)
        os.replace(partial, path)
    return written
