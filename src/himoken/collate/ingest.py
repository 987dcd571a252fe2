"""Reading input files row by row, every data row accounted for (spec §1, §4, §5).

Formats: CSV/TSV, XLSX, Parquet, and fixed width through a profile (`open_table` picks one by
the profile, then the file's first bytes, then its suffix). Every reader streams: rows are
made one at a time as the caller asks, so memory stays flat for registers of millions.

Text files are decoded by BOM (UTF-8, UTF-16), else as strict UTF-8, else as CP932 (`cp932`,
not `shift_jis`), unless the caller says which. Bytes that don't decode make only their row
malformed: the file is decoded with `surrogateescape`, and a row holding an escaped byte is
reported with its physical line and column, never dropped. When neither UTF-8 nor CP932
decodes the whole file, the one that fails on fewer lines wins.

A data row is a parsed record: the header is not counted, blank lines are not rows, a quoted
field may span lines; an XLSX data row is a sheet row below the header with any non-empty cell.
Cells and Parquet values become text without damage (a number cell's digits, a date's ISO
form), and never repaired: a number that lost its leading zero in Excel stays short.

A file that can't be read at all (missing, empty, no header, a required column missing, a
corrupt workbook) raises UnreadableFile with a one-line reason naming the file, and the sheet,
line and column where they apply. Each row knows where it came from: `Row.locate(column)`
gives the line, or sheet and cell, or byte offset that 説明 of a rejected row names (§4).
"""

from __future__ import annotations

import bisect
import codecs
import csv
import dataclasses
import datetime as dt
import operator
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from himoken.collate.profiles import FileLayout, FixedField

if TYPE_CHECKING:
    import pyarrow as pa

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What surrogateescape makes of an undecodable byte: searched in C, once per field.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_CHUNK = 1 << 20  # bytes read at a time while detecting an encoding
# A field may be as long as a line can be: the csv module's default limit (131072 characters)
# would reject a valid row with a long free-text field.
csv.field_size_limit(1 << 30)
_XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_PARQUET_SUFFIXES = frozenset({".parquet", ".parq", ".pq"})
_PADDING = " \u3000"  # half- and full-width spaces padding a fixed-width field


class UnreadableFile(Exception):
    """A file the run cannot use at all; str() is the one-line reason for stderr."""


class Locator:
    """Where a table's fields are in its file; one shared by every row of the table.

    `names` maps a contract column to the name the file gives it, when a profile renamed it:
    a clerk looks for the file's own header. This base class words text files.
    """

    __slots__ = ("names",)

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names

    def name(self, column: str) -> str:
        return self.names.get(column, column)

    def locate(self, line: int, column: str | None) -> str:
        return f"{line}行目「{self.name(column)}」" if column else f"{line}行目"


class SheetLocator(Locator):
    """XLSX: sheet, then the cell (C12), or the row when no column is meant."""

    __slots__ = ("letters", "sheet")

    def __init__(self, names: Mapping[str, str], sheet: str, letters: Mapping[str, str]) -> None:
        super().__init__(names)
        self.sheet = sheet
        self.letters = letters  # contract column -> column letter

    def locate(self, line: int, column: str | None) -> str:
        if not column:
            return f"シート「{self.sheet}」{line}行目"
        letter = self.letters.get(column)
        cell = f"{letter}{line}" if letter else f"{line}行目"
        return f"シート「{self.sheet}」{cell}「{self.name(column)}」"


class ParquetLocator(Locator):
    """Parquet: the row group (1-based) and the row within the file (1-based)."""

    __slots__ = ("starts",)

    def __init__(self, names: Mapping[str, str], starts: Sequence[int]) -> None:
        super().__init__(names)
        self.starts = starts  # first row of each row group

    def locate(self, line: int, column: str | None) -> str:
        place = f"行グループ{bisect.bisect_right(self.starts, line)} / {line}行目"
        return f"{place}「{self.name(column)}」" if column else place


class FixedLocator(Locator):
    """Fixed width: the line and the field's first byte (1-based)."""

    __slots__ = ("starts",)

    def __init__(self, names: Mapping[str, str], starts: Mapping[str, int]) -> None:
        super().__init__(names)
        self.starts = starts  # contract column -> 0-based byte offset

    def locate(self, line: int, column: str | None) -> str:
        if not column or column not in self.starts:
            return super().locate(line, column)
        return f"{line}行目({self.starts[column] + 1}バイト目)「{self.name(column)}」"


