"""The period report's statistical tables as an Excel workbook (openpyxl), one sheet per table, in the layout
of the official forms as far as they are known (domain.md §7.4): title rows with the unit, the period and the
dates it covers, merged header cells, the numbered columns (1) (2) …, borders, and the totals written as
numbers equal to the sum of their parts (so that the file reads right without recalculation).

All wording comes from tracker.rules.reporting; this module only lays it out.
"""
from __future__ import annotations

import io
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask import has_app_context
from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Border
from openpyxl.styles import Font
from openpyxl.styles import Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.exports import cells
from tracker.rules import reporting as rp
from tracker.rules.report_document import ReportDocument

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
SHEET_NAMES = {"results": "Kết quả giải quyết", "letters": "Biểu 01-XLD", "visits": "Tiếp công dân",
               "outcomes": "Kết quả vụ việc"}


def _vn(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def _put(ws: Worksheet, row: int, col: int, value: Any, *, bold: bool = False, italic: bool = False,
         size: int = 11, align: Alignment = _CENTER, border: bool = True) -> None:
    cell = cells.put(ws, row, col, value)  # the unit's name and every label as text, never a formula
    cell.font = Font(name=FONT, size=size, bold=bold, italic=italic)
    cell.alignment = align
    if border:
        cell.border = _BOX


def _title_rows(ws: Worksheet, width: int, table: rp.Table, report: ReportDocument, info: Any,
                number: int) -> int:
    last = get_column_letter(width)
    # Every sheet is headed alike: the national title and motto, the unit, the table's title, the period.
    lines = [
        (rp.NATION, True, False, 12),
        (rp.MOTTO, True, False, 12),
        (rp.full_unit_name(info.unit_name), True, False, 12),
        (f"Biểu {number}. {table.title.upper()}", True, False, 13),
        (f"Kỳ báo cáo: {report.period_label or report.period}", False, False, 12),
        (rp.DOC_COVERS.format(date_from=_vn(report.from_), date_to=_vn(report.to)), False, True, 11),
    ]
    if report.status != "final":
        lines.append((rp.DRAFT_MARK, True, False, 11))
    for r, (text, bold, italic, size) in enumerate(lines, start=1):
        ws.merge_cells(f"A{r}:{last}{r}")
        _put(ws, r, 1, text, bold=bold, italic=italic, size=size, border=False)
    return len(lines) + 2


def _sheet(ws: Worksheet, table: rp.Table, report: ReportDocument, info: Any, number: int) -> None:
    columns = table.columns
    width = 2 + len(columns)
    top = _title_rows(ws, width, table, report, info, number)
    two_rows = any(group is not None for group, _ in table.groups)
    header_rows = 2 if two_rows else 1
    for r in range(top, top + header_rows):
        for c in range(1, width + 1):
            _put(ws, r, c, None, bold=True)
    _put(ws, top, 1, "STT", bold=True)
    _put(ws, top, 2, table.label_header, bold=True)
    if two_rows:
        ws.merge_cells(start_row=top, start_column=1, end_row=top + 1, end_column=1)
        ws.merge_cells(start_row=top, start_column=2, end_row=top + 1, end_column=2)
    col = 3
    for group, subs in table.groups:
        if group is None or not two_rows:
            for sub in subs:
                _put(ws, top, col, sub, bold=True)
                if two_rows:
                    ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
                col += 1
            continue
        _put(ws, top, col, group, bold=True)
        if len(subs) > 1:
            ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(subs) - 1)
        for i, sub in enumerate(subs):
            _put(ws, top + 1, col + i, sub, bold=True)
        col += len(subs)
    numbers_row = top + header_rows
    for i, label in enumerate(table.numbers, start=1):
        _put(ws, numbers_row, i, label, italic=True)
    r = numbers_row + 1
    for row in table.rows:
        _put(ws, r, 1, row.number, bold=row.strong)
        _put(ws, r, 2, row.label, bold=row.strong, align=_LEFT)
        for c, cell in enumerate(row.cells, start=3):
            _put(ws, r, c, int(cell.value), bold=row.strong)
            ws.cell(row=r, column=c).number_format = "#,##0"
        r += 1
    if table.formulas:
        ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=width)
        _put(ws, r + 1, 1, rp.FORMULA_NOTE.format(formulas=table.formulas), italic=True, align=_LEFT, border=False)
        r += 1
    built = report.built_at or ""
    source = rp.XLSX_SOURCE.format(status=rp.STATUS_WORDS.get(report.status, ""),
                                   revision=report.revision or 1,
                                   built_at=_built(built))
    ws.merge_cells(start_row=r + 1, start_column=1, end_row=r + 1, end_column=width)
    _put(ws, r + 1, 1, source, italic=True, size=10, align=_LEFT, border=False)
    ws.merge_cells(start_row=r + 2, start_column=1, end_row=r + 2, end_column=width)
    _put(ws, r + 2, 1, rp.XLSX_PREPARED.format(date=info.issued_on.strftime("%d/%m/%Y")), italic=True, size=10,
         align=_LEFT, border=False)
    # Layout: widths, header height, print on A4 (landscape for the wide tables), titles repeated.
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 34 if len(columns) > 1 else 52
    for c in range(3, width + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11 if len(columns) > 1 else 16
    if two_rows:
        ws.row_dimensions[top + 1].height = 48
    ws.row_dimensions[top].height = 30
    ws.freeze_panes = ws.cell(row=numbers_row + 1, column=3)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if len(columns) > 3 else "portrait"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{numbers_row}"
    ws.print_options.horizontalCentered = True


def _zone() -> ZoneInfo:
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Ho_Chi_Minh")


def _built(iso: str) -> str:
    """The build time (stored in UTC) as the unit's clock read it (the app's TIMEZONE)."""
    try:
        at = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(_zone()).strftime("%d/%m/%Y %H:%M")


def report_xlsx(report: ReportDocument, info: Any) -> bytes:
    """The workbook of a report document (tracker.services.reports.periodic.document) and its ExportInfo."""
    wb = Workbook()
    wb.remove(wb.active)
    for number, table in enumerate(rp.tables(report), start=1):
        _sheet(wb.create_sheet(SHEET_NAMES.get(table.key, table.key)[:31]), table, report, info, number)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
