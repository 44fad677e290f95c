"""``privacy anonymise``, ``export-citizen`` and ``rekey-ids``: personal data under Luật 91/2025/QH15."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.privacy import anonymise as anon
from tracker.services.privacy import id_keys
from tracker.services.privacy import subject_access


@click.group("privacy", help="Personal data: retention and the citizens' access requests.")
def privacy_cli() -> None:
    pass


@privacy_cli.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Only list what is due; change nothing.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Reference day (default: today).")
@with_appcontext
def anonymise_cmd(dry_run: bool, today: object) -> None:
    """Anonymise every record whose retention period is over."""
    with cli_locale():
        day: date = today.date() if today else local_today()  # type: ignore[attr-defined]
        due = anon.anonymise(day, dry_run=dry_run)
        click.echo(json.dumps({"dry_run": dry_run, "on": day.isoformat(), "counts": due.counts(),
                               "retention_months": anon.retention_on(day)}, ensure_ascii=False, sort_keys=True))


@privacy_cli.command("seed-retention")
@with_appcontext
def seed_retention_cmd() -> None:
    """Put the shipped retention periods in the rule values table (an administrator can then correct them)."""
    with cli_locale():
        click.echo(anon.seed_retention())


@privacy_cli.command("export-citizen")
@click.option("--unit", "unit_code", required=True, help="Unit code.")
@click.option("--id-number", default=None, help="The citizen's ID number (CCCD).")
@click.option("--citizen-id", type=int, default=None, help="The citizen's id in this application.")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="JSON file to write.")
@with_appcontext
def export_citizen_cmd(unit_code: str, id_number: str | None, citizen_id: int | None, output: Path) -> None:
    """Everything held on one citizen, as a JSON file to hand over (the export is audited)."""
    with cli_locale():
        if bool(id_number) == bool(citizen_id):
            raise click.UsageError("give exactly one of --id-number and --citizen-id")
        try:
            citizen = subject_access.find_citizen(unit_code, id_number=id_number, citizen_id=citizen_id)
            doc = subject_access.export_citizen(citizen)
        except DomainError as exc:
            fail(exc)
        output.write_text(json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8")
        click.echo(str(output))


@privacy_cli.command("rekey-ids")
@with_appcontext
def rekey_ids_cmd() -> None:
    """Re-hash and re-encrypt every citizen's ID number with the current keys (after a key change)."""
    with cli_locale():
        try:
            click.echo(id_keys.rekey_id_numbers())
        except DomainError as exc:
            fail(exc)
