"""The review site in English: Japanese by default, English once a user picks it (the language
switcher in the header posts to /i18n/setlang/), and catalogs that are complete, keep their
placeholders and are compiled from the .po committed next to them (the .mo ships so installs need
no gettext)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.test import Client

import himoken.web.accounts
import himoken.web.entry
import himoken.web.progress
import himoken.web.review
from himoken.web.review.models import Run
from tests.web.conftest import Site

pytestmark = [pytest.mark.django_db, pytest.mark.urls("himoken.web.urls_review")]

CATALOGS = [
    Path(app.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
    for app in (himoken.web.review, himoken.web.accounts, himoken.web.progress, himoken.web.entry)
]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{.*?\}\}")
JAPANESE = re.compile(r"[\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef]")  # incl. full-width punctuation
# A fresh checkout writes django.mo just before django.po (index order), so a compiled catalog
# may look a little older than its source; a stale one is older by far more than this.
CHECKOUT_SLACK = 2.0  # seconds


def entries(po: Path) -> list[tuple[list[str], str, str]]:
    """(flags, msgid, msgstr) of every entry of a .po file, the header included (msgid "").
    Continuation lines are joined; plural forms (none here) would be joined into msgstr."""
    found: list[tuple[list[str], str, str]] = []
    flags: list[str] = []
    parts: dict[str, str] = {}
    key = ""

    def close() -> None:
        nonlocal flags, parts
        if "msgid" in parts:
            msgstr = "".join(v for k, v in parts.items() if k.startswith("msgstr"))
            found.append((flags, parts["msgid"], msgstr))
        flags, parts = [], {}

    for line in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line or (line.startswith("#") and parts):
            close()
        if line.startswith("#,"):
            flags += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("msg"):
            if line.startswith("msgid ") and "msgstr" in "".join(parts):
                close()
            key, _, literal = line.partition(" ")
            parts[key] = ast.literal_eval(literal)
        elif line.startswith('"'):
            parts[key] += ast.literal_eval(line)
    return found


def english(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def get(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_worklist_is_japanese_by_default(site: Site, run: Run) -> None:
    text = get(site.client("handler"), "/")
    assert '<html lang="ja">' in text
    assert "要確認一覧" in text and "絞り込む" in text and "リスク" in text
    assert "Flagged records" not in text


def test_the_worklist_switches_to_english(site: Site, run: Run) -> None:
    text = get(english(site.client("handler")), "/")
    assert '<html lang="en">' in text
    assert "<h1>Flagged records</h1>" in text
    for label in ("Verdict", "Risk", "Record ID", "Assignee", "Minimum risk", "Sort by",
                  "Highest risk first", "Filter", "Assign selected records", "Not started",
                  "himoken linkage review", "Log out"):  # fmt: skip
        assert label in text, label
    for japanese in ("要確認一覧", "絞り込む", "リスクの高い順", "未着手", "ログアウト"):
        assert japanese not in text, japanese


def test_the_case_page_switches_to_english(site: Site, run: Run) -> None:
    case = run.cases.first()
    client = english(site.client("handler"))
    text = get(client, f"/cases/{case.pk}/")
    assert '<html lang="en">' in text
    for label in ("Field", "My Number", "Business records", "Resident register (linked)",
                  "Resident register (candidate)", "Explanation:", "Reasons:",
                  "Identity confirmation records", "Method", "Result", "Submit decision",
                  "Cause of error", "Corrected number", "Add comment"):  # fmt: skip
        assert label in text, label
    for japanese in ("住民記録(紐付け先)", "本人確認の記録", "判断を登録", "誤りの原因"):
        assert japanese not in text, japanese
    # the choice persists: a later page needs no second switch
    assert "<h1>Flagged records</h1>" in get(client, "/")


@pytest.mark.parametrize("po", CATALOGS, ids=lambda po: po.parents[3].name)
def test_the_catalog_is_complete(po: Path) -> None:
    header, *messages = entries(po)
    assert header[1] == "" and "fuzzy" not in header[0]
    for field in ("Language: en\n", "Content-Type: text/plain; charset=UTF-8\n",
                  "Plural-Forms: nplurals=2; plural=(n != 1);\n"):  # fmt: skip
        assert field in header[2], field
    assert messages
    untranslated = [msgid for _, msgid, msgstr in messages if not msgstr.strip()]
    assert not untranslated, f"untranslated in {po}: {untranslated}"
    fuzzy = [msgid for flags, msgid, _ in messages if "fuzzy" in flags]
    assert not fuzzy, f"fuzzy in {po}: {fuzzy}"
    for _, msgid, msgstr in messages:
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(msgstr)), msgid
        assert not JAPANESE.search(msgstr), f"Japanese left in {msgstr!r}"


@pytest.mark.parametrize("po", CATALOGS, ids=lambda po: po.parents[3].name)
def test_the_compiled_catalog_is_current(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.is_file(), f"{mo} missing: run compilemessages"
    assert mo.stat().st_mtime >= po.stat().st_mtime - CHECKOUT_SLACK, (
        f"{mo} is older than {po}: run compilemessages"
    )
    with mo.open("rb") as stream:
        compiled = gettext.GNUTranslations(stream)
    for _, msgid, msgstr in entries(po)[1:]:
        assert compiled.gettext(msgid) == msgstr, f"{mo} is stale at {msgid!r}"
