"""The audit sample behind the residual-risk figure: drawn reproducibly, logged, tallied.

The sample is drawn from the auto-cleared rows of an engine run's results.csv (spec
collation-io.md §4), uniformly without replacement, with `random.Random(seed)`: the Mersenne
Twister and `sample` give the same draw on every platform, so anyone holding the same
results.csv and seed can redraw it and check that nobody picked the easy records. The manifest
written beside the sample logs the seed, the SHA-256 of results.csv and the counts.

Rows are listed in the order they were drawn (抽出順): any first n of them is itself a uniform
random sample, so an audit that stops early is still valid as long as clerks work down the list
without skipping rows.

results.csv may hold millions of rows; it is streamed twice (count, then pick) and only the
sampled rows are kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import platform
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from himoken import __version__
from himoken.collate.verdicts import Verdict

AUTO_CLEARED = tuple(v.code for v in Verdict if not v.flagged)  # MATCH, NOTATION, EXPLAINED
VERDICT_CODES = frozenset(v.code for v in Verdict)
RESULT_COLUMNS = ("レコード番号", "判定", "説明")
SAMPLE_COLUMNS = ("抽出順", "レコード番号", "判定", "説明", "確認結果", "確認者", "備考")
CORRECT, WRONG = "正", "誤"
METHOD = (
    "auto-cleared rows (判定 MATCH, NOTATION, EXPLAINED) numbered 0.. in file order; "
    "random.Random(seed).sample(range(population), min(size, population)), listed in draw order"
)


class SampleError(ValueError):
    """A results.csv or sample file himoken cannot use, with where and why."""


def manifest_path(sample_csv: Path) -> Path:
    """Where the manifest of a sample lives: sample.csv → sample.manifest.json."""
    return sample_csv.with_name(f"{sample_csv.stem}.manifest.json")


class _Hashing(io.RawIOBase):
    """A binary file that hashes what is read through it, so one pass both parses and hashes."""

    def __init__(self, raw: io.BufferedReader, sha256: hashlib._Hash) -> None:
        self.raw = raw
        self.sha256 = sha256

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = self.raw.readinto(buffer)
        self.sha256.update(buffer[:count])
        return count


def _auto_cleared(results_csv: Path, sha256: hashlib._Hash | None = None) -> Iterator[list[str]]:
    """[レコード番号, 判定, 説明] of each auto-cleared row, in file order, checking 判定; when
    `sha256` is given, the whole file is fed to it as it is read."""
    with results_csv.open("rb") as raw:
        stream = raw if sha256 is None else io.BufferedReader(_Hashing(raw, sha256))
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        reader = csv.reader(text)
        try:
            header = next(reader, None)
            if header is None:
                raise SampleError(f"{results_csv}: empty file, expected a results.csv header")
            missing = [c for c in RESULT_COLUMNS if c not in header]
            if missing:
                raise SampleError(
                    f"{results_csv}: not a results.csv (no column {', '.join(missing)})"
                )
            positions = [header.index(c) for c in RESULT_COLUMNS]
            verdict_at = positions[1]
            for row in reader:
                if not row:
                    continue
                verdict = row[verdict_at] if verdict_at < len(row) else ""
                if verdict not in VERDICT_CODES:
                    raise SampleError(
                        f"{results_csv}: line {reader.line_num}, 判定: {verdict!r} "
                        f"is not a verdict ({', '.join(v.code for v in Verdict)})"
                    )
                if verdict in AUTO_CLEARED:
                    yield [row[i] if i < len(row) else "" for i in positions]
        except UnicodeDecodeError as error:
            raise SampleError(f"{results_csv}: not UTF-8 ({error.reason})") from error


def _count(results_csv: Path) -> tuple[Counter[str], str]:
    """Auto-cleared rows per verdict and the SHA-256 of the file, in one pass."""
    sha256 = hashlib.sha256()
    counts = Counter(row[1] for row in _auto_cleared(results_csv, sha256))
    return counts, sha256.hexdigest()


def draw_sample(results_csv: Path, size: int, seed: int, out_csv: Path) -> dict[str, object]:
    """Draw `size` auto-cleared rows for clerks to verify; write the sample CSV (UTF-8 with BOM,
    CRLF, like the engine's outputs) and its manifest; return the manifest.

    Refuses to overwrite an existing sample: it may already hold clerks' work.
    """
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SampleError(f"size must be a whole number of 1 or more, got {size!r}")
    if not results_csv.is_file():
        raise SampleError(f"{results_csv}: no such file")
    manifest_file = manifest_path(out_csv)
    for path in (out_csv, manifest_file):
        if path.exists():
            raise SampleError(f"{path} already exists; it may hold clerks' work, choose another")

    counts, digest = _count(results_csv)
    population = sum(counts.values())
    taken = min(size, population)
    drawn = random.Random(seed).sample(range(population), taken)
    order = {ordinal: place for place, ordinal in enumerate(drawn, start=1)}
    picked: dict[int, list[str]] = {}
    for ordinal, row in enumerate(_auto_cleared(results_csv)):
        if ordinal in order:
            picked[order[ordinal]] = row

    out_csv.parent.mkdir(parents=True, exist_ok=True)
    with out_csv.open("x", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(SAMPLE_COLUMNS)
        for place in range(1, taken + 1):
            writer.writerow([place, *picked[place], "", "", ""])

    manifest: dict[str, object] = {
        "kind": "himoken audit sample",
        "results_csv": str(results_csv),
        "results_sha256": digest,
        "seed": seed,
        "size_requested": size,
        "size": taken,
        "population": population,
        "population_by_verdict": {code: counts.get(code, 0) for code in AUTO_CLEARED},
        "all_taken": size >= population,
        "method": METHOD,
        "sample_csv": str(out_csv),
        "created": datetime.now().astimezone().isoformat(timespec="seconds"),
        "himoken_version": __version__,
        "python": platform.python_version(),
    }
    if size > population:
        manifest["note"] = (
            f"requested {size:,} but only {population:,} rows were auto-cleared: all were taken"
        )
    with manifest_file.open("x", encoding="utf-8") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return manifest


@dataclass(frozen=True)
class Tally:
    """What clerks found in a sample: `audited` rows checked (正 or 誤), `errors` of them 誤,
    `pending` rows not yet checked (empty 確認結果)."""

    audited: int
    errors: int
    pending: int


def tally(sample_csv: Path) -> Tally:
    """Count the verdicts clerks wrote in 確認結果; anything but 正, 誤 or empty is refused with
    the file, line and value, since a guess here would change the published figure."""
    try:
        data = sample_csv.read_bytes()
    except OSError as error:
        raise SampleError(f"{sample_csv}: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:  # Excel's plain "CSV" saves in Shift_JIS (cp932)
            text = data.decode("cp932")
        except UnicodeDecodeError as error:
            raise SampleError(f"{sample_csv}: neither UTF-8 nor cp932") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None) or []
    if "確認結果" not in header:
        raise SampleError(f"{sample_csv}: no column 確認結果; is this an audit sample?")
    at = header.index("確認結果")
    audited = errors = pending = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        value = (row[at] if at < len(row) else "").strip()
        if value == CORRECT:
            audited += 1
        elif value == WRONG:
            audited += 1
            errors += 1
        elif not value:
            pending += 1
        else:
            raise SampleError(
                f"{sample_csv}: line {reader.line_num}, 確認結果: {value!r} is not "
                f"{CORRECT} or {WRONG} (leave it empty while not yet checked)"
            )
    return Tally(audited=audited, errors=errors, pending=pending)
