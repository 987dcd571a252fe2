"""The progress site's pages through the client: counts, stages and the survey entered on an
organisation's page, consultations asked and answered, the executive view, the exports."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from himoken.mynumber import with_check_digit
from himoken.web.audit.models import Entry
from himoken.web.progress.models import (
    Business,
    Cause,
    Consultation,
    Deadline,
    Organisation,
    Role,
    Snapshot,
    Stage,
    StageProgress,
)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER = with_check_digit("12345678901")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Overviews are cached under the data version, which restarts with each test's
    database: a previous test's overview must not be found under the same number."""
    cache.clear()


@dataclass
class Site:
    organisation: Organisation
    business: Business
    stage: StageProgress
    users: dict[str, Any]

    def client(self, name: str) -> Client:
        client = Client()
        client.force_login(self.users[name])
        return client


@pytest.fixture
def site(django_user_model: type) -> Site:
    organisation = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    business = Business.objects.create(
        organisation=organisation, name="児童手当", system="児童手当システム"
    )
    stage = StageProgress.objects.create(business=business, stage=Stage.EXTRACTION)
    users = {}
    for kind in ("secretariat", "executive", "reporter"):
        users[kind] = django_user_model.objects.create_user(kind, password="synthetic-only")
        Role.objects.create(
            user=users[kind], kind=kind, organisation=organisation if kind == "reporter" else None
        )
    return Site(organisation, business, stage, users)


def counts(business: Business, **changes: Any) -> dict[str, Any]:
    data = {
        "business": business.pk,
        "on": timezone.localdate().isoformat(),
        "target": 100,
        "extracted": 80,
        "collated": 60,
        "flagged": 10,
        "confirmed_right": 5,
        "wrong_found": 2,
        "corrected": 1,
    }
    data |= {f"cause_{c.value}": 0 for c in Cause} | {"cause_FAMILY_MEMBER": 2}
    return data | changes


def actions() -> list[str]:
    return list(Entry.objects.exclude(action="login").values_list("action", flat=True))


# --- counts ------------------------------------------------------------------------------------


