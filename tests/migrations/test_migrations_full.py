"""Migrations down and up on a copy of a full database, without loss.

A database at head is filled through the services with rows in every table (units and a merger,
users with e-mail and an API token, visits, citizens with ID numbers, letters with senders and
attachments, a case with its timeline, clocks, a pause, an instruction, a mediation group, bookings,
notifications, a weekly snapshot, a period report, a job run, rules, the calendar, the audit log…)
and copied (SQLite: the file, by the online backup API; PostgreSQL: ``CREATE DATABASE … TEMPLATE``).
On the copy, from head down to 0001, each revision is taken one step down and one step up again, and
every table's rows (ordered by primary key, column by column) are compared with those before:

- one step down, every table and column that exists at both revisions is unchanged;
- one step up again, every such table and column is unchanged, a table the step creates comes back
  empty, and a column the step adds to an existing table comes back exactly as ``ADDED_COLUMNS``
  documents (NULL, the column's default, or rebuilt from the data that stayed); a column not listed
  there must come back identical.

Then the copy goes down one step for good and the next revision is tried, down to 0001; then up again
step by step to head (every common table and column unchanged at each step), and the copy at head
is compared with the untouched original: the tables of 0001 identical, everything else precisely what
the table above says is lost. On SQLite and PostgreSQL. Figures are printed and written to
test-artifacts/reliability/migrations_full-<db>.json.
"""
from __future__ import annotations

import io
import json
import os
import sqlite3
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy import text

from tests.conftest import ARTIFACTS
from tests.conftest import DATABASES
from tests.conftest import base_config
from tests.conftest import create_database
from tests.conftest import drop_database
from tests.conftest import postgres_url
from tests.factories import make_unit
from tests.factories import make_visit
from tests.web.planting import plant_unit
from tests.web.planting import seed_rules
from tracker import create_app
from tracker.extensions import db
from tracker.models import Case
from tracker.models import JobRun
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import User
from tracker.rules.weeks import week_code
from tracker.services.cases import actions as cases
from tracker.services.letters import attachments
from tracker.services.letters import register as letters
from tracker.services.operations.mergers import merge_units
from tracker.services.operations.tokens import issue_token
from tracker.services.reception import bookings
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reports.periodic import build_report
from tracker.services.reports.weekly import freeze_week
from tracker.web.filters import local_today

State = dict[str, dict[str, list[str | None]]]  # table → column → values in primary-key order
EMPTY_BY_DESIGN = {"audit_unlocks", "alembic_version"}  # an unlock row never outlives its transaction
NULL = "NULL"


def _decrypts_the_same(app: Flask) -> Callable[[list[str | None], list[str | None]], bool]:
    def check(before: list[str | None], after: list[str | None]) -> bool:
        from tracker.id_protection import load_keys

        keys = load_keys(app)
        return [b and keys.decrypt(b) for b in before] == [a and keys.decrypt(a) for a in after]
    return check


# A column that a step adds to a table that existed before: what it holds after the step is undone
# and redone. NULL: its values are lost (the step's downgrade drops them; they were new with the
# step); a string: every row holds that default (one per database, "sqlite|postgresql" when they
# differ); "SAME": rebuilt identical from the data that stayed; a callable: its own check.
ADDED_COLUMNS: dict[str, object] = {
    "users.email": NULL,  # 0004
    "units.reminder_days": "3",  # 0004, server defaults
    "units.snapshot_weekday": "1",
    "units.snapshot_time": "07:00",
    "units.report_convention": "official",
    "units.leading_zero": "1|True",
    "units.merged_into_id": NULL,  # 0006: the merger record is lost
    "units.merged_on": NULL,
    "citizens.id_number_hash": "SAME",  # 0008: recomputed from the clear number the downgrade restored
    "citizens.id_number_enc": "DECRYPTS_SAME",  # 0008: encrypted again (a new nonce), same plaintext
    "api_tokens.name": "",  # 0009: the label is lost
    "api_tokens.expires_at": lambda before, after: _expires_90_days_from_now(after),  # 0009
}


def _expires_90_days_from_now(after: list[str | None]) -> str | None:
    """0009 gives every token it finds 90 days from the upgrade (the round trip takes seconds)."""
    target = datetime.now().astimezone() + timedelta(days=90)
    for value in after:
        when = datetime.fromisoformat(str(value)) if value else None
        if when is None or abs(when.replace(tzinfo=when.tzinfo or UTC) - target) > timedelta(minutes=10):
            return f"api_tokens.expires_at: {value!r} is not 90 days after the upgrade"
    return None


# --- the database -----------------------------------------------------------------------------

