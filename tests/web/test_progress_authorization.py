"""Every URL of the progress site × every role gets exactly the expected answer; a new URL
without an expectation fails this test.

The secretariat does everything; an executive reads everything and changes nothing; a reporter
sees and changes their own organisation only (another organisation's objects do not exist for
them: 404) and none of the prefecture-wide pages (executive view, requests to the state,
deadlines, exports: 403). `reporter_other` is the reporter of another organisation, so every
object below is "another organisation's" for them. A logged-in user without a role is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from himoken.web.progress.models import (
    Business,
    Consultation,
    Deadline,
    Organisation,
    Role,
    Snapshot,
    Stage,
    StageProgress,
    StateRequest,
)
from tests.web.authorization import url_names, without_expectation

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "secretariat", "executive", "reporter", "reporter_other", "no_role")
OK, DENIED, HIDDEN, LOGIN = "ok", "denied", "hidden", "login"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Overviews are cached under the data version, which restarts with each test's
    database: a previous test's overview (other primary keys on PostgreSQL, whose sequences
    do not roll back) must not be found under the same number."""
    cache.clear()


def expect(secretariat: str, executive: str, reporter: str, reporter_other: str) -> dict:
    return {
        "secretariat": secretariat,
        "executive": executive,
        "reporter": reporter,
        "reporter_other": reporter_other,
        "no_role": DENIED,
    }


EVERYONE = expect(OK, OK, OK, OK)  # a reporter: their own organisation's part of it
PREFECTURE = expect(OK, OK, DENIED, DENIED)  # the whole prefecture's pages
SECRETARIAT = expect(OK, DENIED, DENIED, DENIED)
OWN_READ = expect(OK, OK, OK, HIDDEN)
OWN_CHANGE = expect(OK, DENIED, OK, HIDDEN)
REPORTING = expect(OK, DENIED, OK, OK)  # reports and consultations, for one's own organisation
ANSWER = expect(OK, DENIED, DENIED, HIDDEN)

# (method, path builder, expectation per role); the objects all belong to `reporter`'s
# organisation.
Objects = dict[str, Any]
EXPECTATIONS: dict[str, list[tuple[str, Callable[[Objects], str], dict[str, str]]]] = {
    "progress:dashboard": [("GET", lambda o: "/", EVERYONE)],
    "progress:executive": [("GET", lambda o: "/executive/", PREFECTURE)],
    "progress:organisation": [
        ("GET", lambda o: f"/organisations/{o['organisation'].pk}/", OWN_READ),
        ("POST", lambda o: f"/organisations/{o['organisation'].pk}/", OWN_CHANGE),
    ],
    "progress:stage": [("POST", lambda o: f"/stages/{o['stage'].pk}/", OWN_CHANGE)],
    "progress:survey": [("POST", lambda o: f"/businesses/{o['business'].pk}/survey/", OWN_CHANGE)],
    "progress:reports": [
        ("GET", lambda o: "/reports/", EVERYONE),
        ("POST", lambda o: "/reports/", REPORTING),
    ],
    "progress:consultations": [
        ("GET", lambda o: "/consultations/", EVERYONE),
        ("POST", lambda o: "/consultations/", REPORTING),
    ],
    "progress:consultation": [
        ("GET", lambda o: f"/consultations/{o['consultation'].pk}/", OWN_READ),
        ("POST", lambda o: f"/consultations/{o['consultation'].pk}/", ANSWER),
    ],
    "progress:state_requests": [
        ("GET", lambda o: "/requests/", PREFECTURE),
        ("POST", lambda o: "/requests/", SECRETARIAT),
    ],
    "progress:state_request": [
        ("POST", lambda o: f"/requests/{o['state_request'].pk}/", SECRETARIAT)
    ],
    "progress:deadlines": [
        ("GET", lambda o: "/deadlines/", PREFECTURE),
        ("POST", lambda o: "/deadlines/", SECRETARIAT),
    ],
    "progress:export_summary": [
        ("GET", lambda o: "/exports/summary.xlsx", PREFECTURE),
        ("GET", lambda o: "/exports/summary.xlsx?month=2026-10", PREFECTURE),
    ],
    "progress:export_csv": [
        ("GET", lambda o: "/exports/snapshots.csv", PREFECTURE),
        ("GET", lambda o: "/exports/businesses.csv", PREFECTURE),
    ],
}


def test_every_url_has_an_expectation() -> None:
    names = url_names()
    unexpected = without_expectation(names, set(EXPECTATIONS))
    assert not unexpected, f"URLs with no authorization expectation: {sorted(unexpected)}"
    assert set(EXPECTATIONS) <= names, "expectations for URLs that no longer exist"
    assert all(
        set(want) == set(ROLES) - {"anonymous"}
        for checks in EXPECTATIONS.values()
        for _, _, want in checks
    )


