"""The period report's citizen-reception and petition section as a Word document (python-docx), laid out as
a Vietnamese administrative document under Decree 30/2020/NĐ-CP (Phụ lục I): A4, margins 20/20/30/15 mm,
Times New Roman 13–14 pt, the two-column heading without borders (unit | national title and motto), the
number and the place and date, the title, the body, then "Nơi nhận" and the signature block.

All wording comes from tracker.rules.reporting; this module only lays it out.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.shared import Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from tracker.rules import reporting as rp
from tracker.rules.report_document import ReportDocument

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Times New Roman"
BODY_PT = 14
HEADING_PT = 13
TABLE_PT = 10
TABLE_HEAD_PT = 8.5
MAX_PORTRAIT_COLUMNS = 11  # wider tables (Biểu 01/XLD) are printed one figure per row
TEXT_WIDTH_MM = 210 - 30 - 15
LANDSCAPE_TEXT_WIDTH_MM = 297 - 30 - 15
# The annex (the statistical tables, after the signature, on a page of its own) and the opening line.
ANNEX_TITLE = "PHỤ LỤC"
ANNEX_SUBTITLE = "SỐ LIỆU THỐNG KÊ KẾT QUẢ CÔNG TÁC TIẾP CÔNG DÂN, XỬ LÝ ĐƠN THƯ, GIẢI QUYẾT KHIẾU NẠI, TỐ CÁO"
ANNEX_ATTACHED = "(Kèm theo Báo cáo số        /BC-UBND ngày {date} của {unit})"
ANNEX_POINTER = "Số liệu chi tiết tại Phụ lục kèm theo Báo cáo này."
DEFAULT_BASIS = "chế độ báo cáo định kỳ về công tác tiếp công dân, xử lý đơn thư, giải quyết khiếu nại, tố cáo"


def _font(run: Any, size: float, *, bold: bool = False, italic: bool = False) -> Any:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    return run


def _para(container: Any, text: str = "", size: float = BODY_PT, *, bold: bool = False, italic: bool = False,
          align: Any = WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0,
          first_line_mm: float | None = None) -> Paragraph:
    p = container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.line_spacing = 1.0
    if first_line_mm is not None:
        fmt.first_line_indent = Mm(first_line_mm)
    if text:
        _font(p.add_run(text), size, bold=bold, italic=italic)
    return p


def _first_para(cell: _Cell, text: str, size: float, **kw: Any) -> Paragraph:
    """Write into the paragraph a new cell already has, then add the following ones with _para."""
    p = cell.paragraphs[0]
    p.alignment = kw.pop("align", WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    if text:
        _font(p.add_run(text), size, **kw)
    return p


def _rule(container: Any, cell_width_mm: float, rule_mm: float) -> None:
    """A short horizontal line under the previous line: an empty paragraph with a top border, indented
    so that it is ``rule_mm`` long and centred."""
    p = _para(container, size=4, before=4)
    side = max((cell_width_mm - rule_mm) / 2, 0)
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(side)
    p.paragraph_format.line_spacing = Pt(4)
    ppr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    border.append(top)
    ppr.append(border)


def _no_borders(table: DocxTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _widths(table: DocxTable, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=False):
        col.set(qn("w:w"), str(int(Mm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)


def _heading(doc: Any, info: Any, report: ReportDocument) -> None:
    left_w, right_w = 67.0, TEXT_WIDTH_MM - 67.0
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, (left_w, right_w))
    left, right = table.cell(0, 0), table.cell(0, 1)
    own = rp.heading_lines(info.unit_name)
    if info.parent_name:
        _first_para(left, rp.short_unit_name(info.parent_name), HEADING_PT - 1)
        for line in own:
            _para(left, line, HEADING_PT - 1, bold=True)
    else:
        _first_para(left, own[0], HEADING_PT - 1, bold=True)
        for line in own[1:]:
            _para(left, line, HEADING_PT - 1, bold=True)
    _rule(left, left_w, 25)
    _first_para(right, rp.NATION, HEADING_PT - 1, bold=True)
    _para(right, rp.MOTTO, BODY_PT, bold=True)
    _rule(right, right_w, 60)
    _first_para(table.cell(1, 0), rp.DOC_NUMBER, HEADING_PT)
    place = rp.place_name(info.unit_name)
    _first_para(table.cell(1, 1), rp.date_line(place, info.issued_on), BODY_PT, italic=True)
    for cell in table.rows[0].cells + table.rows[1].cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP


def _title(doc: Any, report: ReportDocument) -> None:
    _para(doc, rp.DOC_TITLE, BODY_PT, bold=True, before=18)
    _para(doc, rp.DOC_SUBTITLE.format(period=report.period_label or report.period), BODY_PT,
          bold=True)
    _rule(doc, TEXT_WIDTH_MM, 40)
    covers = rp.DOC_COVERS.format(date_from=_vn(report.from_), date_to=_vn(report.to))
    _para(doc, covers, HEADING_PT, italic=True, after=12)


def _vn(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def _opening(report: ReportDocument, info: Any) -> str:
    """The line before section I ("Thực hiện <basis>, UBND … báo cáo … như sau:"): the document's own
    (tracker.rules.reporting.opening_line, from the unit's report basis), or, for a document built before it
    had one, the same line with the usual basis."""
    line = report.opening_line.strip()
    if line:
        return line
    return rp.opening_line(DEFAULT_BASIS, info.unit_name, report.period_label or report.period)


def _body(doc: Any, report: ReportDocument, info: Any) -> None:
    _para(doc, _opening(report, info), BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=12.7, after=6)
    _para(doc, rp.SECTION_NARRATIVE, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=12.7,
          after=6)
    for line in report.narrative.split("\n"):
        if line.strip():
            _para(doc, line.strip(), BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=12.7, after=6)


def _cell_text(cell: _Cell, text: str, *, bold: bool = False, align: Any = WD_ALIGN_PARAGRAPH.CENTER,
               italic: bool = False, size: float = TABLE_PT) -> None:
    _first_para(cell, text, size, bold=bold, italic=italic, align=align)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _tight(table: DocxTable) -> None:
    """Cell margins of 0.6 mm left and right, so that narrow columns keep whole words."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), "34")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    table._tbl.tblPr.append(margins)


def _transposed(table: rp.Table) -> rp.Table:
    """A table too wide for a portrait page, one figure per row: "(3) Tổng số đơn — Tổng số"."""
    rows = []
    figures = [(group, sub) for group, subs in table.groups for sub in subs]
    for source in table.rows:
        for i, ((group, sub), cell) in enumerate(zip(figures, source.cells, strict=True), start=3):
            label = f"{group}: {sub.lower()}" if group else sub
            rows.append(rp.Row(f"({i})", label, (cell,), strong=sub == "Tổng số"))
    return rp.Table(table.key, table.title, ((None, ("Số lượng",)),), "Chỉ tiêu", tuple(rows),
                    table.formulas)


def _stat_table(doc: Any, number: int, table: rp.Table, leading_zero: bool,
                text_width_mm: float = TEXT_WIDTH_MM) -> None:
    title = _para(doc, f"Biểu {number}. {table.title}", BODY_PT - 1, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT,
                  before=10, after=4)
    title.paragraph_format.keep_with_next = True
    if len(table.columns) > MAX_PORTRAIT_COLUMNS and text_width_mm <= TEXT_WIDTH_MM:
        table = _transposed(table)
    columns = table.columns
    two_rows = any(group is not None for group, _ in table.groups)
    header_rows = 2 if two_rows else 1
    n_cols = 2 + len(columns)
    out = doc.add_table(rows=header_rows + 1 + len(table.rows), cols=n_cols)
    out.style = doc.styles["Table Grid"]
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    _tight(out)
    if len(columns) == 1:
        widths = [12.0, text_width_mm - 12 - 30, 30.0]
    else:
        label_w = 30.0 if text_width_mm <= TEXT_WIDTH_MM else 42.0
        rest = (text_width_mm - 9 - label_w) / len(columns)
        widths = [9.0, label_w] + [rest] * len(columns)
    _widths(out, widths)
    # Header: STT and the label column span the header rows; groups span their sub-columns.
    _cell_text(out.cell(0, 0), "STT", bold=True, size=TABLE_HEAD_PT)
    _cell_text(out.cell(0, 1), table.label_header, bold=True, size=TABLE_HEAD_PT)
    if two_rows:
        out.cell(0, 0).merge(out.cell(1, 0))
        out.cell(0, 1).merge(out.cell(1, 1))
    col = 2
    for group, subs in table.groups:
        if group is None or not two_rows:
            for sub in subs:
                _cell_text(out.cell(0, col), sub, bold=True, size=TABLE_HEAD_PT)
                if two_rows:
                    out.cell(0, col).merge(out.cell(1, col))
                col += 1
            continue
        _cell_text(out.cell(0, col), group, bold=True, size=TABLE_HEAD_PT)
        if len(subs) > 1:
            out.cell(0, col).merge(out.cell(0, col + len(subs) - 1))
        for i, sub in enumerate(subs):
            _cell_text(out.cell(1, col + i), sub, bold=True, size=TABLE_HEAD_PT)
        col += len(subs)
    for i, label in enumerate(table.numbers):
        _cell_text(out.cell(header_rows, i), label, italic=True)
    for r in range(header_rows + 1):
        _repeat_header(out.rows[r])
    for r, row in enumerate(table.rows, start=header_rows + 1):
        out.rows[r]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        _cell_text(out.cell(r, 0), row.number, bold=row.strong)
        _cell_text(out.cell(r, 1), row.label, bold=row.strong, align=WD_ALIGN_PARAGRAPH.LEFT)
        for c, cell in enumerate(row.cells, start=2):
            _cell_text(out.cell(r, c), rp.count(cell.value, False), bold=row.strong)
    if table.formulas:
        _para(doc, rp.FORMULA_NOTE.format(formulas=table.formulas), TABLE_PT + 1, italic=True,
              align=WD_ALIGN_PARAGRAPH.LEFT, before=2)


def _closing(doc: Any, info: Any) -> None:
    left_w, right_w = 80.0, TEXT_WIDTH_MM - 80.0
    _para(doc, "", BODY_PT, after=6).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (left_w, right_w))
    left, right = table.cell(0, 0), table.cell(0, 1)
    _first_para(left, rp.RECIPIENTS_LABEL, 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in rp.RECIPIENTS:
        _para(left, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _first_para(right, rp.SIGN_FOR, BODY_PT, bold=True)
    _para(right, rp.SIGNER, BODY_PT, bold=True)
    for _ in range(3):
        _para(right, "", BODY_PT)
    if info.chair_name:
        _para(right, info.chair_name, BODY_PT, bold=True)
    left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))
    # The signature never stands alone on a page: its cells' lines keep together, and the lines before it
    # (the spacer and the last paragraph of the body, see _keep_with_signature) keep with it.
    for cell in (left, right):
        for p in cell.paragraphs:
            p.paragraph_format.keep_together = True
            p.paragraph_format.keep_with_next = True


