"""The review site in a real browser (Playwright driving Debian's chromium against the live
server): a supervisor collates uploaded files, reviews a SUSPECT and proposes the candidate's
number, a second supervisor approves, and the exports carry the correction. Screenshots of
the main pages go to test-output/screenshots/review/."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from himoken import mynumber
from himoken.summary import validate
from himoken.web.review.models import Case, Decision, Run
from tests.web.browser import Shooter, chromium, log_in, log_out, screenshots
from tests.web.conftest import PASSWORD, Site

pytestmark = pytest.mark.urls("himoken.web.urls_review")

COLLATION_TIMEOUT = 90_000  # ms; the synthetic world collates in a few seconds


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Per test (a second to start): Playwright's sync API keeps an event loop running in
    this thread while the browser is open, and Django's ORM refuses to run beside one, so the
    browser opens after the database fixtures and closes before their teardown."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def live(
    transactional_db: None, live_server: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> str:
    """The live server's URL, with collations started from the UI run in one of its threads.
    The test's own ORM calls run beside Playwright's event loop: Django needs permission."""
    settings.REVIEW_TASKS = "thread"
    settings.DATA_DIR = tmp_path / "data"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return live_server.url


@pytest.fixture
def page(browser: Browser, live: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live, locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def told(page: Page, text: str) -> None:
    """The page after a POST says `text` (retried: the previous page may still show)."""
    expect(page.locator("p.message")).to_have_text(text)


def shows_a_candidate(page: Page, href: str) -> bool:
    page.goto(href)
    return bool(page.locator("#candidate-number").inner_text().strip())


def test_collate_review_correct_approve_and_export(
    transactional_db: None, site: Site, collated: Path, page: Page
) -> None:
    shoot = Shooter(screenshots("review"))
    for old in shoot.folder.glob("*.png"):
        old.unlink()

    # A supervisor logs in through the real form and starts a collation of uploaded files.
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    shoot(page, "login")
    log_in(page, "supervisor", PASSWORD)
    page.locator("header").get_by_role("link", name="照合").click()
    expect(page.locator("#runs")).to_contain_text("まだ照合はない")
    form = page.locator("#upload-form")
    form.locator("select[name=business]").select_option(label=str(site.business))
    form.locator("input[name=register]").set_input_files(collated / "register.csv")
    form.locator("input[name=records]").set_input_files(collated / "kokin-koza" / "records.csv")
    form.locator("select[name=profile]").select_option("kokin-koza")
    shoot(page, "runs")
    form.get_by_role("button", name="照合を始める").click()

    # The run page polls the collation's progress and reloads itself when it is done.
    expect(page).to_have_url(re.compile(r"/runs/\d+/$"))
    run_url = page.url
    shoot(page, "run-progress")
    expect(page.locator("#run-status")).to_have_text("完了", timeout=COLLATION_TIMEOUT)
    expect(page.locator("#run-counts")).to_be_visible()
    expect(page.locator("#run-message")).to_have_text("")
    shoot(page, "run-finished")
    run = Run.objects.get()
    suspects = run.summary["verdicts"]["SUSPECT"]
    assert run.status == Run.Status.FINISHED and suspects > 0
    assert run.cases.filter(verdict="SUSPECT").count() == suspects

    # The worklist, filtered to SUSPECT; the first one with a candidate true owner is opened.
    page.get_by_role("link", name="要確認一覧へ").click()
    page.locator("select[name=verdict]").select_option("SUSPECT")
    page.get_by_role("button", name="絞り込む").click()
    expect(page).to_have_url(re.compile(r"[?&]verdict=SUSPECT"))
    rows = page.locator("#worklist tbody tr")
    expect(rows.first.locator("td").nth(1)).to_have_text("SUSPECT")
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"SUSPECT"}
    shoot(page, "worklist-suspect")
    worklist_url = page.url
    links = [(a.inner_text(), a.get_attribute("href")) for a in page.locator(
        "#worklist tbody td:nth-child(4) a").all()]  # fmt: skip
    assert len(links) == min(suspects, 50)
    record_id = next((rid for rid, href in links if shows_a_candidate(page, href)), None)
    assert record_id, "a SUSPECT with a candidate true owner on the first page"
    case_url = page.url
    case = Case.objects.get(run=run, record_id=record_id)
    assert case.verdict == "SUSPECT" and case.candidate_number
    expect(page.get_by_role("columnheader", name="住民記録(候補)")).to_be_visible()

    # Numbers are masked until revealed, and the reveal shows them in full.
    masked_linked = page.locator("#linked-number").inner_text()
    masked_candidate = page.locator("#candidate-number").inner_text()
    assert (masked_linked, masked_candidate) == (
        mynumber.mask(case.linked_number), mynumber.mask(case.candidate_number))  # fmt: skip
    assert case.linked_number not in page.content()
    assert case.candidate_number not in page.content()
    expect(page.locator("#decision-form select[name=number_source]")).to_have_value("candidate")
    shoot(page, "case-masked")
    page.locator("#reveal").click()
    expect(page.locator("#reveal")).to_have_count(0)  # the revealed page has no button
    linked = page.locator("#linked-number").inner_text().strip()
    candidate = page.locator("#candidate-number").inner_text().strip()
    assert mynumber.is_valid(candidate) and candidate != linked
    assert (linked, candidate) == (case.linked_number, case.candidate_number)

    # A phone call found the linkage wrong; the supervisor proposes the candidate's number.
    contact = page.locator("#contact-form")
    contact.locator("select[name=method]").select_option(label="電話")
    expect(contact.locator("input[name=on]")).not_to_have_value("")
    contact.locator("select[name=result]").select_option("confirmed_wrong")
    contact.locator("textarea[name=note]").fill("本人に電話、口座は家族名義")
    contact.get_by_role("button", name="記録する").click()
    told(page, "本人確認の記録を追加しました。")
    expect(page.locator("#status")).to_have_text("確認中")
    decision = page.locator("#decision-form")
    decision.locator("select[name=action]").select_option(label="番号を訂正")
    decision.locator("select[name=cause]").select_option(label="家族の番号")
    decision.locator("select[name=number_source]").select_option("candidate")
    decision.locator("textarea[name=comment]").fill("候補の番号に訂正")
    decision.get_by_role("button", name="判断を登録").click()
    told(page, "判断を登録しました。承認者の承認を待っています。")
    expect(page.locator("#status")).to_have_text("承認待ち")
    expect(page.locator("#approval-form")).to_have_count(0)  # never one's own
    expect(page.locator("#decision-form")).to_have_count(0)
    log_out(page)

    # A second supervisor finds it waiting and approves it.
    log_in(page, "supervisor2", PASSWORD)
    page.locator("header").get_by_role("link", name="承認待ち").click()
    waiting = page.locator("main table tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(record_id)
    expect(waiting).to_contain_text("番号を訂正")
    expect(waiting).to_contain_text("supervisor")
    shoot(page, "approvals")
    waiting.get_by_role("link", name=record_id).click()
    expect(page).to_have_url(case_url)
    approval = page.locator("#approval-form")
    expect(approval).to_be_visible()
    shoot(page, "case-approval")
    approval.locator("select[name=approved]").select_option(label="承認する")
    approval.locator("textarea[name=comment]").fill("確認した")
    approval.get_by_role("button", name="承認の判断を登録").click()
    told(page, "承認しました。")
    expect(page.locator("#status")).to_have_text("訂正済み")
    expect(page.locator("main")).to_contain_text("承認 supervisor2")
    expect(page.locator("#approval-form")).to_have_count(0)
    shoot(page, "case-approved")
    page.goto(worklist_url)
    expect(page.locator("#counts")).to_contain_text("訂正済み 1")

    # The run page counts it, and both exports carry it.
    page.goto(run_url)
    review = dict(
        zip(
            page.locator("#review-counts th").all_inner_texts(),
            page.locator("#review-counts td").all_inner_texts(),
            strict=True,
        )
    )
    assert (review["訂正済み"], review["承認待ち"]) == ("1", "0")
    shoot(page, "run-reviewed")
    with page.expect_download() as download:
        page.locator("#export-csv").click()
    assert re.fullmatch(r"corrections-\d+-\d{8}\.csv", download.value.suggested_filename)
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    row = rows[0]
    assert (row["レコード番号"], row["行番号"], row["処理"]) == (
        record_id, str(case.ordinal), "番号を訂正")  # fmt: skip
    assert (row["訂正前個人番号"], row["訂正後個人番号"]) == (linked, candidate)
    assert (row["誤りの原因"], row["判断者"], row["承認者"]) == (
        "家族の番号", "supervisor", "supervisor2")  # fmt: skip
    with page.expect_download() as download:
        page.locator("#export-summary").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    validate(document)
    assert document["review"]["corrected"] == 1
    assert document["review"]["correction_pending"] == 0
    assert document["causes"]["FAMILY_MEMBER"] == 1
    assert document["run"]["id"] == str(run.run_id)

    saved = Decision.objects.get(case=case)
    assert saved.new_number == candidate and saved.approved_by == site.users["supervisor2"]
    assert {p.name for p in shoot.folder.glob("*.png")} >= {
        "01-login.png",
        "04-run-finished.png",
        "06-case-masked.png",
        "09-case-approved.png",
    }


def test_a_wrong_password_is_refused(transactional_db: None, site: Site, page: Page) -> None:
    page.goto("/runs/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/runs/"))
    page.fill("#id_username", "supervisor")
    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator(".errorlist")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(re.compile(r"/runs/$"))


def test_a_handler_sees_no_upload_form_nor_approvals(
    transactional_db: None, site: Site, page: Page
) -> None:
    log_in(page, "handler", PASSWORD)
    expect(page.get_by_role("heading", name="要確認一覧")).to_be_visible()
    expect(page.locator("header").get_by_role("link", name="承認待ち")).to_have_count(0)
    page.goto("/runs/")
    expect(page.locator("#upload-form")).to_have_count(0)
    assert page.goto("/approvals/").status == 403
