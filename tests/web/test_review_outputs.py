"""What leaves the review (corrections file, summary.json with the review filled), runs started
from the UI, and purging a run's personal data."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from himoken.summary import validate
from himoken.web.audit.log import verify
from himoken.web.audit.models import Entry
from himoken.web.review import decisions, exports
from himoken.web.review.models import Case, Contact, Decision, Run
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]


def settle(site: Site, run: Run) -> dict[str, Case]:
    """One case kept, one corrected to its candidate (approved), one deleted (approved),
    one correction waiting, the rest untouched."""
    handler, supervisor = site.users["handler"], site.users["supervisor"]
    with_candidate = list(run.cases.exclude(candidate_number="").order_by("ordinal")[:2])
    others = list(run.cases.filter(candidate_number="").order_by("ordinal")[:2])
    cases = {"kept": others[0], "corrected": with_candidate[0], "deleted": others[1],
             "pending": with_candidate[1]}  # fmt: skip
    proposals = {
        "kept": decisions.Proposal("keep"),
        "corrected": decisions.Proposal("correct", "FAMILY_MEMBER", "=HYPERLINK(1)",
                                        cases["corrected"].candidate_number, True),
        "deleted": decisions.Proposal("delete", "HOMONYM"),
        "pending": decisions.Proposal("correct", "TYPO", "", cases["pending"].candidate_number,
                                      True),
    }  # fmt: skip
    for key, case in cases.items():
        decision = decisions.propose(case, handler, case.version, proposals[key])
        if key in ("corrected", "deleted"):
            decisions.approve(decision, supervisor, case.version, True, "")
    return cases


def test_the_corrections_file_lists_approved_changes_escaped(site: Site, run: Run) -> None:
    cases = settle(site, run)
    client = site.client("supervisor")
    response = client.get(f"/runs/{run.pk}/corrections.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["レコード番号"] for r in rows] == sorted(
        [cases["corrected"].record_id, cases["deleted"].record_id],
        key=lambda rid: next(c.ordinal for c in cases.values() if c.record_id == rid),
    )
    corrected = next(r for r in rows if r["処理"] == "番号を訂正")
    assert corrected["訂正前個人番号"] == cases["corrected"].linked_number
    assert corrected["訂正後個人番号"] == cases["corrected"].candidate_number
    assert corrected["誤りの原因"] == "家族の番号" and corrected["承認者"] == "supervisor"
    assert corrected["コメント"] == "'=HYPERLINK(1)"  # never run as a formula

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/runs/{run.pk}/corrections.xlsx")
                                             .content))  # fmt: skip
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert len(sheet) == 3 and all(isinstance(v, str) for v in sheet[1] if v is not None)
    assert "'=HYPERLINK(1)" in sheet[1] + sheet[2]
    assert {e for e in Entry.objects.values_list("action", flat=True)} >= {"export.corrections"}


def test_the_summary_carries_the_review_and_validates(site: Site, run: Run) -> None:
    settle(site, run)
    response = site.client("auditor").get(f"/runs/{run.pk}/summary.json")
    document = json.loads(response.content)
    validate(document)
    flagged = sum(document["verdicts"][v] for v in ("REVIEW", "SUSPECT", "INVALID"))
    assert document["review"] == {
        "flagged": flagged, "confirmed_right": 1, "wrong_found": 3, "corrected": 1,
        "deleted": 1, "correction_pending": 1, "in_progress": flagged - 4,
    }  # fmt: skip
    assert document["causes"] == {"FAMILY_MEMBER": 1, "HOMONYM": 1, "CARRY_OVER": 0,
                                  "ROW_SHIFT": 0, "TYPO": 1, "OTHER": 0}  # fmt: skip
    assert document["run"]["id"] == str(run.run_id)


def test_a_collation_started_from_the_ui_imports_its_flagged_records(
    site: Site, collated: Path
) -> None:
    client = site.client("supervisor")
    files = {
        name: SimpleUploadedFile(f"{name}.csv", path.read_bytes())
        for name, path in (("register", collated / "register.csv"),
                           ("records", collated / "kokin-koza" / "records.csv"))
    }  # fmt: skip
    data = {"business": site.business.pk, "profile": "kokin-koza", **files}
    response = client.post("/runs/new/", data)
    run = Run.objects.get()
    assert response["Location"] == f"/runs/{run.pk}/"
    progress = client.get(f"/runs/{run.pk}/progress/").json()
    assert progress["status"] == "finished" and progress["percent"] == 100, progress
    assert (
        run.cases.count()
        == sum(run.summary["verdicts"][v] for v in ("REVIEW", "SUSPECT", "INVALID"))
        > 0
    )
    assert run.summary["organisation"] == {"code": "271004", "name": "大阪市"}
    assert decisions.register_file(run) is not None  # typed numbers can be collated


def test_a_failed_collation_says_why(site: Site, tmp_path: Path) -> None:
    client = site.client("supervisor")
    files = {name: SimpleUploadedFile(f"{name}.csv", b"\xff\xfe\x00broken")
             for name in ("register", "records")}  # fmt: skip
    client.post("/runs/new/", {"business": site.business.pk, **files})
    progress = client.get(f"/runs/{Run.objects.get().pk}/progress/").json()
    assert progress["status"] == "failed" and "register.csv" in progress["message"]


def test_purging_removes_personal_data_and_keeps_the_counts(site: Site, run: Run) -> None:
    cases = settle(site, run)
    contact = decisions.add_contact(cases["kept"], site.users["handler"],
                                    Case.objects.get(pk=cases["kept"].pk).version,
                                    method="phone", on="2026-11-27", result="confirmed_right",
                                    note="本人と電話で確認")  # fmt: skip
    before = exports.review_counts(run)
    folder = Path(run.directory)
    assert (folder / "register.parquet").exists()
    response = site.client("supervisor").post(f"/runs/{run.pk}/purge/")
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == Run.Status.PURGED and not folder.exists()
    assert not run.cases.exclude(record={}).exists()
    assert not run.cases.exclude(linked_number="").exists()
    assert Contact.objects.get(pk=contact.pk).note == ""
    assert not Decision.objects.exclude(new_number="").exists()
    assert exports.review_counts(run) == before
    entry = Entry.objects.get(action="run.purge")
    assert entry.detail["cases"] == run.cases.count() and entry.detail["files"] > 0
    assert verify() == []


def test_runs_past_the_retention_period_are_purged_by_the_command(
    site: Site, run: Run, settings: object
) -> None:
    call_command("review_purge", days=30)
    run.refresh_from_db()
    assert run.status == Run.Status.FINISHED  # finished today: kept
    Run.objects.filter(pk=run.pk).update(finished=run.finished.replace(year=2024))
    call_command("review_purge", days=30)
    run.refresh_from_db()
    assert run.status == Run.Status.PURGED and run.purged is not None


def test_check_deploy_is_clean_with_the_production_settings(tmp_path: Path) -> None:
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "himoken.web.settings.review", "HIMOKEN_PRODUCTION": "1",
        "HIMOKEN_SECRET_KEY": "synthetic-" + "k3y-" * 15, "HIMOKEN_DATA_DIR": str(tmp_path),
    }  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "himoken.web.manage", "check", "--deploy", "--fail-level",
         "WARNING"], env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_progress_site_accepts_the_review_summary(site: Site, run: Run) -> None:
    """The one document that crosses from the isolated network to the administrative one."""
    from himoken.web.progress.models import Snapshot
    from himoken.web.progress.reports import import_summary

    settle(site, run)
    document = exports.summary(run)
    report = import_summary(json.dumps(document, ensure_ascii=False).encode())
    assert report.review == document["review"] and report.causes == document["causes"]
    snapshot = Snapshot.objects.get(business=report.business)
    assert (snapshot.flagged, snapshot.wrong_found, snapshot.corrected) == (
        document["review"]["flagged"], 3, 1)  # fmt: skip
