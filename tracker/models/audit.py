"""The append-only audit log: who did what, when, and what changed.

The database enforces it (migration 0007): UPDATE and DELETE of ``audit_log`` rows are refused by
triggers on PostgreSQL and SQLite, except the anonymisation's rewrite of ``changes`` (see AuditUnlock).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from tracker.models.base import Base
from tracker.models.base import UTCDateTime
from tracker.models.base import utcnow


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_unit_at", "unit_id", "at"),
        Index("ix_audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(80))  # username, or "cli"/"system"
    action: Mapped[str] = mapped_column(String(32))  # create / update / delete / login / view_confidential …
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int | None] = mapped_column(Integer)
    # JSON {field: [before, after]}; secrets are never written here.
    changes: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))


class AuditUnlock(Base):
    """While a row exists here, the database lets the ``changes`` of audit rows be rewritten (and
    nothing else): the triggers of migration 0007 refuse every other UPDATE and every DELETE of
    ``audit_log``. Only the anonymisation inserts a row, inside its own transaction, and removes it
    before the commit (``tracker.services.privacy.audit.audit_unlocked``), so no other transaction ever sees one."""

    __tablename__ = "audit_unlocks"

    id: Mapped[int] = mapped_column(primary_key=True)
