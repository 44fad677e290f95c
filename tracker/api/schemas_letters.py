"""Pydantic models of the letters, cases and deadlines API (bodies strict, queries lax, responses).

Each body converts itself to the service dataclass (``to_input``); the enumerations are the codes
of tracker.rules.lifecycle, so the API accepts exactly what the services do.
"""
from __future__ import annotations

import datetime as dt
from datetime import date
from datetime import datetime
from typing import Any
from typing import Literal

from pydantic import BaseModel
from pydantic import Field

from tracker.api.schemas import MAX_PER_PAGE
from tracker.api.schemas import Body
from tracker.api.schemas import InDate
from tracker.api.schemas import Query
from tracker.api.schemas import Subject
from tracker.api.schemas import VisitCitizenIn
from tracker.api.schemas import VisitCitizenOut
from tracker.rules import lifecycle as lc
from tracker.services.cases.actions import ActionInput
from tracker.services.letters.register import HandlingInput
from tracker.services.letters.register import LetterInput

LetterChannel = Literal[lc.LETTER_CHANNELS]  # type: ignore[valid-type]
LetterKind = Literal[lc.LETTER_KINDS]  # type: ignore[valid-type]
LetterStatus = Literal[lc.LETTER_STATUSES]  # type: ignore[valid-type]
MediationType = Literal[lc.MEDIATION_TYPES]  # type: ignore[valid-type]
Decision = Literal[lc.HANDLING_DECISIONS]  # type: ignore[valid-type]
CaseKind = Literal[lc.CASE_KINDS]  # type: ignore[valid-type]
CaseStatus = Literal[lc.CASE_STATUSES]  # type: ignore[valid-type]
CaseStatusFilter = Literal[lc.CASE_STATUSES + ("open", "closed")]  # type: ignore[valid-type]
Action = Literal[lc.ACTIONS]  # type: ignore[valid-type]
Outcome = Literal[lc.ALL_OUTCOMES]  # type: ignore[valid-type]
DelayReason = Literal[lc.DELAY_REASONS]  # type: ignore[valid-type]

OUTCOME_TEXT = "; ".join(f"{kind}: {', '.join(values)}" for kind, values in lc.OUTCOMES.items())


class DocumentIn(Body):
    """The document behind a step (số, ngày, người ký)."""

    number: str | None = Field(None, max_length=60, description="Document number, e.g. 12/QĐ-UBND")
    date: InDate | None = None
    signer: str | None = Field(None, max_length=200)


# ---- letters --------------------------------------------------------------------------------

class LetterSenderIn(VisitCitizenIn):
    """A known citizen by ``id``, or a new one by its fields (a known ID number links that citizen)."""


class LetterCreate(Body):
    received_on: InDate = Field(description="ISO date of receipt; not in the future")
    channel: LetterChannel
    from_body: str | None = Field(None, max_length=300, description="The sending body; required when "
                                                                    "channel is transferred_in")
    from_document_no: str | None = Field(None, max_length=60, description="The transferring document's number")
    from_document_date: InDate | None = None
    kind: LetterKind
    mediation_type: MediationType | None = Field(None, description="Required for a mediation request")
    subject: Subject = "other"
    senders: list[LetterSenderIn] = Field(default_factory=list, max_length=500,
                                          description="At least one unless anonymous")
    anonymous: bool = False
    signer_count: int | None = Field(None, ge=1, description="When more people signed than are listed")
    summary: str = Field(max_length=5000)
    visit_id: int | None = Field(None, description="The visit at which the letter was handed in")
    complex: bool = False
    second_instance: bool = False
    duplicate_of_id: int | None = Field(None, description="An earlier letter this one repeats")
    register_no: int | None = Field(None, description="Only when copying a paper register; otherwise assigned")
    unit_id: int | None = Field(None, description="Only for an admin writing to a unit below its own")

    def to_input(self) -> LetterInput:
        return LetterInput(
            received_on=self.received_on, channel=self.channel, kind=self.kind, summary=self.summary,
            senders=[s.to_input() for s in self.senders], subject=self.subject, mediation_type=self.mediation_type,
            anonymous=self.anonymous, signer_count=self.signer_count, from_body=self.from_body,
            from_document_no=self.from_document_no, from_document_date=self.from_document_date,
            visit_id=self.visit_id, complex=self.complex, second_instance=self.second_instance,
            duplicate_of_id=self.duplicate_of_id, register_no=self.register_no,
        )


