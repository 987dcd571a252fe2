"""Wall time and peak memory of `himoken collate --backend spark` against DuckDB (issue 8).

    .venv/bin/python bench/spark.py [--residents N] [--records N] [--scales 1,2,4]
                                    [--master local[2]] [--keep DIR]
                                    [--register-format csv|parquet]

Makes synthetic worlds of scale x N residents and scale x N records (as bench/collate.py does,
all extracts in one RECORDS file) and runs `himoken collate` on them through the command line:
- at scale 1, with --backend duckdb and with --backend spark --master MASTER, and checks that
  the two results.csv are byte-identical (the issue requires the same results from both);
- at the other scales, with Spark only (DuckDB too with --duckdb-all), to see how Spark's wall
  time grows with the input on one machine.
Prints wall time, peak memory (the whole process tree: Spark's JVM and Python workers
included) and seconds per million records; then Spark / DuckDB at scale 1, and each scale's
wall time as a multiple of scale 1's. With --keep, a world already there with the same size
and seed is reused (worlds at larger scales take a while to synthesize).
With --register-format parquet both backends read the register as Parquet: Spark's executors
stage it themselves, DuckDB's run reads it through the engine's reader.
Machines here are noisy: compare the ratios, which the runs of one invocation share, rather
than seconds between invocations.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import tempfile
import time
from collections import Counter
from pathlib import Path

from collate import one_records_file
from measure import HIMOKEN, measured

GIB = 1024**3
SEED = 5
ERROR_RATE = 0.0005  # of every error type, as bench/collate.py


def progress(message: str) -> None:
    """A timestamped progress line, flushed (stdout may be a pipe)."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def scales_list(text: str) -> list[int]:
    """`1,2,4` as sorted distinct scales; scale 1 always included (the comparison)."""
    try:
        scales = {int(part) for part in text.split(",") if part.strip()}
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from error
    if any(scale < 1 for scale in scales):
        raise argparse.ArgumentTypeError("scales are integers >= 1")
    return sorted(scales | {1})


def reusable(world: Path, residents: int, records: int, seed: int) -> bool:
    """Whether `world` is a finished `himoken synth` world of this size, seed and error rate."""
    try:
        options = json.loads((world / "manifest.json").read_text(encoding="utf-8"))["options"]
        rates = set(options["error_rates"].values())
    except (OSError, ValueError, KeyError, AttributeError):
        return False
    wanted = {"residents": residents, "records": records, "seed": seed}
    return rates == {ERROR_RATE} and all(options.get(k) == v for k, v in wanted.items())


def make_world(work: Path, scale: int, residents: int, records: int, seed: int) -> tuple[Path, int]:
    """World of one scale and its one RECORDS file; (register path, record rows)."""
    world = work / f"world-x{scale}"
    if reusable(world, residents, records, seed):
        progress(f"scale {scale}: reusing {world}")
    else:
        progress(f"scale {scale}: synthesizing {residents:,} residents, {records:,} records ...")
        seconds, peak = measured(
            [HIMOKEN, "synth", "--residents", str(residents), "--records", str(records),
             "--seed", str(seed), "--error-rate", f"ALL={ERROR_RATE}", "--out", str(world)]
        )  # fmt: skip
        progress(f"scale {scale}: world made in {seconds:.1f} s ({peak / GIB:.2f} GiB peak)")
    started = time.perf_counter()
    rows = one_records_file(world, work / f"records-x{scale}.csv")
    seconds = time.perf_counter() - started
    progress(f"scale {scale}: {rows:,} records put in one file in {seconds:.1f} s")
    return world / "register.csv", rows


