"""Generate a province/country for the benchmarks (see scripts/bench/generate --help).

34 provinces and 3,300 communes (Unit rows with materialised paths; commune sizes lognormal, so most
are small and a few are large), and N cases over five years with their letters, senders, citizens,
visits, reception sessions, legal clocks and timelines. Kinds are mixed like a commune's; most cases
are closed, some are open and some of those overdue. The schema comes from the migrations
(``flask db upgrade``); rows are written with PostgreSQL COPY (Core executemany on SQLite), with the
secondary indexes and foreign-key triggers off during the load and rebuilt after it; sequences are
reset and the database ANALYZEd at the end. Deterministic for a given --seed and --today.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import time
from bisect import bisect
from collections.abc import Iterable
from collections.abc import Sequence
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402

import tracker.models  # noqa: E402,F401  (every table on the metadata)
from tracker.id_protection import encrypt_id  # noqa: E402
from tracker.id_protection import hash_id  # noqa: E402
from tracker.models.base import Base  # noqa: E402
from tracker.rules import lifecycle as lc  # noqa: E402
from tracker.rules.text import fold_diacritics  # noqa: E402
from tracker.services.operations import demo_data as d  # noqa: E402

PASSWORD = "benchmark-password"
CHUNK = 50_000  # cases generated and written at a time
YEARS = 5

LETTER_KINDS = (("petition", 38), ("mediation", 22), ("complaint", 18), ("feedback", 14), ("denunciation", 8))
CHANNELS = (("visit", 38), ("post", 27), ("online", 15), ("transferred_in", 10), ("mailbox", 5), ("email", 5))
SUBJECTS = (("land", 45), ("social_policy", 12), ("environment", 10), ("construction", 10), ("site_clearance", 8),
            ("administration", 7), ("family", 4), ("justice", 3), ("other", 1))
# What handling decided for letters that did not become cases (the rest are accepted).
OTHER_DECISIONS = (("guide", 45), ("transfer", 30), ("archive", 15), ("return", 10))
VISIT_ONLY = (("guided", 40), ("answered", 35), ("referred", 20), ("declined", 5))
RESOLVE_DAYS = {"complaint": 30, "denunciation": 30, "petition": 15, "feedback": 15, "land_mediation": 45,
                "land_dispute": 45, "mediation": 20}
CLOCK_OF_KIND = {"complaint": "complaint.resolve", "denunciation": "denunciation.resolve",
                 "petition": "petition.resolve", "feedback": "feedback.resolve", "mediation": "mediation.start",
                 "land_mediation": "land_mediation.resolve", "land_dispute": "land_dispute.resolve"}

COLUMNS: dict[str, tuple[str, ...]] = {
    "citizens": ("id", "unit_id", "full_name", "name_key", "id_number_hash", "id_number_enc", "birth_year", "gender",
                 "neighbourhood", "sealed", "version", "created_at", "updated_at"),
    "reception_sessions": ("id", "unit_id", "held_on", "kind", "host", "version", "created_at", "updated_at"),
    "visits": ("id", "unit_id", "register_year", "register_no", "visited_on", "channel", "kind", "host",
               "session_id", "people_count", "is_group", "content", "classification", "subject",
               "within_competence", "handling", "handling_document_no", "decline_ground", "version", "created_at",
               "updated_at"),
    "visit_citizens": ("visit_id", "citizen_id", "position", "is_representative"),
    "letters": ("id", "unit_id", "register_year", "register_no", "tracking_code", "received_on", "channel",
                "visit_id", "kind", "mediation_type", "subject", "summary", "anonymous", "multi_signature",
                "signer_count", "complex", "second_instance", "status", "eligible", "within_competence",
                "decision", "decided_on", "handler_id", "confidential", "version", "created_at", "updated_at"),
    "letter_senders": ("letter_id", "citizen_id", "position", "is_representative"),
    "cases": ("id", "unit_id", "register_year", "register_no",
              "letter_id", "kind", "status", "is_open", "subject", "summary", "instance",
              "complexity", "remote_area", "received_on", "accepted_on", "handler_id", "extensions", "outcome",
              "closed_on", "next_due_on", "next_clock", "awaiting_decision", "confidential", "version", "created_at",
              "updated_at"),
    "case_events": ("id", "case_id", "unit_id", "at", "on", "action", "from_status", "to_status", "outcome",
                    "actor_id", "document_no"),
    "clocks": ("id", "unit_id", "letter_id", "case_id", "clock", "rule_code", "start_on", "due_on",
               "nominal_due_on", "status", "met_on", "delay_reason", "version"),
}
BIG_TABLES = tuple(COLUMNS)


def _pick(rng: random.Random, table: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in table], cum_weights=list(accumulate(w for _, w in table)))[0]


class Picker:
    """Weighted choice by bisect over cumulative weights (much faster than rng.choices per call)."""

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items, self.cum = list(items), list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect(self.cum, rng.random() * self.total)]


def _table(pairs: Sequence[tuple[str, float]]) -> Picker:
    return Picker([k for k, _ in pairs], [w for _, w in pairs])


class Progress:
    def __init__(self, total: int, label: str, quiet: bool = False) -> None:
        self.total, self.label, self.quiet, self.t0 = total, label, quiet, time.perf_counter()

    def show(self, done: int, note: str = "") -> None:
        if self.quiet:
            return
        frac = done / self.total if self.total else 1.0
        bar = "#" * int(frac * 30)
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / frac - elapsed if frac else 0
        sys.stdout.write(f"\r{self.label} [{bar:<30}] {done:>9,}/{self.total:,} {elapsed:6.0f} s "
                         f"(eta {eta:4.0f} s) {note:<24}")
        sys.stdout.flush()

    def done(self) -> None:
        if not self.quiet:
            sys.stdout.write("\n")


def migrate(url: str) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "benchmark-only"}
    subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "tracker", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)


def recreate_postgres(url: str) -> None:
    """Drop and create the database named in ``url`` (connecting to "postgres"). Refuses "test"."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.database in (None, "", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate database {u.database!r}")
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


