"""ISO weeks ("2026-W48"): parse, format, and the dates they span (ISO 8601; years with week 53)."""
from __future__ import annotations

import re
from datetime import date
from datetime import timedelta

_WEEK = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
# The years a week code may name. Year 0 does not exist (date() refused it: a 500 on ?week=0000-W01), and the
# weeks next to the first and last years could not be shifted to their neighbours; no list is kept so far out.
FIRST_YEAR, LAST_YEAR = 1900, 2999


class WeekError(ValueError):
    code = "week_invalid"


def week_code(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_parts(code: str) -> tuple[int, int]:
    """(year, week) of a week code, for labels like "Tuần 49/2026"; refuses what parse_week refuses."""
    parse_week(code)
    match = _WEEK.match(code.strip())
    assert match is not None
    return int(match.group(1)), int(match.group(2))


def parse_week(code: str) -> tuple[date, date]:
    """Monday and Sunday of an ISO week; refuses week 53 in a year that has only 52."""
    match = _WEEK.match(code.strip())
    if not match:
        raise WeekError(code)
    year, week = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR or week < 1 or week > weeks_in_year(year):
        raise WeekError(code)
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def weeks_in_year(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar()[1]


def shift_week(code: str, weeks: int) -> str:
    monday, _ = parse_week(code)
    return week_code(monday + timedelta(weeks=weeks))


def reference_day(code: str, today: date) -> date:
    """The day a week's list is seen from: today within the week, else its Monday (a future week)
    or its Sunday (a past one)."""
    monday, sunday = parse_week(code)
    return min(max(today, monday), sunday)
