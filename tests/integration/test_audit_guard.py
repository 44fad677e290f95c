"""The audit log cannot be altered: the database itself (migration 0007) refuses UPDATE and DELETE.

Only the anonymisation of personal data (Luật 91/2025, ``anonymise.scrub_audit``) may rewrite the
``changes`` column of audit rows, and only inside its own transaction while it holds a row of
``audit_unlocks``; every other column stays refused even then, and DELETE is always refused. No
route of the application, web or API, changes an audit row that already exists.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.factories import make_user
from tests.factories import make_visit
from tests.figures import record
from tests.web.test_access_table import call
from tests.web.test_access_table import form_for
from tests.web.test_access_table import make_world
from tests.web.test_access_table import routes
from tests.web.test_access_table import table_actors
from tests.web.test_access_table import url_for_rule
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models.audit import AuditUnlock
from tracker.services.privacy import anonymise
from tracker.services.privacy import audit
from tracker.services.privacy.audit import set_actor

# Every column of an audit row, each set to a value it does not hold.
TAMPER = {"id": "id + 100000", "at": "at", "user_id": "NULL", "actor": "'someone else'", "action": "'view'",
          "entity": "'users'", "entity_id": "entity_id + 1", "unit_id": "NULL",
          "changes": "'{\"x\": 1}'", "ip": "'10.9.9.9'"}


def one_entry() -> AuditEntry:
    clerk = make_user("letan")
    set_actor(clerk.id, clerk.username)
    make_visit(clerk, content="Hỏi về đất ở khu phố 3")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "visits").order_by(AuditEntry.id))
    assert entry is not None and entry.changes
    return entry


def rows_digest() -> dict[int, str]:
    """id → SHA-256 of the whole row, for every audit row."""
    table = AuditEntry.__table__
    with db.engine.connect() as conn:
        return {row.id: hashlib.sha256(json.dumps([str(v) for v in row], ensure_ascii=False).encode()).hexdigest()
                for row in conn.execute(select(table).order_by(table.c.id))}


def refused(statement: str, **params: object) -> str:
    """Run ``statement`` in a transaction of its own; answers the database's refusal."""
    with db.engine.connect() as conn:
        trans = conn.begin()
        try:
            conn.execute(text(statement), params)
        except DBAPIError as exc:
            trans.rollback()
            return str(exc.orig)
        trans.rollback()
    raise AssertionError(f"the database accepted: {statement}")


@pytest.mark.parametrize("column", sorted(TAMPER))
def test_the_database_refuses_to_change_any_column_of_an_audit_row(app: Flask, column: str) -> None:
    entry_id = one_entry().id
    db.session.commit()
    before = rows_digest()
    value = TAMPER[column] if column != "at" else "'2001-01-01 00:00:00'"
    message = refused(f"UPDATE audit_log SET {column} = {value} WHERE id = :id", id=entry_id)
    assert "append-only" in message
    db.session.remove()
    assert rows_digest() == before


def test_the_database_refuses_to_delete_an_audit_row_or_empty_the_log(app: Flask) -> None:
    entry_id = one_entry().id
    db.session.commit()
    before = rows_digest()
    assert "append-only" in refused("DELETE FROM audit_log WHERE id = :id", id=entry_id)
    assert "append-only" in refused("DELETE FROM audit_log")
    if db.engine.dialect.name == "postgresql":
        assert "append-only" in refused("TRUNCATE audit_log")
    else:  # REPLACE deletes the old row without firing DELETE triggers: refused on insert
        assert "append-only" in refused("INSERT OR REPLACE INTO audit_log (id, at, actor, action, entity) "
                                        "VALUES (:id, '2001-01-01', 'x', 'create', 'visits')", id=entry_id)
    db.session.remove()
    assert rows_digest() == before


def test_new_audit_rows_are_still_written(app: Flask) -> None:
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    one_entry()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) > count


def test_an_unlock_allows_only_the_changes_column_and_never_a_delete(app: Flask) -> None:
    entry_id = one_entry().id
    db.session.commit()
    with db.engine.connect() as conn, conn.begin() as trans:
        conn.execute(text("INSERT INTO audit_unlocks (id) VALUES (1)"))
        conn.execute(text("UPDATE audit_log SET changes = '{}' WHERE id = :id"), {"id": entry_id})
        assert conn.scalar(text("SELECT changes FROM audit_log WHERE id = :id"), {"id": entry_id}) == "{}"
        for statement in ("UPDATE audit_log SET actor = 'someone else' WHERE id = :id",
                          "UPDATE audit_log SET changes = '{}', entity_id = entity_id + 1 WHERE id = :id",
                          "DELETE FROM audit_log WHERE id = :id"):
            nested = conn.begin_nested()
            with pytest.raises(DBAPIError, match="append-only"):
                conn.execute(text(statement), {"id": entry_id})
            nested.rollback()
        trans.rollback()
    assert db.session.get(AuditEntry, entry_id).changes not in (None, "{}")


