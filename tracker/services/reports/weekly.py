"""The chairperson's weekly list, computed by a handful of SQL queries whatever the number of cases.

Sections: cases due this week, overdue cases (days over, delay reason), new letters and cases since
the previous week, letters whose handling time runs out, cases waiting for the chair's decision,
open instructions, and this week's reception sessions. No section ever carries a denouncer's
identity: items describe cases, never their senders.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import Clock
from tracker.models import Instruction
from tracker.models import Letter
from tracker.models import ReceptionSession
from tracker.models import SessionBooking
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.models import WeeklySnapshot
from tracker.models.base import utcnow
from tracker.rules.weeks import parse_week
from tracker.rules.weeks import reference_day
from tracker.services.errors import ConflictError
from tracker.services.operations import lineage
from tracker.services.transaction import atomic

SECTION_LIMIT = 500  # a commune has tens of open cases; the cap only protects the page


@dataclass
class WeeklyFilter:
    handler_id: int | None = None
    kind: str | None = None


# The columns a list item shows: whole Case entities cost more to load than the queries to run.
CASE_COLUMNS = (Case.id, Case.kind, Case.status, Case.handler_id, Case.summary, Case.next_clock, Case.next_due_on,
                Case.register_no, Case.register_year)


def _case_item(case: Any, clock: str | None, due: date | None, ref: date, handler: str | None,
               delay_reason: str | None = None) -> dict[str, Any]:
    return {
        "case_id": case.id, "case_no": f"{case.register_no}/{case.register_year}",
        "kind": case.kind, "status": case.status, "step": clock,
        "due_on": due.isoformat() if due else None,
        "days_overdue": (ref - due).days if due and due < ref else 0,
        "days_left": (due - ref).days if due and due >= ref else None,
        "handler": handler, "handler_id": case.handler_id, "summary": case.summary[:160],
        "delay_reason": delay_reason,
    }


def _filters(stmt: Any, has_handler: bool, has_kind: bool) -> Any:
    if has_handler:
        stmt = stmt.where(Case.handler_id == bindparam("handler_id"))
    if has_kind:
        stmt = stmt.where(Case.kind == bindparam("kind"))
    return stmt


@lru_cache(maxsize=8)
def _statements(has_handler: bool, has_kind: bool, merged: bool = False) -> dict[str, Any]:
    """The list's statements, built once per filter combination with bound parameters.

    The list runs on every visit of the chairperson's page and every API call; building eight ORM
    statements (and their cache keys, which SQLAlchemy memoises on the statement object) cost more
    than running them, so they are built once and only the values change.

    ``merged``: the unit has former communes (2025 mergers) whose open work it continues, so the letters and
    cases sections take ``unit_id IN :unit_ids`` (an expanding parameter: the unit and its former communes)
    instead of ``unit_id = :unit_id``; the instructions and the sessions stay the unit's own.
    """
    h = aliased(User)
    # Untyped parameters, as before: the values given at execution decide their types.
    unit_id: Any = bindparam("unit_id")
    sunday: Any = bindparam("sunday")
    since: Any = bindparam("since")
    ref: Any = bindparam("ref")
    monday: Any = bindparam("monday")
    unit_ids: Any = bindparam("unit_ids", expanding=True)

    def of(column: Any) -> Any:
        return column.in_(unit_ids) if merged else column == unit_id

    return {
        # 1. Every open case clock due by Sunday: due this week or overdue, most urgent first.
        "clocks": _filters(
            select(*CASE_COLUMNS, Clock.clock, Clock.due_on, Clock.delay_reason, h.full_name, h.username)
            .join(Clock, and_(Clock.case_id == Case.id, Clock.status == "open"))
            .outerjoin(h, h.id == Case.handler_id)
            .where(of(Case.unit_id), Case.is_open.is_(True), Clock.due_on <= sunday),
            has_handler, has_kind).order_by(Clock.due_on, Case.id).limit(SECTION_LIMIT * 2),
        # 2. New since the previous week's list: letters received and cases accepted.
        "new_cases": _filters(
            select(*CASE_COLUMNS, h.full_name, h.username).outerjoin(h, h.id == Case.handler_id)
            .where(of(Case.unit_id), Case.accepted_on >= since, Case.accepted_on <= ref),
            has_handler, has_kind).order_by(Case.accepted_on.desc(), Case.id.desc()).limit(SECTION_LIMIT),
        "new_letters": select(Letter.id, Letter.register_no, Letter.register_year, Letter.kind, Letter.received_on,
                              Letter.status, Letter.channel)
        .where(of(Letter.unit_id), Letter.received_on >= since, Letter.received_on <= ref)
        .order_by(Letter.received_on.desc(), Letter.id.desc()).limit(SECTION_LIMIT),
        # 3. Letters not yet handled whose legal handling time ends by Sunday.
        "letters_due": select(Letter.id, Letter.register_no, Letter.register_year, Letter.kind, Clock.clock,
                              Clock.due_on)
        .join(Clock, and_(Clock.letter_id == Letter.id, Clock.status == "open"))
        .where(of(Letter.unit_id), Letter.status == "registered", Clock.due_on <= sunday)
        .order_by(Clock.due_on, Letter.id).limit(SECTION_LIMIT),
        # 3b. Visits that received a letter for acceptance ("Tiếp nhận đơn để thụ lý") whose letter is not
        # in the register yet: a letter handed in at the desk must not be lost between two books.
        "visits_without_letter": select(Visit.id, Visit.register_no, Visit.register_year, Visit.visited_on,
                                        Visit.classification)
        .where(of(Visit.unit_id), Visit.handling == "letter_received", Visit.visited_on <= ref,
               ~exists().where(Letter.visit_id == Visit.id))
        .order_by(Visit.visited_on, Visit.id).limit(SECTION_LIMIT),
        # 4. Waiting for the chairperson's decision or signature.
        "awaiting": _filters(
            select(*CASE_COLUMNS, h.full_name, h.username).outerjoin(h, h.id == Case.handler_id)
            .where(of(Case.unit_id), Case.is_open.is_(True), Case.awaiting_decision.is_(True)),
            has_handler, has_kind).order_by(Case.next_due_on, Case.id).limit(SECTION_LIMIT),
        # 5. Open instructions and this week's reception sessions (with the visits they received).
        "instructions": select(Instruction.id, Instruction.case_id, Instruction.text, Instruction.due_on,
                               Instruction.assignee_id, Case.register_no, Case.register_year)
        .join(Case, Case.id == Instruction.case_id)
        .where(Instruction.unit_id == unit_id, Instruction.done_on.is_(None))
        .order_by(Instruction.due_on, Instruction.id).limit(SECTION_LIMIT),
        "sessions": select(ReceptionSession.id, ReceptionSession.held_on, ReceptionSession.kind,
                           ReceptionSession.host, ReceptionSession.host_name, func.count(Visit.id))
        .outerjoin(Visit, Visit.session_id == ReceptionSession.id)
        .where(ReceptionSession.unit_id == unit_id, ReceptionSession.held_on.between(monday, sunday))
        .group_by(ReceptionSession.id).order_by(ReceptionSession.held_on),
    }


@lru_cache(maxsize=1)
def _predecessors() -> Any:
    """The ids of the communes merged into ``:roots`` (whole chain): one small indexed query, built once."""
    roots: Any = bindparam("roots", expanding=True)
    return lineage.predecessor_ids_query(roots)


def build_weekly(unit: Unit, week: str, today: date, f: WeeklyFilter | None = None) -> dict[str, Any]:
    """The weekly list of ``unit`` for ISO ``week`` seen on ``today`` (the unit's local date).

    :raises tracker.rules.weeks.WeekError: a malformed week code.
    """
    f = f or WeeklyFilter()
    monday, sunday = parse_week(week)
    ref = reference_day(week, today)
    db.session.flush()  # Core execution below skips the session's autoflush
    conn = db.session.connection()
    # The 2025 mergers: the open work of the communes merged into this one (whole chain) is its own to do.
    former = conn.execute(_predecessors(), {"roots": [unit.id]}).scalars().all()
    stmts = _statements(bool(f.handler_id), bool(f.kind), bool(former))
    params = {"unit_id": unit.id, "unit_ids": [unit.id, *former], "monday": monday, "sunday": sunday,
              "since": monday - timedelta(days=7),
              "ref": ref, "handler_id": f.handler_id, "kind": f.kind}

    def rows(name: str) -> Any:  # Core execution: plain rows, no ORM loading step
        return conn.execute(stmts[name], params).all()

    due_this_week: list[dict[str, Any]] = []
    overdue: list[dict[str, Any]] = []
    for row in rows("clocks"):
        due = row.due_on
        item = _case_item(row, row.clock, due, ref, row.full_name or row.username, row.delay_reason)
        (overdue if due < ref else due_this_week).append(item)
    new_cases, new_letters, letters_due = rows("new_cases"), rows("new_letters"), rows("letters_due")
    awaiting, instructions, sessions = rows("awaiting"), rows("instructions"), rows("sessions")
    booked = _bookings(conn, [r[0] for r in sessions])
    return {
        "unit": unit.code, "week": week, "from": monday.isoformat(), "to": sunday.isoformat(),
        "seen_on": ref.isoformat(),
        "due_this_week": due_this_week,
        "overdue": sorted(overdue, key=lambda i: -i["days_overdue"]),
        "new": [_case_item(c, c.next_clock, c.next_due_on, ref, c.full_name or c.username) for c in new_cases],
        "new_letters": [{"letter_id": r[0], "register_no": r[1], "year": r[2], "kind": r[3],
                         "received_on": r[4].isoformat(), "status": r[5], "channel": r[6]} for r in new_letters],
        "letters_due": [{"letter_id": r[0], "register_no": r[1], "year": r[2], "kind": r[3], "step": r[4],
                         "due_on": r[5].isoformat(), "days_overdue": max(0, (ref - r[5]).days)}
                        for r in letters_due],
        "visits_without_letter": [{"visit_id": r[0], "register_no": r[1], "year": r[2],
                                   "visited_on": r[3].isoformat(), "classification": r[4],
                                   "days": (ref - r[3]).days} for r in rows("visits_without_letter")],
        "awaiting_decision": [_case_item(c, c.next_clock, c.next_due_on, ref, c.full_name or c.username)
                              for c in awaiting],
        "instructions": [{"instruction_id": r[0], "case_id": r[1], "case_no": f"{r[5]}/{r[6]}", "text": r[2],
                          "due_on": r[3].isoformat() if r[3] else None, "assignee_id": r[4]} for r in instructions],
        "sessions": [{"session_id": r[0], "held_on": r[1].isoformat(), "kind": r[2], "host": r[3],
                      "host_name": r[4], "visits": r[5], "bookings": booked.get(r[0], [])} for r in sessions],
    }


@lru_cache(maxsize=1)
def _bookings_statement() -> Any:
    """The live bookings of the week's sessions with the booker's name: one Core statement, built once."""
    return (select(SessionBooking.id, SessionBooking.session_id, SessionBooking.classification,
                   SessionBooking.people_count, SessionBooking.topic, Citizen.full_name)
            .join(Citizen, Citizen.id == SessionBooking.citizen_id)
            .where(SessionBooking.session_id.in_(bindparam("session_ids", expanding=True)),
                   SessionBooking.cancelled.is_(False))
            .order_by(SessionBooking.id))


def _bookings(conn: Any, session_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Who booked each session; a person coming to denounce is shown as "identity protected"."""
    from tracker.services.privacy.confidentiality import CONFIDENTIAL_CLASSIFICATIONS

    result: dict[int, list[dict[str, Any]]] = {}
    if not session_ids:
        return result
    for b in conn.execute(_bookings_statement(), {"session_ids": session_ids}):
        hidden = b.classification in CONFIDENTIAL_CLASSIFICATIONS
        result.setdefault(b.session_id, []).append({
            "booking_id": b.id, "classification": b.classification, "people_count": b.people_count,
            "name": None if hidden else b.full_name, "identity_hidden": hidden,
            "topic": None if hidden else b.topic[:160]})
    return result


def freeze_week(unit: Unit, week: str, today: date, *, commit: bool = True) -> WeeklySnapshot:
    """Keep the list as it stands; a week already frozen is left as it was (idempotent).
    ``commit=False`` leaves the snapshot in the caller's transaction (the scheduler commits it together
    with its "job done" mark, so a run killed halfway leaves nothing)."""
    existing = db.session.scalar(select(WeeklySnapshot).where(WeeklySnapshot.unit_id == unit.id,
                                                              WeeklySnapshot.week == week))
    if existing is not None:
        return existing
    snapshot = WeeklySnapshot(unit_id=unit.id, week=week,
                              data=json.dumps(build_weekly(unit, week, today), ensure_ascii=False))
    db.session.add(snapshot)
    if not commit:
        db.session.flush()
        return snapshot
    try:
        db.session.commit()
    except IntegrityError:  # frozen meanwhile by another process (the scheduler, or the chair's review)
        db.session.rollback()
        frozen = snapshot_of(unit.id, week)
        if frozen is None:
            raise
        return frozen
    return snapshot


def snapshot_of(unit_id: int, week: str) -> WeeklySnapshot | None:
    return db.session.scalar(select(WeeklySnapshot).where(WeeklySnapshot.unit_id == unit_id,
                                                          WeeklySnapshot.week == week))


@atomic
def mark_reviewed(user: User, unit: Unit, week: str, today: date) -> WeeklySnapshot:
    """The chairperson marks the week's list as reviewed (freezing it first if the job has not)."""
    snapshot = freeze_week(unit, week, today)
    if snapshot.reviewed_at is not None:
        raise ConflictError("week_already_reviewed")
    snapshot.reviewed_by_id, snapshot.reviewed_at = user.id, utcnow()
    return snapshot