@dataclass(frozen=True, slots=True)
class Row:
    ordinal: int  # 1-based data-row number (spec §4 #ROW:<n>)
    line: int  # where the row is: physical line (text), sheet row (XLSX), row number (Parquet)
    values: dict[str, str]  # by contract column name; columns the row lacks are absent
    problems: tuple[str, ...] = field(default=())
    locator: Locator | None = None  # shared by the table's rows; None: a plain text file

    @property
    def malformed(self) -> bool:
        return bool(self.problems)

    def locate(self, column: str | None = None) -> str:
        """Where `column` of this row is, for 説明: 12行目「氏名」, シート「台帳」C12「氏名」."""
        if self.locator is None:
            return f"{self.line}行目「{column}」" if column else f"{self.line}行目"
        return self.locator.locate(self.line, column)


@dataclass(slots=True)
class RowBatch:
    """Consecutive data rows as columns: how the engine moves millions of rows.

    `columns` holds every header column, "" where a row lacks the field; `problems` holds the
    malformed rows' problems by position in the batch.
    """

    ordinals: list[int]
    lines: list[int]
    columns: dict[str, list[str]]
    problems: dict[int, tuple[str, ...]] = field(default_factory=dict)
    locator: Locator | None = None

    def __len__(self) -> int:
        return len(self.ordinals)

    def locate(self, index: int, column: str | None = None) -> str:
        """Where `column` of the row at `index` is (see Row.locate)."""
        return Row(self.ordinals[index], self.lines[index], {}, (), self.locator).locate(column)


def batches_of(rows: Iterator[Row], header: Sequence[str], size: int) -> Iterator[RowBatch]:
    """Rows gathered into batches (readers without a faster batch path)."""
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield _batch(chunk, header)
            chunk = []
    if chunk:
        yield _batch(chunk, header)


def _batch(rows: list[Row], header: Sequence[str]) -> RowBatch:
    return RowBatch(
        [row.ordinal for row in rows],
        [row.line for row in rows],
        {column: [row.values.get(column, "") for row in rows] for column in header},
        {i: row.problems for i, row in enumerate(rows) if row.problems},
        rows[0].locator,
    )


@dataclass(frozen=True, slots=True)
class Table:
    path: Path
    encoding: str  # "" for XLSX and Parquet
    delimiter: str  # "" unless delimited
    header: tuple[str, ...]  # contract names where a profile renamed columns
    rows: Iterator[Row]
    kind: str = "delimited"  # delimited, xlsx, parquet, fixed_width
    sheet: str | None = None
    # A reader's own batch path (CSV/TSV), used instead of `rows`; never both.
    batch_source: Callable[[int], Iterator[RowBatch]] | None = None
    clean: bool = False  # text that decodes without a bad byte (an SQL engine may read it)

    def batches(self, size: int = 50_000) -> Iterator[RowBatch]:
        """The rows as column batches of `size`: the same rows `rows` gives, faster."""
        if self.batch_source is not None:
            return self.batch_source(size)
        return batches_of(self.rows, self.header, size)


# ---------------------------------------------------------------------------------------------
# Dispatch and profiles


def open_table(path: Path, required: Sequence[str] = (), layout: FileLayout | None = None) -> Table:
    """Open any input the contract allows; rows keyed by contract names, with contract codes."""
    layout = layout or FileLayout()
    columns = layout.columns
    if layout.fixed_width:
        encoding = layout.encoding or "cp932"
        table = read_fixed_width(path, required, layout.fixed_width, encoding, columns=columns)
    else:
        kind = _kind(path)
        if kind == "xlsx":
            table = read_xlsx(path, required, layout.sheet, columns=columns)
        elif kind == "parquet":
            table = read_parquet(path, required, columns=columns)
        else:
            table = read_delimited(path, required, layout.encoding, layout.delimiter, columns)
    if layout.codes:
        codes = layout.codes
        source = table.batches
        table = dataclasses.replace(
            table,
            rows=_recoded(table.rows, codes),
            batch_source=lambda size: (_recoded_batch(b, codes) for b in source(size)),
        )
    return table