@dataclass
class Site:
    objects: Objects
    users: dict[str, Any]

    def client(self, name: str, **options: Any) -> Client:
        client = Client(**options)
        if name != "anonymous":
            client.force_login(self.users[name])
        return client


@pytest.fixture
def site(django_user_model: type) -> Site:
    own = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    other = Organisation.objects.create(code="272000", name="堺市", kind="municipality")
    business = Business.objects.create(organisation=own, name="児童手当", system="手当")
    elsewhere = Business.objects.create(organisation=other, name="児童手当", system="児童")
    stage = StageProgress.objects.create(business=business, stage=Stage.SURVEY)
    consultation = Consultation.objects.create(
        organisation=own, category="照合", question="住所の表記ゆれの扱い"
    )
    other_consultation = Consultation.objects.create(
        organisation=other, category="訂正", question="訂正の順序"
    )
    state_request = StateRequest.objects.create(kind="staff", text="人員の支援")
    Deadline.objects.create(due=dt.date(2026, 12, 31), set_by="state")
    users = {}
    for name, kind, organisation in (
        ("secretariat", "secretariat", None),
        ("executive", "executive", None),
        ("reporter", "reporter", own),
        ("reporter_other", "reporter", other),
        ("no_role", None, None),
    ):
        users[name] = django_user_model.objects.create_user(name, password="synthetic-only")
        if kind:
            Role.objects.create(user=users[name], kind=kind, organisation=organisation)
    objects = {
        "organisation": own,
        "other_organisation": other,
        "business": business,
        "other_business": elsewhere,
        "stage": stage,
        "consultation": consultation,
        "other_consultation": other_consultation,
        "state_request": state_request,
    }
    return Site(objects, users)


def answer(status: int, location: str) -> str:
    if status in (302, 301) and "/accounts/login/" in location:
        return LOGIN
    return {403: DENIED, 404: HIDDEN}.get(status, OK)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_should(role: str, site: Site) -> None:
    client = site.client(role)
    wrong = []
    for name, checks in EXPECTATIONS.items():
        for method, path_of, expected in checks:
            path = path_of(site.objects)
            response = client.get(path) if method == "GET" else client.post(path, {})
            got = answer(response.status_code, response.get("Location", ""))
            want = LOGIN if role == "anonymous" else expected[role]
            if got != want or (response.status_code >= 400 and got == OK):
                wrong.append(f"{method} {path} ({name}): {got} {response.status_code}, want {want}")
    assert not wrong, "\n".join(wrong)


def test_the_wrong_method_is_not_allowed(site: Site) -> None:
    client = site.client("secretariat")
    o = site.objects
    for path in (
        f"/stages/{o['stage'].pk}/",
        f"/businesses/{o['business'].pk}/survey/",
        f"/requests/{o['state_request'].pk}/",
    ):
        assert client.get(path).status_code == 405, path
    for path in ("/", "/executive/", "/exports/summary.xlsx", "/exports/snapshots.csv"):
        assert client.post(path, {}).status_code == 405, path


@pytest.mark.parametrize("role", ["secretariat", "executive", "reporter", "no_role"])
def test_the_admin_is_closed_to_every_role(role: str, site: Site) -> None:
    for path in ("/admin/", "/admin/progress/organisation/", "/admin/progress/role/"):
        response = site.client(role).get(path)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_admin_is_open_to_staff(site: Site, django_user_model: type) -> None:
    admin = django_user_model.objects.create_superuser("admin", password="synthetic-only")
    client = Client()
    client.force_login(admin)
    assert client.get("/admin/progress/organisation/").status_code == 200


def test_the_login_page_and_the_language_switch_are_open(client: Client) -> None:
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302


# --- what the answers contain ------------------------------------------------------------------


def test_a_reporter_sees_only_their_own_row_and_consultations(site: Site) -> None:
    client = site.client("reporter")
    dashboard = client.get("/")
    assert [o.pk for o in dashboard.context["rows"]] == [site.objects["organisation"].pk]
    matrix = dashboard.content.decode().split('id="matrix"')[1]
    assert "大阪市" in matrix and "堺市" not in matrix
    listed = client.get("/consultations/")
    assert list(listed.context["consultations"]) == [site.objects["consultation"]]
    assert "訂正の順序" not in listed.content.decode()
    other = site.objects["other_consultation"]
    assert client.get(f"/consultations/{other.pk}/").status_code == 404


def test_the_secretariat_and_an_executive_see_every_organisation(site: Site) -> None:
    for role in ("secretariat", "executive"):
        rows = site.client(role).get("/").context["rows"]
        assert {o.code for o in rows} == {"271004", "272000"}
        listed = site.client(role).get("/consultations/").context["consultations"]
        assert len(listed) == 2


