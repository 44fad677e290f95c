"""``import visits FILE.xlsx --unit CODE [--dry-run]``: load an existing log book from Excel, all or nothing."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.extensions import db
from tracker.imports.visits_xlsx import ImportFailed
from tracker.imports.visits_xlsx import import_visits
from tracker.messages import message
from tracker.models import Unit
from tracker.services.clock import local_today


@click.group("import", help="Import data from files (all or nothing).")
def import_cli() -> None:
    pass


@import_cli.command("visits")
@click.argument("path", metavar="FILE.xlsx", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--unit", "unit_code", required=True, help="Code of the unit whose log book this is.")
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
@with_appcontext
def import_visits_command(path: str, unit_code: str, dry_run: bool) -> None:
    """Import the visits of FILE.xlsx into the log book of a unit."""
    with cli_locale():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            fail("unit_not_found")
        name = os.path.basename(path)
        try:
            result = import_visits(path, unit=unit, user=None, filename=name, today=local_today(), dry_run=dry_run)
        except ImportFailed as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            click.echo(message("import_failed"), err=True)
            raise SystemExit(1) from None
        if result.dry_run:
            click.echo(_("Dry run: %(n)s visits in %(file)s are valid; nothing was written.", n=result.rows,
                         file=name))
        else:
            click.echo(_("%(n)s visits imported from %(file)s into %(unit)s.", n=result.rows, file=name,
                         unit=unit.code))
