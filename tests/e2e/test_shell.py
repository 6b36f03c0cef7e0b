"""Each demo role signs in and sees its home page in Chinese; English is one click away and sticks."""

import pytest

from taizhang.rectification.demo import load_sample_ledger
from taizhang.testing import DEMO_PASSWORD, PERSONAS, build_demo_org

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_role_sees_its_chinese_home_page(live_server, page, screenshot):
    build_demo_org()
    load_sample_ledger()
    for persona in PERSONAS:
        page.context.clear_cookies()
        login(page, live_server.url, persona, DEMO_PASSWORD)
        assert page.url.rstrip("/") == live_server.url
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        assert page.get_by_role("link", name="首页").first.is_visible()
        assert "您好" in page.locator("h1").inner_text()
        page.wait_for_function("document.querySelector('#chart-timeline canvas') !== null")
        screenshot(page, f"home-{persona}")


def test_switching_to_english_is_remembered(live_server, page, screenshot):
    build_demo_org()
    login(page, live_server.url, "office", DEMO_PASSWORD)
    page.click("#lang-en")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"{live_server.url}/org/units/")
    assert page.locator("h1").inner_text() == "Units"
    screenshot(page, "units-english")
    page.click("#lang-zh-hans")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "单位"


def test_usable_on_a_phone(live_server, phone, screenshot):
    build_demo_org()
    login(phone, live_server.url, "liaison", DEMO_PASSWORD)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide on a 375px screen"
    phone.click(".navbar-toggler")
    # The menu slides open (Bootstrap's collapse): a link clicked while it still moves can be missed,
    # as it was once under a loaded CI machine. The menu is used once it has opened.
    phone.locator(".navbar-collapse.show").wait_for()
    with phone.expect_navigation():  # the click's page, not the one it left (a load state is already reached)
        phone.get_by_role("link", name="组织机构").click()
    assert phone.locator("h1").inner_text() == "单位"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "phone-units")


def test_pages_run_under_a_strict_csp(live_server, page):
    """The policy is on in the browser: an inline script is refused (and reported), while every page
    the roles use, the dashboard's charts, the ledger chooser and the API documentation work without one."""
    build_demo_org()
    load_sample_ledger()
    login(page, live_server.url, "office", DEMO_PASSWORD)
    response = page.goto(f"{live_server.url}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("document.querySelector('#chart-timeline canvas') !== null")
    inject = "() => { const s = document.createElement('script'); s.textContent = 'window.leak = 1'; "
    page.evaluate(inject + "document.body.append(s); }")
    page.wait_for_timeout(200)
    assert page.evaluate("window.leak") is None and page.csp_violations
    page.csp_violations.clear()
    page.select_option("#source-select", index=1)
    page.wait_for_url("**/?source=*")
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("#swagger-ui .info")
    assert page.csp_violations == []
