"""The `himoken` command as a user types it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from himoken import __version__
from himoken.cli import app
from himoken.synth import DEFAULT_RATES

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"himoken {__version__}"


def test_synth_writes_the_world_and_says_what_it_made(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "synth",
            "--residents",
            "500",
            "--out",
            str(tmp_path),
            "--seed",
            "3",
            "--error-rate",
            "ALL=0.01",
            "--error-rate",
            "HOMONYM=0.02",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "register.csv" in result.output and "公金受取口座" in result.output
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["options"]["error_rates"]["HOMONYM"] == 0.02
    assert manifest["options"]["error_rates"]["ROW_SHIFT"] == 0.01
    for business in manifest["businesses"]:
        assert (tmp_path / business["files"]["records"]).stat().st_size > 0
        assert (tmp_path / business["files"]["truth"]).stat().st_size > 0


def test_synth_rejects_bad_options_with_a_clear_message(tmp_path: Path) -> None:
    cases = {
        ("--encoding", "latin-1"): "--encoding must be one of utf-8, cp932",
        ("--error-rate", "TYPO=0.1"): "unknown type TYPO",
        ("--error-rate", "HOMONYM=2"): "0 <= RATE <= 1",
        ("--prefecture", "大阪"): "is not a prefecture",
    }
    for extra, message in cases.items():
        result = runner.invoke(app, ["synth", "--residents", "10", "--out", str(tmp_path), *extra])
        assert result.exit_code == 2, extra
        assert message in result.output, (extra, result.output)
    assert not (tmp_path / "manifest.json").exists()


def test_synth_reports_an_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = runner.invoke(app, ["synth", "--residents", "10", "--out", str(blocker / "out")])
    assert result.exit_code == 2
    assert "cannot write to" in result.output


def test_demo_generates_a_prefecture_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = runner.invoke(app, ["demo", "--residents", "400", "--out", str(out), "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "himoken demo" in result.output and "障害者手帳" in result.output
    assert "http://127.0.0.1:8000/" in result.output and "supervisor / demo-only" in result.output
    assert (out / "web" / "review" / "review.sqlite3").is_file()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["register"]["rows"] == 400
    assert manifest["options"]["error_rates"] == DEFAULT_RATES  # the 2023 findings' rates
