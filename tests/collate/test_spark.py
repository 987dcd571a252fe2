"""The Spark backend gives what the DuckDB backend gives (issue 8): the same results.csv byte
for byte, the same flagged records, register copy and counts, on a synthetic prefecture with
every kind of wrong linkage. Spark runs as `local[2]`, as on a two-core machine."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from himoken.cli import app
from himoken.collate.backends import DuckDBBackend
from himoken.collate.backends.sql import SQLBackend
from himoken.collate.run import collate
from himoken.synth import ERROR_TYPES, SynthOptions, generate

pytest.importorskip("pyspark")
pytestmark = pytest.mark.spark

MASTER = "local[2]"


def _one_records_file(world: Path) -> Path:
    """Every extract of a world in one RECORDS file (same header), so that one run sees
    them all."""
    out = world / "all-records.csv"
    with out.open("wb") as target:
        for number, path in enumerate(sorted(world.glob("*/records.csv"))):
            lines = path.read_bytes().splitlines(keepends=True)
            target.writelines(lines if number == 0 else lines[1:])
    return out


def _as_parquet(register: Path) -> Path:
    """The register as Parquet of text columns, an empty field as null, in small row groups."""
    import pyarrow.csv as pacsv

    names = register.read_text("utf-8").splitlines()[0].split(",")
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()))
    out = register.with_suffix(".parquet")
    pq.write_table(pacsv.read_csv(register, convert_options=options), out, row_group_size=1_000)
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 residents, every wrong linkage and broken row at 1%, collated by both backends
    into world/duckdb and world/spark, and by Spark from the register as Parquet (which its
    executors read themselves) into world/spark-parquet."""
    where = tmp_path_factory.mktemp("spark_world")
    rates = dict.fromkeys(ERROR_TYPES, 0.01)
    generate(SynthOptions(residents=6_000, seed=11, workers=1, error_rates=rates), where)
    records = _one_records_file(where)
    register = where / "register.csv"
    runs = [("duckdb", register), ("spark", register), ("spark-parquet", _as_parquet(register))]
    for name, source in runs:
        backend = name.split("-")[0]
        collate(
            source, records, where / name, keep_register=True, backend=backend,
            master=MASTER if backend == "spark" else None,
        )  # fmt: skip
    return where


@pytest.mark.parametrize("run", ["spark", "spark-parquet"])
def test_results_csv_is_byte_identical(world: Path, run: str) -> None:
    duckdb_results = (world / "duckdb" / "results.csv").read_bytes()
    assert (world / run / "results.csv").read_bytes() == duckdb_results
    read_by_executors = "を executor が読んで取り込み" in (world / run / "run.log").read_text(
        "utf-8"
    )
    assert read_by_executors == (run == "spark-parquet")
    # a world where every step had work: each verdict, the set-wise checks, broken rows
    text = duckdb_results.decode("utf-8-sig")
    for verdict in ("MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT", "INVALID"):
        assert f",{verdict}," in text
    for reason in ("FAMILY_MEMBER", "CARRY_OVER", "HOMONYM", "MALFORMED"):
        assert reason in text


@pytest.mark.parametrize("run", ["spark", "spark-parquet"])
@pytest.mark.parametrize("name", ["results.parquet", "flagged.parquet", "register.parquet"])
def test_parquet_outputs_hold_the_same_rows(world: Path, name: str, run: str) -> None:
    duckdb_table = pq.read_table(world / "duckdb" / name)
    spark_table = pq.read_table(world / run / name)
    assert duckdb_table.num_rows > 0
    assert spark_table.column_names == duckdb_table.column_names
    assert spark_table.to_pylist() == duckdb_table.to_pylist()


def test_summary_counts_agree(world: Path) -> None:
    import json

    duckdb_summary = json.loads((world / "duckdb" / "summary.json").read_text("utf-8"))
    spark_summary = json.loads((world / "spark" / "summary.json").read_text("utf-8"))
    for key in ("verdicts", "reasons", "warnings"):
        assert spark_summary[key] == duckdb_summary[key]
    assert spark_summary["run"]["record_rows"] == duckdb_summary["run"]["record_rows"]


def test_spark_submit_runs_a_collation_as_docs_spark_md_says(world: Path) -> None:
    """The deployment note's command: spark-submit given himoken/__main__.py, its own master
    (no --master to himoken), executors told which Python to run."""
    import himoken.__main__ as entry

    out = world / "submitted"
    command = [
        str(Path(sys.executable).with_name("spark-submit")), "--master", MASTER,
        "--conf", f"spark.pyspark.python={sys.executable}", entry.__file__,
        "collate", "--backend", "spark", "--register", str(world / "register.csv"),
        "--records", str(world / "all-records.csv"), "--out", str(out),
    ]  # fmt: skip
    environment = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    finished = subprocess.run(command, env=environment, capture_output=True, timeout=600)
    assert finished.returncode == 0, finished.stderr.decode(errors="replace")[-2000:]
    assert (out / "results.csv").read_bytes() == (world / "duckdb" / "results.csv").read_bytes()


