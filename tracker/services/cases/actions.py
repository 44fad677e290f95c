"""Cases (vụ việc): open from an accepted letter, move through the legal steps, keep the clocks.

Every action is validated against the lifecycle of the case's kind (tracker.rules.lifecycle),
written on the timeline with its document, and committed in one transaction.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import CasePause
from tracker.models import Letter
from tracker.models import MediationGroup
from tracker.models import User
from tracker.models.base import utcnow
from tracker.rules import lifecycle as lc
from tracker.services import access
from tracker.services import counters
from tracker.services.cases import clocks
from tracker.services.errors import ConflictError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal import deadlines as engine
from tracker.services.operations import lineage
from tracker.services.privacy.audit import current_actor
from tracker.services.transaction import atomic

# Illegal transitions are conflicts with the case's current state; the others break a legal rule.
CASE_BOOK = "case"  # register_counters book of case numbers
CONFLICT_CODES = {"action_not_in_status", "action_not_for_kind"}


def acting_unit_id(case: Case) -> int:
    """The unit written on a timeline entry: the case's own, or — for a case of a commune merged into another
    (2025 mergers), moved on by a user of the commune that continues it — that user's unit. The case itself
    keeps its ``unit_id`` (its commune's statistics do not move)."""
    actor_id = current_actor().user_id
    if actor_id is None or case.unit is None or case.unit.merged_into_id is None:
        return case.unit_id
    actor = db.session.get(User, actor_id)
    if actor is None or actor.unit_id == case.unit_id or actor.unit_id not in lineage.successor_ids(case.unit):
        return case.unit_id
    return actor.unit_id





def _event(case: Case, action: str, on: date, *, from_status: str | None = None, to_status: str | None = None,
           outcome: str | None = None, document: dict[str, object] | None = None, note: str | None = None,
           data: dict[str, object] | None = None) -> CaseEvent:
    doc = document or {}
    event = CaseEvent(case=case, unit_id=acting_unit_id(case), on=on, action=action, from_status=from_status,
                      to_status=to_status, outcome=outcome, actor_id=current_actor().user_id,
                      document_no=doc.get("number") or None, document_date=doc.get("date") or None,
                      document_signer=doc.get("signer") or None, note=note,
                      data=json.dumps(data, ensure_ascii=False, default=str) if data else None)
    db.session.add(event)
    return event


def max_extensions(case: Case) -> int:
    """Denunciations: complex cases may be extended once, especially complex twice (Luật TC Điều 30),
    never beyond what the rule row in force allows."""
    if case.kind != "denunciation":
        return 0
    rule = engine.rule_for("denunciation", "resolve", case.accepted_on, complex=case.complexity >= 1)
    return min(case.complexity, rule.max_extensions)


def open_case(user: User | None, letter: Letter, kind: str, *, on: date, handler_id: int | None = None,
              complexity: int = 0, document_no: str | None = None, document_date: date | None = None,
              signer: str | None = None, linked_case: Case | None = None) -> Case:
    """Create the case of an accepted letter and start its clocks (in the caller's transaction)."""
    case = Case(unit_id=letter.unit_id, letter_id=letter.id, kind=kind, status="accepted", is_open=True,
                subject=letter.subject, summary=letter.summary, instance=2 if letter.second_instance else 1,
                complexity=complexity or (1 if letter.complex else 0), remote_area=letter.unit.remote_area,
                received_on=letter.received_on, accepted_on=on, acceptance_document_no=document_no,
                handler_id=handler_id, linked_case_id=linked_case.id if linked_case else None, extensions=0,
                confidential=bool(letter.confidential), register_year=on.year,
                register_no=counters.next_number(letter.unit_id, CASE_BOOK, on.year))
    db.session.add(case)
    db.session.flush()
    for clock_key, start in lc.CASE_CLOCKS[kind]:
        clocks.start_clock(clock_key, letter.received_on if start == "received" else on, unit_id=case.unit_id,
                           case=case)
    _event(case, "accept", on, to_status="accepted",
           document={"number": document_no, "date": document_date, "signer": signer},
           data={"letter": letter.register_no, "year": letter.register_year})
    clocks.refresh_next_due(case)
    return case


@dataclass
class ActionInput:
    action: str
    on: date
    version: int
    outcome: str | None = None
    document_no: str | None = None
    document_date: date | None = None
    signer: str | None = None
    note: str | None = None
    handler_id: int | None = None
    mediation_group_id: int | None = None
    minutes: str | None = None  # mediation session minutes / dialogue record


def _check(case: Case, data: ActionInput, today: date) -> None:
    errors: dict[str, str] = {}
    if data.on > today:
        errors["on"] = "date_in_future"
    elif data.on < case.accepted_on:
        errors["on"] = "before_acceptance"
    if data.action in lc.DOCUMENT_REQUIRED and not (data.document_no or "").strip():
        errors["document_no"] = "document_required"
    if data.document_date and data.document_date > today:
        errors["document_date"] = "date_in_future"
    if data.action == "assign" and data.handler_id is None and data.mediation_group_id is None:
        errors["handler_id"] = "required"
    units = access.handler_units(case) if data.handler_id is not None or data.mediation_group_id is not None else []
    if data.handler_id is not None and not access.is_assignable(data.handler_id, units):
        errors["handler_id"] = "not_found"
    if data.mediation_group_id is not None:
        group = db.session.get(MediationGroup, data.mediation_group_id)
        if group is None or group.unit_id not in units:
            errors["mediation_group_id"] = "not_found"
    if errors:
        raise ValidationError(errors)


def _state(case: Case) -> lc.CaseState:
    return lc.CaseState(case.kind, case.status, case.outcome, case.extensions, max_extensions(case))


@atomic
def apply_case_action(user: User | None, case: Case, data: ActionInput, today: date) -> Case:
    """Move a case on by one legal step.

    :raises ConflictError: stale version, or the action is not possible in the case's status.
    :raises RuleError: the law forbids it (e.g. an extension beyond the limit).
    :raises ValidationError: bad input; nothing is written.
    """
    if case.version != data.version:
        raise ConflictError("stale")
    access.check_case_step(user, case, data.action, data.handler_id)
    problem = lc.transition_problem(_state(case), data.action, data.outcome)
    if problem:
        raise (ConflictError if problem in CONFLICT_CODES else RuleError)(problem, action=data.action)
    _check(case, data, today)
    if data.action == "open_dispute":
        return _open_dispute(user, case, data)
    before = case.status
    after = lc.target_status(case.kind, data.action, before, case.status_before_suspension)
    document: dict[str, object] = {"number": data.document_no, "date": data.document_date, "signer": data.signer}
    extra: dict[str, object] = {}
    if data.minutes:
        extra["minutes"] = data.minutes
    if data.action == "assign":
        if data.handler_id is not None:
            case.handler_id = data.handler_id
        if data.mediation_group_id is not None:
            case.mediation_group_id = data.mediation_group_id
    elif data.action == "suspend":
        case.status_before_suspension = before
        db.session.add(CasePause(case_id=case.id, suspended_on=data.on, reason=data.note))
    elif data.action == "resume":
        pause = db.session.scalar(select(CasePause).where(CasePause.case_id == case.id,
                                                          CasePause.resumed_on.is_(None)))
        if pause is not None:
            pause.resumed_on = data.on
        case.status_before_suspension = None
    elif data.action == "extend":
        case.extensions += 1
    if data.action == "submit":
        case.awaiting_decision = True
    elif data.action in lc.DECIDING_ACTIONS:
        case.awaiting_decision = False
    met = [c for c in clocks.open_clocks(case_id=case.id) if lc.MET_BY_ACTION.get(c.clock) == data.action]
    clocks.stop_clocks(met, data.on)
    case.status = after
    case.outcome = lc.outcome_after(data.action, data.outcome, case.outcome)
    # Every action moves the version on, even one that changes no column of the case (a note, a dialogue):
    # otherwise a second session holding the same version would still be let through.
    case.updated_at = utcnow()
    if data.action in lc.CLOSING_ACTIONS:
        case.is_open, case.closed_on = False, data.on
        clocks.stop_clocks(clocks.open_clocks(case_id=case.id), data.on)
    event = _event(case, data.action, data.on, from_status=before, to_status=after,
                   outcome=case.outcome if data.action in lc.CLOSING_ACTIONS else None,
                   document=document, note=data.note, data=extra or None)
    db.session.flush()
    if data.action in ("suspend", "resume", "extend"):
        for clock, old, new in clocks.recompute_case_clocks(case):
            _event(case, "retime", data.on, note=None,
                   data={"clock": clock.clock, "old": old, "new": new, "reason": data.action, "event": event.id})
    clocks.refresh_next_due(case)
    return case


@atomic
def _open_dispute(user: User | None, case: Case, data: ActionInput) -> Case:
    """After a failed land mediation, the dispute between households goes to the commune chair as a
    linked case — only where the rules in force give the commune that power (NĐ 151/2025)."""
    try:
        engine.rule_for("land_dispute", "resolve", data.on)
    except engine.NoRuleError:
        raise RuleError("dispute_before_reform") from None
    letter = case.letter
    if letter is None:
        raise RuleError("dispute_needs_letter")
    linked = open_case(user, letter, "land_dispute", on=data.on, handler_id=data.handler_id or case.handler_id,
                       document_no=data.document_no, document_date=data.document_date, signer=data.signer,
                       linked_case=case)
    _event(case, "open_dispute", data.on, note=data.note, data={"linked_case": linked.id})
    case.linked_case_id = linked.id
    return linked


@atomic
def record_delay(case: Case, clock_id: int, reason: str, note: str | None, *, version: int, on: date) -> Case:
    """The reason a step is late (from the list in tracker.rules.lifecycle.DELAY_REASONS)."""
    if case.version != version:
        raise ConflictError("stale")
    if reason not in lc.DELAY_REASONS:
        raise ValidationError({"delay_reason": "choice_invalid"})
    clock = next((c for c in case.clocks if c.id == clock_id), None)
    if clock is None:
        raise ValidationError({"clock": "not_found"})
    clock.delay_reason, clock.delay_note = reason, note
    _event(case, "delay_reason", on, note=note, data={"clock": clock.clock, "reason": reason})
    return case
