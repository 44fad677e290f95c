"""Migrations: one head, upgrade → downgrade → upgrade on both databases, no drift from the models."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect

from tests.conftest import DATABASES
from tests.conftest import base_config
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tracker import create_app
from tracker.extensions import db

MIGRATION_DB = "tracker_migration_test"


def _fresh_url(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable")
    return create_database(url, f"{MIGRATION_DB}_{os.getpid()}")


@pytest.mark.parametrize("kind", DATABASES)
def test_migrations_go_up_down_and_up_again_and_match_the_models(kind: str, tmp_path: Path) -> None:
    app = create_app(base_config(_fresh_url(kind, tmp_path), tmp_path))
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"visits", "citizens", "units", "users", "audit_log"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        db.session.remove()
        db.engine.dispose()
    if kind == "postgresql":
        drop_database(str(app.config["SQLALCHEMY_DATABASE_URI"]))


def test_the_migrations_have_a_single_head(tmp_path: Path) -> None:
    app = create_app(base_config(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path))
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1
