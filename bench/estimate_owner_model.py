"""Estimate the true-owner model once and write src/himoken/collate/owner_model.json.

The owner search (`himoken.collate.owner`) never estimates anything: it runs the fixed model
this script writes. The model's structure — comparisons, levels, blocking rules — is defined
here, as Splink settings whose SQL runs on DuckDB and Spark alike (equality, IS NULL,
`levenshtein`). Its parameters are counted on a synthetic prefecture whose seed no test uses
(4242), where truth.csv says who every record really belongs to:

- m (level frequencies among true pairs): every readable record against the register entry
  of its 正しい個人番号 — notation, history (moves, marriages) and keying slips as the
  generator makes them;
- u (level frequencies among non-matches): every record against RANDOM_PAIRS register
  entries drawn with a seeded generator, its true entry excluded;
- both smoothed by one pseudo-count per level ((n + 1) / (N + levels)), so no level has a
  probability of 0 and so no infinite weight;
- probability_two_random_records_match: 1 / register rows (one true owner per register).

Counting is done in SQL on Splink's own comparison vectors (the labelled and the random pairs
are scored by `owner.score_pairs`), so the levels counted are exactly the levels predicted.
The output is deterministic: same world, same bytes.

    .venv/bin/python bench/estimate_owner_model.py [--world DIR] [--out PATH]
    .venv/bin/python bench/estimate_owner_model.py --measure WORLD [--searched N]

`--measure` times `search_owners` for N records (default 20,000) of WORLD against its whole
register and prints wall time, peak memory and top-1 accuracy on the injected errors.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from himoken.collate import owner

ROOT = Path(__file__).resolve().parent.parent
SEED = 4242
RESIDENTS = 100_000
ERROR_RATE = "ALL=0.002"
RANDOM_PAIRS = 25
SLUGS = ("shogaisha-techo", "seikatsu-hogo", "kokin-koza", "jido-teate")
ORDINAL_STRIDE = 10_000_000  # ordinals of extract i: i * stride + 行番号
SEARCHED_ERRORS = frozenset(
    {"FAMILY_MEMBER", "HOMONYM", "CARRY_OVER", "ROW_SHIFT", "DUPLICATE_NUMBER", "TYPO_VALID"}
)


def _level(sql: str, label: str, *, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def _lev(column: str, distance: int) -> str:
    return f"levenshtein({column}_l, {column}_r) <= {distance}"


COMPARISONS: list[dict[str, Any]] = [
    {
        "output_column_name": "name",
        "comparison_description": "氏名: canonical text, variant-folded, 通称, order, one edit",
        "comparison_levels": [
            _level("name_folded_l IS NULL OR name_folded_r IS NULL", "missing", null=True),
            _level("name_text_l = name_text_r", "exact"),
            _level("name_folded_l = name_folded_r", "variant"),
            _level(
                "name_folded_l = name_alias_folded_r OR name_alias_folded_l = name_folded_r",
                "alias",
            ),
            _level("name_sorted_l = name_sorted_r", "reordered"),
            _level(_lev("name_folded", 1), "near"),
            _level("given_folded_l = given_folded_r", "given_only"),
            _level("surname_folded_l = surname_folded_r", "surname_only"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "reading",
        "comparison_description": "氏名フリガナ: canonical, legacy spelling key, one edit",
        "comparison_levels": [
            _level("reading_key_l IS NULL OR reading_key_r IS NULL", "missing", null=True),
            _level("reading_canonical_l = reading_canonical_r", "exact"),
            _level("reading_key_l = reading_key_r", "legacy"),
            _level(_lev("reading_key", 1), "near"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "birth",
        "comparison_description": "生年月日: full date, known parts, one keying slip, year",
        "comparison_levels": [
            _level("birth_year_l IS NULL OR birth_year_r IS NULL", "missing", null=True),
            _level("birth_full_l = birth_full_r", "exact"),
            _level(
                "birth_year_l = birth_year_r AND (birth_full_l IS NULL OR birth_full_r IS NULL)"
                " AND (birth_ym_l IS NULL OR birth_ym_r IS NULL OR birth_ym_l = birth_ym_r)",
                "known_parts",
            ),
            _level(
                f"{_lev('birth_digits', 1)} OR "
                f"(birth_sorted_l = birth_sorted_r AND {_lev('birth_digits', 2)})",
                "near",
            ),
            _level("birth_year_l = birth_year_r", "same_year"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "sex",
        "comparison_description": "性別: 1 or 2 (0 and 9 count as missing)",
        "comparison_levels": [
            _level("sex_l IS NULL OR sex_r IS NULL", "missing", null=True),
            _level("sex_l = sex_r", "equal"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "address",
        "comparison_description": "住所: same place, same block, town, municipality",
        "comparison_levels": [
            _level(
                "address_municipality_l IS NULL OR address_municipality_r IS NULL",
                "missing",
                null=True,
            ),
            _level("address_full_l = address_full_r", "same"),
            _level("address_block_l = address_block_r", "same_block"),
            _level("address_town_l = address_town_r", "same_town"),
            _level("address_municipality_l = address_municipality_r", "same_municipality"),
            _level("ELSE", "different"),
        ],
    },
]

BLOCKING_RULES: list[dict[str, str]] = [
    {"blocking_rule": "l.number = r.number"},
    {"blocking_rule": "l.household = r.household"},
    {"blocking_rule": "l.block_address = r.block_address"},
    {"blocking_rule": "l.name_folded = r.name_folded AND l.birth_year = r.birth_year"},
    {"blocking_rule": "l.name_folded = r.name_folded AND l.birth_md = r.birth_md"},
    {"blocking_rule": "l.reading_key = r.reading_key AND l.birth_full = r.birth_full"},
    {"blocking_rule": "l.given_key = r.given_key AND l.birth_full = r.birth_full"},
    {"blocking_rule": "l.alias_key = r.alias_key AND l.birth_year = r.birth_year"},
    {"blocking_rule": "l.name_sorted = r.name_sorted AND l.birth_year = r.birth_year"},
]


def skeleton(prior: float = 1e-5) -> dict[str, Any]:
    """The model without parameters (Splink settings)."""
    return {
        "link_type": "link_only",
        "linker_uid": f"himoken_owner_v{owner.MODEL_VERSION}",
        "probability_two_random_records_match": prior,
        "unique_id_column_name": "unique_id",
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": ["number", "removed"],
        "blocking_rules_to_generate_predictions": BLOCKING_RULES,
        "comparisons": json.loads(json.dumps(COMPARISONS)),
    }


# ---------------------------------------------------------------- the world


def generate(world: Path, residents: int, seed: int, records: int | None = None) -> None:
    command = [
        str(ROOT / ".venv/bin/himoken"),
        "synth",
        "--residents",
        str(residents),
        "--out",
        str(world),
        "--seed",
        str(seed),
        "--error-rate",
        ERROR_RATE,
    ]
    if records is not None:
        command += ["--records", str(records)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def stage_world(
    con: duckdb.DuckDBPyConnection, world: Path, limit: int | None = None
) -> dict[int, dict[str, str]]:
    """Tables `register` and `searched` (every extract's records, or the first `limit`);
    returns truth rows by ordinal."""
    owner.stage_register(con, world / "register.csv", "register")
    truth: dict[int, dict[str, str]] = {}
    parts = []
    for i, slug in enumerate(SLUGS):
        with (world / slug / "truth.csv").open(encoding="utf-8", newline="") as f:
            rows = {int(row["行番号"]): row for row in csv.DictReader(f)}
        wanted = sorted(rows)
        if limit is not None:
            wanted = wanted[: max(0, limit - len(truth))]
        for row_number in wanted:
            truth[i * ORDINAL_STRIDE + row_number] = rows[row_number]
        owner.stage_searched(
            con,
            world / slug / "records.csv",
            "register",
            f"searched_{i}",
            ordinals=wanted,
            ordinal_offset=i * ORDINAL_STRIDE,
        )
        parts.append(f"SELECT * FROM searched_{i}")
    con.execute(f"CREATE OR REPLACE TABLE searched AS {' UNION ALL '.join(parts)}")
    return truth


# ---------------------------------------------------------------- estimation


def _frequencies(
    con: duckdb.DuckDBPyConnection, scored: pa.Table, model: dict[str, Any]
) -> dict[str, dict[int, float]]:
    """Smoothed share of pairs at each non-null level, per comparison."""
    con.register("scored_pairs", scored)
    try:
        result = {}
        for comparison in model["comparisons"]:
            name = comparison["output_column_name"]
            values = [v for v, _ in owner.level_labels(model)[name].items() if v >= 0]
            counts = dict(
                con.execute(
                    f"SELECT gamma_{name}, count(*) FROM scored_pairs "
                    f"WHERE gamma_{name} >= 0 GROUP BY ALL"
                ).fetchall()
            )
            total = sum(counts.values())
            result[name] = {
                v: float(f"{(counts.get(v, 0) + 1) / (total + len(values)):.6g}") for v in values
            }
        return result
    finally:
        con.unregister("scored_pairs")


def estimate(world: Path) -> dict[str, Any]:
    con = duckdb.connect()
    truth = stage_world(con, world)
    readable = {o for o, row in truth.items() if row["誤り種別"] != "MALFORMED_ROW"}
    searched_table = owner.searched_inputs(con, "searched")
    register_table = owner.register_inputs(con, "register")
    row_of = {}
    for row_id, number in con.execute(
        "SELECT row_id, number FROM register WHERE number IS NOT NULL ORDER BY row_id"
    ).fetchall():
        row_of.setdefault(number, row_id)
    all_rows = [
        row_id for (row_id,) in con.execute("SELECT row_id FROM register ORDER BY 1").fetchall()
    ]
    true_pairs, random_pairs = [], []
    rng = random.Random(SEED)
    for ordinal in sorted(readable):
        true_row = row_of.get(truth[ordinal]["正しい個人番号"])
        if true_row is None:
            continue
        true_pairs.append((ordinal, true_row))
        # k + 1 draws leave room for the true entry, which is dropped
        drawn = [r for r in rng.sample(all_rows, RANDOM_PAIRS + 1) if r != true_row]
        random_pairs.extend((ordinal, row_id) for row_id in drawn[:RANDOM_PAIRS])

    model = skeleton(prior=float(f"{1 / register_table.num_rows:.6g}"))
    m = _frequencies(
        con,
        owner.score_pairs(con, searched_table, register_table, model, _pairs(true_pairs)),
        model,
    )
    u = _frequencies(
        con,
        owner.score_pairs(con, searched_table, register_table, model, _pairs(random_pairs)),
        model,
    )
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        counter = sum(1 for lv in comparison["comparison_levels"] if not lv.get("is_null_level"))
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            counter -= 1
            level["m_probability"] = m[name][counter]
            level["u_probability"] = u[name][counter]
    print(f"true pairs {len(true_pairs):,}, random pairs {len(random_pairs):,}", file=sys.stderr)
    return model


def _pairs(pairs: list[tuple[int, int]]) -> pa.Table:
    return pa.table(
        {
            "ordinal": pa.array([o for o, _ in pairs], pa.int64()),
            "row_id": pa.array([r for _, r in pairs], pa.int64()),
        }
    )


def write_model(model: dict[str, Any], out: Path) -> None:
    out.write_text(json.dumps(model, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- measurement


def _stage_to_file(world: Path, searched: int, database: Path) -> dict[int, dict[str, str]]:
    """Stage in a child process, so that the staging's Python objects do not count in the
    search's memory."""
    con = duckdb.connect(str(database))
    truth = stage_world(con, world, limit=searched)
    con.close()
    return truth


def measure(world: Path, searched: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / "staged.duckdb"
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=1) as pool:
            truth = pool.submit(_stage_to_file, world, searched, database).result()
        staged = time.perf_counter() - started
        con = duckdb.connect()
        con.execute(f"ATTACH '{database}' AS staged (READ_ONLY)")
        for table in ("register", "searched"):
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM staged.{table}")
        con.execute("DETACH staged")
    rows = con.execute("SELECT count(*) FROM register").fetchall()[0][0]
    count = con.execute("SELECT count(*) FROM searched").fetchall()[0][0]
    print(f"staged {rows:,} register rows and {count:,} records in {staged:.1f} s")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    matches = owner.search_owners(con, "searched", "register")
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"search_owners: {elapsed:.1f} s for {count:,} records x {rows:,} register rows, "
        f"{len(matches):,} with a candidate; peak RSS {peak / 1024:.0f} MiB "
        f"(tables loaded, before the search: {before / 1024:.0f} MiB)"
    )
    found = {m.ordinal: m for m in matches}
    by_type: Counter[str] = Counter()
    right: Counter[str] = Counter()
    named: Counter[str] = Counter()
    for ordinal, row in truth.items():
        kind = row["誤り種別"]
        if kind not in SEARCHED_ERRORS:
            continue
        by_type[kind] += 1
        match = found.get(ordinal)
        if match is not None and match.number == row["正しい個人番号"]:
            right[kind] += 1
            named[kind] += owner.fits_better(match)
    for kind in sorted(by_type):
        print(f"  {kind:17} top-1 {right[kind]:4}/{by_type[kind]:4}, named {named[kind]:4}")
    total = sum(by_type.values())
    print(
        f"  top-1 accuracy {sum(right.values()) / max(total, 1):.3f} on {total} errors; "
        f"fits_better for {sum(named.values())}"
    )
    false_named = sum(
        1
        for ordinal, row in truth.items()
        if not row["誤り種別"] and ordinal in found and owner.fits_better(found[ordinal])
    )
    print(f"  correct records whose candidate fits_better: {false_named}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", type=Path, help="a world made with seed 4242 (else made)")
    parser.add_argument("--out", type=Path, default=owner.MODEL_PATH)
    parser.add_argument("--measure", type=Path, metavar="WORLD")
    parser.add_argument("--searched", type=int, default=20_000)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.searched)
        return
    with tempfile.TemporaryDirectory() as scratch:
        world = args.world or Path(scratch) / "world"
        if args.world is None:
            generate(world, RESIDENTS, SEED)
        started = time.perf_counter()
        model = estimate(world)
        write_model(model, args.out)
        print(f"wrote {args.out} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
