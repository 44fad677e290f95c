"""The scheduled jobs, declared as data (redash style): a stable id and what is due when.

Each job lists the *slots* due at a moment (e.g. "XA-01:2026-11-23" for a unit's reminders of that
day). The runner claims each slot once in ``job_runs`` and runs it in one transaction, so a job
that was down catches up and a job run twice does nothing twice.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.periods import periods_ending_between
from tracker.rules.weeks import week_code
from tracker.services.legal.deadlines import working_calendar
from tracker.services.reports import periodic as reports
from tracker.services.reports import reminders
from tracker.services.reports import weekly

REMINDER_TIME = time(7, 0)  # local time of the daily reminders
CATCH_UP_DAYS = 7  # how far back a restarted scheduler looks for missed slots


@dataclass(frozen=True)
class Job:
    id: str
    slots: Callable[[datetime], Iterator[tuple[str, Unit, date]]]
    run: Callable[[Unit, date], object]


def _units() -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.active.is_(True), Unit.level == "commune")))


def _snapshot_slots(now: datetime) -> Iterator[tuple[str, Unit, date]]:
    """This week's list of each unit, once its local freeze time (e.g. Monday 07:00) has passed."""
    today = now.date()
    for unit in _units():
        monday = today - timedelta(days=today.isoweekday() - 1)
        due_day = monday + timedelta(days=unit.snapshot_weekday - 1)
        hours, minutes = (int(x) for x in unit.snapshot_time.split(":"))
        if now >= datetime.combine(due_day, time(hours, minutes), tzinfo=now.tzinfo):
            yield f"{unit.code}:{week_code(today)}", unit, today


def _reminder_slots(now: datetime) -> Iterator[tuple[str, Unit, date]]:
    """Each working day's reminders after 07:00, and the missed days of the last week."""
    calendar = working_calendar()
    for back in range(CATCH_UP_DAYS, -1, -1):
        day = now.date() - timedelta(days=back)
        if not calendar.is_working_day(day) or (back == 0 and now.time() < REMINDER_TIME):
            continue
        for unit in _units():
            yield f"{unit.code}:{day.isoformat()}", unit, day


REPORT_CATCH_UP_DAYS = 40  # periods that ended this recently get their draft report


def _report_slots(now: datetime) -> Iterator[tuple[str, Unit, date]]:
    """One slot per unit and period end day ("XA-01:2026-06-14" builds 2026-06, 2026-Q2 and 2026-H1),
    from the day after the period's data end; the deepest units first, so that a province's draft
    comes after its communes' (its numbers are the sum of theirs, counted live)."""
    today = now.date()
    units = db.session.scalars(select(Unit).where(Unit.active.is_(True))
                               .order_by(func.length(Unit.path).desc(), Unit.id))
    for unit in units:
        spans = periods_ending_between(today - timedelta(days=REPORT_CATCH_UP_DAYS), today - timedelta(days=1),
                                       unit.report_convention or "official", CUTOFF_RULES)
        for end in sorted({s.date_to for s in spans}):
            yield f"{unit.code}:{end.isoformat()}", unit, end


def _freeze(unit: Unit, today: date) -> object:
    return weekly.freeze_week(unit, week_code(today), today, commit=False)


def _privacy_slots(now: datetime) -> Iterator[tuple[str, Unit, date]]:
    """Once a day after 07:00, for the whole installation (the first commune stands for it)."""
    units = _units()
    if units and now.time() >= REMINDER_TIME:
        yield f"all:{now.date().isoformat()}", units[0], now.date()


def _anonymise(unit: Unit, today: date) -> object:
    from tracker.services.privacy.anonymise import anonymise

    return anonymise(today)


JOBS: tuple[Job, ...] = (
    Job("weekly_snapshot", _snapshot_slots, _freeze),
    Job("reminders", _reminder_slots, reminders.send_reminders),
    Job("period_reports", _report_slots, reports.build_due),
    Job("anonymise", _privacy_slots, _anonymise),
)
