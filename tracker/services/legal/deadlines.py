"""Deadlines and the working calendar from the rule tables, handed to the pure engine.

The tables ``deadline_rules`` and ``calendar_days`` are authoritative; the shipped rows
(``tracker/rules/data``) fill them on ``flask --app tracker rules seed`` and stand in for any row
not yet in the table (matched by code, resp. by day). Seeding never overwrites a row an
administrator corrected. The calendar is cached per application and rebuilt when the table
changes (a cheap fingerprint query per request).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import current_app
from flask import g
from flask import has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import CalendarDay
from tracker.models import DeadlineRuleRow
from tracker.rules.calendar import OVERRIDE_KINDS
from tracker.rules.calendar import DayOverride
from tracker.rules.calendar import WorkingCalendar
from tracker.rules.data.calendar_vn import CALENDAR_SEED
from tracker.rules.data.calendar_vn import DEFAULT_NAMES
from tracker.rules.data.deadlines_vn import DEADLINE_SEED
from tracker.rules.deadlines import Deadline
from tracker.rules.deadlines import DeadlineError
from tracker.rules.deadlines import DeadlineRule
from tracker.rules.deadlines import NoRuleError
from tracker.rules.deadlines import Pause
from tracker.rules.deadlines import compute_due_on
from tracker.rules.deadlines import select_rule
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic

MESSAGES.update({
    "deadline_invalid": _l("These deadline details are not valid."),
    "deadline_no_rule": _l("No deadline rule for %(kind)s / %(step)s on %(start)s."),
    "deadline_ambiguous_rule": _l("Several deadline rules apply to %(kind)s / %(step)s on %(start)s: "
                                  "an administrator must correct the rule table."),
    "deadline_too_many_extensions": _l("This step can be extended at most %(max)s time(s)."),
    "deadline_bad_pause": _l("The suspension dates are not valid for this step."),
    "deadline_date_invalid": _l("Enter the date as YYYY-MM-DD."),
    "deadline_extensions_invalid": _l("The number of extensions must be a whole number from 0."),
    "calendar_kind_invalid": _l("Unknown kind of calendar day."),
})

__all__ = ["NoRuleError", "compute", "deadline_rules", "invalidate", "load_overrides", "load_rules", "rule_for",
           "seed_calendar", "seed_deadline_rules", "set_calendar_day", "working_calendar"]

RULE_FIELDS = ("code", "kind", "step", "days", "day_kind", "effective_from", "legal_basis", "certainty", "complex",
               "remote_area", "second_instance", "max_extensions", "extension_days", "pause_rule", "effective_to",
               "note")
_CACHE_KEY = "tracker_deadline_cache"


def _rule(row: DeadlineRuleRow) -> DeadlineRule:
    return DeadlineRule(**{f: getattr(row, f) for f in RULE_FIELDS})


def _override(row: CalendarDay) -> DayOverride:
    return DayOverride(row.day, row.kind, row.name, row.basis, row.certainty)


def load_rules() -> list[DeadlineRule]:
    """Rule rows of the table, plus shipped rows whose code is not in the table yet."""
    rules = [_rule(r) for r in db.session.scalars(select(DeadlineRuleRow).order_by(DeadlineRuleRow.code))]
    codes = {r.code for r in rules}
    return rules + [r for r in DEADLINE_SEED if r.code not in codes]


def load_overrides() -> list[DayOverride]:
    """Calendar overrides of the table, plus shipped ones for days not in the table yet."""
    rows = [_override(r) for r in db.session.scalars(select(CalendarDay).order_by(CalendarDay.day))]
    days = {o.day for o in rows}
    return rows + [o for o in CALENDAR_SEED if o.day not in days]


@atomic
def seed_deadline_rules() -> int:
    """Insert the shipped rule rows not yet in the table (by code); idempotent. Returns the count."""
    existing = set(db.session.scalars(select(DeadlineRuleRow.code)))
    added = [DeadlineRuleRow(**{f: getattr(r, f) for f in RULE_FIELDS}) for r in DEADLINE_SEED
             if r.code not in existing]
    db.session.add_all(added)
    return len(added)


@atomic
def seed_calendar() -> int:
    """Insert the shipped calendar overrides for days not yet in the table; idempotent."""
    existing = set(db.session.scalars(select(CalendarDay.day)))
    added = [CalendarDay(day=o.day, kind=o.kind, name=o.name, basis=o.basis, certainty=o.certainty)
             for o in CALENDAR_SEED if o.day not in existing]
    db.session.add_all(added)
    return len(added)


def _fingerprint(model: Any) -> tuple[Any, ...]:
    row = db.session.execute(select(func.count(model.id), func.max(model.id), func.max(model.updated_at),
                                    func.sum(model.version))).one()
    return tuple(row)


def _cached(name: str, model: Any, build: Any) -> Any:
    """One object per request; across requests, reused while the table's fingerprint is unchanged."""
    if has_request_context() and name in g.get(_CACHE_KEY, {}):
        return g.get(_CACHE_KEY)[name]
    store = current_app.extensions.setdefault(_CACHE_KEY, {})
    key = _fingerprint(model)
    hit = store.get(name)
    if hit is None or hit[0] != key:
        hit = (key, build())
        store[name] = hit
    if has_request_context():
        g.setdefault(_CACHE_KEY, {})[name] = hit[1]
    return hit[1]


