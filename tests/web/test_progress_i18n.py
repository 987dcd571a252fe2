"""The progress site in English: Japanese by default, English once a user picks it (the language
switcher posts to /i18n/setlang/). The catalog itself is checked with the others in
test_review_i18n.py (complete, placeholders kept, compiled)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from himoken.web.progress.models import Business, Organisation, Role
from tests.web.test_review_i18n import _restore_language, english, get  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db  # the progress urls are the tests' default

TOTALS = ("Target records", "Records collated", "Records flagged", "Confirmed correct",
          "Found wrong", "Corrected", "Records remaining", "Organisation outlook",
          "Consultations (open / overdue)")  # fmt: skip


@pytest.fixture
def secretariat(django_user_model: type[Any]) -> Client:
    organisation = Organisation.objects.create(code="271004", name="大阪市", kind="municipality")
    Business.objects.create(organisation=organisation, name="児童手当", system="児童手当システム")
    user = django_user_model.objects.create_user("secretariat", password="synthetic-only")
    Role.objects.create(user=user, kind=Role.Kind.SECRETARIAT)
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_is_japanese_by_default(secretariat: Client) -> None:
    text = get(secretariat, "/")
    assert '<html lang="ja">' in text
    assert "点検の進捗" in text and "対象件数" in text and "残件数" in text
    assert "Inspection progress" not in text and "Records remaining" not in text


def test_the_dashboard_and_executive_view_switch_to_english(secretariat: Client) -> None:
    client = english(secretariat)
    text = get(client, "/")
    assert '<html lang="en">' in text
    assert "<h1>Inspection progress <small>" in text
    for label in (*TOTALS, "Dashboard", "Executive view", "Requests to the state",
                  "Records remaining over time", "Organisations × stages", "Outlook",
                  "Expected completion", "himoken progress management"):  # fmt: skip
        assert label in text, label
    for japanese in ("点検の進捗", "対象件数", "残件数", "団体の見通し", "幹部向け", "進捗管理"):
        assert japanese not in text, japanese

    # the choice persists: the executive view needs no second switch
    text = get(client, "/executive/")
    assert '<html lang="en">' in text
    for label in ("Will it finish by the deadline?", "Records remaining overall:",
                  "Organisation outlook:", "On track", "At risk", "Wrong linkages found:",
                  "Open consultations:", "Organisations behind schedule",
                  "Records remaining over time", "Cause of error"):  # fmt: skip
        assert label in text, label
    assert "児童手当(Not reported)" in text  # why a 事務 is late, in the reader's language
    for japanese in ("期限までに終わるか", "全体の残件数", "団体の見通し", "遅れている団体"):
        assert japanese not in text, japanese