def fill(app: Flask) -> None:
    """One of everything, through the services; each later migration's new columns hold real data."""
    today = local_today()
    seed_rules()
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    a = plant_unit("XA-A", "UBND xã An Bình", parent=province, text="Nội dung xã A", prefix="a")
    b = plant_unit("XA-B", "UBND xã Bình Yên", parent=province, text="Nội dung xã B", prefix="b")
    desk, chair, handler = (a.users[r] for r in ("receptionist", "chair", "handler"))
    make_visit(desk, id_number="001085000333", full_name="Trần Thị Đơn", birth_year=1985, today=today,
               visited_on=today)
    letter = letters.register_letter(desk, a.unit, letters.LetterInput(
        received_on=today, channel="post", kind="complaint", summary="Khiếu nại việc thu hồi đất",
        senders=[reception.VisitorInput(citizen=CitizenInput("Lê Văn Gửi", "001090000444", 1990))]), today)
    attachments.store_attachment(desk, unit_id=a.unit.id, letter=letter, filename="scan.png",
                                 stream=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))
    case = db.session.get(Case, b.ids["case_id"])
    cases.apply_case_action(b.users["handler"], case, cases.ActionInput(
        action="suspend", on=today, version=case.version, note="Chờ kết quả giám định", document_no="15/TB-UBND"),
        today)
    session = db.session.get(ReceptionSession, a.ids["session_id"])
    bookings.book(desk, session, reception.VisitorInput(citizen=CitizenInput("Phạm Văn Hẹn", None, 1975)),
                  "Hỏi về đất đai", "petition", 1, today)
    for unit in (a.unit, b.unit):
        freeze_week(unit, week_code(today), today)
        build_report(unit, str(today.year - 1), today=today)
    db.session.add(JobRun(job="weekly_snapshot", slot=f"{today.isoformat()}:XA-A",
                          finished_at=datetime.combine(today, time(7, 5)).astimezone(), ok=True, detail="1"))
    chair.email = "chutich@xa-a.gov.vn"
    handler.email = "canbo@xa-a.gov.vn"
    a.unit.reminder_days, a.unit.snapshot_time, a.unit.leading_zero = 5, "08:30", False
    a.unit.snapshot_weekday, a.unit.report_convention = 3, "calendar"
    db.session.commit()
    issue_token(desk.username)
    merge_units(["XA-B"], "XA-A", date(2025, 7, 1))
    db.session.commit()
    assert db.session.scalar(select(Unit.merged_into_id).where(Unit.code == "XA-B")) == a.unit.id
    assert db.session.scalar(select(User.email).where(User.id == chair.id))


def snapshot(app: Flask) -> State:
    """Every table of the current schema: its columns' raw values, rows in primary-key order."""
    state: State = {}
    with db.engine.connect() as conn:
        schema = inspect(conn)
        for table in sorted(schema.get_table_names()):
            if table == "alembic_version":
                continue
            columns = [c["name"] for c in schema.get_columns(table)]
            key = schema.get_pk_constraint(table)["constrained_columns"] or columns
            quote = conn.dialect.identifier_preparer.quote
            rows = conn.execute(text(f'SELECT {", ".join(map(quote, columns))} FROM {quote(table)} '
                                     f'ORDER BY {", ".join(map(quote, key))}')).all()
            state[table] = {c: [None if r[i] is None else str(r[i]) for r in rows] for i, c in enumerate(columns)}
    db.engine.dispose()
    return state


def rows(state: State, table: str) -> int:
    return len(next(iter(state[table].values()))) if state[table] else 0


def differences(before: State, after: State) -> list[str]:
    """Tables and columns present in both whose values differ."""
    out = []
    for table in sorted(set(before) & set(after)):
        for column in sorted(set(before[table]) & set(after[table])):
            if before[table][column] != after[table][column]:
                out.append(f"{table}.{column}")
    return out


def revisions(app: Flask) -> list[tuple[str, str | None]]:
    """(revision, its parent) from head down to the first."""
    config = app.extensions["migrate"].migrate.get_config()
    return [(s.revision, s.down_revision) for s in ScriptDirectory.from_config(config).walk_revisions()]  # type: ignore[misc]


def expected_added(app: Flask, kind: str, name: str, before: list[str | None], after: list[str | None]) -> str | None:
    """None when a column the step added came back as documented, else what is wrong."""
    rule = ADDED_COLUMNS.get(name, "SAME")
    if callable(rule):
        return rule(before, after)  # type: ignore[no-any-return]
    if rule == "SAME":
        return None if after == before else f"{name}: not restored (documented as restored)"
    if rule == "DECRYPTS_SAME":
        return None if _decrypts_the_same(app)(before, after) else f"{name}: does not decrypt to the same values"
    if rule == NULL:
        if any(v is not None for v in after):
            return f"{name}: expected NULL after the round trip"
        return None if any(v is not None for v in before) else f"{name}: the full database held no value here"
    defaults = str(rule).split("|")
    value = defaults[0] if kind == "sqlite" or len(defaults) == 1 else defaults[1]
    if any(v != value for v in after):
        return f"{name}: expected the default {value!r} in every row, got {set(after)}"
    return None if any(v != value for v in before) else f"{name}: the full database held only the default here"


