"""``tokens issue|list|revoke``: API bearer tokens (a token is printed once; only its hash is kept)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.extensions import db
from tracker.services.errors import DomainError
from tracker.services.operations import tokens as service


@click.group("tokens", help="API bearer tokens.")
def tokens_cli() -> None:
    pass


@tokens_cli.command("issue")
@click.argument("username")
@click.option("--days", type=int, default=None,
              help="Days of validity (default: TRACKER_API_TOKEN_DAYS, 90 unless set; at most 3650).")
@click.option("--read-only", is_flag=True, help="The token may only read (every write answers 403).")
@click.option("--name", default="", help="What the token is for (shown in the list).")
@with_appcontext
def issue(username: str, days: int | None, read_only: bool, name: str) -> None:
    """Print a new token of USERNAME: the token alone on standard output."""
    with cli_locale():
        try:
            token = service.issue_token(username, days=days, name=name, scope="read" if read_only else "write")
        except DomainError as exc:
            fail(exc)
        click.echo(token)


def _when(value) -> str:  # type: ignore[no-untyped-def]
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"


@tokens_cli.command("list")
@click.option("--user", "username", default=None, help="Only this user's tokens.")
@click.option("--live", is_flag=True, help="Only the tokens that still work.")
@with_appcontext
def list_tokens(username: str | None, live: bool) -> None:
    """One line per token (never the token itself), tab-separated: id, user, unit, label, scope, created,
    expires, last used, status (UTC times)."""
    click.echo("id\tuser\tunit\tname\tscope\tcreated\texpires\tlast_used\tstatus")
    for row in db.session.scalars(service.tokens_query(username=username, live_only=live)):
        status = service.status_of(row)
        if status == "revoked":
            status = f"revoked:{row.revoked_reason}"
        click.echo("\t".join([str(row.id), row.user.username, row.user.unit.code, row.name or "-", row.scope,
                              _when(row.created_at), _when(row.expires_at), _when(row.last_used_at), status]))


@tokens_cli.command("revoke")
@click.argument("token_id", type=int, required=False)
@click.option("--user", "username", default=None, help="Revoke every live token of this user instead.")
@with_appcontext
def revoke(token_id: int | None, username: str | None) -> None:
    """Revoke the token TOKEN_ID (see ``tokens list``), or every token of ``--user``."""
    with cli_locale():
        if (token_id is None) == (username is None):
            fail("token_revoke_target")
        try:
            if token_id is not None:
                row = service.revoke_token(token_id)
                click.echo(f"{row.id}\t{row.user.username}\trevoked")
                return
            count = service.revoke_user(username or "")
        except DomainError as exc:
            fail(exc)
        click.echo(f"{username}\t{count} revoked")
