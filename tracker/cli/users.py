"""``users add``: create a staff account."""
from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.models.users import ROLES
from tracker.services.errors import DomainError
from tracker.services.operations.users import UserInput
from tracker.services.operations.users import create_user


@click.group("users", help="Staff accounts.")
def users_cli() -> None:
    pass


@users_cli.command("add")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--unit", "unit_code", required=True, help="Code of the user's unit.")
@click.option("--full-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def add_user(username: str, role: str, unit_code: str, full_name: str, password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Mật khẩu / Password", hide_input=True, confirmation_prompt=True)
    with cli_locale():
        try:
            user = create_user(UserInput(username, role, unit_code, password, full_name))
        except DomainError as exc:
            fail(exc)
        click.echo(f"{user.username}\t{user.role}\t{unit_code}")
