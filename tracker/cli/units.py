"""``units add``: create an administrative unit."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.errors import DomainError
from tracker.services.units import create_unit


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
