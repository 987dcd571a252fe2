"""The audit sample: reproducible from results.csv and the seed, logged, and tallied strictly."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from pathlib import Path

import pytest

from himoken.prevention.sampling import (
    SampleError,
    draw_sample,
    manifest_path,
    tally,
)

HEADER = ["レコード番号", "判定", "要確認", "理由", "リスク", "候補個人番号", "説明"]
VERDICTS = ["MATCH", "NOTATION", "REVIEW", "MATCH", "EXPLAINED", "SUSPECT", "MATCH", "INVALID"]
FLAGGED = {"REVIEW", "SUSPECT", "INVALID"}


def write_results(path: Path, rows: int = 400) -> dict[str, str]:
    """A results.csv as the engine writes it (BOM, CRLF, a 説明 spanning lines); returns the
    auto-cleared rows' verdicts by record number."""
    cleared = {}
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        for i in range(rows):
            verdict = VERDICTS[i % len(VERDICTS)]
            record = f"R{i:05d}"
            note = "氏名の字形差異(髙→高)のみ。\r\n住所は表記差異。" if i % 3 == 0 else "一致。"
            writer.writerow([record, verdict, int(verdict in FLAGGED), "", "0", "", note])
            if verdict not in FLAGGED:
                cleared[record] = verdict
    return cleared


