"""Pydantic models of the API: request bodies and query strings (strict), and the response shapes.

Request bodies are parsed in strict mode: dates are ISO strings, numbers are JSON numbers,
enumerations are the English codes of the glossary; unknown fields are refused, so a typo in
an optional field's name is reported instead of silently ignored. Each body converts itself to
the service dataclass (``to_input``), so the views stay thin.
"""
from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from typing import Annotated
from typing import Literal

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from tracker.models.citizens import GENDERS
from tracker.rules import reception as r
from tracker.rules.plausible import FIRST_YEAR
from tracker.rules.plausible import LAST_YEAR
from tracker.rules.plausible import plausible
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitFilter
from tracker.services.reception.visits import VisitInput
from tracker.services.reception.visits import VisitorInput

MAX_PER_PAGE = 200

Gender = Literal[GENDERS]  # type: ignore[valid-type]
Channel = Literal[r.VISIT_CHANNELS]  # type: ignore[valid-type]
Kind = Literal[r.VISIT_KINDS]  # type: ignore[valid-type]
Host = Literal[r.VISIT_HOSTS]  # type: ignore[valid-type]
Classification = Literal[r.CLASSIFICATIONS]  # type: ignore[valid-type]
Subject = Literal[r.SUBJECTS]  # type: ignore[valid-type]
Handling = Literal[r.VISIT_HANDLINGS]  # type: ignore[valid-type]
DECLINE_GROUND_CODES = tuple(g.code for g in r.DECLINE_GROUNDS)
DeclineGround = Literal[DECLINE_GROUND_CODES]  # type: ignore[valid-type]


MAX_INT = 2**31 - 1  # the largest INTEGER column value (PostgreSQL); beyond it the driver would fail


def _within_int_column(value: object) -> object:
    """A number too large for an INTEGER column is refused as input, never sent to the database."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_INT:
            raise PydanticCustomError("less_than_equal", "Input should be less than or equal to {le}",
                                      {"le": MAX_INT})
    return value


def _plausible_date(value: date) -> date:
    """A date of a citizen's matter, not a slip of the keyboard (tracker.rules.plausible)."""
    if not plausible(value):
        raise PydanticCustomError("year_out_of_range", "Input should be a year from {first} to {last}",
                                  {"first": FIRST_YEAR, "last": LAST_YEAR})
    return value


# An ISO date in the plausible years: every date the API takes in a body or a filter.
InDate = Annotated[date, AfterValidator(_plausible_date)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    _int_range = field_validator("*")(_within_int_column)


class Query(BaseModel):
    # Query strings are text: numbers and dates are parsed from it; unknown parameters (lang) pass.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    _int_range = field_validator("*")(_within_int_column)


# ---- citizens -------------------------------------------------------------------------------

class CitizenFields(Body):
    full_name: str = Field(max_length=1000, description="Full name with diacritics, e.g. Nguyễn Văn An")
    id_number: str | None = Field(None, description="Citizen ID (CCCD): 12 digits")
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=1000)
    neighbourhood: str | None = Field(None, max_length=1000, description="khu phố / thôn / tổ dân phố")

    def to_input(self) -> CitizenInput:
        return CitizenInput(self.full_name, self.id_number, self.birth_year, self.gender, self.phone,
                            self.address, self.neighbourhood)


class CitizenCreate(CitizenFields):
    unit_id: int | None = Field(None, description="Only for an admin writing to a unit below its own")


class CitizenPatch(Body):
    """Fields left out keep their value; ``version`` is the one last read."""

    full_name: str | None = Field(None, max_length=1000)
    id_number: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=1000)
    neighbourhood: str | None = Field(None, max_length=1000)
    version: int

    def to_input(self, current: CitizenInput) -> CitizenInput:
        values = {name: getattr(self, name) for name in self.model_fields_set if name != "version"}
        return CitizenInput(**{**current.__dict__, **values})


class CitizenQuery(Query):
    q: str | None = Field(None, max_length=200,
                          description="Words of the name without diacritics, a whole ID number, "
                                      "or the start of a phone number")
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


# ---- visits ---------------------------------------------------------------------------------

class VisitCitizenIn(Body):
    """An earlier visitor by ``id``, or a new citizen by its fields (an ID number already
    registered in the unit links that citizen instead of creating a duplicate). With ``id``,
    the other citizen fields are ignored."""

    id: int | None = None
    full_name: str | None = Field(None, max_length=1000)
    id_number: str | None = None
    birth_year: int | None = None
    gender: Gender | None = None
    phone: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=1000)
    neighbourhood: str | None = Field(None, max_length=1000)
    representative: bool = Field(False, description="A representative chosen by a group (Luật TCD Điều 29)")

    def to_input(self) -> VisitorInput:
        if self.id is not None:
            return VisitorInput(citizen_id=self.id, is_representative=self.representative)
        citizen = CitizenInput(self.full_name or "", self.id_number, self.birth_year, self.gender, self.phone,
                               self.address, self.neighbourhood)
        return VisitorInput(citizen=citizen, is_representative=self.representative)


