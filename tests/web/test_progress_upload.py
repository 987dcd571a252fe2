"""A reporter uploads summary.json on the reports page; a My Number in it is refused."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from himoken.mynumber import with_check_digit
from himoken.web.audit.models import Entry
from himoken.web.progress.models import Organisation, Report, Role
from tests.web.test_progress_reports import summary

pytestmark = pytest.mark.django_db
NAMES = {"271004": "大阪市", "272000": "堺市"}


def logged_in(client: Client, django_user_model: type, kind: str, code: str = "") -> Client:
    user = django_user_model.objects.create_user(f"{kind}{code}", password="synthetic-only")
    organisation = None
    if code:
        organisation, _ = Organisation.objects.get_or_create(
            code=code, defaults={"name": NAMES[code], "kind": "municipality"}
        )
    Role.objects.create(user=user, kind=kind, organisation=organisation)
    client.force_login(user)
    return client


@pytest.fixture
def reporter(client: Client, django_user_model: type) -> Client:
    return logged_in(client, django_user_model, "reporter", "271004")


def post(client: Client, document: dict) -> object:
    data = json.dumps(document, ensure_ascii=False).encode()
    upload = SimpleUploadedFile("summary.json", data, content_type="application/json")
    return client.post("/reports/", {"file": upload}, follow=True)


def test_the_reports_page_needs_a_login(client: Client) -> None:
    response = client.get("/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_uploaded_report_is_listed_with_its_figures(reporter: Client) -> None:
    response = post(reporter, summary())
    page = response.content.decode()
    assert "受け付けました" in page
    assert "大阪市" in page and "障害者手帳" in page
    assert Report.objects.get().flagged == 2
    assert list(Entry.objects.values_list("action", flat=True)) == ["login", "report.upload"]


def test_an_upload_holding_a_my_number_is_refused_and_not_echoed(reporter: Client) -> None:
    number = with_check_digit("12345678901")
    response = post(reporter, summary(system=f"手帳台帳 {number}"))
    page = response.content.decode()
    assert Report.objects.count() == 0
    assert number not in page
    assert "errorlist" in page
    assert Entry.objects.last().action == "report.refused"  # logged, without the number


def test_the_login_page_logs_a_reporter_in(client: Client, django_user_model: type) -> None:
    django_user_model.objects.create_user("reporter", password="synthetic-only")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": "reporter", "password": "synthetic-only", "next": "/reports/"},
    )
    assert response.status_code == 302 and response["Location"] == "/reports/"


def test_a_reporter_cannot_report_for_another_organisation(reporter: Client) -> None:
    response = post(reporter, summary(organisation={"code": "272000", "name": "堺市"}))
    assert Report.objects.count() == 0
    assert "自団体以外" in response.content.decode()


def test_a_reporter_sees_only_their_organisations_reports(
    client: Client, django_user_model: type
) -> None:
    secretariat = logged_in(Client(), django_user_model, "secretariat")
    post(secretariat, summary())
    post(secretariat, summary(organisation={"code": "272000", "name": "堺市"}))
    assert Report.objects.count() == 2
    page = logged_in(client, django_user_model, "reporter", "272000").get("/reports/")
    assert "堺市" in page.content.decode() and "大阪市" not in page.content.decode()


def test_an_executive_reads_but_cannot_upload(client: Client, django_user_model: type) -> None:
    executive = logged_in(client, django_user_model, "executive")
    page = executive.get("/reports/")
    assert page.status_code == 200 and "report-form" not in page.content.decode()
    assert post(executive, summary()).status_code == 403
    assert Report.objects.count() == 0


def test_a_user_without_a_progress_role_is_refused(client: Client, django_user_model: type) -> None:
    client.force_login(django_user_model.objects.create_user("nobody", password="x-synthetic"))
    assert client.get("/reports/").status_code == 403
