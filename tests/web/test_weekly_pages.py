"""The chairperson's week on the web: the weekly list, its print and Excel, instructions, inbox, dashboard."""
from __future__ import annotations

import io
import re
from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import act
from tests.integration.test_letters_cases import register
from tracker.exports.weekly_xlsx import SHEETS
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Instruction
from tracker.models import WeeklySnapshot
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.reports import weekly_view
from tracker.web.dashboard import svg

WEEK = "2026-W16"  # 13–19 April 2026, seen on Wednesday 15 April


@pytest.fixture
def office(app):  # type: ignore[no-untyped-def]
    """Two overdue cases (9 and 2 days over), one awaiting the chair's decision, one of another handler."""
    seed_deadline_rules()
    seed_calendar()
    app.config["FIXED_TODAY"] = date(2026, 4, 15)
    clerk = make_user()
    chair = make_user("chutich", role="chair", unit=clerk.unit, full_name="Lê Văn Chủ")
    handler = make_user("canbo", role="handler", unit=clerk.unit, full_name="Phạm Thị Xử")
    other = make_user("canbo2", role="handler", unit=clerk.unit, full_name="Đỗ Văn Khác")
    old = accept(clerk, register(clerk), handler_id=handler.id)  # due 6 April 2026
    later = accept(clerk, register(clerk, received_on=date(2026, 3, 9)), on=date(2026, 3, 12),
                   handler_id=handler.id)
    fresh = accept(clerk, register(clerk, received_on=date(2026, 4, 6)), on=date(2026, 4, 8), handler_id=other.id)
    act(clerk, fresh, "submit", date(2026, 4, 9))
    return {"clerk": clerk, "chair": chair, "handler": handler, "other": other, "old": old, "later": later,
            "fresh": fresh}


def section(html: str, name: str) -> str:
    match = re.search(rf'<section class="weekly-section" id="s-{name}".*?</section>', html, re.S)
    assert match, name
    return match.group(0)


def case_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/cases/(\d+)"', html)]


def test_the_weekly_list_shows_its_sections_most_overdue_first_and_never_a_sender(client, office) -> None:
    login(client, "chutich")
    page = client.get(f"/weekly?week={WEEK}&lang=en").get_data(as_text=True)
    overdue = section(page, "overdue")
    assert case_ids(overdue) == [office["old"].id, office["later"].id]
    assert "9 days over" in overdue and "Phạm Thị Xử" in overdue
    assert case_ids(section(page, "awaiting_decision")) == [office["fresh"].id]
    assert office["fresh"].id in case_ids(section(page, "new"))
    assert "13/04/2026" in page and "19/04/2026" in page
    assert "Nguyễn Văn An" not in page
    assert re.search(r'href="/weekly/?\?week=2026-W15"', page)
    assert re.search(r'href="/weekly/?\?week=2026-W17"', page)


def test_the_list_filters_by_handler_and_kind_and_a_handler_sees_only_his_cases(client, app, office) -> None:
    login(client, "chutich")
    page = client.get(f"/weekly/?week={WEEK}&handler={office['other'].id}").get_data(as_text=True)
    assert case_ids(section(page, "overdue")) == []
    assert case_ids(section(page, "awaiting_decision")) == [office["fresh"].id]
    page = client.get(f"/weekly/?week={WEEK}&kind=denunciation").get_data(as_text=True)
    assert case_ids(section(page, "overdue")) == []
    mine = app.test_client()
    login(mine, "canbo")
    page = mine.get(f"/weekly/?week={WEEK}&handler={office['other'].id}&lang=en").get_data(as_text=True)
    assert "Only my cases" in page
    assert case_ids(section(page, "overdue")) == [office["old"].id, office["later"].id]
    assert case_ids(section(page, "awaiting_decision")) == []
    assert "Write an instruction" not in page and "Mark the week as reviewed" not in page


def test_who_may_open_which_weekly_list(client, app, office) -> None:
    login(client, "letan")
    assert client.get(f"/weekly/?week={WEEK}").status_code == 403
    parent = make_unit("HUYEN", "UBND huyện Mẫu")
    commune = office["clerk"].unit
    commune.parent_id, commune.path = parent.id, f"{parent.path}{commune.id}/"
    make_unit("XA-02", "UBND xã Khác")
    make_user("thanhtra", role="inspector", unit=parent)
    db.session.commit()
    inspector = app.test_client()
    login(inspector, "thanhtra")
    page = inspector.get(f"/weekly/?week={WEEK}&unit=XA-01&lang=en")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert case_ids(section(html, "overdue")) == [office["old"].id, office["later"].id]
    assert "Write an instruction" not in html and "Mark the week as reviewed" not in html
    assert inspector.get(f"/weekly/?week={WEEK}&unit=XA-02").status_code == 404
    chair = app.test_client()
    login(chair, "chutich")
    assert chair.get("/weekly/?week=2026-W54").status_code == 400
    assert chair.get(f"/weekly/?week={WEEK}&unit=XA-02").status_code == 404


