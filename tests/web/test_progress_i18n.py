"""The progress site in English: Japanese by default, English once a user picks it (the language
switcher posts to /i18n/setlang/). The catalog itself is checked with the others in
test_review_i18n.py (complete, placeholders kept, compiled)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from himoken.web.progress.models import (
    Business,
    Consultation,
    Deadline,
    Organisation,
    Role,
    Snapshot,
)
from tests.web.test_review_i18n import english, get

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


# What the pages may still show in Japanese in English: the data (names entered by users)
# and the language switcher's own name for Japanese. Kana and kanji only: the full-width
# brackets around a 事務's system or late reason sit between Japanese names.
DATA = ("大阪市", "児童手当システム", "児童手当", "日本語")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]+")


def japanese_left(text: str) -> list[str]:
    """Japanese words on an English page, the data aside (with a little context each)."""
    for data in DATA:
        text = text.replace(data, "")
    return [text[max(m.start() - 30, 0) : m.end() + 30] for m in JAPANESE.finditer(text)]


def test_outlooks_stages_and_empty_charts_are_worded_in_english(
    secretariat: Client, django_user_model: type[Any]
) -> None:
    """Forecast codes are shown as words (their CSS classes stay codes), stage labels, form
    labels and fallbacks are translated: nothing but the data is left in Japanese."""
    organisation = Organisation.objects.get()
    due = timezone.localdate() + dt.timedelta(days=90)
    Deadline.objects.create(business_name="", due=due, set_by=Deadline.SetBy.STATE)
    consultation = Consultation.objects.create(organisation=organisation, category="照合",
                                               question="住所の表記差異")  # fmt: skip
    client = english(secretariat)

    text = get(client, "/")
    # the organisation has reported nothing: at risk; the prefecture as a whole has nothing
    # left to do: on track
    assert '<td class="amber">At risk</td>' in text
    assert '(<span class="green">On track</span>)' in text
    assert "No counts reported yet" in text
    for label in ("Finished", "In progress", "Planned", "Late"):
        assert f">{label}</span>" in text, label
    assert not japanese_left(text), japanese_left(text)

    # once counts are in, the burn-down's own words are English too
    Snapshot.objects.create(business=Business.objects.get(), on=timezone.localdate(),
                            target=1700, extracted=600, collated=500, source="form")  # fmt: skip
    text = get(client, "/")
    assert 'aria-label="Records remaining over time"' in text
    assert ">1,200 records</text>" in text and "<title>Ideal line</title>" in text
    assert f"<title>Deadline {due}</title>" in text
    assert not japanese_left(text), japanese_left(text)

    text = get(client, f"/organisations/{organisation.pk}/")
    assert 'Outlook <span class="amber">At risk</span>' in text
    assert "expected completion Cannot be forecast" in text
    assert "Cause: A family member&#x27;s number" in text  # the counts form
    assert not japanese_left(text), japanese_left(text)

    for url in ("/executive/", "/deadlines/", f"/consultations/{consultation.pk}/"):
        text = get(client, url)
        assert not japanese_left(text.replace("住所の表記差異", "").replace("照合", "")), url
    assert "All businesses" in get(client, "/deadlines/")
    # the upload form's own refusals, in the reader's language
    upload = SimpleUploadedFile("summary.json", b"{", content_type="application/json")
    text = client.post("/reports/", {"file": upload}).content.decode()
    assert "Cannot be read as a summary report (summary.json)" in text

    # an executive reads the survey's answers
    user = django_user_model.objects.create_user("executive", password="synthetic-only")
    Role.objects.create(user=user, kind=Role.Kind.EXECUTIVE)
    reader = Client()
    reader.force_login(user)
    text = get(english(reader), f"/organisations/{organisation.pk}/")
    assert "Obtained with identity documents: Not answered" in text
    assert not japanese_left(text), japanese_left(text)


def test_outlooks_are_worded_in_japanese_by_default(secretariat: Client) -> None:
    text = get(secretariat, "/")
    assert '<td class="amber">注意</td>' in text
    assert '(<span class="green">順調</span>)' in text
    assert "まだ件数の報告がない" in text and "未設定" in text