def test_a_reporter_consults_for_their_own_organisation_only(site: Site) -> None:
    client = site.client("reporter")
    question = {"category": "照合", "question": "生年月日の和暦の扱い", "due": ""}
    other = client.post(
        "/consultations/", {**question, "organisation": site.objects["other_organisation"].pk}
    )
    assert other.status_code == 200 and "errorlist" in other.content.decode()
    assert not Consultation.objects.filter(question="生年月日の和暦の扱い").exists()
    own = client.post(
        "/consultations/", {**question, "organisation": site.objects["organisation"].pk}
    )
    assert own.status_code == 302
    made = Consultation.objects.get(question="生年月日の和暦の扱い")
    assert made.organisation == site.objects["organisation"] and made.status == "open"


def counts(business: Business, **changes: Any) -> dict[str, Any]:
    data = {
        "business": business.pk,
        "on": "2026-11-20",
        "target": 100,
        "extracted": 100,
        "collated": 50,
        "flagged": 0,
        "confirmed_right": 0,
        "wrong_found": 0,
        "corrected": 0,
    }
    data |= {
        f"cause_{c}": 0
        for c in ("FAMILY_MEMBER", "HOMONYM", "CARRY_OVER", "ROW_SHIFT", "TYPO", "OTHER")
    }
    return data | changes


def test_a_reporter_cannot_record_counts_for_another_organisations_business(site: Site) -> None:
    client = site.client("reporter")
    own_page = f"/organisations/{site.objects['organisation'].pk}/"
    response = client.post(own_page, counts(site.objects["other_business"]))
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Snapshot.objects.exists()
    other_page = f"/organisations/{site.objects['other_organisation'].pk}/"
    assert client.post(other_page, counts(site.objects["other_business"])).status_code == 404
    assert not Snapshot.objects.exists()


def test_refused_changes_change_nothing(site: Site) -> None:
    """A valid change from a role that may not make it: refused before anything is saved."""
    o = site.objects
    executive, other = site.client("executive"), site.client("reporter_other")
    page = f"/organisations/{o['organisation'].pk}/"
    assert executive.post(page, counts(o["business"])).status_code == 403
    survey = f"/businesses/{o['business'].pk}/survey/"
    assert executive.post(survey, {"obtained_with_id": "true"}).status_code == 403
    assert other.post(survey, {"obtained_with_id": "true"}).status_code == 404
    stage = f"/stages/{o['stage'].pk}/"
    assert other.post(stage, {"planned_start": "2026-12-01"}).status_code == 404
    answer = {"owner": "事務局", "answer": "回答", "status": "answered"}
    consultation = f"/consultations/{o['consultation'].pk}/"
    assert site.client("reporter").post(consultation, answer).status_code == 403
    assert executive.post(consultation, answer).status_code == 403
    deadline = {"business_name": "", "due": "2026-12-01", "set_by": "state", "note": ""}
    assert site.client("reporter").post("/deadlines/", deadline).status_code == 403
    assert (
        executive.post("/requests/", {"kind": "staff", "text": "x", "status": "draft"}).status_code
        == 403
    )
    assert not Snapshot.objects.exists()
    assert Business.objects.get(pk=o["business"].pk).obtained_with_id is None
    assert StageProgress.objects.get(pk=o["stage"].pk).planned_start is None
    assert Consultation.objects.get(pk=o["consultation"].pk).status == "open"
    assert Deadline.objects.count() == 1 and StateRequest.objects.count() == 1


def test_posts_without_a_csrf_token_are_refused(site: Site) -> None:
    client = site.client("secretariat", enforce_csrf_checks=True)
    o = site.objects
    posts = [
        (f"/organisations/{o['organisation'].pk}/", counts(o["business"])),
        (f"/stages/{o['stage'].pk}/", {"planned_start": "2026-12-01"}),
        (f"/businesses/{o['business'].pk}/survey/", {"obtained_with_id": "true"}),
        (
            "/consultations/",
            {"organisation": o["organisation"].pk, "category": "照合", "question": "csrf"},
        ),
        (f"/consultations/{o['consultation'].pk}/", {"answer": "x", "status": "answered"}),
        ("/deadlines/", {"due": "2026-12-01", "set_by": "state"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    assert not Snapshot.objects.exists()
    assert Business.objects.get(pk=o["business"].pk).obtained_with_id is None
    assert not Consultation.objects.filter(question="csrf").exists()

    page = client.get(f"/organisations/{o['organisation'].pk}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(
        f"/businesses/{o['business'].pk}/survey/",
        {"obtained_with_id": "true", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Business.objects.get(pk=o["business"].pk).obtained_with_id is True
