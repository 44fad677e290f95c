"""``scheduler run``: the one scheduler process of a deployment; ``scheduler tick``: one pass now."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from tracker.cli.locale import cli_locale
from tracker.jobs.runner import run_due


@click.group("scheduler", help="Scheduled jobs (weekly snapshot, reminders, reports).")
def scheduler_cli() -> None:
    pass


@scheduler_cli.command("tick")
@with_appcontext
def tick() -> None:
    """Run every job slot that is due and not yet done, then exit."""
    with cli_locale():
        done = run_due()
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(done.items())) or "-")


@scheduler_cli.command("run")
@click.option("--minutes", default=5, show_default=True, help="Minutes between two passes.")
@with_appcontext
def run(minutes: int) -> None:
    """Run the jobs in the foreground until stopped (one such process per deployment)."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def tick_once() -> None:
        with app.app_context(), cli_locale():
            run_due()

    scheduler = BlockingScheduler(timezone=app.config["TIMEZONE"])
    scheduler.add_job(tick_once, "interval", minutes=minutes, id="tick", coalesce=True, max_instances=1,
                      misfire_grace_time=minutes * 60)
    click.echo(f"scheduler: every {minutes} min")
    tick_once()
    scheduler.start()
