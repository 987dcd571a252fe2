"""The embedded SQL engine of a collation run: DuckDB, in memory, spilling to disk.

Stages the two inputs as tables, reads records back joined with the register entry of their
number, and answers the set-wise questions the pipeline asks about the records it flagged
(see `backends.base.Backend`). Everything stays in DuckDB's tables, so memory is bounded by
its limit and the batch size, not by the inputs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import duckdb
import pyarrow as pa

from himoken.collate.backends.base import ANNOTATED_CONTEXT, ENTRY_COLUMNS
from himoken.collate.stage import PERSON_COLUMNS, REGISTER_COLUMNS, birth_key, register_numbers

# DuckDB's share of memory unless the caller says (--memory-limit); it spills beyond it.
DEFAULT_MEMORY_LIMIT = "2GB"
# A name as written, spaces and case aside: namesakes in the register share it.
NAME_KEY_SQL = """regexp_replace(upper({0}."氏名"), '[\\s　]+', '', 'g')"""


def _quoted(columns: Iterable[str], prefix: str = "", alias: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' + (f' AS "{alias}{c}"' if alias else "") for c in columns)


class DuckDBBackend:
    """The embedded default: DuckDB in memory, spilling to a work directory beyond its limit."""

    def __init__(self, work_dir: Path, memory_limit: str | None = None, threads: int | None = None):
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
        self._present: dict[str, set[str]] = {}

    def stage(self, table: str, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
        """Create `table` from Arrow batches, streamed in one statement; returns its rows."""
        stream = pa.RecordBatchReader.from_batches(schema, iter(batches))
        self.con.register("_stream", stream)
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM _stream")
        self.con.unregister("_stream")
        return self.count(table)

    def stage_register_csv(self, path: Path, header: Sequence[str], delimiter: str) -> int:
        """Stage a register CSV that decodes cleanly as UTF-8 with DuckDB's own reader (the
        register's rows need no line accounting; rows DuckDB rejects are counted as
        malformed). Returns the number of rows DuckDB rejected. Uses a cursor of its own, so
        that it may run in a thread while Python stages the records."""
        con = self.con.cursor()
        con.execute("SET preserve_insertion_order = true")  # row_id follows the file
        try:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE register_raw AS "
                "SELECT row_number() OVER () AS row_id, * FROM read_csv(?, header = true, "
                "names = ?, all_varchar = true, delim = ?, quote = '\"', escape = '\"', "
                "store_rejects = true, rejects_table = 'register_rejects')",
                [str(path), list(header), delimiter],
            )
        finally:
            con.execute("SET preserve_insertion_order = false")
        values = [v for (v,) in con.execute(
            'SELECT "個人番号" FROM register_raw ORDER BY row_id'
        ).fetchall()] if "個人番号" in header else []  # fmt: skip
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
        present = set(header)
        columns = ", ".join(
            f'raw."{c}"' if c in present else f'NULL::VARCHAR AS "{c}"' for c in REGISTER_COLUMNS
        )
        removed = (
            """coalesce(trim(raw."消除事由"), '') <> ''""" if "消除事由" in present else "false"
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
        con.execute("DROP TABLE register_raw")
        rejected = con.execute("SELECT count(DISTINCT line) FROM register_rejects").fetchall()
        con.close()
        return rejected[0][0]

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}")

    def scalar(self, query: str) -> int:
        """The one value a query returns (read to the end: DuckDB keeps a result open until
        then, and the connection refuses other work)."""
        return self.con.execute(query).fetchall()[0][0]

    def note_present(self, table: str, columns: Iterable[str]) -> None:
        """Which contract columns the input file had (a column can exist and be empty)."""
        self._present[table] = set(columns)

    def has_column(self, table: str, column: str) -> bool:
        return column in self._present.get(table, set())

    def prepare(self) -> dict[str, int]:
        """Index the register by number; find entries sharing a name and birth date."""
        self.con.execute("""
            CREATE OR REPLACE TABLE register_numbers AS
            SELECT number, count(*) AS entries, min(row_id) AS row_id
            FROM register WHERE number IS NOT NULL GROUP BY number
        """)
        # Entries that share a mechanically equal name and a birth date with another entry:
        # a record without an address linked to one of them cannot be told apart (HOMONYM).
        self.con.execute(f"""
            CREATE OR REPLACE TABLE register_twins AS
            SELECT {NAME_KEY_SQL.format("register")} AS name_key, birth_key,
                   count(*) AS entries
            FROM register WHERE birth_key IS NOT NULL AND "氏名" IS NOT NULL
            GROUP BY ALL HAVING count(*) > 1
        """)
        self.con.execute("""
            CREATE OR REPLACE TABLE record_numbers AS
            SELECT number, count(*) AS records FROM records
            WHERE number IS NOT NULL AND number_status = 'ok' GROUP BY number HAVING count(*) > 1
        """)
        return {
            "register_duplicate_numbers": self.scalar(
                "SELECT count(*) FROM register_numbers WHERE entries > 1"
            ),
            "register_invalid_numbers": self.scalar(
                "SELECT count(*) FROM register WHERE number IS NULL OR NOT number_valid"
            ),
        }

    def linked(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        """Records with their entry's columns (e_*), how many entries hold the number, whether
        the entry has a name-and-birth twin and how many records share it. In no particular
        order: results are sorted when written, and an unsorted join streams at once."""
        reader = self.reader(
            f"""
            SELECT r.*, coalesce(n.entries, 0) AS entries, e.number_valid AS e_number_valid,
                   {_quoted(ENTRY_COLUMNS, "e.", "e_")},
                   coalesce(t.entries, 0) AS twins, coalesce(d.records, 1) AS sharing
            FROM records r
            LEFT JOIN register_numbers n ON n.number = r.number AND r.number_status = 'ok'
            LEFT JOIN register e ON e.row_id = n.row_id
            LEFT JOIN register_twins t
              ON t.birth_key = e.birth_key
             AND t.name_key = {NAME_KEY_SQL.format("e")}
            LEFT JOIN record_numbers d ON d.number = r.number AND r.number_status = 'ok'
        """,
            batch_rows,
        )
        yield from reader

    def reader(self, query: str, batch_rows: int) -> pa.RecordBatchReader:
        """Stream a query's rows in batches on a cursor of its own, so that the pipeline can
        write to other tables while it reads."""
        return self.con.cursor().sql(query).to_arrow_reader(batch_rows)

    def neighbours(self, ordinals: Sequence[int]) -> dict[int, dict[str, int | None]]:
        """For each ordinal: the rows before and after it in its 登録バッチ, and the row linked
        just before it on the same 登録端末 and by the same 登録者 (ordinals, or None)."""
        if not ordinals:
            return {}
        wanted = pa.table({"ordinal": pa.array(ordinals, pa.int64())})  # noqa: F841
        # Windows only over the batches, terminals and operators of the wanted rows.
        rows = self.con.execute("""
            WITH ordered AS (
              SELECT ordinal,
                nullif(trim("登録バッチ"), '') AS batch, nullif(trim("登録端末"), '') AS terminal,
                nullif(trim("登録者"), '') AS operator, "登録日時" AS linked_at,
                TRY_CAST("登録順" AS BIGINT) AS seq
              FROM records
            ), mine AS (
              SELECT * FROM ordered SEMI JOIN wanted USING (ordinal)
            ), by_batch AS (
              SELECT ordinal, lag(ordinal) OVER w AS batch_before,
                     lead(ordinal) OVER w AS batch_after
              FROM ordered WHERE batch IN (SELECT batch FROM mine)
              WINDOW w AS (PARTITION BY batch ORDER BY seq, ordinal)
            ), by_terminal AS (
              SELECT ordinal, lag(ordinal) OVER (
                PARTITION BY terminal ORDER BY linked_at, seq, ordinal) AS terminal_before
              FROM ordered WHERE terminal IN (SELECT terminal FROM mine)
            ), by_operator AS (
              SELECT ordinal, lag(ordinal) OVER (
                PARTITION BY operator ORDER BY linked_at, seq, ordinal) AS operator_before
              FROM ordered WHERE operator IN (SELECT operator FROM mine)
            )
            SELECT m.ordinal, b.batch_before, b.batch_after, t.terminal_before, o.operator_before
            FROM mine m LEFT JOIN by_batch b USING (ordinal)
            LEFT JOIN by_terminal t USING (ordinal) LEFT JOIN by_operator o USING (ordinal)
        """).fetchall()
        keys = ("batch_before", "batch_after", "terminal_before", "operator_before")
        return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in rows}

    def records_at(self, ordinals: Iterable[int]) -> dict[int, dict[str, str]]:
        """Records by ordinal: number and the person's columns."""
        wanted = pa.table({"ordinal": pa.array(sorted(set(ordinals)), pa.int64())})  # noqa: F841
        columns = ("number", "申請書番号", *PERSON_COLUMNS)
        result = self.con.execute(
            f"SELECT ordinal, {_quoted(columns)} FROM records SEMI JOIN wanted USING (ordinal)"
        ).fetchall()
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in result}

    def records_sharing(self, numbers: Iterable[str]) -> dict[str, list[dict[str, str]]]:
        """All well-formed records linked to each number, in input order."""
        wanted = pa.table({"number": pa.array(sorted(set(numbers)), pa.string())})  # noqa: F841
        columns = ("ordinal", "number", *PERSON_COLUMNS)
        result = self.con.execute(f"""
            SELECT {_quoted(columns)} FROM records SEMI JOIN wanted USING (number)
            WHERE number_status = 'ok' ORDER BY ordinal
        """).fetchall()
        sharing: dict[str, list[dict[str, str]]] = {}
        for row in result:
            values = dict(zip(columns, row, strict=True))
            sharing.setdefault(row[1], []).append(values)
        return sharing

    def entries(self, numbers: Iterable[str]) -> dict[str, dict[str, str]]:
        """The first register entry of each number."""
        wanted = pa.table({"number": pa.array(sorted(set(numbers)), pa.string())})  # noqa: F841
        result = self.con.execute(f"""
            SELECT e.number, {_quoted(ENTRY_COLUMNS, "e.")}
            FROM register_numbers n SEMI JOIN wanted USING (number)
            JOIN register e ON e.row_id = n.row_id
        """).fetchall()
        return {row[0]: dict(zip(ENTRY_COLUMNS, row[1:], strict=True)) for row in result}

    def namesakes(self, ordinals: Iterable[int]) -> dict[int, list[dict[str, str]]]:
        """For each record: the register entries other than its linked one that share the
        linked entry's name (as written) and birth date, with 世帯番号, 住所 and 前住所."""
        wanted = pa.table({"ordinal": pa.array(sorted(set(ordinals)), pa.int64())})  # noqa: F841
        rows = self.con.execute(f"""
            WITH me AS (
              SELECT r.ordinal, e.birth_key, e.number AS linked,
                     {NAME_KEY_SQL.format("e")} AS name_key
              FROM records r SEMI JOIN wanted USING (ordinal)
              JOIN register_numbers n ON n.number = r.number
              JOIN register e ON e.row_id = n.row_id
            )
            SELECT me.ordinal, t.number, t."世帯番号", t."住所", t."前住所"
            FROM me JOIN register t ON t.birth_key = me.birth_key
            WHERE {NAME_KEY_SQL.format("t")} = me.name_key AND t.number <> me.linked
            ORDER BY me.ordinal, t.number
        """).fetchall()
        found: dict[int, list[dict[str, str]]] = {}
        for ordinal, number, household, address, previous in rows:
            found.setdefault(ordinal, []).append(
                {"個人番号": number, "世帯番号": household or "", "住所": address or "",
                 "前住所": previous or ""}
            )  # fmt: skip
        return found

    def form_households(self, ordinals: Iterable[int]) -> dict[int, set[str]]:
        """For each record: the 世帯番号 of the entries linked by the other records of its
        申請書番号 (a family's shared application form)."""
        wanted = pa.table({"ordinal": pa.array(sorted(set(ordinals)), pa.int64())})  # noqa: F841
        rows = self.con.execute("""
            SELECT DISTINCT r.ordinal, m."世帯番号"
            FROM records r SEMI JOIN wanted USING (ordinal)
            JOIN records r2 ON r2."申請書番号" = r."申請書番号" AND r2.ordinal <> r.ordinal
            JOIN register_numbers n2 ON n2.number = r2.number
            JOIN register m ON m.row_id = n2.row_id
            WHERE coalesce(trim(r."申請書番号"), '') <> '' AND coalesce(m."世帯番号", '') <> ''
        """).fetchall()
        households: dict[int, set[str]] = {}
        for ordinal, household in rows:
            households.setdefault(ordinal, set()).add(household)
        return households

    # ------------------------------------------------------------------ results

    def create_results(self, schema: pa.Schema) -> None:
        empty = pa.Table.from_batches([], schema=schema)  # noqa: F841 - read by DuckDB
        self.con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM empty")

    def store_results(self, batch: pa.RecordBatch) -> None:
        self.con.register("results_batch", batch)
        self.con.execute("INSERT INTO results SELECT * FROM results_batch")
        self.con.unregister("results_batch")

    def stage_table(self, table: str, data: pa.Table) -> None:
        """A small table from Python (the records searched for an owner)."""
        self.con.register(f"{table}_rows", data)
        self.con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table}_rows")
        self.con.unregister(f"{table}_rows")

    def record_ids(self, ordinals: Iterable[int]) -> dict[int, str]:
        wanted = pa.table({"ordinal": pa.array(list(ordinals), pa.int64())})  # noqa: F841
        return dict(
            self.con.execute(
                "SELECT ordinal, record_id FROM records SEMI JOIN wanted USING (ordinal)"
            ).fetchall()
        )

    def application_mates(self) -> dict[str, tuple[str, ...]]:
        """Numbers linked on each 申請書番号 shared by several records (family forms)."""
        rows = self.con.execute("""
            SELECT "申請書番号", list(number) FROM records
            WHERE coalesce("申請書番号", '') <> '' AND number IS NOT NULL
            GROUP BY 1 HAVING count(*) > 1
        """).fetchall()
        return {form: tuple(numbers) for form, numbers in rows}

    def ordered_results(self, columns: Sequence[str], batch_rows: int) -> pa.RecordBatchReader:
        """The results in input order."""
        return self.reader(f"SELECT {', '.join(columns)} FROM results ORDER BY ordinal", batch_rows)

    def write_results_parquet(self, path: Path) -> None:
        self.con.execute(
            f"COPY (SELECT * FROM results ORDER BY ordinal) TO {_literal(path)} (FORMAT parquet)"
        )

    def verdict_counts(self) -> dict[str, int]:
        return dict(self.con.execute("SELECT 判定, count(*) FROM results GROUP BY 1").fetchall())

    def reason_counts(self) -> dict[str, int]:
        """Records under each reason (a record counts under each of its reasons)."""
        return dict(
            self.con.execute("""
                SELECT reason, count(*) FROM (
                  SELECT unnest(string_split(理由, ';')) AS reason FROM results WHERE 理由 <> ''
                ) GROUP BY 1 ORDER BY 1
            """).fetchall()
        )

    def worklist_rows(self, unflagged: int, batch_rows: int) -> pa.RecordBatchReader:
        """Rows of worklist.xlsx (ANNOTATED_COLUMNS): flagged results first by risk, then the
        riskiest `unflagged` of the rest."""
        shown = f"""
            SELECT * FROM results WHERE 要確認 = 1
            UNION ALL
            (SELECT * FROM results WHERE 要確認 = 0
             ORDER BY リスク DESC, ordinal LIMIT {int(unflagged)})
        """
        order = "s.要確認 DESC, s.リスク DESC, s.ordinal"
        return self.reader(_annotated(shown, order), batch_rows)

    def flagged_rows(self, batch_rows: int) -> pa.RecordBatchReader:
        """Rows of flagged.parquet (ANNOTATED_COLUMNS): the flagged results (要確認 = 1) in
        input order."""
        query = _annotated("SELECT * FROM results WHERE 要確認 = 1", "s.ordinal")
        return self.reader(query, batch_rows)

    def write_register_parquet(self, path: Path) -> int:
        """register.parquet: the register entries whose number is well formed and passes the
        check digit, in register order, the folded number as 個人番号; returns its rows."""
        columns = _quoted(c for c in REGISTER_COLUMNS if c != "個人番号")
        query = f"""
            SELECT number AS "個人番号", {columns} FROM register
            WHERE number IS NOT NULL AND number_valid ORDER BY row_id
        """
        return self.scalar(f"COPY ({query}) TO {_literal(path)} (FORMAT parquet)")

    def close(self) -> None:
        self.con.close()


