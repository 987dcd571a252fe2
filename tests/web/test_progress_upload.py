"""A reporter uploads summary.json on the reports page; a My Number in it is refused."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from himoken.mynumber import with_check_digit
from himoken.web.progress.models import Report
from tests.web.test_progress_reports import summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(client: Client, django_user_model: type) -> Client:
    user = django_user_model.objects.create_user("reporter", password="synthetic-only")
    client.force_login(user)
    return client


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


def test_an_upload_holding_a_my_number_is_refused_and_not_echoed(reporter: Client) -> None:
    number = with_check_digit("12345678901")
    response = post(reporter, summary(system=f"手帳台帳 {number}"))
    page = response.content.decode()
    assert Report.objects.count() == 0
    assert number not in page
    assert "errorlist" in page


def test_the_login_page_logs_a_reporter_in(client: Client, django_user_model: type) -> None:
    django_user_model.objects.create_user("reporter", password="synthetic-only")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/",
        {"username": "reporter", "password": "synthetic-only", "next": "/reports/"},
    )
    assert response.status_code == 302 and response["Location"] == "/reports/"
