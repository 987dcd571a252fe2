"""Scheduled re-collation (issue 7): runs compared by レコード番号, a history of runs.

The acceptance test plays a month of a municipality's work on a synthetic world: collate, let
clerks correct the flagged wrong linkages (the true owner's number, as the review app's
correction does), let new wrong linkages creep into records that were clean, re-collate — the
corrections must show as RESOLVED, the new errors as NEW, everything untouched as before.
"""

from __future__ import annotations

import collections
import csv
import datetime
import io
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from himoken.cli import app
from himoken.collate.run import CollateError
from himoken.prevention.recollation import (
    CHANGE_COLUMNS,
    HISTORY_FILE,
    RecollationError,
    RunRecord,
    compare_runs,
    read_history,
    recollate,
)
from himoken.synth import ERROR_TYPES, SynthOptions, generate
from himoken.synth.numbers import typo_passing_check
from tests.collate.conftest import (
    FLAGGED,
    RESULT_HEADER,
    number,
    read_results,
    write_records,
    write_register,
)

runner = CliRunner()
MONTH_ONE = datetime.datetime(
    2026, 1, 5, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
)
MONTH_TWO = MONTH_ONE + datetime.timedelta(days=30)


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def changes_by_id(run_dir: Path) -> dict[str, dict[str, str]]:
    return {row["レコード番号"]: row for row in read_csv(run_dir / "changes.csv")}


# ---------------------------------------------------------------------------- acceptance


@dataclass
class Month:
    """Two runs a month apart with corrections and new errors in between."""

    first: RunRecord
    second: RunRecord
    history: Path
    corrected: set[str]  # every flagged wrong linkage, given its true owner's number
    clean_after_correction: set[str]  # of those, the ones nothing else keeps flagged
    injected: dict[str, str]  # record id -> how a new error was made
    first_rows: list[dict[str, str]]
    second_rows: list[dict[str, str]]


