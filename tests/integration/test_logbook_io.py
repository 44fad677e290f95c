"""The log book as a whole: Excel export and import (all or nothing), and the cells of the official forms."""
from __future__ import annotations

import io
from datetime import date
from datetime import datetime

import pytest
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl import load_workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import citizen_count
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.exports.xlsx import write_xlsx
from tracker.extensions import db
from tracker.imports.visits_xlsx import ImportFailed
from tracker.imports.visits_xlsx import import_visits
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Visit
from tracker.rules.reception import layout_for
from tracker.services.reception import logbook
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput

TODAY = date(2026, 11, 23)


def headers() -> list[str]:
    return [str(c.header) for c in logbook.EXCEL_COLUMNS]


def row_error(row: int, column: str, text: str) -> str:
    return _("Row %(row)s, column '%(column)s': %(message)s", row=row, column=column, message=text)


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def export_bytes(visits: list[Visit]) -> bytes:
    with write_xlsx(logbook.EXCEL_SHEET, headers(), logbook.excel_rows(visits)) as handle:
        return handle.read()


def workbook(rows: list[dict[str, object]], header_texts: list[str] | None = None) -> io.BytesIO:
    """A workbook with the given header texts (default: the export's) and rows keyed by column key."""
    wb = Workbook()
    ws = wb.active
    ws.title = logbook.EXCEL_SHEET
    keys = [c.key for c in logbook.EXCEL_COLUMNS]
    ws.append(header_texts or headers())
    for row in rows:
        ws.append([row.get(k) for k in keys])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


GOOD = {"visited_on": "05/03/2026", "full_name": "Lê Thị Cúc", "content": "Hỏi về thủ tục tách thửa đất",
        "classification": "kiến nghị", "handling": "Giải thích, hướng dẫn", "subject": "đất đai"}


def run(source, unit, **kw):  # type: ignore[no-untyped-def]
    return import_visits(source, unit=unit, user=None, filename="so.xlsx", today=TODAY, **kw)


def test_an_exported_book_imports_back_into_another_unit_unchanged(app) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 3, 5), full_name="Nguyễn Văn An", id_number="001085012345",
               birth_year=1985, classification="complaint", handling="referred", referred_to="UBND tỉnh",
               handling_document_no="12/GCĐ", subject="land", note="Hẹn 15 ngày")
    group = reception.VisitInput(
        visited_on=date(2026, 7, 2), content="Đề nghị bồi thường khi thu hồi đất", classification="petition",
        handling="answered", people_count=6, kind="scheduled", host="chair", host_name="Phạm Văn Chủ",
        visited_time=datetime(2026, 7, 2, 8, 30).time(), subject="site_clearance", within_competence=False,
        visitors=[reception.VisitorInput(citizen=CitizenInput("Đặng Thị Đào", address="Số 3, đường Lê Lợi",
                                                              neighbourhood="Thôn Đông", phone="0912345678")),
                  reception.VisitorInput(citizen=CitizenInput("Hoàng Văn Em", "001090012345"),
                                         is_representative=True)])
    reception.log_visit(user, user.unit, group, TODAY)
    visits = list(db.session.scalars(reception.ordered(reception.visits_query([user.unit_id],
                                                                              reception.VisitFilter()),
                                                       oldest_first=True)))
    data = export_bytes(visits)
    wb = load_workbook(io.BytesIO(data))
    ws = wb[logbook.EXCEL_SHEET]
    assert ws["B2"].value == datetime(2026, 3, 5) and ws["B2"].number_format == "dd/mm/yyyy"
    other = make_unit("XA-02", "UBND xã Khác")
    result = run(io.BytesIO(data), other)
    assert result.rows == 2 and not result.dry_run
    copied = list(db.session.scalars(select(Visit).where(Visit.unit_id == other.id).order_by(Visit.register_no)))
    fields = ("register_no", "visited_on", "channel", "kind", "host", "host_name", "people_count", "content",
              "classification", "subject", "within_competence", "handling", "handling_document_no", "referred_to",
              "decline_ground", "note", "is_group")
    for old, new in zip(visits, copied, strict=True):
        assert {f: getattr(new, f) for f in fields} == {f: getattr(old, f) for f in fields}
        assert [(vc.citizen.full_name, vc.citizen.id_number, vc.citizen.neighbourhood, vc.is_representative)
                for vc in new.visitors] == [(vc.citizen.full_name, vc.citizen.id_number, vc.citizen.neighbourhood,
                                             vc.is_representative) for vc in old.visitors]
    assert copied[1].visited_at == visits[1].visited_at
    event = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
    assert event is not None and '"rows": 2' in event.changes


def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_and_column(app) -> None:
    unit = make_unit()
    audit_rows = db.session.scalar(select(func.count()).select_from(AuditEntry))
    rows = [GOOD, {**GOOD, "id_number": "00108501234"}, GOOD, {**GOOD, "visited_on": "31/02/2026"}]
    with pytest.raises(ImportFailed) as err:
        run(workbook(rows), unit)
    lines = err.value.lines()
    id_header, date_header = headers()[8], headers()[1]
    assert lines == [row_error(3, id_header, message("id_number_length")),
                     row_error(5, date_header, message("date_invalid"))]
    assert visit_count() == 0 and citizen_count() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audit_rows


def test_a_dry_run_reports_the_count_and_writes_nothing(app) -> None:
    unit = make_unit()
    result = run(workbook([GOOD, {**GOOD, "full_name": "Trần Văn Bốn"}]), unit, dry_run=True)
    assert result.rows == 2 and result.dry_run
    assert visit_count() == 0 and citizen_count() == 0


