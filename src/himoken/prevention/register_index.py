"""The register as an entry-time check reads it: one SQLite file, indexed for point lookups.

A collation reads the whole register once; a check at the moment a number is linked needs,
within a millisecond, the entry of one number and the few entries the owner model's blocking
rules reach from one person (same household, same address, same name and birth year ...).
`build_index` reads a register file (spec §2, any format and profile the engine reads) exactly
as the engine stages it, computes the owner model's key columns once per entry
(`owner.register_inputs`), and writes them with the entries to SQLite, indexed on every
blocking rule. `RegisterIndex` opens it read-only, one connection per thread.

SQLite, not DuckDB: the work is many tiny indexed lookups from many threads, which is what
SQLite does best; the file is self-contained and can be rebuilt whenever the register is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from himoken import __version__
from himoken.collate import owner, stage
from himoken.collate.backends.duckdb import DuckDBBackend
from himoken.collate.ingest import UnreadableFile, open_table
from himoken.collate.profiles import REGISTER_COLUMNS, FileLayout

# 2: indexed on the register columns of owner.NAME_RULES.
FORMAT = "himoken-register-index-2"
# The owner model's input columns of a register entry (unique_id is the row_id here).
_MODEL_COLUMNS = tuple(c for c in owner.SPLINK_COLUMNS if c != "unique_id")
# Point lookups: by number, household and address (the rules that start from the linked
# entry), by name as written and birth date (namesakes), and by each name and reading rule.
_INDEXED = (
    ("number",), ("household",), ("block_address",), ("name_key", "birth_key"),
    *(theirs for _, theirs in owner.NAME_RULES),
)  # fmt: skip
CHUNK = 20_000


class RegisterIndexError(Exception):
    """The index cannot be built or opened; the message names the file."""


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


@dataclass(frozen=True, slots=True)
class BuildReport:
    path: Path
    entries: int
    seconds: float


def build_index(
    register: Path,
    out: Path,
    *,
    layout: FileLayout | None = None,
    gaiji_table: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BuildReport:
    """Read `register` and write its index to `out` (replaced atomically when complete)."""
    started = dt.datetime.now(dt.UTC)
    try:
        table = open_table(register, stage.REGISTER_REQUIRED, layout)
    except UnreadableFile as error:
        raise RegisterIndexError(str(error)) from error
    con = duckdb.connect(":memory:")
    try:
        stream = pa.RecordBatchReader.from_batches(
            stage.REGISTER_SCHEMA, stage.register_batches(table.batches())
        )
        con.register("register_stream", stream)
        con.execute(
            "CREATE TABLE register AS SELECT *, "
            f"{DuckDBBackend.name_key('register_stream')} AS name_key FROM register_stream"
        )
        con.unregister("register_stream")
        total = con.execute("SELECT count(*) FROM register").fetchone()[0]  # type: ignore[index]
        partial = out.with_name(out.name + ".partial")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial)
        try:
            _create(db)
            done = 0
            for start in range(0, max(total, 1), CHUNK):
                rows = _rows(con, start, CHUNK, gaiji_table)
                db.executemany(_INSERT, rows)
                done += len(rows)
                if progress is not None:
                    progress(done, total)
            for columns in _INDEXED:
                name = "by_" + "_".join(columns)
                db.execute(f"CREATE INDEX {name} ON entry ({', '.join(map(_q, columns))})")
            households = con.execute(
                'SELECT count(*) FROM register WHERE "世帯番号" IS NOT NULL'
            ).fetchone()[0]  # type: ignore[index]
            digest = _sha256(register)
            meta = {
                "format": FORMAT, "source": str(register), "source_sha256": digest,
                "entries": str(total), "has_households": "1" if households else "0",
                "built": started.isoformat(timespec="seconds"), "himoken": __version__,
            }  # fmt: skip
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.commit()
            db.execute("ANALYZE")
        finally:
            db.close()
        partial.replace(out)
    finally:
        con.close()
    seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
    return BuildReport(out, total, seconds)


_ENTRY_COLUMNS = ("row_id", "number_valid", "birth_key", "name_key", *REGISTER_COLUMNS)
_ALL_COLUMNS = _ENTRY_COLUMNS + tuple(c for c in _MODEL_COLUMNS if c not in _ENTRY_COLUMNS)
_INSERT = (
    f"INSERT INTO entry ({', '.join(map(_q, _ALL_COLUMNS))}) "
    f"VALUES ({', '.join('?' * len(_ALL_COLUMNS))})"
)


def _create(db: sqlite3.Connection) -> None:
    columns = ", ".join(
        f"{_q(c)} INTEGER PRIMARY KEY" if c == "row_id" else _q(c) for c in _ALL_COLUMNS
    )
    db.execute(f"CREATE TABLE entry ({columns})")
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")


def _rows(
    con: duckdb.DuckDBPyConnection, start: int, size: int, gaiji: Mapping[str, str] | None
) -> list[tuple[Any, ...]]:
    """One chunk of entries in register order with the model's key columns."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE chunk AS SELECT row_id FROM register "
        f"ORDER BY row_id LIMIT {size} OFFSET {start}"
    )
    keyed = owner.register_inputs(con, "register", "chunk", gaiji)
    raw = con.execute(
        f"SELECT {', '.join(_q(c) for c in _ENTRY_COLUMNS if c != '個人番号')}, number "
        "FROM register WHERE row_id IN (SELECT row_id FROM chunk) ORDER BY row_id"
    ).fetchall()
    model = {c: keyed.column(c).to_pylist() for c in _MODEL_COLUMNS}
    rows = []
    for i, values in enumerate(raw):
        entry = dict(zip([c for c in _ENTRY_COLUMNS if c != "個人番号"], values[:-1], strict=True))
        entry["個人番号"] = values[-1]  # the folded number, as register.parquet writes it
        model_values = tuple(model[c][i] for c in _ALL_COLUMNS[len(_ENTRY_COLUMNS) :])
        rows.append((*(entry[c] for c in _ENTRY_COLUMNS), *model_values))
    return rows


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class RegisterIndex:
    """A built index, opened read-only; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise RegisterIndexError(f"{path}: no register index here (himoken verify index)")
        self._local = threading.local()
        try:
            meta = dict(self._db().execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as error:  # another file, or a SQLite file of another kind
            raise RegisterIndexError(f"{path}: not a register index ({error})") from error
        if meta.get("format") != FORMAT:
            raise RegisterIndexError(
                f"{path}: a register index of another himoken version: build it again "
                "(himoken verify index)"
            )
        self.meta = meta
        self.has_households = meta.get("has_households") == "1"

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            except sqlite3.Error as error:
                raise RegisterIndexError(f"{self.path}: {error}") from error
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA mmap_size = 1073741824")
            self._local.db = db
        return db

    def entries_of(self, number: str) -> list[dict[str, Any]]:
        """The register rows holding `number` (folded), in register order."""
        rows = (
            self._db()
            .execute("SELECT * FROM entry WHERE number = ? ORDER BY row_id", (number,))
            .fetchall()
        )
        return [dict(row) for row in rows]

    def entry(self, number: str) -> dict[str, str] | None:
        """The entry the engine compares a record with: the first with a valid number, as
        check.lookup_entry reads it from register.parquet (register columns, "" for null)."""
        for row in self.entries_of(number):
            if row["number_valid"]:
                return entry_columns(row)
        return None

    def reachable(self, record: Mapping[str, Any], linked: Mapping[str, Any] | None
                  ) -> list[dict[str, Any]]:  # fmt: skip
        """The entries some blocking rule of the owner model reaches from `record` (its key
        columns, as owner.searched_inputs makes them) and its linked entry's row."""
        clauses: list[str] = []
        params: list[Any] = []
        if linked is not None:
            for column, value in (
                ("number", linked.get("number")),
                ("household", linked.get("世帯番号")),
                ("block_address", linked.get("住所")),
            ):
                if value:
                    clauses.append(f"SELECT row_id FROM entry WHERE {column} = ?")
                    params.append(value)
        for mine, theirs in owner.NAME_RULES:
            values = [record.get(c) for c in mine]
            if None not in values:
                where = " AND ".join(f"{_q(c)} = ?" for c in theirs)
                clauses.append(f"SELECT row_id FROM entry WHERE {where}")
                params.extend(values)
        if not clauses:
            return []
        query = f"SELECT * FROM entry WHERE row_id IN ({' UNION '.join(clauses)}) ORDER BY row_id"
        return [dict(row) for row in self._db().execute(query, params).fetchall()]

    def namesakes(self, linked: Mapping[str, Any]) -> list[dict[str, str]]:
        """Entries other than the linked one sharing its name (as written) and birth date."""
        if not linked.get("name_key") or not linked.get("birth_key"):
            return []
        rows = (
            self._db()
            .execute(
                "SELECT * FROM entry WHERE name_key = ? AND birth_key = ? AND number <> ? "
                "ORDER BY number",
                (linked["name_key"], linked["birth_key"], linked.get("number") or ""),
            )
            .fetchall()
        )
        return [entry_columns(dict(row)) for row in rows]

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None


def entry_columns(row: Mapping[str, Any]) -> dict[str, str]:
    """An index row as the register's columns, "" for null (check.lookup_entry's form)."""
    return {c: "" if row.get(c) is None else str(row[c]) for c in REGISTER_COLUMNS}


def model_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    """An index row as the owner model's register input (owner.SPLINK_COLUMNS)."""
    return {c: row.get(c) for c in _MODEL_COLUMNS}
