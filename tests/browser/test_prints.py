"""The prints a commune files, printed by Chromium to PDF: a compact log book (15+ visits an A4 landscape
page, page numbers), and page numbers on the receipt and the "why this date" sheet."""
from __future__ import annotations

import subprocess
from datetime import date
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db

CONTENTS = (
    "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất cho thửa đất số 125, tờ bản đồ số 7",
    "Phản ánh việc xả rác thải, nước thải ra kênh thủy lợi gây ô nhiễm môi trường khu dân cư",
    "Khiếu nại việc bồi thường, hỗ trợ khi Nhà nước thu hồi đất thực hiện dự án mở rộng đường liên xã",
    "Hỏi tiến độ giải quyết hồ sơ",
)


def pdf_text(pdf: bytes, tmp_path: Path) -> tuple[int, list[str]]:
    """Number of pages and the text of each page (pdftotext, poppler-utils)."""
    path = tmp_path / "print.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    pages = text.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    return len(pages), pages


def log_in(page: Page, base: str, username: str = "letan") -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".account")).to_be_visible()


def test_sixty_visits_print_on_four_a4_landscape_pages_with_page_numbers(page: Page, live_server: str, live_app,
                                                                          shots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with live_app.app_context():
        user = make_user("letan", full_name="Trần Thị Bình")
        start = date(2026, 7, 1)
        for i in range(60):
            make_visit(user, visited_on=start + timedelta(days=i * 2), full_name=f"Nguyễn Văn Công {i + 1}",
                       id_number=f"0010850{i:05d}",
                       content=CONTENTS[i % len(CONTENTS)], classification=("petition", "feedback",
                                                                             "complaint", "petition")[i % 4],
                       handling=("guided", "answered", "referred", "guided")[i % 4],
                       referred_to="Phòng Tài nguyên và Môi trường" if i % 4 == 2 else None)
        db.session.remove()
    log_in(page, live_server)
    page.goto(live_server + "/visits/print?date_from=2026-07-01&date_to=2026-12-31")
    expect(page.locator("table.logbook tbody tr")).to_have_count(60)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", landscape=True, print_background=True, prefer_css_page_size=True)
    (shots / "log-book-60.pdf").write_bytes(pdf)
    pages, texts = pdf_text(pdf, tmp_path)
    assert pages <= 4, f"{pages} pages for 60 visits"
    # Page numbers in the footer of every page: "Trang 1/4" … (margin boxes of @page).
    for n, text in enumerate(texts, start=1):
        assert f"Trang {n}/{pages}" in text, text[-300:]
    # The header repeats on every page: the column numbers (1)…(13) are on the last page too.
    assert "(13)" in texts[-1]
    assert "27/10/2026" in texts[-1]  # the 60th visit, on the last page
    assert "001085000059" in texts[-1]  # its CCCD number on one line


def test_the_receipt_the_why_sheet_and_the_weekly_list_print_with_page_numbers(page: Page, live_server: str, live_app,
                                                                               shots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from tests.integration.test_letters_cases import accept
    from tests.integration.test_letters_cases import register
    from tracker.models import Clock
    from tracker.services.legal.deadlines import seed_calendar
    from tracker.services.legal.deadlines import seed_deadline_rules

    live_app.config["FIXED_TODAY"] = date(2026, 4, 15)
    with live_app.app_context():
        seed_deadline_rules()
        seed_calendar()
        chair = make_user("chutich", role="chair", full_name="Lê Văn Chủ")
        letter = register(chair, received_on=date(2026, 4, 6))
        letter_id = letter.id
        case = accept(chair, letter, on=date(2026, 4, 8))
        case_id = case.id
        clock_id = db.session.scalar(select(Clock.id).where(Clock.case_id == case.id))
        db.session.remove()
    log_in(page, live_server, "chutich")
    for name, url, must in (
            ("receipt", f"/letters/{letter_id}/receipt", ("GIẤY BIÊN NHẬN", "ngày 06 tháng 04 năm 2026")),
            ("why", f"/cases/{case_id}/clocks/{clock_id}/why", ("BẢNG TÍNH THỜI HẠN", "Vụ việc số 1/2026")),
            ("weekly", "/weekly/print?week=2026-W16", ())):
        page.goto(live_server + url)
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        (shots / f"print-{name}.pdf").write_bytes(pdf)
        pages, texts = pdf_text(pdf, tmp_path)
        for n, text in enumerate(texts, start=1):
            assert f"Trang {n}/{pages}" in text, (name, text[-200:])
        for words in must:
            assert words in " ".join(" ".join(texts).split()), (name, words)
        page.emulate_media(media="screen")
