"""Retention schedule of personal data, per record type: the shipped defaults of the ``rule_params``
rows whose key starts with ``retention_`` (value in months). An administrator corrects them on the
rule values page (Quản trị → Tham số pháp lý) like any other rule value; the database copy wins.

When a record's time is up it is anonymised (tracker.services.privacy.anonymise), not deleted: the numbers
of every report stay the same (Luật 91/2025/QH15 Điều 3: keep personal data only as long as the
purpose requires; domain.md §10).

Where the law gives no period the certainty is U and the default is deliberately long
(anonymisation cannot be undone; an administrator can shorten it once the archive schedule that
applies to the commune is confirmed — e.g. the retention table of TT 10/2022/TT-BNV, not read here).
"""
from __future__ import annotations

from datetime import date

from tracker.rules.params import Param

LAW_91 = "Luật 91/2025/QH15 Điều 3 (lưu trữ trong thời gian phù hợp mục đích); NĐ 356/2025/NĐ-CP"

# record type → rule_params key
KEYS = {
    "visit": "retention_visit_months",
    "letter_archived": "retention_letter_archived_months",
    "letter_handled": "retention_letter_handled_months",
    "case_closed": "retention_case_closed_months",
    "citizen_idle": "retention_citizen_idle_months",
    "attachment": "retention_attachment_months",
}

DEFAULTS: tuple[Param, ...] = (
    # The reception log book (sổ tiếp công dân): no period found in the reception law; conservative.
    Param(KEYS["visit"], 120, date(2026, 1, 1), None,
          "Chưa xác định thời hạn lưu sổ tiếp công dân; mặc định thận trọng 10 năm. " + LAW_91, "U"),
    # Letters filed without action (lưu đơn): kept one year, then destroyed on the head's decision.
    Param(KEYS["letter_archived"], 12, date(2026, 1, 1), None,
          "TT 07/2014/TT-TTCP Điều 28 (lưu đơn 01 năm); TT 05/2021/TT-TTCP chưa đối chiếu", "C"),
    # Letters transferred, guided or returned (no case here): no period found; conservative.
    Param(KEYS["letter_handled"], 60, date(2026, 1, 1), None,
          "Chưa xác định thời hạn (đơn chuyển / hướng dẫn / trả lại); mặc định thận trọng 5 năm. " + LAW_91, "U"),
    # Closed cases (hồ sơ giải quyết khiếu nại, tố cáo…), counted from closing; their letter goes with them.
    Param(KEYS["case_closed"], 180, date(2026, 1, 1), None,
          "Chưa xác định (hồ sơ giải quyết KN, TC theo quy định lưu trữ); mặc định thận trọng 15 năm. " + LAW_91,
          "U"),
    # A citizen no remaining record refers to, counted from the citizen's registration.
    Param(KEYS["citizen_idle"], 12, date(2026, 1, 1), None,
          "Không còn hồ sơ nào cần đến: " + LAW_91, "U"),
    # Attached files, counted from the end of their letter's or case's own period (0 = with it).
    Param(KEYS["attachment"], 0, date(2026, 1, 1), None,
          "Tệp đính kèm theo thời hạn của đơn / vụ việc. " + LAW_91, "U"),
)
