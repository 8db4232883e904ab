"""The baked pages in a real browser, used with the keyboard alone.

Debian's Chromium, driven by Playwright, opens the PostgreSQL project served by gunicorn as
in production. Screenshots of each step go to a folder of the test's own, printed at the end.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from .serving import ServedApp

# Debian's package (``apt-get install chromium``; .ci/run installs it): Playwright drives it
# instead of a browser build of its own.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MOST_TABS = 20  # a form field further than this from the top of the page is not keyboard-usable

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    print(f"screenshots of the pages: {folder}", file=sys.stderr)


def tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with ``element_id`` has the focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} was not reached with {MOST_TABS} presses of Tab")


def tab_to_link(page: Page, text: str) -> None:
    """Press Tab until the link reading ``text`` has the focus."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    raise AssertionError(f"no link {text!r} within {MOST_TABS} presses of Tab")


def fill_in_the_form(page: Page, email: str, name: str) -> None:
    """Type into the add-user form and send it with Enter, as a keyboard user does."""
    tab_to(page, "email")
    page.keyboard.press("Control+A")  # what an earlier post left in the field
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type(name)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_keyboard_user_adds_a_user_and_is_told_when_the_email_is_taken(
    production_app: ServedApp, page: Page, screenshots: Path
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))

    page.goto(f"{production_app.base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Flask DB App")
    expect(page.get_by_role("row", name="default postgresql reachable")).to_be_visible()
    page.screenshot(path=screenshots / "1-landing.png", full_page=True)

    tab_to_link(page, "Users")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Add a user")).to_be_visible()
    # The app's own stylesheet applies: the policy let it load.
    button = page.get_by_role("button", name="Add user")
    expect(button).to_have_css("background-color", "rgb(31, 95, 168)")

    fill_in_the_form(page, "ada@example.com", "Ada Lovelace")
    assert page.url == f"{production_app.base}/users"  # redirected: post/redirect/get
    expect(page.get_by_role("status")).to_have_text("Added Ada Lovelace (ada@example.com).")
    expect(page.get_by_role("row", name="Ada Lovelace ada@example.com")).to_be_visible()
    page.screenshot(path=screenshots / "2-added.png", full_page=True)

    fill_in_the_form(page, "ADA@example.com", "Another Ada")
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_value("ADA@example.com")
    expect(page.get_by_label("Name")).to_have_value("Another Ada")
    expect(page.locator("#email-error")).to_have_text(
        "A user with email 'ada@example.com' already exists."
    )
    expect(page.get_by_role("alert")).to_contain_text("The user was not added")
    expect(page.get_by_role("row", name="Another Ada")).to_have_count(0)
    page.screenshot(path=screenshots / "3-duplicate.png", full_page=True)

    assert not [text for text in refused if "Content Security Policy" in text], refused