def test_the_print_page_is_a_plain_a4_document(client, office) -> None:
    login(client, "chutich")
    page = client.get(f"/weekly/print?week={WEEK}&lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Weekly list of cases" in html and "weekly.css" in html and "13/04/2026" in html
    assert 'name="csrf_token"' not in html and "<textarea" not in html
    assert "Nguyễn Văn An" not in html


def test_the_excel_export_has_one_sheet_per_section(client, office) -> None:
    login(client, "chutich")
    response = client.get(f"/weekly/export.xlsx?week={WEEK}")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == list(SHEETS.values())
    sheet = book["Quá hạn"]
    assert sheet["A2"].value == "Số vụ việc"
    assert [sheet.cell(row=r, column=1).value for r in (3, 4)] == [office["old"].number, office["later"].number]
    assert sheet["E3"].number_format == "dd/mm/yyyy"
    assert "Nguyễn Văn An" not in str([[c.value for c in row] for ws in book for row in ws.iter_rows()])


def test_the_chair_instructs_and_the_handler_finds_it_in_his_list_and_inbox(client, app, office) -> None:
    case = office["old"]
    login(client, "chutich")
    response = post_form(client, f"/instructions/new?case_id={case.id}",
                         {"text": "Xác minh thực địa và báo cáo", "due_on": "24/04/2026",
                          "assignee_id": str(office["handler"].id), "next": f"/weekly/?week={WEEK}"},
                         form_url=f"/weekly/?week={WEEK}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/weekly/?week={WEEK}")
    page = client.get(f"/weekly/?week={WEEK}").get_data(as_text=True)
    assert "Xác minh thực địa và báo cáo" in section(page, "instructions")
    handler = app.test_client()
    login(handler, "canbo")
    mine = handler.get("/instructions/").get_data(as_text=True)
    assert "Xác minh thực địa và báo cáo" in mine and "24/04/2026" in mine
    inbox = handler.get("/inbox/?lang=en").get_data(as_text=True)
    assert "Xác minh thực địa và báo cáo" in inbox
    assert re.search(r'class="badge unread"[^>]*>1</span>', inbox)
    note_id = re.search(r'href="/inbox/(\d+)"', inbox).group(1)
    opened = handler.get(f"/inbox/{note_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/cases/{case.id}")
    assert 'class="badge unread"' not in handler.get("/instructions/").get_data(as_text=True)
    instruction = db.session.scalar(select(Instruction))
    done = post_form(handler, f"/instructions/{instruction.id}/done", {"version": instruction.version},
                     form_url="/instructions/")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Instruction, instruction.id).done_on == date(2026, 4, 15)


def test_a_bad_instruction_is_shown_back_with_its_errors(client, office) -> None:
    login(client, "chutich")
    url = f"/instructions/new?case_id={office['old'].id}"
    response = post_form(client, url + "&lang=en", {"text": "", "due_on": "01/01/2026"}, form_url=url)
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)
    response = post_form(client, url + "&lang=en", {"text": "Làm ngay", "due_on": "01/04/2026"}, form_url=url)
    assert response.status_code == 400 and "past" in response.get_data(as_text=True)
    handler_client = client.application.test_client()
    login(handler_client, "canbo")
    assert handler_client.get(url).status_code == 403


def test_marking_the_week_reviewed_is_recorded_once(client, app, office) -> None:
    login(client, "chutich")
    first = post_form(client, "/weekly/review?lang=en", {"week": WEEK}, form_url=f"/weekly/?week={WEEK}",
                      follow_redirects=True)
    assert "marked as reviewed" in first.get_data(as_text=True)
    assert "Reviewed by Lê Văn Chủ" in first.get_data(as_text=True)
    snapshot = db.session.scalar(select(WeeklySnapshot))
    assert snapshot.reviewed_by_id == office["chair"].id and snapshot.week == WEEK
    again = client.post("/weekly/review?lang=en", data={"week": WEEK, "csrf_token": re.search(
        r'name="csrf_token" value="([^"]+)"', first.get_data(as_text=True)).group(1)}, follow_redirects=True)
    assert "already been marked as reviewed" in again.get_data(as_text=True)
    handler = app.test_client()
    login(handler, "canbo")
    assert post_form(handler, "/weekly/review", {"week": WEEK}, form_url="/instructions/").status_code == 403


