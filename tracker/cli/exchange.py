"""``exchange export|import``: the exchange file for the national database (docs/exchange-format.md)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Unit
from tracker.services.errors import DomainError
from tracker.services.exchange import national as exchange


@click.group("exchange", help="Exchange files for the national database (Decree 55/2022/NĐ-CP).")
def exchange_cli() -> None:
    pass


def _unit(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        fail("unit_not_found")
    return unit  # type: ignore[return-value]


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail("exchange_period")
        raise


@exchange_cli.command("export")
@click.option("--unit", "unit_code", required=True, help="Code of the unit whose records are exported.")
@click.option("--from", "date_from", required=True, metavar="YYYY-MM-DD", help="First day of the period.")
@click.option("--to", "date_to", required=True, metavar="YYYY-MM-DD", help="Last day of the period.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write.")
@with_appcontext
def export_command(unit_code: str, date_from: str, date_to: str, output: str) -> None:
    """Write every visit, letter and case of a period to an exchange file (JSON Lines)."""
    with cli_locale():
        unit = _unit(unit_code)
        start, end = _day(date_from), _day(date_to)
        try:
            with open(output, "w", encoding="utf-8") as out:
                counts = exchange.write_period(unit, start, end, out)
        except DomainError as exc:
            fail(exc)
        except OSError:
            fail("exchange_cannot_write")
        click.echo(_("%(visits)s visits, %(letters)s letters and %(cases)s cases of %(unit)s written to %(file)s.",
                     visits=counts["visits"], letters=counts["letters"], cases=counts["cases"], unit=unit.code,
                     file=output))


@exchange_cli.command("import")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--unit", "unit_code", required=True, help="Code of the unit that takes the records in.")
@click.option("--from-unit", "from_unit", default=None,
              help="Accept a file of this other unit (e.g. a commune merged into this one).")
@click.option("--dry-run", is_flag=True, help="Check the whole file and report, but write nothing.")
@with_appcontext
def import_command(path: str, unit_code: str, from_unit: str | None, dry_run: bool) -> None:
    """Take in an exchange file, all or nothing; records already here are skipped."""
    with cli_locale():
        unit = _unit(unit_code)
        try:
            result = exchange.import_file(unit, path, dry_run=dry_run, from_unit=from_unit)
        except exchange.ExchangeRefused as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            click.echo(message("exchange_failed"), err=True)
            raise SystemExit(1) from None
        except DomainError as exc:
            fail(exc)
        except UnicodeDecodeError:
            fail("exchange_not_json")
        for line in result.warnings:
            click.echo(line, err=True)
        created, updated, skipped = (sum(d.values()) for d in (result.created, result.updated, result.skipped))
        if dry_run:
            click.echo(_("Dry run: the file is valid (%(created)s new, %(updated)s updated, %(skipped)s already "
                         "here); nothing was written.", created=created, updated=updated, skipped=skipped))
        else:
            click.echo(_("%(created)s records created, %(updated)s updated, %(skipped)s already here.",
                         created=created, updated=updated, skipped=skipped))
