"""No acknowledged write lost on a crash: gunicorn (two workers, deploy/gunicorn.conf.py) is killed with
SIGKILL — the whole process group, workers included — at random moments while client threads register
visits and letters and move a case on (notes, each with the version just read) through the API; it is
restarted each time and the clients retry until it answers.
Afterwards every write a client saw acknowledged (201) is in the database with its register number and
content, the register numbers of each book are unique and gap-free, and nothing is half-written.

On SQLite (WAL, synchronous=NORMAL) a process kill cannot lose a committed transaction: the WAL frames
are in the operating system's page cache once the commit returns (only a power loss could drop them).
"""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import DATABASES
from tests.conftest import throwaway_database
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
from tests.test_production import SHARED_LIMITER
from tracker import create_app
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations.tokens import issue_token

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
WRITES = 150  # acknowledged writes in all
KILLS = 4
CLIENTS = 6
SEED = int(os.environ.get("TRACKER_CRASH_SEED", "7"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Run:
    base: str
    tokens: list[str]
    acked: list[tuple[str, int, int, str]] = field(default_factory=list)  # (book, year, number, marker)
    attempts: int = 0
    failures: int = 0
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0
    case_id: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def _visit(marker: str) -> dict[str, object]:
    return {"visited_on": "2026-03-05", "kind": "regular", "host": "officer", "people_count": 1,
            "citizens": [{"full_name": "Nguyễn Văn An", "birth_year": 1985}],
            "content": f"Đề nghị xem xét việc cấp đất {marker}", "classification": "petition",
            "subject": "land", "handling": "guided"}


def _letter(marker: str) -> dict[str, object]:
    return {"received_on": "2026-03-02", "channel": "post", "kind": "complaint", "subject": "land",
            "senders": [{"full_name": "Lê Thị Hoa", "birth_year": 1970}],
            "summary": f"Khiếu nại quyết định thu hồi đất {marker}"}


def _post(url: str, token: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost only
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, {"body": exc.read()[:300].decode(errors="replace")}


def _get(url: str, token: str) -> dict[str, object]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - localhost only
        return json.loads(response.read())  # type: ignore[no-any-return]


def _case_note(run: Run, marker: str) -> tuple[int, dict[str, object]]:
    chair = run.tokens[1]
    case = _get(f"{run.base}/api/v1/cases/{run.case_id}", chair)
    return _post(f"{run.base}/api/v1/cases/{run.case_id}/actions", chair,
                 {"action": "note", "on": "2026-03-06", "note": f"Ghi chú {marker}", "version": case["version"]})


def _open_case(run: Run) -> None:
    """A letter accepted by the chair: the case the clients move on while the server is killed."""
    status, letter = _post(f"{run.base}/api/v1/letters", run.tokens[0], _letter("[case]"))
    assert status == 201, letter
    run.acked.append(("letters", int(letter["register_year"]), int(letter["register_no"]), "[case]"))
    status, handled = _post(f"{run.base}/api/v1/letters/{letter['id']}/handling", run.tokens[1], {
        "decision": "accept", "on": "2026-03-05", "version": letter["version"], "eligible": True,
        "within_competence": True, "document": {"number": "12/TB-UBND", "date": "2026-03-05"}})
    assert status == 200, handled
    run.case_id = int(handled["case_id"])  # type: ignore[call-overload]


def _client(run: Run, number: int) -> None:
    rng = random.Random(SEED * 100 + number)
    attempt = 0
    while not run.stop.is_set():
        attempt += 1
        marker = f"[c{number}-a{attempt}]"  # a fresh marker per attempt: a retry is a new write
        book = rng.choice(["visits", "letters", "case"])
        with run.lock:
            run.attempts += 1
        try:
            if book == "case":  # move the shared case on (a note), with the version just read
                status, answer = _case_note(run, marker)
            else:
                body = _visit(marker) if book == "visits" else _letter(marker)
                status, answer = _post(f"{run.base}/api/v1/{book}", run.tokens[number % len(run.tokens)], body)
        except (OSError, ValueError, http.client.HTTPException):  # refused, reset, cut off: not acknowledged
            status, answer = 0, {}
        if book == "case" and status in (200, 409):
            with run.lock:
                if status == 200:
                    run.acked.append((book, 0, 0, marker))
                else:
                    run.conflicts += 1
            continue
        if status == 201:
            with run.lock:
                if len(run.acked) >= WRITES:
                    run.stop.set()
                run.acked.append((book, int(answer["register_year"]), int(answer["register_no"]), marker))
        else:
            with run.lock:
                run.failures += 1
                if status not in (0, 502, 503):
                    run.errors.append(f"unexpected answer {status} to {book}: {answer}")
            time.sleep(0.05)


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(env["TRACKER_INSTANCE_PATH"]) / "gunicorn.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        # Workers are in the same process group and die with the arbiter; wait until the port is free.
        time.sleep(0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _wait_ready(base: str) -> None:
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=5):  # noqa: S310
                return
        except OSError:
            time.sleep(0.25)
    raise AssertionError("gunicorn did not start")


def _prepare(url: str, tmp: Path) -> list[str]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "crash", "ARGON2_TIME_COST": 1,
                      "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1, "ATTACHMENTS_DIR": str(tmp / "att")})
    with app.app_context():
        upgrade()
        seed_deadline_rules()
        seed_calendar()
        db.session.commit()
        unit = make_unit("XA-09", "UBND xã Bền Vững")
        make_user("letan9", "receptionist", unit)
        make_user("chutich9", "chair", unit)
        tokens = [issue_token("letan9"), issue_token("chutich9")]
        db.session.remove()
        db.engine.dispose()
    return tokens


def _check(url: str, tmp: Path, run: Run) -> dict[str, int]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "crash", "ATTACHMENTS_DIR": str(tmp / "att")})
    with app.app_context():
        conn = db.session.connection()
        stored = {
            "visits": {(y, n): c for y, n, c in conn.execute(text(
                "SELECT register_year, register_no, content FROM visits"))},
            "letters": {(y, n): c for y, n, c in conn.execute(text(
                "SELECT register_year, register_no, summary FROM letters"))},
        }
        notes = [n for (n,) in conn.execute(text("SELECT note FROM case_events WHERE case_id = :c AND action = 'note'"),
                                            {"c": run.case_id})]
        lost = [(book, year, number, marker) for book, year, number, marker in run.acked
                if (book == "case" and not any(marker in (n or "") for n in notes))
                or (book != "case" and marker not in (stored[book].get((year, number)) or ""))]
        assert not lost, f"acknowledged writes lost: {lost}"
        for book, rows in stored.items():
            years = Counter(year for year, _ in rows)
            for year, count in years.items():
                numbers = sorted(n for y, n in rows if y == year)
                assert numbers == list(range(1, count + 1)), f"{book} {year}: gaps or repeats {numbers}"
            counters = dict(conn.execute(text(
                "SELECT year, last_no FROM register_counters WHERE book = :book"), {"book": book}).all())
            for year, count in years.items():
                assert counters.get(year) == count, f"{book} counter {counters} != {count} rows"
        # Nothing half-written: each visit has its visitor, each letter its sender and its clocks.
        assert conn.scalar(text("SELECT count(*) FROM visits v WHERE NOT EXISTS "
                                "(SELECT 1 FROM visit_citizens vc WHERE vc.visit_id = v.id)")) == 0
        assert conn.scalar(text("SELECT count(*) FROM letters l WHERE NOT EXISTS "
                                "(SELECT 1 FROM letter_senders s WHERE s.letter_id = l.id)")) == 0
        assert conn.scalar(text("SELECT count(*) FROM letters l WHERE NOT EXISTS "
                                "(SELECT 1 FROM clocks c WHERE c.letter_id = l.id)")) == 0
        # Each note moved the case version on exactly once (acceptance leaves version 2 with one event).
        version, events = conn.execute(text(
            "SELECT version, (SELECT count(*) FROM case_events e WHERE e.case_id = c.id) FROM cases c WHERE id = :c"),
            {"c": run.case_id}).one()
        assert version == events + 1, (version, events)
        figures = {"visits": len(stored["visits"]), "letters": len(stored["letters"]), "case notes": len(notes)}
        db.session.remove()
        db.engine.dispose()
    return figures


@pytest.fixture(params=DATABASES)
def crash_db(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from throwaway_database(request.param, tmp_path, "crash")


def test_no_acknowledged_write_is_lost_when_the_server_is_killed_repeatedly(crash_db: str, tmp_path: Path) -> None:
    tokens = _prepare(crash_db, tmp_path)
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": crash_db, "TRACKER_SECRET_KEY": "crash-test-secret",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2",
           "TRACKER_WORKER_THREADS": "2", "FLASK_APP": "tracker",
           **SHARED_LIMITER}
    server = Server(env)
    run = Run(f"http://127.0.0.1:{port}", tokens)
    rng = random.Random(SEED)
    server.start()
    _wait_ready(run.base)
    _open_case(run)
    clients = [threading.Thread(target=_client, args=(run, n), daemon=True) for n in range(CLIENTS)]
    kills = 0
    try:
        for thread in clients:
            thread.start()
        for kill in range(KILLS):
            target = (kill + 1) * WRITES // (KILLS + 1)
            deadline = time.monotonic() + 60
            while len(run.acked) < target and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))  # a random moment, mid-request most of the time
            server.kill()
            kills += 1
            server.start()
            _wait_ready(run.base)
        for thread in clients:
            thread.join(timeout=90)
        assert not any(thread.is_alive() for thread in clients), "the clients did not finish"
    finally:
        run.stop.set()
        server.stop()
    assert not run.errors, run.errors[:5]
    assert kills == KILLS and len(run.acked) >= WRITES
    figures = _check(crash_db, tmp_path, run)
    assert sum(figures.values()) >= len(run.acked)
    print(f"crash test: {kills} kills, {run.attempts} writes tried, {len(run.acked)} acknowledged and checked, "
          f"{run.failures} refused while down, {run.conflicts} stale case moves refused, stored {figures}, none lost")
    record("crash", {"kills": kills, "clients": CLIENTS, "writes tried": run.attempts,
                     "acknowledged and checked": len(run.acked), "refused while down": run.failures,
                     "stale case moves refused": run.conflicts, "stored": figures, "lost": 0},
           crash_db.split(":", 1)[0].split("+", 1)[0])