def _annotated(shown: str, order: str) -> str:
    """The results of the query `shown` (ordered by `order`, over alias s) with the record's
    個人番号 as given and the person columns of the record, the linked entry and the candidate
    (ANNOTATED_COLUMNS)."""
    person = ", ".join(f'{p}."{c}" AS "{p}_{c}"' for p in ("r", "e", "c") for c in PERSON_COLUMNS)
    context = ", ".join(f'{p}."{c}" AS "{p}_{c}"' for p, c in ANNOTATED_CONTEXT)
    return f"""
        SELECT s.ordinal, s.レコード番号, s.判定, s.理由, s.リスク, s.説明, s.候補個人番号,
               r."個人番号" AS linked, {person}, {context}
        FROM ({shown}) s JOIN records r USING (ordinal)
        LEFT JOIN register_numbers n ON n.number = r.number AND r.number_status = 'ok'
        LEFT JOIN register e ON e.row_id = n.row_id
        LEFT JOIN register_numbers cn ON cn.number = nullif(s.候補個人番号, '')
        LEFT JOIN register c ON c.row_id = cn.row_id
        ORDER BY {order}
    """


def _literal(path: Path) -> str:
    """A path as an SQL string literal (COPY takes no parameters)."""
    return "'" + str(path).replace("'", "''") + "'"
