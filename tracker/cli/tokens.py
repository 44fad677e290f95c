"""``tokens issue``: a new API bearer token (printed once; only its hash is kept)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.errors import DomainError
from tracker.services.tokens import issue_token


@click.group("tokens", help="API bearer tokens.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("issue")
@click.argument("username")
@with_appcontext
def issue(username: str) -> None:
    with cli_locale():
        try:
            token = issue_token(username)
        except DomainError as exc:
            fail(exc)
        click.echo(token)
