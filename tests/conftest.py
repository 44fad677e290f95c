"""Fixtures shared by every test: the app on SQLite or PostgreSQL, clients, logins, builders.

Integration, web, API and CLI tests run once per database. PostgreSQL comes from
TRACKER_TEST_POSTGRES_URL, else the local server at 127.0.0.1:5432 (database "test"); it is
skipped only when neither answers, and a set-but-unreachable URL fails the run.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TESTED: dict[str, int] = {"sqlite": 0, "postgresql": 0, "browser": 0}
# ``scripts/test --fast`` runs on SQLite alone; CI and the plain ``scripts/test`` run on both.
DATABASES = [name for name in os.environ.get("TRACKER_TEST_DATABASES", "sqlite,postgresql").split(",") if name]
# Tests that need seconds each (real servers, whole-database migrations, a browser's long walk): marked
# ``slow`` so that the edit-run loop leaves them to the full run. Everything under tests/reliability/ is
# marked ``reliability`` the same way.
SLOW_FILES = ("tests/migrations/", "tests/test_production.py", "tests/test_production_limits.py",
              "tests/test_bench_smoke.py", "tests/security/test_sessions.py", "tests/cli/test_backup.py",
              "tests/cli/test_demo.py", "tests/integration/test_demo.py", "tests/integration/test_concurrency.py",
              # the attacker's crawls: every route, role and hostile value (minutes on their own)
              "tests/security/test_hostile_queries.py", "tests/security/test_need_to_know_crawl.py",
              "tests/web/test_identity_crawl.py", "tests/web/test_injection.py",
              "tests/security/test_excel_formulas.py", "tests/web/test_access_table.py")


def postgres_url() -> str | None:
    url = os.environ.get("TRACKER_TEST_POSTGRES_URL")
    import psycopg

    target = url or DEFAULT_PG
    plain = target.replace("postgresql+psycopg://", "postgresql://")
    try:
        psycopg.connect(plain, connect_timeout=3).close()
    except psycopg.OperationalError:
        if url:
            raise RuntimeError(f"TRACKER_TEST_POSTGRES_URL is set but PostgreSQL does not answer: {url}") from None
        return None
    return target


def _admin_dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def create_database(server_url: str, name: str) -> str:
    """A database of this test process's own, so parallel runs never lock each other out."""
    import psycopg

    with psycopg.connect(_admin_dsn(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


def throwaway_database(kind: str, tmp_path: Path, name: str) -> Iterator[str]:
    """A fixture body: a fresh SQLite file or PostgreSQL database of this process for a test that
    runs its own servers, dropped afterwards (skipped when PostgreSQL is not reachable)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / (name + '.sqlite')}"
        return
    server = postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = create_database(server, f"tracker_{name}_{os.getpid()}")
    yield url
    drop_database(url)


def drop_database(url: str) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(_admin_dsn(server + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def base_config(url: str, tmp: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "RATELIMIT_ENABLED": False,
        "ATTACHMENTS_DIR": str(tmp / "attachments"),
    }


def reset_schema(app: Flask) -> None:
    """Drop everything and rebuild the schema through the migrations (so they are exercised too)."""
    from flask_migrate import upgrade

    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            if db.engine.dialect.name == "postgresql":
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.session.remove()
        db.engine.dispose()


def wipe(app: Flask) -> None:
    """Empty every table after a test (DELETE, children first) and restart the id sequences.

    DELETE, not TRUNCATE: a test leaves a few rows, and PostgreSQL's TRUNCATE of ~30 tables costs about
    0.4 s (new files for every table) against a few milliseconds. The audit log refuses DELETE and
    TRUNCATE (triggers of migration 0007), so its guard is lifted for the wipe inside the same
    transaction: PostgreSQL disables the table's triggers, SQLite drops them and creates them again
    from their own stored SQL."""
    db.session.remove()
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER USER"))
            for name in tables:
                conn.execute(text(f'DELETE FROM "{name}"'))
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER USER"))
            # Ids start at 1 again in every test, as they did with TRUNCATE ... RESTART IDENTITY.
            conn.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"))
        else:
            guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                       "AND tbl_name = 'audit_log'")).all()
            for name, _sql in guards:
                conn.execute(text(f'DROP TRIGGER "{name}"'))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            for _name, sql in guards:
                conn.execute(text(sql))


@pytest.fixture(scope="session", params=DATABASES)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("db")
    if request.param == "postgresql":
        server = postgres_url()
        if server is None:
            pytest.skip("PostgreSQL is not reachable")
        url = create_database(server, f"tracker_test_{os.getpid()}")
    else:
        url = f"sqlite:///{tmp / 'test.sqlite'}"
    app = create_app(base_config(url, tmp))
    reset_schema(app)
    yield {"name": request.param, "url": url, "tmp": str(tmp)}
    if request.param == "postgresql":
        drop_database(url)


# One app per database for the whole session (its templates compiled once), its configuration put back
# before every test; a test marked ``config(...)`` gets an app of its own, built with the overrides — and
# since building an app binds the module-level extensions (the limiter's switch and store) to it, the next
# test builds a fresh shared app.
_APPS: dict[str, tuple[Flask, dict[str, object], dict[str, object]]] = {}
_CLASSES = ("request_class", "response_class", "test_client_class")  # what a test may swap on the app


def _shared_app(database: dict[str, str]) -> Flask:
    if database["url"] not in _APPS:
        shared = create_app(base_config(database["url"], Path(database["tmp"])))
        _APPS[database["url"]] = (shared, dict(shared.config), {k: getattr(shared, k) for k in _CLASSES})
    shared, config, classes = _APPS[database["url"]]
    shared.config.clear()
    shared.config.update(config)
    for name, value in classes.items():
        setattr(shared, name, value)
    return shared


@pytest.fixture
def app(database: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    marker = request.node.get_closest_marker("config")
    overrides = dict(marker.kwargs) if marker else {}
    if overrides:
        _APPS.clear()
        flask_app = create_app({**base_config(database["url"], tmp_path), **overrides})
    else:
        flask_app = _shared_app(database)
        flask_app.config["ATTACHMENTS_DIR"] = str(tmp_path / "attachments")
    TESTED[database["name"]] += 1
    with flask_app.app_context():
        try:
            yield flask_app
        finally:
            wipe(flask_app)
            db.session.remove()
            db.engine.dispose()


class FreshContextClient(FlaskClient):
    """Each request in its own application context, as in production: the test's own context
    (held by the ``app`` fixture) would otherwise share ``g`` and the database session."""

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshContextClient
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """Read the CSRF token from a form page, as a browser would (CSRF stays ON in tests)."""
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def post_form(client: FlaskClient, url: str, data: dict[str, object], form_url: str | None = None,
              **kwargs: object):  # type: ignore[no-untyped-def]
    token = csrf_token(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data}, **kwargs)


def login(client: FlaskClient, username: str, password: str = "correct horse battery"):  # type: ignore[no-untyped-def]
    return post_form(client, "/login", {"username": username, "password": password})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "config(**overrides): extra app configuration for the test")


# The longest tests (a minute or more each on PostgreSQL), longest first: run first, so that the workers
# finish together instead of one working alone on a long test at the end.
LONGEST_FIRST = ("tests/security/test_hostile_queries.py", "tests/web/test_identity_crawl.py",
                 "tests/reliability/test_jobs_exactly_once.py", "tests/reliability/test_form_fuzz.py",
                 "tests/security/test_need_to_know_crawl.py", "tests/test_bench_smoke.py",
                 "tests/browser/test_accessibility.py", "tests/security/test_excel_formulas.py",
                 "tests/web/test_access_table.py", "tests/web/test_injection.py", "tests/reliability/test_crash.py")


def _weight(item: pytest.Item, where: str) -> tuple[int, int]:
    for rank, path in enumerate(LONGEST_FIRST):
        if where.startswith(path):
            return rank, 0 if "postgresql" in item.nodeid else 1
    return len(LONGEST_FIRST), 0


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).resolve().parent.parent
    weights = {}
    for item in items:
        where = item.path.resolve().relative_to(root).as_posix()
        if where.startswith("tests/reliability/"):
            item.add_marker(pytest.mark.reliability)
        if where.startswith(SLOW_FILES):
            item.add_marker(pytest.mark.slow)
        weights[item.nodeid] = _weight(item, where)
    items.sort(key=lambda item: weights[item.nodeid])  # stable: the rest keep their order


def pytest_sessionfinish(session: pytest.Session) -> None:
    # An xdist worker hands its counts to the controller, which prints the summary.
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["tested"] = dict(TESTED)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:  # type: ignore[no-untyped-def]
    for name, count in getattr(node, "workeroutput", {}).get("tested", {}).items():
        TESTED[name] += count


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if hasattr(config, "workerinput"):
        return
    browser = len([r for r in terminalreporter.stats.get("passed", []) if "browser" in r.keywords])
    dbs = [name for name in ("sqlite", "postgresql") if TESTED[name]]
    lines = [
        f"Databases tested: {', '.join(dbs) or 'none'} "
        f"(tests per database: sqlite {TESTED['sqlite']}, postgresql {TESTED['postgresql']})",
        f"Browser tests passed: {browser}",
    ]
    for line in lines:
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