class LetterQuery(Query):
    date_from: InDate | None = Field(None, alias="from", description="First date of receipt, ISO")
    date_to: InDate | None = Field(None, alias="to", description="Last date of receipt, ISO")
    kind: LetterKind | None = None
    status: LetterStatus | None = None
    channel: LetterChannel | None = None
    decision: Decision | None = None
    q: str | None = Field(None, max_length=200,
                          description="A register number, a tracking code, words of the summary, or a sender's "
                                      "name without diacritics (denouncers only for those who may see them)")
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class HandlingCreate(Body):
    decision: Decision
    on: InDate = Field(description="Date of the decision; not before receipt, not in the future")
    version: int = Field(description="The letter's version last read")
    eligible: bool | None = Field(None, description="The letter meets the conditions for handling")
    within_competence: bool | None = None
    to_body: str | None = Field(None, max_length=300, description="Required for transfer and guide")
    reason: str | None = Field(None, max_length=5000, description="Required for return and archive")
    document: DocumentIn | None = Field(None, description="Required (its number) for a transfer")
    handler_id: int | None = Field(None, description="On accept: the handler of the new case")
    complexity: Literal[0, 1, 2] = Field(0, description="On accept: 0 ordinary, 1 complex, 2 especially complex")

    def to_input(self) -> HandlingInput:
        doc = self.document or DocumentIn(number=None, date=None, signer=None)
        return HandlingInput(decision=self.decision, on=self.on, version=self.version, eligible=self.eligible,
                             within_competence=self.within_competence, reason=self.reason, to_body=self.to_body,
                             document_no=doc.number, document_date=doc.date, signer=doc.signer,
                             handler_id=self.handler_id, complexity=self.complexity)


# ---- cases ----------------------------------------------------------------------------------

class CaseActionCreate(Body):
    action: Action
    on: InDate = Field(description="Legal date of the step; not before acceptance, not in the future")
    version: int = Field(description="The case's version last read")
    outcome: Outcome | None = Field(None, description=f"With conclude; per kind: {OUTCOME_TEXT}")
    document: DocumentIn | None = Field(None, description="Required (its number) for conclude, extend, suspend, "
                                                          "resume, withdraw and terminate")
    note: str | None = Field(None, max_length=20000)
    handler_id: int | None = Field(None, description="With assign (or open_dispute): the handler")
    mediation_group_id: int | None = Field(None, description="With assign: the grassroots mediation group")
    minutes: str | None = Field(None, max_length=20000, description="Minutes of a mediation session or dialogue")

    def to_input(self) -> ActionInput:
        doc = self.document or DocumentIn(number=None, date=None, signer=None)
        return ActionInput(action=self.action, on=self.on, version=self.version, outcome=self.outcome,
                           document_no=doc.number, document_date=doc.date, signer=doc.signer, note=self.note,
                           handler_id=self.handler_id, mediation_group_id=self.mediation_group_id,
                           minutes=self.minutes)


class CaseQuery(Query):
    status: CaseStatusFilter | None = Field(None, description="A status, or open / closed")  # type: ignore[valid-type]
    kind: CaseKind | None = None
    due_before: InDate | None = Field(None, description="Nearest open step due on or before this date")
    overdue: bool | None = Field(None, description="true: open cases whose nearest step is past due; "
                                                   "false: the others")
    handler: int | Literal["me"] | None = Field(None, description="A handler's user id, or me")
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


# ---- deadlines ------------------------------------------------------------------------------

class DeadlineQuery(Query):
    kind: str = Field(max_length=40, description="letter, complaint, denunciation, petition, feedback, mediation, "
                                                 "land_mediation, land_dispute")
    step: str = Field(max_length=40, description="notify, accept, resolve, initial, transfer, start, …")
    start: InDate = Field(description="The day of the triggering event, ISO")
    complex: bool = False
    remote_area: bool = False
    second_instance: bool = False
    extensions: int = Field(0, ge=0, le=10)


# ---- responses ------------------------------------------------------------------------------

class DocumentOut(BaseModel):
    number: str | None
    date: dt.date | None
    signer: str | None