def as_parquet(register: Path, out: Path) -> Path:
    """The register as Parquet of text columns (an empty field as null), made once: Spark's
    executors read such a register themselves; DuckDB reads it through the engine's reader."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    if not out.exists():
        started = time.perf_counter()
        with register.open(encoding="utf-8") as handle:
            names = handle.readline().rstrip("\n").split(",")
        options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
        pq.write_table(pacsv.read_csv(register, convert_options=options), out)
        progress(f"{out.name} written in {time.perf_counter() - started:.1f} s")
    return out


def collate(work: Path, scale: int, register: Path, backend: str, master: str) -> tuple[float, int]:
    """`himoken collate` with one backend; (seconds, peak bytes). Output in out-BACKEND-xSCALE."""
    command = [HIMOKEN, "collate", "--register", str(register),
               "--records", str(work / f"records-x{scale}.csv"),
               "--out", str(work / f"out-{backend}-x{scale}"), "--backend", backend]  # fmt: skip
    if backend == "spark":
        command += ["--master", master]
    progress(f"scale {scale}: collating with {backend} ...")
    seconds, peak = measured(command)
    progress(f"scale {scale}: {backend} done in {seconds:.1f} s ({peak / GIB:.2f} GiB peak)")
    return seconds, peak


PHASES = ("読込", "照合", "追加確認", "出力")


def phases(out: Path) -> dict[str, float]:
    """Seconds of each phase of a run, from its run.log (`… 照合 12.6 秒`)."""
    found: dict[str, float] = {}
    for line in (out / "run.log").read_text(encoding="utf-8").splitlines():
        words = line.split()
        if len(words) == 4 and words[1] in PHASES and words[3] == "秒":
            found[words[1]] = float(words[2])
    return found


def differing_lines(left: Path, right: Path) -> tuple[int, int, int]:
    """(lines differing in place, lines of either file missing from the other, lines of left)."""
    in_place = total = 0
    unmatched: Counter[bytes] = Counter()
    with left.open("rb") as a, right.open("rb") as b:
        while True:
            line_a, line_b = a.readline(), b.readline()
            if not line_a and not line_b:
                break
            total += bool(line_a)
            if line_a != line_b:
                in_place += 1
                unmatched[line_a] += 1
                unmatched[line_b] -= 1
    missing = sum(abs(count) for line, count in unmatched.items() if line)
    return in_place, missing, total


def identity(work: Path) -> str:
    """Whether DuckDB's and Spark's results.csv at scale 1 are byte-identical, in words."""
    left, right = (work / f"out-{backend}-x1" / "results.csv" for backend in ("duckdb", "spark"))
    in_place, missing, lines = differing_lines(left, right)
    verdict = f"IDENTICAL ({lines:,} lines)"
    if in_place:
        where = f"{missing:,} lines in one file only" if missing else "same lines, another order"
        verdict = f"DIFFERENT: {in_place:,} of {lines:,} lines differ ({where})"
    return f"results.csv at scale 1, duckdb vs spark: {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000, help="at scale 1")
    parser.add_argument("--records", type=int, default=1_000_000, help="at scale 1")
    parser.add_argument("--scales", type=scales_list, default=[1, 2, 4], help="e.g. 1,2,4")
    parser.add_argument("--master", default="local[2]", help="Spark master for --backend spark")
    parser.add_argument("--duckdb-all", action="store_true", help="DuckDB at every scale too")
    parser.add_argument("--keep", type=Path, help="keep worlds and outputs here (else a temp dir)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--register-format", choices=("csv", "parquet"), default="csv",
        help="the register as synthesized (csv) or as Parquet of text columns",
    )  # fmt: skip
    args = parser.parse_args()

    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        place = contextlib.nullcontext(str(args.keep.resolve()))
    else:
        place = tempfile.TemporaryDirectory(prefix="himoken-bench-spark-")
    runs: dict[tuple[str, int], tuple[float, int]] = {}
    same = ""
    sizes: dict[int, tuple[int, int]] = {}
    timings: dict[tuple[str, int], dict[str, float]] = {}
    started = time.perf_counter()
    with place as tmp:
        work = Path(tmp)
        progress(f"work files in {work}; Spark master {args.master}")
        for scale in args.scales:
            residents, records = scale * args.residents, scale * args.records
            register, rows = make_world(work, scale, residents, records, args.seed)
            if args.register_format == "parquet":
                register = as_parquet(register, work / f"register-x{scale}.parquet")
            sizes[scale] = (residents, rows)
            backends = ["duckdb", "spark"] if scale == 1 or args.duckdb_all else ["spark"]
            for backend in backends:
                runs[backend, scale] = collate(work, scale, register, backend, args.master)
                timings[backend, scale] = phases(work / f"out-{backend}-x{scale}")
            if scale == 1:
                same = identity(work)
                progress(same)
        progress(f"all done in {time.perf_counter() - started:.1f} s")

    print()
    print(same)
    print()
    header = ("backend", "scale", "residents", "records", "wall s", "peak GiB", "s/M records")
    widths = (7, 5, 12, 12, 9, 9, 12)
    print("  ".join(f"{name:>{width}}" for name, width in zip(header, widths, strict=True)))
    for (backend, scale), (seconds, peak) in sorted(runs.items(), key=lambda item: item[0][::-1]):
        residents, rows = sizes[scale]
        cells = (backend, scale, f"{residents:,}", f"{rows:,}", f"{seconds:.1f}",
                 f"{peak / GIB:.2f}", f"{seconds / (rows / 1e6):.1f}")  # fmt: skip
        print("  ".join(f"{cell:>{width}}" for cell, width in zip(cells, widths, strict=True)))
    print()
    print("seconds by phase (run.log): 読込 read and stage, 照合 classify, 追加確認 set-wise"
          " checks and owner search, 出力 outputs")  # fmt: skip
    for backend, scale in sorted(runs, key=lambda key: key[::-1]):
        seconds = timings[backend, scale]
        cells = ", ".join(f"{name} {seconds.get(name, 0):.1f}" for name in PHASES)
        print(f"  {backend:>7} x{scale}: {cells}")
    print()
    (spark_s, spark_peak), (duckdb_s, duckdb_peak) = runs["spark", 1], runs["duckdb", 1]
    print(f"spark / duckdb at scale 1: {spark_s / duckdb_s:.1f}x wall time, "
          f"{spark_peak / duckdb_peak:.1f}x peak memory")  # fmt: skip
    for backend in ("spark", "duckdb"):
        grown = [scale for scale in args.scales if (backend, scale) in runs]
        if len(grown) > 1:
            base = runs[backend, 1][0]
            steps = ", ".join(f"x{scale}: {runs[backend, scale][0] / base:.2f}" for scale in grown)
            print(f"{backend} wall time by scale, as a multiple of scale 1 (linear = the scale): "
                  f"{steps}")  # fmt: skip


if __name__ == "__main__":
    main()
