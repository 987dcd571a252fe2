"""Classification in worker processes gives the same rows, in the same order, as in-process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

from himoken.collate import linked, stage
from himoken.collate.backends import DuckDBBackend
from himoken.collate.classify import Options
from himoken.collate.ingest import read_delimited


@pytest.fixture(scope="module")
def small_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("world")
    himoken = Path(sys.executable).with_name("himoken")
    command = [str(himoken), "synth", "--residents", "3000", "--seed", "31", "--out", str(out),
               "--error-rate", "ALL=0.01"]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


def _batches(world: Path, work: Path) -> list[pa.RecordBatch]:
    backend = DuckDBBackend(work)
    register = read_delimited(world / "register.csv")
    backend.stage("register", stage.REGISTER_SCHEMA, stage.register_batches(register.batches()))
    records = read_delimited(world / "kokin-koza" / "records.csv")
    backend.stage("records", stage.RECORDS_SCHEMA, stage.record_batches(records.batches()))
    backend.prepare()
    batches = list(backend.linked(700))
    backend.close()
    return batches


def test_workers_give_the_same_rows_in_the_same_order(small_world: Path, tmp_path: Path) -> None:
    batches = _batches(small_world, tmp_path / "db")
    assert len(batches) > 2  # several batches in flight at once

    def run(workers: int) -> tuple[list[dict], list[int]]:
        rows: list[dict] = []
        pending: list[int] = []
        for results, open_records, _ in linked.classify_all(batches, Options(), workers):
            rows += pa.Table.from_batches([results]).to_pylist()
            pending += [p.ordinal for p in open_records]
        return rows, pending

    in_process, pooled = run(0), run(2)
    assert in_process == pooled
    ordinals = [row["ordinal"] for row in in_process[0]] + in_process[1]
    assert sorted(ordinals) == list(range(1, len(ordinals) + 1))  # every record exactly once