def test_codes_are_read_in_vietnamese_without_diacritics_or_in_english(app) -> None:
    unit = make_unit()
    rows = [{**GOOD, "classification": c, "register_no": i} for i, c in
            enumerate(["khiếu nại", "Khieu nai", "complaint", "KHIẾU NẠI"], start=1)]
    run(workbook(rows), unit)
    assert set(db.session.scalars(select(Visit.classification))) == {"complaint"}


def test_register_numbers_of_the_file_are_kept_and_duplicates_are_refused(app) -> None:
    user = make_user()
    make_visit(user, visited_on=date(2026, 1, 5))  # no. 1 of 2026
    rows = [{**GOOD, "register_no": 1}, {**GOOD, "register_no": 7}, {**GOOD, "register_no": 7}]
    with pytest.raises(ImportFailed) as err:
        run(workbook(rows), user.unit)
    header = headers()[0]
    assert err.value.lines() == [row_error(2, header, message("register_no_taken", register_no=1)),
                                 row_error(4, header, message("import_duplicate_in_file"))]
    assert visit_count() == 1
    run(workbook([{**GOOD, "register_no": 7}, GOOD, {**GOOD, "register_no": 3, "visited_on": "01/01/2025"}]),
        user.unit)
    numbers = sorted(db.session.execute(select(Visit.register_year, Visit.register_no)).all())
    assert numbers == [(2025, 3), (2026, 1), (2026, 7), (2026, 8)]
    assert make_visit(user).register_no == 9


def test_formulas_wrong_types_and_huge_text_are_refused(app) -> None:
    unit = make_unit()
    huge = "x" * 6000
    rows = [{**GOOD, "content": "=HYPERLINK(\"http://x\")"}, {**GOOD, "people_count": "năm"},
            {**GOOD, "visited_on": 45000}, {**GOOD, "note": huge}, {**GOOD, "classification": "chuyện phiếm"}]
    with pytest.raises(ImportFailed) as err:
        run(workbook(rows), unit)
    codes = [(e.row, e.code) for e in err.value.errors]
    assert codes == [(2, "import_formula"), (3, "number_invalid"), (4, "date_invalid"), (5, "too_long"),
                     (6, "choice_invalid")]
    assert visit_count() == 0


def test_a_file_that_is_not_an_excel_workbook_is_refused(app) -> None:
    unit = make_unit()
    for junk in (b"name,date\nAn,05/03/2026\n", b"PK\x03\x04 not really a zip", b""):
        with pytest.raises(ImportFailed) as err:
            run(io.BytesIO(junk), unit)
        assert err.value.lines() == [message("import_not_xlsx")]


def test_a_missing_required_column_and_too_many_rows_are_refused(app) -> None:
    unit = make_unit()
    texts = [h if i != 16 else "Something else" for i, h in enumerate(headers())]
    with pytest.raises(ImportFailed) as err:
        run(workbook([GOOD], texts), unit)
    assert err.value.lines() == [message("import_missing_column", column=headers()[16])]
    app.config["IMPORT_MAX_ROWS"] = 2
    with pytest.raises(ImportFailed) as err:
        run(workbook([GOOD, GOOD, GOOD]), unit)
    assert err.value.lines() == [message("import_too_many_rows", limit=2)]


def test_legacy_nine_digit_id_numbers_and_vietnamese_headers_are_accepted(app) -> None:
    unit = make_unit()
    texts = ["STT", "Ngày tiếp", "Họ và tên", "CMND/Hộ chiếu", "Nội dung vụ việc", "Phân loại đơn", "Hướng xử lý"]
    wb = Workbook()
    ws = wb.active
    ws.append(["SỔ TIẾP CÔNG DÂN NĂM 2020"])
    ws.append(texts)
    ws.append([1, datetime(2020, 5, 4), "Vũ Văn Giang", "012345678", "Tranh chấp ranh giới đất", "Tranh chấp đất",
               "Hướng dẫn"])
    ws.append([2, "04/05/2020", "Vũ Văn Giang", "012345678", "Hỏi lại về ranh giới", "Kien nghi", "huong dan"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    with pytest.raises(ImportFailed) as err:
        run(out, unit)
    assert [(e.row, e.column, e.code) for e in err.value.errors] == [(3, "Phân loại đơn", "choice_invalid")]
    ws["F3"] = "Khác"
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    run(out, unit)
    assert visit_count() == 2 and citizen_count() == 1


def test_the_cells_follow_the_form_in_force_on_the_date_of_the_visit(app) -> None:
    user = make_user()
    old = make_visit(user, visited_on=date(2026, 6, 30), handling="letter_received", people_count=3,
                     classification="complaint")
    new = make_visit(user, visited_on=date(2026, 7, 1), handling="referred", referred_to="Thanh tra tỉnh",
                     handling_document_no="5/CV", within_competence=False)
    old_cells = logbook.cells(old, layout_for(old.visited_on))
    new_cells = logbook.cells(new, layout_for(new.visited_on))
    assert list(old_cells) == list(layout_for(date(2026, 6, 30)).columns)
    assert old_cells["accepted"] == "x" and old_cells["visited_on"] == "30/06/2026"
    assert "3" in old_cells["classification_people"]
    assert list(new_cells) == list(layout_for(date(2026, 7, 1)).columns)
    assert new_cells["within_competence"] == "" and "Thanh tra tỉnh" in new_cells["transferred_document"]
    assert "5/CV" in new_cells["transferred_document"]
    tables = logbook.book_tables([old, new])
    assert [t.layout.code for t in tables] == ["TT04_2021_M03", "ND154_2026_M03TCD"]