def test_a_reporter_enters_counts_and_the_dashboard_shows_them(site: Site) -> None:
    client = site.client("reporter")
    page = f"/organisations/{site.organisation.pk}/"
    form = client.get(page)
    assert 'id="counts-form"' in form.content.decode()
    response = client.post(page, counts(site.business), follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "件数を記録しました" in response.content.decode()

    snapshot = Snapshot.objects.get()
    assert (snapshot.business, snapshot.on, snapshot.source) == (
        site.business,
        timezone.localdate(),
        Snapshot.Source.FORM,
    )
    assert (snapshot.target, snapshot.collated, snapshot.flagged, snapshot.wrong_found) == (
        100,
        60,
        10,
        2,
    )
    assert snapshot.causes == {c.value: 2 if c == Cause.FAMILY_MEMBER else 0 for c in Cause}
    entry = Entry.objects.get(action="counts.save")
    assert entry.object_id == str(site.business.pk)
    assert entry.detail == {"on": timezone.localdate().isoformat()}

    dashboard = client.get("/")
    totals = dashboard.context["view"].totals
    # done: 60 collated, less the 10 - 5 - 2 = 3 flagged and not yet settled.
    assert (totals.target, totals.collated, totals.remaining) == (100, 60, 100 - 57)
    table = dashboard.content.decode().split('id="totals"')[1].split("</table>")[0]
    assert '<td class="num">43</td>' in table and '<td class="num">60</td>' in table

    # The same day again replaces that day's counts.
    client.post(page, counts(site.business, collated=70, extracted=90))
    assert Snapshot.objects.get().collated == 70
    assert client.get("/").context["view"].totals.collated == 70


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"collated": 120, "extracted": 120}, "照合件数 ≤ 抽出件数 ≤ 対象件数"),
        ({"collated": 90}, "照合件数 ≤ 抽出件数 ≤ 対象件数"),  # more than extracted
        ({"confirmed_right": 9}, "正しいと確認 + 誤りの判明 ≤ 要確認"),
        ({"corrected": 3}, "訂正済み ≤ 誤りの判明"),
        ({"cause_TYPO": 1}, "原因別の件数の合計を誤りの判明の件数に合わせる"),
        ({"target": -1}, "errorlist"),
        ({"flagged": 70}, "snapshot_counts_nest"),  # more flagged than collated
    ],
)
def test_inconsistent_counts_are_refused(site: Site, changes: dict, message: str) -> None:
    client = site.client("reporter")
    response = client.post(
        f"/organisations/{site.organisation.pk}/", counts(site.business, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Snapshot.objects.exists()
    assert "counts.save" not in actions()


# --- consultations -----------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["question", "category"])
@pytest.mark.parametrize(
    "shown",
    [
        NUMBER,
        f"{NUMBER[:4]}-{NUMBER[4:8]}-{NUMBER[8:]}",
        f"{NUMBER[:4]} {NUMBER[4:8]}\u3000{NUMBER[8:]}",
    ],
)
def test_a_my_number_in_a_consultation_is_refused_and_not_echoed(
    site: Site, field: str, shown: str
) -> None:
    client = site.client("reporter")
    data = {
        "organisation": site.organisation.pk,
        "category": "照合",
        "question": "この方の扱いは?",
        "due": "",
    }
    data[field] = f"番号 {shown} の件"
    response = client.post("/consultations/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "個人番号と思われる12桁の数字が含まれている" in page
    assert NUMBER not in page and shown not in page
    assert NUMBER[:8] not in page  # nor a part of it
    assert not Consultation.objects.exists()
    assert "consultation.add" not in actions()


def test_the_other_fields_of_a_refused_consultation_are_kept(site: Site) -> None:
    response = site.client("reporter").post(
        "/consultations/",
        {
            "organisation": site.organisation.pk,
            "category": "本人確認の方法",
            "question": f"番号 {NUMBER} の件",
            "due": "",
        },
    )
    page = response.content.decode()
    assert 'value="本人確認の方法"' in page and NUMBER not in page


def test_a_reporter_asks_and_the_secretariat_answers(site: Site) -> None:
    asked = site.client("reporter").post(
        "/consultations/",
        {
            "organisation": site.organisation.pk,
            "category": "照合",
            "question": "旧字体の氏名の扱い",
            "due": "2026-12-10",
        },
        follow=True,
    )
    assert "相談を登録しました" in asked.content.decode()
    consultation = Consultation.objects.get()
    assert consultation.status == Consultation.Status.OPEN
    assert consultation.due == dt.date(2026, 12, 10)

    secretariat = site.client("secretariat")
    page = f"/consultations/{consultation.pk}/"
    assert 'id="answer-form"' in secretariat.get(page).content.decode()
    answered = secretariat.post(
        page,
        {"owner": "事務局 田中", "answer": "異体字として扱う", "status": "answered"},
        follow=True,
    )
    assert answered.redirect_chain == [(page, 302)]
    text = answered.content.decode()
    assert "回答を記録しました" in text and "異体字として扱う" in text and "回答済み" in text
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.ANSWERED
    assert consultation.owner == "事務局 田中"
    assert actions()[-2:] == ["consultation.add", "consultation.answer"]
    assert Entry.objects.get(action="consultation.answer").object_id == str(consultation.pk)
    # The reporter reads the answer, without a form to change it.
    seen = site.client("reporter").get(page).content.decode()
    assert "異体字として扱う" in seen and 'id="answer-form"' not in seen


def test_an_answer_holding_a_my_number_is_refused(site: Site) -> None:
    consultation = Consultation.objects.create(
        organisation=site.organisation, category="照合", question="扱いは?"
    )
    response = site.client("secretariat").post(
        f"/consultations/{consultation.pk}/",
        {
            "owner": "",
            "answer": f"{NUMBER} の方は訂正",
            "status": "answered",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and NUMBER not in page
    assert "個人番号と思われる12桁の数字が含まれている" in page
    # The page shows what is stored, not the refused answer as if it had been recorded.
    assert "まだない" in page.split('id="consultation-answer"')[1].split("</p>")[0]
    assert "受付" in page.split('id="consultation-status"')[1].split("</strong>")[0]
    consultation.refresh_from_db()
    assert consultation.status == Consultation.Status.OPEN and consultation.answer == ""
    assert "consultation.answer" not in actions()


def test_requests_and_deadlines_refuse_a_my_number_without_echoing_it(site: Site) -> None:
    client = site.client("secretariat")
    response = client.post(
        "/requests/", {"kind": "staff", "status": "draft", "text": f"{NUMBER} の方の件で人員"}
    )
    assert response.status_code == 200 and NUMBER not in response.content.decode()
    response = client.post(
        "/deadlines/",
        {"business_name": "児童手当", "due": "2026-12-01", "set_by": "state", "note": f"{NUMBER}"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and NUMBER not in page and 'value="児童手当"' in page
    assert not Deadline.objects.exists()


# --- executive view ----------------------------------------------------------------------------


def test_the_executive_view_lists_the_late_and_not_the_on_time(site: Site) -> None:
    today = timezone.localdate()
    late = Organisation.objects.create(code="272000", name="遅延市", kind="municipality")
    on_time = Organisation.objects.create(code="272027", name="順調町", kind="municipality")
    slow = Business.objects.create(
        organisation=late, name="児童手当", system="手当", deadline=today + dt.timedelta(days=10)
    )
    done = Business.objects.create(organisation=on_time, name="児童手当", system="手当")
    for days, collated in ((35, 0), (7, 28)):  # one a day, 972 left: far too slow
        Snapshot.objects.create(
            business=slow,
            on=today - dt.timedelta(days=days),
            target=1000,
            extracted=1000,
            collated=collated,
            source="form",
        )
    Snapshot.objects.create(
        business=done,
        on=today - dt.timedelta(days=3),
        target=500,
        extracted=500,
        collated=500,
        source="form",
    )
    # The fixture's own 事務 needs no check, so 大阪市 is neither late nor on the list.
    Business.objects.filter(pk=site.business.pk).update(queried_all_four=True)

    response = site.client("executive").get("/executive/")
    assert response.status_code == 200
    table = response.content.decode().split('id="late"')[1]
    assert "遅延市" in table and "順調町" not in table and "大阪市" not in table
    assert response.context["late_count"] == 1
    assert not response.context["will_finish"]
    assert "終わらない団体がある" in response.content.decode()


# --- stages and the survey ---------------------------------------------------------------------


def test_the_stage_form_updates_dates(site: Site) -> None:
    client = site.client("reporter")
    response = client.post(
        f"/stages/{site.stage.pk}/",
        {
            "planned_start": "2026-10-01",
            "planned_end": "2026-10-31",
            "actual_start": "2026-10-03",
            "actual_end": "",
            "responsible": "住民課 鈴木",
        },
        follow=True,
    )
    assert response.redirect_chain == [(f"/organisations/{site.organisation.pk}/", 302)]
    assert "データ抽出の予定・実績を記録しました" in response.content.decode()
    site.stage.refresh_from_db()
    assert (
        site.stage.planned_start,
        site.stage.planned_end,
        site.stage.actual_start,
        site.stage.actual_end,
        site.stage.responsible,
    ) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        dt.date(2026, 10, 3),
        None,
        "住民課 鈴木",
    )
    entry = Entry.objects.get(action="stage.save")
    assert set(entry.detail["changed"]) == {
        "planned_start",
        "planned_end",
        "actual_start",
        "responsible",
    }


def test_an_invalid_stage_date_is_refused_with_a_message(site: Site) -> None:
    response = site.client("reporter").post(
        f"/stages/{site.stage.pk}/", {"planned_start": "2026-02-30"}, follow=True
    )
    assert "データ抽出:" in response.content.decode()
    site.stage.refresh_from_db()
    assert site.stage.planned_start is None
    assert "stage.save" not in actions()


def test_a_responsible_person_field_holding_a_my_number_is_refused(site: Site) -> None:
    response = site.client("reporter").post(
        f"/stages/{site.stage.pk}/", {"responsible": f"鈴木 {NUMBER}"}, follow=True
    )
    page = response.content.decode()
    assert "個人番号と思われる12桁の数字が含まれている" in page and NUMBER not in page
    site.stage.refresh_from_db()
    assert site.stage.responsible == ""


def test_the_survey_form_sets_check_required(site: Site) -> None:
    assert site.business.check_required
    client = site.client("reporter")
    response = client.post(
        f"/businesses/{site.business.pk}/survey/",
        {
            "obtained_with_id": "true",
            "queried_all_four": "",
            "identified_soundly": "false",
            "deadline": "2026-12-25",
        },
        follow=True,
    )
    assert "紐付け方法の調査を記録しました" in response.content.decode()
    business = Business.objects.get(pk=site.business.pk)
    assert (business.obtained_with_id, business.queried_all_four, business.identified_soundly) == (
        True,
        None,
        False,
    )
    assert not business.check_required and business.deadline == dt.date(2026, 12, 25)
    assert "点検不要(調査の結果)" in response.content.decode()
    assert "survey.save" in actions()
    row = client.get("/").context["view"].organisations[0].businesses[0]
    assert not row.check_required


# --- exports -----------------------------------------------------------------------------------


def test_the_summary_downloads_as_xlsx(site: Site) -> None:
    Snapshot.objects.create(
        business=site.business,
        on=timezone.localdate(),
        target=100,
        extracted=100,
        collated=40,
        source="form",
    )
    response = site.client("executive").get("/exports/summary.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="progress-{today:%Y%m%d}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["事務別"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "マイナンバー紐付け点検の状況"
    assert rows[1][0] == f"基準日 {today:%Y-%m-%d}"
    total = dict(zip(rows[3], rows[-1], strict=True))
    assert total["事務"] == "合計" and total["対象件数"] == 100 and total["照合件数"] == 40
    assert "export.summary" in actions()


def test_a_monthly_summary_and_a_malformed_month(site: Site) -> None:
    client = site.client("secretariat")
    response = client.get("/exports/summary.xlsx?month=2026-02")
    assert 'filename="progress-20260228.xlsx"' in response["Content-Disposition"]
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content))["事務別"].iter_rows(values_only=True)
    )
    assert rows[0][0] == "マイナンバー紐付け点検の状況(2026-02月末)"
    assert rows[1][0] == "基準日 2026-02-28"
    # A month that is not one: today's table, not titled with what was typed.
    response = client.get("/exports/summary.xlsx?month=2026-13")
    assert response.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content))["事務別"].iter_rows(values_only=True)
    )
    assert rows[0][0] == "マイナンバー紐付け点検の状況"
    assert rows[1][0] == f"基準日 {timezone.localdate():%Y-%m-%d}"


def test_the_csv_exports(site: Site) -> None:
    Deadline.objects.create(due=dt.date(2026, 12, 31), set_by="state")
    client = site.client("secretariat")
    assert client.get("/exports/unknown.csv").status_code == 404
    businesses = client.get("/exports/businesses.csv")
    assert businesses.status_code == 200
    assert businesses["Content-Type"] == "text/csv; charset=utf-8"
    lines = businesses.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and "児童手当システム" in lines[1]
    snapshots = client.get("/exports/snapshots.csv")
    assert snapshots.content.decode("utf-8-sig").splitlines()[0].startswith("団体コード,")
    assert actions()[-2:] == ["export.businesses", "export.snapshots"]
