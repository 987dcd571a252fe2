"""The set-wise questions of a collation run, written once in SQL both engines speak.

As Splink keeps its comparisons apart from the databases that run them, the queries here are
shared: `SQLBackend` asks them through a few primitives (run a query into rows, into batches,
into a table) that DuckDB and Spark each implement. What differs between the two dialects is
kept to `_GLOBAL` (regexp_replace's flags) and to what each backend writes itself. Both
dialects read "double quotes" as identifiers (Spark: ANSI mode with doubleQuotedIdentifiers),
sort NULLs where the queries say (the dialects' defaults differ) and take `IN (SELECT …)`
where DuckDB alone would say SEMI JOIN. Where the engines' own functions disagree (upper(),
trim(), casting text to integers), the expressions below spell out what is meant
(`name_key`, `stripped`, `integer`); tests/collate/test_spark.py runs them on both engines.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence

import pyarrow as pa

from himoken.collate.backends.base import ANNOTATED_CONTEXT, ENTRY_COLUMNS
from himoken.collate.stage import PERSON_COLUMNS

_LOWER = "abcdefghijklmnopqrstuvwxyz"
# What counts as a space, as a regular-expression class both engines read alike (their trim()
# and \s differ: DuckDB's trim takes the ideographic space, Spark's does not).
_SPACES = "[ \\t\\n\\f\\r　]"
NEIGHBOUR_KEYS = ("batch_before", "batch_after", "terminal_before", "operator_before")


def quoted(columns: Iterable[str], prefix: str = "", alias: str = "") -> str:
    return ", ".join(f'{prefix}"{c}"' + (f' AS "{alias}{c}"' if alias else "") for c in columns)


def ordinals_table(ordinals: Iterable[int]) -> pa.Table:
    return pa.table({"ordinal": pa.array(sorted(set(ordinals)), pa.int64())})


def numbers_table(numbers: Iterable[str]) -> pa.Table:
    return pa.table({"number": pa.array(sorted(set(numbers)), pa.string())})


class SQLBackend(ABC):
    """The queries of `backends.base.Backend` over tables named register, records and results
    (columns: `stage.REGISTER_SCHEMA`, `stage.RECORDS_SCHEMA`, `linked.RESULTS_SCHEMA`)."""

    # regexp_replace's last arguments replacing every match (DuckDB replaces the first only
    # unless told 'g'; Spark always replaces all and takes no flags)
    _GLOBAL = ""

    def __init__(self) -> None:
        self._present: dict[str, set[str]] = {}
        # what the engine did that an operator sizing it wants in run.log (no personal data)
        self.notes: list[str] = []

    # ------------------------------------------------------------------ engine primitives

    @abstractmethod
    def fetch(self, query: str, tables: Mapping[str, pa.Table] | None = None) -> list[tuple]:
        """The rows of `query`, which may read the given Arrow tables by name."""

    @abstractmethod
    def materialize(self, table: str, query: str) -> None:
        """Create (or replace) `table` holding the rows of `query`."""

    @abstractmethod
    def reader(self, query: str, batch_rows: int) -> pa.RecordBatchReader:
        """The rows of `query` streamed in batches, in the query's order."""

    # ------------------------------------------------------------------ shared

    def failure(self, error: BaseException) -> str | None:
        """An error of the engine's own (not of the inputs) as a one-line reason for stderr;
        None when the error is not the engine's."""
        return None

    def scalar(self, query: str) -> int:
        return self.fetch(query)[0][0]

    def count(self, table: str) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}")

    def note_present(self, table: str, columns: Iterable[str]) -> None:
        """Which contract columns the input file had (a column can exist and be empty)."""
        self._present[table] = set(columns)

    def has_column(self, table: str, column: str) -> bool:
        return column in self._present.get(table, set())

    @classmethod
    def name_key(cls, alias: str) -> str:
        """A name as written, spaces and case aside: namesakes in the register share it.
        Case is folded for ASCII letters only: the engines' upper() disagree beyond (ß)."""
        upper = f"""translate({alias}."氏名", '{_LOWER}', '{_LOWER.upper()}')"""
        return f"regexp_replace({upper}, '{_SPACES}+', ''{cls._GLOBAL})"

    @classmethod
    def stripped(cls, expression: str) -> str:
        """A text value without the spaces around it."""
        return f"regexp_replace({expression}, '^{_SPACES}+|{_SPACES}+$', ''{cls._GLOBAL})"

    @classmethod
    def blank_as_null(cls, expression: str) -> str:
        """A text value without the spaces around it, NULL when nothing is left."""
        return f"nullif({cls.stripped(expression)}, '')"

    @classmethod
    def integer(cls, expression: str) -> str:
        """A text value read as an integer (digits, a sign, spaces around), else NULL. DuckDB
        alone would read 1.5, 1e3 and 0x10 as integers."""
        value = cls.stripped(expression)
        return (
            f"CASE WHEN translate({value}, '0123456789', '') IN ('', '+', '-') "
            f"THEN TRY_CAST({value} AS BIGINT) END"
        )

    def prepare(self) -> dict[str, int]:
        """Index the register by number; find entries sharing a name and birth date."""
        self.materialize(
            "register_numbers",
            """SELECT number, count(*) AS entries, min(row_id) AS row_id
               FROM register WHERE number IS NOT NULL GROUP BY number""",
        )
        # Entries that share a mechanically equal name and a birth date with another entry:
        # a record without an address linked to one of them cannot be told apart (HOMONYM).
        self.materialize(
            "register_twins",
            f"""SELECT {self.name_key("register")} AS name_key, birth_key, count(*) AS entries
                FROM register WHERE birth_key IS NOT NULL AND "氏名" IS NOT NULL
                GROUP BY 1, 2 HAVING count(*) > 1""",
        )
        self.materialize(
            "record_numbers",
            """SELECT number, count(*) AS records FROM records
               WHERE number IS NOT NULL AND number_status = 'ok'
               GROUP BY number HAVING count(*) > 1""",
        )
        return {
            "register_duplicate_numbers": self.scalar(
                "SELECT count(*) FROM register_numbers WHERE entries > 1"
            ),
            "register_invalid_numbers": self.scalar(
                "SELECT count(*) FROM register WHERE number IS NULL OR NOT number_valid"
            ),
        }

    def linked_query(self) -> str:
        """Records with their entry's columns (e_*), how many entries hold the number, whether
        the entry has a name-and-birth twin and how many records share it. In no particular
        order: results are sorted when written, and an unsorted join streams at once."""
        return f"""
            SELECT r.*, coalesce(n.entries, 0) AS entries, e.number_valid AS e_number_valid,
                   {quoted(ENTRY_COLUMNS, "e.", "e_")},
                   coalesce(t.entries, 0) AS twins, coalesce(d.records, 1) AS sharing
            FROM records r
            LEFT JOIN register_numbers n ON n.number = r.number AND r.number_status = 'ok'
            LEFT JOIN register e ON e.row_id = n.row_id
            LEFT JOIN register_twins t
              ON t.birth_key = e.birth_key AND t.name_key = {self.name_key("e")}
            LEFT JOIN record_numbers d ON d.number = r.number AND r.number_status = 'ok'
        """

    def linked(self, batch_rows: int) -> Iterator[pa.RecordBatch]:
        yield from self.reader(self.linked_query(), batch_rows)

    def neighbours(self, ordinals: Sequence[int]) -> dict[int, dict[str, int | None]]:
        """For each ordinal: the rows before and after it in its 登録バッチ, and the row linked
        just before it on the same 登録端末 and by the same 登録者 (ordinals, or None)."""
        if not ordinals:
            return {}
        # Windows only over the batches, terminals and operators of the wanted rows.
        rows = self.fetch(
            f"""
            WITH ordered AS (
              SELECT ordinal, {self.blank_as_null('"登録バッチ"')} AS batch,
                {self.blank_as_null('"登録端末"')} AS terminal,
                {self.blank_as_null('"登録者"')} AS operator, "登録日時" AS linked_at,
                {self.integer('"登録順"')} AS seq
              FROM records
            ), mine AS (
              SELECT * FROM ordered WHERE ordinal IN (SELECT ordinal FROM wanted)
            ), by_batch AS (
              SELECT ordinal, lag(ordinal) OVER w AS batch_before,
                     lead(ordinal) OVER w AS batch_after
              FROM ordered WHERE batch IN (SELECT batch FROM mine)
              WINDOW w AS (PARTITION BY batch ORDER BY seq ASC NULLS LAST, ordinal)
            ), by_terminal AS (
              SELECT ordinal, lag(ordinal) OVER (PARTITION BY terminal
                ORDER BY linked_at ASC NULLS LAST, seq ASC NULLS LAST, ordinal)
                AS terminal_before
              FROM ordered WHERE terminal IN (SELECT terminal FROM mine)
            ), by_operator AS (
              SELECT ordinal, lag(ordinal) OVER (PARTITION BY operator
                ORDER BY linked_at ASC NULLS LAST, seq ASC NULLS LAST, ordinal)
                AS operator_before
              FROM ordered WHERE operator IN (SELECT operator FROM mine)
            )
            SELECT m.ordinal, b.batch_before, b.batch_after, t.terminal_before, o.operator_before
            FROM mine m LEFT JOIN by_batch b ON b.ordinal = m.ordinal
            LEFT JOIN by_terminal t ON t.ordinal = m.ordinal
            LEFT JOIN by_operator o ON o.ordinal = m.ordinal
            """,
            {"wanted": ordinals_table(ordinals)},
        )
        return {row[0]: dict(zip(NEIGHBOUR_KEYS, row[1:], strict=True)) for row in rows}

    def records_at(self, ordinals: Iterable[int]) -> dict[int, dict[str, str]]:
        """Records by ordinal: number and the person's columns."""
        columns = ("number", "申請書番号", *PERSON_COLUMNS)
        rows = self.fetch(
            f"""SELECT ordinal, {quoted(columns)} FROM records
                WHERE ordinal IN (SELECT ordinal FROM wanted)""",
            {"wanted": ordinals_table(ordinals)},
        )
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in rows}

    def records_sharing(self, numbers: Iterable[str]) -> dict[str, list[dict[str, str]]]:
        """All well-formed records linked to each number, in input order."""
        columns = ("ordinal", "number", *PERSON_COLUMNS)
        rows = self.fetch(
            f"""SELECT {quoted(columns)} FROM records
                WHERE number IN (SELECT number FROM wanted) AND number_status = 'ok'
                ORDER BY ordinal""",
            {"wanted": numbers_table(numbers)},
        )
        sharing: dict[str, list[dict[str, str]]] = {}
        for row in rows:
            sharing.setdefault(row[1], []).append(dict(zip(columns, row, strict=True)))
        return sharing

    def entries(self, numbers: Iterable[str]) -> dict[str, dict[str, str]]:
        """The first register entry of each number."""
        rows = self.fetch(
            f"""SELECT e.number, {quoted(ENTRY_COLUMNS, "e.")}
                FROM register_numbers n JOIN register e ON e.row_id = n.row_id
                WHERE n.number IN (SELECT number FROM wanted)""",
            {"wanted": numbers_table(numbers)},
        )
        return {row[0]: dict(zip(ENTRY_COLUMNS, row[1:], strict=True)) for row in rows}

    def namesakes(self, ordinals: Iterable[int]) -> dict[int, list[dict[str, str]]]:
        """For each record: the register entries other than its linked one that share the
        linked entry's name (as written) and birth date, with 世帯番号, 住所 and 前住所."""
        rows = self.fetch(
            f"""
            WITH me AS (
              SELECT r.ordinal, e.birth_key, e.number AS linked,
                     {self.name_key("e")} AS name_key
              FROM records r
              JOIN register_numbers n ON n.number = r.number
              JOIN register e ON e.row_id = n.row_id
              WHERE r.ordinal IN (SELECT ordinal FROM wanted)
            )
            SELECT me.ordinal, t.number, t."世帯番号", t."住所", t."前住所"
            FROM me JOIN register t ON t.birth_key = me.birth_key
            WHERE {self.name_key("t")} = me.name_key AND t.number <> me.linked
            ORDER BY me.ordinal, t.number
            """,
            {"wanted": ordinals_table(ordinals)},
        )
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
        rows = self.fetch(
            f"""
            SELECT DISTINCT r.ordinal, m."世帯番号"
            FROM records r
            JOIN records r2 ON r2."申請書番号" = r."申請書番号" AND r2.ordinal <> r.ordinal
            JOIN register_numbers n2 ON n2.number = r2.number
            JOIN register m ON m.row_id = n2.row_id
            WHERE r.ordinal IN (SELECT ordinal FROM wanted)
              AND {self.blank_as_null('r."申請書番号"')} IS NOT NULL
              AND coalesce(m."世帯番号", '') <> ''
            """,
            {"wanted": ordinals_table(ordinals)},
        )
        households: dict[int, set[str]] = {}
        for ordinal, household in rows:
            households.setdefault(ordinal, set()).add(household)
        return households

    def record_ids(self, ordinals: Iterable[int]) -> dict[int, str]:
        query = (
            "SELECT ordinal, record_id FROM records WHERE ordinal IN (SELECT ordinal FROM wanted)"
        )
        return dict(self.fetch(query, {"wanted": ordinals_table(ordinals)}))

    def application_mates(self) -> dict[str, tuple[str, ...]]:
        """Numbers linked on each 申請書番号 shared by several records (family forms), in
        input order."""
        rows = self.fetch("""
            WITH linked AS (
              SELECT "申請書番号" AS form, number, ordinal FROM records
              WHERE coalesce("申請書番号", '') <> '' AND number IS NOT NULL
            )
            SELECT form, number FROM linked WHERE form IN (
              SELECT form FROM linked GROUP BY form HAVING count(*) > 1
            ) ORDER BY form, ordinal
        """)
        mates: dict[str, list[str]] = {}
        for form, number in rows:
            mates.setdefault(form, []).append(number)
        return {form: tuple(numbers) for form, numbers in mates.items()}

    # ------------------------------------------------------------------ results

    def ordered_results(self, columns: Sequence[str], batch_rows: int) -> pa.RecordBatchReader:
        """The results in input order."""
        return self.reader(f"SELECT {quoted(columns)} FROM results ORDER BY ordinal", batch_rows)

    def verdict_counts(self) -> dict[str, int]:
        return dict(self.fetch('SELECT "判定", count(*) FROM results GROUP BY 1'))

    def reason_counts(self) -> dict[str, int]:
        """Records under each reason (a record counts under each of its reasons)."""
        counts: dict[str, int] = {}
        for reasons, records in self.fetch(
            """SELECT "理由", count(*) FROM results WHERE "理由" <> '' GROUP BY 1"""
        ):
            for reason in reasons.split(";"):
                counts[reason] = counts.get(reason, 0) + records
        return dict(sorted(counts.items()))

    def worklist_rows(self, unflagged: int, batch_rows: int) -> pa.RecordBatchReader:
        """Rows of worklist.xlsx (ANNOTATED_COLUMNS): flagged results first by risk, then the
        riskiest `unflagged` of the rest."""
        shown = f"""
            SELECT * FROM results WHERE "要確認" = 1
            UNION ALL
            (SELECT * FROM results WHERE "要確認" = 0
             ORDER BY "リスク" DESC, ordinal LIMIT {int(unflagged)})
        """
        order = 's."要確認" DESC, s."リスク" DESC, s.ordinal'
        return self.reader(annotated(shown, order), batch_rows)

    def flagged_rows(self, batch_rows: int) -> pa.RecordBatchReader:
        """Rows of flagged.parquet (ANNOTATED_COLUMNS): the flagged results (要確認 = 1) in
        input order."""
        query = annotated('SELECT * FROM results WHERE "要確認" = 1', "s.ordinal")
        return self.reader(query, batch_rows)

    def register_query(self) -> str:
        """register.parquet's rows: the register entries whose number is well formed and
        passes the check digit, in register order, the folded number as 個人番号."""
        columns = quoted(c for c in ENTRY_COLUMNS if c != "個人番号")
        return f"""
            SELECT number AS "個人番号", {columns} FROM register
            WHERE number IS NOT NULL AND number_valid ORDER BY row_id
        """


def annotated(shown: str, order: str) -> str:
    """The results of the query `shown` (ordered by `order`, over alias s) with the record's
    個人番号 as given and the person columns of the record, the linked entry and the candidate
    (ANNOTATED_COLUMNS)."""
    person = ", ".join(f'{p}."{c}" AS "{p}_{c}"' for p in ("r", "e", "c") for c in PERSON_COLUMNS)
    context = ", ".join(f'{p}."{c}" AS "{p}_{c}"' for p, c in ANNOTATED_CONTEXT)
    return f"""
        SELECT s.ordinal, s."レコード番号", s."判定", s."理由", s."リスク", s."説明",
               s."候補個人番号", r."個人番号" AS linked, {person}, {context}
        FROM ({shown}) s JOIN records r ON r.ordinal = s.ordinal
        LEFT JOIN register_numbers n ON n.number = r.number AND r.number_status = 'ok'
        LEFT JOIN register e ON e.row_id = n.row_id
        LEFT JOIN register_numbers cn ON cn.number = nullif(s."候補個人番号", '')
        LEFT JOIN register c ON c.row_id = cn.row_id
        ORDER BY {order}
    """
