"""The production configuration of the README, started for real: PostgreSQL, gunicorn with several
workers and the deploy/gunicorn.conf.py settings, static files, and one scheduler process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Several gunicorn workers need a limiter store they share (README "Production", step 7): with the
# per-process memory:// they refuse to start. A prefix of its own keeps each run's counts apart.
SHARED_LIMITER = {"TRACKER_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
                  "TRACKER_RATELIMIT_KEY_PREFIX": f"test-{os.getpid()}-{os.urandom(4).hex()}"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - localhost only
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def production_db(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = create_database(server, f"tracker_prod_{os.getpid()}")
    yield url
    drop_database(url)


def test_gunicorn_with_several_workers_and_one_scheduler_serve_the_app(production_db: str, tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": production_db, "TRACKER_SECRET_KEY": "prod-test-secret",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_ADMIN_PASSWORD": "a long admin password",
           "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "3", "FLASK_APP": "tracker",
           **SHARED_LIMITER}
    for args in (["db", "upgrade"], ["rules", "seed"], ["setup", "first-admin"]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, capture_output=True)
    web = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    scheduler = subprocess.Popen([str(BIN / "flask"), "scheduler", "run", "--minutes", "1"], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        status = 0
        for _ in range(60):
            try:
                status, body = _get(f"http://127.0.0.1:{port}/login")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200 and "Sổ tiếp dân".encode() in body
        assert _get(f"http://127.0.0.1:{port}/static/app.css")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/api/v1/openapi.json")[0] == 200
        assert _get(f"http://127.0.0.1:{port}/visits/")[0] == 200  # redirected to the login page
        time.sleep(2)
        assert scheduler.poll() is None, "the scheduler process stopped"
    finally:
        for process in (web, scheduler):
            process.terminate()
        for process in (web, scheduler):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    web_log = web.stdout.read() if web.stdout else b""
    scheduler_log = scheduler.stdout.read() if scheduler.stdout else b""
    for process in (web, scheduler):
        if process.stdout:
            process.stdout.close()
    assert web_log.count(b"Booting worker") >= 3, web_log.decode(errors="replace")[-2000:]
    assert b"scheduler: every 1 min" in scheduler_log