def drop_postgres(url: str) -> None:
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if u.database in (None, "", "test", "postgres", "template0", "template1"):
        raise SystemExit(f"refusing to drop database {u.database!r}")
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
    admin.dispose()


class Writer:
    """COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"

    def write(self, table: str, rows: Iterable[Sequence[Any]], columns: Sequence[str] | None = None) -> None:
        columns = columns or COLUMNS[table]
        if self.pg:
            raw = self.conn.connection.driver_connection
            cols = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:  # type: ignore[union-attr]
                for row in rows:
                    copy.write_row(row)
        else:
            t = Base.metadata.tables[table]
            batch = [dict(zip(columns, row, strict=True)) for row in rows]
            for k in range(0, len(batch), 20000):
                self.conn.execute(t.insert(), batch[k:k + 20000])


def _units(n_provinces: int, n_communes: int, rng: random.Random, now: datetime) -> tuple[list[tuple], list[float]]:
    rows, weights = [], []
    cols = ("id", "code", "name", "level", "parent_id", "path", "remote_area", "reception_weekday", "active",
            "reminder_days", "snapshot_weekday", "snapshot_time", "report_convention", "leading_zero", "version",
            "created_at", "updated_at")
    for p in range(1, n_provinces + 1):
        rows.append((p, f"T{p:02d}", f"UBND tỉnh Đo Tốc Độ {p}", "province", None, f"/{p}/", False, 4, True, 3, 1,
                     "07:00", "official", True, 1, now, now))
    # Provinces differ in size too; communes are spread over them.
    prov_w = [rng.lognormvariate(0, 0.5) for _ in range(n_provinces)]
    prov_pick = Picker(list(range(1, n_provinces + 1)), prov_w)
    for i in range(n_communes):
        uid = n_provinces + 1 + i
        p = prov_pick(rng) if i >= n_provinces else i + 1  # every province has at least one commune
        remote = rng.random() < 0.08
        rows.append((uid, f"X{uid:05d}", f"UBND xã Đo Tốc Độ {uid}", "commune", p, f"/{p}/{uid}/", remote, 4, True,
                     3, 1, "07:00", "official", True, 1, now, now))
        weights.append(rng.lognormvariate(0, 1.1))  # median 1, a long tail of big communes
    return [cols, *rows], weights


def generate(url: str, cases: int = 1_000_000, *, seed: int = 20261124, today: date | None = None,
             provinces: int = 34, communes: int = 3300, quiet: bool = False, fresh: bool = True) -> dict[str, Any]:
    """Build the database at ``url`` (recreated on PostgreSQL; the SQLite file replaced) and fill it."""
    today = today or date.today()
    t_start = time.perf_counter()
    pg = url.startswith("postgresql")
    if fresh:
        if pg:
            recreate_postgres(url)
        elif url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).unlink(missing_ok=True)
    migrate(url)
    t_migrated = time.perf_counter()
    rng = random.Random(seed)
    now = datetime(today.year, today.month, today.day, 1, 0, tzinfo=UTC)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    start = date(today.year - YEARS, today.month, 1)
    span = (today - start).days
    counts: dict[str, int] = {t: 0 for t in BIG_TABLES}
    with _app_for_keys(url).app_context(), engine.begin() as conn:
        w = Writer(conn)
        # Seeds the app needs to register letters (deadline rules, calendar) go through the services.
        _seed_rules(url)
        rule_code = {c: code for c, code in conn.execute(text(
            "SELECT kind || '.' || step, max(code) FROM deadline_rules GROUP BY kind, step"))}
        index_defs: list[str] = []
        if pg:
            index_defs = _drop_secondary_indexes(conn)
            conn.execute(text("SET session_replication_role = replica"))  # no FK triggers during the load
        unit_rows, weights = _units(provinces, communes, rng, now)
        w.write("units", unit_rows[1:], unit_rows[0])
        commune_ids = [r[0] for r in unit_rows[1 + provinces:]]
        remote = {r[0]: r[6] for r in unit_rows[1:]}
        users = _users(conn, w, unit_rows[1:], now)
        pick_unit = Picker(commune_ids, weights)
        # Volume grows a little year by year (more people know the channels).
        day_w = [1.0 + 0.5 * k / span for k in range(span + 1)]
        pick_day = Picker(list(range(span + 1)), day_w)
        state = _State()
        progress = Progress(cases, "cases", quiet)
        case_id = 0
        while case_id < cases:
            n = min(CHUNK, cases - case_id)
            chunk = _chunk(rng, state, case_id, n, pick_unit, pick_day, start, today, users, remote, rule_code, now)
            for table in BIG_TABLES:
                rows = chunk[table]
                w.write(table, rows)
                counts[table] += len(rows)
            case_id += n
            progress.show(case_id, f"{sum(counts.values()):,} rows")
        progress.done()
        # Register counters so that new visits and letters continue the books.
        w.write("register_counters", [(u, b, y, n) for (u, b, y), n in state.counters.items()],
                ("unit_id", "book", "year", "last_no"))
        t_loaded = time.perf_counter()
        if pg:
            conn.execute(text("SET session_replication_role = DEFAULT"))
            if not quiet:
                print(f"rebuilding {len(index_defs)} indexes …", flush=True)
            for ddl in index_defs:
                conn.execute(text(ddl))
            for table in ("units", "users", *BIG_TABLES):
                if "id" in (COLUMNS.get(table) or ("id",)):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                      f"(SELECT coalesce(max(id), 1) FROM {table}))"))
    t_indexed = time.perf_counter()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("ANALYZE" if pg else "ANALYZE"))
    engine.dispose()
    t_end = time.perf_counter()
    counts["units"] = provinces + communes
    counts["users"] = len(users["all"])
    return {"counts": counts, "seconds": {"migrate": t_migrated - t_start, "load": t_loaded - t_migrated,
                                          "indexes": t_indexed - t_loaded, "analyze": t_end - t_indexed,
                                          "total": t_end - t_start},
            "today": today.isoformat(), "seed": seed, "cases": cases}


def _app_for_keys(url: str) -> Any:
    """The application whose ID-number keys the generated citizens are hashed and encrypted with (the
    instance folder's, as the benchmarked server will read them)."""
    from tracker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})


