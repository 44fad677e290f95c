"""Command-line interface: ``flask --app tracker …``."""
from __future__ import annotations

from typing import NoReturn

import click
from flask import Flask

from tracker.messages import field_messages
from tracker.messages import message
from tracker.services.errors import DomainError


def fail(error: DomainError | str, **params: object) -> NoReturn:
    """Print one translated line on stderr and exit with status 1 (no English "Error:" prefix)."""
    if isinstance(error, DomainError):
        parts = list(field_messages(error.fields, **error.params).items())
        text = "; ".join(f"{k}: {v}" for k, v in parts) if parts else message(error.code, **error.params)
    else:
        text = message(error, **params)
    click.echo(text, err=True)
    raise SystemExit(1)


def register_commands(app: Flask) -> None:
    from tracker.cli.backup import backup_cli
    from tracker.cli.backup import restore_cli
    from tracker.cli.calendar import calendar_cli
    from tracker.cli.deadline import deadline_cli
    from tracker.cli.deadline import rules_cli
    from tracker.cli.demo import demo_cli
    from tracker.cli.exchange import exchange_cli
    from tracker.cli.imports import import_cli
    from tracker.cli.privacy import privacy_cli
    from tracker.cli.report import report_cli
    from tracker.cli.scheduler import scheduler_cli
    from tracker.cli.setup import setup_cli
    from tracker.cli.tokens import tokens_cli
    from tracker.cli.units import units_cli
    from tracker.cli.users import users_cli

    for group in (units_cli, users_cli, tokens_cli, setup_cli, demo_cli, import_cli, deadline_cli, rules_cli,
                  calendar_cli, scheduler_cli, report_cli, backup_cli, restore_cli, exchange_cli,
                  privacy_cli):
        app.cli.add_command(group)