class VisitFields(Body):
    visited_on: InDate = Field(description="ISO date; not in the future")
    visited_time: time | None = Field(None, description="Local time HH:MM")
    channel: Channel = "in_person"
    kind: Kind = "regular"
    host: Host = "officer"
    host_name: str | None = Field(None, max_length=1000)
    people_count: int = Field(1, description="At least 1, and at least the number of citizens listed")
    citizens: list[VisitCitizenIn] = Field(max_length=500)
    content: str = Field(max_length=20000)
    classification: Classification
    subject: Subject = "other"
    previously_handled_by: str | None = Field(None, max_length=1000)
    within_competence: bool = True
    handling: Handling
    handling_document_no: str | None = Field(None, max_length=1000)
    referred_to: str | None = Field(None, max_length=1000)
    decline_ground: DeclineGround | None = Field(None, description="Required when handling is declined")
    result_followup: str | None = Field(None, max_length=20000)
    note: str | None = Field(None, max_length=20000)

    def to_input(self, register_no: int | None = None) -> VisitInput:
        return VisitInput(
            visited_on=self.visited_on, visited_time=self.visited_time, channel=self.channel, kind=self.kind,
            host=self.host, host_name=self.host_name, people_count=self.people_count,
            visitors=[c.to_input() for c in self.citizens], content=self.content,
            classification=self.classification, subject=self.subject,
            previously_handled_by=self.previously_handled_by, within_competence=self.within_competence,
            handling=self.handling, handling_document_no=self.handling_document_no, referred_to=self.referred_to,
            decline_ground=self.decline_ground, result_followup=self.result_followup, note=self.note,
            register_no=register_no,
        )


class VisitCreate(VisitFields):
    register_no: int | None = Field(None, description="Only when copying a paper log book; otherwise assigned")
    unit_id: int | None = Field(None, description="Only for an admin writing to a unit below its own")


class VisitReplace(VisitFields):
    """The whole visit as it should be; its register number and year stay."""

    version: int


class VisitQuery(Query):
    date_from: InDate | None = Field(None, alias="from", description="First visit date, ISO")
    date_to: InDate | None = Field(None, alias="to", description="Last visit date, ISO")
    classification: Classification | None = None
    kind: Kind | None = None
    host: Host | None = None
    handling: Handling | None = None
    subject: Subject | None = None
    channel: Channel | None = None
    q: str | None = Field(None, max_length=200,
                          description="A visitor's name without diacritics, an ID number or a register number")
    page: int = Field(1, ge=1)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)
    after_id: int | None = Field(None, ge=0, description="Keyset paging for synchronisation: visits with a "
                                                         "greater id, oldest id first (page is then ignored)")

    def to_filter(self) -> VisitFilter:
        return VisitFilter(date_from=self.date_from, date_to=self.date_to, classification=self.classification,
                           kind=self.kind, host=self.host, handling=self.handling, subject=self.subject,
                           channel=self.channel, q=self.q)


class VersionQuery(Query):
    version: int = Field(description="The version last read")


# ---- responses ------------------------------------------------------------------------------

class CitizenOut(BaseModel):
    id: int
    version: int
    unit_id: int
    full_name: str
    id_number: str | None
    birth_year: int | None
    gender: Gender | None
    phone: str | None
    address: str | None
    neighbourhood: str | None
    created_at: datetime
    updated_at: datetime


class VisitCitizenOut(CitizenOut):
    representative: bool


class VisitOut(BaseModel):
    id: int
    version: int
    unit_id: int
    register_year: int
    register_no: int
    visited_on: date
    visited_time: str | None = Field(description="Local time HH:MM")
    visited_at: datetime | None = Field(description="The same moment in UTC")
    channel: Channel
    kind: Kind
    host: Host
    host_name: str | None
    session_id: int | None
    people_count: int
    is_group: bool
    identity_hidden: bool = Field(description="The people of a denunciation are withheld from this reader "
                                              "(Luật Tố cáo Điều 47); `citizens` is then empty")
    citizens: list[VisitCitizenOut]
    content: str
    classification: Classification
    subject: Subject
    previously_handled_by: str | None
    within_competence: bool
    handling: Handling
    handling_document_no: str | None
    referred_to: str | None
    decline_ground: DeclineGround | None
    result_followup: str | None
    note: str | None
    created_at: datetime
    updated_at: datetime


class CitizenPage(BaseModel):
    items: list[CitizenOut]
    page: int
    per_page: int
    total: int
    pages: int


class VisitPage(BaseModel):
    items: list[VisitOut]
    page: int | None = Field(description="null in keyset mode (after_id)")
    per_page: int
    total: int | None = Field(description="null in keyset mode (after_id)")
    pages: int | None = Field(description="null in keyset mode (after_id)")
    next_after_id: int | None = Field(description="In keyset mode, the after_id of the next page; null at the end")


class ErrorDetail(BaseModel):
    code: str = Field(description="A stable English code, e.g. invalid, stale, not_found")
    message: str = Field(description="For people: Vietnamese by default, English with Accept-Language: en")
    fields: dict[str, str] = Field(description="Field path (e.g. citizens.0.id_number) -> message")


class ErrorResponse(BaseModel):
    error: ErrorDetail
