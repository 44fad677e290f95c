"""The reception log book: visits (lượt tiếp), the chairperson's sessions, and who came."""
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
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.citizens import Citizen
from tracker.models.units import Unit
from tracker.models.users import User
from tracker.rules import reception as r


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN {values!r}"


class ReceptionSession(VersionMixin, TimestampMixin, Base):
    """A scheduled (định kỳ) or ad hoc (đột xuất) reception held by the chairperson or a vice-chair."""

    __tablename__ = "reception_sessions"
    __table_args__ = (
        UniqueConstraint("unit_id", "held_on", "kind", name="uq_reception_sessions_unit_day_kind"),
        CheckConstraint(_in("kind", r.SESSION_KINDS), name="kind"),
        CheckConstraint(_in("host", r.SESSION_HOSTS), name="host"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="scheduled")
    host: Mapped[str] = mapped_column(String(16), default="chair")
    host_name: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    conclusion_notice_no: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)


class Visit(VersionMixin, TimestampMixin, Base):
    """One visit (lượt tiếp): one row of the official reception log book."""

    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("unit_id", "register_year", "register_no", name="uq_visits_register"),
        Index("ix_visits_unit_visited_on", "unit_id", "visited_on", "id"),
        # The need-to-know gate's sets: the denunciation visits a user logged, and those of a leader's unit.
        Index("ix_visits_denunciation_created_by", "created_by_id",
              sqlite_where=text("classification = 'denunciation'"),
              postgresql_where=text("classification = 'denunciation'")),
        Index("ix_visits_denunciation_unit", "unit_id", sqlite_where=text("classification = 'denunciation'"),
              postgresql_where=text("classification = 'denunciation'")),
        CheckConstraint("people_count >= 1", name="people_count"),
        CheckConstraint(_in("channel", r.VISIT_CHANNELS), name="channel"),
        CheckConstraint(_in("kind", r.VISIT_KINDS), name="kind"),
        CheckConstraint(_in("host", r.VISIT_HOSTS), name="host"),
        CheckConstraint(_in("classification", r.CLASSIFICATIONS), name="classification"),
        CheckConstraint(_in("handling", r.VISIT_HANDLINGS), name="handling"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    register_year: Mapped[int] = mapped_column(Integer)
    register_no: Mapped[int] = mapped_column(Integer)
    visited_on: Mapped[date] = mapped_column(Date)
    visited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(16), default="in_person")
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    host: Mapped[str] = mapped_column(String(16), default="officer")
    host_name: Mapped[str | None] = mapped_column(String(200))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("reception_sessions.id"), index=True)
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    content: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(32), default="other")
    # "Cơ quan đã giải quyết": which competent body already handled the matter, if any.
    previously_handled_by: Mapped[str | None] = mapped_column(String(300))
    within_competence: Mapped[bool] = mapped_column(Boolean, default=True)
    handling: Mapped[str] = mapped_column(String(20))
    handling_document_no: Mapped[str | None] = mapped_column(String(60))
    referred_to: Mapped[str | None] = mapped_column(String(300))
    decline_ground: Mapped[str | None] = mapped_column(String(32))
    result_followup: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    unit: Mapped[Unit] = relationship()
    session: Mapped[ReceptionSession | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    visitors: Mapped[list[VisitCitizen]] = relationship(
        back_populates="visit", cascade="all, delete-orphan", order_by="VisitCitizen.position"
    )


class VisitCitizen(Base):
    """A citizen present at a visit; for a group, the chosen representatives (Luật TCD Điều 29)."""

    __tablename__ = "visit_citizens"
    # Who attended a denunciation visit is the denouncer's identity: the audit keeps only the visit.
    __audit_redact__ = ("citizen_id",)

    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), primary_key=True)
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_representative: Mapped[bool] = mapped_column(Boolean, default=False)

    visit: Mapped[Visit] = relationship(back_populates="visitors")
    citizen: Mapped[Citizen] = relationship()


class RegisterCounter(Base):
    """Last register number (số vào sổ) per unit, book and year; bumped inside the writing transaction."""

    __tablename__ = "register_counters"

    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), primary_key=True)
    book: Mapped[str] = mapped_column(String(16), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_no: Mapped[int] = mapped_column(Integer, default=0)


class SessionBooking(Base):
    """A citizen booked to be received at a session of the chairperson (đăng ký tiếp định kỳ)."""

    __tablename__ = "session_bookings"
    __table_args__ = (
        UniqueConstraint("session_id", "citizen_id", name="uq_session_bookings_session_citizen"),
        CheckConstraint(_in("classification", r.CLASSIFICATIONS), name="classification"),
    )
    # Who booked to denounce is the denouncer's identity: the audit keeps only the session.
    __audit_redact__ = ("citizen_id", "topic")

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("reception_sessions.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    citizen_id: Mapped[int] = mapped_column(ForeignKey("citizens.id"), index=True)
    topic: Mapped[str] = mapped_column(Text)
    classification: Mapped[str] = mapped_column(String(16), default="other")
    people_count: Mapped[int] = mapped_column(Integer, default=1)
    booked_on: Mapped[date] = mapped_column(Date)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[ReceptionSession] = relationship()
    citizen: Mapped[Citizen] = relationship()
