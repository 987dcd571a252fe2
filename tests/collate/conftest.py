"""Builders for the collation engine's behaviour tests: synthetic numbers, input files written
from lists of dicts in any encoding, and a run whose results.csv is read back as dicts."""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from himoken.collate.run import Labels, RunResult, collate
from himoken.mynumber import with_check_digit

RESULT_HEADER = ["レコード番号", "判定", "要確認", "理由", "リスク", "候補個人番号", "説明"]
REGISTER_COLUMNS = [
    "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "世帯番号", "続柄", "旧氏名",
    "旧氏名フリガナ", "氏名変更日", "前住所", "住所異動日", "消除事由",
]  # fmt: skip
RECORD_COLUMNS = [
    "レコード番号", "個人番号", "氏名", "氏名フリガナ", "生年月日", "性別", "住所", "紐付け日",
    "紐付け方法", "登録者", "登録端末", "登録日時", "登録バッチ", "登録順", "申請書番号",
]  # fmt: skip
FLAGGED = frozenset({"REVIEW", "SUSPECT", "INVALID"})
SEVERITY = ("MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT", "INVALID")


def number(n: int) -> str:
    """A valid synthetic individual number, distinct for each n."""
    return with_check_digit(f"{73_100_000_000 + n * 7_919:011d}")


def wrong_check_digit(valid: str) -> str:
    """`valid` with its last digit changed: fails the check digit."""
    return valid[:-1] + str((int(valid[-1]) + 1) % 10)


def csv_text(
    rows: Iterable[Mapping[str, str]], columns: Sequence[str], delimiter: str = ","
) -> str:
    """The CSV text (header and rows, LF line ends) of dicts; missing keys are empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


def write_table(
    path: Path,
    rows: Iterable[Mapping[str, str]],
    columns: Sequence[str],
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\n",
) -> Path:
    """Write dicts as CSV in `encoding` ("utf-8", "cp932", "utf-16-le" ...); `bom` prepends
    the encoding's byte order mark."""
    text = csv_text(rows, columns).replace("\n", newline)
    data = text.encode(encoding)
    if bom:
        data = {"utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE}[encoding] + data
    path.write_bytes(data)
    return path


def write_register(path: Path, rows: Iterable[Mapping[str, str]], **kw: Any) -> Path:
    return write_table(path, rows, REGISTER_COLUMNS, **kw)


def write_records(path: Path, rows: Iterable[Mapping[str, str]], **kw: Any) -> Path:
    return write_table(path, rows, RECORD_COLUMNS, **kw)


def read_results(out: Path) -> list[dict[str, str]]:
    """results.csv as dicts, in file order (decoded as UTF-8 with BOM)."""
    text = (out / "results.csv").read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


@dataclass(repr=False)
class Run:
    result: RunResult
    out: Path
    rows: list[dict[str, str]]

    def __repr__(self) -> str:
        return f"Run({self.out}, {len(self.rows)} rows)"

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.out / "summary.json").read_text(encoding="utf-8"))

    def by_id(self) -> dict[str, dict[str, str]]:
        found: dict[str, dict[str, str]] = {}
        for row in self.rows:
            found.setdefault(row["レコード番号"], row)
        return found

    def __getitem__(self, record_id: str) -> dict[str, str]:
        return self.by_id()[record_id]


def run_files(register: Path, records: Path, out: Path, labels: Labels | None = None) -> Run:
    result = collate(register, records, out, labels)
    return Run(result, out, read_results(out))


def run_rows(
    where: Path,
    register_rows: Iterable[Mapping[str, str]],
    record_rows: Iterable[Mapping[str, str]],
    labels: Labels | None = None,
    **kw: Any,
) -> Run:
    """Write both inputs (same encoding options) under `where` and collate into where/out."""
    where.mkdir(parents=True, exist_ok=True)
    register = write_register(where / "register.csv", register_rows, **kw)
    records = write_records(where / "records.csv", record_rows, **kw)
    return run_files(register, records, where / "out", labels)


def reasons(row: Mapping[str, str]) -> list[str]:
    return [code for code in row["理由"].split(";") if code]
