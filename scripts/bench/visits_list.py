"""Benchmark: the visit list with 200,000 visits in one unit (see scripts/bench/visits_list --help).

Builds a database through the migrations, bulk-inserts visits, citizens and visit_citizens with Core
executemany (no services, no audit rows), then times pages of the visit list through the Flask test
client logged in as a receptionist and shows the query plans. Prints medians; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402
from sqlalchemy import text  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.id_protection import encrypt_id  # noqa: E402
from tracker.id_protection import hash_id  # noqa: E402
from tracker.models import Citizen  # noqa: E402
from tracker.models import Visit  # noqa: E402
from tracker.models import VisitCitizen  # noqa: E402
from tracker.rules.text import fold_diacritics  # noqa: E402
from tracker.services.operations import demo_data as d  # noqa: E402
from tracker.services.operations.units import create_unit  # noqa: E402
from tracker.services.operations.users import UserInput  # noqa: E402
from tracker.services.operations.users import create_user  # noqa: E402

PASSWORD = "benchmark-password"
CASES = (
    ("first page", "/visits/"),
    ("filtered: complaints, 01/01–30/06/2025", "/visits/?classification=complaint&date_from=01/01/2025"
                                                "&date_to=30/06/2025"),
    ("name search \"nguyen van hung\"", "/visits/?q=nguyen+van+hung"),
    ("name search, rare \"ta thi tuyet\"", "/visits/?q=ta+thi+tuyet"),
    ("register number search \"1234\"", "/visits/?q=1234"),
    ("page 2000 (deep offset)", "/visits/?page=2000"),
)
CLASSES = (("petition", 30), ("feedback", 22), ("mediation", 20), ("complaint", 15), ("denunciation", 4),
           ("other", 9))
SUBJECTS = (("land", 45), ("social_policy", 12), ("environment", 10), ("construction", 10), ("site_clearance", 8),
            ("administration", 7), ("family", 4), ("justice", 3), ("other", 1))
HANDLINGS = (("letter_received", 40), ("guided", 28), ("referred", 16), ("answered", 14), ("declined", 2))


def migrate(url: str) -> None:
    env = {**os.environ, "TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "benchmark-only"}
    subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "tracker", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)


def reset_postgres(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only"})
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def pick(rng: random.Random, table: tuple[tuple[str, float], ...], n: int) -> list[str]:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table], k=n)


def fill(n_visits: int, unit_id: int, seed: int) -> dict[str, int]:
    """Insert ``n_visits`` visits over eight years, with about one citizen per three visits."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    n_citizens = n_visits // 3
    citizens, numbers = [], set()
    for i in range(1, n_citizens + 1):
        male = rng.random() < 0.56
        name = " ".join((rng.choices([f for f, _ in d.FAMILY_NAMES], [w for _, w in d.FAMILY_NAMES])[0],
                         rng.choice(d.MIDDLE_MALE if male else d.MIDDLE_FEMALE),
                         rng.choice(d.GIVEN_MALE if male else d.GIVEN_FEMALE)))
        year = rng.randint(1940, 2005)
        prefix = f"038{(year >= 2000) * 2 + (not male)}{year % 100:02d}"
        while (number := f"{prefix}{rng.randrange(10 ** 6):06d}") in numbers:
            pass
        numbers.add(number)
        citizens.append({"id": i, "unit_id": unit_id, "full_name": name, "name_key": fold_diacritics(name),
                         "id_number_hash": hash_id(number), "id_number_enc": encrypt_id(number),
                         "birth_year": year, "gender": "male" if male else "female",
                         "phone": None, "address": None, "neighbourhood": rng.choice(d.NEIGHBOURHOODS),
                         "version": 1, "created_at": now, "updated_at": now})
    end = date.today()
    start = date(end.year - 7, 1, 1)
    span = (end - start).days
    days = sorted(start + timedelta(days=rng.randrange(span + 1)) for _ in range(n_visits))
    classes, subjects = pick(rng, CLASSES, n_visits), pick(rng, SUBJECTS, n_visits)
    handlings = pick(rng, HANDLINGS, n_visits)
    contents = [t[3] for t in d.TOPICS]
    visits, links, per_year = [], [], {}
    for i, day in enumerate(days, start=1):
        per_year[day.year] = per_year.get(day.year, 0) + 1
        people = rng.randint(5, 15) if rng.random() < 0.04 else 1
        visits.append({"id": i, "unit_id": unit_id, "register_year": day.year, "register_no": per_year[day.year],
                       "visited_on": day, "visited_at": None, "channel": "in_person", "kind": "regular",
                       "host": "officer", "host_name": None, "session_id": None, "people_count": people,
                       "is_group": people >= 5, "content": rng.choice(contents), "classification": classes[i - 1],
                       "subject": subjects[i - 1], "within_competence": True, "handling": handlings[i - 1],
                       "decline_ground": "abusive" if handlings[i - 1] == "declined" else None,
                       "version": 1, "created_at": now, "updated_at": now})
        for pos, cid in enumerate(rng.sample(range(1, n_citizens + 1), 1 if people == 1 else rng.randint(1, 2))):
            links.append({"visit_id": i, "citizen_id": cid, "position": pos, "is_representative": people > 1})
    with db.engine.begin() as conn:
        for table, rows in ((Citizen.__table__, citizens), (Visit.__table__, visits),
                            (VisitCitizen.__table__, links)):
            for k in range(0, len(rows), 20000):
                conn.execute(table.insert(), rows[k:k + 20000])
        if db.engine.dialect.name == "postgresql":
            for table in ("citizens", "visits"):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM "
                                  f"{table}))"))
            conn.execute(text("ANALYZE"))  # what autovacuum does within a minute of a bulk load
    return {"citizens": len(citizens), "visits": len(visits), "visit_citizens": len(links)}


