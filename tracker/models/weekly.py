"""The chairperson's week: instructions, the in-app inbox, frozen weekly lists, and job runs."""
from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.base import utcnow
from tracker.models.users import User

if TYPE_CHECKING:
    from tracker.models.cases import Case


class Instruction(VersionMixin, Base):
    """An instruction (ý kiến chỉ đạo) of the chairperson or a vice-chair on a case, with a due date."""

    __tablename__ = "instructions"
    __table_args__ = (Index("ix_instructions_unit_open_due", "unit_id", "done_on", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    given_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship(foreign_keys=[author_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    case: Mapped[Case] = relationship(viewonly=True)  # for its number on the lists


class Notification(Base):
    """One message of a user's in-app inbox (reminder, instruction, re-timing); e-mailed when SMTP is set.

    ``dedupe_key`` makes every job idempotent: the same reminder for the same clock and day is
    written once however often the job runs.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letters.id"))
    # Code and parameters (JSON): the text is rendered in the reader's language.
    message: Mapped[str] = mapped_column(String(64))
    params: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class WeeklySnapshot(Base):
    """The weekly list as it stood when frozen (Monday morning), so it stays answerable later."""

    __tablename__ = "weekly_snapshots"
    __table_args__ = (UniqueConstraint("unit_id", "week", name="uq_weekly_snapshots_unit_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    week: Mapped[str] = mapped_column(String(8))  # ISO week "2026-W48"
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    data: Mapped[str] = mapped_column(Text)  # JSON of the weekly list
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class JobRun(Base):
    """A claimed run slot of a scheduled job: the unique (job, slot) row makes a run happen once
    however many processes try, and ``finished_at`` tells a half-done run from a done one."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(80))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ok: Mapped[bool | None] = mapped_column(Boolean)
    detail: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
