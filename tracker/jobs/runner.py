"""Run what is due, exactly once per (job, slot), however many processes try at the same time.

A slot is claimed by inserting its ``job_runs`` row (a unique key: only one process wins) and
committed; the work and the "finished" mark are then one transaction, so a process killed halfway
leaves an unfinished claim and no partial work. A claim is a lease of ``JOBS_LEASE_SECONDS``
(configuration, default 30 minutes): an unfinished claim older than that is taken over (one winner)
and the slot redone. The "finished" mark is conditional on the lease still being ours: a process that
was too slow and lost its lease rolls its work back instead of committing it twice.

Test hooks, off by default (tests/reliability/test_jobs_exactly_once.py uses them):
``JOBS_TEST_NOW`` (a local ISO date-time) fixes the scheduler's clock; ``JOBS_TEST_PAUSE`` (a job id,
or ``*``) makes a process stop inside that job, after the slot's work is written but before it is
committed, print ``job-paused JOB SLOT`` on stderr and sleep ``JOBS_TEST_PAUSE_SECONDS`` (default 600),
so that a test can kill it there.
"""
from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.exc import OperationalError

from tracker.extensions import db
from tracker.jobs.definitions import JOBS
from tracker.models import JobRun
from tracker.models.base import utcnow
from tracker.services.operations import mail
from tracker.services.privacy import audit

DEFAULT_LEASE_SECONDS = 30 * 60
log = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a claim is held before another process may take the slot over."""
    return timedelta(seconds=float(current_app.config.get("JOBS_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


def local_now() -> datetime:
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    fixed = current_app.config.get("JOBS_TEST_NOW")
    if fixed:
        return datetime.fromisoformat(str(fixed)).replace(tzinfo=zone)
    return datetime.now(zone)


def _claim(job: str, slot: str) -> datetime | None:
    """Claim a slot; answers the claim's start time (the lease token), or None when the slot is done or
    held by another process."""
    run = db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.slot == slot))
    if run is None:
        started = utcnow()
        try:
            db.session.add(JobRun(job=job, slot=slot, started_at=started))
            db.session.commit()
            return started
        except IntegrityError:  # another process claimed it first
            db.session.rollback()
            return None
    held, finished = run.started_at, run.finished_at
    db.session.rollback()  # end the read transaction (SQLite: do not hold a stale snapshot)
    if finished is not None or utcnow() - held < lease():
        return None
    # A claim left by a process that died (or failed): take it over, once (the UPDATE matches one winner).
    started = utcnow()
    taken = db.session.execute(
        update(JobRun).where(JobRun.job == job, JobRun.slot == slot, JobRun.started_at == held,
                             JobRun.finished_at.is_(None))
        .values(started_at=started, attempts=JobRun.attempts + 1, detail=None)).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return started if taken == 1 else None


def _test_pause(job: str, slot: str) -> None:
    wanted = current_app.config.get("JOBS_TEST_PAUSE")
    if wanted and wanted in ("*", job):
        print(f"job-paused {job} {slot}", file=sys.stderr, flush=True)
        time.sleep(float(current_app.config.get("JOBS_TEST_PAUSE_SECONDS", 600)))


def _run_slot(job_id: str, run: object, slot: str, unit: object, day: object) -> bool:
    """Claim and run one slot; True when this process did it."""
    started = _claim(job_id, slot)
    if started is None:
        return False
    try:
        # The slot's transaction opens with a write to its own claim: on SQLite this begins the transaction
        # (pysqlite begins one only before a write), so the savepoints the job uses nest in it instead of
        # each committing on its own; on PostgreSQL the claim's row stays locked until the slot is done.
        held = db.session.execute(
            update(JobRun).where(JobRun.job == job_id, JobRun.slot == slot, JobRun.started_at == started,
                                 JobRun.finished_at.is_(None)).values(attempts=JobRun.attempts)).rowcount  # type: ignore[attr-defined]
        if held != 1:
            db.session.rollback()
            return False
        run(unit, day)  # type: ignore[operator]
        db.session.flush()
        _test_pause(job_id, slot)
        finished = db.session.execute(
            update(JobRun).where(JobRun.job == job_id, JobRun.slot == slot, JobRun.started_at == started,
                                 JobRun.finished_at.is_(None))
            .values(finished_at=utcnow(), ok=True)).rowcount  # type: ignore[attr-defined]
        if finished != 1:  # the lease ran out and another process took the slot over: its run counts
            db.session.rollback()
            log.warning("job %s slot %s: lease lost, work rolled back", job_id, slot)
            return False
        db.session.commit()
        return True
    except Exception as exc:  # a failed slot is recorded and retried once its lease runs out
        db.session.rollback()
        log.exception("job %s slot %s failed", job_id, slot)
        try:
            db.session.execute(update(JobRun).where(JobRun.job == job_id, JobRun.slot == slot,
                                                    JobRun.started_at == started, JobRun.finished_at.is_(None))
                               .values(detail=str(exc)[:1000]))
            db.session.commit()
        except OperationalError:
            db.session.rollback()
        return False


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Run every slot due at ``now`` (local time) that no process has finished; returns counts per job."""
    now = now or local_now()
    audit.set_actor(None, "scheduler")
    done: dict[str, int] = {}
    for job in JOBS:
        slots = list(job.slots(now))
        db.session.rollback()
        for slot, unit, day in slots:
            try:
                if _run_slot(job.id, job.run, slot, unit, day):
                    done[job.id] = done.get(job.id, 0) + 1
            except OperationalError:  # the database busy or gone for a moment: the next tick retries
                db.session.rollback()
                log.exception("job %s slot %s could not be claimed", job.id, slot)
    try:
        done["emails"] = mail.send_pending()
    except OSError:
        log.exception("sending e-mail failed; the notifications stay queued")
    return done


def start_background(app: Flask, minutes: int = 5) -> object:
    """A scheduler inside a single-process install (TRACKER_SCHEDULER=on): one tick every few minutes."""
    from apscheduler.schedulers.background import BackgroundScheduler

    def tick() -> None:
        with app.app_context():
            run_due()

    scheduler = BackgroundScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(tick, "interval", minutes=minutes, id="tick", coalesce=True, max_instances=1,
                      next_run_time=datetime.now(ZoneInfo(app.config["TIMEZONE"])))
    scheduler.start()
    return scheduler
