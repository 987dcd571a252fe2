"""Wall time and peak memory of `himoken collate` against the machine's floor (issue 4).

    .venv/bin/python bench/collate.py [--residents N] [--records N] [--world DIR]
                                      [--memory-limit 4GB] [--keep DIR]

Makes a synthetic world (or uses --world), puts all its extracts in one RECORDS file, and
runs, on the same two CSV files:
- the floor: a bare DuckDB join on 個人番号 that writes one row per record (LEFT JOIN of the
  records with the register, to Parquet) — what any collation must at least do: read both
  files, match on the number, write the result. Also printed: the same join only counted.
- the engine: `himoken collate`, through the command line contract.
Targets: engine <= 20x the floor and <= 4 GB peak at 1M x 1M; 10M x 10M completes in <= 8 GB.
Machines here are noisy: compare the ratio, which both sides of one run share.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from measure import HIMOKEN, measured

JOIN = """
import duckdb, sys
con = duckdb.connect()
query = ("SELECT r.*, e.* FROM read_csv('{records}', all_varchar=true, ignore_errors=true) r "
         "LEFT JOIN read_csv('{register}', all_varchar=true) e ON r.個人番号 = e.個人番号")
if sys.argv[1] == "count":
    print(con.execute(f"SELECT count(*) FROM ({{query}})").fetchone())
else:
    con.execute(f"COPY ({{query}}) TO '{out}' (FORMAT parquet)")
"""


def one_records_file(world: Path, out: Path) -> int:
    """All extracts of a world in one RECORDS file (same header); returns data rows."""
    rows = 0
    with out.open("wb") as target:
        for number, path in enumerate(sorted(world.glob("*/records.csv"))):
            with path.open("rb") as source:
                header = source.readline()
                if number == 0:
                    target.write(header)
                for line in source:
                    target.write(line)
                    rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--world", type=Path, help="an existing `himoken synth` world")
    parser.add_argument("--memory-limit", help="passed to himoken collate")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="himoken-bench-collate-") as tmp:
        world = args.world
        if world is None:
            world = Path(tmp) / "world"
            seconds, _ = measured(
                [HIMOKEN, "synth", "--residents", str(args.residents), "--records",
                 str(args.records), "--seed", str(args.seed), "--error-rate", "ALL=0.0005",
                 "--out", str(world)]
            )  # fmt: skip
            print(f"world: {args.residents:,} residents generated in {seconds:.1f} s")
        records = Path(tmp) / "records.csv"
        rows = one_records_file(world, records)
        register = world / "register.csv"
        script = JOIN.format(records=records, register=register, out=Path(tmp) / "joined.parquet")
        count_seconds, _ = measured([sys.executable, "-c", script, "count"])
        floor_seconds, floor_peak = measured([sys.executable, "-c", script, "write"])
        command = [HIMOKEN, "collate", "--register", str(register), "--records", str(records),
                   "--out", str(Path(tmp) / "out")]  # fmt: skip
        if args.memory_limit:
            command += ["--memory-limit", args.memory_limit]
        seconds, peak = measured(command)
        size = register.stat().st_size

    gib = 1024**3
    print(f"records {rows:,} against register {register} ({size / gib:.2f} GiB)")
    print(f"floor: DuckDB join to Parquet {floor_seconds:.1f} s, {floor_peak / gib:.2f} GiB peak"
          f" (join counted only: {count_seconds:.1f} s)")  # fmt: skip
    print(f"himoken collate: {seconds:.1f} s wall, {peak / gib:.2f} GiB peak")
    ratio = seconds / floor_seconds
    print(
        f"ratio {ratio:.1f}x the floor ({seconds / count_seconds:.1f}x the counted join); "
        f"targets <= 20x {'OK' if ratio <= 20 else 'OVER'}, "
        f"<= 4 GiB {'OK' if peak <= 4 * gib else 'OVER'}"
    )


if __name__ == "__main__":
    main()