def test_the_frozen_list_and_the_live_list_side_by_side(client, office) -> None:
    login(client, "chutich")
    post_form(client, "/weekly/review", {"week": WEEK}, form_url=f"/weekly/?week={WEEK}")
    newer = accept(office["clerk"], register(office["clerk"], received_on=date(2026, 4, 13)), on=date(2026, 4, 14))
    live = client.get(f"/weekly/?week={WEEK}&lang=en").get_data(as_text=True)
    frozen = client.get(f"/weekly/?week={WEEK}&view=frozen&lang=en").get_data(as_text=True)
    assert newer.id in case_ids(section(live, "new")) and newer.id not in case_ids(section(frozen, "new"))
    assert "As frozen on Monday" in live and "since frozen: +1" in live
    assert "You are looking at the list as it was frozen" in frozen


@pytest.mark.parametrize(("now", "week"), [
    (datetime(2026, 12, 27, 23, 30, tzinfo=UTC), "2026-W53"),   # already Monday 28 Dec in Hanoi
    (datetime(2026, 12, 27, 16, 59, tzinfo=UTC), "2026-W52"),   # still Sunday 23:59 in Hanoi
    (datetime(2027, 1, 3, 17, 0, tzinfo=UTC), "2027-W01"),      # Monday 4 Jan 2027, 00:00 in Hanoi
    (datetime(2027, 1, 3, 16, 0, tzinfo=UTC), "2026-W53"),      # Sunday 3 Jan 2027 belongs to 2026-W53
])
def test_this_week_is_counted_in_the_units_time_zone(now, week) -> None:
    assert weekly_view.current_week(now, "Asia/Ho_Chi_Minh") == week


def test_the_page_opens_on_this_week_of_the_unit(client, app, office) -> None:
    app.config["FIXED_TODAY"] = date(2026, 12, 28)
    login(client, "chutich")
    page = client.get("/weekly/?lang=en").get_data(as_text=True)
    assert "Week 53/2026" in page and "28/12/2026" in page and "03/01/2027" in page


