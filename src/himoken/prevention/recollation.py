"""Scheduled re-collation (issue 7): collate a 事務's records again, compare with the run before.

A municipality re-collates each 事務 on a schedule (monthly, at renewals). Each run goes into a
directory of its own under a history directory, named by its start time; the new run's
results.csv is compared with the previous run's by レコード番号, so that clerks look only at what
is new, and the corrections made since are seen to have worked (RESOLVED). Every run appends
one line to `history.jsonl` for the chart of the inspection's course.

Categories of a record (レコード番号 present in either run, 要確認 = 1 meaning flagged):

- NEW: flagged now, and not flagged before or absent before;
- RESOLVED: flagged before, not flagged now;
- STILL_FLAGGED: flagged in both (備考 says when 判定 or 理由 changed);
- CLEAR: flagged in neither;
- ADDED: absent before, not flagged now;
- GONE: in the previous run only (備考 says when it was flagged).

Rows without an id (`#ROW:<n>`) and the later rows of a repeated レコード番号 — both rejected by the
engine, INVALID with MALFORMED — cannot be matched across runs: they are counted per run as
unpaired and are in that run's own worklist. results.csv files can hold millions of rows, so
the comparison is a join in DuckDB, and changes.csv is streamed from it.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import json
import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from himoken.collate.classify import Options
from himoken.collate.profiles import Labels, Profile
from himoken.collate.run import Progress, collate
from himoken.collate.verdicts import Verdict

CATEGORIES = ("NEW", "RESOLVED", "STILL_FLAGGED", "CLEAR", "ADDED", "GONE")
# changes.csv lists every category but CLEAR, in this order.
LISTED = ("NEW", "RESOLVED", "STILL_FLAGGED", "ADDED", "GONE")
CHANGE_COLUMNS = (
    "区分", "レコード番号", "前回判定", "今回判定", "前回理由", "今回理由", "今回説明",
    "候補個人番号", "備考",
)  # fmt: skip
CHANGES_CSV, CHANGES_JSON = "changes.csv", "changes.json"
HISTORY_FILE = "history.jsonl"
CHANGES_SCHEMA = "himoken.changes/1"
# results.csv columns the comparison reads (spec §4).
NEEDED_COLUMNS = ("レコード番号", "判定", "要確認", "理由", "候補個人番号", "説明")
RUN_NAME = re.compile(r"^(\d{8}-\d{6})(?:-(\d+))?$")
STAMP_FORMAT = "%Y%m%d-%H%M%S"
_FETCH_ROWS = 10_000


class RecollationError(Exception):
    """A comparison or re-collation could not be done; str() is a one-line reason naming the
    file."""


@dataclass(frozen=True)
class RunSide:
    """One of the two runs compared: where it is, its ids from summary.json, its rows."""

    out: Path
    run_id: str
    finished: str
    rows: int  # data rows of results.csv
    flagged: int  # rows with 要確認 = 1
    unpaired: int  # #ROW:<n> rows and repeated レコード番号: not matched across runs
    unpaired_flagged: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "dir": str(self.out),
            "run_id": self.run_id,
            "finished": self.finished,
            "rows": self.rows,
            "flagged": self.flagged,
            "unpaired": self.unpaired,
            "unpaired_flagged": self.unpaired_flagged,
        }


@dataclass(frozen=True)
class Comparison:
    """What changed between two runs. `previous` is None for a first run (nothing before:
    everything flagged is NEW, the rest CLEAR)."""

    previous: RunSide | None
    current: RunSide
    new: int
    resolved: int
    still_flagged: int
    clear: int
    added: int
    gone: int
    still_flagged_changed: int  # STILL_FLAGGED whose 判定 or 理由 changed
    gone_flagged: int  # GONE that were flagged in the previous run
    changes_csv: Path | None = None
    changes_json: Path | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {category: getattr(self, category.lower()) for category in CATEGORIES}

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": CHANGES_SCHEMA,
            "previous": self.previous.as_dict() if self.previous else None,
            "current": self.current.as_dict(),
            "counts": self.counts,
            "still_flagged_changed": self.still_flagged_changed,
            "gone_flagged": self.gone_flagged,
            "changes_csv": str(self.changes_csv) if self.changes_csv else None,
            "changes_json": str(self.changes_json) if self.changes_json else None,
        }


@dataclass(frozen=True)
class RunRecord:
    """One re-collation: the new run's directory, its comparison and its history line."""

    run_dir: Path
    previous_dir: Path | None
    summary: dict[str, Any]
    comparison: Comparison
    history_line: dict[str, Any]
    seconds: float
    log: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_dir": str(self.run_dir),
            "previous_dir": str(self.previous_dir) if self.previous_dir else None,
            "seconds": round(self.seconds, 1),
            "history": self.history_line,
            "comparison": self.comparison.as_dict(),
        }


