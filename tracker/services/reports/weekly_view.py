"""Who sees which weekly list, and how: the shared rules of the weekly page and GET /api/v1/weekly.

- chair, vice-chair: their unit's whole list; inspector and admin: any unit they may see (read-only
  for an inspector); handler: only their own cases (and the instructions addressed to them).
- A frozen snapshot is filtered the same way, in Python (it is a stored JSON document).
- "This week" is the ISO week of today in the unit's time zone: :func:`current_week` is pure.
"""
from __future__ import annotations

import json
from datetime import date
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Case
from tracker.models import Unit
from tracker.models import User
from tracker.models import WeeklySnapshot
from tracker.rules.weeks import week_code
from tracker.services import access
from tracker.services import clock
from tracker.services.reports import weekly

MESSAGES.update({"week_invalid": _l("Please give a week as YYYY-Www, for example 2026-W48.")})

CASE_SECTIONS = ("overdue", "due_this_week", "awaiting_decision", "new")
LETTER_SECTIONS = ("letters_due", "visits_without_letter", "new_letters")
# The order of the page: most urgent first.
SECTIONS = ("overdue", "due_this_week", "letters_due", "visits_without_letter", "awaiting_decision",
            "instructions", "new", "new_letters", "sessions")


def current_week(now: datetime, timezone: str) -> str:
    """The ISO week of ``now`` (an aware datetime) in ``timezone``: 23:30 UTC on Sunday 27 Dec 2026
    is already Monday 28 Dec in Hanoi, week 2026-W53."""
    return week_code(now.astimezone(ZoneInfo(timezone)).date())


local_today = clock.local_today  # kept for callers that pass the config (tracker.services.clock decides)


def may_see_weekly(user: User) -> bool:
    return access.can(user, "weekly.read")


def own_cases_only(user: User) -> bool:
    return user.role == "handler"


def may_review(user: User, unit: Unit) -> bool:
    return access.can(user, "weekly.review") and user.unit_id == unit.id


def unit_for(user: User, code: str | None) -> Unit | None:
    """The unit named by ``code`` if ``user`` may see it (None otherwise); the user's own by default.
    A unit's id is taken too (the lists behind a report's figures name units by id)."""
    if not code or code == user.unit.code:
        return db.session.get(Unit, user.unit_id)  # already loaded with the user: no query
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None and code.isascii() and code.isdigit() and len(code) <= 9:
        unit = db.session.get(Unit, int(code))
    if unit is None or not access.can_see_unit(user, unit.id):
        return None
    return unit


def effective_filter(user: User, f: weekly.WeeklyFilter | None) -> weekly.WeeklyFilter:
    f = f or weekly.WeeklyFilter()
    if own_cases_only(user):
        return weekly.WeeklyFilter(handler_id=user.id, kind=f.kind)
    return f


def restrict(data: dict[str, Any], user: User, f: weekly.WeeklyFilter) -> dict[str, Any]:
    """Apply the filter to the sections the service leaves unfiltered (letters, instructions) and
    to a whole frozen snapshot; a handler's list keeps only their own cases and instructions."""
    out = dict(data)
    for name in CASE_SECTIONS:
        items = out.get(name) or []
        if f.handler_id:
            items = [i for i in items if i.get("handler_id") == f.handler_id]
        if f.kind:
            items = [i for i in items if i.get("kind") == f.kind]
        out[name] = items
    for name in LETTER_SECTIONS:
        items = out.get(name) or []
        if own_cases_only(user):
            items = []  # letters have no handler yet: not "his cases"
        elif f.kind:
            items = [i for i in items if (i.get("kind") or i.get("classification")) == f.kind
                     or (f.kind == "land_mediation" and i.get("kind") == "mediation")]
        out[name] = items
    instructions = out.get("instructions") or []
    if f.handler_id:
        instructions = [i for i in instructions if i.get("assignee_id") == f.handler_id]
    if f.kind and instructions:
        kinds = dict(db.session.execute(select(Case.id, Case.kind).where(
            Case.id.in_({i["case_id"] for i in instructions}))).tuples().all())
        instructions = [i for i in instructions if kinds.get(i["case_id"]) == f.kind]
    out["instructions"] = instructions
    return out


def live_list(user: User, unit: Unit, week: str, today: date, f: weekly.WeeklyFilter | None = None
              ) -> dict[str, Any]:
    """The weekly list as ``user`` may see it now.

    :raises tracker.rules.weeks.WeekError: a malformed week code.
    """
    f = effective_filter(user, f)
    return restrict(weekly.build_weekly(unit, week, today, f), user, f)


def frozen_list(user: User, snapshot: WeeklySnapshot, f: weekly.WeeklyFilter | None = None) -> dict[str, Any]:
    f = effective_filter(user, f)
    return restrict(json.loads(snapshot.data), user, f)


def item_key(section: str, item: dict[str, Any]) -> tuple[str, object, object]:
    ident = (item.get("case_id") or item.get("letter_id") or item.get("visit_id") or item.get("instruction_id")
             or item.get("session_id"))
    return (section, ident, item.get("step"))


def differences(frozen: dict[str, Any], live: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Per section, how many items appeared since the list was frozen and how many left it."""
    result = {}
    for name in SECTIONS:
        then = {item_key(name, i) for i in frozen.get(name) or []}
        now = {item_key(name, i) for i in live.get(name) or []}
        result[name] = {"added": len(now - then), "removed": len(then - now)}
    return result
