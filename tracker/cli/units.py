"""``units add``: create an administrative unit."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.errors import DomainError
from tracker.services.operations.units import create_unit


@click.group("units", help="Administrative units (UBND).")
def units_cli() -> None:
    pass


@units_cli.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", default=None, help="Code of the parent unit.")
@click.option("--level", type=click.Choice(["province", "district", "commune"]), default="commune")
@click.option("--remote-area", is_flag=True, help="Remote or hard-to-reach area (vùng sâu, vùng xa).")
@click.option("--reception-weekday", type=int, default=4, help="ISO weekday of the chair's reception (4 = Thursday).")
@with_appcontext
def add_unit(code: str, name: str, parent_code: str | None, level: str, remote_area: bool,
             reception_weekday: int) -> None:
    with cli_locale():
        try:
            unit = create_unit(code, name, level=level, parent_code=parent_code, remote_area=remote_area,
                               reception_weekday=reception_weekday)
        except DomainError as exc:
            fail(exc)
        click.echo(f"{unit.code}\t{unit.name}\t{unit.level}")


def _day(text: str):  # type: ignore[no-untyped-def]
    from tracker.cli.deadline import parse_iso_date

    return parse_iso_date(text)


@units_cli.command("merge", help="Record that the communes OLD… were merged into --into on --on (the decision's "
                                 "date); their records stay their own.")
@click.argument("old_codes", nargs=-1, required=True)
@click.option("--into", "new_code", required=True, help="Code of the new commune.")
@click.option("--on", "on", required=True, help="Date of the merger (YYYY-MM-DD).")
@with_appcontext
def merge(old_codes: tuple[str, ...], new_code: str, on: str) -> None:
    from tracker.services.operations.mergers import merge_units

    with cli_locale():
        day = _day(on)
        try:
            merged = merge_units(list(old_codes), new_code, day)
        except DomainError as exc:
            fail(exc)
        for unit in merged:
            click.echo(f"{unit.code}\t{new_code}\t{day.isoformat()}")


@units_cli.command("import-history", help="Create the old commune OLD under the province when missing, import "
                                          "its log book FILE.xlsx into it (all rows or none), then merge it.")
@click.argument("old_code")
@click.argument("path", metavar="FILE.xlsx", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--into", "new_code", required=True, help="Code of the new commune.")
@click.option("--on", "on", required=True, help="Date of the merger (YYYY-MM-DD).")
@click.option("--name", default=None, help="Name of the old commune when it is created.")
@click.option("--dry-run", is_flag=True, help="Check every row, write nothing.")
@with_appcontext
def import_history_command(old_code: str, path: str, new_code: str, on: str, name: str | None,
                           dry_run: bool) -> None:
    import os

    from tracker.imports.visits_xlsx import ImportFailed
    from tracker.messages import message
    from tracker.services.clock import local_today
    from tracker.services.operations.mergers import import_history

    with cli_locale():
        day = _day(on)
        try:
            result = import_history(old_code, new_code, path, day, today=local_today(), old_name=name,
                                    filename=os.path.basename(path), dry_run=dry_run)
        except ImportFailed as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            click.echo(message("import_failed"), err=True)
            raise SystemExit(1) from None
        except DomainError as exc:
            fail(exc)
        state = "dry-run" if dry_run else f"merged into {new_code} on {day.isoformat()}"
        click.echo(f"{result.unit.code}\t{result.visits.rows} visits\t{state}")


@units_cli.command("history", help="The communes merged into CODE, whole chain (a commune merged into one that "
                                   "was itself merged later is listed too): code, name, merged into, date.")
@click.argument("code")
@with_appcontext
def history(code: str) -> None:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.models import Unit
    from tracker.services.errors import NotFoundError
    from tracker.services.operations.lineage import predecessors_of

    with cli_locale():
        unit = db.session.scalar(select(Unit).where(Unit.code == code.strip()))
        if unit is None:
            fail(NotFoundError("unit_not_found"))
        chain = predecessors_of(unit)  # type: ignore[arg-type]
        codes = {unit.id: unit.code} | {old.id: old.code for old, _depth, _into, _on in chain}  # type: ignore[union-attr]
        for old, _depth, into_id, on in chain:
            click.echo(f"{old.code}\t{old.name}\t{codes.get(into_id, '')}\t{on.isoformat() if on else ''}")
