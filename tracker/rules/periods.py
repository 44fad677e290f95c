"""Report periods: codes, the dates they cover under a cut-off convention, their Vietnamese names,
the period a report carries over from, and the report deadline. Pure: the conventions and deadlines
are data passed in (tracker.rules.data.report_periods), each with its legal basis and dates in force.

Codes (interfaces.md): ``2024`` year, ``2024-H1`` first six months, ``2024-9M`` first nine months,
``2024-Q1`` … ``2024-Q4`` quarters, ``2024-01`` … ``2024-12`` months.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

_CODE = re.compile(r"^(\d{4})(?:-(H1|9M|Q[1-4]|\d{2}))?$")
CONVENTIONS = ("official", "calendar")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    code = "period_invalid"


@dataclass(frozen=True)
class Period:
    code: str
    kind: str  # year | H1 | 9M | Q | month
    year: int
    first_month: int  # the period's nominal months, e.g. H1 = 1..6
    last_month: int
    number: int = 0  # quarter or month number


@dataclass(frozen=True)
class CutoffRule:
    """When the data of a period start and end: the ``start_day`` of the first month (of the month
    before it when ``start_previous_month``) to the ``end_day`` of the last month (None = its last day)."""

    code: str
    convention: str
    kinds: tuple[str, ...]
    start_day: int
    end_day: int | None
    start_previous_month: bool
    effective_from: date
    effective_to: date | None
    legal_basis: str
    certainty: str
    note: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class DeadlineRule:
    """A report is due by ``day`` of the last month of the period (e.g. communes by the 17th)."""

    code: str
    level: str
    day: int
    effective_from: date
    effective_to: date | None
    legal_basis: str
    certainty: str
    # "official" (TTCP cut-off periods): due by ``day`` of the period's last month. "calendar": due
    # ``days_after_end`` days after the period's last day, never before the period ends.
    convention: str = "official"
    days_after_end: int = 0

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Span:
    period: Period
    convention: str
    date_from: date
    date_to: date
    rule: CutoffRule


def parse_period(code: str) -> Period:
    """:raises PeriodError: not one of the codes of interfaces.md."""
    match = _CODE.match((code or "").strip())
    if not match:
        raise PeriodError(code)
    year, part = int(match.group(1)), match.group(2)
    if year < 1900:
        raise PeriodError(code)
    if part is None:
        return Period(str(year), "year", year, 1, 12)
    if part == "H1":
        return Period(f"{year}-H1", "H1", year, 1, 6)
    if part == "9M":
        return Period(f"{year}-9M", "9M", year, 1, 9)
    if part.startswith("Q"):
        q = int(part[1])
        return Period(f"{year}-{part}", "Q", year, 3 * q - 2, 3 * q, q)
    month = int(part)
    if not 1 <= month <= 12:
        raise PeriodError(code)
    return Period(f"{year}-{month:02d}", "month", year, month, month, month)


def _nominal_end(p: Period) -> date:
    return date(p.year, p.last_month, calendar.monthrange(p.year, p.last_month)[1])


def rule_for(p: Period, convention: str, rules: Sequence[CutoffRule]) -> CutoffRule:
    """The convention's rule in force at the end of the period's last month.

    :raises PeriodError: an unknown convention, or no rule of that convention in force then.
    """
    if convention not in CONVENTIONS:
        raise PeriodError(convention)
    end = _nominal_end(p)
    for rule in rules:
        if rule.convention == convention and p.kind in rule.kinds and rule.in_force_on(end):
            return rule
    raise PeriodError(p.code)


def _month_shift(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def _day_in(year: int, month: int, day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, last if day is None else min(day, last))


def span(code: str, convention: str, rules: Sequence[CutoffRule]) -> Span:
    """The first and last day of data of period ``code`` under ``convention``.

    >>> from tracker.rules.data.report_periods import CUTOFF_RULES
    >>> s = span("2025-H1", "official", CUTOFF_RULES); (s.date_from, s.date_to)
    (datetime.date(2024, 12, 15), datetime.date(2025, 6, 14))
    """
    p = parse_period(code)
    rule = rule_for(p, convention, rules)
    y, m = _month_shift(p.year, p.first_month, -1) if rule.start_previous_month else (p.year, p.first_month)
    return Span(p, convention, _day_in(y, m, rule.start_day), _day_in(p.year, p.last_month, rule.end_day), rule)


def carry_over_source(code: str) -> str:
    """The period whose end is the day before this period starts: what it carries over from
    (year, 6 and 9 months → the previous year; Q1 → Q4 of the previous year; a month → the month before)."""
    p = parse_period(code)
    if p.kind in ("year", "H1", "9M"):
        return str(p.year - 1)
    if p.kind == "Q":
        return f"{p.year - 1}-Q4" if p.number == 1 else f"{p.year}-Q{p.number - 1}"
    y, m = _month_shift(p.year, p.number, -1)
    return f"{y}-{m:02d}"


def previous_period(code: str) -> str:
    """The same kind of period one step back, for comparison (2024-H1 → 2023-H1, 2024-Q1 → 2023-Q4)."""
    p = parse_period(code)
    if p.kind in ("year", "H1", "9M"):
        return code.replace(str(p.year), str(p.year - 1), 1)
    return carry_over_source(code)


def label(code: str) -> str:
    """The period as a report names it: "năm 2023", "6 tháng đầu năm 2024", "quý I năm 2025",
    "9 tháng năm 2025", "tháng 3 năm 2025"."""
    p = parse_period(code)
    if p.kind == "year":
        return f"năm {p.year}"
    if p.kind == "H1":
        return f"6 tháng đầu năm {p.year}"
    if p.kind == "9M":
        return f"9 tháng năm {p.year}"
    if p.kind == "Q":
        return f"quý {ROMAN[p.number]} năm {p.year}"
    return f"tháng {p.number} năm {p.year}"


def deadline(code: str, level: str, rules: Sequence[DeadlineRule], *, convention: str = "official",
             period_end: date | None = None) -> tuple[date, DeadlineRule] | None:
    """When the report of a unit at ``level`` is due, under the rule of the unit's ``convention`` in
    force then: on official cut-off periods the rule's day of the period's last month (the 17th);
    on calendar periods ``days_after_end`` days after ``period_end`` (the period's last day of data),
    never before the period ends. None when no rule is known for that date (e.g. before 2024)."""
    p = parse_period(code)
    wanted = "province" if level == "province" else "commune"
    end = _nominal_end(p)
    for rule in rules:
        if rule.level == wanted and rule.convention == convention and rule.in_force_on(end):
            if rule.convention == "official":
                return _day_in(p.year, p.last_month, rule.day), rule
            last = period_end or end
            return last + timedelta(days=max(rule.days_after_end, 0)), rule
    return None


def periods_ending_between(start: date, end: date, convention: str, rules: Sequence[CutoffRule]) -> list[Span]:
    """Every period (months, quarters, 6 and 9 months, years) whose last day falls in [start, end],
    in order of their last day, the shorter periods first on the same day."""
    order = {"month": 0, "Q": 1, "H1": 2, "9M": 3, "year": 4}
    found: list[Span] = []
    for year in range(start.year - 1, end.year + 2):
        codes = [f"{year}-{m:02d}" for m in range(1, 13)] + [f"{year}-Q{q}" for q in range(1, 5)]
        codes += [f"{year}-H1", f"{year}-9M", str(year)]
        for code in codes:
            try:
                s = span(code, convention, rules)
            except PeriodError:
                continue
            if start <= s.date_to <= end:
                found.append(s)
    return sorted(found, key=lambda s: (s.date_to, order[s.period.kind], s.period.code))
