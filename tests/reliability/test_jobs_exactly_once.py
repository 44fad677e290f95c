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
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select

from tests.conftest import DATABASES
from tests.conftest import throwaway_database
from tests.factories import make_unit
from tests.factories import make_user
from tests.figures import record
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
from tests.test_production import SHARED_LIMITER
from tracker import create_app
from tracker.extensions import db
from tracker.jobs import runner
from tracker.jobs.definitions import JOBS
from tracker.models import JobRun
from tracker.models import Notification
from tracker.models import Report
from tracker.models import Unit
from tracker.models import WeeklySnapshot
from tracker.models.base import utcnow
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.periods import periods_ending_between
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations.tokens import issue_token
from tracker.services.reports import periodic as reports
from tracker.services.reports import reminders
from tracker.services.reports import weekly

NOW = "2026-06-15T08:00:00"  # a Monday morning: this week's snapshot, last week's reminders, May/Q2/H1 reports
LEASE = 4  # seconds before an unfinished claim is taken over
COMMUNES = ("XA-J1", "XA-J2", "XA-J3")
CASES = 3  # overdue cases per commune: reminders every working day
PAUSED_JOBS = ("weekly_snapshot", "reminders", "period_reports")
RANDOM_ROUNDS = 4
RACERS = 3
LOAD_CLIENTS = 3
SEED = int(os.environ.get("TRACKER_JOBS_SEED", "11"))


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


def _app(url: str, tmp: Path, now: str = NOW):  # type: ignore[no-untyped-def]
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "jobs", "ARGON2_TIME_COST": 1,
                       "ARGON2_MEMORY_COST": 1024, "ARGON2_PARALLELISM": 1, "ATTACHMENTS_DIR": str(tmp / "att"),
                       "JOBS_TEST_NOW": now})


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


def _due_slots(url: str, tmp: Path, now: str) -> dict[str, list[tuple[str, int, date]]]:
    app = _app(url, tmp, now)
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
        said: list[str] = []

        def read() -> None:
            assert self.process.stderr is not None
            for raw in self.process.stderr:
                line = raw.decode(errors="replace").strip()
                if line.startswith("job-paused "):
                    found.append(line)
                    return
                said.append(line)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(timeout)
        assert found, f"the scheduler never reached the pause (exit {self.process.poll()}): {said[-20:]}"
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


