"""The weekly list as an Excel workbook: one sheet per section, Vietnamese headers, dd/mm/yyyy dates.

No sender is named anywhere: the weekly list carries cases, never their senders.
"""
from __future__ import annotations

from datetime import date
from typing import IO
from typing import Any

from flask_babel import force_locale

from tracker.exports.xlsx import Sheet
from tracker.exports.xlsx import write_workbook
from tracker.labels import label

SHEETS = {  # section -> sheet title (at most 31 characters, none of []:*?/\)
    "overdue": "Quá hạn",
    "due_this_week": "Đến hạn trong tuần",
    "letters_due": "Đơn sắp hết hạn xử lý",
    "visits_without_letter": "Lượt tiếp chưa vào sổ đơn",
    "awaiting_decision": "Chờ Chủ tịch quyết định",
    "instructions": "Ý kiến chỉ đạo",
    "new": "Vụ việc mới",
    "new_letters": "Đơn mới",
    "sessions": "Tiếp công dân định kỳ",
}
CASE_HEADERS = ("Số vụ việc", "Loại vụ việc", "Trạng thái", "Bước", "Hạn giải quyết", "Số ngày quá hạn",
                "Số ngày còn lại", "Người xử lý", "Tóm tắt nội dung", "Lý do chậm")
HEADERS = {
    "letters_due": ("Số đơn", "Loại đơn", "Bước", "Hạn xử lý", "Số ngày quá hạn"),
    "new_letters": ("Số đơn", "Loại đơn", "Ngày nhận", "Nguồn đơn", "Trạng thái"),
    "visits_without_letter": ("Số lượt tiếp", "Ngày tiếp", "Phân loại", "Số ngày"),
    "instructions": ("Số vụ việc", "Nội dung chỉ đạo", "Hạn thực hiện", "Người thực hiện"),
    "sessions": ("Ngày tiếp", "Hình thức", "Người chủ trì", "Số lượt tiếp"),
}
WIDTHS = {"case": (11, 20, 14, 28, 13, 10, 10, 22, 50, 24), "letters_due": (11, 18, 28, 13, 10),
          "new_letters": (11, 18, 13, 20, 24), "visits_without_letter": (12, 13, 20, 10),
          "instructions": (11, 60, 13, 24), "sessions": (13, 24, 24, 10)}


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _case_row(i: dict[str, Any]) -> list[object]:
    return [i.get("case_no") or i["case_id"], label("case_kind", i["kind"]), label("case_status", i.get("status")),
            label("clock", i.get("step")), _day(i.get("due_on")), i.get("days_overdue") or 0,
            i.get("days_left"), i.get("handler") or "", i.get("summary") or "",
            label("delay_reason", i.get("delay_reason"))]


def _rows(section: str, items: list[dict[str, Any]], names: dict[int, str]) -> list[list[object]]:
    if section in ("overdue", "due_this_week", "awaiting_decision", "new"):
        return [_case_row(i) for i in items]
    if section == "letters_due":
        return [[f"{i['register_no']}/{i['year']}", label("letter_kind", i["kind"]), label("clock", i["step"]),
                 _day(i["due_on"]), i["days_overdue"]] for i in items]
    if section == "new_letters":
        return [[f"{i['register_no']}/{i['year']}", label("letter_kind", i["kind"]), _day(i["received_on"]),
                 label("letter_channel", i["channel"]), label("letter_status", i["status"])] for i in items]
    if section == "visits_without_letter":
        return [[f"{i['register_no']}/{i['year']}", _day(i["visited_on"]), label("classification", i["classification"]),
                 i["days"]] for i in items]
    if section == "instructions":
        return [[i.get("case_no") or i["case_id"], i["text"], _day(i["due_on"]), names.get(i["assignee_id"] or 0, "")]
                for i in items]
    return [[_day(i["held_on"]), label("kind", i["kind"]), i.get("host_name") or label("host", i.get("host")),
             i["visits"]] for i in items]


def weekly_workbook(ctx: dict[str, Any]) -> IO[bytes]:
    """The workbook of the weekly list in ``ctx`` (see web/weekly/views.weekly_context), labels in Vietnamese."""
    data, unit = ctx["data"], ctx["unit"]
    heading = (f"{unit.name} — Danh sách vụ việc tuần {ctx['week']} "
               f"({ctx['monday']:%d/%m/%Y} – {ctx['sunday']:%d/%m/%Y})")
    if ctx["view"] == "frozen":
        heading += " — bản chốt sáng thứ Hai"
    with force_locale("vi"):  # the labels of the codes, in Vietnamese whatever the user's language
        sheets = [Sheet(title, HEADERS.get(section, CASE_HEADERS),
                        _rows(section, data.get(section) or [], ctx["names"]), WIDTHS.get(section, WIDTHS["case"]),
                        heading=heading, landscape=True, wrap_over=40)
                  for section, title in SHEETS.items()]
    # user text (summaries, instructions, names) is written as text, never a formula (exports.cells)
    return write_workbook(sheets)
