"""A receptionist at the desk, in a real browser: log in, find a repeat visitor without typing
diacritics, log the visit, and print the log book."""
from __future__ import annotations

from datetime import date

from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.models import Citizen
from tracker.models import VisitCitizen


def seed(live_app) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        user = make_user("letan", full_name="Trần Thị Bình")
        make_visit(user, full_name="Nguyễn Văn An", birth_year=1985, id_number="001085012345",
                   visited_on=date(2026, 2, 5), content="Đề nghị cấp giấy chứng nhận quyền sử dụng đất")
        make_visit(user, full_name="Lê Thị Hoa", birth_year=1990, visited_on=date(2026, 3, 12),
                   content="Phản ánh rác thải tại khu phố 3", classification="feedback")
        db.session.remove()


def log_in(page: Page, base: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", "letan")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/visits/")


def test_a_receptionist_links_a_repeat_visitor_found_without_diacritics(page: Page, live_server: str,
                                                                       live_app, shots) -> None:  # type: ignore[no-untyped-def]
    seed(live_app)
    log_in(page, live_server)
    page.goto(live_server + "/visits/new")
    page.fill("input[name=full_name]", "nguyen van an")
    page.fill("input[name=birth_year]", "1985")
    suggestion = page.locator("#suggestions [data-pick]").first
    expect(suggestion).to_be_visible()
    expect(page.locator("#suggestions")).to_contain_text("Nguyễn Văn An")
    page.screenshot(path=str(shots / "visit-form-suggestion.png"), full_page=True)
    suggestion.click()
    expect(page.locator("#chosen-citizen")).to_contain_text("Nguyễn Văn An")
    page.fill("textarea[name=content]", "Hỏi tiến độ giải quyết hồ sơ cấp giấy chứng nhận")
    page.select_option("select[name=classification]", "petition")
    page.select_option("select[name=subject]", "land")
    page.select_option("select[name=handling]", "answered")
    page.locator("#visit-form button.primary[type=submit]").click()
    page.screenshot(path=str(shots / "visit-saved.png"), full_page=True)
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Nguyễn Văn An")
    with live_app.app_context():
        same_name = select(Citizen).where(Citizen.full_name == "Nguyễn Văn An")
        assert len(db.session.scalars(same_name).all()) == 1
        an = db.session.scalar(same_name)
        visits = db.session.scalar(
            select(func.count()).select_from(VisitCitizen).where(VisitCitizen.citizen_id == an.id))
        assert visits == 2
        db.session.remove()


def test_the_citizen_search_finds_names_typed_without_diacritics(page: Page, live_server: str,
                                                                 live_app, shots) -> None:  # type: ignore[no-untyped-def]
    seed(live_app)
    log_in(page, live_server)
    page.goto(live_server + "/citizens/")
    page.fill("input[name=q]", "le thi hoa")
    page.keyboard.press("Enter")
    expect(page.locator("table.list")).to_contain_text("Lê Thị Hoa")
    expect(page.locator("table.list")).not_to_contain_text("Nguyễn Văn An")
    page.goto(live_server + "/visits/")
    page.screenshot(path=str(shots / "visit-list.png"), full_page=True)


def test_the_log_book_prints_on_a4_landscape_in_the_official_columns(page: Page, live_server: str,
                                                                       live_app, shots) -> None:  # type: ignore[no-untyped-def]
    seed(live_app)
    log_in(page, live_server)
    page.goto(live_server + "/visits/")
    page.locator("a[href*='/visits/print']").first.click()
    expect(page.locator("body")).to_contain_text("SỔ TIẾP CÔNG DÂN")
    expect(page.locator("body")).to_contain_text("Nguyễn Văn An")
    expect(page.locator("body")).to_contain_text("05/02/2026")
    # Visits of 2026 before 1 July are in the form of Thông tư 04/2021 (Mẫu số 03).
    expect(page.locator("body")).to_contain_text("04/2021/TT-TTCP")
    page.screenshot(path=str(shots / "log-book-print.png"), full_page=True)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (shots / "log-book.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5000
