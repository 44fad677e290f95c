"""ISO weeks across year boundaries and week 53."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.rules.weeks import WeekError
from tracker.rules.weeks import parse_week
from tracker.rules.weeks import reference_day
from tracker.rules.weeks import shift_week
from tracker.rules.weeks import week_code


def test_a_year_boundary_falls_in_the_iso_week_of_its_thursday() -> None:
    assert week_code(date(2026, 12, 31)) == "2026-W53"  # 2026 has 53 ISO weeks
    assert week_code(date(2027, 1, 3)) == "2026-W53"
    assert week_code(date(2027, 1, 4)) == "2027-W01"
    assert week_code(date(2024, 12, 30)) == "2025-W01"


def test_week_53_exists_only_in_long_years() -> None:
    assert parse_week("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    with pytest.raises(WeekError):
        parse_week("2025-W53")
    with pytest.raises(WeekError):
        parse_week("2026-48")


def test_shifting_crosses_years() -> None:
    assert shift_week("2027-W01", -1) == "2026-W53"
    assert shift_week("2026-W53", 1) == "2027-W01"


def test_the_reference_day_is_clamped_to_the_week() -> None:
    assert reference_day("2026-W48", date(2026, 11, 25)) == date(2026, 11, 25)
    assert reference_day("2026-W48", date(2026, 12, 25)) == date(2026, 11, 29)
    assert reference_day("2026-W48", date(2026, 11, 1)) == date(2026, 11, 23)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_lies_in_the_week_it_is_coded_to(day: date) -> None:
    monday, sunday = parse_week(week_code(day))
    assert monday <= day <= sunday and sunday - monday == timedelta(days=6) and monday.weekday() == 0


@pytest.mark.parametrize("code", ["0000-W01", "0001-W01", "9999-W52", "1899-W52", "3000-W01", "٢٠٢٦-W01"])
def test_a_week_of_a_year_out_of_range_is_a_week_error_not_a_crash(code: str) -> None:
    # "0000-W01" raised a bare ValueError from date() (issue 12): the weekly pages answered 500.
    with pytest.raises(WeekError):
        parse_week(code)