class Recorder:
    """Collects the SQL of one request with each statement's time."""

    def __init__(self) -> None:
        self.active, self.items = False, []

    def before(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        conn.info["t0"] = time.perf_counter()

    def after(self, conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if self.active:
            self.items.append((statement, parameters, (time.perf_counter() - conn.info["t0"]) * 1000))


def explain(statement: str, parameters: object) -> str:
    if db.engine.dialect.name == "postgresql":
        sql = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement
    else:
        sql = "EXPLAIN QUERY PLAN " + statement
    with db.engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, parameters).fetchall()  # type: ignore[arg-type]
    if db.engine.dialect.name == "postgresql":
        return "\n".join(r[0] for r in rows)
    return "\n".join(f"{r[1]:>3} {r[2]:>3} {r[3]}" for r in rows)


def short_sql(statement: str) -> str:
    statement = re.sub(r"\s+", " ", statement)
    statement = re.sub(r"SELECT (visits|citizens|visit_citizens)\.\w+[^F]*?FROM", r"SELECT \1.* … FROM", statement)
    return statement[:400]


def run(label: str, url: str, n_visits: int, runs: int) -> dict[str, object]:
    print(f"== {label}: {url}", flush=True)
    migrate(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
                      "ARGON2_PARALLELISM": 1})
    result: dict[str, object] = {"label": label, "cases": []}
    with app.app_context():
        unit = create_unit("BENCH", "UBND xã Đo Tốc Độ")
        create_user(UserInput("letan", "receptionist", unit.code, PASSWORD, "Trần Thị Mai"))
        t0 = time.perf_counter()
        counts = fill(n_visits, unit.id, seed=20261123)
        result["load_s"] = time.perf_counter() - t0
        result["counts"] = counts
        print(f"   inserted {counts} in {result['load_s']:.1f} s", flush=True)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                result["server"] = conn.exec_driver_sql("SHOW server_version").scalar()
        else:
            result["server"] = f"SQLite {sqlite3.sqlite_version}"
        recorder = Recorder()
        event.listen(db.engine, "before_cursor_execute", recorder.before)
        event.listen(db.engine, "after_cursor_execute", recorder.after)
        client = app.test_client()
        page = client.post("/login", data={"username": "letan", "password": PASSWORD})
        assert page.status_code in (302, 303), page.status_code
        for name, path in CASES:
            client.get(path)  # warm-up
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{path}: HTTP {response.status_code}")
            total = re.search(r'class="muted">([^<]*?)</span>\s*</div>', response.get_data(as_text=True))
            recorder.items, recorder.active = [], True
            client.get(path)
            recorder.active = False
            seen: dict[str, list[object]] = {}
            for s, p, ms in recorder.items:
                if "FROM visits" in s and s.lstrip().startswith("SELECT"):
                    seen.setdefault(s, [p, 0.0, 0])
                    seen[s][1] += ms  # type: ignore[operator]
                    seen[s][2] += 1  # type: ignore[operator]
            plans = [(short_sql(s), ms, n, explain(s, p)) for s, (p, ms, n) in seen.items()]
            case = {"name": name, "path": path, "median": statistics.median(times), "min": min(times),
                    "max": max(times), "total": total.group(1) if total else "?", "queries": plans,
                    "n_queries": len(recorder.items), "sql_ms": sum(ms for _s, _p, ms in recorder.items)}
            result["cases"].append(case)  # type: ignore[attr-defined]
            print(f"   {name:45} median {case['median']:8.1f} ms  (min {case['min']:.1f}, max {case['max']:.1f}; "
                  f"{case['total']}; {case['n_queries']} queries, {case['sql_ms']:.1f} ms in SQL)", flush=True)
            for sql, ms, n, _plan in plans:
                print(f"      {ms:8.1f} ms ×{n:<3} {sql[:110]}", flush=True)
        db.session.remove()
        db.engine.dispose()
    return result


