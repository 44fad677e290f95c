"""Files that hold personal data or secrets are the service account's alone (issue 12, finding 10: the SQLite
file was created world-readable): the database file (and its WAL files), the instance folder, the secret key,
the ID-number keys and the backup key are created 0600 (the folder 0700), and loose ones are tightened."""
from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db
from tracker.id_protection import instance_secret
from tracker.services.operations import backup


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "instance"
    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(folder))
    previous = os.umask(0o022)  # the usual umask: what the server inherited when the file came out 0644
    yield folder
    os.umask(previous)


def test_the_sqlite_file_its_wal_and_the_instance_folder_are_the_service_accounts_alone(instance: Path) -> None:
    app = create_app({"SECRET_KEY": "x"})
    database = instance / "tracker.sqlite"
    assert mode(instance) == 0o700
    with app.app_context():
        db.session.execute(text("CREATE TABLE t (x)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        assert mode(database) == 0o600
        for extra in (Path(f"{database}-wal"), Path(f"{database}-shm")):
            if extra.exists():
                assert mode(extra) == 0o600, extra
        db.engine.dispose()


def test_a_database_and_a_secret_key_left_readable_by_an_older_version_are_tightened(instance: Path) -> None:
    instance.mkdir(mode=0o755)
    database = instance / "tracker.sqlite"
    sqlite3.connect(database).close()
    os.chmod(database, 0o644)
    (instance / "secret_key").write_text("k" * 64, encoding="ascii")
    os.chmod(instance / "secret_key", 0o644)
    create_app({})
    assert mode(database) == 0o600 and mode(instance / "secret_key") == 0o600


def test_instance_secrets_and_the_backup_key_are_created_0600(instance: Path) -> None:
    app = create_app({"SECRET_KEY": "x"})
    with app.app_context():
        instance_secret(app, "id_hash_key", "secret")
        backup.backup_key(app, create=True)
    for name in ("id_hash_key", backup.KEY_FILE):
        assert mode(instance / name) == 0o600, name
