"""Migrations 0009 (API token lifecycle) and 0011 (installation-level role) with rows in place, up and down,
on SQLite and PostgreSQL (issue 12, finding 9 and the installation-wide legal data)."""
from __future__ import annotations

import os
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.conftest import DATABASES
from tests.conftest import base_config
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tracker import create_app
from tracker.extensions import db


def _fresh_url(kind: str, tmp_path: Path, name: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / f'{name}.sqlite'}"
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable")
    return create_database(url, f"tracker_{name}_{os.getpid()}")


def _plant_unit_and_user(conn, now: datetime, role: str = "receptionist", user_id: int = 1) -> None:  # type: ignore[no-untyped-def]
    if user_id == 1:
        conn.execute(text("INSERT INTO units (id, code, name, level, path, remote_area, active, version, "
                          "created_at, updated_at) VALUES (1, 'XA-01', 'UBND xã Thử Nghiệm', 'commune', '/1/', "
                          ":f, :t, 1, :now, :now)"), {"now": now, "f": False, "t": True})
    conn.execute(text("INSERT INTO users (id, username, full_name, password_hash, role, unit_id, active, "
                      "failed_logins, session_token, version, created_at, updated_at) VALUES (:id, :u, '', 'x', "
                      ":role, 1, :t, 0, 's', 1, :now, :now)"),
                 {"id": user_id, "u": f"user{user_id}", "role": role, "now": now, "t": True})


def _as_utc(value: object) -> datetime:
    if isinstance(value, str):  # SQLite answers text to a plain SELECT
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.mark.parametrize("kind", DATABASES)
def test_0009_gives_existing_tokens_an_expiry_and_its_downgrade_revokes_what_the_old_schema_cannot_limit(
        kind: str, tmp_path: Path) -> None:
    app = create_app(base_config(_fresh_url(kind, tmp_path, "token_migration"), tmp_path))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="0008")
        with db.engine.begin() as conn:
            _plant_unit_and_user(conn, now)
            for tid, revoked in ((1, None), (2, now - timedelta(days=3))):
                conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, created_at, revoked_at) "
                                  "VALUES (:id, 1, :h, :c, :r)"),
                             {"id": tid, "h": f"{tid:064d}", "c": now - timedelta(days=400), "r": revoked})
        upgrade(revision="0009")
        with db.engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(text(
                "SELECT id, name, scope, expires_at, last_used_at, revoked_at, revoked_reason FROM api_tokens"))}
        for row in rows.values():
            assert row.scope == "write" and row.name == "" and row.last_used_at is None
            # 90 days from the upgrade, not from the token's creation (which would expire it at once)
            assert abs(_as_utc(row.expires_at) - (now + timedelta(days=90))) < timedelta(minutes=5)
        assert (rows[1].revoked_at, rows[1].revoked_reason) == (None, None)
        assert rows[2].revoked_reason == "revoked"
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # the scope is checked by the database
            conn.execute(text("UPDATE api_tokens SET scope = 'admin' WHERE id = 1"))
        with db.engine.begin() as conn:
            for tid, expires, scope in ((3, now - timedelta(days=1), "write"), (4, now + timedelta(days=9), "read")):
                conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, name, scope, created_at, "
                                  "expires_at) VALUES (:id, 1, :h, '', :s, :c, :e)"),
                             {"id": tid, "h": f"{tid:064d}", "s": scope, "c": now, "e": expires})
        downgrade(revision="0008")
        with db.engine.connect() as conn:
            revoked = dict(conn.execute(text("SELECT id, revoked_at FROM api_tokens")).all())
        assert revoked[1] is None  # a live read-write token stays live
        assert revoked[2] is not None
        assert revoked[3] is not None and revoked[4] is not None  # expired, read-only: revoked, not revived
        upgrade()
        db.session.remove()
        db.engine.dispose()
    if kind == "postgresql":
        drop_database(str(app.config["SQLALCHEMY_DATABASE_URI"]))


@pytest.mark.parametrize("kind", DATABASES)
def test_0011_admits_the_installation_role_and_its_downgrade_disarms_its_accounts(kind: str, tmp_path: Path) -> None:
    app = create_app(base_config(_fresh_url(kind, tmp_path, "role_migration"), tmp_path))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as conn:
            _plant_unit_and_user(conn, now, "admin")
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # not a role before 0011
            _plant_unit_and_user(conn, now, "sysadmin", user_id=2)
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            _plant_unit_and_user(conn, now, "sysadmin", user_id=2)
            conn.execute(text("INSERT INTO api_tokens (id, user_id, token_hash, name, scope, created_at, expires_at) "
                              "VALUES (1, 2, :h, '', 'write', :c, :e)"),
                         {"h": "1" * 64, "c": now, "e": now.replace(year=now.year + 1)})
        with pytest.raises(IntegrityError), db.engine.begin() as conn:  # still a checked list
            _plant_unit_and_user(conn, now, "king", user_id=3)
        downgrade(revision="0010")
        with db.engine.connect() as conn:
            users = {r.id: r for r in conn.execute(text("SELECT id, role, active, session_token FROM users"))}
            token = conn.execute(text("SELECT revoked_at, revoked_reason FROM api_tokens")).one()
        assert (users[1].role, bool(users[1].active), users[1].session_token) == ("admin", True, "s")
        assert (users[2].role, bool(users[2].active)) == ("admin", False) and users[2].session_token != "s"
        assert token.revoked_at is not None and token.revoked_reason == "deactivated"
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(text("UPDATE users SET role = 'sysadmin' WHERE id = 1"))
        upgrade()
        db.session.remove()
        db.engine.dispose()
    if kind == "postgresql":
        drop_database(str(app.config["SQLALCHEMY_DATABASE_URI"]))