def _kind(path: Path) -> str:
    """By the first bytes (a workbook saved as .dat is still one), else by the suffix.

    A .xls that is really text (systems export TSV or CSV under that name) is read as text.
    """
    head = _check_nonempty(path, 8)
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        reason = "旧形式のExcel(.xls)かパスワード付きのブックは読めない"
        raise UnreadableFile(f"{path}: {reason}(パスワードなしの.xlsxで保存し直す)")
    if head.startswith(b"PK\x03\x04") or suffix in _XLSX_SUFFIXES:
        return "xlsx"
    if head.startswith(b"PAR1") or suffix in _PARQUET_SUFFIXES:
        return "parquet"
    return "delimited"


def _check_nonempty(path: Path, size: int = 0) -> bytes:
    """The first `size` bytes; UnreadableFile for a missing or 0-byte file."""
    try:
        with path.open("rb") as file:
            head = file.read(max(size, 1))
    except OSError as error:
        raise UnreadableFile(f"{path}: 読めない({error.strerror or error})") from error
    if not head:
        raise UnreadableFile(f"{path}: 空のファイル(0バイト)")
    return head


def _rename(
    path: Path,
    header: Sequence[str],
    columns: Mapping[str, str] | None,
    required: Sequence[str],
    where: str,
) -> tuple[tuple[str, ...], dict[str, str]]:
    """(header in contract names, contract name -> the file's name for renamed columns).

    UnreadableFile when a required column is missing, or when a rename makes two columns one.
    """
    columns = columns or {}
    mapped = tuple(columns.get(name, name) for name in header)
    renamed = {
        target: source for source, target in zip(header, mapped, strict=True) if source != target
    }
    first: dict[str, str] = {}
    for source, target in zip(header, mapped, strict=True):
        if target in first and target in renamed:
            both = f"「{first[target]}」と「{source}」"
            raise UnreadableFile(f"{path}: {where}列{both}がどちらも「{target}」になる")
        first.setdefault(target, source)
    missing = [column for column in required if column not in mapped]
    if missing:
        sources = {target: source for source, target in columns.items()}
        listed = "".join(
            f"「{column}」"
            + (f"(プロファイルでは「{sources[column]}」)" if column in sources else "")
            for column in missing
        )
        raise UnreadableFile(f"{path}: {where}必須列{listed}がない")
    return mapped, renamed


def _recoded(rows: Iterator[Row], codes: Mapping[str, Mapping[str, str]]) -> Iterator[Row]:
    """The profile's code lists: a listed value becomes its contract value, others pass."""
    tables = tuple(codes.items())
    for row in rows:
        values = row.values
        for column, table in tables:
            value = values.get(column)
            if value is None:
                continue
            if value in table:
                values[column] = table[value]
            elif (stripped := value.strip()) in table:
                values[column] = table[stripped]
        yield row


def _recoded_batch(batch: RowBatch, codes: Mapping[str, Mapping[str, str]]) -> RowBatch:
    for column, table in codes.items():
        values = batch.columns.get(column)
        if values is not None:
            batch.columns[column] = [
                table.get(v, table.get(v.strip(), v)) if v else v for v in values
            ]
    return batch


# ---------------------------------------------------------------------------------------------
# CSV / TSV