def test_header_only_records_give_a_header_only_results_csv(tmp_path: Path) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "個人番号,氏名,生年月日,性別,住所\n"
        "123456789018,山田　太郎,1980-01-01,1,大阪府大阪市北区梅田1-1\n",
        encoding="utf-8",
    )
    records = tmp_path / "records.csv"
    records.write_text("レコード番号,個人番号,氏名,生年月日\n", encoding="utf-8")
    result = collate(register, records, tmp_path / "out", backend="spark", master=MASTER)
    assert result.summary["run"]["record_rows"] == 0
    lines = (tmp_path / "out" / "results.csv").read_bytes().splitlines()
    assert len(lines) == 1 and lines[0].decode("utf-8-sig").startswith("レコード番号,判定")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--master", "local[2]"], "--backend spark"),
        (["--backend", "spark", "--threads", "2"], "--master local[N]"),
        (["--backend", "oracle"], "duckdb, spark"),
        (["--backend", "spark", "--master", "nonsense"], "Spark を起動できない"),
    ],
)
def test_backend_options_that_do_not_fit_are_refused(
    tmp_path: Path, options: list[str], message: str
) -> None:
    register = tmp_path / "register.csv"
    register.write_text("個人番号,氏名,生年月日,性別,住所\n", encoding="utf-8")
    records = tmp_path / "records.csv"
    records.write_text("レコード番号,個人番号,氏名,生年月日\n", encoding="utf-8")
    arguments = ["collate", "--register", str(register), "--records", str(records)]
    result = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path / "out"), *options])
    assert result.exit_code != 0
    said = [line for line in result.output.splitlines() if message in line]
    assert len(said) == 1, result.output  # one line, not a Java stack trace
    assert not (tmp_path / "out" / "summary.json").exists()


# --- the SQL both engines run means the same on each ------------------------------------------

AWKWARD = [
    "山田　太郎", "Nguyen Van　a", "straße", "ǆ", "ｆｕｌｌ", "İ", "i̇", "a\x0bb", "a\x85b",
    "a\xa0b", " x ", "\t x\t", "　x　", "", " ", None, "12", " 12 ", "１２", "+5", "-3", "1.0",
    "1.5", "1e3", "99999999999999999999", "0x10", "2026-01-01 10:00", "2026/1/1 9:00", "ｶ", "カ",
    "か", "A", "a",
]  # fmt: skip


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[SQLBackend]]:
    from himoken.collate.backends.spark import SparkBackend

    where = tmp_path_factory.mktemp("engines")
    both: list[SQLBackend] = [
        DuckDBBackend(where / "duckdb"),
        SparkBackend(where / "spark", MASTER),
    ]
    yield both
    for engine in both:
        engine.close()


@pytest.mark.parametrize("expression", ["name_key", "stripped", "blank_as_null", "integer"])
def test_shared_expressions_give_the_same_values_on_both_engines(
    engines: list[SQLBackend], expression: str
) -> None:
    """Each engine writes the expression in its own dialect (SQLBackend); the values must be
    the same whatever the engines' own upper(), trim() and casts would do."""
    values = pa.table({"i": pa.array(range(len(AWKWARD)), pa.int64()), "氏名": AWKWARD})
    argument = "v" if expression == "name_key" else 'v."氏名"'
    duckdb_rows, spark_rows = (
        engine.fetch(
            f"SELECT v.i, {getattr(engine, expression)(argument)} FROM v ORDER BY v.i",
            {"v": values},
        )
        for engine in engines
    )
    assert spark_rows == duckdb_rows
    # the values themselves, as the checks that read them expect
    found = dict(duckdb_rows)
    if expression == "name_key":
        assert found[AWKWARD.index("Nguyen Van　a")] == "NGUYENVANA"
        assert found[AWKWARD.index("\t x\t")] == "X"
    elif expression == "blank_as_null":
        assert found[AWKWARD.index("　x　")] == "x" and found[AWKWARD.index(" ")] is None
    elif expression == "integer":
        assert found[AWKWARD.index(" 12 ")] == 12 and found[AWKWARD.index("1.5")] is None


def test_text_sorts_the_same_on_both_engines(engines: list[SQLBackend]) -> None:
    values = pa.table({"i": pa.array(range(len(AWKWARD)), pa.int64()), "氏名": AWKWARD})
    query = 'SELECT i FROM v ORDER BY "氏名" ASC NULLS LAST, i'
    duckdb_rows, spark_rows = (engine.fetch(query, {"v": values}) for engine in engines)
    assert spark_rows == duckdb_rows


def test_a_failure_inside_spark_reads_as_one_line(engines: list[SQLBackend]) -> None:
    """A cluster's failure mid-run (here: a query Spark refuses) is told in one line, and an
    error that is not Spark's is left to propagate as it is."""
    duckdb_engine, spark_engine = engines
    with pytest.raises(Exception) as raised:
        spark_engine.fetch("SELECT no_such_column FROM range(1)")
    reason = spark_engine.failure(raised.value)
    assert reason is not None and reason.startswith("Spark の処理が失敗した: ")
    assert "\n" not in reason and "no_such_column" in reason
    assert spark_engine.failure(ValueError("a bug")) is None
    assert duckdb_engine.failure(raised.value) is None