def _keep_with_signature(doc: Any) -> None:
    """The last three body paragraphs keep with the next, so that the signature block takes
    narrative lines with it to a new page instead of standing alone."""
    for p in doc.paragraphs[-3:]:
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.keep_together = True


def _page_field(paragraph: Paragraph, size: float) -> None:
    """A PAGE field (the page number) in ``paragraph``."""
    run = _font(paragraph.add_run(), size)
    begin, instr, sep, end = (OxmlElement("w:fldChar"), OxmlElement("w:instrText"), OxmlElement("w:fldChar"),
                              OxmlElement("w:fldChar"))
    begin.set(qn("w:fldCharType"), "begin")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    sep.set(qn("w:fldCharType"), "separate")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(begin)
    run._r.append(instr)
    run._r.append(sep)
    number = OxmlElement("w:t")
    number.text = "2"
    run._r.append(number)
    run._r.append(end)


def _annex(doc: Any, report: ReportDocument, info: Any) -> None:
    """The statistical tables as an annex after the signature: a new section (a new page), landscape when a
    table is too wide for a portrait page, numbered like the rest (no different first page)."""
    tables = rp.tables(report)
    wide = any(len(t.columns) > MAX_PORTRAIT_COLUMNS for t in tables)
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.different_first_page_header_footer = False
    if wide:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    width = LANDSCAPE_TEXT_WIDTH_MM if wide else TEXT_WIDTH_MM
    _para(doc, ANNEX_TITLE, BODY_PT, bold=True).paragraph_format.keep_with_next = True
    _para(doc, ANNEX_SUBTITLE, BODY_PT - 1, bold=True).paragraph_format.keep_with_next = True
    attached = ANNEX_ATTACHED.format(date=info.issued_on.strftime("%d/%m/%Y"),
                                     unit=rp.short_unit_name(info.unit_name))
    _para(doc, attached, BODY_PT - 1, italic=True, after=6).paragraph_format.keep_with_next = True
    for i, table in enumerate(tables, start=1):
        _stat_table(doc, i, table, leading_zero=False, text_width_mm=width)


