"""Shared pieces of the browser tests: Debian's chromium driven by Playwright (never a
downloaded browser), and the folder the screenshots go to."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

CHROMIUM = Path(os.environ.get("HIMOKEN_CHROMIUM", "/usr/bin/chromium"))
# Without the background-networking flags chromium keeps calling home, which the isolated
# network (and CI) never answers.
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--lang=ja",  # the browser's own controls (date inputs) in Japanese, as users see them
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPOSITORY = Path(__file__).resolve().parents[2]


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's chromium, headless. A missing browser fails the test: the browser tests are
    part of the suite, not optional."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests drive Debian's chromium "
            "(apt-get install chromium; or set HIMOKEN_CHROMIUM to its path). "
            "Never `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


def screenshots(site: str) -> Path:
    """test-output/screenshots/<site>/ (HIMOKEN_TEST_OUTPUT moves test-output/)."""
    root = Path(os.environ.get("HIMOKEN_TEST_OUTPUT", REPOSITORY / "test-output"))
    folder = root / "screenshots" / site
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Shooter:
    """Full-page screenshots numbered in the order they were taken."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0

    def __call__(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def log_in(page: Page, username: str, password: str) -> None:
    """Through the real login form; done when the header names the user."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator("header .who")).to_contain_text(username)


def log_out(page: Page) -> None:
    """The header's logout button, back to the login page."""
    page.locator("header").get_by_role("button", name="ログアウト").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
