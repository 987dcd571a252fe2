"""Reading input files row by row, every data row accounted for (spec §1, §4, §5).

Text files are decoded by BOM (UTF-8, UTF-16), else as strict UTF-8, else as CP932 (`cp932`,
not `shift_jis`), unless the caller says which. Bytes that don't decode make only their row
malformed: the file is decoded with `surrogateescape`, and a row holding an escaped byte is
reported with its physical line and column, never dropped. When neither UTF-8 nor CP932
decodes the whole file, the one that fails on fewer lines wins.

A data row is a parsed record: the header is not counted, blank lines are not rows, a quoted
field may span lines. A file that can't be read at all (missing, empty, no header, a required
column missing) raises UnreadableFile with a one-line reason naming the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What surrogateescape makes of an undecodable byte: searched in C, once per field.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


class UnreadableFile(Exception):
    """A file the run cannot use at all; str() is the one-line reason for stderr."""


@dataclass(frozen=True, slots=True)
class Row:
    ordinal: int  # 1-based data-row number (spec §4 #ROW:<n>)
    line: int  # physical line where the row starts (the header is line 1)
    values: dict[str, str]  # by column name; columns the row lacks are absent
    problems: tuple[str, ...] = field(default=())

    @property
    def malformed(self) -> bool:
        return bool(self.problems)


@dataclass(frozen=True, slots=True)
class Table:
    path: Path
    encoding: str
    delimiter: str
    header: tuple[str, ...]
    rows: Iterator[Row]


def _decode(data: bytes, path: Path, encoding: str | None) -> tuple[str, str]:
    """(text, encoding name); undecodable bytes kept as surrogate escapes."""
    if encoding:
        try:
            return data.decode(encoding, errors="surrogateescape"), encoding
        except LookupError as error:
            raise UnreadableFile(f"{path}: 文字コード「{encoding}」を知らない") from error
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="surrogateescape"), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        pass
    # Neither decodes everything: keep the one that fails on fewer lines.
    candidates = []
    for name in ("utf-8", "cp932"):
        text = data.decode(name, errors="surrogateescape")
        bad_lines = sum(1 for line in text.splitlines() if _ESCAPED_BYTE.search(line))
        candidates.append((bad_lines, name, text))
    bad_lines, name, text = min(candidates)
    return text, name


def _delimiter(path: Path, header_line: str, delimiter: str | None) -> str:
    if delimiter:
        return delimiter
    if path.suffix.lower() == ".tsv" or ("\t" in header_line and "," not in header_line):
        return "\t"
    return ","


def read_delimited(
    path: Path,
    required: Sequence[str] = (),
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Table:
    """Open a CSV/TSV file; its rows are read lazily, each with the problems it has."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(f"{path}: 読めない({error.strerror or error})") from error
    if not data:
        raise UnreadableFile(f"{path}: 空のファイル(0バイト)")
    text, used = _decode(data, path, encoding)
    first_line = text.split("\n", 1)[0]
    sep = _delimiter(path, first_line, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
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
    missing = [column for column in required if column not in header]
    if missing:
        raise UnreadableFile(f"{path}: 1行目: 必須列「{'」「'.join(missing)}」がない")
    return Table(path, used, sep, tuple(header), _rows(reader, header, used))


def _rows(reader: csv.Reader, header: list[str], encoding: str) -> Iterator[Row]:
    ordinal = 0
    line = reader.line_num + 1  # where the next record starts
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            ordinal += 1
            yield Row(ordinal, line, {}, (f"{line}行目: CSVとして読めない({error})",))
            line = reader.line_num + 1
            continue
        start, line = line, reader.line_num + 1
        if not fields or (len(fields) == 1 and not fields[0].strip()):
            continue  # a blank line is not a row
        ordinal += 1
        problems = []
        if len(fields) != len(header):
            problems.append(f"{start}行目: 列数が{len(fields)}(ヘッダは{len(header)}列)")
        values = {}
        for column, value in zip(header, fields, strict=False):
            if _ESCAPED_BYTE.search(value):
                problems.append(f"{start}行目「{column}」: {encoding}として読めないバイトがある")
                value = value.encode("utf-8", errors="surrogateescape").decode(
                    "utf-8", errors="replace"
                )
            values[column] = value
        yield Row(ordinal, start, values, tuple(problems))
