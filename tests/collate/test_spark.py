"""The Spark backend gives what the DuckDB backend gives (issue 8): the same results.csv byte
for byte, the same flagged records, register copy and counts, on a synthetic prefecture with
every kind of wrong linkage. Spark runs as `local[2]`, as on a two-core machine."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from himoken.cli import app
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


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6,000 residents, every wrong linkage and broken row at 1%, collated by both backends
    into world/duckdb and world/spark."""
    where = tmp_path_factory.mktemp("spark_world")
    rates = dict.fromkeys(ERROR_TYPES, 0.01)
    generate(SynthOptions(residents=6_000, seed=11, workers=1, error_rates=rates), where)
    records = _one_records_file(where)
    for backend in ("duckdb", "spark"):
        collate(
            where / "register.csv", records, where / backend, keep_register=True,
            backend=backend, master=MASTER if backend == "spark" else None,
        )  # fmt: skip
    return where


def test_results_csv_is_byte_identical(world: Path) -> None:
    duckdb_results = (world / "duckdb" / "results.csv").read_bytes()
    assert (world / "spark" / "results.csv").read_bytes() == duckdb_results
    # a world where every step had work: each verdict, the set-wise checks, broken rows
    text = duckdb_results.decode("utf-8-sig")
    for verdict in ("MATCH", "NOTATION", "EXPLAINED", "REVIEW", "SUSPECT", "INVALID"):
        assert f",{verdict}," in text
    for reason in ("FAMILY_MEMBER", "CARRY_OVER", "HOMONYM", "MALFORMED"):
        assert reason in text


@pytest.mark.parametrize("name", ["results.parquet", "flagged.parquet", "register.parquet"])
def test_parquet_outputs_hold_the_same_rows(world: Path, name: str) -> None:
    duckdb_table = pq.read_table(world / "duckdb" / name)
    spark_table = pq.read_table(world / "spark" / name)
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
    assert message in result.output
    assert not (tmp_path / "out" / "summary.json").exists()
