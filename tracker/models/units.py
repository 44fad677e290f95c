"""Administrative units (UBND): province → (district, for older data) → commune."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import VersionMixin

UNIT_LEVELS = ("province", "district", "commune")


class Unit(VersionMixin, TimestampMixin, Base):
    __tablename__ = "units"
    __table_args__ = (CheckConstraint(f"level IN {UNIT_LEVELS!r}", name="level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), default="commune")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    # Materialised path "/1/7/42/" so "this unit and all below it" is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400), index=True, default="/")
    remote_area: Mapped[bool] = mapped_column(Boolean, default=False)
    # ISO weekday (1 = Monday … 7 = Sunday) of the chairperson's scheduled reception; the law fixes
    # at least one day a week but not which (Luật TCD Điều 15), so each unit chooses.
    reception_weekday: Mapped[int | None] = mapped_column(Integer, default=4)
    address: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Reminders: how many days before a due date handlers are told (a unit setting, not law).
    reminder_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    # When the weekly list is frozen: ISO weekday and local time "HH:MM".
    snapshot_weekday: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    snapshot_time: Mapped[str] = mapped_column(String(5), default="07:00", server_default="07:00")
    # Reports: "official" cut-off periods (TT 06/2025: 15th → 14th) or plain "calendar" periods;
    # and whether numbers under ten are written with a leading zero ("02 đơn").
    report_convention: Mapped[str] = mapped_column(String(16), default="official", server_default="official")
    leading_zero: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # The report's opening line names the document it answers ("Thực hiện Kế hoạch số …"); the
    # standard assessment sentences the unit chose to include are JSON (none by default).
    report_basis: Mapped[str | None] = mapped_column(String(500))
    report_sentences: Mapped[str | None] = mapped_column(Text)

    # The 2025 mergers: an old commune merged into a new one on a date; its history stays its own
    # rows, and statistics of the new commune can include its predecessors.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    merged_on: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"
