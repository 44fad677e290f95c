"""Citizens who come to the reception desk or write to the commune."""
from __future__ import annotations

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.models.base import Base
from tracker.models.base import TimestampMixin
from tracker.models.base import VersionMixin

GENDERS = ("male", "female", "other")


class Citizen(VersionMixin, TimestampMixin, Base):
    __tablename__ = "citizens"
    __table_args__ = (
        CheckConstraint(f"gender IS NULL OR gender IN {GENDERS!r}", name="gender"),
        Index("ix_citizens_unit_name_key", "unit_id", "name_key"),
        Index(
            "uq_citizens_unit_id_number",
            "unit_id",
            "id_number",
            unique=True,
            sqlite_where=text("id_number IS NOT NULL"),
            postgresql_where=text("id_number IS NOT NULL"),
        ),
    )

    # Personal data never goes into the audit log's before/after values (Luật 91/2025; a
    # denouncer's identity must not leak to whoever reads the log).
    __audit_redact__ = ("full_name", "name_key", "id_number", "birth_year", "gender", "phone", "address",
                        "neighbourhood")

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    full_name: Mapped[str] = mapped_column(String(200))
    # full_name folded (no diacritics, đ→d, casefolded): identical search on SQLite and PostgreSQL.
    name_key: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str | None] = mapped_column(String(12))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    gender: Mapped[str | None] = mapped_column(String(8))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    neighbourhood: Mapped[str | None] = mapped_column(String(120))
