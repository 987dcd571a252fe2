"""Apache Spark as the engine of a collation run larger than one machine.

The same pipeline as on DuckDB (`backends.sql` holds the queries both run), with the heavy
parts spread over Spark's executors:
- the record-local classification (the Japanese normalizers and comparators, Python) runs in
  `mapInArrow` over the records joined with their entries, partition by partition;
- the true-owner search keys the whole register there too and finds the model's blocked pairs
  with Spark joins; only the pairs and the entries they reach come back, and the driver scores
  them with the fixed model on Splink (`owner.best_owners`), so weights and tie-breaks are the
  DuckDB run's to the bit.
The records (and a register that is not Parquet of text columns) are read by the engine's own
reader (line accounting, every format of spec §1) and staged as Parquet in the run's work
folder; a Parquet register is read and staged by the executors. Executors read the work
folder: on a cluster OUT_DIR must be on storage every node sees at the same path
(docs/spark.md). Query results the driver reads in order are written as Parquet by Spark and
read back file by file, so nothing is collected whole.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pickle
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from himoken.collate import linked, outputs, owner, stage
from himoken.collate.backends.sql import SQLBackend, quoted
from himoken.collate.classify import Options
from himoken.collate.ingest import Table
from himoken.collate.patterns import Pending
from himoken.collate.profiles import FileLayout
from himoken.collate.stage import REGISTER_COLUMNS, REGISTER_SCHEMA

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[*]"
# The driver's heap unless the caller says (--memory-limit): it holds the open records and the
# owner search's pairs, never the inputs.
DEFAULT_DRIVER_MEMORY = "2g"

# Dialect: "double quotes" are identifiers and string literals are read as written (backslashes
# included), as in DuckDB; the UI and the console progress bar stay off (offline, quiet).
SQL_SETTINGS = {
    "spark.sql.ansi.enabled": "true",
    "spark.sql.ansi.doubleQuotedIdentifiers": "true",
    "spark.sql.parser.escapedStringLiterals": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}
PENDING = "pending"  # classified rows: the pickled open record, else null
LOG_SETTINGS = Path(__file__).with_name("spark-log4j2.properties")


def one_line(error: BaseException) -> str:
    """A Spark or Py4J error as one line: the Java exception's first line when there is one
    (a Py4J error's own first line only names the call that failed)."""
    text = str(error)
    java = getattr(error, "java_exception", None)
    if java is not None:
        with contextlib.suppress(Exception):  # the JVM may be gone
            text = str(java.toString())
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def spark_memory(limit: str | None) -> str:
    """A memory limit as DuckDB takes it (4GB, 512MB) in Spark's notation (4g, 512m)."""
    if not limit:
        return DEFAULT_DRIVER_MEMORY
    text = limit.strip().lower().replace("ib", "").replace("b", "")
    return text if text[-1:] in "kmgt" and text[:-1].isdigit() else DEFAULT_DRIVER_MEMORY


class SparkBackend(SQLBackend):
    """A collation run on Spark: `master` as spark-submit takes it (local[*] by default; left
    to spark-submit when the run was launched by it)."""

    def __init__(
        self, work_dir: Path, master: str | None = None, memory_limit: str | None = None
    ) -> None:
        super().__init__()
        from pyspark.sql import SparkSession

        work_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir = work_dir.resolve()
        builder = SparkSession.builder.appName("himoken collate")
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # inside spark-submit: its settings
        if master or not submitted:
            builder = builder.master(master or DEFAULT_MASTER)
        settings = dict(SQL_SETTINGS)
        settings["spark.local.dir"] = str(self.work_dir / "spill")
        settings["spark.driver.memory"] = spark_memory(memory_limit)
        settings["spark.driver.extraJavaOptions"] = (
            f"-Dlog4j2.configurationFile={LOG_SETTINGS.as_uri()}"
        )
        if (master or DEFAULT_MASTER).startswith("local") and not submitted:
            # Executors of a local run are this interpreter, with himoken importable. The JVM
            # reads it from its environment when it starts (the conf is spark-submit's).
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # no network needed
        for key, value in settings.items():
            builder = builder.config(key, value)
        self.spark: SparkSession = builder.getOrCreate()
        self.spark.sparkContext.setLogLevel("ERROR")
        for key, value in SQL_SETTINGS.items():  # a session that was running keeps its own
            if not key.startswith("spark.ui"):
                self.spark.conf.set(key, value)
        self._names = itertools.count()
        self._settled = 0
        self._sorted_results: Path | None = None
        self._register_keyed = False

    # ------------------------------------------------------------------ engine primitives

    def _folder(self, name: str) -> Path:
        return self.work_dir / "tables" / f"{name}-{next(self._names)}"

    def _view(self, table: str, frame: DataFrame) -> None:
        frame.createOrReplaceTempView(table)

    def _read(self, folder: Path) -> DataFrame:
        return self.spark.read.parquet(folder.as_uri())

    def fetch(self, query: str, tables: Mapping[str, pa.Table] | None = None) -> list[tuple]:
        tables = tables or {}
        for name, table in tables.items():
            self._view(name, self.spark.createDataFrame(table))
        try:
            return [tuple(row) for row in self.spark.sql(query).collect()]
        finally:
            for name in tables:
                self.spark.catalog.dropTempView(name)

    def materialize(self, table: str, query: str) -> None:
        self._write_view(table, self.spark.sql(query))

    def _write_view(self, table: str, frame: DataFrame) -> None:
        """Write `frame` as Parquet and make `table` read it: later queries start from the
        written rows, not from the plan that made them."""
        folder = self._folder(table)
        frame.write.parquet(folder.as_uri())
        self._view(table, self._read(folder))

    def reader(self, query: str, batch_rows: int) -> pa.RecordBatchReader:
        """The query's rows written by the executors as Parquet, one file per partition, read
        back file by file (and then removed)."""
        frame = self.spark.sql(query)
        folder = self._folder("read")
        frame.write.parquet(folder.as_uri())
        return self._files_reader(folder, batch_rows, frame=frame, remove=True)

    def _files_reader(
        self,
        folder: Path,
        batch_rows: int,
        columns: Sequence[str] | None = None,
        frame: DataFrame | None = None,
        remove: bool = False,
    ) -> pa.RecordBatchReader:
        """The Parquet files Spark wrote in `folder`, in partition order: a sorted query's
        partitions are consecutive ranges of its order."""
        files = sorted(folder.glob("part-*.parquet"))
        if files:
            schema = pq.read_schema(files[0])
        else:  # no rows: Spark may write no file at all
            schema = (frame if frame is not None else self._read(folder)).limit(0).toArrow().schema
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])

        def batches() -> Iterator[pa.RecordBatch]:
            for path in files:
                yield from pq.ParquetFile(path).iter_batches(batch_rows, columns=columns)
            if remove:
                shutil.rmtree(folder, ignore_errors=True)

        return pa.RecordBatchReader.from_batches(schema, batches())

    # ------------------------------------------------------------------ staging

    def stage(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Stage the engine reader's batches as one Parquet file the executors read."""
        folder = self._folder(table)
        folder.mkdir(parents=True)
        rows = outputs.write_parquet(folder / "part-00000.parquet", batches, schema)
        self._view(table, self._read(folder))
        return rows

    def reads_register(self, source: Table, layout: FileLayout) -> bool:
        """A Parquet register of text columns with distinct names and no code lists: the
        executors read it and stage it as the engine's reader would (each row keeps its place
        in the file: `_metadata.row_index`). The engine's reader turns other types into text
        its own way, so those files go through it."""
        if source.kind != "parquet" or layout.codes or len(set(source.header)) < len(source.header):
            return False
        schema = pq.read_schema(source.path)
        return all(pa.types.is_string(f.type) or pa.types.is_large_string(f.type) for f in schema)

    def stage_register(self, source: Table) -> int:
        """Stage the register on the executors (`stage.register_batch`, as the engine's
        reader gives it: every row, a null as ""); no row is ever rejected."""
        from pyspark.sql.functions import col

        wanted = set(REGISTER_COLUMNS)
        physical = pq.read_schema(source.path).names
        selected = [col("_metadata.row_index").alias("row_index")] + [
            col(f"`{name}`").alias(contract)
            for name, contract in zip(physical, source.header, strict=True)
            if contract in wanted
        ]

        def stage_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                values = {
                    name: ["" if v is None else v for v in batch.column(name).to_pylist()]
                    for name in batch.schema.names[1:]
                }
                row_ids = [index + 1 for index in batch.column(0).to_pylist()]
                yield stage.register_batch(row_ids, values)

        raw = self._read(source.path.resolve()).select(*selected)
        self._write_view(
            "register", raw.mapInArrow(stage_partition, _spark_schema(REGISTER_SCHEMA))
        )
        self.notes.append(f"Spark: 住民記録 {source.path.name} を executor が読んで取り込み")
        return 0

    # ------------------------------------------------------------------ record-local

    def classify(self, options: Options, workers: int) -> Iterator[tuple[list[Pending], int]]:
        """Classify on the executors (`workers` is the driver's business: unused). Finished
        rows stay in Spark as results; the open records come back to the driver."""
        from pyspark.sql.types import BinaryType, StructField

        schema = _spark_schema(linked.RESULTS_SCHEMA)
        schema = schema.add(StructField(PENDING, BinaryType()))
        output = linked.RESULTS_SCHEMA.append(pa.field(PENDING, pa.binary()))

        def classify_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for results, pending, _ in linked.classify_all(batches, options, 0):
                yield results.append_column(PENDING, pa.nulls(results.num_rows, pa.binary()))
                if pending:
                    count = len(pending)
                    columns: dict[str, Any] = {f.name: pa.nulls(count, f.type) for f in output}
                    columns["ordinal"] = [p.ordinal for p in pending]
                    columns[PENDING] = [pickle.dumps(p, pickle.HIGHEST_PROTOCOL) for p in pending]
                    yield pa.RecordBatch.from_pydict(columns, schema=output)

        frame = self.spark.sql(self.linked_query()).mapInArrow(classify_partition, schema)
        self._write_view("classified", frame)
        self._refresh_results()
        open_records = [
            pickle.loads(value)
            for batch in self.reader(
                f"SELECT {PENDING} FROM classified WHERE {PENDING} IS NOT NULL ORDER BY ordinal",
                10_000,
            )
            for value in batch.column(0).to_pylist()
        ]
        yield open_records, self.count("records")

    # ------------------------------------------------------------------ the owner search

    def search_owners(
        self, searched: pa.Table, gaiji_table: Mapping[str, str]
    ) -> list[owner.OwnerMatch]:
        """Key the register on the executors, find the blocked pairs with Spark joins, score
        them on the driver with the fixed model."""
        import duckdb

        searched_table = owner.searched_keys(searched.sort_by("ordinal"), gaiji_table)
        if searched_table.num_rows == 0:
            return []
        lap = time.perf_counter()
        self._key_register(gaiji_table)
        keyed = time.perf_counter() - lap
        self._view("owner_probe", self.spark.createDataFrame(searched_table))
        rules = owner.load_model()["blocking_rules_to_generate_predictions"]
        self.materialize(
            "owner_pairs",
            " UNION ".join(
                "SELECT l.unique_id AS ordinal, r.unique_id AS row_id "
                f"FROM owner_probe l JOIN register_keys r ON {rule['blocking_rule']}"
                for rule in rules
            ),
        )
        pairs = self.reader("SELECT ordinal, row_id FROM owner_pairs", 100_000).read_all()
        reached = self.reader(
            "SELECT * FROM register_keys WHERE unique_id IN (SELECT row_id FROM owner_pairs)",
            100_000,
        ).read_all()
        joined = time.perf_counter() - lap - keyed
        splink_schema = searched_table.schema
        with duckdb.connect() as con:
            found = owner.best_owners(
                con, searched_table, reached.select(splink_schema.names).cast(splink_schema), pairs
            )
        self.notes.append(
            f"Spark: 真の所有者の探索 住民記録のキー {keyed:.1f} 秒、組の抽出 {joined:.1f} 秒"
            f"({pairs.num_rows}組、住民 {reached.num_rows}人)、採点(ドライバ) "
            f"{time.perf_counter() - lap - keyed - joined:.1f} 秒"
        )
        return found

    def _key_register(self, gaiji_table: Mapping[str, str]) -> None:
        """register_keys: every register entry as the owner model's input, keyed on the
        executors (once per run)."""
        if self._register_keyed:
            return
        gaiji = dict(gaiji_table)
        probe = owner.register_keys(_empty(owner.REGISTER_RAW), gaiji)

        def key_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            for batch in batches:
                keyed = owner.register_keys(pa.Table.from_batches([batch]), gaiji)
                yield from keyed.cast(probe.schema).to_batches()

        raw = self.spark.sql(f"SELECT {owner.REGISTER_RAW_SQL} FROM register")
        keyed = raw.mapInArrow(key_partition, _spark_schema(probe.schema))
        self._write_view("register_keys", keyed)
        self._register_keyed = True

    # ------------------------------------------------------------------ results

    def store_results(self, batch: pa.RecordBatch) -> None:
        """Results settled on the driver, added as a Parquet file beside the classified."""
        folder = self.work_dir / "tables" / "settled"
        folder.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_batches([batch]), folder / f"part-{self._settled:05d}.parquet")
        self._settled += 1
        self._refresh_results()

    def _refresh_results(self) -> None:
        self._sorted_results = None
        columns = quoted(linked.RESULTS_SCHEMA.names)
        query = f"SELECT {columns} FROM classified WHERE {PENDING} IS NULL"
        if self._settled:
            self._view("settled", self._read(self.work_dir / "tables" / "settled"))
            query += f" UNION ALL SELECT {columns} FROM settled"
        self._view("results", self.spark.sql(query))

    def _sorted(self) -> Path:
        """The results sorted by ordinal, written once when the outputs start (they are read
        in order twice and queried four times)."""
        if self._sorted_results is None:
            folder = self._folder("results")
            self.spark.sql("SELECT * FROM results ORDER BY ordinal").write.parquet(folder.as_uri())
            self._view("results", self._read(folder))
            self._sorted_results = folder
        return self._sorted_results

    def ordered_results(self, columns: Sequence[str], batch_rows: int) -> pa.RecordBatchReader:
        return self._files_reader(self._sorted(), batch_rows, columns)

    def write_results_parquet(self, path: Path) -> None:
        reader = self._files_reader(self._sorted(), 50_000)
        outputs.write_parquet(path, reader, linked.RESULTS_SCHEMA)

    def write_register_parquet(self, path: Path) -> int:
        reader = self.reader(self.register_query(), 50_000)
        return outputs.write_parquet(path, reader, reader.schema)

    def failure(self, error: BaseException) -> str | None:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException

        if isinstance(error, Py4JError | PySparkException):
            return f"Spark の処理が失敗した: {one_line(error)}"
        return None

    def close(self) -> None:
        with contextlib.suppress(Exception):  # after a failure the context may be gone
            self.spark.stop()


def _empty(columns: Sequence[str]) -> pa.Table:
    """No rows of string columns (removed: bool, ids: int64), to learn a keyed schema."""
    types = {"row_id": pa.int64(), "removed": pa.bool_()}
    return pa.table({c: pa.array([], types.get(c, pa.string())) for c in columns})


def _spark_schema(schema: pa.Schema) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)