def read_sample(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def fill(path: Path, results: list[str], encoding: str = "utf-8-sig") -> None:
    """What a clerk does: write 確認結果 (and 確認者) into the sample."""
    rows = read_sample(path)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        for i, row in enumerate(rows):
            result = results[i] if i < len(results) else ""  # the rest not yet checked
            row["確認結果"] = result
            row["確認者"] = "山田" if result else ""
            writer.writerow(row)


@pytest.fixture
def results(tmp_path: Path) -> Path:
    path = tmp_path / "out" / "results.csv"
    path.parent.mkdir()
    write_results(path)
    return path


def test_same_seed_same_sample_other_seed_other_sample(results: Path, tmp_path: Path) -> None:
    draw_sample(results, 20, 42, tmp_path / "a.csv")
    draw_sample(results, 20, 42, tmp_path / "b.csv")
    draw_sample(results, 20, 43, tmp_path / "c.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    drawn = [r["レコード番号"] for r in read_sample(tmp_path / "a.csv")]
    other = [r["レコード番号"] for r in read_sample(tmp_path / "c.csv")]
    assert len(set(drawn)) == 20 and drawn != other


def test_anyone_can_redraw_the_sample_from_the_logged_method(results: Path, tmp_path: Path) -> None:
    """The manifest's method, done by hand with the standard library, gives the same rows."""
    cleared = list(write_results(tmp_path / "again.csv"))  # auto-cleared, in file order
    manifest = draw_sample(results, 15, 2024, tmp_path / "s.csv")
    expected = [cleared[i] for i in random.Random(2024).sample(range(len(cleared)), 15)]
    assert [r["レコード番号"] for r in read_sample(tmp_path / "s.csv")] == expected
    assert "random.Random(seed).sample" in str(manifest["method"])


def test_only_auto_cleared_rows_are_drawn(results: Path, tmp_path: Path) -> None:
    cleared = write_results(tmp_path / "again.csv")
    draw_sample(results, 60, 1, tmp_path / "s.csv")
    rows = read_sample(tmp_path / "s.csv")
    assert len(rows) == 60
    for row in rows:
        assert row["判定"] in {"MATCH", "NOTATION", "EXPLAINED"}
        assert cleared[row["レコード番号"]] == row["判定"]
    assert [row["抽出順"] for row in rows] == [str(i) for i in range(1, 61)]
    assert {row["確認結果"] for row in rows} == {""}
    multiline = [row for row in rows if "\n" in row["説明"]]
    assert multiline and all(r["説明"].startswith("氏名の字形差異") for r in multiline)


def test_sample_file_is_written_like_the_engine_writes(results: Path, tmp_path: Path) -> None:
    draw_sample(results, 5, 1, tmp_path / "s.csv")
    data = (tmp_path / "s.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    first = data[3:].split(b"\r\n")[0].decode()
    assert first == "抽出順,レコード番号,判定,説明,確認結果,確認者,備考"
    assert data.endswith(b"\r\n")


def test_manifest_logs_seed_hash_and_counts(results: Path, tmp_path: Path) -> None:
    manifest = draw_sample(results, 10, 99, tmp_path / "s.csv")
    on_disk = json.loads(manifest_path(tmp_path / "s.csv").read_text(encoding="utf-8"))
    assert on_disk == manifest
    assert manifest_path(tmp_path / "s.csv").name == "s.manifest.json"
    assert manifest["seed"] == 99
    assert manifest["results_sha256"] == hashlib.sha256(results.read_bytes()).hexdigest()
    assert manifest["population"] == 250  # 5 of every 8 rows are auto-cleared
    assert manifest["population_by_verdict"] == {"MATCH": 150, "NOTATION": 50, "EXPLAINED": 50}
    assert manifest["size"] == 10 and manifest["all_taken"] is False
    assert manifest["himoken_version"] and manifest["created"]


def test_a_size_beyond_the_population_takes_everything(results: Path, tmp_path: Path) -> None:
    cleared = write_results(tmp_path / "again.csv")
    manifest = draw_sample(results, 1000, 5, tmp_path / "s.csv")
    rows = read_sample(tmp_path / "s.csv")
    assert sorted(r["レコード番号"] for r in rows) == sorted(cleared)
    assert manifest["size_requested"] == 1000 and manifest["size"] == 250
    assert manifest["all_taken"] is True and "all were taken" in str(manifest["note"])


def test_a_sample_holding_clerks_work_is_never_overwritten(results: Path, tmp_path: Path) -> None:
    draw_sample(results, 5, 1, tmp_path / "s.csv")
    fill(tmp_path / "s.csv", ["正"] * 5)
    with pytest.raises(SampleError, match="already exists"):
        draw_sample(results, 5, 2, tmp_path / "s.csv")
    assert tally(tmp_path / "s.csv").audited == 5


def test_a_results_csv_with_an_unknown_verdict_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "レコード番号,判定,要確認,理由,リスク,候補個人番号,説明\r\n"
        'R1,MATCH,0,,0,,"一行目\r\n二行目"\r\n'
        "R2,OK,0,,0,,\r\n",
        encoding="utf-8-sig",
        newline="",
    )
    with pytest.raises(SampleError, match=r"results\.csv: line 4, 判定: 'OK'"):
        draw_sample(path, 1, 1, tmp_path / "s.csv")
    assert not (tmp_path / "s.csv").exists()


def test_a_file_that_is_not_results_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("id,verdict\r\n1,MATCH\r\n", encoding="utf-8")
    with pytest.raises(SampleError, match=r"not a results\.csv"):
        draw_sample(path, 1, 1, tmp_path / "s.csv")
    with pytest.raises(SampleError, match="no such file"):
        draw_sample(tmp_path / "missing.csv", 1, 1, tmp_path / "s.csv")
    with pytest.raises(SampleError, match="size must be"):
        draw_sample(path, 0, 1, tmp_path / "s.csv")


def test_tally_counts_checked_rows_and_pending_ones(results: Path, tmp_path: Path) -> None:
    sample = tmp_path / "s.csv"
    draw_sample(results, 8, 3, sample)
    fill(sample, ["正", "誤", "正", " 正 ", "", "誤", "", ""])
    counted = tally(sample)
    assert (counted.audited, counted.errors, counted.pending) == (5, 2, 3)


def test_tally_reads_a_sample_excel_saved_as_shift_jis(results: Path, tmp_path: Path) -> None:
    sample = tmp_path / "s.csv"
    draw_sample(results, 3, 3, sample)
    fill(sample, ["正", "誤", "正"], encoding="cp932")
    assert tally(sample).errors == 1


def test_tally_refuses_anything_but_correct_or_wrong(results: Path, tmp_path: Path) -> None:
    sample = tmp_path / "s.csv"
    draw_sample(results, 6, 3, sample)
    rows = read_sample(sample)
    # The physical line where the third data row ends (a 説明 may span lines).
    line = 1 + sum(1 + r["説明"].count("\n") for r in rows[:3])
    fill(sample, ["正", "誤", "〇", "正"])
    with pytest.raises(SampleError) as caught:
        tally(sample)
    message = str(caught.value)
    assert str(sample) in message
    assert f"line {line}, 確認結果: '〇'" in message
    assert "正 or 誤" in message


def test_tally_refuses_a_file_without_the_result_column(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("抽出順,レコード番号\r\n1,R1\r\n", encoding="utf-8-sig")
    with pytest.raises(SampleError, match="no column 確認結果"):
        tally(path)
