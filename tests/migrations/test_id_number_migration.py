"""Migration 0008 converts the ID numbers already stored (clear → hash + ciphertext) and back again."""
from __future__ import annotations

import os
import sqlite3
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy import text

from tests.conftest import DATABASES
from tests.conftest import base_config
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tracker import create_app
from tracker.extensions import db
from tracker.id_protection import keys

NUMBERS = {1: "001085012345", 2: "079301000123", 3: None, 4: "123456789"}  # 4: an old 9-digit CMND


def _fresh_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'id_migration.sqlite'}"
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable")
    return create_database(url, f"tracker_id_migration_{os.getpid()}")


def _columns() -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_columns("citizens")}


def _dump() -> str:
    out = []
    with db.engine.connect() as conn:
        for name in inspect(conn).get_table_names():
            out += [str(v) for row in conn.execute(text(f'SELECT * FROM "{name}"')) for v in row]
    return "\n".join(out)


@pytest.mark.parametrize("kind", DATABASES)
def test_0008_protects_the_stored_numbers_and_its_downgrade_gives_them_back(kind: str, tmp_path: Path) -> None:
    app = create_app(base_config(_fresh_url(kind, tmp_path), tmp_path))
    now = datetime.now(UTC)
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO units (id, code, name, level, path, remote_area, active, version, "
                              "created_at, updated_at) VALUES (1, 'XA-01', 'UBND xã Thử Nghiệm', 'commune', '/1/', "
                              ":f, :t, 1, :now, :now)"), {"now": now, "f": False, "t": True})
            for cid, number in NUMBERS.items():
                conn.execute(text("INSERT INTO citizens (id, unit_id, full_name, name_key, id_number, version, "
                                  "created_at, updated_at) VALUES (:id, 1, :n, :k, :num, 1, :t, :t)"),
                             {"id": cid, "n": f"Công dân {cid}", "k": f"cong dan {cid}", "num": number, "t": now})
        upgrade(revision="0008")
        assert {"id_number_hash", "id_number_enc"} <= _columns() and "id_number" not in _columns()
        dump = _dump()
        assert "Công dân 1" in dump
        assert [n for n in NUMBERS.values() if n and n in dump] == []
        k = keys()
        with db.engine.connect() as conn:
            rows = {r.id: r for r in conn.execute(text("SELECT id, id_number_hash, id_number_enc FROM citizens"))}
        for cid, number in NUMBERS.items():
            if number is None:
                assert (rows[cid].id_number_hash, rows[cid].id_number_enc) == (None, None)
            else:
                assert rows[cid].id_number_hash == k.hash(number)
                assert k.decrypt(rows[cid].id_number_enc) == number
        if kind == "sqlite":
            # nothing of the clear column is left in the file's free pages either (secure_delete)
            with db.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            db.engine.dispose()
            raw = Path(str(app.config["SQLALCHEMY_DATABASE_URI"]).removeprefix("sqlite:///")).read_bytes()
            assert [n for n in NUMBERS.values() if n and n.encode() in raw] == []

        downgrade(revision="0007")
        assert "id_number" in _columns() and not {"id_number_hash", "id_number_enc"} & _columns()
        with db.engine.connect() as conn:
            back = dict(conn.execute(text("SELECT id, id_number FROM citizens")).all())
        assert back == NUMBERS
        upgrade()
        with db.engine.connect() as conn:
            again = dict(conn.execute(text("SELECT id, id_number_enc FROM citizens")).all())
        assert {cid: k.decrypt(t) if t else None for cid, t in again.items()} == NUMBERS
        db.session.remove()
        db.engine.dispose()
    if kind == "postgresql":
        drop_database(str(app.config["SQLALCHEMY_DATABASE_URI"]))


def test_the_sqlite_file_uses_no_clear_number_index_after_0008(tmp_path: Path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    names = {r[0] for r in sqlite3.connect(tmp_path / "x.sqlite").execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'citizens'")}
    assert {"uq_citizens_unit_id_number_hash", "ix_citizens_id_number_hash"} <= names
    assert "uq_citizens_unit_id_number" not in names
