"""The true-owner search: for a flagged record, the register entry that best fits its own data.

Spec §4 候補個人番号 and §6 SUSPECT ("another register entry that fits better") need, for a
record whose number may belong to someone else (or is invalid), the resident that best fits
the record's own name, reading, birth date, sex and address — and how well the linked entry
fits by the same measure. Both come from one fixed Fellegi-Sunter model run by Splink
(`owner_model.json`, estimated once by `bench/estimate_owner_model.py`; prediction never
re-estimates), on DuckDB: the model's SQL is plain equality and `levenshtein` on key columns
that Python computes with the Japanese normalizers (`himoken.collate.keys`), because no SQL
engine knows 髙/高 or 一丁目2番3号 = 1-2-3. The Spark backend keys the register and finds the
blocked pairs on Spark, then scores them here (`best_owners`).

The register can hold ten million rows: it is never pulled into Python whole. SQL first finds
the register rows some blocking rule of the model can reach (semi-joins on raw columns and on
SQL twins of the name and reading keys); only those get their keys computed, per distinct
value.
Details, levels and figures: docs/owner-search.md.
"""

from __future__ import annotations

import copy
import functools
import json
import logging
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from himoken.collate import keys

MODEL_PATH = Path(__file__).with_name("owner_model.json")
MODEL_VERSION = 1
"""The model's version; the JSON carries it as Splink's `linker_uid` (`himoken_owner_v1`)."""

FIT_THRESHOLD = 10.0
"""Least match weight for a candidate to be named 候補個人番号 (see `fits_better`)."""
FIT_MARGIN = 5.0
"""How far (in match weight, log2 of a Bayes factor) a candidate must fit better than the
linked entry to be named: 2**5 = 32 times the likelihood ratio."""

# Columns both Splink inputs carry: ids, the raw values the blocking rules join on, the keys.
ID_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "number",  # the linked number of a record; the entry's own number
    "household",  # 世帯番号 of the linked entry; the entry's own
    "block_address",  # 住所 of the linked entry as the register writes it; the entry's own
    "alias_key",  # a record's folded name; an entry's folded first 通称
    "given_key",  # a record's folded given name; an entry's, when its name has a space
    "removed",
)
SPLINK_COLUMNS: tuple[str, ...] = ID_COLUMNS + keys.KEY_COLUMNS

# Comparison name -> level label -> how the level reads in 説明. A tuple (kind, text):
# "agree" joins the list of agreeing items, "note" is a clause of its own, "differ" joins the
# list of differing items; "missing" levels say nothing.
_EVIDENCE: dict[str, dict[str, tuple[str, str]]] = {
    "name": {
        "exact": ("agree", "氏名"),
        "variant": ("agree", "氏名(字形差異)"),
        "alias": ("agree", "氏名(通称)"),
        "reordered": ("agree", "氏名(順序違い)"),
        "near": ("note", "氏名は1字違い"),
        "given_only": ("note", "氏名は名のみ一致"),
        "surname_only": ("note", "氏名は氏のみ一致"),
        "different": ("differ", "氏名"),
    },
    "reading": {
        "exact": ("agree", "フリガナ"),
        "legacy": ("agree", "フリガナ(表記差異)"),
        "near": ("note", "フリガナは1字違い"),
        "different": ("differ", "フリガナ"),
    },
    "birth": {
        "exact": ("agree", "生年月日"),
        "known_parts": ("agree", "生年月日(判明部分)"),
        "near": ("note", "生年月日は1字違い"),
        "same_year": ("note", "生年月日は同じ年"),
        "different": ("differ", "生年月日"),
    },
    "sex": {"equal": ("agree", "性別"), "different": ("differ", "性別")},
    "address": {
        "same": ("agree", "住所"),
        "same_block": ("note", "住所は同じ番地(方書違い)"),
        "same_town": ("note", "住所は同じ町"),
        "same_municipality": ("note", "住所は同じ市区町村"),
        "different": ("differ", "住所"),
    },
}


