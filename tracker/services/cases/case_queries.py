"""Read side of cases: the open-case list by nearest due date, its filters, and one case's page data.

Every filter is a WHERE clause on the ``cases`` table (a join to ``letters`` only to search by the
letter's register number); the default order — open cases by nearest due date, then id — follows
the index ``ix_cases_unit_open_due`` (unit_id, is_open, next_due_on, id), and the handler's own list
``ix_cases_handler_open_due``. Nothing here loads all rows: the caller paginates.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import User
from tracker.services import access
from tracker.services.legal import deadlines as engine
from tracker.services.reports import report_stats

MAX_WORDS = 6


@dataclass
class CaseFilter:
    state: str = "open"  # open | closed | all
    kind: str | None = None
    status: str | None = None
    handler_id: int | None = None
    overdue: bool = False
    due_before: date | None = None
    q: str | None = None
    mine: bool = False
    # The 2025 mergers: "" this unit and the communes merged into it (read only), "own", or "former" only.
    records: str = ""
    # The dashboard's links: received (accepted) and resolved (closed) in a date range, one unit.
    accepted_from: date | None = None
    accepted_to: date | None = None
    closed_from: date | None = None
    closed_to: date | None = None
    unit_id: int | None = None
    # A report's figure links: one column of the cases table over [period_from, period_to], the outcome,
    # and the unit with the units below it.
    figure: str | None = None
    period_from: date | None = None
    period_to: date | None = None
    outcome: str | None = None
    subtree: bool = False
    group: str | None = None  # a group of kinds (KIND_GROUPS), e.g. both kinds of mediation of a report row
    mediated: bool = False  # only cases with a mediation step (a report's "sau hòa giải")


# The kinds a report row counts together (tracker.rules.reporting.outcomes_table).
KIND_GROUPS = {"mediation": report_stats.MEDIATION_KINDS, "petition": ("petition", "feedback")}
# The outcomes a report row counts together.
OUTCOME_GROUPS = {"withdrawn_terminated": ("withdrawn", "terminated")}


def _search(stmt: Select[Case], q: str) -> Select[Case]:
    """A case register number ("3/2026" or "3"), a letter register number ("12/2026" or "12"), a case id
    ("#15"), or words of the summary."""
    text = q.strip().lstrip("#")
    number, _sep, year = text.partition("/")
    # At most 9 digits: a longer number (an ID number typed here) is no case or register number, and
    # would overflow PostgreSQL's integer columns; it is searched as words instead.
    if number.isdigit() and len(number) <= 9 and (not year or (year.isdigit() and len(year) <= 4)):
        n = int(number)
        letters = select(Letter.id).where(Letter.register_no == n)
        if year:
            letters = letters.where(Letter.register_year == int(year))
            return stmt.where(or_(and_(Case.register_no == n, Case.register_year == int(year)),
                                  Case.letter_id.in_(letters)))
        return stmt.where(or_(Case.id == n, Case.register_no == n, Case.letter_id.in_(letters)))
    for word in text.split()[:MAX_WORDS]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Case.summary.ilike(f"%{escaped}%", escape="\\"))
    return stmt


def cases_query(user: User, f: CaseFilter, today: date) -> Select[Case]:
    """The cases ``user`` may see, filtered and ordered (open: nearest due first; closed: latest closed first)."""
    scope = access.read_filter(Case.unit_id, user, merged=f.records != "own", only_merged=f.records == "former")
    if f.mine:
        stmt = select(Case).where(Case.handler_id == user.id, scope)
    else:
        stmt = select(Case).where(scope)
    if f.state == "open" or f.overdue:
        stmt = stmt.where(Case.is_open == true())  # "= true": indexable, unlike "IS true"
    elif f.state == "closed":
        stmt = stmt.where(Case.is_open == false())
    if f.kind:
        stmt = stmt.where(Case.kind == f.kind)
    if f.group in KIND_GROUPS:
        stmt = stmt.where(Case.kind.in_(KIND_GROUPS[f.group]))
    if f.mediated:
        stmt = stmt.where(exists().where(CaseEvent.case_id == Case.id, CaseEvent.action == "mediate"))
    if f.status:
        stmt = stmt.where(Case.status == f.status)
    if f.handler_id and not f.mine:
        stmt = stmt.where(Case.handler_id == f.handler_id)
    if f.overdue:
        stmt = stmt.where(Case.next_due_on < today)
    if f.due_before:
        stmt = stmt.where(Case.next_due_on <= f.due_before)
    if f.q and f.q.strip():
        stmt = _search(stmt, f.q)
    for column, low, high in ((Case.accepted_on, f.accepted_from, f.accepted_to),
                              (Case.closed_on, f.closed_from, f.closed_to)):
        if low:
            stmt = stmt.where(column >= low)
        if high:
            stmt = stmt.where(column <= high)
    if f.unit_id and f.subtree:
        stmt = stmt.where(Case.unit_id.in_(report_stats.subtree_ids(f.unit_id)))
    elif f.unit_id:
        stmt = stmt.where(Case.unit_id == f.unit_id)  # within the visible units already filtered above
    if f.figure in report_stats.CASE_FIGURES and f.period_from and f.period_to:
        stmt = stmt.where(report_stats.case_figure(f.figure, f.period_from, f.period_to))
    if f.outcome in OUTCOME_GROUPS:
        stmt = stmt.where(Case.outcome.in_(OUTCOME_GROUPS[f.outcome]))
    elif f.outcome:
        stmt = stmt.where(Case.outcome == f.outcome)
    if f.state == "closed":
        stmt = stmt.order_by(Case.closed_on.desc(), Case.id.desc())
    else:
        # Overdue cases have the earliest dates, so they come first; cases without a running clock last.
        stmt = stmt.order_by(Case.next_due_on.asc().nulls_last(), Case.id)
    return stmt.options(selectinload(Case.handler), selectinload(Case.letter))


def unit_staff(unit_id: int) -> list[User]:
    """Active users of a unit who may be given a case (for the handler choices)."""
    return list(db.session.scalars(access.assignable_handlers([unit_id])))


@dataclass
class ClockRow:
    clock: Clock
    owner: str  # "case" | "letter"
    legal_basis: str
    certainty: str
    days_left: int | None


def clock_rows(case: Case, today: date) -> list[ClockRow]:
    """All clocks of the case and of its letter, with the legal basis of their rule rows."""
    owners = [Clock.case_id == case.id]
    if case.letter_id is not None:
        owners.append(Clock.letter_id == case.letter_id)
    clocks = db.session.scalars(select(Clock).where(or_(*owners)).order_by(Clock.start_on, Clock.id)).all()
    rules = {r.code: r for r in engine.deadline_rules()}
    rows = []
    for c in clocks:
        rule = rules.get(c.rule_code)
        left = (c.due_on - today).days if c.due_on and c.status == "open" else None
        rows.append(ClockRow(c, "case" if c.case_id == case.id else "letter", rule.legal_basis if rule else "",
                             rule.certainty if rule else "", left))
    return rows


@dataclass
class TimelineRow:
    event: CaseEvent
    data: dict[str, object]


def events_of(case_id: int) -> list[CaseEvent]:
    """A case's events in order, with who acted."""
    return list(db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id)
                                   .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.id)))


def clocks_of(*, case_id: int | None = None, letter_id: int | None = None) -> list[Clock]:
    """The clocks of a case or of a letter, in the order they were started."""
    owner = Clock.case_id == case_id if case_id is not None else Clock.letter_id == letter_id
    return list(db.session.scalars(select(Clock).where(owner).order_by(Clock.id)))


def timeline(case: Case) -> list[TimelineRow]:
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                .options(selectinload(CaseEvent.actor)).order_by(CaseEvent.id)).all()
    rows = []
    for e in events:
        try:
            data = json.loads(e.data) if e.data else {}
        except ValueError:
            data = {}
        data = data if isinstance(data, dict) else {}
        for key in ("old", "new"):
            if isinstance(data.get(key), str):
                try:
                    data[key] = date.fromisoformat(data[key])
                except ValueError:
                    pass
        rows.append(TimelineRow(e, data))
    return rows
