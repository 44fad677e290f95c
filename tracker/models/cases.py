"""Cases (vụ việc): matters accepted for resolution, their timeline, clocks and pauses."""
from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.base import utcnow
from tracker.models.letters import Letter
from tracker.models.units import Unit
from tracker.models.users import User
from tracker.rules import lifecycle as lc
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS

CLOCK_STATUSES = ("open", "met", "stopped", "cancelled")


def _in(column: str, values: tuple[str, ...], nullable: bool = False) -> str:
    return (f"{column} IS NULL OR " if nullable else "") + f"{column} IN {values!r}"


class Case(VersionMixin, TimestampMixin, Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The open-case lists: by unit, open or not, nearest due date.
        Index("ix_cases_unit_open_due", "unit_id", "is_open", "next_due_on", "id"),
        Index("ix_cases_handler_open_due", "handler_id", "is_open", "next_due_on"),
        Index("ix_cases_unit_accepted_on", "unit_id", "accepted_on"),
        # The need-to-know gate's sets: the confidential cases a handler has, and those of a leader's unit.
        Index("ix_cases_confidential_handler", "handler_id", sqlite_where=text("confidential"),
              postgresql_where=text("confidential")),
        Index("ix_cases_confidential_unit", "unit_id", sqlite_where=text("confidential"),
              postgresql_where=text("confidential")),
        CheckConstraint(_in("kind", lc.CASE_KINDS), name="kind"),
        CheckConstraint(_in("status", lc.CASE_STATUSES), name="status"),
        CheckConstraint(_in("outcome", lc.ALL_OUTCOMES, True), name="outcome"),
        CheckConstraint("instance IN (1, 2)", name="instance"),
        CheckConstraint("complexity IN (0, 1, 2)", name="complexity"),
        UniqueConstraint("unit_id", "register_year", "register_no", name="uq_cases_register"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # "Vụ việc số 3/2026": numbered per unit and year of acceptance, like letters and visits.
    register_year: Mapped[int] = mapped_column(Integer)
    register_no: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="accepted")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    status_before_suspension: Mapped[str | None] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32), default="other")
    summary: Mapped[str] = mapped_column(Text)
    instance: Mapped[int] = mapped_column(Integer, default=1)
    # 0 ordinary, 1 complex, 2 especially complex (NĐ 31/2019 Điều 3; NĐ 124/2020 Điều 3a).
    complexity: Mapped[int] = mapped_column(Integer, default=0)
    remote_area: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date] = mapped_column(Date)
    acceptance_document_no: Mapped[str | None] = mapped_column(String(60))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    mediation_group_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_groups.id"), index=True)
    linked_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))
    closed_on: Mapped[date | None] = mapped_column(Date)
    # Nearest open clock: what lists sort by; kept by the service whenever clocks change.
    next_due_on: Mapped[date | None] = mapped_column(Date)
    next_clock: Mapped[str | None] = mapped_column(String(40))
    awaiting_decision: Mapped[bool] = mapped_column(Boolean, default=False)
    # A denunciation, or the case of a confidential letter: who complained or denounced is need-to-know
    # (tracker.services.privacy.confidentiality). Set when the case opens, and with its letter's family.
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    unit: Mapped[Unit] = relationship()
    letter: Mapped[Letter | None] = relationship(foreign_keys=[letter_id])
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")
    clocks: Mapped[list[Clock]] = relationship(
        primaryjoin="Case.id == Clock.case_id", order_by="Clock.id", viewonly=True)

    @property
    def number(self) -> str:
        """"3/2026": the case's number in its unit's register of that year."""
        return f"{self.register_no}/{self.register_year}"


class CaseEvent(Base):
    """One entry of a case's timeline: who did what on which legal date, with which document."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    on: Mapped[date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    document_no: Mapped[str | None] = mapped_column(String(60))
    document_date: Mapped[date | None] = mapped_column(Date)
    document_signer: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[str | None] = mapped_column(Text)  # JSON: re-timing details, session minutes, …

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Clock(VersionMixin, Base):
    """One legal clock of a letter or a case (notice, acceptance, resolution, …) and its due date."""

    __tablename__ = "clocks"
    __table_args__ = (
        Index("ix_clocks_unit_status_due", "unit_id", "status", "due_on"),
        # Re-timing after a rule or calendar change looks up open clocks by rule and by start date.
        Index("ix_clocks_status_rule", "status", "rule_code"),
        Index("ix_clocks_status_start", "status", "start_on"),
        CheckConstraint(_in("status", CLOCK_STATUSES), name="status"),
        CheckConstraint(_in("delay_reason", lc.DELAY_REASONS, True), name="delay_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    clock: Mapped[str] = mapped_column(String(40))  # "kind.step" of the deadline table
    rule_code: Mapped[str] = mapped_column(String(80))
    start_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # None while the clock is stopped
    nominal_due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    met_on: Mapped[date | None] = mapped_column(Date)
    delay_reason: Mapped[str | None] = mapped_column(String(32))
    delay_note: Mapped[str | None] = mapped_column(Text)


class CasePause(Base):
    """A suspension (tạm đình chỉ) of a case and its resumption."""

    __tablename__ = "case_pauses"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    suspended_on: Mapped[date] = mapped_column(Date)
    resumed_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


class MediationGroup(VersionMixin, TimestampMixin, Base):
    """A grassroots mediation group (tổ hòa giải) of a neighbourhood (Luật HGOCS 2013 Điều 12)."""

    __tablename__ = "mediation_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    neighbourhood: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    members: Mapped[list[Mediator]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                   order_by="Mediator.id")


class Mediator(Base):
    __tablename__ = "mediators"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("mediation_groups.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    gender: Mapped[str | None] = mapped_column(String(8))
    is_leader: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[str | None] = mapped_column(String(20))

    group: Mapped[MediationGroup] = relationship(back_populates="members")


@event.listens_for(Case, "before_insert")
@event.listens_for(Case, "before_update")
def _a_confidential_case(_mapper: object, _connection: object, case: Case) -> None:
    """Whatever path writes a case, a denunciation is confidential (the case of a confidential letter is
    marked by the service that opens it)."""
    if case.kind in CONFIDENTIAL_CLASSIFICATIONS:
        case.confidential = True
