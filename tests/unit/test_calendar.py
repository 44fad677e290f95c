"""The working calendar: holidays.VN 0.108 plus the shipped official overrides (domain.md §9.2–9.3)."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.rules.calendar import DayOverride
from tracker.rules.calendar import WorkingCalendar
from tracker.rules.data.calendar_vn import CALENDAR_SEED

CAL = WorkingCalendar(CALENDAR_SEED)
PACKAGE_ONLY = WorkingCalendar()
days_2024_2027 = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31))


def test_the_holidays_package_is_the_pinned_version_whose_gaps_the_seed_fills() -> None:
    # The seed was checked against 0.108: a new version must be re-checked before it is used.
    assert holidays.__version__ == "0.108"
    assert not PACKAGE_ONLY.is_working_day(date(2026, 1, 10)) and PACKAGE_ONLY.is_working_day(date(2026, 1, 2))


def test_every_shipped_override_has_a_document_and_a_known_certainty() -> None:
    assert len({o.day for o in CALENDAR_SEED}) == len(CALENDAR_SEED)
    for o in CALENDAR_SEED:
        assert o.basis.strip() and o.name.strip() and o.certainty in {"C", "S", "U"}
        if o.kind == "work_day":
            assert o.day.weekday() == 5  # every make-up day published so far is a Saturday


@pytest.mark.parametrize("day", [date(2024, 5, 4), date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)])
def test_official_make_up_saturdays_are_working_days(day: date) -> None:
    assert day.weekday() == 5 and CAL.is_working_day(day) and CAL.reason_off(day) is None
    assert CAL.day_info(day).make_up


@pytest.mark.parametrize("day", [
    date(2024, 4, 29), date(2025, 5, 2), date(2026, 1, 2), date(2026, 8, 31),  # swapped days off
    date(2026, 4, 27),  # Giỗ Tổ on Sunday 26 Apr → compensatory Monday
    *(date(2025, 1, 27) + timedelta(days=i) for i in range(5)),  # Tết 2025: Mon 27–Fri 31 Jan
    *(date(2026, 2, 16) + timedelta(days=i) for i in range(5)),  # Tết 2026: Mon 16–Fri 20 Feb (TB 9441/TB-BNV)
    date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, kept off but marked U
])
def test_holidays_and_official_days_off_are_not_working_days(day: date) -> None:
    assert day.weekday() < 5 and not CAL.is_working_day(day) and CAL.reason_off(day)


def test_the_reason_names_the_weekend_day_the_holiday_or_the_document() -> None:
    assert CAL.reason_off(date(2026, 3, 7)) == "Thứ Bảy"
    assert CAL.reason_off(date(2026, 3, 8)) == "Chủ nhật"
    assert CAL.reason_off(date(2026, 2, 17)) == "Tết Nguyên Đán"
    assert "CV 12729/VPCP-KGVX" in CAL.reason_off(date(2026, 1, 2))
    assert CAL.off_reason(date(2026, 1, 2))[0] == "day_off"
    assert CAL.off_reason(date(2026, 2, 17)) == ("holiday", "Tết Nguyên Đán")
    assert CAL.off_reason(date(2026, 3, 8)) == ("weekend", "Chủ nhật")
    assert CAL.off_reason(date(2026, 3, 9)) is None


def test_overrides_win_over_the_package() -> None:
    cal = WorkingCalendar([
        DayOverride(date(2026, 11, 24), "not_off", "Không nghỉ", "BLLĐ chưa sửa", "U"),
        DayOverride(date(2026, 9, 5), "work_day", "Làm bù", "TB thử"),
        DayOverride(date(2026, 9, 4), "day_off", "Nghỉ thêm", "QĐ thử"),
        DayOverride(date(2026, 9, 6), "not_off", "Không nghỉ", "thử"),  # a Sunday stays a rest day
    ])
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2026, 9, 5)) and not cal.is_working_day(date(2026, 9, 4))
    assert not cal.is_working_day(date(2026, 9, 6)) and cal.off_reason(date(2026, 9, 6)) == ("weekend", "Chủ nhật")
    assert cal.reason_off(date(2026, 9, 4)) == "Nghỉ thêm (QĐ thử)"


def test_an_unknown_override_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        DayOverride(date(2026, 1, 1), "holiday", "x", "y")


def test_counting_working_days_does_not_count_the_start_day_and_counts_make_up_saturdays() -> None:
    # Wed 31 Dec 2025: Thu 1 Jan holiday, Fri 2 day off, weekend; Mon 5..Fri 9 = 5, Sat 10 make-up = 6.
    assert CAL.add_working_days(date(2025, 12, 31), 6) == date(2026, 1, 10)
    assert PACKAGE_ONLY.add_working_days(date(2025, 12, 31), 6) == date(2026, 1, 9)  # 2 Jan counted there
    assert CAL.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert CAL.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)  # across Tết 2026
    assert CAL.roll_forward(date(2026, 2, 23)) == date(2026, 2, 23)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 3, 2), -1)


def test_the_year_listing_shows_holidays_days_off_and_make_up_days_with_their_source() -> None:
    listing = {d.day: d for d in CAL.days_off(2026)}
    assert listing[date(2026, 1, 10)].kind == "work_day" and listing[date(2026, 1, 10)].source == "override"
    assert "CV 12729/VPCP-KGVX" in listing[date(2026, 1, 10)].basis
    tet = listing[date(2026, 2, 17)]
    assert tet.source == "package" and tet.basis.startswith("Bộ luật Lao động")
    assert listing[date(2026, 11, 24)].certainty == "U"
    assert list(listing) == sorted(listing)
    assert all(d.year == 2026 for d in listing)


def test_each_year_is_built_once() -> None:
    cal = WorkingCalendar(CALENDAR_SEED)
    cal.is_working_day(date(2026, 5, 5))
    built = cal._years[2026]
    cal.is_working_day(date(2026, 6, 5))
    assert cal._years[2026] is built and set(cal._years) == {2026}


@given(days_2024_2027)
def test_the_next_working_day_is_a_later_working_day_with_only_days_off_between(day: date) -> None:
    nxt = CAL.next_working_day(day)
    assert nxt > day and CAL.is_working_day(nxt)
    assert all(not CAL.is_working_day(day + timedelta(days=i)) for i in range(1, (nxt - day).days))


@given(days_2024_2027, st.integers(0, 60), st.integers(0, 60))
def test_more_working_days_never_give_an_earlier_date(day: date, n: int, extra: int) -> None:
    assert CAL.add_working_days(day, n + extra) >= CAL.add_working_days(day, n)