def test_an_unlock_is_private_to_its_transaction_and_never_committed(app: Flask) -> None:
    entry_id = one_entry().id
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Another transaction does not see an uncommitted unlock: its update is still refused.
        with db.engine.connect() as holder, holder.begin() as trans:
            holder.execute(text("INSERT INTO audit_unlocks (id) VALUES (7)"))
            assert "append-only" in refused("UPDATE audit_log SET changes = NULL WHERE id = :id", id=entry_id)
            trans.rollback()
        # A commit that would leave an unlock behind is refused.
        with db.engine.connect() as conn:
            conn.execute(text("INSERT INTO audit_unlocks (id) VALUES (8)"))
            with pytest.raises(DBAPIError, match="audit_unlocks"):
                conn.commit()
    else:  # SQLite has one writer: an unlock rolled back leaves the guard as it was
        with db.engine.connect() as conn, conn.begin() as trans:
            conn.execute(text("INSERT INTO audit_unlocks (id) VALUES (7)"))
            trans.rollback()
        assert "append-only" in refused("UPDATE audit_log SET changes = NULL WHERE id = :id", id=entry_id)
    assert db.session.scalar(select(func.count()).select_from(AuditUnlock)) == 0


def test_the_orm_refuses_too(app: Flask) -> None:
    entry = one_entry()
    db.session.commit()
    entry.actor = "someone else"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, entry.id))
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_the_anonymisation_still_scrubs_the_changes_and_leaves_the_guard_closed(app: Flask) -> None:
    entry = one_entry()
    visit_id, entry_id = entry.entity_id, entry.id
    db.session.commit()
    others = {k: v for k, v in rows_digest().items() if k != entry_id}
    assert anonymise.scrub_audit({"visits": [visit_id]}) >= 1
    db.session.commit()
    db.session.expire_all()
    scrubbed = json.loads(db.session.get(AuditEntry, entry_id).changes)
    assert scrubbed["content"] == audit.REDACTED and "Hỏi về đất" not in db.session.get(AuditEntry, entry_id).changes
    assert db.session.scalar(select(func.count()).select_from(AuditUnlock)) == 0
    assert {k: v for k, v in rows_digest().items() if k != entry_id} == others
    assert "append-only" in refused("UPDATE audit_log SET changes = NULL WHERE id = :id", id=entry_id)


def test_a_failed_anonymisation_leaves_no_unlock(app: Flask) -> None:
    entry = one_entry()
    db.session.commit()
    with pytest.raises(RuntimeError), audit.audit_unlocked(db.session):
        db.session.execute(text("UPDATE audit_log SET changes = NULL WHERE id = :id"), {"id": entry.id})
        raise RuntimeError("boom")
    db.session.commit()  # even a caller that commits after the failure commits no unlock
    assert db.session.scalar(select(func.count()).select_from(AuditUnlock)) == 0
    assert "append-only" in refused("UPDATE audit_log SET changes = '{}' WHERE id = :id", id=entry.id)


def test_no_route_of_the_application_alters_an_existing_audit_row(app: Flask) -> None:
    """Every state-changing route (web forms with a valid token and form, API operations with an
    empty body), called by every role: old audit rows stay byte for byte, the log only grows."""
    world = make_world()
    db.session.commit()
    before = rows_digest()
    actors = [a for a in table_actors(app, world) if a.role != "anonymous"]
    called = 0
    for key, rule in sorted(routes(app).items()):
        method = key.split(" ", 1)[0]
        if method == "GET" or key == "POST /logout":
            continue
        api = rule.rule.startswith("/api/")
        for who in actors:
            url = url_for_rule(rule, world.a.ids, world.rows, who.note_id, world.a.codes)
            response = call(app, who, method, url, api=api, csrf=True, form=form_for(rule, world.a.ids))
            assert response.status_code < 500, f"{who.role} {method} {url}: {response.status_code}"
            response.close()
            called += 1
    db.session.remove()
    after = rows_digest()
    assert called > 100
    assert {k: after.get(k) for k in before} == before
    assert len(after) > len(before)  # the calls were audited, by new rows only
    assert db.session.scalar(select(func.count()).select_from(AuditUnlock)) == 0
    record("audit_guard_routes", {"state-changing routes": len({k for k in routes(app) if not k.startswith("GET ")}),
                                  "calls (route x role)": called, "audit rows before, unchanged": len(before),
                                  "rows added by the calls": len(after) - len(before), "altered": 0},
           db.engine.dialect.name)


def test_only_the_anonymisation_unlocks_the_audit_log() -> None:
    """The unlock is used in one place of the code: scrub_audit, and nothing else names the table."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "tracker"
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if "audit_unlocked(" in p.read_text(encoding="utf-8"))
    assert users == ["services/privacy/anonymise.py", "services/privacy/audit.py"]
    named = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if any(word in p.read_text(encoding="utf-8") for word in ("audit_unlocks", "AuditUnlock")))
    assert named == ["models/audit.py", "services/privacy/audit.py"]
    source = (root / "services" / "privacy" / "anonymise.py").read_text(encoding="utf-8")
    assert source.count("audit_unlocked(") == 1 and "with audit.audit_unlocked(db.session):" in source
