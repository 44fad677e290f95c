"""``demo load``: fill a unit with a year of realistic reception data."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.clock import local_now
from tracker.services.errors import DomainError
from tracker.services.operations.demo import DEFAULT_PASSWORD
from tracker.services.operations.demo import load_demo


@click.group("demo", help="Demo data for trying the application.")
def demo_cli() -> None:
    pass


@demo_cli.command("load")
@click.option("--unit", "unit_code", default=None, help="Unit code (default: the first commune; created if none).")
@click.option("--visits", type=click.IntRange(1, 20000), default=300, show_default=True, help="Number of visits.")
@click.option("--letters", "letter_count", type=click.IntRange(0, 5000), default=None,
              help="Letters of the (first) commune (default: a quarter of the visits, at least 60).")
@click.option("--seed", type=int, default=None, help="Random seed: the same seed gives the same data.")
@click.option("--password", default=None, help="Password of the demo staff accounts (or TRACKER_DEMO_PASSWORD).")
@click.option("--force", is_flag=True, help="Load even if the unit already has visits.")
@with_appcontext
def load(unit_code: str | None, visits: int, letter_count: int | None, seed: int | None, password: str | None,
         force: bool) -> None:
    password = password or os.environ.get("TRACKER_DEMO_PASSWORD") or DEFAULT_PASSWORD
    now = local_now()
    with cli_locale():
        try:
            result = load_demo(now=now, unit_code=unit_code, visits=visits, seed=seed, password=password,
                               force=force, letters_per_unit=letter_count)
        except DomainError as exc:
            fail(exc)
        if result.province is not None:
            click.echo(_("Unit: %(code)s (%(name)s)", code=result.province.code, name=result.province.name))
        for unit in result.units or [result.unit]:
            click.echo(_("Unit: %(code)s (%(name)s)", code=unit.code, name=unit.name))
        click.echo(_("Loaded %(visits)s visits; the unit now has %(citizens)s citizens and %(sessions)s "
                     "reception sessions (seed %(seed)s).", visits=result.visits, citizens=result.citizens,
                     sessions=result.sessions, seed=result.seed))
        for username, role, created in result.users:
            state = _("created") if created else _("already existed, unchanged")
            click.echo(f"  {username}\t{role}\t{state}")
        if any(created for _u, _r, created in result.users):
            click.echo(_("Password of the new accounts: %(password)s", password=password))
