"""Rule data the law fixes, versioned by dates in force and editable by an administrator."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Date
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
