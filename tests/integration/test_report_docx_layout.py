"""The report's Word file rendered (issue 13): LibreOffice turns it into a PDF and the pages are read back —
page count, no number on page 1, "2" at the top of page 2, the annex after the signature, and the last page of
the report proper holds narrative text with the signature (it never stands alone). Also the Decree 30/2020
layout in the XML: A4 portrait, margins, Times New Roman, a different first page, a PAGE field in the header."""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from tests.integration.test_report_exports import _report_002
from tests.office import office
from tests.office import to_pdf
from tracker.exports.report_docx import ANNEX_TITLE
from tracker.exports.report_docx import report_docx
from tracker.exports.report_xlsx import report_xlsx
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "reports"


@pytest.fixture
def rules(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


def _pdf_pages(docx: Path) -> list[str]:
    if office() is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler-utils (pdftotext) is not installed; scripts/test installs them")
    pdf = to_pdf(docx)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          timeout=60).stdout.decode()
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_the_word_file_is_laid_out_per_decree_30(rules) -> None:  # type: ignore[no-untyped-def]
    _report, doc, info = _report_002()
    document = Document(io.BytesIO(report_docx(doc, info)))
    first = document.sections[0]
    assert (round(first.page_width.mm), round(first.page_height.mm)) == (210, 297)  # A4 portrait
    top, bottom, left, right = (round(m.mm) for m in (first.top_margin, first.bottom_margin, first.left_margin,
                                                      first.right_margin))
    assert 20 <= top <= 25 and 20 <= bottom <= 25 and 30 <= left <= 35 and 15 <= right <= 20
    assert first._sectPr.find(qn("w:titlePg")) is not None  # a different first page: no number on it
    header_xml = first.header._element.xml
    assert "PAGE" in header_xml and 'w:fldCharType="begin"' in header_xml
    assert "PAGE" not in first.first_page_header._element.xml
    assert first.header.paragraphs[0].alignment == 1  # centred
    annex = document.sections[-1]
    assert len(document.sections) == 2 and annex.page_width > annex.page_height  # the wide tables: landscape
    fonts = {r.font.name for p in document.paragraphs for r in p.runs}
    assert fonts == {"Times New Roman"}
    texts = [p.text for p in document.paragraphs]
    assert doc.opening_line in texts  # the opening line, before section I
    opening = texts.index(doc.opening_line)
    section_one = next(i for i, t in enumerate(texts) if t.startswith("I. "))
    assert opening < section_one and texts[opening].endswith("như sau:")
    assert "UBND thị trấn Bình Dương báo cáo" in texts[opening]
    before_it_had_one = doc.model_copy(update={"opening_line": ""})
    older = Document(io.BytesIO(report_docx(before_it_had_one, info)))
    line = next(p.text for p in older.paragraphs if p.text.startswith("Thực hiện "))
    assert line.endswith("6 tháng đầu năm 2024 như sau:") and "UBND thị trấn Bình Dương báo cáo" in line
    signature = document.tables[1]  # the heading, then the signature, then the annex's tables
    assert "CHỦ TỊCH" in signature.cell(0, 1).text and "Nơi nhận:" in signature.cell(0, 0).text
    assert signature.rows[0]._tr.trPr.find(qn("w:cantSplit")) is not None
    before = document.paragraphs[texts.index(ANNEX_TITLE) - 1]  # the last paragraph of the report proper
    assert all(p.paragraph_format.keep_with_next for p in document.paragraphs[texts.index(ANNEX_TITLE) - 4:
                                                                              texts.index(ANNEX_TITLE) - 1])
    assert before is not None


