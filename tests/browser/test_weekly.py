"""The chairperson's Monday in a real browser: the weekly list, an instruction that reaches the
handler (list and inbox badge), and the dashboard's charts."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import act
from tests.integration.test_letters_cases import register
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules

WEEK = "2026-W16"


def seed(live_app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    live_app.config["FIXED_TODAY"] = date(2026, 4, 15)
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        clerk = make_user()
        make_user("chutich", role="chair", unit=clerk.unit, full_name="Lê Văn Chủ")
        handler = make_user("canbo", role="handler", unit=clerk.unit, full_name="Phạm Thị Xử")
        old = accept(clerk, register(clerk), handler_id=handler.id)
        accept(clerk, register(clerk, received_on=date(2026, 3, 9), summary="Kiến nghị sửa đường liên thôn",
                               kind="petition"), on=date(2026, 3, 12), handler_id=handler.id)
        fresh = accept(clerk, register(clerk, received_on=date(2026, 4, 6), kind="denunciation",
                                       summary="Tố cáo việc xây dựng trái phép"), on=date(2026, 4, 8),
                       handler_id=handler.id)
        act(clerk, fresh, "submit", date(2026, 4, 9))
        ids = {"old": old.id}
        db.session.remove()
    return ids


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".account")).to_be_visible()


def test_the_chair_instructs_from_the_weekly_list_and_the_handler_sees_it(page: Page, live_server: str,
                                                                         live_app, shots) -> None:  # type: ignore[no-untyped-def]
    ids = seed(live_app)
    log_in(page, live_server, "chutich")
    page.goto(f"{live_server}/weekly/?week={WEEK}")
    overdue = page.locator("#s-overdue")
    expect(overdue.locator("tbody tr")).to_have_count(2)
    expect(overdue.locator("tbody tr").first).to_contain_text(str(ids["old"]))
    page.screenshot(path=str(shots / "weekly-list.png"), full_page=True)
    row = overdue.locator("tbody tr").first
    row.locator("details.instruct summary").click()
    row.locator("textarea[name=text]").fill("Xác minh thực địa, báo cáo trước cuộc họp thứ Hai")
    row.locator("input[name=due_on]").fill("24/04/2026")
    page.screenshot(path=str(shots / "weekly-instruction-form.png"), full_page=True)
    row.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("#s-instructions")).to_contain_text("Xác minh thực địa")
    page.goto(f"{live_server}/weekly/print?week={WEEK}")
    page.screenshot(path=str(shots / "weekly-print.png"), full_page=True)
    page.emulate_media(media="print")
    page.pdf(path=str(shots.parent / "weekly-list.pdf"), format="A4")
    page.emulate_media(media="screen")
    page.goto(f"{live_server}/weekly/?week={WEEK}")
    page.locator(".account button.link").click()

    log_in(page, live_server, "canbo")
    expect(page.locator(".account .badge.unread")).to_have_text("1")
    page.goto(f"{live_server}/instructions/")
    expect(page.locator("#my-instructions")).to_contain_text("Xác minh thực địa")
    expect(page.locator("#my-instructions")).to_contain_text("24/04/2026")
    page.screenshot(path=str(shots / "instructions-handler.png"), full_page=True)
    page.goto(f"{live_server}/inbox/")
    expect(page.locator(".inbox-list")).to_contain_text("Xác minh thực địa")
    page.screenshot(path=str(shots / "inbox-handler.png"), full_page=True)


def test_the_dashboard_draws_its_charts(page: Page, live_server: str, live_app, shots) -> None:  # type: ignore[no-untyped-def]
    seed(live_app)
    log_in(page, live_server, "chutich")
    page.goto(f"{live_server}/dashboard/")
    expect(page.locator("svg.chart")).to_have_count(5)  # cases by kind, status, trend, per month; the desk
    expect(page.locator(".cards .card").first).to_contain_text("3")
    bar = page.locator("svg.chart-hbar a").first
    expect(bar).to_have_attribute("href", "/cases/?state=open&kind=complaint")
    page.screenshot(path=str(shots / "dashboard.png"), full_page=True)