@dataclass(frozen=True, slots=True)
class OwnerMatch:
    """The best-fitting register entry other than the linked one, for one searched record."""

    ordinal: int
    number: str
    match_weight: float  # Splink match weight, rounded to 6 decimals
    linked_weight: float | None  # the linked entry's weight by the same model; None: no entry
    levels: dict[str, str]  # comparison name -> level label of the candidate
    evidence: str  # 「氏名・生年月日・性別・住所が一致」


def fits_better(match: OwnerMatch) -> bool:
    """Whether the candidate is to be named 候補個人番号 (spec §4): its weight is above
    FIT_THRESHOLD and exceeds the linked entry's by more than FIT_MARGIN (or there is no
    linked entry)."""
    if match.match_weight <= FIT_THRESHOLD:
        return False
    return match.linked_weight is None or match.match_weight - match.linked_weight > FIT_MARGIN


# ---------------------------------------------------------------- the model


@functools.cache
def _model_text() -> str:
    return MODEL_PATH.read_text(encoding="utf-8")


def load_model() -> dict[str, Any]:
    """The fixed Splink settings with their m and u probabilities (a fresh copy)."""
    model = json.loads(_model_text())
    if model.get("linker_uid") != f"himoken_owner_v{MODEL_VERSION}":
        raise ValueError(f"{MODEL_PATH}: not version {MODEL_VERSION} of the owner model")
    return model


def level_labels(model: Mapping[str, Any]) -> dict[str, dict[int, str]]:
    """Comparison name -> comparison vector value (Splink's gamma) -> level label.

    Splink numbers a comparison's levels from the top, highest first, down to 0 for the last;
    null levels are -1."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        counter = sum(1 for level in levels if not level.get("is_null_level")) - 1
        by_value: dict[int, str] = {}
        for level in levels:
            if level.get("is_null_level"):
                by_value[-1] = level["label_for_charts"]
            else:
                by_value[counter] = level["label_for_charts"]
                counter -= 1
        labels[comparison["output_column_name"]] = by_value
    return labels


def evidence(levels: Mapping[str, str]) -> str:
    """A short Japanese fragment a clerk can read:
    「氏名(字形差異)・生年月日が一致、住所は同じ町」."""
    agree, notes, differ = [], [], []
    for comparison, table in _EVIDENCE.items():
        kind, text = table.get(levels.get(comparison, "missing"), ("missing", ""))
        if kind == "agree":
            agree.append(text)
        elif kind == "note":
            notes.append(text)
        elif kind == "differ":
            differ.append(text)
    clauses = []
    if agree:
        clauses.append(f"{'・'.join(agree)}が一致")
    clauses.extend(notes)
    if differ:
        clauses.append(f"{'・'.join(differ)}は不一致")
    return "、".join(clauses) or "比較できる項目なし"


# ---------------------------------------------------------------- inputs of the model


def _column(table: pa.Table, name: str) -> list[Any]:
    return table.column(name).to_pylist()


# Columns of the staged tables the model's inputs are made of (searched_keys, register_keys).
SEARCHED_RAW = (
    "ordinal", "linked_number", "linked_household", "linked_address", "birth_key",
    "氏名", "氏名フリガナ", "性別", "住所",
)  # fmt: skip
REGISTER_RAW = (
    "row_id", "number", "世帯番号", "住所", "removed", "birth_key", "氏名", "氏名フリガナ",
    "性別", "通称",
)  # fmt: skip
# ... selected from the staged register in SQL any engine reads (removed: false when null)
REGISTER_RAW_SQL = ", ".join(
    "coalesce(removed, false) AS removed" if c == "removed" else f'"{c}"' for c in REGISTER_RAW
)


def searched_inputs(
    con: duckdb.DuckDBPyConnection, searched: str, gaiji_table: Mapping[str, str] | None = None
) -> pa.Table:
    """The searched records of table `searched` as the model's input (`searched_keys`)."""
    columns = ", ".join(f'"{c}"' for c in SEARCHED_RAW)
    raw = con.sql(f"SELECT {columns} FROM {searched} ORDER BY ordinal")
    return searched_keys(raw.to_arrow_table(), gaiji_table)