def test_the_rendered_word_file_numbers_its_pages_and_ends_with_text_and_the_annex(rules, database,  # type: ignore[no-untyped-def]
                                                                                   tmp_path) -> None:
    if database["name"] != "sqlite":
        pytest.skip("the rendering does not depend on the database; once is enough")
    _report, doc, info = _report_002()
    data = report_docx(doc, info)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "bao-cao-2024-H1-layout.docx"
    path.write_bytes(data)
    pages = _pdf_pages(path)
    lines = [[line.strip() for line in page.splitlines() if line.strip()] for page in pages]
    assert len(pages) == 3, len(pages)  # the report and its signature on one page, the annex on two
    assert not any(line.isdigit() for line in lines[0][:3]), lines[0][:3]  # no page number on page 1
    assert lines[1][0] == "2", lines[1][:2]  # "2" at the top of page 2
    for n, page in enumerate(lines[1:], start=2):
        assert page[0] == str(n), (n, page[:2])  # every later page numbered at the top
    signed = next(i for i, page in enumerate(pages) if "TM. ỦY BAN NHÂN DÂN" in page)
    annex = next(i for i, page in enumerate(lines) if ANNEX_TITLE in page)
    assert annex == signed + 1 and annex < len(pages)  # the annex follows the signature, on a new page
    assert "Biểu 1." in pages[annex] and "Biểu 1." not in "".join(pages[:annex])
    # The signature page is not the signature alone: text of the body comes with it.
    before_signature = pages[signed].split("Nơi nhận:")[0]
    body_lines = [line for line in before_signature.splitlines() if len(line.strip()) > 40]
    assert body_lines, pages[signed]
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path.with_suffix(".pdf")), str(path.with_suffix(""))],
                       check=True, capture_output=True, timeout=120)


def test_every_sheet_is_headed_alike_and_the_build_time_is_the_units(rules) -> None:  # type: ignore[no-untyped-def]
    _report, doc, info = _report_002()
    doc = doc.model_copy(update={"built_at": "2026-12-02T21:30:00+00:00"})  # 04:30 the next morning in Việt Nam (UTC+7)
    workbook = load_workbook(io.BytesIO(report_xlsx(doc, info)))
    assert len(workbook.worksheets) == 4
    for number, ws in enumerate(workbook.worksheets, start=1):
        column_a = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
        assert column_a[:3] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                                "ỦY BAN NHÂN DÂN THỊ TRẤN BÌNH DƯƠNG"], (ws.title, column_a[:3])
        assert str(column_a[3]).startswith(f"Biểu {number}. "), column_a[3]
        assert column_a[4].startswith("Kỳ báo cáo: 6 tháng đầu năm 2024"), column_a[4]
        source = next(v for v in column_a if isinstance(v, str) and v.startswith("Nguồn:"))
        assert "lập lúc 03/12/2026 04:30" in source, source


def test_a_long_report_never_leaves_the_signature_alone_on_its_last_page(rules, database) -> None:  # type: ignore[no-untyped-def]
    if database["name"] != "sqlite":
        pytest.skip("the rendering does not depend on the database; once is enough")
    _report, doc, info = _report_002()
    sentence = "Ủy ban nhân dân thị trấn đã chỉ đạo các bộ phận chuyên môn rà soát, giải quyết dứt điểm các vụ việc."
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    signed_on = set()
    for paragraphs in (9, 11, 13):  # around the length where the signature would fall to page 2 by itself
        text = "\n".join([doc.narrative] + [f"{sentence} {sentence}"] * paragraphs)
        long = doc.model_copy(update={"narrative": text})
        path = ARTIFACTS / f"bao-cao-dai-{paragraphs}.docx"
        path.write_bytes(report_docx(long, info))
        pages = _pdf_pages(path)
        signed = next(i for i, page in enumerate(pages) if "TM. ỦY BAN NHÂN DÂN" in page)
        before = pages[signed].split("Nơi nhận:")[0]
        assert any("rà soát" in line or "Phụ lục" in line for line in before.splitlines()), (paragraphs, before)
        assert ANNEX_TITLE in pages[signed + 1]
        signed_on.add(signed)
    assert 1 in signed_on  # the signature did go over to page 2 (with text), so the case was met
