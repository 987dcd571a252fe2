"""One collation run (spec §1): inputs in, results.csv, results.parquet, flagged.parquet,
worklist.xlsx, summary.json and run.log out (and register.parquet when asked) — all or nothing.

The flow is one way: ingest and stage both files (`stage`), read records back joined with
their entry in input order and decide what the record alone decides (`classify`), settle the
few records left open with set-wise checks and the true-owner search (`patterns`, `owner`),
then write every row in input order. Outputs are written in a work directory inside OUT_DIR
and moved into place at the end, summary.json last: after a crash or an error nothing in
OUT_DIR looks finished, and earlier outputs there are removed when a run starts.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime
import functools
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from himoken import __version__
from himoken.collate import classify, linked, outputs, patterns, stage
from himoken.collate.backends import Backend, DuckDBBackend
from himoken.collate.backends.base import ANNOTATED_SCHEMA
from himoken.collate.classify import Assessment, Item, Options
from himoken.collate.ingest import Table, UnreadableFile, open_table
from himoken.collate.outputs import RESULT_COLUMNS
from himoken.collate.patterns import Pending
from himoken.collate.profiles import FileLayout, Labels, Profile
from himoken.collate.verdicts import Verdict
from himoken.gcpause import gc_paused
from himoken.summary import require_valid

OUTPUT_FILES = (
    "results.csv", "results.parquet", "flagged.parquet", "worklist.xlsx", "run.log",
    "summary.json",
)  # fmt: skip
# The register's entries for later checks of corrected numbers (collate(keep_register=True)).
REGISTER_FILE = "register.parquet"

# summary.json labels when neither the profile nor the command line gives them
UNLABELLED_CODE, UNLABELLED = "000000", "未設定"

Progress = Callable[[str, int, int | None], None]  # (stage, done, total)


class CollateError(Exception):
    """The run could not be done at all; str() is the one-line reason for stderr."""


@dataclass
class RunResult:
    out: Path
    summary: dict[str, Any]
    seconds: float
    log: list[str] = field(default_factory=list)


def _no_progress(stage_name: str, done: int, total: int | None) -> None:
    return None


def collate(
    register: Path,
    records: Path,
    out: Path,
    labels: Labels | None = None,
    options: Options | None = None,
    *,
    profile: Profile | None = None,
    show_numbers: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
    progress: Progress = _no_progress,
    keep_register: bool = False,
    backend: str = "duckdb",
    master: str | None = None,
) -> RunResult:
    """Collate RECORDS against REGISTER into OUT_DIR (spec §1). A profile says how to read
    the files and labels the run; `labels` given here override the profile's, field by field.
    `keep_register` also writes register.parquet: the entries whose number is valid, so that
    a corrected number can be checked later without the register file (`check`).
    `backend` is the SQL engine (BACKENDS); `master` the Spark master (spark only)."""
    started = time.perf_counter()
    profile = profile or Profile()
    labels = _merged(profile.labels, labels or Labels())
    options = options or Options(profile.gaiji, profile.same_gaiji_table)
    work = _prepare_out(out)
    log = _RunLog()
    try:
        engine = _backend(backend, work / "db", memory_limit, threads, master)
        try:
            run = _Run(engine, options, log, progress)
            lap = time.perf_counter()
            for name, step in (
                (
                    "読込",
                    lambda: run.stage((register, profile.register), (records, profile.records)),
                ),
                ("照合", run.classify),
                ("追加確認", run.settle),
            ):
                with gc_paused():  # millions of short-lived objects, no cycles among them
                    step()
                for note in engine.notes:
                    log.add(note)
                engine.notes.clear()
                log.add(f"{name} {time.perf_counter() - lap:.1f} 秒")
                lap = time.perf_counter()
            staged = work / "out"
            staged.mkdir()
            summary = run.write(staged, labels, show_numbers, keep_register)
            log.add(f"出力 {time.perf_counter() - lap:.1f} 秒")
        except Exception as error:
            reason = engine.failure(error)  # a cluster's failure, not a bug: one line
            if reason is None:
                raise
            raise CollateError(reason) from error
        finally:
            engine.close()
        log.add(f"所要時間 {time.perf_counter() - started:.1f} 秒")
        log.write(staged / "run.log")
        *files, last = OUTPUT_FILES
        if keep_register:
            files.append(REGISTER_FILE)
        for name in (*files, last):  # summary.json last: its presence means the run finished
            os.replace(staged / name, out / name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return RunResult(out, summary, time.perf_counter() - started, log.lines)


BACKENDS = ("duckdb", "spark")


def _backend(
    name: str, work: Path, memory_limit: str | None, threads: int | None, master: str | None
) -> Backend:
    """The SQL engine of a run: DuckDB embedded, or Spark (pyspark, the 'spark' extra)."""
    if name == "duckdb":
        if master:
            raise CollateError("--master は --backend spark のときだけ指定できる")
        return DuckDBBackend(work, memory_limit=memory_limit, threads=threads)
    if name != "spark":
        raise CollateError(f"--backend {name}: 使えるのは {', '.join(BACKENDS)}")
    if threads:
        raise CollateError("--threads は DuckDB のもの: Spark では --master local[N] で指定する")
    try:
        from himoken.collate.backends.spark import SparkBackend, one_line
    except ImportError as error:  # pyspark is an extra
        raise CollateError(
            f"--backend spark: pyspark がない(himoken[spark] を入れる): {error}"
        ) from error
    try:
        return SparkBackend(work, master=master, memory_limit=memory_limit)
    except Exception as error:  # no Java, an unreachable master
        raise CollateError(f"--backend spark: Spark を起動できない: {one_line(error)}") from error


def _merged(base: Labels, override: Labels) -> Labels:
    return Labels(
        *(getattr(override, f.name) or getattr(base, f.name) for f in dataclasses.fields(Labels))
    )


def _prepare_out(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name in (*OUTPUT_FILES, REGISTER_FILE):
            (out / name).unlink(missing_ok=True)
        work = out / f".himoken-work-{uuid.uuid4().hex[:12]}"
        work.mkdir()
    except OSError as error:
        raise CollateError(f"{out}: 出力先に書けない({error.strerror or error})") from error
    return work


class _RunLog:
    """run.log: what was read, what was found, how long it took — never personal data."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, line: str) -> None:
        stamp = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
        self.lines.append(f"{stamp} {line}")

    def write(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


class _Run:
    def __init__(
        self, backend: Backend, options: Options, log: _RunLog, progress: Progress
    ) -> None:
        self.backend = backend
        self.options = options
        self.log = log
        self.progress = progress
        self.pending: dict[int, Pending] = {}
        self.warnings: dict[str, int] = {}
        self.warnings_extra: dict[str, int] = {}
        self.register_rows = 0
        self.record_rows = 0

    # ------------------------------------------------------------------ staging

    def stage(self, register: tuple[Path, FileLayout], records: tuple[Path, FileLayout]) -> None:
        """Stage both inputs. A register the engine can read itself (DuckDB: clean UTF-8 CSV;
        Spark: Parquet of text columns) is read by it in a thread while Python reads the
        records (the engines release the GIL)."""
        register_path, register_layout = register
        source = self._open(register_path, register_layout, stage.REGISTER_REQUIRED, "register")
        in_background: concurrent.futures.Future | None = None
        with concurrent.futures.ThreadPoolExecutor(1) as thread:
            if self.backend.reads_register(source, register_layout):
                in_background = thread.submit(self.backend.stage_register, source)
            else:
                self._stage_register(source)
            records_path, records_layout = records
            records_source = self._open(
                records_path, records_layout, stage.RECORDS_REQUIRED, "records"
            )
            batches = stage.record_batches(records_source.batches(stage.BATCH_ROWS))
            self.record_rows = self._staged("records", records_source, batches, "事務データ")
        if in_background is not None:
            if in_background.result():
                # The engine dropped rows it could not parse; the engine's reader keeps them
                # (they can still be matched on what they hold). Read again by it, so that
                # verdicts depend neither on the file's encoding nor on the backend.
                self._stage_register(source)
            else:
                self.register_rows = self.backend.count("register")
                self.warnings_extra["register_malformed_rows"] = 0
                self.log.add(
                    f"住民記録: {register_path.name} {source.encoding} {self.register_rows}行"
                )
        self.warnings = self.backend.prepare() | self.warnings_extra
        for key, count in self.warnings.items():
            if count:
                self.log.add(f"警告 {key}: {count}")

    def _stage_register(self, source: Table) -> None:
        self.warnings_extra["register_malformed_rows"] = 0
        batches = stage.register_batches(
            source.batches(stage.BATCH_ROWS), warnings=self.warnings_extra
        )
        self.register_rows = self._staged("register", source, batches, "住民記録")

    def _open(self, path: Path, layout: FileLayout, required: Sequence[str], table: str) -> Table:
        try:
            source = open_table(path, required, layout)
        except UnreadableFile as error:
            raise CollateError(str(error)) from error
        self.backend.note_present(table, source.header)
        return source

    def _staged(
        self, table: str, source: Table, batches: Iterator[pa.RecordBatch], role: str
    ) -> int:
        schema = stage.REGISTER_SCHEMA if table == "register" else stage.RECORDS_SCHEMA
        try:  # a file can turn out unreadable while it is read (a corrupt workbook)
            rows = self.backend.stage(table, schema, self._counted(batches, role))
        except UnreadableFile as error:
            raise CollateError(str(error)) from error
        self.log.add(f"{role}: {source.path.name} {source.encoding} {rows}行")
        return rows

    def _counted(self, batches: Iterator[pa.RecordBatch], role: str) -> Iterator[pa.RecordBatch]:
        done = 0
        for batch in batches:
            done += batch.num_rows
            self.progress(f"読込 {role}", done, None)
            yield batch

    # ------------------------------------------------------------------ record-local

    def classify(self) -> None:
        done = 0
        workers = linked.workers_for(self.record_rows)
        for pending, size in self.backend.classify(self.options, workers):
            self.pending.update((p.ordinal, p) for p in pending)
            done += size
            self.progress("照合", done, self.record_rows)

    # ------------------------------------------------------------------ set-wise checks

    def settle(self) -> None:
        pending = self.pending
        self.log.add(f"追加確認の対象 {len(pending)}件")
        if pending:
            self._duplicates()
            self._neighbours()
            self._owners()
            self._namesakes()
            for item in pending.values():
                patterns.check_family_without_candidate(item, self._households)
                patterns.settle_weak_move(item)
                self._note_skipped_checks(item.assessment)
        record_ids = self.backend.record_ids(pending)
        finished = [(o, record_ids[o], item.assessment) for o, item in sorted(pending.items())]
        if finished:
            self.backend.store_results(linked.result_rows(finished))
        self.progress("追加確認", len(pending), len(pending))

    def _note_skipped_checks(self, assessment: Assessment) -> None:
        """Spec §2: checks the register's columns do not allow are skipped, and 説明 says so."""
        if not assessment.verdict.flagged:
            return
        has = functools.partial(self.backend.has_column, "register")
        if Item.NAME in assessment.differing or Item.BIRTH in assessment.differing:
            if not self._households:
                assessment.note("世帯情報なし(世帯員の確認は住所と氏で代替)")
            if not has("旧氏名") and not has("氏名変更日"):
                assessment.note("旧氏名情報なし")
        if Item.ADDRESS in assessment.differing and not (has("前住所") or has("住所異動日")):
            assessment.note("前住所・住所異動日の情報なし(転居の確認不可)")

    @property
    def _households(self) -> bool:
        return self.backend.has_column("register", "世帯番号")

    def _duplicates(self) -> None:
        numbers = {p.number for p in self.pending.values() if p.number}
        sharing = self.backend.records_sharing(numbers)
        for item in self.pending.values():
            group = sharing.get(item.number or "", [])
            if len(group) > 1:
                patterns.check_duplicate(item, group)

    def _neighbours(self) -> None:
        open_items = [p for p in self.pending.values() if p.entry and p.identity_differs]
        neighbours = self.backend.neighbours([p.ordinal for p in open_items])
        wanted = {o for n in neighbours.values() for o in n.values() if o is not None}
        records = self.backend.records_at(wanted)
        for item in open_items:
            patterns.check_neighbours(item, neighbours.get(item.ordinal, {}), records)

    def _owners(self) -> None:
        from himoken.collate.owner import fits_better

        searchable = [p for p in self.pending.values() if linked.needs_owner(p.assessment)]
        if not searchable:
            return
        columns: dict[str, list] = {
            "ordinal": [p.ordinal for p in searchable],
            "linked_number": [p.number if p.entry is not None else None for p in searchable],
            "linked_household": [classify.value(p.entry, "世帯番号") or None for p in searchable],
            "linked_address": [classify.value(p.entry, "住所") or None for p in searchable],
            "birth_key": [stage.birth_key(p.record.get("生年月日")) for p in searchable],
        }
        for column in stage.PERSON_COLUMNS:
            columns[column] = [p.record.get(column) for p in searchable]
        matches = self.backend.search_owners(pa.table(columns), dict(self.options.gaiji_table))
        better = [m for m in matches if fits_better(m)]
        candidates = self.backend.entries(m.number for m in better)
        mates = self._application_mates()
        for match in better:
            item = self.pending[match.ordinal]
            patterns.check_owner(
                item,
                match.number,
                candidates.get(match.number),
                match.evidence,
                mates.get(item.record.get("申請書番号") or "", ()),
                self._households,
            )
        self.log.add(f"真の所有者の探索 {len(searchable)}件、候補あり {len(better)}件")

    def _namesakes(self) -> None:
        """Records whose linked entry has namesakes the owner search could not tell apart."""
        open_items = [
            p.ordinal
            for p in self.pending.values()
            if p.entry is not None
            and p.assessment.name_and_birth_agree
            and not p.assessment.candidate
            and p.assessment.verdict.flagged
        ]
        if not open_items:
            return
        namesakes = self.backend.namesakes(open_items)
        households = self.backend.form_households(namesakes) if self._households else {}
        for ordinal, entries in namesakes.items():
            patterns.check_namesakes(self.pending[ordinal], entries, households.get(ordinal, set()))

    def _application_mates(self) -> dict[str, tuple[str, ...]]:
        """Numbers linked on each 申請書番号 shared by several records (family forms)."""
        return {} if self._households else self.backend.application_mates()

    # ------------------------------------------------------------------ outputs

    def write(
        self, staged: Path, labels: Labels, show_numbers: bool, keep_register: bool = False
    ) -> dict[str, Any]:
        written = outputs.write_results_csv(staged / "results.csv", self._ordered())
        if written != self.record_rows:
            raise CollateError(f"内部エラー: 結果 {written}行 ≠ 事務データ {self.record_rows}行")
        self.backend.write_results_parquet(staged / "results.parquet")
        counts = self.backend.verdict_counts()
        flagged = outputs.write_parquet(
            staged / "flagged.parquet", self.backend.flagged_rows(stage.BATCH_ROWS),
            ANNOTATED_SCHEMA,
        )  # fmt: skip
        if flagged != sum(counts.get(v.code, 0) for v in Verdict if v.flagged):
            raise CollateError(f"内部エラー: flagged.parquet {flagged}行 ≠ 要確認の件数")
        if keep_register:
            kept = self.backend.write_register_parquet(staged / REGISTER_FILE)
            self.log.add(f"住民記録を {REGISTER_FILE} に保存 {kept}行")
        outputs.write_worklist(
            self.backend, staged / "worklist.xlsx", show_numbers, counts, _title(labels)
        )
        summary = self._summary(labels, counts)
        require_valid(summary, "summary.json")  # a bug if not: never write it
        outputs.write_json(staged / "summary.json", summary)
        for verdict in Verdict:
            self.log.add(f"判定 {verdict.code}: {counts.get(verdict.code, 0)}")
        return summary

    def _ordered(self) -> Iterator[tuple]:
        for batch in self.backend.ordered_results(RESULT_COLUMNS, stage.BATCH_ROWS):
            yield from zip(*batch.to_pydict().values(), strict=True)

    def _summary(self, labels: Labels, counts: dict[str, int]) -> dict[str, Any]:
        reasons = self.backend.reason_counts()
        return {
            "schema": "himoken.summary/1",
            "organisation": {
                "code": labels.organisation_code or UNLABELLED_CODE,
                "name": labels.organisation_name or UNLABELLED,
            },
            "business": labels.business or UNLABELLED,
            "system": labels.system or UNLABELLED,
            "run": {
                "id": str(uuid.uuid4()),
                "finished": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                "engine": f"himoken {__version__}",
                "register_rows": self.register_rows,
                "record_rows": self.record_rows,
            },
            "verdicts": {v.code: counts.get(v.code, 0) for v in Verdict},
            "reasons": dict(sorted(reasons.items())),
            "warnings": {
                "register_duplicate_numbers": self.warnings["register_duplicate_numbers"],
                "register_invalid_numbers": self.warnings["register_invalid_numbers"],
            },
        }


def _title(labels: Labels) -> str:
    names = (labels.organisation_name, labels.business, labels.system)
    return " ".join(n for n in names if n) + " 照合結果"