def searched_keys(raw: pa.Table, gaiji_table: Mapping[str, str] | None = None) -> pa.Table:
    """Searched records (SEARCHED_RAW columns) as the model's input: SPLINK_COLUMNS, one row
    per ordinal.

    number, household and block_address are those of the linked entry (for the blocking rules
    that score it and reach its household and building); the keys are the record's own. An
    address that names no municipality is read within the linked entry's.
    """
    key_table = _person_keys(
        raw, address_hint=_column(raw, "linked_address"), gaiji_table=gaiji_table
    )
    ids = {
        "unique_id": raw.column("ordinal").cast(pa.int64()),
        "number": raw.column("linked_number").cast(pa.string()),
        "household": raw.column("linked_household").cast(pa.string()),
        "block_address": raw.column("linked_address").cast(pa.string()),
        "alias_key": key_table.column("name_folded"),
        "given_key": key_table.column("given_folded"),
        "removed": pa.nulls(raw.num_rows, pa.bool_()),
    }
    return pa.table({**ids, **{c: key_table.column(c) for c in keys.KEY_COLUMNS}})


def _person_keys(raw: pa.Table, **options: Any) -> pa.Table:
    """Key columns of the person's five attributes of a staged table."""
    return keys.person_keys(
        _column(raw, "氏名"),
        _column(raw, "氏名フリガナ"),
        _column(raw, "birth_key"),
        _column(raw, "性別"),
        _column(raw, "住所"),
        **options,
    )


def register_inputs(
    con: duckdb.DuckDBPyConnection,
    register: str,
    row_ids: str | None = None,
    gaiji_table: Mapping[str, str] | None = None,
) -> pa.Table:
    """Register entries as the model's input (`register_keys`), for the rows whose row_id is
    in the table `row_ids` (all rows when None: small registers, the estimation script)."""
    where = f"WHERE row_id IN (SELECT row_id FROM {row_ids})" if row_ids else ""
    raw = con.sql(f"SELECT {REGISTER_RAW_SQL} FROM {register} {where} ORDER BY row_id")
    return register_keys(raw.to_arrow_table(), gaiji_table)


def register_keys(raw: pa.Table, gaiji_table: Mapping[str, str] | None = None) -> pa.Table:
    """Register entries (REGISTER_RAW columns) as the model's input: SPLINK_COLUMNS."""
    key_table = _person_keys(raw, alias=_column(raw, "通称"), gaiji_table=gaiji_table)
    ids = {
        "unique_id": raw.column("row_id").cast(pa.int64()),
        "number": raw.column("number").cast(pa.string()),
        "household": raw.column("世帯番号").cast(pa.string()),
        "block_address": raw.column("住所").cast(pa.string()),
        "alias_key": key_table.column("name_alias_folded"),
        "given_key": key_table.column("given_spaced"),
        "removed": raw.column("removed").cast(pa.bool_()),
    }
    return pa.table({**ids, **{c: key_table.column(c) for c in keys.KEY_COLUMNS}})


# ---------------------------------------------------------------- reaching the register


