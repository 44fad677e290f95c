"""The audit log as its readers see it: the rows of the units they may see, filtered in SQL
(``unit_id`` + ``at`` and ``entity`` + ``entity_id`` are indexed)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Unit
from tracker.models import User
from tracker.services import access

# Reads of a protected person: which person is not shown to the log's readers (admins and inspectors, who
# are not cleared): next to the record read at the same moment it would tell who denounced.
PERSON_READS = ("citizens",)


def hides_who(entry: AuditEntry) -> bool:
    return entry.action == "view_confidential" and entry.entity in PERSON_READS


@dataclass(frozen=True)
class AuditFilter:
    unit_code: str | None = None
    entity: str | None = None
    entity_id: int | None = None
    action: str | None = None
    actor: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def sees_installation_rows(user: User) -> bool:
    """An admin of a top-level unit also reads the rows of no unit (rule values, links)."""
    return access.can(user, "audit.installation") and user.unit.parent_id is None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, ZoneInfo(current_app.config["TIMEZONE"])).astimezone(UTC)


def audit_query(user: User, f: AuditFilter) -> Select[AuditEntry]:
    visible = access.visible_units_query(user)
    scope = or_(AuditEntry.unit_id.in_(visible), and_(AuditEntry.entity == "units", AuditEntry.entity_id.in_(visible)))
    if sees_installation_rows(user):
        scope = or_(scope, AuditEntry.unit_id.is_(None))
    stmt = select(AuditEntry).where(scope)
    if f.unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == f.unit_code))
        if unit is not None:
            stmt = stmt.where(or_(AuditEntry.unit_id == unit.id,
                                  and_(AuditEntry.entity == "units", AuditEntry.entity_id == unit.id)))
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.entity_id is not None:
        # A protected person's reads are not found by the person's id either (hides_who).
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id,
                          ~and_(AuditEntry.action == "view_confidential", AuditEntry.entity.in_(PERSON_READS)))
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.actor:
        stmt = stmt.where(AuditEntry.actor == f.actor.strip())
    if f.date_from is not None:
        stmt = stmt.where(AuditEntry.at >= _start_of(f.date_from))
    if f.date_to is not None:
        stmt = stmt.where(AuditEntry.at < _start_of(f.date_to + timedelta(days=1)))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
