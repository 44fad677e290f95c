"""Fixtures of the attack suite: one planted database per kind (SQLite file, throwaway PostgreSQL), and
the real servers on it, each started once per database and reused by every module."""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import DATABASES
from tests.conftest import TESTED
from tests.conftest import base_config
from tests.conftest import reset_schema
from tests.conftest import throwaway_database
from tests.security.attack import Server
from tests.security.attack import server_env
from tests.security.attack import start_server
from tests.security.world import World
from tests.security.world import plant
from tracker import create_app
from tracker.extensions import db

# ID-number keys shared by the planting process and the servers (not the testing-only keys).
KEYS = {
    "ID_HASH_KEY": "security-suite-hash-key-" + hashlib.sha256(b"hash").hexdigest(),
    "ID_ENC_KEY": base64.urlsafe_b64encode(hashlib.sha256(b"security-suite-enc").digest()).decode(),
}


@dataclass
class Target:
    """A planted database and how to reach it: ``app`` runs in the test process (services, url_map)."""

    name: str
    url: str
    tmp: Path
    app: Flask
    world: World

    def env(self) -> dict[str, str]:
        return server_env(self.url, self.tmp / "instance", KEYS)

    def row(self, model: type, row_id: int) -> dict[str, object]:
        """A planted row's columns as they are now in the database (read in the test process)."""
        with self.app.app_context():
            obj = db.session.get(model, row_id)
            values = {c.key: getattr(obj, c.key) for c in model.__table__.columns} if obj is not None else {}  # type: ignore[attr-defined]
            db.session.remove()
            return values

    def start(self, kind: str, label: str, **kw: object) -> Server:
        return start_server(kind, self.env(), self.tmp / f"{kind}-{label}.log", **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session", params=DATABASES)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    tmp = tmp_path_factory.mktemp(f"security-{request.param}")
    (tmp / "instance").mkdir()
    for url in throwaway_database(request.param, tmp, "security"):
        app = create_app({**base_config(url, tmp), **KEYS, "ATTACHMENTS_DIR": str(tmp / "instance" / "attachments")})
        reset_schema(app)
        with app.app_context():
            world = plant()
            db.session.remove()
            db.engine.dispose()
        TESTED[request.param] += 1
        yield Target(request.param, url, tmp, app, world)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def waitress(target: Target) -> Iterator[Server]:
    server = target.start("waitress", "shared")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def gunicorn(target: Target) -> Iterator[Server]:
    server = target.start("gunicorn", "shared", workers=3)
    yield server
    server.stop()