def _page(doc: Any, draft: bool) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(8)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
    normal.element.get_or_add_rPr()
    fonts = normal.element.rPr.find(qn("w:rFonts"))
    if fonts is not None:
        fonts.set(qn("w:eastAsia"), FONT)
    # Page numbers at the top centre from page 2; the first page has a header of its own (the draft mark).
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(header, BODY_PT)
    first = section.first_page_header.paragraphs[0]
    first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if draft:
        _font(first.add_run(rp.DRAFT_MARK), 12, bold=True)


def _properties(doc: Any, report: ReportDocument, info: Any) -> None:
    """The file's own properties say what it is, instead of python-docx's template (its 2013 author and date)."""
    props = doc.core_properties
    props.title = f"{rp.DOC_TITLE} " + rp.DOC_SUBTITLE.format(period=report.period_label or report.period)
    props.subject = rp.DOC_SUBTITLE.format(period=report.period_label or report.period)
    props.author = props.last_modified_by = info.unit_name
    props.keywords = props.comments = props.category = ""
    props.revision = max(1, int(report.revision or 1))
    made = None
    if report.built_at:
        try:
            made = datetime.fromisoformat(report.built_at)
        except ValueError:
            made = None
    props.created = props.modified = made or datetime.combine(info.issued_on, time())


def report_docx(report: ReportDocument, info: Any) -> bytes:
    """The Word document of a report document (tracker.services.reports.periodic.document) and its ExportInfo."""
    doc = Document()
    _properties(doc, report, info)
    _page(doc, report.status != "final")
    # Document() starts with no paragraph; the heading table comes first.
    _heading(doc, info, report)
    _title(doc, report)
    _body(doc, report, info)
    _para(doc, rp.SECTION_TABLES, BODY_PT, bold=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=12.7,
          before=6).paragraph_format.keep_with_next = True
    _para(doc, ANNEX_POINTER, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_mm=12.7, after=6)
    _keep_with_signature(doc)
    _closing(doc, info)
    _annex(doc, report, info)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
