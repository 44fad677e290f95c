"""The one way a value goes into an Excel cell: user text is written as text, never as a formula.

Every workbook the application writes (log book export, weekly list, period report) puts its values through
``put`` (a cell of an ordinary sheet) or ``cell`` (a new cell of a write-only sheet). openpyxl turns any string
that begins with "=" into a live formula; a summary typed as ``=HYPERLINK("http://…","Bấm vào đây")`` would then
run on the reader's machine (issue 12, finding 7). Here a string is always a string cell (data type "s"), and one
beginning with a character a spreadsheet reads as the start of a formula (= + - @, tab, carriage return) is also
marked "quote prefix" — what Excel itself stores when one types an apostrophe first — so that editing the cell
in Excel or LibreOffice keeps it text. The text itself is left exactly as typed (no apostrophe is added to it),
so the file re-imports unchanged. Characters XML cannot carry (control characters other than tab, newline and
carriage return) are dropped instead of failing the whole export.
"""
from __future__ import annotations

from typing import Any

from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(cell: Any, value: str) -> None:
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write ``value`` into the cell at (row, column) of an ordinary sheet; answer the cell."""
    target = ws.cell(row=row, column=column)
    if isinstance(value, str):
        _text(target, value)
    else:
        target.value = value
    return target


def cell(ws: Any, value: Any) -> Cell:
    """A cell of ``ws`` holding ``value``, to be given to ``ws.append`` (ordinary and write-only sheets)."""
    target = Cell(ws, row=1, column=1)  # placed by ws.append
    if isinstance(value, str):
        _text(target, value)
    else:
        target.value = value
    return target


def append(ws: Any, values: list[Any]) -> None:
    """Append one row of ``values`` to ``ws`` (instead of ``ws.append``, which writes "=…" as a formula)."""
    ws.append([v if isinstance(v, Cell) else cell(ws, v) for v in values])
