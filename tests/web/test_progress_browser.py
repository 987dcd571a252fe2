"""The progress site in a real browser (Playwright driving Debian's chromium against the live
server), on the demo prefecture mid-inspection: a reporter uploads their organisation's
aggregate report and finds its figures on the dashboard, an upload holding a My Number is
refused without showing it, the secretariat answers a consultation, the executive view lists
the late organisations, and the Excel report carries the right totals. Screenshots of the
main pages go to test-output/screenshots/progress/."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from himoken import mynumber
from himoken.summary import validate
from himoken.web.audit.models import Entry
from himoken.web.progress.dashboard import OrganisationRow, Overview, overview
from himoken.web.progress.demo import DEMO_PASSWORD, create_demo
from himoken.web.progress.models import Consultation, Organisation, Report, Role
from himoken.web.progress.templatetags.progress_words import outlook
from tests.web.browser import Shooter, chromium, log_in, log_out, screenshots

# The uploaded report: a 事務 the demo does not have, so its figures stand out; every flagged
# record settled, so it is finished (green) and leaves who is late unchanged.
BUSINESS, SYSTEM = "予防接種", "予防接種台帳システム"
VERDICTS = {"MATCH": 4200, "NOTATION": 60, "EXPLAINED": 21, "REVIEW": 25, "SUSPECT": 12,
            "INVALID": 3}  # fmt: skip
RECORDS, FLAGGED = sum(VERDICTS.values()), 40
REVIEW = {"flagged": FLAGGED, "confirmed_right": 34, "wrong_found": 6, "corrected": 5,
          "deleted": 0, "correction_pending": 1, "in_progress": 0}  # fmt: skip
CAUSES = {"FAMILY_MEMBER": 3, "HOMONYM": 2, "CARRY_OVER": 0, "ROW_SHIFT": 0, "TYPO": 1,
          "OTHER": 0}  # fmt: skip
FIGURES = ("対象件数", "照合件数", "要確認件数", "正しいと確認", "誤りの判明", "訂正済み", "残件数")


@dataclass
class Demo:
    today: dt.date
    reporter: Organisation  # the organisation of the demo user `reporter`
    before: Overview  # as of today, before anything is uploaded
    late: list[OrganisationRow]


@pytest.fixture
def live(transactional_db: None, live_server: Any, monkeypatch: Any) -> str:
    """The live server's URL. The test's own ORM calls run beside Playwright's event loop:
    Django needs permission."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return live_server.url


@pytest.fixture
def demo(live: str, monkeypatch: Any) -> Demo:
    """The demo prefecture as of today, and what the pages should show, computed before the
    browser opens. Today is pinned for the live server too, so a run across midnight in Tokyo
    sees one day. The overview cache is keyed by the data version, which restarts with each
    test database: cleared so no earlier test's overview is served."""
    cache.clear()
    today, localdate = timezone.localdate(), timezone.localdate

    def pinned(value: dt.datetime | None = None, timezone: Any = None) -> dt.date:
        return today if value is None else localdate(value, timezone)

    monkeypatch.setattr(timezone, "localdate", pinned)
    create_demo(today)
    before = overview(today)
    reporter = Role.objects.select_related("organisation").get(user__username="reporter")
    assert before.late, "the demo has late organisations"
    return Demo(today, reporter.organisation, before, before.late)


@pytest.fixture
def browser(demo: Demo) -> Iterator[Browser]:
    """Opens after the database and the demo are ready, closes before their teardown."""
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, live: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live, locale="ja-JP", timezone_id="Asia/Tokyo", accept_downloads=True,
        viewport={"width": 1280, "height": 900},
    )  # fmt: skip
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def summary(organisation: Organisation, finished: dt.datetime, **changes: Any) -> dict:
    document = {
        "schema": "himoken.summary/1",
        "organisation": {"code": organisation.code, "name": organisation.name},
        "business": BUSINESS,
        "system": SYSTEM,
        "run": {"id": str(uuid.uuid4()), "finished": finished.isoformat(),
                "engine": "himoken 0.1.0", "register_rows": 250_000, "record_rows": RECORDS},
        "verdicts": VERDICTS,
        "reasons": {"KANJI_VARIANT": 40, "MOVED": 20, "FAMILY_MEMBER": 12, "NAME_DIFF": 28},
        "warnings": {"register_duplicate_numbers": 0, "register_invalid_numbers": 0},
        "review": REVIEW,
        "causes": CAUSES,
    }  # fmt: skip
    document.update(changes)
    return document


def write(document: dict, path: Path) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def totals(page: Page) -> dict[str, str]:
    """The dashboard's 全体 panel: row heading -> figure (as of the page's day)."""
    rows = page.locator("#totals tr:has(td)")
    return {
        row.locator("th").inner_text().strip(): row.locator("td").first.inner_text().strip()
        for row in rows.all()
    }


