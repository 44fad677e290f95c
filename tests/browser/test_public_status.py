"""A citizen checks a letter's status on a phone, in a real browser."""
from __future__ import annotations

from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.factories import make_user
from tests.integration.test_letters_cases import register
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


def test_a_citizen_checks_a_letter_on_a_small_screen(browser: Browser, live_server: str,
                                                    live_app, shots) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        code = register(make_user()).tracking_code
        db.session.remove()
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    page.goto(live_server + "/status/")
    page.fill("input[name=code]", code.lower())
    page.click("button[type=submit]")
    expect(page.locator("dl.facts")).to_contain_text(code)
    expect(page.locator("dl.facts")).to_contain_text("16/03/2026")
    expect(page.locator("body")).not_to_contain_text("Nguyễn Văn An")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # no sideways scrolling on a phone
    page.screenshot(path=str(shots / "status-phone.png"), full_page=True)
    context.close()
