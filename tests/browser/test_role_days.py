"""Each demo account's day in a real browser, on the demo province (issue 13): the page it lands on, its
main lists, one action. The screenshots are the user guide's: always written to test-artifacts/, and to
tracker/static/guide/ (JPEG 1366x768, quality 70) when TRACKER_GUIDE_SCREENSHOTS=1."""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations.demo import DEFAULT_PASSWORD
from tracker.services.operations.demo import load_demo

GUIDE = Path(__file__).resolve().parents[2] / "tracker" / "static" / "guide"


@pytest.fixture
def demo(live_app):  # type: ignore[no-untyped-def]
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        load_demo(now=datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")), visits=60, seed=13, letters_per_unit=60)
        db.session.remove()


def snap(page: Page, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"guide-{name}.jpg"), type="jpeg", quality=70)
    if os.environ.get("TRACKER_GUIDE_SCREENSHOTS") == "1":
        GUIDE.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(GUIDE / f"{name}.jpg"), type="jpeg", quality=70)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".account")).to_be_visible()
    expect(page.locator(".account a.guide-link")).to_be_visible()


def log_out(page: Page) -> None:
    page.locator(".account button.link").click()


def test_each_demo_account_has_a_day_worth_running_a_meeting_on(page: Page, live_server: str, demo,
                                                                 shots) -> None:  # type: ignore[no-untyped-def]
    base = live_server
    # The receptionist: the log book, the chair's next sessions with bookings, a new visit form.
    log_in(page, base, "tiepdan")
    snap(page, shots, "tiep-dan-1")
    page.goto(base + "/visits/")
    expect(page.locator("table tbody tr").first).to_be_visible()
    page.goto(base + "/visits/sessions")
    expect(page.locator("main")).to_contain_text("Lê Văn Thắng")
    snap(page, shots, "tiep-dan-2")
    page.goto(base + "/visits/new")
    expect(page.locator("#visit-form")).to_be_visible()
    snap(page, shots, "tiep-dan-3")
    log_out(page)

    # The handler: his cases, one case page, the inbox with reminders and instructions.
    log_in(page, base, "canbo")
    page.goto(base + "/cases/mine")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 10
    snap(page, shots, "xu-ly-1")
    rows.first.locator("a").first.click()
    expect(page.locator("main h1")).to_be_visible()
    snap(page, shots, "xu-ly-2")
    page.goto(base + "/inbox/")
    expect(page.locator(".inbox-list")).to_be_visible()
    snap(page, shots, "xu-ly-3")
    log_out(page)

    # The chair: the weekly list has overdue steps and cases waiting for a decision; reports; the overview.
    log_in(page, base, "chutich")
    page.goto(base + "/weekly/")
    expect(page.locator("#s-overdue tbody tr").first).to_be_visible()
    expect(page.locator("#s-awaiting_decision tbody tr").first).to_be_visible()
    snap(page, shots, "chu-tich-1")
    page.goto(base + "/reports/")
    expect(page.locator("main")).to_be_visible()
    snap(page, shots, "chu-tich-2")
    page.goto(base + "/dashboard/")
    expect(page.locator("svg.chart").first).to_be_visible()
    snap(page, shots, "chu-tich-3")
    log_out(page)

    # The inspector at the province sees the three communes.
    log_in(page, base, "thanhtra")
    snap(page, shots, "thanh-tra-1")
    page.goto(base + "/dashboard/")
    for name in ("Tân Phú", "Bình An", "Mường Lý"):
        expect(page.locator("main")).to_contain_text(name)
    snap(page, shots, "thanh-tra-2")
    page.goto(base + "/reports/")
    snap(page, shots, "thanh-tra-3")
    log_out(page)

    # The administrator: the landing page and the users.
    log_in(page, base, "quantri")
    snap(page, shots, "quan-tri-1")
    page.goto(base + "/admin/users")
    expect(page.locator("main")).to_contain_text("tiepdan")
    snap(page, shots, "quan-tri-2")

    # The guide itself: a page per role, printable.
    page.goto(base + "/huong-dan/")
    expect(page.locator("main")).to_contain_text("Hướng dẫn sử dụng")
    page.goto(base + "/huong-dan/chu-tich")
    expect(page.locator("h1")).to_contain_text("Chủ tịch")
    page.emulate_media(media="print")
    page.pdf(path=str(shots.parent / "guide-chu-tich.pdf"), format="A4")
