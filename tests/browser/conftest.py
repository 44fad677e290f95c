"""Browser tests: Debian's Chromium driven by Playwright against a live server thread.

The server runs the real app on a file SQLite database; the browser is never downloaded.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import ARTIFACTS
from tests.conftest import TESTED
from tests.conftest import base_config
from tests.conftest import reset_schema
from tracker import create_app
from tracker.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # type: ignore[type-arg]
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test does it)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:  # type: ignore[type-arg]
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh"}


@pytest.fixture
def live_app(tmp_path: Path):  # type: ignore[no-untyped-def]
    app = create_app(base_config(f"sqlite:///{tmp_path / 'live.sqlite'}", tmp_path))
    reset_schema(app)
    return app


@pytest.fixture
def live_server(live_app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    TESTED["browser"] += 1
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with live_app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def shots() -> Path:
    path = ARTIFACTS / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