class _Scratch:
    """Arrow tables registered and temporary tables created on the caller's connection under
    unique names, and dropped."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.prefix = f"__himoken_owner_{uuid.uuid4().hex[:8]}"
        self.names: list[str] = []
        self.tables: list[str] = []  # temporary tables, dropped on close

    def register(self, suffix: str, table: pa.Table) -> str:
        name = f"{self.prefix}_{suffix}"
        self.con.register(name, table)
        self.names.append(name)
        return name

    def close(self) -> None:
        for name in self.names:
            self.con.unregister(name)
        for name in self.tables:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")


_NAME, _READING = '"氏名"', '"氏名フリガナ"'


def _reachable_rows(
    con: duckdb.DuckDBPyConnection,
    scratch: _Scratch,
    searched_table: pa.Table,
    register: str,
    gaiji_table: Mapping[str, str] | None,
) -> str:
    """Create a temporary table of the register row_ids some blocking rule of the model can
    reach (a superset); returns its name.

    The linked number, household and address are raw register columns. For the rules on
    names and readings, SQL computes the key of simple values (`keys.name_prefilter_sql` and
    its siblings, which agree with Python on them); the other values — variant kanji,
    full-width or half-width text, 外字, hiragana or ヴ in readings, every 通称: a few percent
    — are keyed in Python, only for rows whose birth date parts some searched record has.
    """
    probe_table = searched_table.append_column(
        "reading_skeleton",
        pa.array(
            [keys.reading_skeleton(k) for k in _column(searched_table, "reading_key")], pa.string()
        ),
    )
    probe = f"{scratch.prefix}_probe"
    view = scratch.register("probe_view", probe_table)
    con.execute(f"CREATE TEMP TABLE {probe} AS SELECT * FROM {view}")
    scratch.tables.append(probe)
    keyed = _keyed_in_python(con, scratch, probe, probe_table, register, gaiji_table)
    name = keys.name_prefilter_sql(_NAME)
    reachable = f"{scratch.prefix}_reachable"
    con.execute(
        f"""CREATE TEMP TABLE {reachable} AS
            WITH named AS MATERIALIZED (
              SELECT row_id, {name} AS name_key, substr(birth_key, 1, 4) AS birth_year,
                     substr(birth_key, 6, 5) AS birth_md
              FROM {register} WHERE {name} IN (SELECT name_folded FROM {probe})
            ), latin AS MATERIALIZED (
              SELECT row_id, {keys.sorted_name_prefilter_sql(_NAME)} AS name_sorted,
                     substr(birth_key, 1, 4) AS birth_year
              FROM {register} WHERE regexp_full_match("氏名", {keys.LATIN_SQL})
            ), dated AS MATERIALIZED (
              SELECT row_id, birth_key, {keys.reading_prefilter_sql(_READING)} AS skeleton,
                     {keys.given_prefilter_sql(_NAME)} AS given_key
              FROM {register} WHERE birth_key IN (SELECT birth_full FROM {probe})
            )
            SELECT row_id FROM {register}
              WHERE number IN (SELECT number FROM {probe} WHERE number IS NOT NULL)
            UNION SELECT row_id FROM {register}
              WHERE "世帯番号" IN (SELECT household FROM {probe} WHERE household IS NOT NULL)
            UNION SELECT row_id FROM {register}
              WHERE "住所" IN (SELECT block_address FROM {probe}
                               WHERE block_address IS NOT NULL)
            UNION SELECT n.row_id FROM named n SEMI JOIN {probe} p
              ON n.name_key = p.name_folded AND n.birth_year = p.birth_year
            UNION SELECT n.row_id FROM named n SEMI JOIN {probe} p
              ON n.name_key = p.name_folded AND n.birth_md = p.birth_md
            UNION SELECT l.row_id FROM latin l SEMI JOIN {probe} p
              ON l.name_sorted = p.name_sorted AND l.birth_year = p.birth_year
            UNION SELECT d.row_id FROM dated d SEMI JOIN {probe} p
              ON d.skeleton = p.reading_skeleton AND d.birth_key = p.birth_full
            UNION SELECT d.row_id FROM dated d SEMI JOIN {probe} p
              ON d.given_key = p.given_key AND d.birth_key = p.birth_full
            UNION SELECT row_id FROM {keyed}"""
    )
    scratch.tables.append(reachable)
    return reachable


def _keyed_in_python(
    con: duckdb.DuckDBPyConnection,
    scratch: _Scratch,
    probe: str,
    probe_table: pa.Table,
    register: str,
    gaiji_table: Mapping[str, str] | None,
) -> str:
    """The rows a name, 通称 or reading rule reaches whose value SQL cannot key: only the
    values SQL cannot key are keyed here. Returns the name of a table of their row_ids."""
    year, month_day = "substr(birth_key, 1, 4)", "substr(birth_key, 6, 5)"
    odd_name = f"NOT {keys.simple_name_sql(_NAME)}"
    odd_reading = f"NOT {keys.simple_reading_sql(_READING)}"
    rows = con.sql(
        f"""SELECT row_id, birth_key,
                   CASE WHEN {odd_name} THEN "氏名" END AS name,
                   CASE WHEN {odd_reading} THEN "氏名フリガナ" END AS reading, "通称" AS alias
            FROM {register}
            WHERE birth_key IS NOT NULL AND (
              ("氏名" IS NOT NULL AND {odd_name}
               AND ({year} IN (SELECT birth_year FROM {probe})
                    OR {month_day} IN (SELECT birth_md FROM {probe})))
              OR ("通称" IS NOT NULL AND {year} IN (SELECT birth_year FROM {probe}))
              OR ("氏名フリガナ" IS NOT NULL AND {odd_reading}
                  AND birth_key IN (SELECT birth_full FROM {probe})))
            ORDER BY row_id"""
    ).to_arrow_table()
    found: list[int] = []
    if rows.num_rows:
        nothing = [None] * rows.num_rows
        key_table = keys.person_keys(
            _column(rows, "name"),
            _column(rows, "reading"),
            _column(rows, "birth_key"),
            nothing,
            nothing,
            alias=_column(rows, "alias"),
            gaiji_table=gaiji_table,
        )
        rules = [
            (
                set(zip(*(_column(probe_table, c) for c in mine), strict=True)),
                zip(*(_column(key_table, c) for c in theirs), strict=True),
            )
            for mine, theirs in NAME_RULES
        ]
        for row_id, *row_keys in zip(_column(rows, "row_id"), *(r[1] for r in rules), strict=True):
            if any(
                None not in key and key in wanted
                for (wanted, _), key in zip(rules, row_keys, strict=True)
            ):
                found.append(row_id)
    return scratch.register("keyed", pa.table({"row_id": pa.array(found, pa.int64())}))


# The model's blocking rules on names and readings: (searched columns, register columns);
# entry checks look them up in the register index too (prevention.register_index).
NAME_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("name_folded", "birth_year"), ("name_folded", "birth_year")),
    (("name_folded", "birth_md"), ("name_folded", "birth_md")),
    (("name_sorted", "birth_year"), ("name_sorted", "birth_year")),
    (("name_folded", "birth_year"), ("name_alias_folded", "birth_year")),
    (("reading_key", "birth_full"), ("reading_key", "birth_full")),
    (("given_key", "birth_full"), ("given_spaced", "birth_full")),
)


# ---------------------------------------------------------------- Splink


@contextmanager
def _quiet_splink() -> Iterator[None]:
    """Splink logs every step at INFO and warns about things this module decides on purpose."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def score_pairs(
    con: duckdb.DuckDBPyConnection,
    searched_table: pa.Table,
    register_table: pa.Table,
    model: Mapping[str, Any] | None = None,
    pairs: pa.Table | None = None,
) -> pa.Table:
    """Splink's predictions for the two inputs (SPLINK_COLUMNS each) under `model` (default:
    the fixed model): the blocking rules' pairs, or exactly `pairs` (columns ordinal, row_id)
    when given (the estimation script scores labelled and random pairs so).

    Columns: ordinal, row_id, linked (the searched record's linked number), number, removed,
    match_weight (rounded to 6 decimals) and one gamma_<comparison> per comparison.
    """
    from splink import DuckDBAPI, Linker

    settings = copy.deepcopy(dict(model) if model is not None else load_model())
    scratch = _Scratch(con)
    with _quiet_splink():
        db_api = DuckDBAPI(con)
        try:
            # Either side may be Splink's left; the query below reads them by source dataset.
            left = db_api.register(searched_table, table_name=f"{scratch.prefix}_a_searched")
            right = db_api.register(register_table, table_name=f"{scratch.prefix}_b_register")
            # The fixed model is checked by the tests: skip re-validating its SQL each call.
            linker = Linker([left, right], settings, log_level=None, validate_settings=False)
            if pairs is not None:
                blocked = pa.table(
                    {
                        "match_key": pa.array(["0"] * pairs.num_rows, pa.string()),
                        "join_key_l": pa.array(
                            [f"{left.templated_name}-__-{o}" for o in _column(pairs, "ordinal")]
                        ),
                        "join_key_r": pa.array(
                            [f"{right.templated_name}-__-{r}" for r in _column(pairs, "row_id")]
                        ),
                    }
                )
                linker.table_management.register_blocked_pairs_for_predict(
                    db_api.register(blocked, table_name=f"{scratch.prefix}_pairs")
                )
            predictions = linker.inference.predict(warning_mode="never")
            gammas = ", ".join(f"gamma_{c['output_column_name']}" for c in settings["comparisons"])
            left_is_searched = f"source_dataset_l = '{left.templated_name}'"
            return con.sql(
                f"""SELECT
                      CASE WHEN {left_is_searched} THEN unique_id_l ELSE unique_id_r END
                        AS ordinal,
                      CASE WHEN {left_is_searched} THEN unique_id_r ELSE unique_id_l END
                        AS row_id,
                      CASE WHEN {left_is_searched} THEN number_l ELSE number_r END AS linked,
                      CASE WHEN {left_is_searched} THEN number_r ELSE number_l END AS number,
                      coalesce(CASE WHEN {left_is_searched} THEN removed_r ELSE removed_l END,
                               false) AS removed,
                      round(match_weight, 6) AS match_weight, {gammas}
                    FROM {predictions.physical_name}"""
            ).to_arrow_table()
        finally:
            db_api.delete_tables_created_by_splink_from_db()
            for name in (
                f"{scratch.prefix}_a_searched",
                f"{scratch.prefix}_b_register",
                f"{scratch.prefix}_pairs",
            ):
                with suppress(duckdb.Error):
                    con.unregister(name)