def test_the_dashboard_counts_what_the_database_holds_and_draws_charts(client, office) -> None:
    login(client, "chutich")
    page = client.get("/dashboard/?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    open_cases = db.session.scalar(select(func.count()).select_from(Case).where(Case.is_open.is_(True)))
    overdue = db.session.scalar(select(func.count()).select_from(Case).where(
        Case.is_open.is_(True), Case.next_due_on < date(2026, 4, 15)))
    assert (open_cases, overdue) == (3, 2)
    assert f'<a href="/cases/?state=open">{open_cases}</a>' in html
    assert re.search(rf'href="/cases/\?overdue=y"><span class="big">{overdue}</span>', html)
    complaints = f'href="/cases/?state=open&amp;kind=complaint&amp;status=accepted">{open_cases}</a>'
    assert complaints in html
    assert html.count("<svg") == 5 and "<title" in html and "<desc" in html
    # The last week of the trend counts the two overdue cases; the month of April received one case.
    assert re.search(r"<td>Week 16/2026</td><td>15/04/2026</td><td class=\"num\"><a [^>]*>2</a>", html)


def test_the_dashboard_counts_the_reception_desk_visits_letters_and_letters_waiting(client, office) -> None:
    from tests.factories import make_visit

    for n in (1, 3):
        make_visit(office["clerk"], visited_on=date(2026, 4, 10), people_count=n, full_name=f"Người {n}",
                   today=date(2026, 4, 15))
    waiting = register(office["clerk"], received_on=date(2026, 3, 20))  # notice due in early April: late
    assert waiting.status == "registered"
    login(client, "chutich")
    html = client.get("/dashboard/").get_data(as_text=True)
    april = "date_from=01/04/2026&amp;date_to=30/04/2026"
    assert re.search(rf'href="/visits/\?{april}"><span class="big">2</span>'
                     r'<span>lượt tiếp trong tháng \(4 người\)', html)
    assert re.search(rf'href="/letters/\?{april}"><span class="big">1</span>', html)  # received 6 April
    assert re.search(r'class="card alert" href="/letters/\?status=registered"><span class="big">1</span>'
                     r'<span>đơn chưa có quyết định xử lý, 1 đơn quá hạn', html)
    march = "date_from=01/03/2026&amp;date_to=31/03/2026"
    assert f'<a href="/letters/?{march}">3</a>' in html  # 2, 9 and 20 March


def test_every_role_of_the_unit_sees_the_dashboard_and_an_inspector_sums_the_subtree(client, app, office) -> None:
    login(client, "letan")
    assert client.get("/dashboard/").status_code == 200
    parent = make_unit("HUYEN", "UBND huyện Mẫu")
    commune = office["clerk"].unit
    commune.parent_id, commune.path = parent.id, f"{parent.path}{commune.id}/"
    make_user("thanhtra", role="inspector", unit=parent)
    db.session.commit()
    inspector = app.test_client()
    login(inspector, "thanhtra")
    html = inspector.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "all units I follow" in html and '<a href="/cases/?state=open">3</a>' in html
    assert inspector.get("/dashboard/?unit=XA-01").status_code == 200
    assert inspector.get("/dashboard/?unit=NOPE").status_code == 404


def test_the_svg_charts_have_axes_labels_values_and_links() -> None:
    chart = svg.hbar_chart("Open cases", "By kind", [svg.Bar("Khiếu nại", 7, "/cases/?kind=complaint"),
                                                      svg.Bar("Tố cáo <x>", 0)])
    # links inside: a group (an image's children are hidden from screen readers), a picture only: an image
    assert chart.startswith("<svg") and 'role="group"' in chart and 'role="img"' not in chart
    assert "<title" in chart and "<desc" in chart
    assert 'href="/cases/?kind=complaint"' in chart and ">7</text>" in chart and "Tố cáo &lt;x&gt;" in chart
    assert "style=" not in chart
    line = svg.line_chart("Overdue", "Weekly", ["W01", "W02"], [0, 3], [None, "/cases/?overdue=y"])
    assert "<polyline" in line and ">3</text>" in line
    columns = svg.column_chart("Months", "Per month", ["01/26", "02/26"],
                               [svg.Series("Received", [2, 5]), svg.Series("Resolved", [1, 0])])
    assert columns.count('class="bar"') == 4 + 0 and "Received" in columns and 'role="img"' in columns
    assert svg.nice_max(0) == (1.0, 1.0) and svg.nice_max(7) == (8.0, 2.0) and svg.nice_max(93)[0] == 100


def test_a_visit_that_received_a_letter_stays_on_the_list_until_the_letter_is_registered(client, office) -> None:
    from tests.factories import make_visit
    from tracker.services.letters import register as letter_service
    from tracker.services.reception.citizens import CitizenInput
    from tracker.services.reception.visits import VisitorInput

    waiting = make_visit(office["clerk"], visited_on=date(2026, 4, 10), handling="letter_received",
                         classification="complaint", full_name="Trần Văn Nộp", today=date(2026, 4, 15))
    make_visit(office["clerk"], visited_on=date(2026, 4, 10), handling="answered", full_name="Lê Thị Hỏi",
               today=date(2026, 4, 15))
    login(client, "chutich")
    part = section(client.get(f"/weekly/?week={WEEK}").get_data(as_text=True), "visits_without_letter")
    assert f"/visits/{waiting.id}" in part and f"/letters/new?visit_id={waiting.id}" in part
    assert "Khiếu nại" in part and "Trần Văn Nộp" not in part and part.count("/visits/") == 1
    book = load_workbook(io.BytesIO(client.get(f"/weekly/export.xlsx?week={WEEK}").data))
    assert book[SHEETS["visits_without_letter"]]["A3"].value == f"{waiting.register_no}/{waiting.register_year}"
    letter_service.register_letter(office["clerk"], office["clerk"].unit, letter_service.LetterInput(
        received_on=date(2026, 4, 10), channel="visit", kind="complaint", summary="Khiếu nại", visit_id=waiting.id,
        senders=[VisitorInput(citizen=CitizenInput("Trần Văn Nộp"))]), date(2026, 4, 15))
    part = section(client.get(f"/weekly/?week={WEEK}").get_data(as_text=True), "visits_without_letter")
    assert f"/visits/{waiting.id}" not in part


def test_a_long_section_shows_its_first_items_and_its_count_and_opens_whole(client, app, office) -> None:
    app.config["WEEKLY_PAGE_ITEMS"] = 1
    login(client, "chutich")
    page = client.get(f"/weekly?week={WEEK}").get_data(as_text=True)
    overdue = section(page, "overdue")
    assert case_ids(overdue) == [office["old"].id]  # the most overdue first, the other behind the link
    assert '<span class="count-badge">2</span>' in overdue and "Xem tất cả 2 mục" in overdue
    link = re.search(r'href="([^"]*all=overdue[^"]*)"', overdue)
    assert link is not None
    whole = section(client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True), "overdue")
    assert case_ids(whole) == [office["old"].id, office["later"].id] and "Xem tất cả" not in whole
    printed = client.get(f"/weekly/print?week={WEEK}").get_data(as_text=True)
    assert printed.count('class="is-late"') >= 2 and "Xem tất cả" not in printed  # the print keeps every item