def read_delimited(
    path: Path,
    required: Sequence[str] = (),
    encoding: str | None = None,
    delimiter: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """Open a CSV/TSV file; its rows are read lazily, each with the problems it has."""
    head = _check_nonempty(path, 4)
    used, bad_lines = _encoding(path, head, encoding)
    with _text(path, used) as stream:
        first_line = stream.readline()
    sep = _delimiter(path, first_line, delimiter)
    stream = _text(path, used)
    try:
        reader = csv.reader(stream, delimiter=sep)
        try:
            header = next(reader)
        except StopIteration:
            header = []
        except csv.Error as error:
            raise UnreadableFile(f"{path}: 1行目: ヘッダを読めない({error})") from error
        header = [h.strip().lstrip("\ufeff") for h in header]
        if not any(header):
            raise UnreadableFile(f"{path}: 1行目にヘッダがない")
        if _ESCAPED_BYTE.search("".join(header)):
            raise UnreadableFile(f"{path}: 1行目: ヘッダに{used}として読めないバイトがある")
        names, renamed = _rename(path, header, columns, required, "1行目: ")
    except BaseException:
        stream.close()
        raise
    locator = Locator(renamed) if renamed else None
    start = reader.line_num + 1

    def batch_source(size: int) -> Iterator[RowBatch]:
        return _row_batches(stream, reader, start, names, used, locator, bad_lines, size)

    return Table(
        path, used, sep, names, _rows(stream, reader, names, used, locator), "delimited", None,
        batch_source, not bad_lines,
    )  # fmt: skip


def _encoding(path: Path, head: bytes, encoding: str | None) -> tuple[str, list[int]]:
    """The caller's encoding, else by BOM, else strict UTF-8, else CP932, else the lesser evil;
    and the physical lines holding bytes it cannot decode (only those rows are checked)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as error:
            raise UnreadableFile(f"{path}: 文字コード「{encoding}」を知らない") from error
        return encoding, _undecodable_lines(path, encoding)
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, _undecodable_lines(path, name)
    for name in ("utf-8", "cp932"):
        if _decodes(path, name):
            return name, []
    # Neither decodes everything: keep the one that fails on fewer lines (UTF-8 on a tie).
    utf8 = _bad_lines(path, "utf-8")
    cp932 = _bad_lines(path, "cp932", limit=len(utf8))
    return ("cp932", cp932) if len(cp932) < len(utf8) else ("utf-8", utf8)


def _undecodable_lines(path: Path, encoding: str) -> list[int]:
    if _decodes(path, encoding):
        return []
    try:
        return _bad_lines(path, encoding)
    except UnicodeDecodeError as error:  # e.g. UTF-16 cut in the middle of a character
        raise UnreadableFile(f"{path}: {encoding}として読めない({error.reason})") from error


def _decodes(path: Path, encoding: str) -> bool:
    """Whether the whole file decodes strictly; read in chunks, nothing kept."""
    decoder = codecs.getincrementaldecoder(encoding)()
    with path.open("rb") as file:
        try:
            while chunk := file.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _bad_lines(path: Path, encoding: str, limit: int | None = None) -> list[int]:
    """Physical lines (1-based, in order) holding bytes `encoding` cannot decode, found on
    decoded chunks in C; the search stops once more than `limit` are found."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
    bad: set[int] = set()
    lines_before, tail = 0, ""
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            text = tail + decoder.decode(chunk, final=not chunk)
            text, _, tail = text.rpartition("\n") if chunk else (text, "", "")
            position, line = 0, lines_before
            for match in _ESCAPED_BYTE.finditer(text):  # in order: count newlines once
                line += text.count("\n", position, match.start())
                position = match.start()
                bad.add(line)
                if limit is not None and len(bad) > limit:
                    return sorted(line + 1 for line in bad)
            lines_before += text.count("\n") + 1
            if not chunk:
                return sorted(line + 1 for line in bad)


def _text(path: Path, encoding: str) -> IO[str]:
    # newline="": the csv module sees line ends as they are, and counts physical lines.
    return path.open(encoding=encoding, errors="surrogateescape", newline="")


def _delimiter(path: Path, header_line: str, delimiter: str | None) -> str:
    if delimiter:
        return delimiter
    if path.suffix.lower() == ".tsv" or ("\t" in header_line and "," not in header_line):
        return "\t"
    return ","


def _rows(
    stream: IO[str],
    reader: Any,
    header: Sequence[str],
    encoding: str,
    locator: Locator | None,
) -> Iterator[Row]:
    place = locator.locate if locator else Locator({}).locate
    ordinal = 0
    line = reader.line_num + 1  # where the next record starts
    with stream:
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                ordinal += 1
                problem = f"{place(line, None)}: CSVとして読めない({error})"
                yield Row(ordinal, line, {}, (problem,), locator)
                line = reader.line_num + 1
                continue
            start, line = line, reader.line_num + 1
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line is not a row
            ordinal += 1
            problems = []
            if len(fields) != len(header):
                problems.append(
                    f"{place(start, None)}: 列数が{len(fields)}(ヘッダは{len(header)}列)"
                )
            values = dict(zip(header, fields, strict=False))
            if _ESCAPED_BYTE.search("".join(fields)):  # one search per row; fields if it hits
                problems += _undecodable(values, place, start, encoding)
            yield Row(ordinal, start, values, tuple(problems), locator)


def _row_batches(
    stream: IO[str],
    reader: Any,
    line: int,
    header: Sequence[str],
    encoding: str,
    locator: Locator | None,
    bad_lines: list[int],
    size: int,
) -> Iterator[RowBatch]:
    """The rows of `_rows`, as column batches, with as little per-row work as possible: only
    rows spanning one of `bad_lines` (found while detecting the encoding) are searched for
    bad bytes, and columns come from one zip."""
    place = locator.locate if locator else Locator({}).locate
    width, ordinal, done = len(header), 0, False
    bad = iter(bad_lines)
    next_bad = next(bad, None)
    with stream:
        while not done:
            fields_list: list[list[str]] = []
            ordinals: list[int] = []
            lines: list[int] = []
            problems: dict[int, tuple[str, ...]] = {}
            add_fields, add_ordinal, add_line = fields_list.append, ordinals.append, lines.append
            for _ in range(size):
                try:
                    fields = next(reader)
                except StopIteration:
                    done = True
                    break
                except csv.Error as error:
                    ordinal += 1
                    problem = f"{place(line, None)}: CSVとして読めない({error})"
                    problems[len(fields_list)] = (problem,)
                    add_fields([""] * width)
                    add_ordinal(ordinal)
                    add_line(line)
                    line = reader.line_num + 1
                    continue
                start, line = line, reader.line_num + 1
                suspect = next_bad is not None and next_bad < line
                if suspect:
                    while next_bad is not None and next_bad < line:
                        next_bad = next(bad, None)
                if len(fields) != width or suspect:
                    if not fields or (len(fields) == 1 and not fields[0].strip()):
                        continue  # a blank line is not a row
                    fields, found = _checked_fields(fields, header, place, start, encoding, suspect)
                    if found:
                        problems[len(fields_list)] = found
                ordinal += 1
                add_fields(fields)
                add_ordinal(ordinal)
                add_line(start)
            if fields_list:
                columns = dict(zip(header, map(list, zip(*fields_list, strict=True)), strict=True))
                yield RowBatch(ordinals, lines, columns, problems, locator)


def _checked_fields(
    fields: list[str], header: Sequence[str], place: Any, start: int, encoding: str, suspect: bool
) -> tuple[list[str], tuple[str, ...]]:
    """A row that needs a closer look: wrong field count (padded or cut to the header), or
    possibly undecodable bytes (each field named)."""
    width = len(header)
    found: list[str] = []
    if len(fields) != width:
        found.append(f"{place(start, None)}: 列数が{len(fields)}(ヘッダは{width}列)")
        fields = (fields + [""] * width)[:width]
    if suspect and _has_escaped_byte("".join(fields)):
        values = dict(zip(header, fields, strict=True))
        found += _undecodable(values, place, start, encoding)
        fields = list(values.values())
    return fields, tuple(found)


def _has_escaped_byte(text: str) -> bool:
    # Encoding fails only on the surrogates that stand for undecodable bytes: faster than a
    # regex search on every row.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _ESCAPED_BYTE.search(text) is not None
    return False


def _undecodable(values: dict[str, str], place: Any, line: int, encoding: str) -> list[str]:
    """Name each field holding escaped bytes, and show them as U+FFFD from now on."""
    problems = []
    for column, value in list(values.items()):
        if _ESCAPED_BYTE.search(value):
            problems.append(f"{place(line, column)}: {encoding}として読めないバイトがある")
            values[column] = value.encode("utf-8", errors="surrogateescape").decode(
                "utf-8", errors="replace"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# XLSX


def read_xlsx(
    path: Path,
    required: Sequence[str] = (),
    sheet: str | None = None,
    *,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """Open a workbook's sheet (the first unless named); its rows are read lazily.

    The header is the first row with a non-empty cell; below it, every row with a non-empty
    cell is a data row and `Row.line` is its sheet row number.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter

    _check_nonempty(path)
    file = path.open("rb")  # a file object: openpyxl then doesn't judge by the suffix
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # styles and extensions openpyxl doesn't know
            book = openpyxl.load_workbook(file, read_only=True, data_only=True)
    except Exception as error:
        file.close()
        raise UnreadableFile(f"{path}: XLSXとして読めない({_reason(error)})") from error
    try:
        worksheet = _worksheet(path, book, sheet)
        title = worksheet.title
        worksheet.reset_dimensions()  # some writers record a wrong size: read every row
        cells = _guarded(path, title, enumerate(worksheet.iter_rows(values_only=True), start=1))
        header_line, header = _xlsx_header(path, title, cells)
        where = f"シート「{title}」{header_line}行目: "
        names, renamed = _rename(path, header, columns, required, where)
    except BaseException:
        book.close()
        file.close()
        raise
    letters = {name: get_column_letter(i + 1) for i, name in enumerate(names)}
    locator = SheetLocator(renamed, title, letters)
    rows = _sheet_rows(book, file, cells, names, locator)
    return Table(path, "", "", names, rows, kind="xlsx", sheet=title)


def _reason(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _worksheet(path: Path, book: Any, sheet: str | None) -> Any:
    sheets = {worksheet.title: worksheet for worksheet in book.worksheets}  # no chart sheets
    if not sheets:
        raise UnreadableFile(f"{path}: ワークシートがない")
    if sheet is None:
        return book.worksheets[0]
    if sheet not in sheets:
        known = "「" + "」「".join(sheets) + "」"
        raise UnreadableFile(f"{path}: シート「{sheet}」がない(あるのは{known})")
    return sheets[sheet]


def _guarded(
    path: Path, title: str, cells: Iterator[tuple[int, tuple[Any, ...]]]
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """The sheet's rows; a workbook corrupt past its start is UnreadableFile, not a traceback."""
    line = 0
    while True:
        try:
            line, row = next(cells)
        except StopIteration:
            return
        except Exception as error:
            where = f"シート「{title}」{line + 1}行目"
            raise UnreadableFile(
                f"{path}: {where}: XLSXとして読めない({_reason(error)})"
            ) from error
        yield line, row


def _xlsx_header(
    path: Path, title: str, cells: Iterator[tuple[int, tuple[Any, ...]]]
) -> tuple[int, list[str]]:
    for line, row in cells:
        if _blank(row):
            continue
        header = [_cell_text(value).strip() for value in row]
        while header and not header[-1]:
            header.pop()
        return line, header
    raise UnreadableFile(f"{path}: シート「{title}」にヘッダがない(空のシート)")


def _blank(row: tuple[Any, ...]) -> bool:
    """No non-empty cell; counted in C rather than cell by cell."""
    return row.count(None) + row.count("") == len(row)


def _cell_text(value: Any) -> str:
    """A cell as text, without damage: digits for whole numbers, ISO for dates."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None and value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _sheet_rows(
    book: Any,
    file: IO[bytes],
    cells: Iterator[tuple[int, tuple[Any, ...]]],
    header: Sequence[str],
    locator: SheetLocator,
) -> Iterator[Row]:
    from openpyxl.utils import get_column_letter

    width = len(header)
    padding = [""] * width
    ordinal = 0
    try:
        for line, row in cells:
            if _blank(row):
                continue  # a row without a non-empty cell is not a data row
            ordinal += 1
            texts = [v if type(v) is str else _cell_text(v) for v in row]
            problems: tuple[str, ...] = ()
            if len(texts) > width:
                extra = next((i for i in range(width, len(texts)) if texts[i]), None)
                if extra is not None:
                    cell = f"シート「{locator.sheet}」{get_column_letter(extra + 1)}{line}"
                    problems = (f"{cell}: 見出しのない列に値がある",)
                del texts[width:]
            elif len(texts) < width:
                texts += padding[len(texts) :]  # empty trailing cells are not stored
            yield Row(ordinal, line, dict(zip(header, texts, strict=True)), problems, locator)
    finally:
        book.close()
        file.close()


# ---------------------------------------------------------------------------------------------
# Parquet


def read_parquet(
    path: Path,
    required: Sequence[str] = (),
    *,
    columns: Mapping[str, str] | None = None,
    batch_rows: int = 8_192,
) -> Table:
    """Open a Parquet file; rows come batch by batch, every value as text, nulls empty.

    Every row is a data row; `Row.line` is its 1-based number in the file.
    """
    import pyarrow.parquet as pq

    _check_nonempty(path)
    try:
        parquet = pq.ParquetFile(path)
    except Exception as error:
        raise UnreadableFile(f"{path}: Parquetとして読めない({_reason(error)})") from error
    header = [name.strip() for name in parquet.schema_arrow.names]
    if not any(header):
        parquet.close()
        raise UnreadableFile(f"{path}: 列がない")
    try:
        names, renamed = _rename(path, header, columns, required, "")
    except UnreadableFile:
        parquet.close()
        raise
    starts, first = [], 1
    for group in range(parquet.metadata.num_row_groups):
        starts.append(first)
        first += parquet.metadata.row_group(group).num_rows
    locator = ParquetLocator(renamed, starts)
    rows = _parquet_rows(path, parquet, names, locator, batch_rows)
    return Table(path, "", "", names, rows, kind="parquet")


def _parquet_rows(
    path: Path, parquet: Any, header: Sequence[str], locator: ParquetLocator, batch_rows: int
) -> Iterator[Row]:
    batches = parquet.iter_batches(batch_size=batch_rows)
    line = 0  # rows so far
    try:
        while True:
            try:
                batch = next(batches)
            except StopIteration:
                return
            except Exception as error:
                where = f"{line + 1}行目以降"
                raise UnreadableFile(
                    f"{path}: {where}: Parquetとして読めない({_reason(error)})"
                ) from error
            texts, bad = [], {}
            for column, array in zip(header, batch.columns, strict=True):
                values, undecodable = _arrow_texts(array)
                texts.append(values)
                for offset in undecodable:
                    bad.setdefault(offset, []).append(column)
            for offset, values in enumerate(zip(*texts, strict=True)):
                line += 1
                problems: tuple[str, ...] = ()
                if offset in bad:
                    problems = tuple(
                        f"{locator.locate(line, c)}: 文字として読めないバイトがある"
                        for c in bad[offset]
                    )
                yield Row(line, line, dict(zip(header, values, strict=True)), problems, locator)
    finally:
        parquet.close()


def _arrow_texts(array: pa.Array | pa.ChunkedArray) -> tuple[list[str], list[int]]:
    """A column as text, nulls as "", and the offsets of values whose bytes don't decode."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = array.type
    if pa.types.is_dictionary(kind):
        array = pc.cast(array, kind.value_type)
        kind = kind.value_type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = array
    elif pa.types.is_floating(kind):
        # Arrow writes 123456789018.0 as 1.23456789018e+11: whole numbers become digits.
        whole = pc.and_(pc.equal(pc.floor(array), array), pc.less(pc.abs(array), 2.0**62))
        digits = pc.cast(pc.cast(array, pa.int64(), safe=False), pa.string())
        text = pc.if_else(whole, digits, pc.cast(array, pa.string()))
    elif pa.types.is_timestamp(kind):
        text = pc.cast(array, pa.string())
        text = pc.replace_substring_regex(text, r" 00:00:00(\.0+)?$", "")  # midnight: a date
        text = pc.replace_substring_regex(text, r"\.0+$", "")
        text = pc.replace_substring_regex(text, r"^(\d{4}-\d\d-\d\d) ", r"\1T")
    elif pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            text = pc.cast(array, pa.string())
        except pa.ArrowInvalid:
            return _decoded(array.to_pylist())
    else:
        try:
            text = pc.cast(array, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return ["" if v is None else str(v) for v in array.to_pylist()], []
    return pc.fill_null(text, "").to_pylist(), []


def _decoded(values: list[bytes | None]) -> tuple[list[str], list[int]]:
    """Bytes that aren't UTF-8: each value as UTF-8, else CP932 (spec §5), else marked."""
    texts, bad = [], []
    for offset, value in enumerate(values):
        if value is None:
            texts.append("")
            continue
        for encoding in ("utf-8", "cp932"):
            try:
                texts.append(value.decode(encoding))
                break
            except UnicodeDecodeError:
                continue
        else:
            texts.append(value.decode("utf-8", errors="replace"))
            bad.append(offset)
    return texts, bad


# ---------------------------------------------------------------------------------------------
# Fixed width


def read_fixed_width(
    path: Path,
    required: Sequence[str],
    layout: Sequence[FixedField],
    encoding: str = "cp932",
    *,
    columns: Mapping[str, str] | None = None,
) -> Table:
    """Open a fixed-width file: one record per line (CRLF or LF), no header, fields by byte.

    Each field is decoded on its own, its trailing padding spaces (half- or full-width)
    removed. A line too short for a field, or a field whose bytes don't decode, makes its row
    malformed, naming the field; a blank line is not a row.
    """
    if not layout:
        raise UnreadableFile(f"{path}: 固定長のレイアウトがない")
    try:
        codecs.lookup(encoding)
    except LookupError as error:
        raise UnreadableFile(f"{path}: 文字コード「{encoding}」を知らない") from error
    _check_nonempty(path)
    source = [f.column for f in layout]
    names, renamed = _rename(path, source, columns, required, "固定長レイアウトに")
    spans = tuple((name, f.start, f.end) for name, f in zip(names, layout, strict=True))
    locator = FixedLocator(renamed, {name: start for name, start, _ in spans})
    try:
        stream = path.open("rb")
    except OSError as error:
        raise UnreadableFile(f"{path}: 読めない({error.strerror or error})") from error
    rows = _fixed_rows(stream, spans, encoding, locator)
    return Table(path, encoding, "", names, rows, kind="fixed_width")


def _fixed_rows(
    stream: IO[bytes],
    spans: tuple[tuple[str, int, int], ...],
    encoding: str,
    locator: FixedLocator,
) -> Iterator[Row]:
    width = max(end for _, _, end in spans)
    names = tuple(name for name, _, _ in spans)
    # All fields cut out in one C call; the extra empty slice makes even one field a tuple,
    # and zip() below drops it.
    cut = operator.itemgetter(*(slice(start, end) for _, start, end in spans), slice(0, 0))
    ordinal = 0
    with stream:
        for line, raw in enumerate(stream, start=1):
            record = raw.rstrip(b"\r\n")
            if not record.strip(b" \t\x1a"):
                continue  # a blank line (or a DOS end-of-file mark) is not a row
            ordinal += 1
            texts = _decoded_fields(cut(record), encoding) if len(record) >= width else None
            if texts is not None:  # the common case: a full line whose fields all decode
                yield Row(ordinal, line, dict(zip(names, texts, strict=False)), (), locator)
                continue
            values, undecodable = _fields(record, spans, encoding)
            problems = [_short(record, spans, line, width, locator)] if len(record) < width else []
            for column in undecodable:
                problems.append(
                    f"{locator.locate(line, column)}: {encoding}として読めないバイトがある"
                )
            yield Row(ordinal, line, values, tuple(problems), locator)


def _decoded_fields(chunks: tuple[bytes, ...], encoding: str) -> list[str] | None:
    """Every field decoded and unpadded, or None when one doesn't decode."""
    try:
        return [chunk.decode(encoding).rstrip(_PADDING) for chunk in chunks]
    except UnicodeDecodeError:
        return None


def _fields(
    record: bytes, spans: tuple[tuple[str, int, int], ...], encoding: str
) -> tuple[dict[str, str], list[str]]:
    """Values by column, and the columns whose complete bytes don't decode."""
    values: dict[str, str] = {}
    undecodable: list[str] = []
    size = len(record)
    for name, start, end in spans:
        if start >= size:
            continue  # the line ends before this field: absent
        chunk = record[start:end]
        try:
            value = chunk.decode(encoding)
        except UnicodeDecodeError:
            value = chunk.decode(encoding, errors="replace")
            if end <= size:  # a cut field is reported as cut, not as undecodable
                undecodable.append(name)
        values[name] = value.rstrip(_PADDING)
    return values, undecodable


def _short(
    record: bytes,
    spans: tuple[tuple[str, int, int], ...],
    line: int,
    width: int,
    locator: FixedLocator,
) -> str:
    """The message for a line that ends inside or before a field, naming the first such."""
    cut = min((span for span in spans if span[2] > len(record)), key=lambda span: span[1])
    where = locator.locate(line, cut[0])
    return f"{where}: 行が{len(record)}バイトで短い(レイアウトは{width}バイト)"
