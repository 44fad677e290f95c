"""The records of an exchange file (docs/exchange-format.md), as pydantic models: types, required fields,
codes and lengths of every record and nested block, checked without the database.

:func:`problems` turns pydantic's errors into the file's own error codes and paths ("handling.decided_on",
"senders.people[0].citizen"), which the import reports with the record's uid and line (Vietnamese messages
in tracker.services.exchange.national). What a table cannot say (uid numbers, references between records)
is checked there.
"""
from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Annotated
from typing import Any
from typing import ClassVar

from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from tracker.models.cases import CLOCK_STATUSES
from tracker.models.citizens import GENDERS
from tracker.rules import lifecycle as lc
from tracker.rules import reception as rr

MAX_NUMBER = 1_000_000_000
EVENT_ACTIONS = lc.ACTIONS + ("accept", "retime", "delay_reason", "instruction", "instruction_done")


def is_iso_date(value: Any) -> bool:
    """A date as the file writes it: YYYY-MM-DD, nothing more."""
    try:
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def _iso_date(value: Any) -> Any:
    if is_iso_date(value):
        return value
    raise PydanticCustomError("exchange_date", "not an ISO date")


def _iso_datetime(value: Any) -> Any:
    try:
        if isinstance(value, str) and datetime.fromisoformat(value).tzinfo is not None:
            return value
    except ValueError:
        pass
    raise PydanticCustomError("exchange_date", "not an ISO date and time with its offset")


