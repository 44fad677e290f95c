"""Daily reminders: handlers for cases due within the unit's window and for overdue ones; the
chairperson for overdue ones. One notification per clock, person and day (dedupe keys).

The 2025 mergers: a commune's reminders also cover the open cases of the communes merged into it (whole
chain), whose work it continues; its own chairperson is reminded of their overdue steps."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Unit
from tracker.models import User
from tracker.services import access
from tracker.services.operations import lineage
from tracker.services.operations.inbox import notify


def send_reminders(unit: Unit, today: date) -> int:
    """Write today's reminders for ``unit`` (in the caller's transaction); returns how many were new."""
    horizon = today + timedelta(days=unit.reminder_days)
    units = [unit.id, *db.session.scalars(lineage.predecessor_ids_query(unit.id))]  # the ids, then an index scan
    rows = db.session.execute(
        select(Clock.id, Clock.clock, Clock.due_on, Case.id, Case.handler_id, Case.register_no, Case.register_year)
        .join(Case, and_(Case.id == Clock.case_id, Case.is_open.is_(True)))
        .where(Clock.unit_id.in_(units), Clock.status == "open", Clock.due_on.is_not(None),
               Clock.due_on <= horizon)).all()
    chairs = list(db.session.scalars(select(User.id).where(
        User.unit_id == unit.id, User.role.in_(access.roles_with("reminders.receive")), User.active.is_(True))))
    added = 0
    for clock_id, step, due_on, case_id, handler_id, register_no, register_year in rows:
        due: date = due_on  # type: ignore[assignment]  # the query keeps only clocks with a due date
        overdue = due < today
        # "case_id" is what the message shows after "Vụ việc số": the case's register number.
        params = {"case_id": f"{register_no}/{register_year}", "step": step, "due": due.strftime("%d/%m/%Y"),
                  "days": (today - due).days if overdue else (due - today).days}
        code = "remind_overdue" if overdue else "remind_due"
        targets = ([handler_id] if handler_id else []) + (chairs if overdue else [])
        for user_id in dict.fromkeys(targets):
            added += notify(user_id, unit.id, "reminder", code, params,
                            f"remind:{clock_id}:{user_id}:{today.isoformat()}", case_id=case_id)
    return added
