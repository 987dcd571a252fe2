"""`himoken risk` as a planner and an auditor type it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from himoken.cli import app
from tests.prevention.test_sampling import fill, write_results

runner = CliRunner()


def run_json(*args: str) -> dict:
    result = runner.invoke(app, ["risk", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_estimate_prints_the_bound_the_count_and_the_statement() -> None:
    data = run_json(
        "estimate", "--audited", "3000", "--errors", "0", "--population", "120000",
        "--open-flagged", "42",
    )  # fmt: skip
    assert data["at_most"] == 120
    assert data["upper_percent"] == "0.1%"
    assert data["confidence"] == 0.95
    assert data["open_flagged"] == 42
    assert "信頼度95%で多くとも120件(0.1%)" in data["statement_ja"]
    assert "確認が終わっていない記録が42件" in data["statement_ja"]


def test_estimate_with_nothing_audited_claims_nothing() -> None:
    data = run_json("estimate", "--audited", "0", "--errors", "0", "--confidence", "0.99")
    assert data["upper_rate"] == 1.0 and data["point_rate"] is None
    assert "まだ何も言えません" in data["statement_ja"]


def test_estimate_refuses_impossible_counts_with_one_clear_line() -> None:
    cases = {
        ("--audited", "3", "--errors", "5"): "errors (5) cannot exceed audited (3)",
        ("--audited", "3", "--errors", "1", "--confidence", "95"): "e.g. 0.95 for 95%",
        ("--errors", "1"): "give --audited and --errors",
        ("--audited", "3", "--errors", "0", "--population", "-1"): "population must be 0",
    }
    for extra, message in cases.items():
        result = runner.invoke(app, ["risk", "estimate", *extra])
        assert result.exit_code == 2, extra
        assert message in result.output, (extra, result.output)
        assert result.stdout == ""


def test_plan_answers_the_one_in_a_million_question() -> None:
    data = run_json("plan", "--rate", "1e-6")
    assert data["audits_needed"] == 2_995_731
    assert data["upper_rate_at_needed"] <= 1e-6
    assert "2,995,731件" in data["statement_ja"]
    stricter = run_json("plan", "--rate", "1e-6", "--confidence", "0.99", "--errors", "1")
    assert stricter["audits_needed"] > data["audits_needed"]
    result = runner.invoke(app, ["risk", "plan", "--rate", "2"])
    assert result.exit_code == 2 and "rate must be between 0 and 1" in result.output


def test_sample_then_estimate_from_the_clerks_results(tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    write_results(results)
    sample = tmp_path / "audit" / "sample.csv"
    manifest = run_json(
        "sample", "--results", str(results), "--size", "10", "--seed", "7", "--out", str(sample)
    )
    assert manifest["seed"] == 7 and manifest["size"] == 10 and manifest["population"] == 250
    assert Path(str(manifest["manifest"])).is_file()

    fill(sample, ["正"] * 7 + ["誤"])
    data = run_json("estimate", "--sample", str(sample))
    assert (data["audited"], data["errors"]) == (8, 1)
    assert data["population"] == 250  # the auto-cleared count the sample was drawn from
    assert data["sample"]["pending"] == 2 and data["sample"]["seed"] == 7
    assert "無作為に選んだ8件" in data["statement_ja"]

    again = runner.invoke(
        app,
        ["risk", "sample", "--results", str(results), "--size", "10", "--seed", "7",
         "--out", str(sample)],
    )  # fmt: skip
    assert again.exit_code == 2 and "already exists" in again.output


def test_sample_without_a_seed_logs_the_one_it_drew(tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    write_results(results)
    manifest = run_json(
        "sample", "--results", str(results), "--size", "3", "--out", str(tmp_path / "s.csv")
    )
    assert isinstance(manifest["seed"], int)
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as handle:
        drawn = [row["レコード番号"] for row in csv.DictReader(handle)]
    redrawn = run_json(
        "sample", "--results", str(results), "--size", "3", "--seed", str(manifest["seed"]),
        "--out", str(tmp_path / "t.csv"),
    )  # fmt: skip
    assert redrawn["seed"] == manifest["seed"]
    with (tmp_path / "t.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row["レコード番号"] for row in csv.DictReader(handle)] == drawn


def test_estimate_names_the_bad_cell_of_a_sample(tmp_path: Path) -> None:
    results = tmp_path / "results.csv"
    write_results(results)
    sample = tmp_path / "s.csv"
    run_json(
        "sample", "--results", str(results), "--size", "3", "--seed", "1", "--out", str(sample)
    )
    fill(sample, ["正", "OK"])
    result = runner.invoke(app, ["risk", "estimate", "--sample", str(sample)])
    assert result.exit_code == 2
    assert "確認結果: 'OK'" in result.output and "s.csv" in result.output
    both = runner.invoke(
        app, ["risk", "estimate", "--sample", str(sample), "--audited", "1", "--errors", "0"]
    )
    assert both.exit_code == 2 and "not both" in both.output
