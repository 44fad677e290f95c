"""The limiter's storage in production (issue 12, finding 10): several gunicorn workers with the default
per-process ``memory://`` store refuse to start, and with Redis every worker counts in one place."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import base_config
from tests.conftest import login
from tests.factories import PASSWORD
from tests.factories import make_user
from tests.test_production import _free_port
from tests.test_production import _get
from tracker import create_app
from tracker.extensions import limiter
from tracker.ratelimit import server_processes

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def under_gunicorn(monkeypatch):  # type: ignore[no-untyped-def]
    """This process looks like a gunicorn worker started with deploy/gunicorn.conf.py."""
    monkeypatch.setenv("SERVER_SOFTWARE", "gunicorn/27.0.1")
    monkeypatch.chdir(ROOT)

    def started_with(*args: str) -> None:
        monkeypatch.setattr(sys, "argv", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", *args])
    return started_with


def test_the_worker_count_is_read_as_gunicorn_resolved_it(under_gunicorn, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_WORKERS", "3")
    under_gunicorn()
    assert server_processes() == 3
    under_gunicorn("--workers", "1")
    assert server_processes() == 1
    monkeypatch.setenv("GUNICORN_CMD_ARGS", "--workers 5")
    assert server_processes() == 1  # the command line wins, as in gunicorn
    under_gunicorn()
    assert server_processes() == 5


def test_outside_gunicorn_one_process_serves(monkeypatch) -> None:
    monkeypatch.delenv("SERVER_SOFTWARE", raising=False)
    assert server_processes() == 1


def test_several_workers_with_a_per_process_store_refuse_to_start(under_gunicorn, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TRACKER_WORKERS", "2")
    under_gunicorn()
    config = {**base_config("sqlite:///" + str(tmp_path / "t.sqlite"), tmp_path), "RATELIMIT_ENABLED": True}
    with pytest.raises(RuntimeError, match="TRACKER_RATELIMIT_STORAGE_URI"):
        create_app({**config, "RATELIMIT_STORAGE_URI": "memory://"})
    create_app({**config, "RATELIMIT_STORAGE_URI": REDIS})  # a store every worker shares
    under_gunicorn("--workers", "1")
    create_app({**config, "RATELIMIT_STORAGE_URI": "memory://"})  # one worker: one count


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> str:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log = process.stdout.read() if process.stdout else b""
    if process.stdout:
        process.stdout.close()
    return log.decode(errors="replace")


@pytest.fixture
def production_env(tmp_path: Path) -> dict[str, str]:
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": "sqlite:///" + str(tmp_path / "tracker.sqlite"),
           "TRACKER_SECRET_KEY": "prod-test-secret", "TRACKER_INSTANCE_PATH": str(tmp_path),
           "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2", "FLASK_APP": "tracker"}
    env.pop("TRACKER_RATELIMIT_STORAGE_URI", None)
    subprocess.run([str(BIN / "flask"), "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    return env


def test_gunicorn_with_two_workers_and_memory_storage_refuses_to_start(production_env: dict[str, str]) -> None:
    web = _serve(production_env, 0)
    try:
        web.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    running = web.poll() is None
    log = _stop(web)
    assert not running, "gunicorn serves with per-worker rate limits"
    assert web.returncode != 0 and "TRACKER_RATELIMIT_STORAGE_URI" in log, log[-2000:]


def test_gunicorn_with_two_workers_and_redis_counts_each_limit_once(production_env: dict[str, str]) -> None:
    if not _redis_up():
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    env = {**production_env, "TRACKER_RATELIMIT_STORAGE_URI": REDIS,
           "TRACKER_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",  # apart from any other run's counts
           "TRACKER_STATUS_RATE_LIMIT": "6 per hour", "TRACKER_STATUS_MISS_LIMIT": "100 per hour"}
    port = int(env["TRACKER_BIND"].rsplit(":", 1)[1])
    web = _serve(env, port)
    try:
        for _ in range(60):
            try:
                _get(f"http://127.0.0.1:{port}/login")
                break
            except OSError:
                time.sleep(0.5)
        # each request on a new connection, to whichever worker takes it
        codes = [_get(f"http://127.0.0.1:{port}/api/v1/status/WRONG{i:05d}")[0] for i in range(12)]
    finally:
        log = _stop(web)
    assert log.count("Booting worker") >= 2, log[-2000:]
    assert codes == [404] * 6 + [429] * 6, log[-2000:]


@pytest.mark.config(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9",
                    LOGIN_FAILURE_LIMIT="2 per hour")
def test_when_the_shared_store_is_down_logins_still_work_and_are_still_limited(app, client, monkeypatch) -> None:
    """A Redis outage must not refuse every login: each process counts on its own until it is back."""
    monkeypatch.setattr(limiter, "_storage_dead", False)  # the shared limiter object: restored afterwards
    make_user("letan")
    assert [login(client, "letan", "wrong password!!").status_code for _ in range(3)] == [401, 401, 429]
    assert login(app.test_client(), "letan", PASSWORD).status_code == 429  # same address: still slowed
