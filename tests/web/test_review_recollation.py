"""Scheduled re-collation in the review (issue 7), through `manage.py review_recollate`.

The acceptance test plays a month on the review site: the schedule's first run brings every
flagged record in as a case; clerks correct wrong linkages (two through the review with four
eyes, the rest straight in the business system), others creep into clean records; the second
run shows the corrected records' cases as resolved by the re-collation and the new errors as new
cases in the worklist, without a second case for a record still flagged.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from himoken.mynumber import looks_like_number, with_check_digit
from himoken.prevention.recollation import HISTORY_FILE, read_history
from himoken.summary import validate
from himoken.web.audit.models import Entry
from himoken.web.review import decisions, exports, recollation
from himoken.web.review.models import (
    Case,
    CaseCount,
    Contact,
    Recollation,
    RecollationSchedule,
    Run,
)
from tests.collate.conftest import read_results
from tests.prevention.test_recollation import _correct_and_inject, read_csv
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]


def recollate_now(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("review_recollate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def schedule_for(site: Site, business: Any, register: Path, records: Path) -> RecollationSchedule:
    return RecollationSchedule.objects.create(
        business=business, register=str(register), records=str(records), profile="kokin-koza",
        frequency=RecollationSchedule.Frequency.MONTHLY, next_due=timezone.localdate(),
        updated_by=site.users["supervisor"],
    )  # fmt: skip


def extracts(collated: Path, folder: Path) -> tuple[Path, Path]:
    """This month's register and records, where the business system drops them."""
    folder.mkdir(parents=True)
    shutil.copy(collated / "register.csv", folder / "register.csv")
    shutil.copy(collated / "kokin-koza" / "records.csv", folder / "records.csv")
    return folder / "register.csv", folder / "records.csv"


@dataclass
class Month:
    schedule: RecollationSchedule
    first: Recollation
    second: Recollation
    corrected: set[str]  # flagged wrong linkages given the true owner's number
    clean_after_correction: set[str]  # of those, the ones nothing keeps flagged
    injected: dict[str, str]  # record id -> kind of new wrong linkage
    approved: list[Case]  # corrected through the review (four eyes) before the second run
    untouched: Case  # corrected in the business system only, never opened in the review
    in_progress: Case  # still flagged; a clerk had contacted the person


@pytest.fixture
def month(site: Site, collated: Path, tmp_path: Path) -> Month:
    register, records = extracts(collated, tmp_path / "extract")
    schedule = schedule_for(site, site.business, register, records)
    output, errors = recollate_now()
    assert errors == "" and "公金受取口座" in output
    first = schedule.recollations.get()
    corrected, clean_after, injected = _correct_and_inject(
        collated, read_results(Path(first.run.directory)), records
    )
    truth = {row["レコード番号"]: row for row in read_csv(collated / "kokin-koza" / "truth.csv")}
    cases = {c.record_id: c for c in first.run.cases.all()}
    fixable = sorted(
        (cases[i] for i in clean_after if cases[i].candidate_number == truth[i]["正しい個人番号"]),
        key=lambda c: c.ordinal,
    )
    assert len(fixable) >= 3
    approved = fixable[:2]
    for case in approved:
        proposal = decisions.Proposal(action="correct", cause="OTHER",
                                      new_number=case.candidate_number,
                                      differences_confirmed=True)  # fmt: skip
        decision = decisions.propose(case, site.users["handler"], case.version, proposal)
        decisions.approve(decision, site.users["supervisor"], case.version, True, "")
        assert case.status == Case.Status.CORRECTED
    still = next(c for i, c in sorted(cases.items()) if i not in corrected)
    decisions.add_contact(still, site.users["handler"], still.version, method="phone",
                          on=timezone.localdate(), result="pending", note="")  # fmt: skip
    # the second run a month on: the command runs a schedule that is due
    RecollationSchedule.objects.filter(pk=schedule.pk).update(next_due=timezone.localdate())
    output, errors = recollate_now()
    assert errors == ""
    second = schedule.recollations.exclude(pk=first.pk).get()
    schedule.refresh_from_db()
    return Month(schedule, first, second, corrected, clean_after, injected, approved,
                 fixable[2], still)  # fmt: skip


