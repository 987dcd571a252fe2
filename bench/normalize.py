"""Normalization throughput on values drawn from a synthetic prefecture (issue 3).

For each kind (names, readings, dates, addresses) it takes N values (default 1M) from the
register and the extracts of a `himoken synth` world — record values with their notation
noise and register values, interleaved — and prints the number of distinct values, the rate
with an empty cache (first pass: every distinct value normalized once) and the cached rate
(second pass). Targets on a 2-core machine: >= 300k/s for names, readings and dates, >= 100k/s
for addresses. A fixed baseline workload is timed in the same run (machines are noisy).

    .venv/bin/python bench/normalize.py [--values N] [--world DIR]

Without --world it generates a 1M-resident world in a temporary folder first (~1 minute).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

# kind -> (column, module, batch function, the per-value cached function)
KINDS = {
    "names": ("氏名", "himoken.normalize.names", "normalize_many", "normalize"),
    "readings": ("氏名フリガナ", "himoken.normalize.kana", "normalize_many", "normalize"),
    "dates": ("生年月日", "himoken.normalize.dates", "parse_many", "parse_date"),
    "addresses": ("住所", "himoken.normalize.addresses", "parse_many", "parse"),
}
TARGETS = {"names": 300_000, "readings": 300_000, "dates": 300_000, "addresses": 100_000}


def baseline_seconds() -> float:
    """A fixed CPU-bound workload, to compare runs on a noisy machine."""
    started = time.perf_counter()
    total = 0
    for i in range(3_000_000):
        total += len(str(i))
    return time.perf_counter() - started


def column(path: Path, name: str, limit: int) -> list[str]:
    values: list[str] = []
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        index = header.index(name)
        for row in reader:
            if len(row) > index and row[index]:
                values.append(row[index])
                if len(values) >= limit:
                    break
    return values


def draw(world: Path, name: str, count: int) -> list[str]:
    """Half record values, half register values, interleaved."""
    records: list[str] = []
    for extract in sorted(world.glob("*/records.csv")):
        records += column(extract, name, count // 2 - len(records))
    register = column(world / "register.csv", name, count - len(records))
    values = [v for pair in zip(records, register, strict=False) for v in pair]
    values += records[len(register) :] + register[len(records) :]
    return (values * (count // max(len(values), 1) + 1))[:count]


def clear_value_cache(module: object, cached: str) -> None:
    """Empty the per-value cache only: reference tables (variant maps, Japan Post names) stay
    loaded, as they are after the first value in any real run."""
    clear = getattr(module, "clear_cache", None) or getattr(module, cached).cache_clear
    clear()


def measure(
    batch: Callable[[list[str]], list], module: object, cached: str, values: list[str]
) -> tuple[float, float]:
    batch(values[-1000:])  # load reference data
    clear_value_cache(module, cached)
    started = time.perf_counter()
    batch(values)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    batch(values)
    warm = time.perf_counter() - started
    return len(values) / cold, len(values) / warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--world", type=Path, help="an existing himoken synth output folder")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="himoken-bench-") as scratch:
        world = args.world
        if world is None:
            world = Path(scratch) / "world"
            himoken = Path(sys.executable).with_name("himoken")
            subprocess.run(
                [str(himoken), "synth", "--residents", "1000000", "--records", "1000000",
                 "--out", str(world)],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
        print(f"baseline workload: {baseline_seconds():.2f} s")
        print(f"{'kind':<10} {'values':>9} {'distinct':>9} {'empty cache/s':>14} "
              f"{'cached/s':>12}  target")  # fmt: skip
        for kind, (name, module_name, function, cached) in KINDS.items():
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError:
                print(f"{kind:<10} (not built yet: {module_name})")
                continue
            values = draw(world, name, args.values)
            cold, warm = measure(getattr(module, function), module, cached, values)
            verdict = "OK" if cold >= TARGETS[kind] else "UNDER"
            print(f"{kind:<10} {len(values):>9,} {len(set(values)):>9,} {cold:>14,.0f} "
                  f"{warm:>12,.0f}  >= {TARGETS[kind]:,}/s {verdict}")  # fmt: skip


if __name__ == "__main__":
    main()