# ---------------------------------------------------------------------------- comparison


def compare_runs(previous_out: Path, current_out: Path, out_dir: Path | None = None) -> Comparison:
    """Compare two finished OUT_DIRs (results.csv and summary.json each) by レコード番号; with
    `out_dir`, write changes.csv and changes.json there."""
    return _compare(previous_out, current_out, out_dir)


def _compare(
    previous_out: Path | None,
    current_out: Path,
    out_dir: Path | None,
    current_shown: Path | None = None,
) -> Comparison:
    """`current_shown` is the directory named in the outputs (and where changes.csv/json will
    be) when the run is compared in a staging directory before it is moved into place
    (`recollate`)."""
    spill = Path(tempfile.mkdtemp(prefix="himoken-compare-"))
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"SET temp_directory = '{spill}'")
        con.execute("SET enable_progress_bar = false")
        previous = None
        if previous_out is not None:
            previous = _load(con, "prev", previous_out, previous_out)
        else:
            _empty(con, "prev")
        current = _load(con, "cur", current_out, current_shown or current_out)
        _join(con, first_run=previous is None)
        counts = dict(
            con.execute("SELECT category, count(*) FROM changes GROUP BY category").fetchall()
        )
        changed, gone_flagged = con.execute(
            "SELECT count(*) FILTER (WHERE category = 'STILL_FLAGGED' AND changed), "
            "count(*) FILTER (WHERE category = 'GONE' AND p_flag) FROM changes"
        ).fetchone()  # type: ignore[misc]
        comparison = Comparison(
            previous, current, *(counts.get(c, 0) for c in CATEGORIES), changed, gone_flagged
        )
        if out_dir is not None:
            comparison = _write(con, comparison, out_dir, current_shown or out_dir)
        return comparison
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _summary_of(out: Path) -> dict[str, Any]:
    path = out / "summary.json"
    if not (out / "results.csv").is_file():
        raise RecollationError(f"{out / 'results.csv'}: ない(照合の出力先ではない)")
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise RecollationError(f"{path}: ない(照合が完了していない)") from error
    except (OSError, ValueError) as error:
        raise RecollationError(f"{path}: 読めない({error})") from error
    run = summary.get("run") if isinstance(summary, dict) else None
    if not isinstance(run, dict):
        raise RecollationError(f"{path}: run がない(spec §8 の summary.json ではない)")
    return summary


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except (OSError, UnicodeDecodeError) as error:
        raise RecollationError(f"{path}: 読めない({error})") from error
    if not header:
        raise RecollationError(f"{path}: 見出し行がない")
    missing = [c for c in NEEDED_COLUMNS if c not in header]
    if missing:
        raise RecollationError(f"{path}: 列がない: {', '.join(missing)}")
    return header