IsoDate = Annotated[str, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[str, BeforeValidator(_iso_datetime)]


class Block(BaseModel):
    """A record or nested block: exact JSON types, no unknown field. A null is an absent field; an empty
    string in a required field is absent too. ``CODES`` and ``LIMITS`` name the allowed codes and the
    longest text (or largest number) of a field."""

    model_config = ConfigDict(extra="forbid", strict=True)
    CODES: ClassVar[dict[str, tuple[str, ...]]] = {}
    LIMITS: ClassVar[dict[str, int]] = {}

    @model_validator(mode="before")
    @classmethod
    def _absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {k: v for k, v in data.items()
                if k not in fields or not (v is None or (v == "" and fields[k].is_required()))}

    @field_validator("*")
    @classmethod
    def _within(cls, value: Any, info: ValidationInfo) -> Any:
        name = info.field_name or ""
        codes, limit = cls.CODES.get(name), cls.LIMITS.get(name)
        if isinstance(value, str) and codes is not None and value not in codes:
            raise PydanticCustomError("choice_invalid", "not one of the codes")
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise PydanticCustomError("too_long", "too long")
        if isinstance(value, int) and not isinstance(value, bool) and (
                value < 0 or value > (limit if limit is not None else MAX_NUMBER)):
            raise PydanticCustomError("choice_invalid", "out of range")
        return value


class Document(Block):
    LIMITS = {"no": 60, "signer": 200}
    no: str | None = None
    date: IsoDate | None = None
    signer: str | None = None


class Person(Block):
    citizen: str
    position: int
    is_representative: bool


class People(Block):
    confidential: bool
    people: list[Person]


class Session(Block):
    CODES = {"kind": rr.SESSION_KINDS, "host": rr.SESSION_HOSTS}
    LIMITS = {"host_name": 200, "place": 200}
    held_on: IsoDate
    kind: str
    host: str
    host_name: str | None = None
    place: str | None = None


class Handling(Block):
    CODES = {"decision": lc.HANDLING_DECISIONS}
    LIMITS = {"to_body": 300}
    eligible: bool | None = None
    within_competence: bool | None = None
    decision: str | None = None
    decided_on: IsoDate | None = None
    reason: str | None = None
    to_body: str | None = None
    document: Document


class ClockRecord(Block):
    CODES = {"status": CLOCK_STATUSES, "delay_reason": lc.DELAY_REASONS}
    LIMITS = {"clock": 40, "rule_code": 80}
    clock: str
    rule_code: str
    start_on: IsoDate
    due_on: IsoDate | None = None
    nominal_due_on: IsoDate | None = None
    status: str
    met_on: IsoDate | None = None
    delay_reason: str | None = None
    delay_note: str | None = None


class EventRecord(Block):
    CODES = {"action": EVENT_ACTIONS, "from_status": lc.CASE_STATUSES, "to_status": lc.CASE_STATUSES,
             "outcome": lc.ALL_OUTCOMES}
    seq: int
    at: IsoDateTime
    on: IsoDate
    action: str
    from_status: str | None = None
    to_status: str | None = None
    outcome: str | None = None
    actor_name: str | None = None
    document: Document
    note: str | None = None
    data: Any = None


class Pause(Block):
    suspended_on: IsoDate
    resumed_on: IsoDate | None = None
    reason: str | None = None


class Group(Block):
    LIMITS = {"name": 200, "neighbourhood": 120}
    name: str
    neighbourhood: str | None = None


class CaseRef(Block):
    CODES = {"kind": lc.CASE_KINDS}
    letter: str
    kind: str


class Record(Block):
    type: str
    uid: str


class CitizenRecord(Record):
    CODES = {"gender": GENDERS}
    LIMITS = {"full_name": 200, "id_number": 12, "phone": 20, "address": 300, "neighbourhood": 120}
    full_name: str
    id_number: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    phone: str | None = None
    address: str | None = None
    neighbourhood: str | None = None
    confidential: bool


class VisitRecord(Record):
    CODES = {"channel": rr.VISIT_CHANNELS, "kind": rr.VISIT_KINDS, "host": rr.VISIT_HOSTS,
             "classification": rr.CLASSIFICATIONS, "subject": rr.SUBJECTS, "handling": rr.VISIT_HANDLINGS,
             "decline_ground": tuple(g.code for g in rr.DECLINE_GROUNDS)}
    LIMITS = {"host_name": 200, "content": 5000, "previously_handled_by": 300, "handling_document_no": 60,
              "referred_to": 300}
    register_year: int
    register_no: int
    visited_on: IsoDate
    visited_at: IsoDateTime | None = None
    channel: str
    kind: str
    host: str
    host_name: str | None = None
    session: Session | None = None
    people_count: int
    is_group: bool
    content: str
    classification: str
    subject: str
    previously_handled_by: str | None = None
    within_competence: bool
    handling: str
    handling_document_no: str | None = None
    referred_to: str | None = None
    decline_ground: str | None = None
    result_followup: str | None = None
    note: str | None = None
    visitors: People


class LetterRecord(Record):
    CODES = {"channel": lc.LETTER_CHANNELS, "kind": lc.LETTER_KINDS, "mediation_type": lc.MEDIATION_TYPES,
             "subject": rr.SUBJECTS, "status": lc.LETTER_STATUSES}
    LIMITS = {"tracking_code": 16, "from_body": 300, "from_document_no": 60, "summary": 5000}
    register_year: int
    register_no: int
    tracking_code: str
    received_on: IsoDate
    channel: str
    from_body: str | None = None
    from_document_no: str | None = None
    from_document_date: IsoDate | None = None
    visit: str | None = None
    kind: str
    mediation_type: str | None = None
    subject: str
    summary: str
    anonymous: bool
    multi_signature: bool
    signer_count: int
    duplicate_of: str | None = None
    split_from: str | None = None
    complex: bool
    second_instance: bool
    status: str
    handling: Handling
    handler_name: str | None = None
    senders: People
    clocks: list[ClockRecord]


class CaseRecord(Record):
    CODES = {"kind": lc.CASE_KINDS, "status": lc.CASE_STATUSES, "status_before_suspension": lc.CASE_STATUSES,
             "subject": rr.SUBJECTS, "outcome": lc.ALL_OUTCOMES}
    LIMITS = {"summary": 5000, "instance": 2, "complexity": 2, "acceptance_document_no": 60, "next_clock": 40}
    letter: str
    kind: str
    status: str
    is_open: bool
    status_before_suspension: str | None = None
    subject: str
    summary: str
    instance: int
    complexity: int
    remote_area: bool
    received_on: IsoDate
    accepted_on: IsoDate
    acceptance_document_no: str | None = None
    handler_name: str | None = None
    mediation_group: Group | None = None
    linked_case: CaseRef | None = None
    extensions: int
    outcome: str | None = None
    closed_on: IsoDate | None = None
    next_due_on: IsoDate | None = None
    next_clock: str | None = None
    awaiting_decision: bool
    events: list[EventRecord]
    clocks: list[ClockRecord]
    pauses: list[Pause]


RECORDS: dict[str, type[Record]] = {"citizen": CitizenRecord, "visit": VisitRecord, "letter": LetterRecord,
                                    "case": CaseRecord}
# pydantic's own error types that are the file's "required" and "unknown field"; every other type of its own
# (a string where a number belongs, a list where a block belongs…) is a wrong JSON type.
_PYDANTIC_CODES = {"missing": "required", "extra_forbidden": "exchange_unknown_field"}
_OWN_CODES = ("choice_invalid", "too_long", "exchange_date")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def problems(kind: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    """(path, code) of everything wrong with one record of type ``kind`` (one of RECORDS)."""
    try:
        RECORDS[kind].model_validate(record)
    except ValidationError as exc:
        out = []
        for error in exc.errors():
            code = error["type"] if error["type"] in _OWN_CODES else _PYDANTIC_CODES.get(error["type"],
                                                                                       "exchange_bad_type")
            out.append((_path(error["loc"]), code))
        return out
    return []
