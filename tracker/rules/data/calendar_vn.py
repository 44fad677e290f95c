"""Official civil-service calendar decisions already published, as overrides of ``holidays.VN``.

These are the seed of the ``calendar_days`` table; an administrator adds each new year's notice of
the Bộ Nội vụ there (``flask --app tracker calendar day-off|work-day``). Sources: domain.md §9.2–9.3.

What ``holidays`` 0.108 returns (checked with ``holidays.VN(years=[2024, 2025, 2026], language="vi")``):
- 2024: Tết 8–14 Feb, Giỗ Tổ 18 Apr, 29 Apr "Ngày nghỉ (thay cho ngày 04/05/2024)", 30 Apr, 1 May,
  2–3 Sep; make-up Saturday 4 May known as a working day, but without its document.
- 2025: Tết 27 Jan–1 Feb, Giỗ Tổ 7 Apr, 30 Apr, 1 May, 2 May "(thay cho ngày 26/04/2025)", 1–2 Sep;
  26 Apr known as a working day. The 9-day Tết block 25 Jan–2 Feb only adds weekend days: nothing missing.
- 2026: 1 Jan; Tết 16–20 Feb (= the official Mon 16–Fri 20 Feb of TB 9441/TB-BNV); Giỗ Tổ 26 Apr and
  27 Apr "(nghỉ bù)"; 30 Apr; 1 May; 31 Aug "(thay cho ngày 22/08/2026)"; 1–2 Sep; 24 Nov "Ngày Văn hóa
  Việt Nam"; 22 Aug known as a working day.
  MISSING: the New-Year swap of CV 12729/VPCP-KGVX (off Fri 2 Jan, work Sat 10 Jan).
  DOUBTFUL: 24 Nov rests on a Party resolution; whether BLLĐ Điều 112 was amended is not confirmed (U).
Each swap is shipped whole (the day off and its make-up Saturday) so that both halves show the
document, even where the package already has the day; the package's Tết and holidays are not repeated.
"""
from __future__ import annotations

from datetime import date

from tracker.rules.calendar import DayOverride

CV_2450_2024 = "CV 2450/VPCP-KGVX (2024), hoán đổi ngày làm việc dịp 30/4–1/5/2024"
TB_6150_2024 = "TB 6150/TB-BLĐTBXH (2024), lịch nghỉ Tết Âm lịch và 30/4–1/5/2025 của CBCCVC"
CV_12729_2025 = "CV 12729/VPCP-KGVX ngày 25/12/2025, hoán đổi ngày làm việc dịp Tết Dương lịch 2026"
TB_9441_BNV = "TB 9441/TB-BNV, lịch nghỉ Tết Âm lịch và Quốc khánh 2026 của CBCCVC"

CALENDAR_SEED: tuple[DayOverride, ...] = (
    # 2024: 30/4–1/5 swap.
    DayOverride(date(2024, 4, 29), "day_off", "Ngày nghỉ hoán đổi (làm bù Thứ Bảy 04/05/2024)", CV_2450_2024, "C"),
    DayOverride(date(2024, 5, 4), "work_day", "Làm việc bù cho Thứ Hai 29/04/2024", CV_2450_2024, "C"),
    # 2025: 30/4–1/5 swap.
    DayOverride(date(2025, 4, 26), "work_day", "Làm việc bù cho Thứ Sáu 02/05/2025", TB_6150_2024, "S"),
    DayOverride(date(2025, 5, 2), "day_off", "Ngày nghỉ hoán đổi (làm bù Thứ Bảy 26/04/2025)", TB_6150_2024, "S"),
    # 2026: New-Year swap — missing from holidays 0.108.
    DayOverride(date(2026, 1, 2), "day_off", "Nghỉ Tết Dương lịch (hoán đổi, làm bù Thứ Bảy 10/01/2026)",
                CV_12729_2025, "S"),
    DayOverride(date(2026, 1, 10), "work_day", "Làm việc bù cho Thứ Sáu 02/01/2026", CV_12729_2025, "S"),
    # 2026: Quốc khánh swap (29 Aug–2 Sep off).
    DayOverride(date(2026, 8, 22), "work_day", "Làm việc bù cho Thứ Hai 31/08/2026", TB_9441_BNV, "C"),
    DayOverride(date(2026, 8, 31), "day_off", "Nghỉ Quốc khánh (hoán đổi, làm bù Thứ Bảy 22/08/2026)",
                TB_9441_BNV, "C"),
    # 2026: kept off as in the package, but uncertain: change the kind to "not_off" if the Labour
    # Code amendment adding 24 Nov to Điều 112 did not pass.
    DayOverride(date(2026, 11, 24), "day_off", "Ngày Văn hóa Việt Nam",
                "NQ 80-NQ/TW (01/2026); NQ 30/NQ-CP (02/2026) — việc sửa BLLĐ 2019 Điều 112 chưa được xác nhận",
                "U"),
)

# Names given to rows an administrator adds without one.
DEFAULT_NAMES = {
    "day_off": "Ngày nghỉ theo thông báo",
    "work_day": "Ngày làm việc bù",
    "not_off": "Không phải ngày nghỉ",
}
