"""``calendar show|day-off|work-day|not-off``: the working calendar and its official overrides.

Changing a day re-times the open clocks whose window contains it (tracker.services.legal.retime): one
line per moved clock after the day's own line; ``--dry-run`` prints those lines and writes nothing.
"""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from tracker.cli import fail
from tracker.cli.deadline import parse_iso_date
from tracker.cli.locale import cli_locale
from tracker.extensions import db
from tracker.models import CalendarDay
from tracker.services.errors import DomainError
from tracker.services.legal.deadlines import working_calendar
from tracker.services.legal.retime import Affected
from tracker.services.legal.retime import CalendarChange
from tracker.services.legal.retime import apply_retime
from tracker.services.legal.retime import preview_retime


@click.group("calendar", help="Working calendar: public holidays, official days off, make-up working days.")
def calendar_cli() -> None:
    pass


@calendar_cli.command("show", help="List the holidays, days off and make-up working days of YEAR.")
@click.argument("year", type=click.IntRange(1995, 2100))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def show(year: int, as_json: bool) -> None:
    with cli_locale():
        calendar = working_calendar()
        days, estimate = calendar.days_off(year), calendar.is_estimate(year)
        if as_json:
            click.echo(json.dumps([{"day": d.day.isoformat(), "working": d.working, "kind": d.kind, "name": d.name,
                                    "basis": d.basis, "certainty": d.certainty, "source": d.source,
                                    "estimate": estimate} for d in days], ensure_ascii=False))
            return
        if estimate:  # on stderr: the rows on stdout keep their columns for scripts
            click.echo(_("%(year)s: the official schedule of days off is not published yet; these days are an "
                         "estimate.", year=year), err=True)
        for d in days:
            click.echo("\t".join([d.day.isoformat(), d.kind, d.name, d.basis, d.certainty]
                                  + ([_("estimate")] if estimate else [])))


def _iso(day: object) -> str:
    return day.isoformat() if day is not None else "-"  # type: ignore[attr-defined]


def _line(a: Affected) -> str:
    owner = f"case {a.case_id}" if a.case_id is not None else f"letter {a.letter_id}"
    return "\t".join([owner, a.clock, _iso(a.old_due), _iso(a.new_due)] + ([a.problem] if a.problem else []))


def _set(day: str, kind: str, basis: str, name: str | None, certainty: str, reason: str | None,
         dry_run: bool) -> None:
    with cli_locale():
        on = parse_iso_date(day)
        change = CalendarChange(on, kind, basis, name, certainty)
        try:
            if dry_run:
                for affected in preview_retime(change):
                    click.echo(_line(affected))
                return
            result = apply_retime(change, reason or basis)
        except DomainError as exc:
            fail(exc)
        row = db.session.get_one(CalendarDay, result.row_id)
        click.echo("\t".join([row.day.isoformat(), row.kind, row.name, row.basis, row.certainty]))
        for affected in result.moved:
            click.echo(_line(affected))


_basis = click.option("--basis", required=True, help="The document behind it (number, date, issuer).")
_name = click.option("--name", default=None, help="Name shown for the day.")
_certainty = click.option("--certainty", type=click.Choice(["C", "S", "U"]), default="C")
_reason = click.option("--reason", default=None,
                       help="Why the open cases are re-timed (written on their timelines); the basis by default.")
_dry_run = click.option("--dry-run", is_flag=True, help="Only list the open clocks that would move.")


@calendar_cli.command("day-off", help="Make DATE an official day off (swap, one-off day off).")
@click.argument("day")
@_basis
@_name
@_certainty
@_reason
@_dry_run
@with_appcontext
def day_off(day: str, basis: str, name: str | None, certainty: str, reason: str | None, dry_run: bool) -> None:
    _set(day, "day_off", basis, name, certainty, reason, dry_run)


@calendar_cli.command("work-day", help="Make DATE (a Saturday or Sunday) an official make-up working day.")
@click.argument("day")
@_basis
@_name
@_certainty
@_reason
@_dry_run
@with_appcontext
def work_day(day: str, basis: str, name: str | None, certainty: str, reason: str | None, dry_run: bool) -> None:
    _set(day, "work_day", basis, name, certainty, reason, dry_run)


@calendar_cli.command("not-off", help="DATE is not a day off although the holiday package lists it.")
@click.argument("day")
@_basis
@_name
@_certainty
@_reason
@_dry_run
@with_appcontext
def not_off(day: str, basis: str, name: str | None, certainty: str, reason: str | None, dry_run: bool) -> None:
    _set(day, "not_off", basis, name, certainty, reason, dry_run)