# ---------------------------------------------------------------- the search


def search_owners(
    con: duckdb.DuckDBPyConnection,
    searched: str,
    register: str,
    *,
    gaiji_table: Mapping[str, str] | None = None,
) -> list[OwnerMatch]:
    """For each searched record that has any candidate: the best-fitting register entry other
    than its linked number, with the linked entry's weight by the same model.

    `searched` and `register` name DuckDB tables (columns: docs/owner-search.md). Ties break by
    match weight (descending), current residents before removed entries, then number; the
    result is in ordinal order, the same on every run.
    """
    searched_table = searched_inputs(con, searched, gaiji_table)
    if searched_table.num_rows == 0:
        return []
    scratch = _Scratch(con)
    try:
        reachable = _reachable_rows(con, scratch, searched_table, register, gaiji_table)
        register_table = register_inputs(con, register, reachable, gaiji_table)
    finally:
        scratch.close()
    return best_owners(con, searched_table, register_table)


def best_owners(
    con: duckdb.DuckDBPyConnection,
    searched_table: pa.Table,
    register_table: pa.Table,
    pairs: pa.Table | None = None,
) -> list[OwnerMatch]:
    """The best owner of each searched record among the register entries (SPLINK_COLUMNS each)
    under the fixed model: the blocking rules' pairs, or exactly `pairs` (ordinal, row_id) when
    an engine elsewhere found them (the Spark backend)."""
    if register_table.num_rows == 0 or (pairs is not None and pairs.num_rows == 0):
        return []
    model = load_model()
    scored = score_pairs(con, searched_table, register_table, model, pairs)
    return _best_per_record(con, scored, model)


