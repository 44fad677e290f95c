"""import visits FILE.xlsx --unit CODE [--dry-run]: exit codes, one-line summary, Vietnamese errors on stderr."""
from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_unit
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Visit

HEADERS = ["STT", "Ngày tiếp", "Họ và tên", "Số CCCD", "Nội dung vụ việc", "Phân loại đơn", "Hướng xử lý"]


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def book(path: Path, rows: list[list[object]]) -> str:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return str(path)


ROWS = [[1, "04/05/2026", "Vũ Văn Giang", "012345678", "Tranh chấp ranh giới đất", "Khiếu nại", "Hướng dẫn"],
        [2, "05/05/2026", "Lý Thị Hoa", None, "Hỏi chế độ chính sách", "kien nghi", "tra loi truc tiep"]]


def test_a_good_book_is_imported_with_a_one_line_summary(runner, tmp_path) -> None:
    make_unit()
    result = runner.invoke(args=["import", "visits", book(tmp_path / "so.xlsx", ROWS), "--unit", "XA-01"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1 and "2" in result.output
    assert visit_count() == 2
    event = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "import"))
    assert event.actor == "cli" and json.loads(event.changes) == {"rows": 2, "file": "so.xlsx"}
    created = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "visits", AuditEntry.action != "import"))
    assert created is not None and created.actor == "cli"


def test_a_dry_run_writes_nothing(runner, tmp_path) -> None:
    make_unit()
    result = runner.invoke(args=["import", "visits", book(tmp_path / "so.xlsx", ROWS), "--unit", "XA-01",
                                 "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2" in result.output and visit_count() == 0


def test_a_bad_row_fails_with_its_row_and_column_on_stderr_and_writes_nothing(runner, tmp_path) -> None:
    make_unit()
    rows = ROWS + [[3, "06/05/2026", "Mai Văn Khánh", "00108501234", "Hỏi đất", "Tố cáo", "=1+1"]]
    result = runner.invoke(args=["import", "visits", book(tmp_path / "so.xlsx", rows), "--unit", "XA-01"])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3 and lines[-1] == message("import_failed")
    assert "4" in lines[0] and "Số CCCD" in lines[0] and message("id_number_length") in lines[0]
    assert "4" in lines[1] and "Hướng xử lý" in lines[1] and message("import_formula") in lines[1]
    assert result.stdout == "" and visit_count() == 0


def test_an_unknown_unit_and_a_file_that_is_not_a_workbook_fail(runner, tmp_path) -> None:
    make_unit()
    path = book(tmp_path / "so.xlsx", ROWS)
    result = runner.invoke(args=["import", "visits", path, "--unit", "NOPE"])
    assert result.exit_code == 1 and result.stderr.strip() == message("unit_not_found")
    junk = tmp_path / "so.csv"
    junk.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(args=["import", "visits", str(junk), "--unit", "XA-01"])
    assert result.exit_code == 1 and message("import_not_xlsx") in result.stderr
    assert visit_count() == 0
