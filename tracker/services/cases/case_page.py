"""The read side of one case's page: what it shows and what the user may do there, read through the gate.

The web's case page (and anything else that shows a case whole) asks :func:`case_page`; the deadline
explanation ("why this date") is :func:`why_date`. Both only read (the identity read is audited by the gate).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import MediationGroup
from tracker.models import User
from tracker.rules import lifecycle as lc
from tracker.rules.deadlines import Deadline
from tracker.services import access
from tracker.services.cases import case_queries
from tracker.services.cases import clocks as clock_service
from tracker.services.cases.actions import max_extensions
from tracker.services.errors import DomainError
from tracker.services.errors import NotFoundError
from tracker.services.legal import deadlines as engine
from tracker.services.letters import attachments as attachment_service
from tracker.services.privacy import confidentiality


@dataclass
class CasePage:
    case: Case
    letter: Letter | None
    show_identity: bool
    group: MediationGroup | None
    linked: Case | None
    may_act: bool
    actions: list[str]
    clock_rows: list[Any]
    overdue_clocks: list[Clock]  # the case's open clocks past due: each asks for the reason of the delay
    timeline: list[Any]
    max_extensions: int
    attachments: list[Any] | None  # None: the user may not see the case's files
    can_upload: bool
    continued: bool


def case_page(user: User, case: Case, today: date) -> CasePage:
    """Everything the page of ``case`` shows to ``user`` (who may read it: the caller checked)."""
    letter = None
    if case.letter_id is not None:
        letter = db.session.scalar(select(Letter).where(Letter.id == case.letter_id).options(
            selectinload(Letter.senders).selectinload(LetterSender.citizen)))
    show_identity = confidentiality.record_case_read(user, case, "show")
    group = db.session.get(MediationGroup, case.mediation_group_id) if case.mediation_group_id else None
    linked = db.session.get(Case, case.linked_case_id) if case.linked_case_id else None
    if linked is not None and not access.can_read_unit(user, linked.unit_id):
        linked = None
    may_act = access.may_move_case(user, case)
    limit = max_extensions(case)
    actions: list[str] = []
    if may_act:
        state = lc.CaseState(case.kind, case.status, case.outcome, case.extensions, limit)
        actions = [a for a in lc.allowed_actions(state) if a != "assign" or access.is_leader_for(user, case)]
    rows = case_queries.clock_rows(case, today)
    overdue = [row.clock for row in rows if may_act and row.owner == "case" and row.clock.status == "open"
               and row.days_left is not None and row.days_left < 0]
    return CasePage(case, letter, show_identity, group, linked, may_act, actions, rows, overdue,
                    case_queries.timeline(case), limit, attachment_service.attachment_rows(user, case=case),
                    attachment_service.may_upload(user, case=case), access.continues(user, case))


@dataclass
class WhyDate:
    clock: Clock
    kind: str
    step: str
    flags: dict[str, Any]
    deadline: Deadline | None
    problem: DomainError | None  # the engine's refusal, when the rules in force give no date
    rule: Any = None
    stored_differs: bool = False  # a closed clock whose recorded date is not what the rules give today
    counts_from: str = "acceptance"  # received | letter | resumed | acceptance


def why_date(case: Case, clock_id: int) -> WhyDate:
    """How the due date of one of ``case``'s clocks (or its letter's) is computed, step by step."""
    clock = db.session.get(Clock, clock_id)
    if clock is None or not (clock.case_id == case.id or (case.letter_id and clock.letter_id == case.letter_id)):
        raise NotFoundError("not_found")
    kind, _sep, step = clock.clock.partition(".")
    if clock.case_id == case.id:
        flags, pauses = clock_service.case_flags(case), clock_service.pauses_of(case)
    else:
        flags, pauses = clock_service.letter_flags(case.letter), []  # type: ignore[arg-type]
    deadline, problem = None, None
    try:
        deadline = engine.compute(kind, step, clock.start_on, pauses=pauses, **flags)  # type: ignore[arg-type]
    except DomainError as exc:
        problem = exc
    rule = next((r for r in engine.deadline_rules() if deadline and r.code == deadline.rule_code), None)
    stored_differs = deadline is not None and clock.status != "open" and clock.due_on != deadline.due_on
    return WhyDate(clock, kind, step, flags, deadline, problem, rule, stored_differs, _counts_from(case, clock))


def _counts_from(case: Case, clock: Clock) -> str:
    if clock.letter_id is not None and clock.case_id is None:
        return "letter"
    if dict(lc.CASE_CLOCKS.get(case.kind, ())).get(clock.clock) == "received":
        return "received"
    if clock.start_on != case.accepted_on:
        return "resumed"
    return "acceptance"