def _best_per_record(
    con: duckdb.DuckDBPyConnection, scored: pa.Table, model: Mapping[str, Any]
) -> list[OwnerMatch]:
    comparisons = [c["output_column_name"] for c in model["comparisons"]]
    labels = level_labels(model)
    scratch = _Scratch(con)
    try:
        pairs = scratch.register("scored", scored)
        gammas = ", ".join(f"gamma_{c}" for c in comparisons)
        rows = con.execute(
            f"""WITH linked AS (
                  SELECT ordinal, max(match_weight) AS linked_weight FROM {pairs}
                  WHERE number = linked GROUP BY ordinal
                ), ranked AS (
                  SELECT ordinal, number, match_weight, {gammas},
                         row_number() OVER (PARTITION BY ordinal ORDER BY match_weight DESC,
                                            removed ASC, number ASC, row_id ASC) AS rank
                  FROM {pairs}
                  WHERE number IS NOT NULL AND (linked IS NULL OR number <> linked)
                )
                SELECT r.ordinal, r.number, r.match_weight, l.linked_weight, {gammas}
                FROM ranked r LEFT JOIN linked l USING (ordinal)
                WHERE r.rank = 1 ORDER BY r.ordinal"""
        ).fetchall()
    finally:
        scratch.close()
    matches = []
    for ordinal, number, weight, linked_weight, *gamma in rows:
        levels = {c: labels[c][g] for c, g in zip(comparisons, gamma, strict=True)}
        matches.append(
            OwnerMatch(int(ordinal), number, float(weight), linked_weight, levels, evidence(levels))
        )
    return matches


