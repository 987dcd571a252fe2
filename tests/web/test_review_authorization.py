"""Every URL of the review site × every role × own or other organisation gets exactly the
expected answer; a new URL without an expectation fails this test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from himoken.web.entry.models import EntryCheck
from himoken.web.residual import samples
from himoken.web.review.models import Case, Decision, Run
from tests.web.authorization import url_names, without_expectation
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]

ROLES = ("anonymous", "handler", "supervisor", "auditor", "outsider", "other_handler")
OK, DENIED, HIDDEN, LOGIN = "ok", "denied", "hidden", "login"
TOKEN = "token"  # 401: the API takes a business system's bearer token, never a session
REVIEWERS = {"handler": OK, "supervisor": OK, "auditor": DENIED, "outsider": HIDDEN,
             "other_handler": HIDDEN}  # fmt: skip
SUPERVISORS = REVIEWERS | {"handler": DENIED, "other_handler": DENIED}
EVERYONE = {"handler": OK, "supervisor": OK, "auditor": OK, "outsider": HIDDEN,
            "other_handler": HIDDEN}  # fmt: skip
ENTRY_REVIEWERS = REVIEWERS | {"other_handler": OK}  # entry checks are organisation-wide
API = dict.fromkeys(ROLES, TOKEN)
OPEN_TO_ALL = dict.fromkeys(ROLES, OK)
NOT_A_PAGE = dict.fromkeys(ROLES, HIDDEN)  # ninja's API root answers 404


# (method, path builder, expectation per role). HIDDEN: the object is another organisation's
# or another 事務's, so it does not exist for this user (404). `other_handler` handles another
# 事務 of the same organisation.
Objects = dict[str, Any]
EXPECTATIONS: dict[str, list[tuple[str, Callable[[Objects], str], dict[str, str]]]] = {
    "review:worklist": [("GET", lambda o: "/", REVIEWERS | {"outsider": OK, "other_handler": OK})],
    "review:case": [("GET", lambda o: f"/cases/{o['case'].pk}/", REVIEWERS)],
    "review:case_reveal": [("POST", lambda o: f"/cases/{o['case'].pk}/reveal/", REVIEWERS)],
    "review:case_contact": [("POST", lambda o: f"/cases/{o['case'].pk}/contacts/", REVIEWERS)],
    "review:case_decide": [("POST", lambda o: f"/cases/{o['case'].pk}/decisions/", REVIEWERS)],
    "review:case_comment": [("POST", lambda o: f"/cases/{o['case'].pk}/comments/", REVIEWERS)],
    "review:case_checklist": [("POST", lambda o: f"/cases/{o['case'].pk}/checklist/", REVIEWERS)],
    "review:case_letter": [
        ("GET", lambda o: f"/cases/{o['case'].pk}/letters/apology.pdf", REVIEWERS)
    ],
    "review:decision_approve": [
        ("POST", lambda o: f"/decisions/{o['decision'].pk}/approval/", SUPERVISORS)
    ],
    "review:approvals": [("GET", lambda o: "/approvals/", SUPERVISORS | {"outsider": OK})],
    "review:letter_template": [
        ("GET", lambda o: "/letters/apology/", SUPERVISORS | {"outsider": OK}),
        ("POST", lambda o: "/letters/apology/", SUPERVISORS | {"outsider": OK}),
    ],
    "review:audit": [
        (
            "GET",
            lambda o: "/audit/",
            EVERYONE | {"handler": DENIED, "other_handler": DENIED, "outsider": OK},
        )
    ],
    "review:runs": [("GET", lambda o: "/runs/", EVERYONE | {"outsider": OK, "other_handler": OK})],
    "review:run_start": [("POST", lambda o: "/runs/new/", SUPERVISORS | {"outsider": OK})],
    "review:run_import": [("POST", lambda o: "/runs/import/", SUPERVISORS | {"outsider": OK})],
    "review:run": [("GET", lambda o: f"/runs/{o['run'].pk}/", EVERYONE)],
    "review:run_progress": [("GET", lambda o: f"/runs/{o['run'].pk}/progress/", EVERYONE)],
    "review:run_corrections": [
        ("GET", lambda o: f"/runs/{o['run'].pk}/corrections.csv", SUPERVISORS),
        ("GET", lambda o: f"/runs/{o['run'].pk}/corrections.xlsx", SUPERVISORS),
    ],
    "review:run_summary": [("GET", lambda o: f"/runs/{o['run'].pk}/summary.json", EVERYONE)],
    "review:run_purge": [("POST", lambda o: f"/runs/{o['run'].pk}/purge/", SUPERVISORS)],
    "review:recollations": [
        ("GET", lambda o: "/recollation/", EVERYONE | {"outsider": OK, "other_handler": OK})
    ],
    "review:recollation": [
        ("GET", lambda o: f"/recollation/{o['run'].business_id}/", EVERYONE),
        (
            "POST",
            lambda o: f"/recollation/{o['run'].business_id}/",
            EVERYONE | {"handler": DENIED, "auditor": DENIED},
        ),
    ],
    # entry checks: organisation-wide (not per 事務); a supervisor decides overrides
    "entry:check": [
        ("GET", lambda o: "/entry-checks/", REVIEWERS | {"outsider": OK, "other_handler": OK})
    ],
    "entry:detail": [("GET", lambda o: f"/entry-checks/{o['entry'].pk}/", ENTRY_REVIEWERS)],
    "entry:request_override": [
        ("POST", lambda o: f"/entry-checks/{o['entry'].pk}/override/", ENTRY_REVIEWERS)
    ],
    "entry:decide_override": [
        ("POST", lambda o: f"/entry-checks/{o['entry'].pk}/decide/", SUPERVISORS)
    ],
    # the API: a bearer token or nothing, whoever is logged in; its schema and docs are open
    "entry_api:check_one": [("POST", lambda o: "/api/v1/linkage-checks", API)],
    "entry_api:check_batch": [("POST", lambda o: "/api/v1/linkage-checks/batch", API)],
    "entry_api:logged": [("GET", lambda o: f"/api/v1/linkage-checks/{o['entry'].pk}", API)],
    "entry_api:override": [
        ("POST", lambda o: f"/api/v1/linkage-checks/{o['entry'].pk}/override", API)
    ],
    "entry_api:openapi-json": [("GET", lambda o: "/api/v1/openapi.json", OPEN_TO_ALL)],
    "entry_api:openapi-view": [("GET", lambda o: "/api/v1/docs", OPEN_TO_ALL)],
    "entry_api:api-root": [("GET", lambda o: "/api/v1/", NOT_A_PAGE)],
    # residual risk: the estimate is counts only (auditors too), the sample's rows are not
    "residual:index": [
        ("GET", lambda o: "/residual/", EVERYONE | {"outsider": OK, "other_handler": OK})
    ],
    "residual:estimate": [("GET", lambda o: f"/residual/runs/{o['run'].pk}/", EVERYONE)],
    "residual:draw": [("POST", lambda o: f"/residual/runs/{o['run'].pk}/draw/", SUPERVISORS)],
    "residual:sample": [("GET", lambda o: f"/residual/runs/{o['run'].pk}/sample/", REVIEWERS)],
    "residual:sample_csv": [
        ("GET", lambda o: f"/residual/runs/{o['run'].pk}/sample.csv", REVIEWERS)
    ],
    "residual:sample_upload": [
        ("POST", lambda o: f"/residual/runs/{o['run'].pk}/sample/upload/", REVIEWERS)
    ],
    "residual:mark": [("POST", lambda o: f"/residual/rows/{o['sample_row'].pk}/", REVIEWERS)],
}


def test_every_url_has_an_expectation() -> None:
    names = url_names()
    unexpected = without_expectation(names, set(EXPECTATIONS))
    assert not unexpected, f"URLs with no authorization expectation: {sorted(unexpected)}"
    assert set(EXPECTATIONS) <= names, "expectations for URLs that no longer exist"


@pytest.fixture
def objects(site: Site, run: Run, django_user_model: type) -> Objects:
    from himoken.web.review.models import Role

    user = django_user_model.objects.create_user("other_handler", password="x")
    role = Role.objects.create(user=user, kind="handler", organisation=site.organisation)
    role.businesses.set([site.other_business])
    site.users["other_handler"] = user
    case = run.cases.order_by("-risk").first()
    decision = Decision.objects.create(case=case, action="delete", cause="OTHER",
                                       proposed_by=site.users["handler2"])  # fmt: skip
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CORRECTION_PENDING)
    sample = samples.draw(run, 5, 1, site.users["supervisor"])
    entry = EntryCheck.objects.create(organisation=site.organisation, number="********1234",
                                      decision="stop", verdict="SUSPECT")  # fmt: skip
    return {"case": case, "decision": decision, "run": run, "sample_row": sample.rows.first(),
            "entry": entry}  # fmt: skip


def answer(status: int, location: str) -> str:
    if status in (302, 301) and "/accounts/login/" in location:
        return LOGIN
    return {401: TOKEN, 403: DENIED, 404: HIDDEN}.get(status, OK)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_it_should(role: str, site: Site, objects: Objects) -> None:
    client = Client() if role == "anonymous" else site.client(role)
    wrong = []
    for name, checks in EXPECTATIONS.items():
        for method, path_of, expected in checks:
            path = path_of(objects)
            response = client.get(path) if method == "GET" else client.post(path, {})
            got = answer(response.status_code, response.get("Location", ""))
            want = expected.get("anonymous", LOGIN) if role == "anonymous" else expected[role]
            if got != want or response.status_code >= 500:
                wrong.append(f"{method} {path} ({name}): {got} {response.status_code}, want {want}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", ["handler", "supervisor", "auditor"])
def test_the_admin_is_closed_to_every_role(role: str, site: Site) -> None:
    response = site.client(role).get("/admin/review/role/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_posts_without_a_csrf_token_are_refused(site: Site, objects: Objects) -> None:
    client = site.client("supervisor", enforce_csrf_checks=True)
    case = objects["case"]
    for path in (f"/cases/{case.pk}/decisions/", f"/cases/{case.pk}/reveal/", "/runs/new/",
                 f"/runs/{objects['run'].pk}/purge/"):  # fmt: skip
        assert client.post(path, {"version": "0", "action": "keep"}).status_code == 403
    page = client.get(f"/cases/{case.pk}/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = client.post(f"/cases/{case.pk}/reveal/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