def test_report_dashboard_consultation_executive_and_excel(
    demo: Demo, page: Page, tmp_path: Path
) -> None:
    shoot = Shooter(screenshots("progress"))
    for old in shoot.folder.glob("*.png"):
        old.unlink()
    before, reporter = demo.before, demo.reporter
    own_row = next(o for o in before.organisations if o.pk == reporter.pk)
    finished = dt.datetime.combine(
        demo.today - dt.timedelta(days=1),
        dt.time(17, 30),
        tzinfo=dt.timezone(dt.timedelta(hours=9)),
    )
    report = write(summary(reporter, finished), tmp_path / "summary.json")
    number = mynumber.with_check_digit("12345678901")
    holding = summary(reporter, finished, system=f"{SYSTEM} {number}")
    holding_number = write(holding, tmp_path / "summary-with-number.json")
    assert validate(json.loads(report.read_text(encoding="utf-8"))) == []
    assert validate(holding) != []

    # A reporter logs in through the real form and uploads their organisation's report.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="ログイン")).to_be_visible()
    shoot(page, "login")
    log_in(page, "reporter", DEMO_PASSWORD)
    header = page.locator("header")
    expect(header.get_by_role("link", name="Excel出力")).to_have_count(0)
    expect(header.get_by_role("link", name="幹部向け")).to_have_count(0)
    header.get_by_role("link", name="集計報告").click()
    expect(page.locator("#reports tbody")).to_contain_text("まだ報告はない")
    form = page.locator("#report-form")
    form.locator("input[name=file]").set_input_files(report)
    form.get_by_role("button", name="送信").click()
    expect(page.locator("p.message")).to_have_text(
        f"{reporter.name} {BUSINESS}({SYSTEM}) の集計報告を受け付けました。"
    )
    row = page.locator("#reports tbody tr")
    expect(row).to_have_count(1)
    cells = row.locator("td").all_inner_texts()
    assert cells[:3] == [reporter.name, BUSINESS, SYSTEM]
    assert cells[3].startswith(f"{finished:%Y-%m-%d}")
    assert cells[4:] == [f"{RECORDS:,}", str(FLAGGED)]
    shoot(page, "reports-uploaded")

    # A report whose system name holds a valid My Number is refused, and the number is not
    # shown back (nor logged).
    form.locator("input[name=file]").set_input_files(holding_number)
    form.get_by_role("button", name="送信").click()
    expect(page.locator("#report-form .errorlist")).to_contain_text(
        "/system: 値に個人番号と思われる12桁の数字がある"
    )
    expect(page.locator("p.message")).to_have_count(0)
    assert number not in page.content()
    expect(page.locator("#reports tbody tr")).to_have_count(1)
    shoot(page, "report-refused")
    assert Report.objects.count() == 1
    assert Entry.objects.filter(action="report.refused").count() == 1
    assert not any(number in json.dumps(e.detail) for e in Entry.objects.all())

    # Their dashboard: their own organisation only, and the report's figures in the totals.
    header.get_by_role("link", name="ダッシュボード").click()
    matrix = page.locator("#matrix tbody tr")
    expect(matrix).to_have_count(1)
    expect(matrix.locator("td").first).to_have_text(reporter.name)
    outlook_cell = matrix.locator("td").nth(-3)
    expect(outlook_cell).to_have_text(outlook(own_row.status))  # 順調 / 注意 / 遅れ
    expect(outlook_cell).to_have_class(own_row.status)
    expect(matrix.locator("td").last).to_have_text(f"{own_row.counts.remaining:,}")
    # A reporter's totals are their organisation's, the report's figures added.
    own = own_row.counts
    shown = totals(page)
    assert {name: shown[name] for name in FIGURES} == {
        "対象件数": f"{own.target + RECORDS:,}",
        "照合件数": f"{own.collated + RECORDS:,}",
        "要確認件数": f"{own.flagged + FLAGGED:,}",
        "正しいと確認": f"{own.confirmed_right + REVIEW['confirmed_right']:,}",
        "誤りの判明": f"{own.wrong_found + REVIEW['wrong_found']:,}",
        "訂正済み": f"{own.corrected + REVIEW['corrected']:,}",
        "残件数": f"{own.remaining:,}",  # all settled: nothing left of the report's records
    }
    b = before.totals
    shoot(page, "dashboard-reporter")

    # Their organisation's page lists the report's counts; the prefecture's pages are closed.
    header.get_by_role("link", name="自団体").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(reporter.name)
    expect(page.locator(f"section:has(h2:has-text('{BUSINESS}({SYSTEM})'))")).to_be_visible()
    counted = page.locator("#snapshots tbody tr", has_text="集計報告")
    expect(counted).to_have_count(1)
    assert counted.locator("td").all_inner_texts() == [
        f"{finished:%Y-%m-%d}", BUSINESS, f"{RECORDS:,}", f"{RECORDS:,}", str(FLAGGED),
        str(REVIEW["confirmed_right"]), str(REVIEW["wrong_found"]), str(REVIEW["corrected"]),
        "集計報告",
    ]  # fmt: skip
    assert page.goto("/executive/").status == 403
    assert page.goto("/exports/summary.xlsx").status == 403
    page.goto("/")
    log_out(page)

    # The secretariat sees every organisation, and answers a consultation.
    log_in(page, "secretariat", DEMO_PASSWORD)
    organisations = len(before.organisations)
    assert organisations <= 100  # one page of the matrix
    expect(page.locator("#matrix tbody tr")).to_have_count(organisations)
    expect(page.get_by_role("heading", name=re.compile("団体 × 段階"))).to_contain_text(
        f"({organisations}団体)"
    )
    assert totals(page)["対象件数"] == f"{b.target + RECORDS:,}"
    shoot(page, "dashboard-secretariat")
    page.locator("header").get_by_role("link", name="相談").click()
    waiting = Consultation.objects.filter(status=Consultation.Status.OPEN).count()
    assert waiting > 0
    expect(page.locator("#consultations tbody tr")).to_have_count(waiting)
    first = page.locator("#consultations tbody tr").first
    asked_by = first.locator("td").first.inner_text()
    first.locator("td:nth-child(3) a").click()
    expect(page).to_have_url(re.compile(r"/consultations/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"相談: {asked_by}")
    expect(page.locator("#consultation-status")).to_have_text("受付")
    expect(page.locator("#consultation-answer")).to_have_text("まだない")
    answer = page.locator("#answer-form")
    answer.locator("input[name=owner]").fill("事務局 照合担当")
    answer.locator("textarea[name=answer]").fill(
        "表記の揺れ(丁目・番地の書き方)だけなら正しい紐付けとして扱ってください。\n"
        "住所そのものが違うときは本人確認に回してください。"
    )
    answer.locator("select[name=status]").select_option(label="回答済み")
    answer.get_by_role("button", name="回答を記録").click()
    expect(page.locator("p.message")).to_have_text("回答を記録しました。")
    expect(page.locator("#consultation-status")).to_have_text("回答済み")
    expect(page.locator("#consultation-answer")).to_contain_text("正しい紐付けとして扱って")
    expect(page.locator("#consultation-answer")).to_contain_text("本人確認に回してください。")
    shoot(page, "consultation-answered")
    answered = Consultation.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    assert answered.status == Consultation.Status.ANSWERED
    assert answered.owner == "事務局 照合担当" and answered.organisation.name == asked_by
    page.get_by_role("link", name="相談の一覧へ").click()
    expect(page.locator("#consultations tbody tr", has_text="回答済み")).to_have_count(1)
    log_out(page)

    # The executive sees who is late, and downloads the Excel report.
    log_in(page, "executive", DEMO_PASSWORD)
    page.locator("header").get_by_role("link", name="幹部向け").click()
    late = page.locator("#late tbody tr")
    expect(late).to_have_count(min(len(demo.late), 200))
    expect(page.get_by_role("heading", name=re.compile("遅れている団体"))).to_contain_text(
        f"({len(demo.late)}団体)"
    )
    assert late.locator("td:nth-child(2)").all_inner_texts() == [o.name for o in demo.late[:200]]
    red = [o.name for o in demo.late if o.status == "red"]
    assert red, "the demo has organisations in red"
    assert page.locator("#late tbody tr:has(td.red) td:nth-child(2)").all_inner_texts() == red
    expect(page.locator("#answer")).to_have_class(re.compile(r"\bno\b"))
    shoot(page, "executive")
    with page.expect_download() as download:
        page.locator("header").get_by_role("link", name="Excel出力").click()
    assert download.value.suggested_filename == f"progress-{demo.today:%Y%m%d}.xlsx"
    saved = tmp_path / download.value.suggested_filename  # openpyxl goes by the extension
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved, read_only=True)["事務別"]
    table = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    head, body = table[0], table[1:]
    target = head.index("対象件数")
    names = [r[0] for r in body]
    assert names[-1] == "合計" and len(set(names)) == len(names)
    by_name = {r[0]: r for r in body}
    assert by_name["合計"][target] == b.target + RECORDS
    assert sum(r[target] for r in body[:-1]) == by_name["合計"][target]
    assert (by_name[BUSINESS][1], by_name[BUSINESS][target]) == (1, RECORDS)
    assert {"障害者手帳", "生活保護", "児童手当", "国民健康保険", "公金受取口座"} < set(names)

    assert {p.name for p in shoot.folder.glob("*.png")} == {
        "01-login.png",
        "02-reports-uploaded.png",
        "03-report-refused.png",
        "04-dashboard-reporter.png",
        "05-dashboard-secretariat.png",
        "06-consultation-answered.png",
        "07-executive.png",
    }