class ClockOut(BaseModel):
    id: int
    clock: str = Field(description="kind.step of the deadline table")
    rule_code: str
    legal_basis: str | None
    start_on: date
    due_on: date | None = Field(description="null while the clock is stopped (suspension)")
    nominal_due_on: date | None
    status: Literal["open", "met", "stopped", "cancelled"]
    met_on: date | None
    overdue: bool
    days_overdue: int
    delay_reason: DelayReason | None
    delay_note: str | None


class DuplicateOut(BaseModel):
    id: int
    register_year: int
    register_no: int
    received_on: date
    score: float


class LetterOut(BaseModel):
    id: int
    version: int
    unit_id: int
    register_year: int
    register_no: int
    tracking_code: str = Field(description="Printed on the citizen's receipt")
    received_on: date
    channel: LetterChannel
    from_body: str | None
    from_document_no: str | None
    from_document_date: date | None
    visit_id: int | None
    kind: LetterKind
    mediation_type: MediationType | None
    subject: Subject
    summary: str
    anonymous: bool
    multi_signature: bool
    signer_count: int
    duplicate_of_id: int | None
    complex: bool
    second_instance: bool
    status: LetterStatus
    eligible: bool | None
    within_competence: bool | None
    decision: Decision | None
    decided_on: date | None
    decision_reason: str | None
    to_body: str | None
    decision_document: DocumentOut
    case_id: int | None = Field(description="The case opened when the letter was accepted")
    identity_hidden: bool = Field(description="The senders of a denunciation are withheld from this reader "
                                              "(Luật Tố cáo Điều 47); `senders` is then empty")
    senders: list[VisitCitizenOut]
    clocks: list[ClockOut]
    created_at: datetime
    updated_at: datetime


class LetterCreated(LetterOut):
    likely_duplicates: list[DuplicateOut] = Field(description="Earlier letters of the same senders with a "
                                                              "similar summary (link with duplicate_of_id)")


class LetterPage(BaseModel):
    items: list[LetterOut]
    page: int
    per_page: int
    total: int
    pages: int


class HandlingOut(LetterOut):
    """The handled letter; ``case_id`` names the case opened by an acceptance."""


class CaseSummaryOut(BaseModel):
    id: int
    version: int
    unit_id: int
    register_year: int
    register_no: int
    number: str = Field(description='The case number in its unit\'s register: "3/2026" (Vụ việc số 3/2026)')
    letter_id: int | None
    kind: CaseKind
    status: CaseStatus
    is_open: bool
    subject: Subject
    summary: str
    instance: int
    complexity: int
    remote_area: bool
    received_on: date
    accepted_on: date
    handler_id: int | None
    handler_name: str | None
    mediation_group_id: int | None
    linked_case_id: int | None
    extensions: int
    outcome: Outcome | None
    closed_on: date | None
    next_due_on: date | None = Field(description="The nearest due date of the open clocks")
    next_clock: str | None
    overdue: bool
    days_overdue: int
    awaiting_decision: bool
    created_at: datetime
    updated_at: datetime


class EventOut(BaseModel):
    id: int
    on: date
    at: datetime
    action: str
    from_status: CaseStatus | None
    to_status: CaseStatus | None
    outcome: Outcome | None
    actor_id: int | None
    actor_name: str | None
    document: DocumentOut
    note: str | None
    data: dict[str, Any] | None = Field(description="Details: re-timing (clock, old, new, reason), minutes, …")


class CaseOut(CaseSummaryOut):
    acceptance_document_no: str | None
    letter_register_no: int | None
    letter_register_year: int | None
    max_extensions: int
    allowed_actions: list[Action] = Field(description="The actions the case's status allows now")
    identity_hidden: bool = Field(description="The denouncer is withheld from this reader; `senders` is then empty")
    senders: list[VisitCitizenOut]
    timeline: list[EventOut]
    deadlines: list[ClockOut]


class CasePage(BaseModel):
    items: list[CaseSummaryOut]
    page: int
    per_page: int
    total: int
    pages: int


class StepOut(BaseModel):
    code: str
    on: date | None
    reason: str | None
    text: str | None
    value: int | str | None


class DeadlineOut(BaseModel):
    """The same JSON as ``flask --app tracker deadline KIND STEP START --json --explain``."""

    due_on: date | None
    nominal_due_on: date | None
    day_kind: str
    days: int
    rule: str
    legal_basis: str
    certainty: str
    explanation: list[StepOut]
