"""Letters, cases, clocks and timeline events as JSON (described in schemas_letters.py).

The serialisers never query row by row: the views hand them what they loaded in bulk (the case
ids of a page of letters, the hidden ids, the rule rows by code).
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.api.serializers import _json
from tracker.api.serializers import citizen_json
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender

LETTER_FIELDS = ("id", "version", "unit_id", "register_year", "register_no", "tracking_code", "received_on",
                 "channel", "from_body", "from_document_no", "from_document_date", "visit_id", "kind",
                 "mediation_type", "subject", "summary", "anonymous", "multi_signature", "signer_count",
                 "duplicate_of_id", "complex", "second_instance", "status", "eligible", "within_competence",
                 "decision", "decided_on", "decision_reason", "to_body", "created_at", "updated_at")
CASE_FIELDS = ("id", "version", "unit_id", "register_year", "register_no", "number", "letter_id", "kind", "status",
               "is_open", "subject", "summary",
               "instance", "complexity", "remote_area", "received_on", "accepted_on", "handler_id",
               "mediation_group_id", "linked_case_id", "extensions", "outcome", "closed_on", "next_due_on",
               "next_clock", "awaiting_decision", "created_at", "updated_at")
CLOCK_FIELDS = ("id", "clock", "rule_code", "start_on", "due_on", "nominal_due_on", "status", "met_on",
                "delay_reason", "delay_note")


def _late(due_on: date | None, is_open: bool, today: date) -> int:
    return (today - due_on).days if is_open and due_on is not None and due_on < today else 0


def senders_json(senders: list[LetterSender], hidden: bool) -> list[dict[str, Any]]:
    if hidden:
        return []
    return [{**citizen_json(s.citizen), "representative": s.is_representative} for s in senders]


def clock_json(clock: Clock, legal_basis: dict[str, str], today: date) -> dict[str, Any]:
    body = {name: _json(getattr(clock, name)) for name in CLOCK_FIELDS}
    late = _late(clock.due_on, clock.status == "open", today)
    body.update(legal_basis=legal_basis.get(clock.rule_code), overdue=late > 0, days_overdue=late)
    return body


def letter_json(letter: Letter, *, hidden: bool, case_id: int | None, clocks: list[Clock],
                legal_basis: dict[str, str], today: date) -> dict[str, Any]:
    """``hidden``: the senders of a denunciation the reader may not identify are left out."""
    body = {name: _json(getattr(letter, name)) for name in LETTER_FIELDS}
    body["decision_document"] = {"number": letter.decision_document_no,
                                 "date": _json(letter.decision_document_date), "signer": letter.decision_signer}
    body["case_id"] = case_id
    body["identity_hidden"] = hidden
    body["senders"] = senders_json(letter.senders, hidden)
    body["clocks"] = [clock_json(c, legal_basis, today) for c in clocks]
    return body


def case_summary_json(case: Case, today: date) -> dict[str, Any]:
    body = {name: _json(getattr(case, name)) for name in CASE_FIELDS}
    late = _late(case.next_due_on, case.is_open, today)
    body.update(handler_name=case.handler.full_name if case.handler else None, overdue=late > 0, days_overdue=late)
    return body


def event_json(event: CaseEvent) -> dict[str, Any]:
    try:
        data = json.loads(event.data) if event.data else None
    except ValueError:
        data = {"text": event.data}
    return {
        "id": event.id, "on": _json(event.on), "at": _json(event.at), "action": event.action,
        "from_status": event.from_status, "to_status": event.to_status, "outcome": event.outcome,
        "actor_id": event.actor_id, "actor_name": event.actor.full_name if event.actor else None,
        "document": {"number": event.document_no, "date": _json(event.document_date),
                     "signer": event.document_signer},
        "note": event.note, "data": data if isinstance(data, dict) else ({"value": data} if data else None),
    }


def case_json(case: Case, *, hidden: bool, events: list[CaseEvent], clocks: list[Clock],
              legal_basis: dict[str, str], max_extensions: int, allowed: list[str], today: date) -> dict[str, Any]:
    body = case_summary_json(case, today)
    letter = case.letter
    body.update(
        acceptance_document_no=case.acceptance_document_no,
        letter_register_no=letter.register_no if letter else None,
        letter_register_year=letter.register_year if letter else None,
        max_extensions=max_extensions, allowed_actions=allowed, identity_hidden=hidden,
        senders=senders_json(letter.senders, hidden) if letter else [],
        timeline=[event_json(e) for e in events],
        deadlines=[clock_json(c, legal_basis, today) for c in clocks],
    )
    return body