def _load(con: duckdb.DuckDBPyConnection, table: str, out: Path, shown: Path) -> RunSide:
    """results.csv of `out` as `table` (ord = data-row number, paired = matched by id), after
    checking that a レコード番号 repeats only on rows the engine rejected."""
    summary = _summary_of(out)
    path = out / "results.csv"
    header = _header(path)
    con.execute("SET preserve_insertion_order = true")  # ord follows the file
    try:
        con.execute(
            f"CREATE TABLE {table}_raw AS SELECT row_number() OVER () AS ord, * "
            "FROM read_csv(?, header = true, names = ?, all_varchar = true, delim = ',', "
            "quote = '\"', escape = '\"')",
            [str(path), header],
        )
    except duckdb.Error as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise RecollationError(f"{path}: 読めない({first_line})") from error
    con.execute(f"""
        CREATE TABLE {table} AS
        SELECT ord, id, verdict, flag, reasons, candidate, explanation,
               NOT starts_with(id, '#ROW:') AND seq = 1 AS paired,
               seq > 1 AND NOT starts_with(id, '#ROW:')
                   AND NOT (verdict = 'INVALID' AND list_contains(reason_list, 'MALFORMED'))
                   AS bad_repeat
        FROM (
            SELECT ord, coalesce("レコード番号", '') AS id, coalesce("判定", '') AS verdict,
                   coalesce("要確認", '') = '1' AS flag, coalesce("理由", '') AS reasons,
                   string_split(coalesce("理由", ''), ';') AS reason_list,
                   coalesce("候補個人番号", '') AS candidate,
                   coalesce("説明", '') AS explanation,
                   row_number() OVER (PARTITION BY "レコード番号" ORDER BY ord) AS seq
            FROM {table}_raw
        )
    """)
    con.execute(f"DROP TABLE {table}_raw")
    bad = con.execute(f"SELECT id FROM {table} WHERE bad_repeat ORDER BY ord LIMIT 1").fetchone()
    if bad is not None:
        raise RecollationError(
            f"{path}: レコード番号 {bad[0]} が重複している(照合エンジンは有効な行のレコード番号を"
            "一意に保ち、2行目以降を INVALID・MALFORMED とする: このファイルはエンジンの出力"
            "そのままではない)"
        )
    rows, flagged, unpaired, unpaired_flagged = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE flag), count(*) FILTER (WHERE NOT paired), "
        f"count(*) FILTER (WHERE flag AND NOT paired) FROM {table}"
    ).fetchone()  # type: ignore[misc]
    run = summary["run"]
    return RunSide(
        shown, str(run.get("id", "")), str(run.get("finished", "")), rows, flagged, unpaired,
        unpaired_flagged,
    )  # fmt: skip