def test_the_first_run_brings_every_flagged_record_in(month: Month) -> None:
    first, run = month.first, month.first.run
    flagged = sum(run.summary["verdicts"][v] for v in ("REVIEW", "SUSPECT", "INVALID"))
    assert first.status == Recollation.Status.FINISHED and run.source == Run.Source.RECOLLATION
    assert run.status == Run.Status.FINISHED and run.created_by.username == "supervisor"
    assert first.flagged == first.new == first.cases_added == flagged > 30
    assert (first.resolved, first.still_flagged, first.cases_carried) == (0, 0, 0)
    # every case was first flagged in this run (the ones carried on since keep that)
    assert Case.objects.filter(first_run=run).count() == flagged
    assert Path(run.directory).parent == recollation.history_dir(month.schedule.business)


def test_corrections_are_resolved_and_injected_errors_are_new_cases(
    month: Month, site: Site
) -> None:
    """The acceptance criterion of issue 7, on the review site."""
    second, run = month.second, month.second.run
    business_cases = Case.objects.filter(business=site.business)
    # injected errors: NEW, each a new open case of the second run
    assert second.new == len(month.injected) == 12
    new_cases = {c.record_id: c for c in business_cases.filter(first_run=run)}
    assert set(month.injected) <= set(new_cases)
    assert all(c.status == Case.Status.OPEN and c.run == run for c in new_cases.values())
    # corrected records still flagged with their new number (removed owner, namesakes...) are
    # STILL_FLAGGED: a new case for the new linkage, the old linkage's case marked resolved
    renumbered = set(new_cases) - set(month.injected)
    assert renumbered <= month.corrected - month.clean_after_correction
    for record_id in renumbered:
        earlier = business_cases.exclude(pk=new_cases[record_id].pk).get(record_id=record_id)
        assert earlier.resolved_in == second
        assert earlier.linked_number != new_cases[record_id].linked_number
    # corrected records: RESOLVED, their cases marked, their status left as people set it
    assert len(month.clean_after_correction) > 30
    for record_id in month.clean_after_correction:
        case = business_cases.get(record_id=record_id)
        assert case.resolved_in == second and case.run == month.first.run, record_id
    for case in month.approved:
        case.refresh_from_db()
        assert case.status == Case.Status.CORRECTED and case.resolved_in == second
    month.untouched.refresh_from_db()
    assert month.untouched.status == Case.Status.OPEN and month.untouched.resolved_in == second
    assert second.resolved >= len(month.clean_after_correction)
    assert second.cases_resolved == second.resolved + len(renumbered)
    # still flagged: the same case carried into the new run, contact and status kept
    still = Case.objects.get(pk=month.in_progress.pk)
    assert (still.run, still.first_run, still.status) == (run, month.first.run,
                                                          Case.Status.IN_PROGRESS)  # fmt: skip
    assert Contact.objects.filter(case=still).count() == 1
    assert business_cases.filter(record_id=still.record_id).count() == 1
    # one live case per flagged record, and the new run holds them all: summary.json adds up
    flagged = sum(run.summary["verdicts"][v] for v in ("REVIEW", "SUSPECT", "INVALID"))
    assert second.flagged == run.cases.count() == flagged
    assert second.cases_added + second.cases_carried == flagged
    live = business_cases.filter(resolved_in__isnull=True).values_list("record_id", flat=True)
    assert len(live) == len(set(live)) == flagged
    assert validate(exports.summary(run)) == []
    counted = sum(CaseCount.objects.filter(business=site.business).values_list("count", flat=True))
    assert counted == business_cases.count()


def test_new_cases_are_in_the_worklist_and_resolved_ones_say_so(month: Month, site: Site) -> None:
    client = site.client("handler")
    pages, page = [], 1
    while True:
        text = client.get(f"/?business={site.business.pk}&page={page}").content.decode()
        pages.append(text)
        if "page=" + str(page + 1) not in text:
            break
        page += 1
    worklist = "".join(pages)
    for case in Case.objects.filter(first_run=month.second.run):
        assert f"/cases/{case.pk}/" in worklist, case.record_id
    case_page = client.get(f"/cases/{month.approved[0].pk}/").content.decode()
    assert 'id="resolved-by-recollation"' in case_page
    assert "の再照合で、この紐付けは要確認でなくなった" in case_page
    fresh = Case.objects.filter(first_run=month.second.run).first()
    assert 'id="resolved-by-recollation"' not in client.get(f"/cases/{fresh.pk}/").content.decode()