def machine() -> str:
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))  # type: ignore[union-attr]
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    cpu = "?"
    try:
        cpu = re.search(r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text()).group(1)  # type: ignore[union-attr]
    except (OSError, AttributeError):
        pass
    return f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, Python " \
           f"{platform.python_version()}"


def markdown(results: list[dict[str, object]], command: str, runs: int) -> str:
    out = ["## Visit list, 200,000 visits", "",
           f"Measured {datetime.now(UTC):%Y-%m-%d} on {machine()}.", "",
           f"Command: `{command}`", "",
           "Each page is fetched through the Flask test client, logged in as a receptionist (full request: "
           f"login check, queries, template). Median of {runs} runs after one warm-up; times in milliseconds. "
           "Data: one unit, visits spread over eight years, one citizen per three visits, 4 % group visits; "
           "bulk-inserted with Core executemany after `flask db upgrade`.", ""]
    for r in results:
        out += [f"### {r['label']} ({r['server']})", "",
                "Loaded " + ", ".join(f"{n:,} {t}" for t, n in r["counts"].items())  # type: ignore[attr-defined]
                + f" rows in {r['load_s']:.1f} s.", "",
                "| Page | Median | Min | Max | SQL statements (time) | Matches |", "|---|---:|---:|---:|---:|---|"]
        for c in r["cases"]:  # type: ignore[attr-defined]
            out.append(f"| {c['name']} (`{c['path']}`) | {c['median']:.1f} | {c['min']:.1f} | {c['max']:.1f} "
                       f"| {c['n_queries']} ({c['sql_ms']:.1f}) | {c['total']} |")
        out += ["", "Queries on `visits` per page (time of one run) and their plans:", ""]
        for c in r["cases"]:  # type: ignore[attr-defined]
            out += [f"<details><summary>{c['name']}</summary>", ""]
            for sql, ms, n, plan in c["queries"]:
                out += [f"{ms:.1f} ms, run {n}× — `{sql}`", "", "```", plan, "```", ""]
            out += ["</details>", ""]
    return "\n".join(out)


def write_docs(section: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Visit list, 200,000 visits\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: section.rstrip() + "\n\n", current)
    else:
        current = current.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(current.rstrip() + "\n", encoding="utf-8")
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench/visits_list", description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7, help="timed runs per page (median shown)")
    parser.add_argument("--postgres", metavar="URL", help="also run on this PostgreSQL database (it is EMPTIED)")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite run")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--sqlite-path", metavar="FILE", help="keep the SQLite database in FILE (replaced if present)")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        if not args.no_sqlite:
            path = Path(args.sqlite_path).resolve() if args.sqlite_path else Path(tmp) / "bench.sqlite"
            path.unlink(missing_ok=True)
            results.append(run("SQLite file", f"sqlite:///{path}", args.visits, args.runs))
        if args.postgres:
            reset_postgres(args.postgres)
            results.append(run("PostgreSQL", args.postgres, args.visits, args.runs))
    if not args.no_docs and results:
        command = "scripts/bench/visits_list" + "".join(
            f" {a}" if not a.startswith("postgresql") and "://" not in a else " URL" for a in sys.argv[1:])
        write_docs(markdown(results, command, args.runs))


if __name__ == "__main__":
    main()
