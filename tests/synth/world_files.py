"""Read a generated world back from disk the way a user of the files would."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class RecordLine:
    """One data row of records.csv: its fields, or None when its bytes do not decode."""

    ordinal: int  # 1-based data-row number
    fields: list[str] | None

    def get(self, column: str, header: list[str]) -> str:
        assert self.fields is not None
        return self.fields[header.index(column)]


@dataclass
class Extract:
    slug: str
    header: list[str]
    lines: list[RecordLine]
    truth: list[dict[str, str]]

    def record(self, truth_row: dict[str, str]) -> dict[str, str]:
        line = self.lines[int(truth_row["行番号"]) - 1]
        assert line.fields is not None and len(line.fields) == len(self.header)
        return dict(zip(self.header, line.fields, strict=True))


@dataclass
class World:
    root: Path
    manifest: dict
    register: dict[str, dict[str, str]]  # by 個人番号
    extracts: dict[str, Extract] = field(default_factory=dict)

    @property
    def all_truth(self) -> list[tuple[Extract, dict[str, str]]]:
        return [(e, row) for e in self.extracts.values() for row in e.truth]


def _lines(path: Path, encoding: str) -> tuple[list[str], list[RecordLine]]:
    raw = path.read_bytes().split(b"\r\n")
    assert raw[-1] == b"", f"{path} must end with CRLF"
    header = next(csv.reader([raw[0].decode(encoding)]))
    lines = []
    for ordinal, data in enumerate(raw[1:-1], start=1):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            lines.append(RecordLine(ordinal, None))
            continue
        lines.append(RecordLine(ordinal, next(csv.reader(io.StringIO(text)))))
    return header, lines


def load_world(root: Path) -> World:
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    encoding = manifest["encoding"]
    header, lines = _lines(root / "register.csv", encoding)
    register = {}
    for line in lines:
        assert line.fields is not None, "register rows always decode"
        row = dict(zip(header, line.fields, strict=True))
        register[row["個人番号"]] = row
    world = World(root, manifest, register)
    for business in manifest["businesses"]:
        header, lines = _lines(root / business["files"]["records"], encoding)
        with (root / business["files"]["truth"]).open(encoding="utf-8", newline="") as handle:
            truth = list(csv.DictReader(handle))
        world.extracts[business["slug"]] = Extract(business["slug"], header, lines, truth)
    return world
