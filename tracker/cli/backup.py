"""``backup PATH`` / ``restore PATH``: a consistent copy of the database and attachments, and its restore."""
from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import gettext as _

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.errors import DomainError
from tracker.services.operations import backup as service

KEY_FILE_HELP = ("The backup key file (default: TRACKER_BACKUP_KEY, else TRACKER_BACKUP_KEY_FILE, else backup_key in "
                 "the instance folder). Keep it apart from the backups.")


@click.command("backup", help="Copy the database and the attachments into one encrypted archive.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@click.option("--key-file", type=click.Path(dir_okay=False), default=None, help=KEY_FILE_HELP)
@with_appcontext
def backup_cli(path: str, force: bool, key_file: str | None) -> None:
    with cli_locale():
        if os.path.exists(path) and not force:
            fail("backup_exists", path=path)
        try:
            manifest = service.create_backup(current_app._get_current_object(), path,  # type: ignore[attr-defined]
                                             key_file=key_file)
        except DomainError as exc:
            fail(exc)
        files = sum(1 for name in manifest.members if name.startswith(service.ATTACHMENTS + "/"))
        click.echo(_("Backup written to %(path)s: %(kind)s database (revision %(revision)s), %(files)s attachments.",
                     path=path, kind=manifest.database, revision=manifest.alembic_revision or "-", files=files))


@click.command("restore", help="Replace the database and the attachments with the contents of a backup archive.")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--key-file", type=click.Path(dir_okay=False), default=None, help=KEY_FILE_HELP)
@with_appcontext
def restore_cli(path: str, yes: bool, key_file: str | None) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with cli_locale():
        try:
            manifest = service.inspect_backup(app, path, key_file=key_file)
            if not yes and not click.confirm(_(
                    "Replace ALL data and attachments with the backup of %(created)s (%(kind)s, revision "
                    "%(revision)s)?", created=manifest.created_at, kind=manifest.database,
                    revision=manifest.alembic_revision or "-"), default=False):
                fail("backup_cancelled")
            manifest = service.restore_backup(app, path, key_file=key_file)
        except DomainError as exc:
            fail(exc)
        click.echo(_("Restored from %(path)s (backup of %(created)s).", path=path, created=manifest.created_at))