def test_the_history_page_charts_both_runs(month: Month, site: Site) -> None:
    client = site.client("handler")
    response = client.get(f"/recollation/{site.business.pk}/")
    assert response.status_code == 200
    text = response.content.decode()
    history = text.split('id="recollation-history"')[1].split("</table>")[0]
    assert history.count('<tr class="finished">') == 2
    chart = text.split('id="recollation-chart"')[1].split("</svg>")[0]
    assert chart.count('class="point flagged"') == 2
    points = re.search(r'class="series flagged" points="([^"]+)"', chart).group(1)
    assert len(points.split()) == 2
    # the newest re-collation's new and resolved records, for those who review
    new_table = text.split('id="new-cases"')[1].split("</table>")[0]
    for record_id in month.injected:
        assert f">{record_id}</a>" in new_table
    resolved_table = text.split('id="resolved-cases"')[1].split("</table>")[0]
    assert f"/cases/{month.untouched.pk}/" in resolved_table
    assert "schedule-form" not in text  # a handler reads the schedule
    assert Entry.objects.filter(action="recollation.view", username="handler").exists()
    # the history folder has both runs
    lines = read_history(recollation.history_dir(site.business))
    assert [line["run"] for line in lines] == [month.first.folder, month.second.folder]
    # an auditor sees counts, not records
    audited = site.client("auditor").get(f"/recollation/{site.business.pk}/").content.decode()
    assert audited.count('class="point flagged"') == 2
    assert 'id="new-cases"' not in audited and month.untouched.record_id not in audited


def test_the_history_page_speaks_english(month: Month, site: Site) -> None:
    client = site.client("handler")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = client.get(f"/recollation/{site.business.pk}/").content.decode()
    for label in ("Scheduled re-collation:", "Re-collations over time", "Newly flagged",
                  "Still flagged", "Records newly flagged by the re-collation of",
                  "Re-collation schedule", "Monthly", "Next due date"):  # fmt: skip
        assert label in text, label
    for japanese in ("新たに要確認", "再照合の推移", "毎月", "次回予定日"):
        assert japanese not in text, japanese
    case_page = client.get(f"/cases/{month.untouched.pk}/").content.decode()
    assert "found this linkage no longer flagged" in case_page


def test_the_runs_are_logged_without_numbers_and_fall_due_again(month: Month) -> None:
    entries = Entry.objects.filter(action="recollation.run").order_by("sequence")
    assert [e.object_id for e in entries] == [str(month.first.pk), str(month.second.pk)]
    for entry in entries:
        text = json.dumps(entry.detail, ensure_ascii=False)
        assert not re.search(r"\d{12}", text) and not looks_like_number(text)
        assert entry.user is None and entry.detail["run"] in (month.first.run_id,
                                                              month.second.run_id)  # fmt: skip
    # monthly: the next date is a month on, the last run the second one
    assert month.schedule.next_due > timezone.localdate()
    assert month.schedule.last_run == month.second.started


# ---------------------------------------------------------------------------- the schedule


def test_only_supervisors_edit_the_schedule(site: Site, tmp_path: Path) -> None:
    url = f"/recollation/{site.business.pk}/"
    form = {"register": str(tmp_path / "register.csv"), "records": "extract/records.csv",
            "profile": "kokin-koza", "frequency": "monthly", "next_due": "2027-01-05",
            "active": "on"}  # fmt: skip
    assert site.client("handler").post(url, form).status_code == 403
    assert site.client("auditor").post(url, form).status_code == 403
    assert not RecollationSchedule.objects.exists()
    handler_page = site.client("handler").get(url).content.decode()
    assert "schedule-form" not in handler_page and "まだ設定されていない" in handler_page
    supervisor = site.client("supervisor")
    assert 'id="schedule-form"' in supervisor.get(url).content.decode()
    response = supervisor.post(url, form)
    assert response.status_code == 302 and response["Location"] == url
    schedule = RecollationSchedule.objects.get(business=site.business)
    assert schedule.records == str((Path("/") / "extract/records.csv").resolve())
    assert (
        schedule.next_due == datetime.date(2027, 1, 5)
        and schedule.updated_by.username == "supervisor"
    )
    assert Entry.objects.filter(action="recollation_schedule.save").exists()
    # monthly needs a date
    refused = supervisor.post(url, form | {"next_due": ""})
    assert refused.status_code == 400 and "次回予定日が必要" in refused.content.decode()


