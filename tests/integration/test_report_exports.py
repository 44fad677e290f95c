"""The report's Word and Excel exports: what they say, that the tables' totals equal their parts and the
JSON document, the CLI that writes them, and the query count of a province's roll-up over many communes."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import event
from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_reports import example_002
from tests.office import office
from tests.office import to_pdf
from tracker.exports.report_docx import report_docx
from tracker.exports.report_xlsx import report_xlsx
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Letter
from tracker.models import Unit
from tracker.models import Visit
from tracker.rules import reporting as rp
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.reports import periodic as reports

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"
NARRATIVE_002 = "Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị của công dân."


@pytest.fixture
def rules(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


def _report_002():  # type: ignore[no-untyped-def]
    town, _clerk, today = example_002()
    make_unit("T-BD", "UBND tỉnh Bình Dương", level="province")
    town.parent_id = db.session.scalar(select(Unit.id).where(Unit.code == "T-BD"))
    db.session.commit()
    make_user("chutich", "chair", town, full_name="Nguyễn Văn Chủ")
    report = reports.build_report(town, "2024-H1", today=today).report
    return report, reports.document(report), reports.export_info(report, today)


def _docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs] + [p.text for s in doc.sections for h in (s.header, s.first_page_header)
                                          for p in h.paragraphs]
    cells = []
    for table in doc.tables:
        for row in table.rows:
            cells.append([c.text for c in row.cells])
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts), cells


def _render(path: Path) -> None:
    """PDF and PNG pages for a human to look at (test-artifacts/reports/); skipped without LibreOffice."""
    if office() is None or shutil.which("pdftoppm") is None:
        return
    pdf = to_pdf(path, timeout=180)
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(path.with_suffix(""))], check=True,
                   capture_output=True, timeout=120)


def test_the_word_document_has_the_heading_the_narrative_and_the_numbers(rules, database) -> None:  # type: ignore[no-untyped-def]
    report, doc, info = _report_002()
    data = report_docx(doc, info)
    text, cells = _docx_text(data)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BÁO CÁO",
                     "UBND TỈNH BÌNH DƯƠNG", "ỦY BAN NHÂN DÂN\nTHỊ TRẤN BÌNH DƯƠNG", "/BC-UBND",
                     "Bình Dương, ngày 20 tháng 07 năm 2024", "6 tháng đầu năm 2024", NARRATIVE_002,
                     "Nơi nhận:", "- Lưu: VT.", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Văn Chủ", "DỰ THẢO",
                     "(Số liệu tính từ ngày 01/01/2024 đến ngày 30/06/2024)"):
        assert expected in text, expected
    petition = next(row for row in cells if row[1] == "Kiến nghị")
    assert petition[2:] == ["11", "0", "11", "0", "11", "11", "0", "0", "0", "0", "0"]
    mediation = next(row for row in cells if row[1] == "Hòa giải không thành")
    assert mediation[-1] == "0"
    sent_up = next(row for row in cells if row[1] == "Kiến nghị, phản ánh chuyển lên cấp trên")
    assert sent_up[-1] == "2"
    props = Document(io.BytesIO(data)).core_properties  # the file says what it is, not python-docx's template
    assert props.author == "UBND thị trấn Bình Dương" and "6 tháng đầu năm 2024" in props.title
    assert props.created is not None and props.created.year > 2013 and props.revision == report.revision
    if database["name"] == "sqlite":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "bao-cao-2024-H1.docx"
        path.write_bytes(data)
        _render(path)
    reports.finalize(report, None, today=date(2024, 7, 21))
    final_text, _ = _docx_text(report_docx(reports.document(report), info))
    assert "DỰ THẢO" not in final_text


def _sheet_tables(data: bytes) -> dict[str, list[list[object]]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}


def test_the_workbook_totals_equal_their_parts_and_the_json(rules, database) -> None:  # type: ignore[no-untyped-def]
    _report, doc, info = _report_002()
    data = report_xlsx(doc, info)
    sheets = _sheet_tables(data)
    assert list(sheets) == ["Kết quả giải quyết", "Biểu 01-XLD", "Tiếp công dân", "Kết quả vụ việc"]
    results = sheets["Kết quả giải quyết"]
    numbers = next(i for i, row in enumerate(results) if row[0] == "(1)")
    assert results[numbers][:4] == ["(1)", "(2)", "(3)", "(4)"]
    body = [row for row in results[numbers + 1:] if isinstance(row[2], int)]
    kinds, total = body[:-1], body[-1]
    assert total[1] == "Tổng số"
    for col in range(2, 13):
        assert total[col] == sum(row[col] for row in kinds), col  # every total is the sum of the rows
    for row in body:  # and within a row: (3) = (4)+(5)+(6), (7) = (8)+…+(11), (3) = (7)+(12)
        assert row[2] == row[3] + row[4] + row[5] and row[6] == sum(row[7:11]) and row[2] == row[6] + row[11]
    cases = doc.cases.total
    assert (total[2], total[5], total[6], total[11], total[12]) == (
        cases.received + cases.carried_over, cases.carried_over, cases.resolved, cases.open, cases.open_overdue)
    petition = next(row for row in body if row[1] == "Kiến nghị")
    assert petition[2] == doc.cases.by_kind["petition"].received == 11
    letters_row = next(row for row in sheets["Biểu 01-XLD"] if row[1] == "Tổng số")
    assert letters_row[2] == letters_row[3] + letters_row[4] == doc.letters.received + doc.letters.carried_over
    assert letters_row[4] == sum(letters_row[7:12]) == sum(letters_row[12:18])
    visits = {row[1]: row[2] for row in sheets["Tiếp công dân"] if isinstance(row[2], int)}
    assert visits["Tổng số lượt tiếp"] == doc.visits.total == sum(visits[label] for label in
                                                                        rp.VISIT_HOST_LABELS.values())
    outcomes = {row[1]: row[2] for row in sheets["Kết quả vụ việc"] if isinstance(row[2], int)}
    assert outcomes["Kiến nghị, phản ánh đã trả lời bằng văn bản"] == 9
    assert outcomes["Kiến nghị, phản ánh chuyển lên cấp trên"] == 2
    assert any("DỰ THẢO" == row[0] for row in results)
    if database["name"] == "sqlite":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / "bang-so-lieu-2024-H1.xlsx"
        path.write_bytes(data)
        _render(path)


def test_the_cli_writes_word_and_excel_files(rules, runner, tmp_path) -> None:  # type: ignore[no-untyped-def]
    example_002()
    for fmt in ("docx", "xlsx"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(args=["report", "build", "--unit", "TT-BD", "--period", "2024-H1", "--format", fmt,
                                     "--output", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes()[:2] == b"PK"
    assert runner.invoke(args=["report", "build", "--unit", "TT-BD", "--period", "2024-H1", "--format",
                               "docx"]).exit_code == 1  # a binary file needs --output
    json_doc = json.loads(runner.invoke(args=["report", "build", "--unit", "TT-BD", "--period", "2024-H1"]).output)
    assert json_doc["cases"]["received_online"]["petition"] == 0


def _bulk_province(code: str, communes: int) -> Unit:
    """A province with ``communes`` communes, each with a few visits, letters and cases (inserted directly)."""
    province = make_unit(code, f"UBND tỉnh {code}", level="province")
    on = date(2026, 3, 2)
    for i in range(communes):
        unit = Unit(code=f"{code}-{i}", name=f"UBND xã {code} {i}", level="commune", parent_id=province.id,
                    path=f"{province.path}{code}-{i}/")
        db.session.add(unit)
        db.session.flush()
        unit.path = f"{province.path}{unit.id}/"
        for j in range(3):
            db.session.add(Visit(unit_id=unit.id, register_year=2026, register_no=j + 1, visited_on=on, kind="regular",
                                 host="officer", within_competence=True, people_count=1, is_group=False, content="x",
                                 classification="petition", handling="answered"))
            letter = Letter(unit_id=unit.id, register_year=2026, register_no=j + 1, tracking_code=f"{code}{i}-{j}",
                            received_on=on, channel="post", kind="petition", summary="x", status="handled",
                            decision="accept", decided_on=on)
            db.session.add(letter)
            db.session.flush()
            db.session.add(Case(unit_id=unit.id, register_year=2026, register_no=j + 1, kind="petition",
                                status="accepted", is_open=True, summary="x", received_on=on,
                                accepted_on=on + timedelta(days=j), letter_id=letter.id))
    db.session.commit()
    return province


def test_a_provinces_roll_up_takes_as_many_queries_for_200_communes_as_for_20(app) -> None:  # type: ignore[no-untyped-def]
    counts, docs = [], []
    for code, communes in (("TA", 20), ("TB", 200)):
        province = _bulk_province(code, communes)
        db.session.expire_all()
        seen: list[str] = []

        def count(conn, cursor, statement, *args, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            report = reports.build_report(province, "2026-H1", today=date(2026, 7, 1)).report
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(seen))
        docs.append(reports.document(report).as_json())
    assert counts[0] == counts[1], counts
    assert docs[1]["visits"]["total"] == 600 and docs[1]["cases"]["by_kind"]["petition"]["open"] == 600
    assert docs[0]["letters"]["received"] == 60
