"""Streaming Excel writer: a write-only openpyxl workbook fed row by row, never the whole book in memory.

Every value goes through tracker.exports.cells (user text is written as text, never as a formula)."""
from __future__ import annotations

import tempfile
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.exports import cells

DATE_FORMAT = "dd/mm/yyyy"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=12)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass
class Sheet:
    """One sheet: an optional bold heading line above the header row, the header row, then ``rows``."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[object]]
    widths: Sequence[int] = ()
    heading: str | None = None
    landscape: bool = False
    wrap_over: int = 60  # text longer than this wraps


def write_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[object]],
               widths: Sequence[int] = ()) -> IO[bytes]:
    """Write one sheet (bold header row, then ``rows``) to a temporary file and return it rewound."""
    return write_workbook([Sheet(sheet_title, headers, rows, widths)])


def write_workbook(sheets: Iterable[Sheet]) -> IO[bytes]:
    """Write ``sheets`` to a temporary file and return it rewound: the one Excel writer of the app's lists.

    Dates become real Excel dates shown as dd/mm/yyyy; long text wraps; the header row stays in view. The
    rows are consumed lazily, one at a time.
    """
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _write_sheet(wb, sheet)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the response, which closes it)
    wb.save(handle)
    handle.seek(0)
    return handle


def _write_sheet(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.title[:31])
    for i, width in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A3" if sheet.heading else "A2"
    if sheet.landscape:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    if sheet.heading:
        title = cells.cell(ws, sheet.heading)
        title.font = _TITLE_FONT
        ws.append([title])
    header_cells = []
    for text in sheet.headers:
        cell = cells.cell(ws, text)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        header_cells.append(cell)
    ws.append(header_cells)
    for row in sheet.rows:
        out: list[object] = []
        for value in row:
            if isinstance(value, date | datetime):
                cell = cells.cell(ws, value.date() if isinstance(value, datetime) else value)
                cell.number_format = DATE_FORMAT
            else:
                cell = cells.cell(ws, value)
                if isinstance(value, str) and ("\n" in value or len(value) > sheet.wrap_over):
                    cell.alignment = _WRAP
            out.append(cell)
        ws.append(out)
