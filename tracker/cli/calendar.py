"""``calendar show|day-off|work-day|not-off``: the working calendar and its official overrides."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.deadline import parse_iso_date
from tracker.cli.locale import cli_locale
from tracker.services.deadlines import set_calendar_day
from tracker.services.deadlines import working_calendar
from tracker.services.errors import DomainError


@click.group("calendar", help="Working calendar: public holidays, official days off, make-up working days.")
def calendar_cli() -> None:
    pass


@calendar_cli.command("show", help="List the holidays, days off and make-up working days of YEAR.")
@click.argument("year", type=click.IntRange(1995, 2100))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def show(year: int, as_json: bool) -> None:
    with cli_locale():
        days = working_calendar().days_off(year)
        if as_json:
            click.echo(json.dumps([{"day": d.day.isoformat(), "working": d.working, "kind": d.kind, "name": d.name,
                                    "basis": d.basis, "certainty": d.certainty, "source": d.source} for d in days],
                                  ensure_ascii=False))
            return
        for d in days:
            click.echo("\t".join([d.day.isoformat(), d.kind, d.name, d.basis, d.certainty]))


def _set(day: str, kind: str, basis: str, name: str | None, certainty: str) -> None:
    with cli_locale():
        on = parse_iso_date(day)
        try:
            row = set_calendar_day(on, kind, basis, name, certainty)
        except DomainError as exc:
            fail(exc)
        click.echo("\t".join([row.day.isoformat(), row.kind, row.name, row.basis, row.certainty]))


_basis = click.option("--basis", required=True, help="The document behind it (number, date, issuer).")
_name = click.option("--name", default=None, help="Name shown for the day.")
_certainty = click.option("--certainty", type=click.Choice(["C", "S", "U"]), default="C")


@calendar_cli.command("day-off", help="Make DATE an official day off (swap, one-off day off).")
@click.argument("day")
@_basis
@_name
@_certainty
@with_appcontext
def day_off(day: str, basis: str, name: str | None, certainty: str) -> None:
    _set(day, "day_off", basis, name, certainty)


@calendar_cli.command("work-day", help="Make DATE (a Saturday or Sunday) an official make-up working day.")
@click.argument("day")
@_basis
@_name
@_certainty
@with_appcontext
def work_day(day: str, basis: str, name: str | None, certainty: str) -> None:
    _set(day, "work_day", basis, name, certainty)


@calendar_cli.command("not-off", help="DATE is not a day off although the holiday package lists it.")
@click.argument("day")
@_basis
@_name
@_certainty
@with_appcontext
def not_off(day: str, basis: str, name: str | None, certainty: str) -> None:
    _set(day, "not_off", basis, name, certainty)