def _empty(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """The previous side of a first run: no records."""
    con.execute(f"""
        CREATE TABLE {table} (ord BIGINT, id VARCHAR, verdict VARCHAR, flag BOOLEAN,
            reasons VARCHAR, candidate VARCHAR, explanation VARCHAR, paired BOOLEAN,
            bad_repeat BOOLEAN)
    """)


def _join(con: duckdb.DuckDBPyConnection, first_run: bool) -> None:
    """Every matched record of either run with its category. A first run has no ADDED: with
    nothing before to compare with, a clean record is CLEAR."""
    absent_clean = "'CLEAR'" if first_run else "'ADDED'"
    rank = " ".join(f"WHEN '{c}' THEN {i}" for i, c in enumerate(LISTED))
    con.execute(f"""
        CREATE TABLE changes AS
        SELECT *, CASE category {rank} ELSE 99 END AS rank
        FROM (
            SELECT coalesce(c.id, p.id) AS id, c.ord AS c_ord, p.ord AS p_ord,
                   p.flag AS p_flag, p.verdict AS p_verdict, c.verdict AS c_verdict,
                   p.reasons AS p_reasons, c.reasons AS c_reasons,
                   c.explanation AS c_explanation, c.candidate AS c_candidate,
                   CASE
                       WHEN c.id IS NULL THEN 'GONE'
                       WHEN p.id IS NULL THEN CASE WHEN c.flag THEN 'NEW' ELSE {absent_clean} END
                       WHEN c.flag AND p.flag THEN 'STILL_FLAGGED'
                       WHEN c.flag THEN 'NEW'
                       WHEN p.flag THEN 'RESOLVED'
                       ELSE 'CLEAR'
                   END AS category,
                   p.verdict IS DISTINCT FROM c.verdict AS verdict_changed,
                   p.reasons IS DISTINCT FROM c.reasons AS reasons_changed,
                   p.id IS NOT NULL AND c.id IS NOT NULL
                       AND (verdict_changed OR reasons_changed) AS changed
            FROM (SELECT * FROM prev WHERE paired) p
            FULL OUTER JOIN (SELECT * FROM cur WHERE paired) c ON p.id = c.id
        )
    """)


def _write(
    con: duckdb.DuckDBPyConnection, comparison: Comparison, out_dir: Path, shown: Path
) -> Comparison:
    """changes.csv (UTF-8 with BOM, CRLF, like the engine's files) and changes.json, each
    written under a temporary name and moved into place; `shown` is the directory the files
    are said to be in."""
    csv_path, json_path = out_dir / CHANGES_CSV, out_dir / CHANGES_JSON
    comparison = dataclasses.replace(
        comparison, changes_csv=shown / CHANGES_CSV, changes_json=shown / CHANGES_JSON
    )
    temporary = f".{uuid.uuid4().hex[:12]}.tmp"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staged_csv = out_dir / (CHANGES_CSV + temporary)
        with staged_csv.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\r\n")
            writer.writerow(CHANGE_COLUMNS)
            writer.writerows(_change_rows(con))
        staged_json = out_dir / (CHANGES_JSON + temporary)
        staged_json.write_text(
            json.dumps(comparison.as_dict(), ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
        os.replace(staged_csv, csv_path)
        os.replace(staged_json, json_path)
    except OSError as error:
        for leftover in out_dir.glob(f"*{temporary}"):
            leftover.unlink(missing_ok=True)
        raise RecollationError(f"{out_dir}: 書けない({error.strerror or error})") from error
    return comparison


def _change_rows(con: duckdb.DuckDBPyConnection) -> Iterator[tuple]:
    cursor = con.execute("""
        SELECT category, id, coalesce(p_verdict, ''), coalesce(c_verdict, ''),
               coalesce(p_reasons, ''), coalesce(c_reasons, ''), coalesce(c_explanation, ''),
               coalesce(c_candidate, ''),
               CASE
                   WHEN category = 'STILL_FLAGGED' AND verdict_changed AND reasons_changed
                       THEN '判定と理由が変わった'
                   WHEN category = 'STILL_FLAGGED' AND verdict_changed THEN '判定が変わった'
                   WHEN category = 'STILL_FLAGGED' AND reasons_changed THEN '理由が変わった'
                   WHEN category = 'GONE' AND p_flag THEN '前回は要確認'
                   WHEN category = 'NEW' AND p_flag IS NOT NULL THEN '前回は要確認でなかった'
                   WHEN category = 'NEW' THEN '前回はなかった'
                   ELSE ''
               END
        FROM changes WHERE category <> 'CLEAR'
        ORDER BY rank, c_ord NULLS LAST, p_ord
    """)
    while batch := cursor.fetchmany(_FETCH_ROWS):
        yield from batch


# ---------------------------------------------------------------------------- re-collation


def recollate(
    register: Path,
    records: Path,
    history_dir: Path,
    labels: Labels | None = None,
    options: Options | None = None,
    *,
    profile: Profile | None = None,
    show_numbers: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: Progress | None = None,
    keep_register: bool = False,
    now: datetime.datetime | None = None,
    backend: str = "duckdb",
    master: str | None = None,
) -> RunRecord:
    """Collate into history_dir/<YYYYmmdd-HHMMSS>/ (options as `collate`), compare with the
    latest earlier finished run there (changes.csv/json in the new run's directory) and append
    a line to history.jsonl. All or nothing: the run is collated and compared in a hidden
    staging directory and moved into place only when both succeeded; a failed run leaves no
    directory and no history line."""
    started = time.perf_counter()
    moment = now or datetime.datetime.now()
    if moment.tzinfo is None:  # a given zone is kept (the run's name is its wall-clock time)
        moment = moment.astimezone()
    try:
        history_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = f"{history_dir}: 履歴の置き場を作れない({error.strerror or error})"
        raise RecollationError(message) from error
    runs = finished_runs(history_dir)
    name = _new_name(history_dir, moment.strftime(STAMP_FORMAT))
    later = [run for run in runs if _order(run.name) > _order(name)]
    if later:
        raise RecollationError(
            f"{later[-1]}: 今回の実行時刻 {moment.isoformat(timespec='seconds')} より後の実行がある"
            "(時計を確かめること)"
        )
    previous = runs[-1] if runs else None
    final = history_dir / name
    staging = history_dir / f".{name}.partial-{uuid.uuid4().hex[:8]}"
    extra: dict[str, Any] = {"progress": progress} if progress is not None else {}
    try:
        result = collate(
            register, records, staging, labels, options, profile=profile,
            show_numbers=show_numbers, memory_limit=memory_limit, threads=threads,
            keep_register=keep_register, backend=backend, master=master, **extra,
        )  # fmt: skip
        comparison = _compare(previous, staging, staging, current_shown=final)
        os.rename(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    line = _history_line(moment, final, previous, result.summary, comparison)
    try:
        with (history_dir / HISTORY_FILE).open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:  # a run without its history line would be a gap in the chart
        shutil.rmtree(final, ignore_errors=True)
        raise RecollationError(
            f"{history_dir / HISTORY_FILE}: 書けない({error.strerror or error})"
        ) from error
    return RunRecord(
        final, previous, result.summary, comparison, line, time.perf_counter() - started,
        result.log,
    )  # fmt: skip


def _order(name: str) -> tuple[str, int]:
    match = RUN_NAME.match(name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def finished_runs(history_dir: Path) -> list[Path]:
    """Run directories of `history_dir` holding a finished run (results.csv and summary.json,
    summary.json being written last), oldest first."""
    runs = [
        path
        for path in history_dir.iterdir()
        if RUN_NAME.match(path.name)
        and (path / "results.csv").is_file()
        and (path / "summary.json").is_file()
    ]
    return sorted(runs, key=lambda path: _order(path.name))


def _new_name(history_dir: Path, stamp: str) -> str:
    """The stamp, or stamp-2, stamp-3 ... when runs start within the same second."""
    name, n = stamp, 1
    while (history_dir / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


def _history_line(
    moment: datetime.datetime,
    run_dir: Path,
    previous: Path | None,
    summary: dict[str, Any],
    comparison: Comparison,
) -> dict[str, Any]:
    verdicts = summary["verdicts"]
    return {
        "time": moment.isoformat(timespec="seconds"),
        "run": run_dir.name,
        "dir": str(run_dir),
        "previous": previous.name if previous else None,
        "run_id": summary["run"]["id"],
        "finished": summary["run"]["finished"],
        "business": summary.get("business"),
        "system": summary.get("system"),
        "records": summary["run"]["record_rows"],
        "verdicts": verdicts,
        "flagged": sum(verdicts.get(v.code, 0) for v in Verdict if v.flagged),
        "new": comparison.new,
        "resolved": comparison.resolved,
        "still_flagged": comparison.still_flagged,
        "added": comparison.added,
        "gone": comparison.gone,
        "unpaired": comparison.current.unpaired,
    }


def read_history(history_dir: Path) -> list[dict[str, Any]]:
    """The lines of history.jsonl, oldest first; [] when no run has finished yet."""
    if not history_dir.is_dir():
        raise RecollationError(f"{history_dir}: 履歴の置き場がない")
    path = history_dir / HISTORY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as error:
        raise RecollationError(f"{path}: 読めない({error})") from error
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as error:
            message = f"{path}: {number}行目が JSON として読めない({error})"
            raise RecollationError(message) from error
        if not isinstance(entry, dict):
            raise RecollationError(f"{path}: {number}行目が JSON オブジェクトでない")
        lines.append(entry)
    return lines