@pytest.fixture(params=DATABASES)
def jobs_db(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    yield from throwaway_database(request.param, tmp_path, "jobs")


def _claim_count() -> int:
    count = int(db.session.scalar(select(func.count()).select_from(JobRun)) or 0)
    db.session.rollback()
    return count


def _unfinished() -> set[tuple[str, str]]:
    rows = {(job, slot) for job, slot in db.session.execute(
        select(JobRun.job, JobRun.slot).where(JobRun.finished_at.is_(None), JobRun.detail.is_(None)))}
    db.session.rollback()
    return rows


def test_each_job_slot_is_done_exactly_once_while_schedulers_race_and_are_killed(jobs_db: str,
                                                                                tmp_path: Path) -> None:
    token, chair = _prepare(jobs_db, tmp_path)
    # The deterministic kills run at NOW; each random round a week later, so that every round has new work.
    nows = [(datetime.fromisoformat(NOW) + timedelta(weeks=r)).isoformat() for r in range(RANDOM_ROUNDS + 1)]
    due_at = {now: _due_slots(jobs_db, tmp_path, now) for now in nows}
    due: dict[str, dict[str, tuple[int, date]]] = {job.id: {} for job in JOBS}
    for slots in due_at.values():
        for job, listed in slots.items():
            due[job].update({slot: (unit_id, day) for slot, unit_id, day in listed})
    assert all(due_at[NOW][job] for job in PAUSED_JOBS), due_at[NOW]
    port = _free_port()
    env = {**os.environ, "TRACKER_DATABASE_URL": jobs_db, "TRACKER_SECRET_KEY": "jobs-test-secret",
           "TRACKER_INSTANCE_PATH": str(tmp_path), "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2",
           "TRACKER_WORKER_THREADS": "2", "TRACKER_JOBS_TEST_NOW": NOW, "TRACKER_JOBS_LEASE_SECONDS": str(LEASE),
           "TRACKER_ATTACHMENTS_DIR": str(tmp_path / "att"),
           **SHARED_LIMITER}
    log = tmp_path / "schedulers.log"
    server = Server(env)
    load = Load(f"http://127.0.0.1:{port}", token, chair)
    rng = random.Random(SEED)
    figures: dict[str, object] = {"database": jobs_db.split(":", 1)[0].split("+")[0], "seed": SEED,
                                  "lease_seconds": LEASE}
    killed_inside: list[tuple[str, str]] = []
    random_kills = 0
    left_by_kills: set[tuple[str, str]] = set()
    processes: list[Scheduler] = []
    ticks = 0
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
                unit_id, day = due[job][slot]
                assert _slot_output(job, unit_id, day) == 0, f"{job} {slot}: work visible before its commit"
                assert _claim_state(job, slot)[1] is False
                paused.kill()
                db.session.rollback()
                assert _slot_output(job, unit_id, day) == 0, f"{job} {slot}: a killed run left work behind"
                assert _claim_state(job, slot)[1] is False, f"{job} {slot}: a killed run is marked done"
                killed_inside.append((job, slot))
            # 2. Rounds of schedulers racing (`run` and `tick`) over a new week's slots, one killed at a random
            #    moment; the `run` process, which never ends by itself, is killed at the end of the round.
            for now in nows[1:]:
                before = _unfinished()
                racers = [Scheduler({**env, "TRACKER_JOBS_TEST_NOW": now}, "run" if n == 0 else "tick", log)
                          for n in range(RACERS)]
                processes += racers
                claims = _claim_count()
                deadline = time.monotonic() + 60
                while _claim_count() == claims and time.monotonic() < deadline:  # the racers are at work
                    time.sleep(0.05)
                time.sleep(rng.uniform(0.0, 1.0))  # a random moment of the round's work
                victim = rng.choice([r for r in racers if r.alive()] or racers)
                if victim.alive():
                    victim.kill()
                    random_kills += 1
                for racer in racers:
                    if racer is not victim and racer.command == "tick":
                        assert racer.finish() == 0, "a scheduler tick failed"
                racers[0].kill()
                left_by_kills |= _unfinished() - before
            # 3. Later ticks take the killed slots over once their lease has run out, and finish everything.
            for now in nows:
                wanted = {(job, slot) for job, slots in due_at[now].items() for slot, _, _ in slots}
                for _ in range(12):
                    finished = {tuple(r) for r in db.session.execute(select(JobRun.job, JobRun.slot)
                                                                     .where(JobRun.finished_at.is_not(None)))}
                    db.session.rollback()
                    if wanted <= finished:
                        break
                    time.sleep(LEASE)
                    ticks += 1
                    assert Scheduler({**env, "TRACKER_JOBS_TEST_NOW": now}, "tick", log).finish() == 0
    finally:
        load.stop.set()
        for thread in clients:
            thread.join(timeout=60)
        for process in processes:
            process.kill()
        server.stop()
    assert not load.errors, load.errors[:5]
    assert load.acked > 0

    with app.app_context():
        runs = db.session.execute(select(JobRun.job, JobRun.slot, JobRun.finished_at, JobRun.ok, JobRun.attempts))
        claims = {(job, slot): (finished, ok, attempts) for job, slot, finished, ok, attempts in runs}
        expected_claims = {(job, slot) for job, slots in due.items() for slot in slots}
        missing = [k for k in expected_claims if k not in claims or claims[k][0] is None or not claims[k][1]]
        assert not missing, f"slots never finished: {missing[:5]}"
        assert set(claims) == expected_claims
        for job, slot in [*killed_inside, *left_by_kills]:
            assert claims[(job, slot)][2] >= 2, (job, slot, claims[(job, slot)])  # taken over, redone
        # Weekly snapshots: one per commune and week.
        snapshots = Counter(tuple(r) for r in db.session.execute(select(WeeklySnapshot.unit_id, WeeklySnapshot.week)))
        wanted_snapshots = Counter((units[slot.split(":")[0]], slot.split(":")[1]) for slot in due["weekly_snapshot"])
        assert snapshots == wanted_snapshots and len(wanted_snapshots) == len(COMMUNES) * len(nows)
        # Period reports: one per unit and period that ended, each with its slot's whole set.
        wanted_reports: Counter[tuple[int, str]] = Counter()
        for unit_id, end in due["period_reports"].values():
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
        clean: Counter[tuple[int, str]] = Counter()
        for unit_id, day in due["reminders"].values():
            unit = db.session.get(Unit, unit_id)
            clean[(unit_id, day.isoformat())] += reminders.send_reminders(unit, day)  # type: ignore[arg-type]
        db.session.rollback()
        assert +clean == stored_reminders and sum(clean.values()) > 0
        for job, slot in killed_inside:
            unit_id, day = due[job][slot]
            assert _slot_output(job, unit_id, day) > 0, f"{job} {slot}: the killed slot was never redone"
        figures.update({
            "web_workers": 2, "load_clients": LOAD_CLIENTS, "load_requests_answered": load.acked, "load_5xx": 0,
            "scheduler_processes": len(processes) + ticks, "kills_inside_a_job": len(killed_inside),
            "killed_inside": [f"{j} {s}" for j, s in killed_inside], "random_kills": random_kills,
            "run_processes_killed": len(nows) - 1, "slots_left_unfinished_by_round_kills": len(left_by_kills),
            "final_ticks": ticks, "slots_checked": len(expected_claims),
            "slots_per_job": {j: len(s) for j, s in due.items()},
            "snapshots": sum(snapshots.values()), "reports": sum(stored_reports.values()),
            "reminders": sum(stored_reminders.values()), "duplicates": 0, "partial_slots": 0,
        })
        db.session.remove()
        db.engine.dispose()
    record("test_jobs_exactly_once", figures, str(figures["database"]))


# --- A job and a user doing the same thing at the same moment -----------------------------------------------


def test_a_week_frozen_meanwhile_by_another_process_is_kept_not_a_server_error(app, monkeypatch) -> None:
    """The scheduler freezes the week while the chairperson marks it reviewed (which freezes it too): the
    one that loses the race answers the other's snapshot instead of an IntegrityError (a 500)."""
    unit = make_user().unit
    db.session.commit()
    real = weekly.build_weekly

    def build_while_another_process_freezes(*args, **kwargs):  # type: ignore[no-untyped-def]
        data = real(*args, **kwargs)
        with db.engine.begin() as other:
            other.execute(insert(WeeklySnapshot).values(unit_id=unit.id, week="2026-W25", data='{"other": 1}',
                                                        taken_at=utcnow()))
        return data

    monkeypatch.setattr(weekly, "build_weekly", build_while_another_process_freezes)
    snapshot = weekly.freeze_week(unit, "2026-W25", date(2026, 6, 15))
    assert snapshot.data == '{"other": 1}'
    assert db.session.scalar(select(func.count()).select_from(WeeklySnapshot)) == 1


def test_a_report_built_meanwhile_by_another_process_is_rebuilt_over_not_a_server_error(app, monkeypatch) -> None:
    """The scheduler drafts a period's report while a user builds it: the loser builds again over the
    winner's draft (one report, revision 1) instead of an IntegrityError (a 500)."""
    seed_deadline_rules()
    seed_calendar()
    unit = make_user().unit
    db.session.commit()
    real = reports.compute_document
    raced: list[int] = []

    def compute_while_another_process_builds(target, span, **kwargs):  # type: ignore[no-untyped-def]
        doc = real(target, span, **kwargs)
        if not raced:
            raced.append(1)
            with db.engine.begin() as other:
                other.execute(insert(Report).values(
                    unit_id=target.id, period=span.period.code, convention=span.convention, date_from=span.date_from,
                    date_to=span.date_to, revision=1, status="draft", data=json.dumps(doc.stored_json()),
                    narrative="khác", built_at=utcnow(), version=1))
        return doc

    monkeypatch.setattr(reports, "compute_document", compute_while_another_process_builds)
    result = reports.build_report(unit, "2026-05", today=date(2026, 6, 20))
    assert raced and result.report.revision == 1 and not result.created
    assert db.session.scalar(select(func.count()).select_from(Report)) == 1
