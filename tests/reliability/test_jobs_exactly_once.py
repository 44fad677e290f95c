"""Exactly-once jobs, proven under faults: gunicorn (two workers) serves a bounded API load while several
scheduler processes (``flask scheduler tick`` and ``flask scheduler run``) race each other over the same
slots, and scheduler processes are SIGKILLed — deterministically inside each job, and at random moments.

Deterministic kills use the runner's test hook (``JOBS_TEST_PAUSE``, off by default): the process stops
after a slot's work is written but before it is committed and says so on stderr; the test then checks
that nothing of that slot is visible and its claim is not marked done, kills the process, checks again,
and later sees the slot taken over after its lease (``JOBS_LEASE_SECONDS``) and redone.

At the end, with the scheduler clock fixed (``JOBS_TEST_NOW``, a Monday morning): every due slot has one
finished claim; each commune has exactly one weekly snapshot; each unit exactly one report per period
that ended; and the reminders are exactly those one clean run writes (one per clock, person and day).
On SQLite (WAL) and PostgreSQL. Figures go to test-artifacts/reliability/test_jobs_exactly_once.json.
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import ARTIFACTS
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import register
from tests.reliability.test_crash import BIN
from tests.reliability.test_crash import ROOT
from tests.reliability.test_crash import Server
from tests.reliability.test_crash import _free_port
from tests.reliability.test_crash import _letter
from tests.reliability.test_crash import _post
from tests.reliability.test_crash import _visit
from tests.reliability.test_crash import _wait_ready
from tracker import create_app
from tracker.extensions import db
from tracker.jobs import runner
from tracker.jobs.definitions import JOBS
from tracker.models import JobRun
from tracker.models import Notification
from tracker.models import Report
from tracker.models import Unit
from tracker.models import WeeklySnapshot
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.periods import periods_ending_between
from tracker.services import reminders
from tracker.services.deadlines import seed_calendar
from tracker.services.deadlines import seed_deadline_rules
from tracker.services.tokens import issue_token

NOW = "2026-06-15T08:00:00"  # a Monday morning: this week's snapshot, last week's reminders, May/Q2/H1 reports
LEASE = 4  # seconds before an unfinished claim is taken over
COMMUNES = ("XA-J1", "XA-J2", "XA-J3")
CASES = 3  # overdue cases per commune: reminders every working day
PAUSED_JOBS = ("weekly_snapshot", "reminders", "period_reports")
RANDOM_ROUNDS = 4
RACERS = 3
LOAD_CLIENTS = 3
SEED = int(os.environ.get("TRACKER_JOBS_SEED", "11"))


def write_figures(test: str, database: str, figures: dict[str, object]) -> None:
    """test-artifacts/reliability/<test>.json: the figures of the last run, one entry per database."""
    out = ARTIFACTS / "reliability" / f"{test}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        stored = json.loads(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    stored[database] = {"finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), **figures}
    out.write_text(json.dumps(stored, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


@dataclass
class Load:
    base: str
    token: str  # the receptionist's (writes)
    chair: str  # the chairperson's (the weekly list)
    acked: int = 0
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _load(load: Load, number: int) -> None:
    """Visits and letters registered, the weekly list read, while the schedulers run."""
    rng = random.Random(SEED * 10 + number)
    attempt = 0
    while not load.stop.is_set():
        attempt += 1
        marker = f"[j{number}-{attempt}]"
        try:
            if rng.random() < 0.2:
                request = urllib.request.Request(f"{load.base}/api/v1/weekly?week=2026-W25",
                                                 headers={"Authorization": f"Bearer {load.chair}"})
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - localhost only
                    status = response.status
            else:
                book = rng.choice(["visits", "letters"])
                body = _visit(marker) if book == "visits" else _letter(marker)
                status, _ = _post(f"{load.base}/api/v1/{book}", load.token, body)
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = 0
            with load.lock:
                load.errors.append(f"no answer: {exc}")
        with load.lock:
            if status in (200, 201):
                load.acked += 1
            else:
                load.errors.append(f"answer {status}")
        time.sleep(0.02)


def _app(url: str, tmp: Path):  # type: ignore[no-untyped-def]
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "jobs", "ARGON2_TIME_COST": 1,
                       "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1, "ATTACHMENTS_DIR": str(tmp / "att"),
                       "JOBS_TEST_NOW": NOW})


def _prepare(url: str, tmp: Path) -> tuple[str, str]:
    """A province and three communes, each with overdue cases handled by its handler."""
    app = _app(url, tmp)
    with app.app_context():
        upgrade()
        seed_deadline_rules()
        seed_calendar()
        db.session.commit()
        province = make_unit("TINH-J", "UBND tỉnh Kiểm Thử", level="province")
        for number, code in enumerate(COMMUNES, start=1):
            unit = make_unit(code, f"UBND xã Kiểm Thử {number}", parent_code=province.code)
            clerk = make_user(f"letan_j{number}", "receptionist", unit)
            make_user(f"chutich_j{number}", "chair", unit, full_name="Lê Văn Chủ")
            handler = make_user(f"canbo_j{number}", "handler", unit, full_name="Phạm Thị Xử")
            for _ in range(CASES):
                accept(clerk, register(clerk), handler_id=handler.id)
        db.session.commit()
        tokens = issue_token("letan_j1"), issue_token("chutich_j1")
        db.session.remove()
        db.engine.dispose()
    return tokens


def _due_slots(url: str, tmp: Path) -> dict[str, list[tuple[str, int, date]]]:
    app = _app(url, tmp)
    with app.app_context():
        now = runner.local_now()
        slots = {job.id: [(slot, unit.id, day) for slot, unit, day in job.slots(now)] for job in JOBS}
        db.session.remove()
        db.engine.dispose()
    return slots


def _slot_output(job: str, unit_id: int, day: date) -> int:
    """How many rows of the slot's work are visible (committed) now."""
    if job == "weekly_snapshot":
        return int(db.session.scalar(select(func.count()).select_from(WeeklySnapshot)
                                     .where(WeeklySnapshot.unit_id == unit_id)) or 0)
    if job == "reminders":
        return int(db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.unit_id == unit_id, Notification.dedupe_key.like(f"remind:%:{day.isoformat()}"))) or 0)
    if job == "period_reports":
        return int(db.session.scalar(select(func.count()).select_from(Report)
                                     .where(Report.unit_id == unit_id, Report.date_to == day)) or 0)
    return 0