def _seed_rules(url: str) -> None:
    from tracker import create_app
    from tracker.extensions import db
    from tracker.services.legal.deadlines import seed_calendar
    from tracker.services.legal.deadlines import seed_deadline_rules

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})
    with app.app_context():
        seed_deadline_rules()
        seed_calendar()
        db.session.remove()
        db.engine.dispose()


def _drop_secondary_indexes(conn: Connection) -> list[str]:
    """Drop the indexes that are not constraints (kept as their DDL, recreated after the load)."""
    rows = conn.execute(text(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(:t) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
        {"t": ["units", "users", *BIG_TABLES]}).all()
    for name, _ddl in rows:
        conn.execute(text(f'DROP INDEX "{name}"'))
    return [ddl for _name, ddl in rows]


def _users(conn: Connection, w: Writer, units: list[tuple], now: datetime) -> dict[str, Any]:
    """A chairperson, a receptionist and a handler per commune; an admin per province. One password."""
    from argon2 import PasswordHasher

    digest = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    cols = ("id", "username", "full_name", "password_hash", "role", "unit_id", "active", "failed_logins",
            "session_token", "version", "created_at", "updated_at")
    rows, handler, chair, receptionist = [], {}, {}, {}
    uid = 0
    for unit in units:
        roles = ("admin",) if unit[3] == "province" else ("chair", "receptionist", "handler")
        for role in roles:
            uid += 1
            rows.append((uid, f"{role}-{unit[1].lower()}", f"Cán bộ {role} {unit[1]}", digest, role, unit[0], True,
                         0, f"bench{uid}", 1, now, now))
            {"handler": handler, "chair": chair, "receptionist": receptionist}.get(role, {})[unit[0]] = uid
    w.write("users", rows, cols)
    return {"all": rows, "handler": handler, "chair": chair, "receptionist": receptionist}


class _State:
    def __init__(self) -> None:
        self.counters: dict[tuple[int, str, int], int] = {}
        self.citizens: dict[int, list[int]] = {}
        self.sessions: dict[tuple[int, date], int] = {}
        self.ids = {"citizen": 0, "visit": 0, "letter": 0, "event": 0, "clock": 0, "session": 0}
        self.names: dict[str, str] = {}

    def next(self, key: str) -> int:
        self.ids[key] += 1
        return self.ids[key]

    def number(self, unit: int, book: str, year: int) -> int:
        k = (unit, book, year)
        n = self.counters.get(k, 0) + 1
        self.counters[k] = n
        return n


_FAMILY = Picker([f for f, _ in d.FAMILY_NAMES], [w for _, w in d.FAMILY_NAMES])
_KIND = _table(LETTER_KINDS)
_CHANNEL = _table(CHANNELS)
_SUBJECT = _table(SUBJECTS)
_OTHER = _table(OTHER_DECISIONS)
_VISIT_ONLY = _table(VISIT_ONLY)
_CONTENTS = [t[3] for t in d.TOPICS]


def _citizen(rng: random.Random, st: _State, unit: int, out: list[tuple], now: datetime, *,
             sealed: bool = False) -> int:
    """A citizen, often one who came before; ``sealed``: a denouncer's registry entry, kept apart from the
    open pool as the product keeps it (tracker.services.privacy.confidentiality)."""
    pool = st.citizens.setdefault(unit, [])
    if pool and not sealed and rng.random() < 0.3:  # people come back
        return pool[int(rng.random() * len(pool))]
    cid = st.next("citizen")
    male = rng.random() < 0.56
    name = f"{_FAMILY(rng)} {rng.choice(d.MIDDLE_MALE if male else d.MIDDLE_FEMALE)} " \
           f"{rng.choice(d.GIVEN_MALE if male else d.GIVEN_FEMALE)}"
    key = st.names.get(name)
    if key is None:
        key = st.names[name] = fold_diacritics(name)
    year = rng.randint(1940, 2005)
    digest = token = None
    if rng.random() < 0.7 and cid < 1_000_000:
        number = f"{unit % 1000:03d}{(year >= 2000) * 2 + (not male)}{year % 100:02d}{cid:06d}"
        digest, token = hash_id(number), encrypt_id(number)  # never stored in clear (tracker/id_protection.py)
    out.append((cid, unit, name, key, digest, token, year, "male" if male else "female",
                d.NEIGHBOURHOODS[cid % len(d.NEIGHBOURHOODS)], sealed, 1, now, now))
    if not sealed:
        pool.append(cid)
    return cid


def _visit(rng: random.Random, st: _State, unit: int, day: date, classification: str, subject: str,
           handling: str, ch: dict[str, list[tuple]], now: datetime) -> int:
    vid = st.next("visit")
    scheduled = rng.random() < 0.12
    session = None
    if scheduled:
        session = st.sessions.get((unit, day))
        if session is None:
            session = st.sessions[(unit, day)] = st.next("session")
            ch["reception_sessions"].append((session, unit, day, "scheduled", "chair", 1, now, now))
    people = rng.randint(5, 15) if rng.random() < 0.04 else 1
    ch["visits"].append((vid, unit, day.year, st.number(unit, "visits", day.year), day, "in_person",
                         "scheduled" if scheduled else "regular", "chair" if scheduled else "officer", session,
                         people, people >= 5, _CONTENTS[vid % len(_CONTENTS)], classification, subject, True,
                         handling, f"{vid}/HD" if handling in ("guided", "referred") else None,
                         "abusive" if handling == "declined" else None, 1, now, now))
    for pos in range(1 if people == 1 else 2):
        cid = _citizen(rng, st, unit, ch["citizens"], now, sealed=classification == "denunciation")
        if pos and ch["visit_citizens"][-1][1] == cid:
            break
        ch["visit_citizens"].append((vid, cid, pos, people > 1))
    return vid


def _classification(kind: str) -> str:
    return kind if kind in ("complaint", "denunciation", "petition", "feedback", "mediation") else "other"


def _chunk(rng: random.Random, st: _State, first: int, n: int, pick_unit: Picker, pick_day: Picker, start: date,
           today: date, users: dict[str, Any], remote: dict[int, bool], rule_code: dict[str, str],
           now: datetime) -> dict[str, list[tuple]]:
    ch: dict[str, list[tuple]] = {t: [] for t in BIG_TABLES}
    handler, chair = users["handler"], users["chair"]
    for k in range(n):
        cid = first + k + 1
        unit = pick_unit(rng)
        received = start + timedelta(days=pick_day(rng))
        # Letters that do not become cases (guided, transferred, archived …), about 35 per 100 cases.
        while rng.random() < 0.26:
            _letter(rng, st, unit, start + timedelta(days=pick_day(rng)), today, None, ch, rule_code, handler, now)
        # Visits that end at the desk (answered, guided, …), about 60 per 100 cases.
        while rng.random() < 0.375:
            day = start + timedelta(days=pick_day(rng))
            kind = _KIND(rng)
            _visit(rng, st, unit, day, _classification(kind), _SUBJECT(rng), _VISIT_ONLY(rng), ch, now)
        letter_id, kind, mtype, subject = _letter(rng, st, unit, received, today, cid, ch, rule_code, handler, now)
        _case(rng, st, cid, unit, letter_id, kind, mtype, subject, received, today, remote[unit], handler[unit],
              chair[unit], ch, rule_code, now)
    return ch


def _letter(rng: random.Random, st: _State, unit: int, received: date, today: date, case_id: int | None,
            ch: dict[str, list[tuple]], rule_code: dict[str, str], handler: dict[int, int],
            now: datetime) -> tuple[int, str, str | None, str]:
    lid = st.next("letter")
    kind = _KIND(rng)
    mtype = ("land_dispute" if rng.random() < 0.3 else "grassroots") if kind == "mediation" else None
    subject = "land" if mtype == "land_dispute" else _SUBJECT(rng)
    channel = _CHANNEL(rng)
    visit_id = None
    if channel == "visit":
        visit_id = _visit(rng, st, unit, received, _classification(kind), subject, "letter_received", ch, now)
    decided = received + timedelta(days=min(10, int(rng.expovariate(1 / 4))))
    if case_id is None:
        decision = _OTHER(rng)
    else:
        decision = "accept"
    pending = decided > today or (case_id is None and received > today - timedelta(days=20) and rng.random() < 0.5)
    status = "registered" if pending and case_id is None else "handled"
    if status == "registered":
        decision, decided_on = None, None
    else:
        decided_on = min(decided, today)
    anonymous = kind == "denunciation" and rng.random() < 0.05
    signers = rng.randint(2, 30) if rng.random() < 0.05 else 1
    ch["letters"].append((
        lid, unit, received.year, st.number(unit, "letters", received.year),
        format((lid * 0x9E3779B97F4A7C15) % (1 << 64), "016X"), received, channel, visit_id, kind, mtype, subject,
        _CONTENTS[lid % len(_CONTENTS)], anonymous, signers > 1, signers, False, False, status,
        None if status == "registered" else decision == "accept",
        None if status == "registered" else decision != "transfer", decision, decided_on, handler[unit],
        kind == "denunciation", 1, now, now))
    if not anonymous:
        ch["letter_senders"].append((lid, _citizen(rng, st, unit, ch["citizens"], now, sealed=kind == "denunciation"),
                                     0, signers > 1))
    # Clocks of the letter: the notice to the sender (met when handled) and the 45-day backstop.
    for clock, days in (("letter.notify", 10), ("letter.backstop", 45)):
        due = received + timedelta(days=days)
        met = decided_on if status == "handled" else None
        ch["clocks"].append((st.next("clock"), unit, lid, None, clock, rule_code.get(clock, clock), received, due,
                             due, "met" if met else "open", met, None, 1))
    return lid, kind, mtype, subject


def _case(rng: random.Random, st: _State, cid: int, unit: int, letter_id: int, letter_kind: str, mtype: str | None,
          subject: str, received: date, today: date, remote: bool, handler: int, chair: int,
          ch: dict[str, list[tuple]], rule_code: dict[str, str], now: datetime) -> None:
    kind = lc.case_kind_for(letter_kind, mtype)
    if kind == "land_mediation" and rng.random() < 0.15:
        kind = "land_dispute"
    accepted = received + timedelta(days=min(10, int(rng.expovariate(1 / 4))))
    if accepted > today:
        accepted = today
    complexity = 1 if rng.random() < 0.12 else 0
    days = RESOLVE_DAYS[kind] * (1.5 if complexity else 1)
    due = accepted + timedelta(days=math.ceil(days * 1.4))  # working days → calendar days, roughly
    # Resolution time: lognormal around 70 % of the legal time; a tail runs late.
    took = max(1, int(rng.lognormvariate(math.log(days * 1.4 * 0.7), 0.45)))
    stuck = rng.random() < 0.01  # a few cases drag on for months
    closed = None if stuck else accepted + timedelta(days=took)
    if closed is not None and closed > today:
        closed = None
    outcomes = lc.OUTCOMES[kind]
    r = rng.random()
    if closed is None:
        status, outcome = ("verifying" if kind not in ("mediation", "land_mediation") else "mediating"), None
        if rng.random() < 0.04:
            status = "suspended"
    elif r < 0.84:
        status, outcome = "concluded", outcomes[int(rng.random() * len(outcomes))]
    elif r < 0.90:
        status, outcome = "terminated", "withdrawn"
    elif r < 0.93:
        status, outcome = "terminated", "terminated"
    else:
        status = "sent_up"
        outcome = "failed" if kind in ("mediation", "land_mediation") else "sent_up"
    is_open = closed is None
    clock = CLOCK_OF_KIND[kind]
    clock_status = "open" if is_open else "met"
    if status == "suspended":
        clock_status = "stopped"
    clock_due = None if clock_status == "stopped" else due
    delay = "site_verification" if is_open and due < today and rng.random() < 0.5 else None
    ch["clocks"].append((st.next("clock"), unit, None, cid, clock, rule_code.get(clock, clock), accepted, clock_due,
                         due, clock_status, closed, delay, 1))
    awaiting = is_open and rng.random() < 0.1
    number = st.number(unit, "case", accepted.year)
    ch["cases"].append((cid, unit, accepted.year, number, letter_id, kind, status, is_open, subject,
                        _CONTENTS[cid % len(_CONTENTS)], 1,
                        complexity, remote, received, accepted, handler, 0, outcome, closed,
                        clock_due if is_open else None, clock if is_open and clock_due else None, awaiting,
                        kind == "denunciation", 1, now, now))
    ev = ch["case_events"]
    at = datetime(accepted.year, accepted.month, accepted.day, 2, tzinfo=UTC)
    ev.append((st.next("event"), cid, unit, at, accepted, "accept", None, "accepted", None, chair, f"{cid}/QĐ-TL"))
    step = "mediate" if kind in ("mediation", "land_mediation") else "verify"
    to = "mediating" if step == "mediate" else "verifying"
    ev.append((st.next("event"), cid, unit, at, accepted + timedelta(days=2), step, "accepted", to, None, handler,
               None))
    if closed is not None:
        action = {"concluded": "conclude", "sent_up": "send_up"}.get(status, "withdraw" if outcome == "withdrawn"
                                                                    else "terminate")
        cat = datetime(closed.year, closed.month, closed.day, 3, tzinfo=UTC)
        ev.append((st.next("event"), cid, unit, cat, closed, action, to, status, outcome, chair, f"{cid}/QĐ-GQ"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench/generate", description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_country",
                        help="PostgreSQL database to (re)create and fill (default: %(default)s; never 'test')")
    parser.add_argument("--sqlite", metavar="FILE", help="instead, one commune in this SQLite file (replaced)")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--provinces", type=int, default=34)
    parser.add_argument("--communes", type=int, default=3300)
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="last day of data (default today)")
    args = parser.parse_args(argv)
    if args.sqlite:
        url = f"sqlite:///{Path(args.sqlite).resolve()}"
        info = generate(url, args.cases, seed=args.seed, today=args.today, provinces=1, communes=1)
    else:
        info = generate(args.postgres, args.cases, seed=args.seed, today=args.today, provinces=args.provinces,
                        communes=args.communes)
    s = info["seconds"]
    print(f"rows: {', '.join(f'{k} {v:,}' for k, v in info['counts'].items())}")
    print(f"time: migrate {s['migrate']:.1f} s, load {s['load']:.1f} s, indexes {s['indexes']:.1f} s, "
          f"analyze {s['analyze']:.1f} s, total {s['total']:.1f} s")


if __name__ == "__main__":
    main()
