"""Entry checks on the review site: the API business systems call (tokens, single and batch
checks, CARRY_OVER across calls, overrides by two people, the log), its OpenAPI schema
exercised by schemathesis, and the clerks' form with a supervisor's override."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings

from himoken.prevention.register_index import build_index
from himoken.web.audit.models import Entry
from himoken.web.entry.api import api
from himoken.web.entry.models import ApiClient, EntryCheck, TerminalState
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]

URL = "/api/v1/linkage-checks"


@pytest.fixture(scope="session")
def register_index(collated: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("entry_index") / "register.index"
    build_index(collated / "register.csv", path)
    return path


@pytest.fixture
def token(site: Site, register_index: Path, settings: Any) -> str:
    settings.ENTRY_REGISTER_INDEX = str(register_index)
    _, issued = ApiClient.issue(site.organisation, "口座登録システム")
    return issued


def call(token: str, path: str, body: dict, **extra: Any) -> Any:
    return Client().post(
        path, json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}", **extra,
    )  # fmt: skip


def world_rows(collated: Path) -> list[tuple[dict[str, str], dict[str, str]]]:
    """(record, truth) of the world's 公金受取口座 extract."""
    folder = collated / "kokin-koza"
    with (folder / "records.csv").open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    with (folder / "truth.csv").open(encoding="utf-8-sig", newline="") as handle:
        truth = list(csv.DictReader(handle))
    return list(zip(records, truth, strict=True))


def body_of(record: dict[str, str], terminal: str = "") -> dict[str, str]:
    return {
        "number": record["個人番号"], "name": record["氏名"], "reading": record["氏名フリガナ"],
        "birth_date": record["生年月日"], "sex": record["性別"], "address": record["住所"],
        "method": record["紐付け方法"], "operator": "op1", "terminal": terminal,
    }  # fmt: skip


def first(collated: Path, kind: str) -> tuple[dict[str, str], dict[str, str]]:
    return next(
        (r, t) for r, t in world_rows(collated)
        if t["誤り種別"] == kind and (kind or t["要確認"] == "0")
    )  # fmt: skip


def test_a_right_number_is_accepted_and_logged_without_the_number(
    token: str, collated: Path
) -> None:
    record, _ = first(collated, "")
    response = call(token, URL, body_of(record))
    assert response.status_code == 200, response.content
    found = response.json()
    assert found["decision"] in ("accept", "accept_with_note")
    row = EntryCheck.objects.get(pk=found["id"])
    assert row.number.endswith(record["個人番号"][-4:]) and record["個人番号"] not in row.number
    assert row.decision == found["decision"] and row.client.name == "口座登録システム"


def test_a_family_members_number_is_stopped_and_the_owner_offered(
    token: str, collated: Path
) -> None:
    record, truth = first(collated, "FAMILY_MEMBER")
    found = call(token, URL, body_of(record)).json()
    assert found["decision"] == "stop" and "FAMILY_MEMBER" in found["warnings"]
    assert found["suggestion"]["number"] == truth["正しい個人番号"]
    assert EntryCheck.objects.get(pk=found["id"]).suggestion.endswith(truth["正しい個人番号"][-4:])


def test_the_number_of_the_person_before_on_the_terminal_is_a_carry_over(
    token: str, collated: Path
) -> None:
    (a, _), (b, _) = [(r, t) for r, t in world_rows(collated) if t["要確認"] == "0"][:2]
    assert call(token, URL, body_of(a, "T-01")).json()["decision"] != "stop"
    carried = {**body_of(b, "T-01"), "number": a["個人番号"]}  # b keyed with a's number
    found = call(token, URL, carried).json()
    assert found["decision"] == "stop" and "CARRY_OVER" in found["warnings"]
    # Another terminal served no one with that number just before: no carry-over named.
    elsewhere = call(token, URL, {**carried, "terminal": "T-02"}).json()
    assert elsewhere["decision"] == "stop" and "CARRY_OVER" not in elsewhere["warnings"]
    assert TerminalState.objects.filter(terminal="T-01").count() == 1


def test_a_batch_says_what_the_single_checks_say(token: str, collated: Path) -> None:
    rows = world_rows(collated)[:60]
    bodies = [body_of(r, terminal=f"B-{i % 3}") for i, (r, _) in enumerate(rows)]
    batch = call(token, f"{URL}/batch", {"records": bodies})
    assert batch.status_code == 200
    results = batch.json()["results"]
    TerminalState.objects.all().delete()
    singles = [call(token, URL, body).json() for body in bodies]
    strip = lambda r: {k: v for k, v in r.items() if k != "id"}  # noqa: E731
    assert [strip(r) for r in results] == [strip(r) for r in singles]
    assert {r["decision"] for r in results} >= {"accept", "stop"}
    assert EntryCheck.objects.count() == 120


def test_an_override_needs_a_second_person(token: str, collated: Path, site: Site) -> None:
    record, _ = first(collated, "HOMONYM")
    stopped = call(token, URL, body_of(record)).json()
    assert stopped["decision"] == "stop"
    path = f"{URL}/{stopped['id']}/override"
    same = call(token, path, {"operator": "op1", "approver": "op1", "reason": "本人確認済み"})
    assert same.status_code == 409 and "別の承認者" in same.json()["detail"]
    done = call(token, path, {"operator": "op1", "approver": "chief", "reason": "本人確認済み"})
    assert done.status_code == 200 and done.json()["override"] == "approved"
    assert call(token, path, {"operator": "a", "approver": "b", "reason": "x"}).status_code == 409
    assert Entry.objects.filter(action="entry.override").count() == 1
    accepted = call(token, URL, body_of(first(collated, "")[0])).json()
    refused = call(token, f"{URL}/{accepted['id']}/override", {"operator": "a", "approver": "b",
                                                               "reason": "x"})  # fmt: skip
    assert refused.status_code == 409
    # Another organisation's system cannot see or override it.
    _, theirs = ApiClient.issue(site.users["outsider"].review_role.organisation, "他市")
    assert call(theirs, path, {"operator": "a", "approver": "b", "reason": "x"}).status_code == 404
    got = Client().get(f"{URL}/{stopped['id']}", HTTP_AUTHORIZATION=f"Bearer {theirs}")
    assert got.status_code == 404


