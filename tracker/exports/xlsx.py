"""Streaming Excel writer: a write-only openpyxl workbook fed row by row, never the whole book in memory.

Every value goes through tracker.exports.cells (user text is written as text, never as a formula)."""
from __future__ import annotations

import tempfile
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date
from datetime import datetime
from typing import IO

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.styles import Font
from openpyxl.styles import PatternFill
from openpyxl.utils import get_column_letter

from tracker.exports import cells

DATE_FORMAT = "dd/mm/yyyy"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_WRAP = Alignment(wrap_text=True, vertical="top")


def write_xlsx(sheet_title: str, headers: Sequence[str], rows: Iterable[Sequence[object]],
               widths: Sequence[int] = ()) -> IO[bytes]:
    """Write one sheet (bold header row, then ``rows``) to a temporary file and return it rewound.

    Dates become real Excel dates shown as dd/mm/yyyy; long text wraps. The rows are consumed lazily.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    header_cells = []
    for text in headers:
        cell = cells.cell(ws, text)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        out: list[object] = []
        for value in row:
            if isinstance(value, date | datetime):
                cell = cells.cell(ws, value.date() if isinstance(value, datetime) else value)
                cell.number_format = DATE_FORMAT
            else:
                cell = cells.cell(ws, value)
                if isinstance(value, str) and ("\n" in value or len(value) > 60):
                    cell.alignment = _WRAP
            out.append(cell)
        ws.append(out)
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the response, which closes it)
    wb.save(handle)
    handle.seek(0)
    return handle