def test_another_organisation_does_not_see_the_schedule(site: Site, tmp_path: Path) -> None:
    schedule_for(site, site.business, tmp_path / "r.csv", tmp_path / "d.csv")
    outsider = site.client("outsider")
    assert outsider.get(f"/recollation/{site.business.pk}/").status_code == 404
    assert outsider.post(f"/recollation/{site.business.pk}/", {}).status_code == 404
    index = outsider.get("/recollation/").content.decode()
    assert str(site.business) not in index
    assert str(site.business) in site.client("handler").get("/recollation/").content.decode()
    assert 'id="recollations-link"' in site.client("handler").get("/runs/").content.decode()


def test_the_next_date_moves_on_by_whole_periods(site: Site) -> None:
    schedule = RecollationSchedule(frequency="monthly", next_due=datetime.date(2026, 1, 31))
    assert recollation.following(schedule, datetime.date(2026, 1, 31)) == datetime.date(2026, 2, 28)
    assert recollation.following(schedule, datetime.date(2026, 4, 2)) == datetime.date(2026, 4, 28)
    schedule.frequency, schedule.next_due = "weekly", datetime.date(2026, 1, 5)
    assert recollation.following(schedule, datetime.date(2026, 1, 20)) == datetime.date(2026, 1, 26)
    schedule.frequency = "manual"
    assert recollation.following(schedule, datetime.date(2026, 1, 20)) is None


# ---------------------------------------------------------------------------- failures


def test_a_missing_file_is_reported_and_the_others_still_run(
    site: Site, collated: Path, tmp_path: Path
) -> None:
    register, records = extracts(collated, tmp_path / "extract")
    good = schedule_for(site, site.business, register, records)
    # a file name that looks like a My Number: it must reach the page, never the audit log
    missing = tmp_path / "extract" / f"{with_check_digit('12345678901')}.csv"
    bad = schedule_for(site, site.other_business, missing, records)
    with pytest.raises(CommandError, match="1件の再照合が失敗した") as raised:
        out, err = io.StringIO(), io.StringIO()
        call_command("review_recollate", stdout=out, stderr=err)
    assert "Traceback" not in str(raised.value) + err.getvalue()
    assert f"{missing}: 住民記録ファイルがない" in err.getvalue()
    assert "児童手当" in err.getvalue() and "公金受取口座" in out.getvalue()
    assert good.recollations.get().status == Recollation.Status.FINISHED
    failed = bad.recollations.get()
    assert failed.status == Recollation.Status.FAILED and str(missing) in failed.message
    assert not Run.objects.filter(business=site.other_business).exists()
    bad.refresh_from_db()
    assert bad.next_due == timezone.localdate() and bad.last_run is None  # still due
    entry = Entry.objects.get(action="recollation.fail")
    assert entry.detail == {"business": site.other_business.pk, "error": "Failed"}
    # the page says why, naming the file
    page = site.client("supervisor").get(f"/recollation/{site.other_business.pk}/")
    assert str(missing) in page.content.decode()


def test_a_run_that_cannot_be_brought_in_leaves_nothing(
    site: Site, collated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register, records = extracts(collated, tmp_path / "extract")
    schedule = schedule_for(site, site.business, register, records)
    recollate_now()
    history = recollation.history_dir(site.business)
    before = sorted(p.name for p in history.iterdir())
    lines = (history / HISTORY_FILE).read_text(encoding="utf-8")
    cases = Case.objects.count()

    def broken(business_id: int) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(CaseCount, "recount", broken)
    with pytest.raises(CommandError):
        recollate_now("--business", str(site.business.pk))
    assert sorted(p.name for p in history.iterdir()) == before
    assert (history / HISTORY_FILE).read_text(encoding="utf-8") == lines
    assert Case.objects.count() == cases and Run.objects.count() == 1
    failed = schedule.recollations.get(status=Recollation.Status.FAILED)
    assert "RuntimeError" in failed.message and "database" not in failed.message


def test_an_unknown_business_is_reported(site: Site) -> None:
    with pytest.raises(CommandError):
        recollate_now("--business", "999999")