def working_calendar() -> WorkingCalendar:
    return _cached("calendar", CalendarDay, lambda: WorkingCalendar(load_overrides()))  # type: ignore[no-any-return]


def deadline_rules() -> list[DeadlineRule]:
    return _cached("rules", DeadlineRuleRow, load_rules)  # type: ignore[no-any-return]


def invalidate() -> None:
    """Forget the cached calendar and rules (the fingerprint also catches changes made elsewhere)."""
    current_app.extensions.pop(_CACHE_KEY, None)
    if has_request_context():
        g.pop(_CACHE_KEY, None)


def rule_for(kind: str, step: str, on: date, *, complex: bool = False, remote_area: bool = False,
             second_instance: bool = False) -> DeadlineRule:
    """The rule row in force on ``on`` for these flags; raises :class:`NoRuleError` (the engine's)
    when the law in force has no such step (e.g. a commune land-dispute decision before 1 Jul 2025)."""
    flags = {"complex": complex, "remote_area": remote_area, "second_instance": second_instance}
    return select_rule(deadline_rules(), kind, step, on, flags)


def compute(kind: str, step: str, start: date, *, complex: bool = False, remote_area: bool = False,
            second_instance: bool = False, extensions: int = 0, pauses: Sequence[Pause] = ()) -> Deadline:
    """Due date of one step from the rules and calendar in the database (see
    :func:`tracker.rules.deadlines.compute_due_on`).

    :raises RuleError: with the engine's code (``deadline_no_rule``, ``deadline_too_many_extensions``,
        ``deadline_bad_pause``, …); the engine's exception is its ``__cause__``.
    """
    try:
        return compute_due_on(kind, step, start, complex=complex, remote_area=remote_area,
                              second_instance=second_instance, extensions=extensions, pauses=pauses,
                              rules=deadline_rules(), calendar=working_calendar())
    except DeadlineError as exc:
        raise RuleError(exc.code, None, **exc.params) from exc


@atomic
def set_calendar_day(day: date, kind: str, basis: str, name: str | None = None, certainty: str = "C") -> CalendarDay:
    """Add or correct the override of one day (audited like every change). The latest decision
    for a day replaces the earlier one."""
    errors = {}
    if kind not in OVERRIDE_KINDS:
        errors["kind"] = "calendar_kind_invalid"
    if not basis.strip():
        errors["basis"] = "required"
    elif len(basis.strip()) > 300:
        errors["basis"] = "too_long"
    if name and len(name.strip()) > 200:
        errors["name"] = "too_long"
    if certainty not in ("C", "S", "U"):
        errors["certainty"] = "choice_invalid"
    if errors:
        raise ValidationError(errors)
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
    if row is None:
        row = CalendarDay(day=day)
        db.session.add(row)
    row.kind, row.basis, row.certainty = kind, basis.strip(), certainty
    row.name = (name or "").strip() or DEFAULT_NAMES[kind]
    invalidate()
    return row