def _claim_state(job: str, slot: str) -> tuple[int, bool]:
    row = db.session.execute(select(JobRun.attempts, JobRun.finished_at)
                             .where(JobRun.job == job, JobRun.slot == slot)).one_or_none()
    db.session.rollback()
    assert row is not None, f"{job} {slot}: no claim"
    return int(row[0]), row[1] is not None


class Scheduler:
    """One ``flask scheduler tick|run`` process, in its own process group (killed with it)."""

    def __init__(self, env: dict[str, str], command: str, log: Path, pause: str | None = None) -> None:
        self.command = command
        env = {**env, **({"TRACKER_JOBS_TEST_PAUSE": pause} if pause else {})}
        args = [str(BIN / "flask"), "--app", "tracker", "scheduler", command]
        if command == "run":
            args += ["--minutes", "60"]
        with log.open("ab") as out:
            self.process = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True, stdout=out,
                                            stderr=subprocess.PIPE if pause else out)

    def wait_paused(self, timeout: float = 120) -> tuple[str, str]:
        """Read stderr up to the hook's "job-paused JOB SLOT" line."""
        assert self.process.stderr is not None
        found: list[str] = []

        def read() -> None:
            assert self.process.stderr is not None
            for raw in self.process.stderr:
                line = raw.decode(errors="replace").strip()
                if line.startswith("job-paused "):
                    found.append(line)
                    return

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        assert found, f"the scheduler never reached the pause (exit {self.process.poll()})"
        _, job, slot = found[0].split(" ", 2)
        return job, slot

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()

    def finish(self, timeout: float = 300) -> int:
        return self.process.wait(timeout)


