"""Legal clocks of letters and cases: start, recompute after pauses and extensions, stop.

Every due date comes from the deadline engine (tracker.rules.deadlines) fed with the rule rows and
the calendar of the database; nothing here counts days itself.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import CasePause
from tracker.models import Clock
from tracker.models import Letter
from tracker.services.errors import RuleError
from tracker.services.legal import deadlines as engine


def _split(clock_key: str) -> tuple[str, str]:
    kind, _, step = clock_key.partition(".")
    return kind, step


def case_flags(case: Case) -> dict[str, object]:
    return {
        "complex": case.complexity >= 1,
        "remote_area": case.remote_area,
        "second_instance": case.instance == 2,
        "extensions": case.extensions if case.kind == "denunciation" else 0,
    }


def letter_flags(letter: Letter) -> dict[str, object]:
    return {"complex": letter.complex, "remote_area": letter.unit.remote_area,
            "second_instance": letter.second_instance, "extensions": 0}


def pauses_of(case: Case | None) -> list[tuple[date, date | None]]:
    if case is None or case.id is None:
        return []
    rows = db.session.scalars(select(CasePause).where(CasePause.case_id == case.id).order_by(CasePause.id))
    return [(p.suspended_on, p.resumed_on) for p in rows]


def _apply(clock: Clock, flags: dict[str, object], pauses: list[tuple[date, date | None]]) -> None:
    kind, step = _split(clock.clock)
    deadline = engine.compute(kind, step, clock.start_on, pauses=pauses, **flags)  # type: ignore[arg-type]
    clock.rule_code = deadline.rule_code
    clock.due_on = deadline.due_on
    clock.nominal_due_on = deadline.nominal_due_on


def start_clock(clock_key: str, start_on: date, *, unit_id: int, letter: Letter | None = None,
                case: Case | None = None) -> Clock | None:
    """Start one clock; None when no rule of that step was in force on ``start_on`` (the law of
    that day had no such deadline, e.g. the 45-day backstop before 1 July 2026)."""
    flags = case_flags(case) if case is not None else letter_flags(letter)  # type: ignore[arg-type]
    clock = Clock(unit_id=unit_id, letter_id=letter.id if letter else None, case_id=case.id if case else None,
                  clock=clock_key, start_on=start_on, status="open", rule_code="")
    try:
        _apply(clock, flags, pauses_of(case))
    except RuleError as exc:
        if exc.code == "deadline_no_rule":
            return None
        raise
    db.session.add(clock)
    return clock


def recompute_case_clocks(case: Case) -> list[tuple[Clock, date | None, date | None]]:
    """Recompute the open clocks of a case; return (clock, old due, new due) for those that moved."""
    moved = []
    pauses = pauses_of(case)
    flags = case_flags(case)
    for clock in open_clocks(case_id=case.id):
        before = clock.due_on
        _apply(clock, flags, pauses)
        if clock.due_on != before:
            moved.append((clock, before, clock.due_on))
    refresh_next_due(case)
    return moved


def open_clocks(*, case_id: int | None = None, letter_id: int | None = None) -> list[Clock]:
    stmt = select(Clock).where(Clock.status == "open")
    stmt = stmt.where(Clock.case_id == case_id) if case_id is not None else stmt.where(Clock.letter_id == letter_id)
    return list(db.session.scalars(stmt.order_by(Clock.id)))


def stop_clocks(clocks: list[Clock], on: date, *, met: bool = True) -> None:
    for clock in clocks:
        clock.status = "met" if met else "cancelled"
        clock.met_on = on if met else None


def refresh_next_due(case: Case) -> None:
    """Keep the case's nearest open due date, which every list sorts by."""
    db.session.flush()
    row = db.session.execute(
        select(Clock.due_on, Clock.clock).where(Clock.case_id == case.id, Clock.status == "open",
                                                 Clock.due_on.is_not(None)).order_by(Clock.due_on).limit(1)
    ).first()
    case.next_due_on, case.next_clock = (row[0], row[1]) if row else (None, None)