def test_tokens_inputs_and_a_missing_index_are_refused_clearly(
    token: str, collated: Path, site: Site, settings: Any
) -> None:
    body = body_of(first(collated, "")[0])
    assert call("hk_nope_nope", URL, body).status_code == 401
    assert Client().post(URL, json.dumps(body), content_type="application/json").status_code == 401
    ApiClient.objects.update(active=False)
    assert call(token, URL, body).status_code == 401
    ApiClient.objects.update(active=True)
    assert call(token, URL, {**body, "name": ""}).status_code == 422
    assert call(token, URL, {**body, "name": "佐藤\x00"}).status_code == 422
    assert call(token, f"{URL}/batch", {"records": []}).status_code == 422
    settings.ENTRY_REGISTER_INDEX = "/nonexistent/register.index"
    missing = call(token, URL, body)
    assert missing.status_code == 503 and "索引" in missing.json()["detail"]


def test_the_schema_describes_the_operations() -> None:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    assert {"/api/v1/linkage-checks", "/api/v1/linkage-checks/batch"} <= set(schema["paths"])
    assert "bearer" in json.dumps(schema["components"]["securitySchemes"]).lower()


# --- the schema, exercised ---------------------------------------------------------------------

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1/"))
SCHEMA.app = WSGIHandler()


@pytest.fixture
def _connection_kept() -> Iterator[None]:
    """Django's own test client keeps the test's connection open across requests (it is
    inside the test's transaction); schemathesis calls the plain WSGI handler, so the same."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@SCHEMA.parametrize()
@settings(
    max_examples=40,
    derandomize=True,  # the same requests on every run: CI is not a lottery
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.usefixtures("_connection_kept")
def test_the_api_keeps_to_its_schema(case: Any, token: str) -> None:
    """Generated requests (valid and not) get a documented answer, never a server error."""
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"})


# --- the clerks' form ----------------------------------------------------------------------------


def form_of(record: dict[str, str]) -> dict[str, str]:
    return {
        "number": record["個人番号"], "name": record["氏名"], "reading": record["氏名フリガナ"],
        "birth_date": record["生年月日"], "sex": "", "address": record["住所"], "method": "",
    }  # fmt: skip


def test_a_clerk_checks_and_a_supervisor_decides_the_override(
    site: Site, collated: Path, register_index: Path, settings: Any
) -> None:
    settings.ENTRY_REGISTER_INDEX = str(register_index)
    record, truth = first(collated, "FAMILY_MEMBER")
    handler = site.client("handler")
    page = handler.post("/entry-checks/", form_of(record))
    assert page.status_code == 200
    text = page.content.decode()
    assert "FAMILY_MEMBER" in text and truth["正しい個人番号"] not in text  # masked
    row = EntryCheck.objects.get()
    assert row.user == site.users["handler"] and row.terminal == "web:handler"
    assert Entry.objects.filter(action="entry.check").exists()
    path = f"/entry-checks/{row.pk}/"
    handler.post(f"{path}override/", {"reason": "窓口で本人確認書類を確認した"})
    row.refresh_from_db()
    assert row.override == "requested" and row.requested_by == "handler"
    # The clerk cannot approve their own request, a handler cannot decide at all.
    assert handler.post(f"{path}decide/", {"approve": "1"}).status_code == 403
    site.client("supervisor").post(f"{path}decide/", {"approve": "1"})
    row.refresh_from_db()
    assert row.override == "approved" and row.approved_by == "supervisor"
    # Another organisation never sees it; an auditor does not type personal data in.
    assert site.client("outsider").get(path).status_code == 404
    assert site.client("auditor").get("/entry-checks/").status_code == 403


def test_a_supervisor_cannot_approve_their_own_request(
    site: Site, collated: Path, register_index: Path, settings: Any
) -> None:
    settings.ENTRY_REGISTER_INDEX = str(register_index)
    supervisor = site.client("supervisor")
    supervisor.post("/entry-checks/", form_of(first(collated, "HOMONYM")[0]))
    row = EntryCheck.objects.get()
    supervisor.post(f"/entry-checks/{row.pk}/override/", {"reason": "確認済み"})
    page = supervisor.post(f"/entry-checks/{row.pk}/decide/", {"approve": "1"}, follow=True)
    assert "自分の申請は承認できない" in page.content.decode()
    row.refresh_from_db()
    assert row.override == "requested"


def test_the_entry_page_switches_to_english(site: Site) -> None:
    client = site.client("handler")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = client.get("/entry-checks/").content.decode()
    assert "Entry check" in text and "Recent checks" in text and "Date of birth" in text
    assert "紐付け時の確認" not in text and "最近の確認" not in text


def test_the_api_docs_page_loads_nothing_from_the_network() -> None:
    page = Client().get("/api/v1/docs").content.decode()
    assert "swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert Client().get("/api/v1/openapi.json").json()["info"]["version"] == "1"
