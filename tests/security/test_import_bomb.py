"""Decompression bomb on the Excel import (issue 12, finding 8: a 1.2 MB upload took the server from 0.7 to 3.1 GB).

The bombs are built here: a real log-book workbook (the app's own headers and one good row) whose worksheet XML
is followed by many MB of repeated empty rows, packed to a few hundred KB. The import must refuse them from the
zip's directory, before openpyxl parses anything (``load_workbook`` is watched), with a Vietnamese message that
names the problem, through the web upload, the CLI and the service; nothing is imported. A file that is not a
zip is refused the same way; an ordinary workbook still imports.
"""
from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
from tracker.extensions import db
from tracker.imports import visits_xlsx
from tracker.imports.visits_xlsx import ImportFailed
from tracker.models import Visit

HEADERS = ["STT", "Ngày tiếp", "Họ và tên", "Số CCCD", "Nội dung vụ việc", "Phân loại đơn", "Hướng xử lý"]
ROW = [1, "04/05/2026", "Vũ Văn Giang", None, "Tranh chấp ranh giới đất", "Khiếu nại", "Hướng dẫn"]
FILLER = b'<row r="9"><c r="H9" t="inlineStr"><is><t>x</t></is></c></row>' * 4096  # 256 KB, packs to almost nothing


def workbook_bytes() -> bytes:
    wb = Workbook()
    wb.active.append(HEADERS)
    wb.active.append(ROW)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bomb(unpacked_mb: int) -> bytes:
    """The workbook above, its sheet grown by ``unpacked_mb`` MB of repeated rows (streamed, never in memory)."""
    good = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for item in good.infolist():
            data = good.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                z.writestr(item.filename, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with z.open(item.filename, "w", force_zip64=True) as member:
                member.write(head)
                for _ in range(unpacked_mb * 1024 * 1024 // len(FILLER)):
                    member.write(FILLER)
                member.write(b"</sheetData>" + tail)
    return out.getvalue()


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the calls to openpyxl's load_workbook made by the import."""
    calls: list[int] = []
    real = visits_xlsx.load_workbook

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(visits_xlsx, "load_workbook", watched)
    return calls


def visits() -> int:
    count = db.session.scalar(select(func.count()).select_from(Visit)) or 0
    db.session.rollback()
    return int(count)


def upload(client: FlaskClient, data: bytes, name: str = "so.xlsx"):  # type: ignore[no-untyped-def]
    return post_form(client, "/visits/import", {"file": (io.BytesIO(data), name)}, form_url="/visits/import",
                     content_type="multipart/form-data")


def test_a_bomb_by_ratio_is_refused_by_the_web_upload_before_parsing(app: Flask, client: FlaskClient,
                                                                     parsed: list[int]) -> None:
    make_user("letan", "receptionist", make_unit())
    db.session.commit()
    data = bomb(30)  # under the 50 MB in all, but packed hundreds of times
    assert len(data) < 1024 * 1024
    assert login(client, "letan").status_code == 302
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "bom giải nén" in page and "không được nhập" in page, page[:2000]
    assert parsed == [] and visits() == 0
    record("import_bomb", {"bomb packed KB": len(data) // 1024, "unpacked MB": 30, "answer": 400,
                           "parsed": len(parsed), "visits imported": 0}, db.engine.dialect.name)


def test_a_bomb_by_total_size_is_refused_by_the_cli(app: Flask, runner, tmp_path: Path, parsed: list[int]) -> None:  # type: ignore[no-untyped-def]
    make_unit()
    db.session.commit()
    path = tmp_path / "bom.xlsx"
    path.write_bytes(bomb(60))
    result = runner.invoke(args=["import", "visits", str(path), "--unit", "XA-01"])
    assert result.exit_code != 0
    assert "vượt quá 50 MB" in result.output, result.output
    assert parsed == [] and visits() == 0


@pytest.mark.config(IMPORT_MAX_UNPACKED_MB=5, IMPORT_MAX_RATIO=1000)
def test_the_limits_come_from_the_configuration(app: Flask, parsed: list[int]) -> None:
    unit = make_unit()
    with pytest.raises(ImportFailed) as refused:
        visits_xlsx.import_visits(io.BytesIO(bomb(8)), unit=unit, user=None, filename="bom.xlsx",
                                  today=date(2026, 5, 6))
    assert [e.code for e in refused.value.errors] == ["import_unpacked_too_large"]
    assert "5 MB" in refused.value.lines()[0] and parsed == []


def test_a_file_that_is_not_a_zip_is_refused_and_nothing_is_imported(app: Flask, client: FlaskClient,
                                                                      parsed: list[int]) -> None:
    make_user("letan", "receptionist", make_unit())
    db.session.commit()
    assert login(client, "letan").status_code == 302
    response = upload(client, b"STT;Ngay tiep;Ho va ten\n1;04/05/2026;Vu Van Giang\n" * 100, "so.xlsx")
    assert response.status_code == 400
    assert "Tệp không phải là bảng tính Excel hợp lệ" in response.get_data(as_text=True)
    assert parsed == [] and visits() == 0


def test_an_ordinary_workbook_still_imports(app: Flask, client: FlaskClient, parsed: list[int]) -> None:
    make_user("letan", "receptionist", make_unit())
    db.session.commit()
    assert login(client, "letan").status_code == 302
    response = upload(client, workbook_bytes())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert parsed == [1] and visits() == 1
