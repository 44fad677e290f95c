"""Report periods: codes, cut-off conventions as data, names, carry-over source and deadlines."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.rules import periods
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.data.report_periods import DEADLINE_RULES


def dates(code: str, convention: str = "official") -> tuple[date, date]:
    s = periods.span(code, convention, CUTOFF_RULES)
    return s.date_from, s.date_to


@pytest.mark.parametrize(("code", "start", "end"), [
    ("2024", date(2023, 12, 15), date(2024, 12, 14)),
    ("2024-H1", date(2023, 12, 15), date(2024, 6, 14)),
    ("2025-9M", date(2024, 12, 15), date(2025, 9, 14)),
    ("2025-Q1", date(2024, 12, 15), date(2025, 3, 14)),
    ("2025-Q2", date(2025, 3, 15), date(2025, 6, 14)),
    ("2025-Q3", date(2025, 6, 15), date(2025, 9, 14)),
    ("2025-Q4", date(2025, 9, 15), date(2025, 12, 14)),
    ("2025-03", date(2025, 2, 15), date(2025, 3, 14)),
    ("2026-01", date(2025, 12, 15), date(2026, 1, 14)),
])
def test_official_periods_run_from_the_15th_before_to_the_14th(code: str, start: date, end: date) -> None:
    assert dates(code) == (start, end)


@pytest.mark.parametrize(("code", "start", "end"), [
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2024-H1", date(2024, 1, 1), date(2024, 6, 30)),
    ("2024-9M", date(2024, 1, 1), date(2024, 9, 30)),
    ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
])
def test_calendar_periods_are_plain_months(code: str, start: date, end: date) -> None:
    assert dates(code, "calendar") == (start, end)


def test_the_rule_in_force_and_its_legal_basis_are_reported() -> None:
    assert periods.span("2026-H1", "official", CUTOFF_RULES).rule.legal_basis.startswith("TT 06/2025/TT-TTCP")
    assert periods.span("2024-H1", "official", CUTOFF_RULES).rule.legal_basis.startswith("TT 01/2024/TT-TTCP")
    month = periods.span("2025-03", "official", CUTOFF_RULES).rule
    assert month.certainty == "U" and "09/2019" in month.legal_basis


@pytest.mark.parametrize("code", ["24", "2024-13", "2024-00", "2024-Q5", "2024-H2", "2024-q1", "", "2024-6"])
def test_malformed_codes_are_refused(code: str) -> None:
    with pytest.raises(periods.PeriodError):
        periods.parse_period(code)


def test_an_official_period_before_any_known_regime_is_refused_but_a_calendar_one_is_not() -> None:
    with pytest.raises(periods.PeriodError):
        dates("2019")
    assert dates("2019", "calendar") == (date(2019, 1, 1), date(2019, 12, 31))
    with pytest.raises(periods.PeriodError):
        dates("2024", "weekly")


@pytest.mark.parametrize(("code", "text"), [
    ("2023", "năm 2023"), ("2024-H1", "6 tháng đầu năm 2024"), ("2025-Q1", "quý I năm 2025"),
    ("2025-Q4", "quý IV năm 2025"), ("2025-9M", "9 tháng năm 2025"), ("2025-03", "tháng 3 năm 2025"),
])
def test_periods_have_their_vietnamese_names(code: str, text: str) -> None:
    assert periods.label(code) == text


@pytest.mark.parametrize(("code", "source", "previous"), [
    ("2024", "2023", "2023"), ("2024-H1", "2023", "2023-H1"), ("2024-9M", "2023", "2023-9M"),
    ("2024-Q1", "2023-Q4", "2023-Q4"), ("2024-Q3", "2024-Q2", "2024-Q2"),
    ("2024-01", "2023-12", "2023-12"), ("2024-07", "2024-06", "2024-06"),
])
def test_a_period_carries_over_from_the_one_ending_the_day_before(code: str, source: str, previous: str) -> None:
    assert periods.carry_over_source(code) == source
    assert periods.previous_period(code) == previous
    for convention in ("official", "calendar"):
        assert dates(source, convention)[1] + timedelta(days=1) == dates(code, convention)[0]


def test_communes_report_by_the_17th_and_provinces_by_the_20th_of_the_last_month() -> None:
    due, rule = periods.deadline("2026-H1", "commune", DEADLINE_RULES)
    assert due == date(2026, 6, 17) and rule.legal_basis.startswith("TT 06/2025")
    assert periods.deadline("2025-Q1", "province", DEADLINE_RULES)[0] == date(2025, 3, 20)
    assert periods.deadline("2023", "commune", DEADLINE_RULES) is None


def test_the_periods_ending_on_a_day_are_listed_shorter_first() -> None:
    found = periods.periods_ending_between(date(2024, 6, 14), date(2024, 6, 14), "official", CUTOFF_RULES)
    assert [s.period.code for s in found] == ["2024-06", "2024-Q2", "2024-H1"]
    found = periods.periods_ending_between(date(2024, 12, 1), date(2024, 12, 31), "calendar", CUTOFF_RULES)
    assert [s.period.code for s in found] == ["2024-12", "2024-Q4", "2024"]


@given(st.integers(2022, 2030), st.integers(1, 12), st.sampled_from(["official", "calendar"]))
def test_consecutive_months_and_quarters_tile_the_year_without_gaps(year: int, month: int, convention: str) -> None:
    this = f"{year}-{month:02d}"
    after = f"{year + (month == 12)}-{month % 12 + 1:02d}"
    assert dates(this, convention)[1] + timedelta(days=1) == dates(after, convention)[0]
    quarters = [dates(f"{year}-Q{q}", convention) for q in range(1, 5)]
    assert quarters[0][0] == dates(str(year), convention)[0] and quarters[3][1] == dates(str(year), convention)[1]
    assert all(a[1] + timedelta(days=1) == b[0] for a, b in zip(quarters, quarters[1:], strict=False))
