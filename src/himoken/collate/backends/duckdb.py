"""The embedded SQL engine of a collation run: DuckDB, in memory, spilling to disk.

Stages the two inputs as tables, reads records back joined with the register entry of their
number, and answers the set-wise questions the pipeline asks about the records it flagged
(see `backends.base.Backend`). Everything stays in DuckDB's tables, so memory is bounded by
its limit and the batch size, not by the inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from himoken.collate import owner, stage
from himoken.collate.backends.sql import SQLBackend
from himoken.collate.classify import Options
from himoken.collate.ingest import Table
from himoken.collate.patterns import Pending
from himoken.collate.profiles import FileLayout
from himoken.collate.stage import REGISTER_COLUMNS, birth_key, is_removed, register_numbers

# DuckDB's share of memory unless the caller says (--memory-limit); it spills beyond it.
DEFAULT_MEMORY_LIMIT = "2GB"


class DuckDBBackend(SQLBackend):
    """The embedded default: DuckDB in memory, spilling to a work directory beyond its limit."""

    _GLOBAL = ", 'g'"

    def __init__(self, work_dir: Path, memory_limit: str | None = None, threads: int | None = None):
        super().__init__()
        work_dir.mkdir(parents=True, exist_ok=True)
        self.work_dir = work_dir
        # In memory, spilling to the work folder beyond the limit: a database file would
        # write every staged row to disk whether memory is short or not.
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET temp_directory = '{work_dir / 'spill'}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")  # the CLI shows its own
        self.con.execute(f"SET memory_limit = '{memory_limit or DEFAULT_MEMORY_LIMIT}'")
        self.con.execute(f"SET threads = {threads or os.cpu_count() or 1}")

    def stage(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Create `table` from Arrow batches, streamed in one statement; returns its rows."""
        stream = pa.RecordBatchReader.from_batches(schema, iter(batches))
        self.con.register("_stream", stream)
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _stream")
        self.con.unregister("_stream")
        return self.count(table)

    def reads_register(self, source: Table, layout: FileLayout) -> bool:
        """Delimited UTF-8 that decodes cleanly, with no code lists to apply (column renames
        are applied by name)."""
        return (
            source.kind == "delimited"
            and source.clean
            and source.encoding in ("utf-8", "utf-8-sig")
            and not layout.codes
        )

    def stage_register(self, source: Table) -> int:
        """Stage a register CSV that decodes cleanly as UTF-8 with DuckDB's own reader (the
        register's rows need no line accounting; rows DuckDB rejects are counted as
        malformed). Returns the number of rows DuckDB rejected. Uses a cursor of its own, so
        that it may run in a thread while Python stages the records."""
        con = self.con.cursor()
        con.execute("SET preserve_insertion_order = true")  # row_id follows the file
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE register_raw AS "
                # An empty field is '' as the engine's reader gives it, not NULL.
                "SELECT row_number() OVER () AS row_id, coalesce(COLUMNS(*), '') "
                "FROM read_csv(?, header = true, "
                "names = ?, all_varchar = true, delim = ?, quote = '\"', escape = '\"', "
                "store_rejects = true, rejects_table = 'register_rejects')",
                [str(source.path), list(source.header), source.delimiter],
            )
        finally:
            con.execute("SET preserve_insertion_order = false")
        values = [v for (v,) in con.execute(
            'SELECT "個人番号" FROM register_raw ORDER BY row_id'
        ).fetchall()] if "個人番号" in source.header else []  # fmt: skip
        numbers, valid = register_numbers(values)
        con.register("register_number_keys", pa.table({
            "row_id": pa.array(range(1, len(numbers) + 1), pa.int64()),
            "number": pa.array(numbers, pa.string()),
            "number_valid": pa.array(valid, pa.bool_()),
        }))  # fmt: skip
        births = [v for (v,) in con.execute(
            'SELECT DISTINCT "生年月日" FROM register_raw WHERE "生年月日" IS NOT NULL'
        ).fetchall()]  # fmt: skip
        con.register("register_birth_keys", pa.table({
            "value": pa.array(births, pa.string()),
            "birth_key": pa.array([birth_key(v) for v in births], pa.string()),
        }))  # fmt: skip
        present = set(source.header)
        columns = ", ".join(
            f'raw."{c}"' if c in present else f'NULL::VARCHAR AS "{c}"' for c in REGISTER_COLUMNS
        )
        removed = "false"
        if "消除事由" in present:  # judged by Python, as the engine's reader judges it
            reasons = [v for (v,) in con.execute(
                'SELECT DISTINCT "消除事由" FROM register_raw'
            ).fetchall() if is_removed(v)]  # fmt: skip
            con.register(
                "register_removal_reasons", pa.table({"reason": pa.array(reasons, pa.string())})
            )
            removed = (
                'coalesce(raw."消除事由" IN (SELECT reason FROM register_removal_reasons), false)'
            )
        con.execute(f"""
            CREATE OR REPLACE TABLE register AS
            SELECT raw.row_id, n.number, n.number_valid, b.birth_key, {removed} AS removed,
                   {columns}
            FROM register_raw raw JOIN register_number_keys n USING (row_id)
            LEFT JOIN register_birth_keys b ON b.value = raw."生年月日"
        """)
        con.unregister("register_number_keys")
        con.unregister("register_birth_keys")
        if "消除事由" in present:
            con.unregister("register_removal_reasons")
        con.execute("DROP TABLE register_raw")
        rejected = con.execute("SELECT count(DISTINCT line) FROM register_rejects").fetchall()
        con.close()
        return rejected[0][0]

    def fetch(self, query: str, tables: Mapping[str, pa.Table] | None = None) -> list[tuple]:
        """The rows of `query`, read to the end (DuckDB keeps a result open until then, and
        the connection refuses other work)."""
        tables = tables or {}
        for name, table in tables.items():
            self.con.register(name, table)
        try:
            return self.con.execute(query).fetchall()
        finally:
            for name in tables:
                self.con.unregister(name)

    def materialize(self, table: str, query: str) -> None:
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS {query}")

    def reader(self, query: str, batch_rows: int) -> pa.RecordBatchReader:
        """Stream a query's rows in batches on a cursor of its own, so that the pipeline can
        write to other tables while it reads."""
        return self.con.cursor().sql(query).to_arrow_reader(batch_rows)

    def classify(self, options: Options, workers: int) -> Iterator[tuple[list[Pending], int]]:
        """Classify the linked records in this process (or `workers` processes), storing the
        results; yields the records left open and the size of each batch."""
        from himoken.collate import linked

        empty = pa.Table.from_batches([], schema=linked.RESULTS_SCHEMA)  # noqa: F841 (DuckDB reads it)
        self.con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM empty")
        for results, pending, size in linked.classify_all(
            self.linked(stage.BATCH_ROWS), options, workers
        ):
            self.store_results(results)
            yield pending, size

    def search_owners(
        self, searched: pa.Table, gaiji_table: Mapping[str, str]
    ) -> list[owner.OwnerMatch]:
        self.stage_table("searched", searched)
        return owner.search_owners(self.con, "searched", "register", gaiji_table=gaiji_table)

    # ------------------------------------------------------------------ results

    def store_results(self, batch: pa.RecordBatch) -> None:
        self.con.register("results_batch", batch)
        self.con.execute("INSERT INTO results SELECT * FROM results_batch")
        self.con.unregister("results_batch")

    def stage_table(self, table: str, data: pa.Table) -> None:
        """A small table from Python (the records searched for an owner)."""
        self.con.register(f"{table}_rows", data)
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table}_rows")
        self.con.unregister(f"{table}_rows")

    def write_results_parquet(self, path: Path) -> None:
        self.con.execute(
            f"COPY (SELECT * FROM results ORDER BY ordinal) TO {_literal(path)} (FORMAT parquet)"
        )

    def write_register_parquet(self, path: Path) -> int:
        """register.parquet (`register_query`); returns its rows."""
        return self.scalar(f"COPY ({self.register_query()}) TO {_literal(path)} (FORMAT parquet)")

    def close(self) -> None:
        self.con.close()


def _literal(path: Path) -> str:
    """A path as an SQL string literal (COPY takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"
