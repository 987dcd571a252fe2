"""Time and peak memory of `himoken synth` for 1M residents with 1M records.

Targets (issue 2): under 60 s and under 2 GB on a 2-core machine. Machines here are noisy, so
the same run also times a fixed baseline workload (pure-Python CSV writing) and prints the
ratio; compare ratios between runs rather than raw seconds.

    .venv/bin/python bench/synth.py [--residents N] [--records N] [--workers N]

Peak memory: see bench/measure.py.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import tempfile
import time
from pathlib import Path

from measure import HIMOKEN, measured

TARGET_SECONDS = 60.0
TARGET_BYTES = 2 * 1024**3


def baseline_seconds() -> float:
    """A fixed CPU-bound workload: format 1M CSV rows of Japanese text."""
    row = ["123456789018", "山田\u3000太郎", "ヤマダ\u3000タロウ", "1985-03-01", "1", "大阪府"]
    started = time.perf_counter()
    for _ in range(10):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([row] * 100_000)
        buffer.getvalue().encode("utf-8")
    return time.perf_counter() - started


def run(residents: int, records: int, workers: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="himoken-bench-") as out:
        command = [
            HIMOKEN,
            "synth",
            "--residents",
            str(residents),
            "--records",
            str(records),
            "--out",
            out,
            "--workers",
            str(workers),
        ]
        seconds, peak = measured(command)
        size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    print(f"output size: {size / 1024**2:,.0f} MiB")
    return seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    args = parser.parse_args()

    base = baseline_seconds()
    seconds, peak = run(args.residents, args.records, args.workers)
    print(f"machine: {os.cpu_count()} cores; baseline workload {base:.2f} s")
    print(
        f"synth {args.residents:,} residents, {args.records:,} records: "
        f"{seconds:.1f} s wall, peak memory {peak / 1024**2:,.0f} MiB "
        f"(= {seconds / base:.1f} baselines)"
    )
    time_ok = "OK" if seconds < TARGET_SECONDS else "OVER"
    memory_ok = "OK" if peak < TARGET_BYTES else "OVER"
    print(f"targets: < {TARGET_SECONDS:.0f} s {time_ok}; < 2 GB {memory_ok}")


if __name__ == "__main__":
    main()
