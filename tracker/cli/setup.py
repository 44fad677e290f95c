"""``setup first-admin``: the first unit, its administrator and the installation administrator of a new
installation (used by scripts/run)."""
from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from sqlalchemy import func
from sqlalchemy import select

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.extensions import db
from tracker.models import Unit
from tracker.models import User
from tracker.services.errors import DomainError
from tracker.services.legal.rule_params import seed_rule_params
from tracker.services.operations.units import create_unit
from tracker.services.operations.users import UserInput
from tracker.services.operations.users import create_user
from tracker.services.privacy.anonymise import seed_retention


@click.group("setup", help="First-time set-up.")
def setup_cli() -> None:
    pass


@setup_cli.command("first-admin")
@click.option("--unit-code", default=lambda: os.environ.get("TRACKER_UNIT_CODE", "XA-MAU"))
@click.option("--unit-name", default=lambda: os.environ.get("TRACKER_UNIT_NAME", "UBND xã Mẫu"))
@click.option("--username", default="admin")
@click.option("--sysadmin-username", default="sysadmin",
              help="The installation administrator (role sysadmin: deadline rules, calendar, legal updates).")
@with_appcontext
def first_admin(unit_code: str, unit_name: str, username: str, sysadmin_username: str) -> None:
    """Create the first unit, its administrator and the installation administrator, unless users already exist.

    The installation administrator's password is TRACKER_SYSADMIN_PASSWORD, else the administrator's."""
    with cli_locale():
        seed_rule_params()
        seed_retention()
        if db.session.scalar(select(func.count()).select_from(User)):
            click.echo("Đã có tài khoản quản trị; bỏ qua. / Users exist already; nothing to do.")
            return
        password = os.environ.get("TRACKER_ADMIN_PASSWORD") or click.prompt(
            "Mật khẩu cho tài khoản admin / Password for the admin account", hide_input=True,
            confirmation_prompt=True)
        try:
            unit = db.session.scalar(select(Unit).where(Unit.code == unit_code)) or create_unit(unit_code, unit_name)
            create_user(UserInput(username, "admin", unit.code, password, "Quản trị đơn vị"))
            create_user(UserInput(sysadmin_username, "sysadmin", unit.code,
                                  os.environ.get("TRACKER_SYSADMIN_PASSWORD") or password, "Quản trị hệ thống"))
        except DomainError as exc:
            fail(exc)
        click.echo(f"{username} @ {unit.code}")
        click.echo(f"{sysadmin_username} @ {unit.code} (sysadmin)")
