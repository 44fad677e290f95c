"""Period reports: the citizen-reception and petition section, drafted and frozen when final."""
from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.models.base import Base
from tracker.models.base import UTCDateTime
from tracker.models.base import VersionMixin
from tracker.models.base import utcnow


class Report(VersionMixin, Base):
    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("unit_id", "period", "revision", name="uq_reports_unit_period_revision"),
        CheckConstraint("status IN ('draft', 'final')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    convention: Mapped[str] = mapped_column(String(16))
    date_from: Mapped[date] = mapped_column(Date)
    date_to: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(8), default="draft")
    data: Mapped[str] = mapped_column(Text)  # the JSON document of interfaces.md
    narrative: Mapped[str] = mapped_column(Text)  # as generated, or as edited by the chairperson
    built_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finalized_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
