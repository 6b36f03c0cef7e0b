"""Browser tests: Playwright driving Debian's Chromium against the live test server.

Chromium cannot be downloaded here (`playwright install` fails), so the system binary is used.
When it is missing the tests skip, unless TAIZHANG_REQUIRE_BROWSER=1 (CI sets it) makes that a failure.
"""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # sync Playwright beside live_server

CHROMIUM = os.environ.get("TAIZHANG_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(os.environ.get("TAIZHANG_TEST_OUTPUT", "test-output"))


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("TAIZHANG_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield instance
        instance.close()


def _watched(context):
    """A page that records every Content-Security-Policy violation (and Permissions-Policy error) the
    browser reports."""
    new = context.new_page()
    new.csp_violations = []
    new.dialogs = []  # the confirmation dialogs asked (data-confirm), each accepted as a user would

    def on_dialog(dialog):
        new.dialogs.append(dialog.message)
        dialog.accept()

    new.on("dialog", on_dialog)

    def on_console(message):
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text or "Permissions-Policy" in text:
            new.csp_violations.append(text)

    new.on("console", on_console)
    return new


@pytest.fixture
def page(browser):
    """The pages run under the real CSP; a violation fails the test that caused it."""
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    opened = _watched(context)
    yield opened
    context.close()
    assert opened.csp_violations == []


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-US", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    opened = _watched(context)
    yield opened
    context.close()
    assert opened.csp_violations == []


@pytest.fixture
def screenshot():
    OUTPUT.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = OUTPUT / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def login(page, base_url: str, username: str, password: str):
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-submit")
    page.wait_for_load_state()