# --- the databases ----------------------------------------------------------------------------

def _app(url: str, tmp: Path) -> Flask:
    return create_app(base_config(url, tmp))


def _copy(kind: str, source_url: str, tmp: Path) -> str:
    if kind == "sqlite":
        target = tmp / "copy.sqlite"
        source = sqlite3.connect(source_url.removeprefix("sqlite:///"))
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        copy.close()
        source.close()
        return f"sqlite:///{target}"
    import psycopg

    server, name = source_url.rsplit("/", 1)
    copy_name = f"{name}_copy"
    with psycopg.connect(server.replace("postgresql+psycopg://", "postgresql://") + "/postgres",
                         autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    return f"{server}/{copy_name}"


@pytest.fixture(params=DATABASES)
def original(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{tmp_path / 'full.sqlite'}"
        return
    server = postgres_url()
    if server is None:
        pytest.skip("PostgreSQL is not reachable")
    url = create_database(server, f"tracker_migfull_{os.getpid()}")
    yield "postgresql", url
    drop_database(url + "_copy")
    drop_database(url)


def test_every_migration_goes_down_and_up_on_a_full_database_without_loss(original: tuple[str, str],
                                                                          tmp_path: Path) -> None:
    kind, url = original
    app = _app(url, tmp_path)
    with app.app_context():
        upgrade()
        fill(app)
        db.session.remove()
        full = snapshot(app)
    empty = sorted(t for t in full if rows(full, t) == 0 and t not in EMPTY_BY_DESIGN)
    assert not empty, f"the full database has no rows in {empty}: fill() must fill every table"
    copy = _app(_copy(kind, url, tmp_path), tmp_path)
    figures: dict[str, Any] = {"database": kind, "tables": len(full), "rows": sum(rows(full, t) for t in full),
                               "steps": []}
    with copy.app_context():
        steps = revisions(copy)
        assert snapshot(copy) == full, "the copy differs from the original"
        for revision, parent in steps:
            if parent is None:
                break  # 0001: its downgrade is the empty database
            before = snapshot(copy)
            downgrade(revision=parent)
            down = snapshot(copy)
            assert not differences(before, down), f"{revision} down: changed {differences(before, down)}"
            upgrade(revision=revision)
            again = snapshot(copy)
            assert set(again) == set(before), f"{revision}: tables differ after down and up"
            problems = []
            lost_tables = sorted(set(before) - set(down))
            for table in lost_tables:
                if rows(again, table):
                    problems.append(f"{table}: recreated by {revision} with rows")
            added = sorted(f"{t}.{c}" for t in set(before) & set(down) for c in set(before[t]) - set(down[t]))
            for name in added:
                table, column = name.split(".")
                problem = expected_added(copy, kind, name, before[table][column], again[table][column])
                if problem:
                    problems.append(problem)
            kept = [d for d in differences(before, again) if d not in added and d.split(".")[0] not in lost_tables]
            assert not kept, f"{revision} down and up: changed {kept}"
            assert not problems, f"{revision} down and up: {problems}"
            figures["steps"].append({
                "revision": revision, "rows checked": sum(rows(before, t) for t in before),
                "tables dropped and recreated empty": {t: rows(before, t) for t in lost_tables},
                "columns added": {n: str(ADDED_COLUMNS.get(n, "SAME")) for n in added}})
            downgrade(revision=parent)
        bottom = snapshot(copy)
        previous = bottom
        for revision, _parent in reversed(steps[:-1]):
            upgrade(revision=revision)
            now = snapshot(copy)
            assert not differences(previous, now), f"{revision} up: changed {differences(previous, now)}"
            previous = now
        final = snapshot(copy)
        db.engine.dispose()
    assert set(final) == set(full)
    problems = []
    for table in sorted(bottom):  # the tables of the first revision: as the original, but for ADDED_COLUMNS
        for column in sorted(full[table]):
            name = f"{table}.{column}"
            if name in ADDED_COLUMNS:
                problem = expected_added(copy, kind, name, full[table][column], final[table][column])
            else:
                problem = None if final[table][column] == full[table][column] else f"{name} differs"
            if problem:
                problems.append(problem)
    assert not problems, f"after going down to {steps[-1][0]} and back up: {problems}"
    lost = sorted(t for t in full if t not in bottom and rows(full, t))
    assert all(rows(final, t) == 0 for t in lost)
    figures["down to"] = steps[-1][0]
    figures["rows kept through the whole descent"] = sum(rows(full, t) for t in bottom)
    figures["tables emptied by going below the revision that creates them"] = lost
    out = ARTIFACTS / "reliability"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"migrations_full-{kind}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=2),
                                                      encoding="utf-8")
    print(f"migrations on a full database ({kind}): {len(figures['steps'])} steps down and up, "
          f"{figures['rows']} rows in {figures['tables']} tables, none lost beyond what is documented")
    if kind == "postgresql":
        with app.app_context():
            db.engine.dispose()
