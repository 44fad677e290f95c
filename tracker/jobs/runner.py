"""Run what is due, exactly once per (job, slot), however many processes try at the same time.

A slot is claimed by inserting its ``job_runs`` row (a unique key: only one process wins) and
committed; the work and the "finished" mark are then one transaction. A process killed halfway
leaves an unfinished claim and no partial work; after STALE_AFTER the claim is taken over and
the slot redone.
"""
from __future__ import annotations

import logging
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.jobs.definitions import JOBS
from tracker.models import JobRun
from tracker.models.base import utcnow
from tracker.services import audit
from tracker.services import mail

STALE_AFTER = timedelta(minutes=30)
log = logging.getLogger(__name__)


def local_now() -> datetime:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"]))


def _claim(job: str, slot: str) -> JobRun | None:
    run = db.session.scalar(select(JobRun).where(JobRun.job == job, JobRun.slot == slot))
    if run is None:
        try:
            with db.session.begin_nested():
                run = JobRun(job=job, slot=slot)
                db.session.add(run)
            db.session.commit()
            return run
        except IntegrityError:
            db.session.rollback()
            return None
    if run.finished_at is not None or utcnow() - run.started_at < STALE_AFTER:
        return None
    # A claim left by a process that died: take it over, once (the UPDATE matches one winner).
    taken = db.session.execute(
        update(JobRun).where(JobRun.id == run.id, JobRun.started_at == run.started_at, JobRun.finished_at.is_(None))
        .values(started_at=utcnow(), attempts=JobRun.attempts + 1)).rowcount
    db.session.commit()
    return run if taken == 1 else None


def run_due(now: datetime | None = None) -> dict[str, int]:
    """Run every slot due at ``now`` (local time) that no process has finished; returns counts per job."""
    now = now or local_now()
    audit.set_actor(None, "scheduler")
    done: dict[str, int] = {}
    for job in JOBS:
        for slot, unit, day in list(job.slots(now)):
            run = _claim(job.id, slot)
            if run is None:
                continue
            try:
                job.run(unit, day)
                run.finished_at, run.ok = utcnow(), True
                db.session.commit()
                done[job.id] = done.get(job.id, 0) + 1
            except Exception as exc:  # a failed slot is recorded and retried after STALE_AFTER
                db.session.rollback()
                log.exception("job %s slot %s failed", job.id, slot)
                db.session.execute(update(JobRun).where(JobRun.id == run.id).values(detail=str(exc)[:1000]))
                db.session.commit()
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
