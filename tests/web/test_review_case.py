"""The record page and the decisions on it: masked numbers revealed only by a logged action,
differing characters marked, four eyes on every correction, the typed number collated
before it is saved, and a second clerk's save never silently lost."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from himoken import mynumber
from himoken.web.audit.models import Entry
from himoken.web.review.models import Case, Contact, Decision, Run
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]


def page(client: Client, case: Case) -> str:
    response = client.get(f"/cases/{case.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def decide(client: Client, case: Case, **fields: str) -> object:
    case.refresh_from_db()
    data = {"version": str(case.version), "number_source": "candidate", **fields}
    return client.post(f"/cases/{case.pk}/decisions/", data, follow=True)


def actions() -> list[str]:
    return list(Entry.objects.values_list("action", flat=True))


def test_the_record_page_masks_numbers_and_logs_the_view(site: Site, suspect: Case) -> None:
    text = page(site.client("handler"), suspect)
    assert suspect.linked_number not in text and suspect.candidate_number not in text
    assert mynumber.mask(suspect.linked_number) in text
    assert suspect.explanation in text and suspect.record["氏名"] in text
    assert actions()[-1] == "case.view"


def test_revealing_the_numbers_is_logged(site: Site, suspect: Case) -> None:
    response = site.client("handler").post(f"/cases/{suspect.pk}/reveal/")
    text = response.content.decode()
    assert suspect.linked_number in text and suspect.candidate_number in text
    entry = Entry.objects.last()
    assert (entry.action, entry.username, entry.object_id) == ("case.reveal", "handler",
                                                               str(suspect.pk))  # fmt: skip


def test_differing_characters_are_marked(site: Site, run: Run) -> None:
    case = next(c for c in run.cases.all() if c.entry.get("氏名") and c.entry["氏名"] != c.record[
        "氏名"])  # fmt: skip
    text = page(site.client("handler"), case)
    marked = re.findall(r'<span class="diff">([^<]+)</span>', text)
    assert marked, "a differing name shows its differing characters"
    assert all(part in case.record["氏名"] + case.entry["氏名"] + "".join(
        case.record.values()) + "".join(case.entry.values()) + "".join(case.candidate.values())
        for part in marked)  # fmt: skip


def test_a_contact_moves_the_case_into_progress(site: Site, suspect: Case) -> None:
    data = {"version": "0", "method": "phone", "on": "2026-11-27", "result": "no_answer"}
    site.client("handler").post(f"/cases/{suspect.pk}/contacts/", data)
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.IN_PROGRESS
    assert Contact.objects.get(case=suspect).get_method_display() == "電話"


def test_keeping_a_linkage_settles_the_case_at_once(site: Site, suspect: Case) -> None:
    decide(site.client("handler"), suspect, action="keep", comment="電話で本人確認")
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CONFIRMED_RIGHT and suspect.cause == ""


def test_a_correction_to_the_candidate_waits_for_a_second_person(site: Site, suspect: Case) -> None:
    handler, supervisor = site.client("handler"), site.client("supervisor")
    decide(handler, suspect, action="correct", cause="FAMILY_MEMBER")
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CORRECTION_PENDING
    decision = Decision.objects.get(case=suspect)
    assert decision.new_number == suspect.candidate_number and decision.approved is None
    assert decision.check_verdict in ("MATCH", "NOTATION", "EXPLAINED", "REVIEW")

    # The handler cannot approve (not a supervisor), the proposer never: four eyes.
    data = {"version": str(suspect.version), "approved": "1"}
    assert handler.post(f"/decisions/{decision.pk}/approval/", data).status_code == 403
    supervisor.post(f"/decisions/{decision.pk}/approval/", data)
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CORRECTED and suspect.cause == "FAMILY_MEMBER"
    decision.refresh_from_db()
    assert decision.approved and decision.approved_by == site.users["supervisor"]
    assert {"decision.correct", "decision.approve"} <= set(actions())


def test_a_supervisor_cannot_approve_their_own_correction(site: Site, suspect: Case) -> None:
    supervisor = site.client("supervisor")
    decide(supervisor, suspect, action="delete", cause="OTHER")
    decision = Decision.objects.get(case=suspect)
    suspect.refresh_from_db()
    data = {"version": str(suspect.version), "approved": "1"}
    response = supervisor.post(f"/decisions/{decision.pk}/approval/", data)
    assert "自分の判断は承認できない" in response.content.decode()
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CORRECTION_PENDING


def test_sending_back_reopens_the_case(site: Site, suspect: Case) -> None:
    decide(site.client("handler"), suspect, action="delete", cause="OTHER")
    decision = Decision.objects.get(case=suspect)
    suspect.refresh_from_db()
    data = {"version": str(suspect.version), "approved": "0", "comment": "再確認を"}
    site.client("supervisor").post(f"/decisions/{decision.pk}/approval/", data)
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.IN_PROGRESS and suspect.cause == ""


def test_a_typed_number_failing_the_check_digit_is_refused(site: Site, suspect: Case) -> None:
    good = suspect.candidate_number
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    response = decide(site.client("handler"), suspect, action="correct", cause="TYPO",
                      number_source="typed", new_number=bad)  # fmt: skip
    assert "チェックデジットが不一致" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_typed_number_of_someone_else_is_refused_after_collation(
    site: Site, suspect: Case, run: Run
) -> None:
    stranger = next(
        c.entry for c in run.cases.exclude(pk=suspect.pk)
        if c.entry.get("生年月日") and c.entry.get("生年月日") != suspect.record.get("生年月日")
        and c.entry.get("氏名") != suspect.record.get("氏名") and c.linked_number
        and mynumber.is_valid(c.linked_number)
    )  # fmt: skip
    number = next(c.linked_number for c in run.cases.all() if c.entry == stranger)
    response = decide(site.client("handler"), suspect, action="correct", cause="TYPO",
                      number_source="typed", new_number=number)  # fmt: skip
    assert "確認できない" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_second_clerk_saving_the_same_record_is_told(site: Site, suspect: Case) -> None:
    first, second = site.client("handler"), site.client("handler2")
    version = str(suspect.version)
    keep = {"version": version, "action": "keep", "comment": "一人目"}
    delete = {"version": version, "action": "delete", "cause": "OTHER", "comment": "二人目"}
    assert first.post(f"/cases/{suspect.pk}/decisions/", keep).status_code == 302
    response = second.post(f"/cases/{suspect.pk}/decisions/", delete)
    assert response.status_code == 409
    text = response.content.decode()
    assert "他の職員がこのレコードを先に更新しました" in text
    assert "二人目" in text  # what the second clerk typed is still on the page
    suspect.refresh_from_db()
    assert suspect.status == Case.Status.CONFIRMED_RIGHT
    assert list(Decision.objects.values_list("comment", flat=True)) == ["一人目"]


def test_letters_are_pdfs_and_their_printing_is_logged(site: Site, suspect: Case) -> None:
    handler = site.client("handler")
    for kind in ("confirmation", "apology"):
        response = handler.get(f"/cases/{suspect.pk}/letters/{kind}.pdf")
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert actions()[-2:] == ["letter.print", "letter.print"]


def test_the_checklist_after_a_wrong_linkage_is_recorded(site: Site, suspect: Case) -> None:
    decide(site.client("handler"), suspect, action="delete", cause="HOMONYM")
    data = {"exchange_stopped": "2026-11-27", "portal_stopped": "2026-11-27",
            "viewed": "not_viewed", "intermediate_corrected": "2026-11-28",
            "apology_letter_sent": "2026-11-30", "note": ""}  # fmt: skip
    site.client("handler").post(f"/cases/{suspect.pk}/checklist/", data)
    assert suspect.checklist.complete


def test_the_page_says_why_the_candidate_fits(site: Site, suspect: Case) -> None:
    text = page(site.client("handler"), suspect)
    fit = text.split('id="candidate-fit">')[1].split("</p>")[0]
    assert any(verdict in fit for verdict in ("MATCH", "NOTATION", "EXPLAINED"))


def test_the_worklist_counts_follow_every_status_change(site: Site, run: Run) -> None:
    from django.db.models import Count

    from himoken.web.review.models import CaseCount

    def kept() -> dict[tuple[str, str], int]:
        rows = CaseCount.objects.filter(business=run.business).values_list(
            "status", "verdict", "count"
        )
        return {(s, v): n for s, v, n in rows if n}

    def counted() -> dict[tuple[str, str], int]:
        rows = run.cases.values_list("status", "verdict").annotate(n=Count("*")).order_by()
        return {(s, v): n for s, v, n in rows}

    assert kept() == counted()
    cases = list(run.cases.exclude(candidate_number="").order_by("ordinal")[:3])
    decide(site.client("handler"), cases[0], action="keep")
    decide(site.client("handler"), cases[1], action="delete", cause="OTHER")
    decision = Decision.objects.get(case=cases[1])
    cases[1].refresh_from_db()
    site.client("supervisor").post(f"/decisions/{decision.pk}/approval/",
                                   {"version": str(cases[1].version), "approved": "1"})  # fmt: skip
    data = {"version": "0", "method": "phone", "on": "2026-11-27", "result": "no_answer"}
    site.client("handler").post(f"/cases/{cases[2].pk}/contacts/", data)
    assert kept() == counted()
    page = site.client("handler").get("/").content.decode()
    assert f"全{sum(counted().values())}件" in page and "紐付け削除済み 1" in page
