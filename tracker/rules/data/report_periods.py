"""Reporting periods as data: the data cut-off conventions and the report deadlines, with their legal basis.

Sources: domain.md §7.2–7.4. Certainty: C confirmed, S one secondary source, U uncertain.

- The TTCP regime (TT 02/2021 → TT 01/2024 → TT 06/2025/TT-TTCP Điều 7) cuts the data of quarterly,
  6-month, 9-month and annual reports from the 15th of the month before the period to the 14th of
  its last month (6 tháng: 15/12 of the previous year → 14/6).
- The TTCP regime has no monthly report; monthly socio-economic reports follow provincial rules
  made under NĐ 09/2019/NĐ-CP, whose default convention is the same 15th → 14th (U).
- "calendar" periods (1 Jan → 30 Jun …) are what the grassroots-democracy reports of the
  examples use; they are a unit's choice, not a legal rule.
"""
from __future__ import annotations

from datetime import date

from tracker.rules.periods import CutoffRule
from tracker.rules.periods import DeadlineRule

TTCP_KINDS = ("year", "H1", "9M", "Q")

CUTOFF_RULES: tuple[CutoffRule, ...] = (
    CutoffRule("ttcp.2021", "official", TTCP_KINDS, 15, 14, True, date(2021, 5, 10), date(2024, 3, 5),
               "TT 02/2021/TT-TTCP (chế độ báo cáo công tác thanh tra, tiếp công dân, KNTC, PCTN)", "U",
               note="Cut-off days of TT 02/2021 not re-read; assumed equal to its successors"),
    # TT 01/2024/TT-TTCP is dated 20/01/2024; its entry into force (6/3/2024) is not confirmed (U).
    CutoffRule("ttcp.2024", "official", TTCP_KINDS, 15, 14, True, date(2024, 3, 6), date(2025, 9, 29),
               "TT 01/2024/TT-TTCP Điều 7 (thời gian chốt số liệu)", "U"),
    CutoffRule("ttcp.2025", "official", TTCP_KINDS, 15, 14, True, date(2025, 9, 30), None,
               "TT 06/2025/TT-TTCP Điều 7 (thời gian chốt số liệu)", "S"),
    CutoffRule("monthly.2019", "official", ("month",), 15, 14, True, date(2019, 3, 12), None,
               "NĐ 09/2019/NĐ-CP (chế độ báo cáo của cơ quan hành chính nhà nước); quy định của UBND tỉnh", "U",
               note="Monthly reports are not part of the TTCP regime; provinces may set other days"),
    CutoffRule("calendar", "calendar", TTCP_KINDS + ("month",), 1, None, False, date(1900, 1, 1), None,
               "Kỳ báo cáo theo năm dương lịch (báo cáo thực hiện dân chủ ở cơ sở)", "C"),
)

# Communes (and provincial departments) send to the provincial UBND by the 17th of the last month of the
# period; the province compiles and sends to Thanh tra Chính phủ by the 20th (TT 06/2025 Điều 7.2).
DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule("deadline.commune.2024", "commune", 17, date(2024, 3, 6), date(2025, 9, 29),
                 "TT 01/2024/TT-TTCP Điều 7", "U"),
    DeadlineRule("deadline.commune.2025", "commune", 17, date(2025, 9, 30), None, "TT 06/2025/TT-TTCP Điều 7.2",
                 "S"),
    DeadlineRule("deadline.province.2025", "province", 20, date(2025, 9, 30), None,
                 "TT 06/2025/TT-TTCP Điều 7.2", "S"),
    DeadlineRule("deadline.province.2024", "province", 20, date(2024, 3, 6), date(2025, 9, 29),
                 "TT 01/2024/TT-TTCP Điều 7", "U"),
    # Calendar periods (a unit's choice, not the TTCP regime): the 17th belongs to the official cut-off
    # only. No rule fixes their sending day; assumed 5 days after the period's last day, so that a report is
    # never due before its period ends (U: correct it here or by the province's own instruction).
    DeadlineRule("deadline.commune.calendar", "commune", 0, date(1900, 1, 1), None,
                 "Kỳ báo cáo theo năm dương lịch: hạn gửi 05 ngày sau ngày cuối kỳ (giả định, chưa có văn bản)", "U",
                 convention="calendar", days_after_end=5),
    DeadlineRule("deadline.province.calendar", "province", 0, date(1900, 1, 1), None,
                 "Kỳ báo cáo theo năm dương lịch: hạn gửi 08 ngày sau ngày cuối kỳ (giả định, chưa có văn bản)", "U",
                 convention="calendar", days_after_end=8),
)