def _correct_and_inject(
    world: Path, results: list[dict[str, str]], out: Path
) -> tuple[set[str], set[str], dict[str, str]]:
    """Next month's extract: flagged wrong linkages corrected to the true owner's number and
    new wrong linkages in a dozen clean records — another household member's number, a
    random other resident's, or a mistyped own number that still passes the check digit."""
    records = read_csv(world / "kokin-koza" / "records.csv", encoding="utf-8")
    truth = read_csv(world / "kokin-koza" / "truth.csv")
    register = read_csv(world / "register.csv", encoding="utf-8")
    by_number = {entry["個人番号"]: entry for entry in register}
    households: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for entry in register:
        households[entry["世帯番号"]].append(entry)
    linked = {record["個人番号"] for record in records}

    def free(entry: dict[str, str]) -> bool:  # another number no record of the extract holds
        return entry["個人番号"] not in linked and not entry["消除事由"]

    namesakes = collections.Counter((e["氏名"], e["生年月日"]) for e in register)
    corrected: set[str] = set()
    clean_after: set[str] = set()
    for record, fact, result in zip(records, truth, results, strict=True):
        if result["要確認"] == "1" and fact["誤り種別"]:
            record["個人番号"] = fact["正しい個人番号"]
            corrected.add(record["レコード番号"])
            owner = by_number[fact["正しい個人番号"]]
            # still a case for a clerk after correction: a removed owner, 外字, or no address
            # while another resident shares the name and birth date (spec §6)
            shared = namesakes[owner["氏名"], owner["生年月日"]] > 1 and not record["住所"]
            if not owner["消除事由"] and "GAIJI" not in fact["表記差異"] and not shared:
                clean_after.add(record["レコード番号"])
    rng = random.Random(2026)
    clean = [
        index
        for index, (fact, result) in enumerate(zip(truth, results, strict=True))
        if result["要確認"] == "0" and not fact["誤り種別"]
    ]
    injected: dict[str, str] = {}
    kinds = ("FAMILY_MEMBER", "OTHER_RESIDENT", "TYPO_VALID")
    for index in rng.sample(clean, 12):
        record, own = records[index], by_number[truth[index]["正しい個人番号"]]
        kind = kinds[len(injected) % len(kinds)]
        mates = [
            e for e in households[own["世帯番号"]] if e["個人番号"] != own["個人番号"] and free(e)
        ]
        if kind == "FAMILY_MEMBER" and not mates:
            kind = "OTHER_RESIDENT"
        if kind == "FAMILY_MEMBER":
            wrong = mates[0]["個人番号"]
        elif kind == "OTHER_RESIDENT":
            others = [e for e in register if e["世帯番号"] != own["世帯番号"] and free(e)]
            wrong = rng.choice(others)["個人番号"]
        else:
            wrong = typo_passing_check(own["個人番号"], rng)
        record["個人番号"] = wrong
        linked.add(wrong)
        injected[record["レコード番号"]] = kind
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, list(records[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(records)
    out.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return corrected, clean_after, injected


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> Month:
    where = tmp_path_factory.mktemp("recollation_world")
    rates = {**dict.fromkeys(ERROR_TYPES, 0.02), "MALFORMED_ROW": 0.0}
    generate(SynthOptions(residents=400, seed=11, workers=1, error_rates=rates), where)
    history = where / "history" / "kokin-koza"
    register = where / "register.csv"
    first = recollate(register, where / "kokin-koza" / "records.csv", history, now=MONTH_ONE)
    first_rows = read_results(first.run_dir)
    next_month = where / "records-next-month.csv"
    corrected, clean_after, injected = _correct_and_inject(where, first_rows, next_month)
    second = recollate(register, next_month, history, now=MONTH_TWO)
    return Month(
        first, second, history, corrected, clean_after, injected, first_rows,
        read_results(second.run_dir),
    )  # fmt: skip


def test_first_run_has_no_previous_and_everything_flagged_is_new(month: Month) -> None:
    first = month.first
    flagged = {row["レコード番号"] for row in month.first_rows if row["要確認"] == "1"}
    assert first.run_dir == month.history / "20260105-090000"
    assert first.previous_dir is None and first.comparison.previous is None
    assert len(flagged) > 30
    assert first.comparison.counts == {
        "NEW": len(flagged), "RESOLVED": 0, "STILL_FLAGGED": 0,
        "CLEAR": len(month.first_rows) - len(flagged), "ADDED": 0, "GONE": 0,
    }  # fmt: skip
    changes = read_csv(first.run_dir / "changes.csv")
    assert {row["区分"] for row in changes} == {"NEW"}
    assert [row["レコード番号"] for row in changes] == [
        row["レコード番号"] for row in month.first_rows if row["要確認"] == "1"
    ]


def test_corrections_are_resolved_and_new_errors_are_new(month: Month) -> None:
    """The acceptance criterion of issue 7."""
    second = month.second
    assert second.previous_dir == month.first.run_dir
    changes = changes_by_id(second.run_dir)
    category = {record_id: row["区分"] for record_id, row in changes.items()}
    assert len(month.corrected) > 30 and len(month.clean_after_correction) > 30
    for record_id in month.clean_after_correction:
        assert category.get(record_id) == "RESOLVED", changes.get(record_id)
    # corrected records still flagged are cases on their own (removed owner, namesakes)
    for record_id in month.corrected - month.clean_after_correction:
        assert category.get(record_id) in ("RESOLVED", "STILL_FLAGGED"), changes.get(record_id)
    resolved = {i for i, c in category.items() if c == "RESOLVED"}
    assert resolved <= month.corrected
    now = {row["レコード番号"]: row for row in month.second_rows}
    assert set(month.injected.values()) == {"FAMILY_MEMBER", "OTHER_RESIDENT", "TYPO_VALID"}
    assert {i for i, c in category.items() if c == "NEW"} == set(month.injected)
    for record_id in month.injected:
        assert now[record_id]["要確認"] == "1"
        assert changes[record_id]["前回判定"] in ("MATCH", "NOTATION", "EXPLAINED")
        assert changes[record_id]["備考"] == "前回は要確認でなかった"
    before = {row["レコード番号"]: row for row in month.first_rows}
    touched = month.corrected | set(month.injected)
    for record_id, row in before.items():
        if record_id in touched:
            continue
        if row["要確認"] == "0":  # untouched clean records stay clean: CLEAR, not listed
            assert record_id not in changes and now[record_id]["要確認"] == "0"
        else:  # untouched flagged records (no error, but a case for a clerk) stay flagged
            assert category[record_id] == "STILL_FLAGGED"
    assert second.comparison.counts == {
        "NEW": len(month.injected),
        "RESOLVED": len(resolved),
        "STILL_FLAGGED": sum(1 for c in category.values() if c == "STILL_FLAGGED"),
        "CLEAR": len(before) - len(category),
        "ADDED": 0,
        "GONE": 0,
    }


def test_changes_csv_lists_new_first_in_input_order(month: Month) -> None:
    run_dir = month.second.run_dir
    data = (run_dir / "changes.csv").read_bytes()
    assert (
        data.startswith(b"\xef\xbb\xbf")
        and b"\r\n" in data
        and b"\n" not in data.replace(b"\r\n", b"")
    )
    rows = read_csv(run_dir / "changes.csv")
    assert list(rows[0]) == list(CHANGE_COLUMNS)
    order = {row["レコード番号"]: index for index, row in enumerate(month.second_rows)}
    ranks = {"NEW": 0, "RESOLVED": 1, "STILL_FLAGGED": 2, "ADDED": 3, "GONE": 4}
    keys = [(ranks[row["区分"]], order[row["レコード番号"]]) for row in rows]
    assert keys == sorted(keys)
    now = {row["レコード番号"]: row for row in month.second_rows}
    for row in rows:
        current = now[row["レコード番号"]]
        assert row["今回判定"] == current["判定"] and row["今回理由"] == current["理由"]
        assert row["今回説明"] == current["説明"]
        assert row["候補個人番号"] == current["候補個人番号"]
    document = json.loads((run_dir / "changes.json").read_text(encoding="utf-8"))
    assert document["counts"] == month.second.comparison.counts
    assert document["previous"]["run_id"] == month.first.summary["run"]["id"]
    assert document["current"]["run_id"] == month.second.summary["run"]["id"]
    assert document["current"]["dir"] == str(run_dir)
    assert document["previous"]["dir"] == str(month.first.run_dir)
    assert document["changes_csv"] == str(run_dir / "changes.csv")
    assert document == month.second.comparison.as_dict()


def test_history_has_one_line_per_run_with_its_counts(month: Month) -> None:
    history = read_history(month.history)
    assert len(history) == 2
    first, second = history
    assert (first["run"], second["run"]) == ("20260105-090000", "20260204-090000")
    assert first["time"] == "2026-01-05T09:00:00+09:00"
    assert (first["previous"], second["previous"]) == (None, first["run"])
    for line, run in zip(history, (month.first, month.second), strict=True):
        flagged = sum(run.summary["verdicts"][v] for v in FLAGGED)
        assert line["verdicts"] == run.summary["verdicts"] and line["flagged"] == flagged
        assert line["run_id"] == run.summary["run"]["id"]
        assert line["records"] == run.summary["run"]["record_rows"]
        counts = run.comparison.counts
        assert (line["new"], line["resolved"], line["still_flagged"]) == (
            counts["NEW"], counts["RESOLVED"], counts["STILL_FLAGGED"],
        )  # fmt: skip
        assert line["flagged"] == counts["NEW"] + counts["STILL_FLAGGED"]
    assert first["new"] == first["flagged"] and first["resolved"] == 0
    assert second["new"] == len(month.injected)
    assert second["resolved"] >= len(month.clean_after_correction)
    assert sorted(p.name for p in month.history.iterdir()) == [
        "20260105-090000", "20260204-090000", HISTORY_FILE,
    ]  # fmt: skip


# ---------------------------------------------------------------------------- compare_runs

Row = tuple[str, str, str]  # レコード番号, 判定, 理由


def write_out(where: Path, rows: Sequence[Row], run_id: str = "run", summary: bool = True) -> Path:
    """An OUT_DIR with a results.csv written the engine's way and a summary.json's run."""
    where.mkdir(parents=True)
    with (where / "results.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(RESULT_HEADER)
        for record_id, verdict, reasons in rows:
            flag = "1" if verdict in FLAGGED else "0"
            candidate = number(9) if verdict == "SUSPECT" else ""
            writer.writerow([record_id, verdict, flag, reasons, "50", candidate, f"{verdict}説明"])
    if summary:
        document = {"run": {"id": run_id, "finished": "2026-01-05T09:00:00+09:00"}}
        (where / "summary.json").write_text(json.dumps(document), encoding="utf-8")
    return where


def test_every_category_on_hand_written_runs(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [
        ("R1", "SUSPECT", "FAMILY_MEMBER"),    # still flagged, reasons change
        ("R2", "MATCH", ""),                   # new
        ("R3", "REVIEW", "NAME_DIFF"),         # resolved
        ("R4", "MATCH", ""),                   # gone
        ("R5", "INVALID", "CHECK_DIGIT"),      # gone, flagged before
        ("#ROW:6", "INVALID", "MALFORMED"),    # not matched
        ("R7", "NOTATION", "KANJI_VARIANT"),   # clear
        ("R8", "REVIEW", "REMOVED"),           # still flagged, unchanged
    ], run_id="before")  # fmt: skip
    current = write_out(tmp_path / "b", [
        ("R9", "MATCH", ""),                   # added
        ("R8", "REVIEW", "REMOVED"),
        ("R3", "MATCH", ""),
        ("R10", "SUSPECT", "HOMONYM"),         # new, absent before
        ("#ROW:5", "INVALID", "MALFORMED"),    # not matched
        ("R2", "SUSPECT", "ROW_SHIFT"),
        ("R1", "SUSPECT", "CARRY_OVER;FAMILY_MEMBER"),
        ("R7", "MATCH", ""),
    ], run_id="after")  # fmt: skip
    comparison = compare_runs(previous, current, tmp_path / "changes")
    assert comparison.counts == {
        "NEW": 2, "RESOLVED": 1, "STILL_FLAGGED": 2, "CLEAR": 1, "ADDED": 1, "GONE": 2,
    }  # fmt: skip
    assert (comparison.still_flagged_changed, comparison.gone_flagged) == (1, 1)
    assert (comparison.previous.unpaired, comparison.current.unpaired) == (1, 1)  # type: ignore[union-attr]
    assert (comparison.previous.rows, comparison.current.flagged) == (8, 5)  # type: ignore[union-attr]
    rows = read_csv(tmp_path / "changes" / "changes.csv")
    assert [(r["区分"], r["レコード番号"], r["備考"]) for r in rows] == [
        ("NEW", "R10", "前回はなかった"),
        ("NEW", "R2", "前回は要確認でなかった"),
        ("RESOLVED", "R3", ""),
        ("STILL_FLAGGED", "R8", ""),
        ("STILL_FLAGGED", "R1", "理由が変わった"),
        ("ADDED", "R9", ""),
        ("GONE", "R4", ""),
        ("GONE", "R5", "前回は要確認"),
    ]
    r1 = rows[4]
    assert (r1["前回判定"], r1["今回判定"]) == ("SUSPECT", "SUSPECT")
    assert (r1["前回理由"], r1["今回理由"]) == ("FAMILY_MEMBER", "CARRY_OVER;FAMILY_MEMBER")
    assert (r1["今回説明"], r1["候補個人番号"]) == ("SUSPECT説明", number(9))
    assert (rows[6]["今回判定"], rows[6]["今回説明"]) == ("", "")
    document = json.loads((tmp_path / "changes" / "changes.json").read_text(encoding="utf-8"))
    assert document == comparison.as_dict()
    assert (document["previous"]["run_id"], document["current"]["run_id"]) == ("before", "after")
    assert document["previous"]["dir"] == str(previous)


def test_a_changed_verdict_of_a_still_flagged_record_is_noted(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [("R1", "SUSPECT", "NAME_DIFF"), ("R2", "INVALID", "")])
    current = write_out(tmp_path / "b", [("R1", "REVIEW", "NAME_DIFF"), ("R2", "REVIEW", "X")])
    comparison = compare_runs(previous, current, tmp_path / "b")
    assert comparison.still_flagged == 2 and comparison.still_flagged_changed == 2
    notes = [row["備考"] for row in read_csv(tmp_path / "b" / "changes.csv")]
    assert notes == ["判定が変わった", "判定と理由が変わった"]


def test_without_out_dir_nothing_is_written(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [("R1", "MATCH", "")])
    current = write_out(tmp_path / "b", [("R1", "REVIEW", "NAME_DIFF")])
    comparison = compare_runs(previous, current)
    assert comparison.new == 1 and comparison.changes_csv is None
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "results.csv", "results.csv", "summary.json", "summary.json",
    ]  # fmt: skip


def test_header_only_results_compare_as_empty(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [])
    current = write_out(tmp_path / "b", [("R1", "MATCH", ""), ("R2", "SUSPECT", "HOMONYM")])
    comparison = compare_runs(previous, current)
    assert (comparison.added, comparison.new, comparison.previous.rows) == (1, 1, 0)  # type: ignore[union-attr]
    assert compare_runs(current, previous).gone == 2


def test_a_repeated_id_is_an_error_unless_the_engine_rejected_the_repeat(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [("R1", "MATCH", "")])
    rejected = write_out(tmp_path / "b", [
        ("R1", "SUSPECT", "HOMONYM"), ("R2", "MATCH", ""), ("R1", "INVALID", "MALFORMED"),
    ])  # fmt: skip
    comparison = compare_runs(previous, rejected)
    assert (comparison.new, comparison.added, comparison.current.unpaired) == (1, 1, 1)
    assert comparison.current.unpaired_flagged == 1
    broken = write_out(
        tmp_path / "c", [("R1", "MATCH", ""), ("R2", "MATCH", ""), ("R2", "MATCH", "")]
    )
    with pytest.raises(RecollationError) as caught:
        compare_runs(previous, broken)
    message = str(caught.value)
    assert str(broken / "results.csv") in message and "レコード番号 R2 が重複" in message
    assert "エンジンは有効な行のレコード番号を一意に保ち" in message


def test_unfinished_or_foreign_out_dirs_are_refused(tmp_path: Path) -> None:
    finished = write_out(tmp_path / "a", [("R1", "MATCH", "")])
    unfinished = write_out(tmp_path / "b", [("R1", "MATCH", "")], summary=False)
    with pytest.raises(RecollationError, match=r"summary\.json: ない"):
        compare_runs(finished, unfinished)
    with pytest.raises(RecollationError, match=r"results\.csv: ない"):
        compare_runs(tmp_path / "missing", finished)
    foreign = tmp_path / "c"
    foreign.mkdir()
    (foreign / "results.csv").write_text("id,verdict\r\nR1,MATCH\r\n", encoding="utf-8")
    (foreign / "summary.json").write_text('{"run": {}}', encoding="utf-8")
    with pytest.raises(RecollationError, match="列がない: レコード番号, 判定, 要確認"):
        compare_runs(finished, foreign)


# ---------------------------------------------------------------------------- recollate


def tiny_inputs(where: Path, linked: str) -> tuple[Path, Path]:
    """Two residents and two records; R1 is linked to `linked`."""
    where.mkdir(parents=True, exist_ok=True)
    people = [
        {"個人番号": number(1), "氏名": "山田　太郎", "生年月日": "1980-04-01", "性別": "1",
         "住所": "大阪府大阪市北区梅田一丁目1番1号"},
        {"個人番号": number(2), "氏名": "鈴木　花子", "生年月日": "1975-12-24", "性別": "2",
         "住所": "大阪府大阪市中央区本町二丁目2番2号"},
    ]  # fmt: skip
    register = write_register(where / "register.csv", people)
    records = write_records(where / f"records-{linked}.csv", [
        {"レコード番号": "R1", "個人番号": linked, "氏名": "山田太郎", "生年月日": "1980/4/1"},
        {"レコード番号": "R2", "個人番号": number(2), "氏名": "鈴木花子", "生年月日": "1975/12/24"},
    ])  # fmt: skip
    return register, records


def test_a_failed_collation_leaves_no_run_and_no_history_line(tmp_path: Path) -> None:
    register, records = tiny_inputs(tmp_path / "in", number(2))
    history = tmp_path / "history"
    first = recollate(register, records, history, now=MONTH_ONE)
    assert first.comparison.new == 1
    with pytest.raises(CollateError, match=r"missing\.csv"):
        recollate(register, tmp_path / "missing.csv", history, now=MONTH_TWO)
    assert sorted(p.name for p in history.iterdir()) == ["20260105-090000", HISTORY_FILE]
    assert len(read_history(history)) == 1
    # a comparison that fails (the previous run's results.csv edited by hand) leaves nothing
    results = first.run_dir / "results.csv"
    results.write_bytes(results.read_bytes() + b"R2,MATCH,0,,0,,\r\n")
    with pytest.raises(RecollationError, match="R2 が重複"):
        recollate(register, records, history, now=MONTH_TWO)
    assert sorted(p.name for p in history.iterdir()) == ["20260105-090000", HISTORY_FILE]
    assert len(read_history(history)) == 1


def test_runs_in_the_same_second_and_a_clock_set_back(tmp_path: Path) -> None:
    register, wrong = tiny_inputs(tmp_path / "in", number(2))
    _, right = tiny_inputs(tmp_path / "in", number(1))
    history = tmp_path / "history"
    recollate(register, wrong, history, now=MONTH_TWO)
    again = recollate(register, right, history, now=MONTH_TWO)
    assert again.run_dir.name == "20260204-090000-2"
    assert again.previous_dir == history / "20260204-090000"
    assert again.comparison.counts["RESOLVED"] == 1
    with pytest.raises(RecollationError, match="より後の実行がある"):
        recollate(register, right, history, now=MONTH_ONE)
    assert len(read_history(history)) == 2


def test_read_history_names_a_broken_line(tmp_path: Path) -> None:
    with pytest.raises(RecollationError, match="履歴の置き場がない"):
        read_history(tmp_path / "nowhere")
    assert read_history(tmp_path) == []
    (tmp_path / HISTORY_FILE).write_text('{"run": "a"}\n\n{"run": \n', encoding="utf-8")
    with pytest.raises(RecollationError, match=r"history.jsonl: 3行目が JSON として読めない"):
        read_history(tmp_path)


# ---------------------------------------------------------------------------- command line


def test_recollate_run_and_history_commands(tmp_path: Path) -> None:
    register, wrong = tiny_inputs(tmp_path / "in", number(2))
    _, right = tiny_inputs(tmp_path / "in", number(1))
    history = tmp_path / "history"
    labels = ["--business", "公金受取口座", "--organisation-code", "271004"]
    first = runner.invoke(app, ["recollate", "run", str(register), str(wrong), "--history",
                                str(history), *labels])  # fmt: skip
    assert first.exit_code == 0, first.output
    document = json.loads(first.stdout)
    assert document["comparison"]["counts"]["NEW"] == 1 and document["previous_dir"] is None
    run_dir = Path(document["run_dir"])
    assert (run_dir / "worklist.xlsx").is_file() and (run_dir / "changes.csv").is_file()
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["business"], summary["organisation"]["code"]) == ("公金受取口座", "271004")
    second = runner.invoke(app, ["recollate", "run", str(register), str(right), "--history",
                                 str(history), "--profile", "kokin-koza"])  # fmt: skip
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["comparison"]["counts"]["RESOLVED"] == 1
    shown = runner.invoke(app, ["recollate", "history", "--history", str(history)])
    assert shown.exit_code == 0, shown.output
    lines = json.loads(shown.stdout)
    assert [line["resolved"] for line in lines] == [0, 1]
    assert [line["business"] for line in lines] == ["公金受取口座", "公金受取口座"]
    assert "公金受取口座" in shown.stdout  # ensure_ascii=False


def test_recollate_compare_command(tmp_path: Path) -> None:
    previous = write_out(tmp_path / "a", [("R1", "REVIEW", "NAME_DIFF")])
    current = write_out(tmp_path / "b", [("R1", "MATCH", "")])
    result = runner.invoke(
        app, ["recollate", "compare", str(previous), str(current), "--out", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["RESOLVED"] == 1
    assert (tmp_path / "c" / "changes.csv").is_file()


def test_recollate_commands_fail_with_one_line_naming_the_file(tmp_path: Path) -> None:
    current = write_out(tmp_path / "b", [("R1", "MATCH", ""), ("R1", "MATCH", "")])
    cases = [
        (["compare", str(tmp_path / "nowhere"), str(current)], "nowhere"),
        (["compare", str(current), str(current)], "results.csv: レコード番号 R1 が重複"),
        (["history", "--history", str(tmp_path / "nowhere")], "履歴の置き場がない"),
        (["run", str(tmp_path / "register.csv"), str(tmp_path / "records.csv"), "--history",
          str(tmp_path / "history")], "register.csv"),
        (["run", str(tmp_path / "r.csv"), str(tmp_path / "r.csv"), "--history",
          str(tmp_path / "h"), "--profile", "no-such-profile"], "no-such-profile"),
    ]  # fmt: skip
    for arguments, message in cases:
        result = runner.invoke(app, ["recollate", *arguments])
        assert result.exit_code == 2, (arguments, result.output)
        assert message in result.output, (arguments, result.output)
        assert result.stdout == ""
    assert not (tmp_path / "history").exists() or not any((tmp_path / "history").iterdir())