@pytest.fixture(params=["sqlite", "postgresql"])
def jobs_db(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'jobs.sqlite'}"
        return
    server = postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = create_database(server, f"tracker_jobs_{os.getpid()}")
    yield url
    drop_database(url)


def test_each_job_slot_is_done_exactly_once_while_schedulers_race_and_are_killed(jobs_db: str,
                                                                                tmp_path: Path) -> None:
    token, chair = _prepare(jobs_db, tmp_path)
    due = _due_slots(jobs_db, tmp_path)
    assert all(due[job] for job in PAUSED_JOBS), due
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": jobs_db, "TRACKER_SECRET_KEY": "jobs-test-secret",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2",
           "TRACKER_WORKER_THREADS": "2", "TRACKER_JOBS_TEST_NOW": NOW, "TRACKER_JOBS_LEASE_SECONDS": str(LEASE),
           "TRACKER_ATTACHMENTS_DIR": str(tmp_path / "att")}
    log = tmp_path / "schedulers.log"
    server = Server(env)
    load = Load(f"http://127.0.0.1:{port}", token, chair)
    rng = random.Random(SEED)
    figures: dict[str, object] = {"database": jobs_db.split(":", 1)[0].split("+")[0], "seed": SEED,
                                  "lease_seconds": LEASE}
    killed_inside: list[tuple[str, str]] = []
    random_kills = 0
    claims_left_unfinished = 0
    processes: list[Scheduler] = []
    app = _app(jobs_db, tmp_path)
    server.start()
    _wait_ready(load.base)
    clients = [threading.Thread(target=_load, args=(load, n), daemon=True) for n in range(LOAD_CLIENTS)]
    try:
        for thread in clients:
            thread.start()
        with app.app_context():
            units = {unit.code: unit.id for unit in db.session.scalars(select(Unit))}
            # 1. A scheduler killed inside each job, after its work is written and before it is committed.
            for job in PAUSED_JOBS:
                paused = Scheduler(env, "tick", log, pause=job)
                processes.append(paused)
                paused_job, slot = paused.wait_paused()
                assert paused_job == job
                unit_id, day = next((u, d) for s, u, d in due[job] if s == slot)
                assert _slot_output(job, unit_id, day) == 0, f"{job} {slot}: work visible before its commit"
                assert _claim_state(job, slot)[1] is False
                paused.kill()
                db.session.rollback()
                assert _slot_output(job, unit_id, day) == 0, f"{job} {slot}: a killed run left work behind"
                assert _claim_state(job, slot)[1] is False, f"{job} {slot}: a killed run is marked done"
                killed_inside.append((job, slot))
            # 2. Several schedulers racing, one of them killed at a random moment in each round.
            for _ in range(RANDOM_ROUNDS):
                racers = [Scheduler(env, "run" if n == 0 else "tick", log) for n in range(RACERS)]
                processes += racers
                time.sleep(rng.uniform(1.0, 6.0))  # often mid-tick: a tick runs for a few seconds
                victim = rng.choice([r for r in racers if r.alive()] or racers)
                if victim.alive():
                    victim.kill()
                    random_kills += 1
                    claims_left_unfinished += int(db.session.scalar(
                        select(func.count()).select_from(JobRun).where(JobRun.finished_at.is_(None))) or 0)
                    db.session.rollback()
                for racer in racers:
                    if racer is not victim and racer.command == "tick":
                        assert racer.finish() == 0, "a scheduler tick failed"
                racers[0].kill()  # `scheduler run` never ends by itself: stopped (killed) at the end of the round
            # 3. Later ticks take the killed slots over once their lease has run out, and finish everything.
            expected_claims = {(job, slot) for job, slots in due.items() for slot, _, _ in slots}
            ticks = 0
            for _ in range(12):
                db.session.rollback()
                finished = {tuple(r) for r in db.session.execute(select(JobRun.job, JobRun.slot)
                                                  .where(JobRun.finished_at.is_not(None)))}
                if expected_claims <= finished:
                    break
                time.sleep(LEASE)
                ticks += 1
                assert Scheduler(env, "tick", log).finish() == 0
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=60)
        for process in processes:
            process.kill()
        server.stop()
    five_hundreds = [e for e in load.errors if e.startswith("answer 5")]
    assert not five_hundreds and not load.errors, load.errors[:5]
    assert load.acked > 0

    with app.app_context():
        runs = db.session.execute(select(JobRun.job, JobRun.slot, JobRun.finished_at, JobRun.ok, JobRun.attempts))
        claims = {(job, slot): (finished, ok, attempts) for job, slot, finished, ok, attempts in runs}
        missing = [k for k in expected_claims if k not in claims or claims[k][0] is None or not claims[k][1]]
        assert not missing, f"slots never finished: {missing[:5]}"
        for job, slot in killed_inside:  # taken over after the lease and redone by a later run
            assert claims[(job, slot)][2] >= 2, (job, slot, claims[(job, slot)])
        # Weekly snapshots: one per commune and week.
        snapshots = Counter(tuple(r) for r in db.session.execute(select(WeeklySnapshot.unit_id, WeeklySnapshot.week)))
        assert sorted(snapshots.values()) == [1] * len(COMMUNES)
        assert {u for u, _ in snapshots} == {units[c] for c in COMMUNES}
        # Period reports: one per unit and period that ended, each with its slot's whole set.
        wanted_reports = Counter()
        for _, unit_id, end in due["period_reports"]:
            unit = db.session.get(Unit, unit_id)
            assert unit is not None
            for span in periods_ending_between(end, end, unit.report_convention or "official", CUTOFF_RULES):
                wanted_reports[(unit_id, span.period.code)] += 1
        stored_reports = Counter(tuple(r) for r in db.session.execute(select(Report.unit_id, Report.period)))
        assert stored_reports == wanted_reports
        # Reminders: exactly what one clean run writes (computed in a transaction rolled back afterwards).
        stored_reminders = Counter((n.unit_id, n.dedupe_key.rsplit(":", 1)[1]) for n in db.session.scalars(
            select(Notification).where(Notification.kind == "reminder")))
        keys = list(db.session.scalars(select(Notification.dedupe_key)))
        assert len(keys) == len(set(keys))
        db.session.rollback()
        db.session.execute(delete(Notification))
        clean = Counter()
        for _, unit_id, day in due["reminders"]:
            unit = db.session.get(Unit, unit_id)
            clean[(unit_id, day.isoformat())] += reminders.send_reminders(unit, day)  # type: ignore[arg-type]
        db.session.rollback()
        assert +clean == stored_reminders and sum(clean.values()) > 0
        for job, slot in killed_inside:
            unit_id, day = next((u, d) for s, u, d in due[job] if s == slot)
            assert _slot_output(job, unit_id, day) > 0, f"{job} {slot}: the killed slot was never redone"
        figures.update({
            "web_workers": 2, "load_clients": LOAD_CLIENTS, "load_requests_answered": load.acked, "load_5xx": 0,
            "scheduler_processes": len(processes) + ticks, "kills_inside_a_job": len(killed_inside),
            "killed_inside": [f"{j} {s}" for j, s in killed_inside], "random_kills": random_kills,
            "unfinished_claims_seen_after_random_kills": claims_left_unfinished, "final_ticks": ticks,
            "slots_checked": len(expected_claims), "slots_per_job": {j: len(s) for j, s in due.items()},
            "snapshots": sum(snapshots.values()), "reports": sum(stored_reports.values()),
            "reminders": sum(stored_reminders.values()), "duplicates": 0, "partial_slots": 0,
        })
        db.session.remove()
        db.engine.dispose()
    write_figures("test_jobs_exactly_once", str(figures["database"]), figures)
    print(f"exactly-once jobs: {figures}")
