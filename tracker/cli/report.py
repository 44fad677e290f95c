"""``report build``: build (or rebuild) the period report of a unit (interfaces.md)."""
from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.exports.report_docx import report_docx
from tracker.exports.report_xlsx import report_xlsx
from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Unit
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.reports import periodic as reports

MESSAGES.update({"report_predecessors_json_only": _l(
    "A report with the merged communes is computed as it stands: JSON only, and it cannot be made final.")})


@click.group("report", help="Period reports (citizen reception and petitions).")
def report_cli() -> None:
    pass


@report_cli.command("build")
@click.option("--unit", "unit_code", required=True, help="Unit code.")
@click.option("--period", required=True, help="2024, 2024-H1, 2024-9M, 2024-Q1…Q4 or 2024-01…12.")
@click.option("--format", "fmt", type=click.Choice(["json", "docx", "xlsx"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--final", is_flag=True, help="Mark the report final (a frozen snapshot).")
@click.option("--with-predecessors", is_flag=True,
              help="Include the communes merged into this one (JSON only, not stored as a report).")
@with_appcontext
def build(unit_code: str, period: str, fmt: str, output: Path | None, final: bool, with_predecessors: bool) -> None:
    """Build the report; JSON goes to stdout when no --output is given."""
    with cli_locale():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            fail("unit_not_found")
        if fmt != "json" and output is None:
            fail("export_needs_output")
        if with_predecessors and (fmt != "json" or final):
            fail("report_predecessors_json_only")
        today = local_today()
        try:
            if with_predecessors:
                doc = reports.live_document(unit, reports.resolve_span(unit, period, today=today),  # type: ignore[arg-type]
                                            with_predecessors=True)
            else:
                result = reports.build_report(unit, period, today=today, final=final)  # type: ignore[arg-type]
                doc = reports.document(result.report)
        except DomainError as exc:
            fail(exc)
        if fmt == "json":
            text = json.dumps(doc.as_json(), ensure_ascii=False, indent=2, sort_keys=True)
            if output is None:
                click.echo(text)
            else:
                output.write_text(text + "\n", encoding="utf-8")
            return
        info = reports.export_info(result.report, today)
        assert output is not None
        output.write_bytes(report_docx(doc, info) if fmt == "docx" else report_xlsx(doc, info))
