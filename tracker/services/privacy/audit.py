"""Audit trail: every insert, update and delete is written in the same transaction as the change.

The listener runs after each flush and inserts rows with Core, so a rolled-back change leaves no
audit row and a committed one always has its row. Nothing in the application updates or deletes
audit rows; ``_refuse_audit_change`` refuses it at the ORM level, and the database refuses it too
(triggers of migration 0007). The one deliberate rewrite, the anonymisation of personal data the log
quotes, runs inside :func:`audit_unlocked`.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Any

from flask import g
from flask import has_app_context
from flask import has_request_context
from flask import request
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm import scoped_session

from tracker.models import AuditEntry
from tracker.models import RegisterCounter
from tracker.models.audit import AuditUnlock
from tracker.models.base import table
from tracker.models.base import utcnow

REDACTED = "***"
SECRET_FIELDS = {"password_hash", "token_hash", "session_token"}
# Bookkeeping columns whose change alone is not an event worth a row.
NOISE_FIELDS = {"updated_at", "version", "failed_logins", "locked_until", "last_login_at"}
SKIPPED_MODELS: tuple[type, ...] = (AuditEntry, RegisterCounter)
AUDIT_TABLE = table(AuditEntry)
UNLOCK_TABLE = table(AuditUnlock)


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    name: str
    ip: str | None = None


def set_actor(user_id: int | None, name: str) -> None:
    ip = request.remote_addr if has_request_context() else None
    g.audit_actor = Actor(user_id, name, ip)


def current_actor() -> Actor:
    if has_app_context():
        actor = g.get("audit_actor")
        if actor is not None:
            return actor  # type: ignore[no-any-return]
    return Actor(None, "system")


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def _row(obj: Any, action: str, changes: dict[str, Any] | None) -> dict[str, Any]:
    actor = current_actor()
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "actor": actor.name,
        "action": action,
        "entity": type(obj).__tablename__,
        "entity_id": getattr(obj, "id", None) if isinstance(getattr(obj, "id", None), int) else None,
        # A unit's own row belongs to that unit, so that whoever oversees it sees its changes.
        "unit_id": obj.id if type(obj).__tablename__ == "units" else getattr(obj, "unit_id", None),
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else None,
        "ip": actor.ip,
    }


def _value(obj: Any, key: str) -> Any:
    return REDACTED if key in SECRET_FIELDS or key in getattr(obj, "__audit_redact__", ()) else _jsonable(
        getattr(obj, key)
    )


def _snapshot(obj: Any) -> dict[str, Any]:
    mapper = inspect(obj).mapper
    return {c.key: _value(obj, c.key) for c in mapper.column_attrs if c.key not in NOISE_FIELDS}


def _diff(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    changes: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        if attr.key in NOISE_FIELDS:
            continue
        hist = state.attrs[attr.key].history
        if not hist.has_changes():
            continue
        before = hist.deleted[0] if hist.deleted else None
        after = hist.added[0] if hist.added else None
        if before == after:
            continue
        secret = attr.key in SECRET_FIELDS or attr.key in getattr(obj, "__audit_redact__", ())
        changes[attr.key] = [REDACTED, REDACTED] if secret else [_jsonable(before), _jsonable(after)]
    return changes


def _after_flush(session: Session, flush_context: Any) -> None:
    rows = []
    for obj in session.new:
        if not isinstance(obj, SKIPPED_MODELS):
            rows.append(_row(obj, "create", _snapshot(obj)))
    for obj in session.dirty:
        if isinstance(obj, SKIPPED_MODELS) or not session.is_modified(obj, include_collections=False):
            continue
        changes = _diff(obj)
        if changes:
            rows.append(_row(obj, "update", changes))
    for obj in session.deleted:
        if not isinstance(obj, SKIPPED_MODELS):
            rows.append(_row(obj, "delete", _snapshot(obj)))
    if rows:
        session.connection().execute(insert(AUDIT_TABLE), rows)


def record_event(session: Session | scoped_session[Any], action: str, entity: str, entity_id: int | None,
                 unit_id: int | None = None, details: dict[str, Any] | None = None) -> None:
    """An event that is not a row change (a login, a view of confidential data, an export)."""
    actor = current_actor()
    session.connection().execute(
        insert(AUDIT_TABLE),
        [{
            "at": utcnow(), "user_id": actor.user_id, "actor": actor.name, "action": action,
            "entity": entity, "entity_id": entity_id, "unit_id": unit_id,
            "changes": json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None,
            "ip": actor.ip,
        }],
    )


def record_reads(entity: str, items: list[tuple[int, int | None]], details: dict[str, Any]) -> None:
    """Audit views of confidential records at once, in a transaction of their own: a read must be
    logged even though the page changes nothing, and committing the page's session would expire
    every object it is about to render."""
    if not items:
        return
    from tracker.extensions import db

    actor = current_actor()
    text = json.dumps(details, ensure_ascii=False, sort_keys=True)
    rows = [{"at": utcnow(), "user_id": actor.user_id, "actor": actor.name, "action": "view_confidential",
             "entity": entity, "entity_id": entity_id, "unit_id": unit_id, "changes": text, "ip": actor.ip}
            for entity_id, unit_id in items]
    with db.engine.begin() as conn:
        conn.execute(insert(AUDIT_TABLE), rows)


def _refuse_audit_change(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise PermissionError("the audit log is append-only")


@contextmanager
def audit_unlocked(session: Session | scoped_session[Any]) -> Iterator[None]:
    """Let the ``changes`` column of audit rows be rewritten inside this block, in this transaction
    only: a row of ``audit_unlocks`` is inserted (invisible to every other transaction) and removed
    again before the block ends, so it is never committed. Only the anonymisation uses it."""
    conn = session.connection()
    table = UNLOCK_TABLE
    inserted = conn.execute(table.insert().values()).inserted_primary_key
    assert inserted is not None
    unlock_id = inserted[0]

    def release() -> None:
        conn.execute(delete(table).where(table.c.id == unlock_id))

    try:
        yield
    except BaseException:
        try:  # on PostgreSQL the transaction may be aborted already: it cannot commit the row anyway
            release()
        except DBAPIError:
            pass
        raise
    release()


def init_app(session_class: type[Session]) -> None:
    if not event.contains(session_class, "after_flush", _after_flush):
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "before_flush", _refuse_audit_change)


# Free text a user searched by may be a person's name, ID number or phone: the audit log keeps only that a
# search was made (the log is read by admins and inspectors, who may not see the person).
FREE_TEXT_FILTERS = ("q", "name", "full_name", "id_number", "phone", "address")


def safe_filters(filters: dict[str, Any]) -> dict[str, Any]:
    return {k: ("…" if k in FREE_TEXT_FILTERS and v else v) for k, v in filters.items()}
