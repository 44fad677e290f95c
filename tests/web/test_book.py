"""The log book pages: print in the official layouts, Excel export and template, Excel import with permissions."""
from __future__ import annotations

import html
import io
import re
from datetime import date
from datetime import datetime

import pytest
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Visit
from tracker.services.reception import logbook


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def xlsx(rows: list[list[object]]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append([str(c.header) for c in logbook.EXCEL_COLUMNS])
    keys = [c.key for c in logbook.EXCEL_COLUMNS]
    for row in rows:
        values = dict(row)
        ws.append([values.get(k) for k in keys])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


GOOD = [("visited_on", "05/03/2026"), ("full_name", "Lê Thị Cúc"), ("content", "Hỏi thủ tục tách thửa"),
        ("classification", "Kien nghi"), ("handling", "huong dan")]


def upload(client, data: io.BytesIO, name: str = "so.xlsx", **extra: str):  # type: ignore[no-untyped-def]
    return post_form(client, "/visits/import", {"file": (data, name), **extra}, content_type="multipart/form-data")


def test_the_printed_book_uses_each_form_for_the_dates_it_was_in_force(client) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 6, 30), full_name="Nguyễn Văn An", handling="letter_received")
    make_visit(user, visited_on=date(2026, 7, 1), full_name="Trần Thị Bình", handling="referred",
               referred_to="Thanh tra tỉnh", handling_document_no="5/CV")
    login(client, "letan")
    response = client.get("/visits/print?date_from=01/06/2026&date_to=31/07/2026")
    page = text_of(response)
    assert response.status_code == 200
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page and "Độc lập - Tự do - Hạnh phúc" in page
    assert page.count("SỔ TIẾP CÔNG DÂN") == 2 and "UBND XÃ THỬ NGHIỆM" in page
    assert "Mẫu số 03<" in page and "Thông tư 04/2021/TT-TTCP" in page
    assert "Mẫu số 03/TCD" in page and "Nghị định 154/2026/NĐ-CP" in page
    assert _("From %(start)s to %(end)s", start="01/06/2026", end="30/06/2026") in page
    assert _("From %(start)s to %(end)s", start="01/07/2026", end="31/07/2026") in page
    old, new = page.split("Mẫu số 03/TCD")
    assert "(12)" in old and "(13)" not in old and "Nguyễn Văn An" in old and "30/06/2026" in old
    assert "(13)" in new and "Trần Thị Bình" in new and "Nguyễn Văn An" not in new
    assert _("Within competence") in new and _("Accepted for settlement") in old
    assert 'href="/static/print.css"' in page and "<script>" not in page and "style=" not in page


def test_a_period_before_july_2026_prints_only_the_old_form(client) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 3, 5))
    login(client, "letan")
    page = text_of(client.get("/visits/print?date_to=30/06/2026"))
    assert "Mẫu số 03<" in page and "Mẫu số 03/TCD" not in page and "05/03/2026" in page


def test_printing_more_than_the_cap_asks_to_narrow_the_period(client, monkeypatch) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 3, 5))
    make_visit(user, visited_on=date(2026, 3, 6))
    monkeypatch.setattr(logbook, "PRINT_MAX_ROWS", 1)
    login(client, "letan")
    page = text_of(client.get("/visits/print"))
    assert "SỔ TIẾP CÔNG DÂN" not in page
    assert _("This selection has %(n)s visits, more than the %(max)s that can be printed at once. Please narrow "
             "the period (From / To) or the filters and print again.", n=2, max=1) in page


def test_the_export_is_an_excel_book_of_the_filtered_visits_with_real_dates(client) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 3, 5), full_name="Nguyễn Văn An", classification="complaint")
    make_visit(user, visited_on=date(2026, 4, 1), full_name="Trần Thị Bình")
    make_visit(make_user("khac", unit=make_unit("XA-02", "UBND xã Khác")), visited_on=date(2026, 3, 9))
    login(client, "letan")
    response = client.get("/visits/export.xlsx?date_to=31/03/2026")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(response.data))[logbook.EXCEL_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c.header) for c in logbook.EXCEL_COLUMNS]
    assert len(rows) == 2 and rows[1][1] == datetime(2026, 3, 5) and rows[1][7] == "Nguyễn Văn An"
    assert rows[1][17] == _("Complaint") and ws["B2"].number_format == "dd/mm/yyyy"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export")) is not None


def test_the_import_template_is_an_export_of_no_rows(client) -> None:
    make_user()
    login(client, "letan")
    assert "/visits/export.xlsx?template=1" in client.get("/visits/import").get_data(as_text=True)
    ws = load_workbook(io.BytesIO(client.get("/visits/export.xlsx?template=1").data))[logbook.EXCEL_SHEET]
    assert [list(r) for r in ws.iter_rows(values_only=True)] == [[str(c.header) for c in logbook.EXCEL_COLUMNS]]


def test_a_receptionist_imports_a_book_and_a_dry_run_writes_nothing(client) -> None:
    make_user()
    login(client, "letan")
    rows = [GOOD, GOOD + [("full_name", "Phan Văn Dũng")]]
    response = upload(client, xlsx(rows), dry_run="y")
    assert response.status_code == 200 and visit_count() == 0
    assert _("Check passed: %(n)s visits can be imported. Nothing has been written (dry run).", n=2) in text_of(
        response)
    response = upload(client, xlsx(rows))
    assert response.status_code == 302 and visit_count() == 2


def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(client) -> None:
    make_user()
    login(client, "letan")
    response = upload(client, xlsx([GOOD, GOOD + [("register_no", "=1+1")], GOOD + [("classification", "?")]]))
    page = text_of(response)
    assert response.status_code == 400 and visit_count() == 0
    assert message("import_failed") in page
    assert _("Row %(row)s, column '%(column)s': %(message)s", row=3, column=_("Register number"),
             message=message("import_formula")) in page
    assert re.search(r"4\D+" + re.escape(_("Classification")), page)


def test_a_file_that_is_not_a_workbook_is_refused_with_a_clear_message(client) -> None:
    make_user()
    login(client, "letan")
    response = upload(client, io.BytesIO(b"%PDF-1.4 not a workbook"), "so.pdf")
    assert response.status_code == 400 and message("import_not_xlsx") in text_of(response)
    response = post_form(client, "/visits/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and message("import_no_file") in text_of(response)


@pytest.mark.parametrize("role", ["handler", "inspector"])
def test_handlers_and_inspectors_cannot_import_but_can_print_and_export(client, role) -> None:
    make_user("canbo", role=role)
    login(client, "canbo")
    assert client.get("/visits/import").status_code == 403
    response = post_form(client, "/visits/import", {"file": (xlsx([GOOD]), "so.xlsx")}, form_url="/visits/",
                         content_type="multipart/form-data")
    assert response.status_code == 403 and visit_count() == 0
    assert client.get("/visits/print").status_code == 200
    assert client.get("/visits/export.xlsx").status_code == 200
