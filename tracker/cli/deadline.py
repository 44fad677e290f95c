"""``deadline KIND STEP START``: the legal due date of one step (interfaces.md), and ``rules seed``."""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.deadlines import compute
from tracker.services.deadlines import seed_calendar
from tracker.services.deadlines import seed_deadline_rules
from tracker.services.errors import DomainError


def parse_iso_date(text: str) -> date:
    """An ISO date, or a one-line message and exit 1 (inside ``cli_locale``)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        fail("deadline_date_invalid")
        raise  # unreachable: fail() exits


@click.command("deadline", help="Legal due date of one step that starts on START (YYYY-MM-DD).")
@click.argument("kind")
@click.argument("step")
@click.argument("start")
@click.option("--complex", "is_complex", is_flag=True, help="Complex case (vụ việc phức tạp).")
@click.option("--remote-area", is_flag=True, help="Remote or hard-to-reach area (vùng sâu, vùng xa).")
@click.option("--second-instance", is_flag=True, help="Second-instance complaint (giải quyết lần hai).")
@click.option("--extensions", default="0", help="Extensions granted (0..2 for denunciations).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of the date alone.")
@click.option("--explain", is_flag=True, help="With --json: add the step-by-step explanation.")
@with_appcontext
def deadline_cli(kind: str, step: str, start: str, is_complex: bool, remote_area: bool, second_instance: bool,
                 extensions: str, as_json: bool, explain: bool) -> None:
    with cli_locale():
        start_on = parse_iso_date(start)
        if not extensions.strip().isdigit():
            fail("deadline_extensions_invalid")
        try:
            result = compute(kind, step, start_on, complex=is_complex, remote_area=remote_area,
                             second_instance=second_instance, extensions=int(extensions))
        except DomainError as exc:
            fail(exc)
        if not as_json:
            click.echo(result.due_on.isoformat() if result.due_on else "")
            return
        data = result.as_dict()
        keys = ["due_on", "nominal_due_on", "day_kind", "days", "rule", "legal_basis", "certainty"]
        if explain:
            keys.append("explanation")
        click.echo(json.dumps({k: data[k] for k in keys}, ensure_ascii=False))


@click.group("rules", help="Rule tables of the law (deadlines, working calendar).")
def rules_cli() -> None:
    pass


@rules_cli.command("seed", help="Insert the shipped deadline rules and calendar days not yet in the tables.")
@with_appcontext
def seed_rules() -> None:
    with cli_locale():
        rules = seed_deadline_rules()
        days = seed_calendar()
        click.echo(f"deadline_rules +{rules}\tcalendar_days +{days}")
