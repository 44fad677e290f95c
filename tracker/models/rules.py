"""Rule data the law fixes, versioned by dates in force and editable by an administrator."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import VersionMixin


class RuleParam(VersionMixin, TimestampMixin, Base):
    __tablename__ = "rule_params"
    __table_args__ = (UniqueConstraint("key", "effective_from", name="uq_rule_params_key_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    value: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(300))
    certainty: Mapped[str] = mapped_column(String(1), default="C")
    note: Mapped[str | None] = mapped_column(Text)


DAY_KINDS = ("working", "calendar")
PAUSE_RULES = ("extend", "restart")
CALENDAR_DAY_KINDS = ("day_off", "work_day", "not_off")


class DeadlineRuleRow(VersionMixin, TimestampMixin, Base):
    """One row of the deadline table (domain.md "Deadline table"), in force between two dates.

    A row applies to (kind, step) when each of its conditions is None (any) or equals the case's
    flag; among applicable rows in force on the start date, the most specific one wins.
    """

    __tablename__ = "deadline_rules"
    __table_args__ = (
        CheckConstraint(f"day_kind IN {DAY_KINDS!r}", name="day_kind"),
        CheckConstraint(f"pause_rule IS NULL OR pause_rule IN {PAUSE_RULES!r}", name="pause_rule"),
        CheckConstraint("days >= 0 AND max_extensions >= 0", name="days"),
        Index("ix_deadline_rules_kind_step", "kind", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    complex: Mapped[bool | None] = mapped_column(Boolean)
    remote_area: Mapped[bool | None] = mapped_column(Boolean)
    second_instance: Mapped[bool | None] = mapped_column(Boolean)
    days: Mapped[int] = mapped_column(Integer)
    day_kind: Mapped[str] = mapped_column(String(16))
    max_extensions: Mapped[int] = mapped_column(Integer, default=0)
    extension_days: Mapped[int | None] = mapped_column(Integer)
    # What a suspension does to this clock: "extend" (paused days are added back) or "restart"
    # (the period runs again in full from the resumption).
    pause_rule: Mapped[str | None] = mapped_column(String(16))
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = mapped_column(String(300))
    certainty: Mapped[str] = mapped_column(String(1), default="C")
    note: Mapped[str | None] = mapped_column(Text)


class CalendarDay(VersionMixin, TimestampMixin, Base):
    """An official exception to the base holiday calendar: an extra day off (swap, one-off), a
    make-up working Saturday, or a package holiday that is not a day off ("not_off")."""

    __tablename__ = "calendar_days"
    __table_args__ = (CheckConstraint(f"kind IN {CALENDAR_DAY_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(300))
    certainty: Mapped[str] = mapped_column(String(1), default="C")
