"""``deadline KIND STEP START``: the legal due date of one step (interfaces.md), and ``rules seed``."""
from __future__ import annotations

import json
from datetime import date

import click
from flask.cli import with_appcontext

from tracker.cli import fail
from tracker.cli.locale import cli_locale
from tracker.services.errors import DomainError
from tracker.services.legal.deadlines import compute
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


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


def _affected_line(item: str, a: object) -> str:
    from tracker.cli.calendar import _line

    return f"{item}\t{_line(a)}"  # type: ignore[arg-type]


@rules_cli.command("update", help="Load a legal update file (calendar days, new rule versions) and re-time the "
                                  "open cases; --dry-run lists what each item would move and writes nothing.")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Only list the open clocks each item would move.")
@click.option("--reason", default=None, help="Written on every re-timed case; the file's title by default.")
@with_appcontext
def update_rules(path: str, dry_run: bool, reason: str | None) -> None:
    from tracker.services.legal import legal_updates as lu

    with cli_locale():
        try:
            with open(path, "rb") as stream:
                update = lu.load_update(stream)
            result = (lu.preview_update(update) if dry_run
                      else lu.apply_update(update, reason or update.title))
        except lu.LegalUpdateInvalid as exc:
            for line in exc.lines():
                click.echo(line, err=True)
            fail("legal_update_invalid")
        except DomainError as exc:
            fail(exc)
        for item in result.items:
            label = f"{item.section}[{item.index}]"
            status = item.error.text() if item.error else item.status
            click.echo("\t".join([label, status, str(len(item.affected)), item.summary]))
            for affected in item.affected:
                click.echo(_affected_line(label, affected))
        if dry_run and result.errors:
            raise SystemExit(1)


@rules_cli.command("export-update", help="Write a legal update file of this instance's calendar days of YEAR and "
                                         "the deadline rule rows it added.")
@click.option("--year", required=True, type=click.IntRange(1995, 2100))
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--rules-since", default=None, help="Only rule rows added on or after this day (YYYY-MM-DD).")
@click.option("--title", default=None)
@click.option("--issued-by", default="", help="Who shares the file (e.g. the provincial inspectorate).")
@with_appcontext
def export_rules_update(year: int, output: str, rules_since: str | None, title: str | None, issued_by: str) -> None:
    from tracker.services.clock import local_today
    from tracker.services.legal.legal_updates import export_update

    with cli_locale():
        since = parse_iso_date(rules_since) if rules_since else None
        doc = export_update(year, rules_since=since, title=title, issued_by=issued_by, issued_on=local_today())
        with open(output, "w", encoding="utf-8") as stream:
            json.dump(doc, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        click.echo(f"calendar {len(doc['calendar'])}\trules {len(doc['rules'])}\t{output}")