# ---------------------------------------------------------------- staging (tests, benchmarks)


def stage_register(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    """Read a spec §2 register file into `table` exactly as the engine stages it
    (stage.register_batches): tests, benchmarks and the estimation script see what
    search_owners sees in a run."""
    from himoken.collate.ingest import read_delimited
    from himoken.collate.stage import REGISTER_SCHEMA, register_batches

    batches = register_batches(read_delimited(path).batches())
    stream = pa.RecordBatchReader.from_batches(REGISTER_SCHEMA, batches)
    con.register(f"{table}__stream", stream)
    con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table}__stream")
    con.unregister(f"{table}__stream")


def stage_searched(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    register: str,
    table: str,
    ordinals: Sequence[int] | None = None,
    ordinal_offset: int = 0,
) -> None:
    """Read a spec §3 records file into the table search_owners expects: ordinal = data-row
    ordinal + `ordinal_offset`, the linked entry looked up in `register` by number. Only
    `ordinals` (data-row ordinals) when given."""
    from himoken.collate.ingest import read_delimited
    from himoken.collate.stage import birth_key
    from himoken.mynumber import parse

    wanted = set(ordinals) if ordinals is not None else None
    columns: dict[str, list[Any]] = {
        c: []
        for c in (
            "ordinal",
            "linked_number",
            "birth_key",
            "氏名",
            "氏名フリガナ",
            "生年月日",
            "性別",
            "住所",
        )
    }
    for row in read_delimited(path).rows:
        if wanted is not None and row.ordinal not in wanted:
            continue
        values = row.values
        columns["ordinal"].append(row.ordinal + ordinal_offset)
        columns["linked_number"].append(parse(values.get("個人番号")).number)
        columns["birth_key"].append(birth_key(values.get("生年月日")))
        for name in ("氏名", "氏名フリガナ", "生年月日", "性別", "住所"):
            columns[name].append(values.get(name) or None)
    staged = f"{table}__staged"
    _create_from_arrow(con, staged, pa.table(columns))
    con.execute(
        f"""CREATE OR REPLACE TABLE {table} AS
            SELECT s.ordinal, s.linked_number, e."世帯番号" AS linked_household,
                   e."住所" AS linked_address, s.birth_key, s."氏名", s."氏名フリガナ",
                   s."生年月日", s."性別", s."住所"
            FROM {staged} s LEFT JOIN (
              SELECT number, arg_min("世帯番号", row_id) AS "世帯番号",
                     arg_min("住所", row_id) AS "住所"
              FROM {register} WHERE number IS NOT NULL GROUP BY number
            ) e ON e.number = s.linked_number
            ORDER BY s.ordinal"""
    )
    con.execute(f"DROP TABLE {staged}")


def _create_from_arrow(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    view = f"__himoken_stage_{uuid.uuid4().hex[:8]}"
    con.register(view, data)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {view}")
    finally:
        con.unregister(view)
