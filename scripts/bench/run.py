"""Benchmarks at province scale against the floor (see scripts/bench/run --help).

1. weekly list of one commune: GET /api/v1/weekly on gunicorn vs a bare Flask endpoint with hand-written SQL
   (scripts/bench/minimal_app.py) on the same gunicorn settings; A/B requests interleaved.
2. reports: report_stats.compute for a half-year of one commune, a province and the whole country vs a
   hand-written SQL aggregate; the numbers are checked equal before timing; A/B interleaved.
3. concurrent writes: 8 clients POST /api/v1/visits and /api/v1/letters on gunicorn (4 workers).
4. peak memory (VmHWM) of the web workers under that load, and of the report job (a subprocess).
Prints medians and ratios; asserts no timings.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from sqlalchemy import text  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_country"
GUNICORN = str(ROOT / ".venv/bin/gunicorn")


# ---------------------------------------------------------------- helpers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A gunicorn subprocess on a free localhost port; stopped (by its own pid) on exit."""

    def __init__(self, target: str, env: dict[str, str], workers: int, pythonpath: str | None = None) -> None:
        self.port = free_port()
        cmd = [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
               "--timeout", "120"]
        if pythonpath:
            cmd += ["--pythonpath", pythonpath]
        self.proc = subprocess.Popen([*cmd, target], cwd=ROOT, env={**os.environ, **env})
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"gunicorn {target} exited with {self.proc.returncode}") from None
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("gunicorn did not start")

    def workers(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def vm_hwm_kib(pid: int) -> int:
    try:
        m = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


def get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn.request("GET", path, headers=headers or {})
    r = conn.getresponse()
    return r.status, r.read()


def app_env(url: str, today: str) -> dict[str, str]:
    return {"TRACKER_DATABASE_URL": url, "TRACKER_SECRET_KEY": "benchmark-only", "TRACKER_FIXED_TODAY": today,
            "TRACKER_RATELIMIT_ENABLED": "false", "TRACKER_SCHEDULER": "off"}


def make_app(url: str) -> Any:
    from tracker import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "benchmark-only", "RATELIMIT_ENABLED": False})


def machine(url: str) -> dict[str, str]:
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
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        server = (conn.exec_driver_sql("SHOW server_version").scalar() if engine.dialect.name == "postgresql"
                  else "SQLite " + str(conn.exec_driver_sql("select sqlite_version()").scalar()))
    engine.dispose()
    return {"cores": str(os.cpu_count()), "cpu": cpu, "memory": mem, "database": f"PostgreSQL {server}"
            if engine.dialect.name == "postgresql" else str(server), "python": platform.python_version(),
            "kernel": platform.release()}


def subjects(url: str) -> dict[str, Any]:
    """The commune with most cases, its province, the data's last day and a chair's API token."""
    from tracker.extensions import db
    from tracker.services.operations.tokens import issue_token

    app = make_app(url)
    with app.app_context():
        conn = db.session
        unit_id, n_cases = conn.execute(text(
            "SELECT unit_id, count(*) FROM cases GROUP BY unit_id ORDER BY count(*) DESC, unit_id LIMIT 1")).one()
        province_id = conn.execute(text("SELECT parent_id FROM units WHERE id = :u"), {"u": unit_id}).scalar()
        big_province = conn.execute(text(
            "SELECT u.parent_id FROM cases c JOIN units u ON u.id = c.unit_id WHERE u.parent_id IS NOT NULL "
            "GROUP BY u.parent_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        today = conn.execute(text("SELECT max(received_on) FROM letters")).scalar()
        today = date.fromisoformat(str(today)[:10])
        code = conn.execute(text("SELECT code FROM units WHERE id = :u"), {"u": unit_id}).scalar()
        chair = conn.execute(text("SELECT username FROM users WHERE unit_id = :u AND role = 'chair'"),
                             {"u": unit_id}).scalar()
        writers = [r[0] for r in conn.execute(text(
            "SELECT username FROM users WHERE role = 'receptionist' ORDER BY unit_id LIMIT 2"))]
        total = conn.execute(text("SELECT count(*) FROM cases")).scalar()
        result = {"unit_id": unit_id, "unit_code": code, "unit_cases": n_cases, "province_id": province_id,
                  "big_province_id": big_province or province_id, "today": today, "total_cases": total,
                  "chair_token": issue_token(chair), "writer_tokens": [issue_token(u) for u in writers]}
        db.session.remove()
        db.engine.dispose()
    return result


def ratio_line(name: str, a: list[float], b: list[float]) -> dict[str, Any]:
    ma, mb = statistics.median(a), statistics.median(b)
    row = {"name": name, "app_ms": ma, "floor_ms": mb, "ratio": ma / mb if mb else float("nan"), "runs": len(a)}
    print(f"  {name:42} app {ma:9.2f} ms   floor {mb:9.2f} ms   ratio {row['ratio']:5.2f}×  ({len(a)} runs)",
          flush=True)
    return row


# ---------------------------------------------------------------- 1. weekly list

def bench_weekly(url: str, s: dict[str, Any], runs: int, workers: int = 2) -> dict[str, Any]:
    from tracker.rules.weeks import parse_week
    from tracker.rules.weeks import week_code

    today: date = s["today"]
    week = week_code(today)
    monday, _sunday = parse_week(week)
    env = app_env(url, today.isoformat())
    with Server("tracker:create_app()", env, workers) as app_srv, \
            Server("minimal_app:app", {**env, "BENCH_DATABASE_URL": url}, workers, str(BENCH)) as floor_srv:
        a = http.client.HTTPConnection("127.0.0.1", app_srv.port, timeout=120)
        b = http.client.HTTPConnection("127.0.0.1", floor_srv.port, timeout=120)
        path_a = f"/api/v1/weekly?unit={s['unit_code']}&week={week}"
        headers = {"Authorization": f"Bearer {s['chair_token']}"}
        path_b = f"/weekly?unit={s['unit_id']}&monday={monday.isoformat()}&ref={today.isoformat()}"
        status_a, body_a = get(a, path_a, headers)
        status_b, body_b = get(b, path_b)
        if status_a != 200 or status_b != 200:
            raise RuntimeError(f"weekly: HTTP {status_a} / {status_b}: {body_a[:300]!r} {body_b[:300]!r}")
        ja, jb = json.loads(body_a), json.loads(body_b)
        same = {k: ja[k] == jb[k] for k in jb}
        if not all(same.values()):
            raise RuntimeError(f"weekly: the floor's rows differ from the app's: {same}")
        items = sum(len(v) for v in jb.values() if isinstance(v, list))
        for _ in range(3):  # warm both
            get(a, path_a, headers)
            get(b, path_b)
        ta, tb = [], []
        for i in range(runs):
            for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                t = time.perf_counter()
                status, _ = get(a, path_a, headers) if which == 0 else get(b, path_b)
                (ta if which == 0 else tb).append((time.perf_counter() - t) * 1000)
                assert status == 200
        a.close()
        b.close()
    print(f"weekly list of {s['unit_code']} ({s['unit_cases']:,} cases in the commune; {items} items), week {week}:")
    row = ratio_line("GET /api/v1/weekly vs minimal endpoint", ta, tb)
    row.update({"unit": s["unit_code"], "week": week, "items": items, "unit_cases": s["unit_cases"]})
    return row


# ---------------------------------------------------------------- 2. reports

OPTIMAL_CASES = """
SELECT c.kind, coalesce(l.channel = 'transferred_in', false) AS tr,
  count(*) FILTER (WHERE c.accepted_on >= :d1),
  count(*) FILTER (WHERE c.accepted_on < :d1),
  count(*) FILTER (WHERE c.closed_on BETWEEN :d1 AND :d2),
  count(*) FILTER (WHERE c.closed_on BETWEEN :d1 AND :d2 AND k.due_on IS NOT NULL AND c.closed_on <= k.due_on - 5),
  count(*) FILTER (WHERE c.closed_on BETWEEN :d1 AND :d2 AND c.closed_on > k.due_on - 5 AND c.closed_on <= k.due_on),
  count(*) FILTER (WHERE c.closed_on BETWEEN :d1 AND :d2 AND c.closed_on > k.due_on),
  count(*) FILTER (WHERE c.closed_on BETWEEN :d1 AND :d2 AND k.due_on IS NULL),
  count(*) FILTER (WHERE c.closed_on IS NULL OR c.closed_on > :d2),
  count(*) FILTER (WHERE (c.closed_on IS NULL OR c.closed_on > :d2) AND EXISTS (
      SELECT 1 FROM clocks o WHERE o.case_id = c.id AND o.status <> 'cancelled' AND o.due_on < :d2
      AND (o.met_on IS NULL OR o.met_on > :d2)))
FROM cases c
LEFT JOIN letters l ON l.id = c.letter_id
LEFT JOIN clocks k ON k.case_id = c.id AND k.status <> 'cancelled' AND k.clock IN :resolution
WHERE {units} c.accepted_on <= :d2 AND (c.closed_on IS NULL OR c.closed_on >= :d1)
GROUP BY 1, 2"""
OPTIMAL_VISITS = """
SELECT kind, host, handling, within_competence, is_group, classification, count(*), coalesce(sum(people_count), 0)
FROM visits v WHERE {units} v.visited_on BETWEEN :d1 AND :d2 GROUP BY 1, 2, 3, 4, 5, 6"""
OPTIMAL_SESSIONS = """
SELECT kind, count(*) FROM reception_sessions s WHERE {units} s.held_on BETWEEN :d1 AND :d2 GROUP BY 1"""
OPTIMAL_LETTERS = """
SELECT kind, mediation_type, channel, subject, decision, eligible, within_competence, multi_signature,
       duplicate_of_id IS NOT NULL, count(*), min(id)
FROM letters l WHERE {units} l.received_on BETWEEN :d1 AND :d2 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"""
OPTIMAL_CARRIED = """
SELECT kind, count(*) FILTER (WHERE received_on < :d1), count(*) FILTER (WHERE decided_on IS NULL OR decided_on > :d2)
FROM letters l WHERE {units} l.received_on <= :d2 AND (l.decided_on IS NULL OR l.decided_on >= :d1) GROUP BY 1"""
OPTIMAL_OUTCOMES = """
SELECT c.kind, c.outcome, c.status, coalesce(l.channel = 'transferred_in', false),
       EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id AND e.action = 'mediate'), count(*)
FROM cases c LEFT JOIN letters l ON l.id = c.letter_id
WHERE {units} c.closed_on BETWEEN :d1 AND :d2 GROUP BY 1, 2, 3, 4, 5"""


def _units_clause(alias: str, scope: str) -> str:
    if scope == "commune":
        return f"{alias}.unit_id = :unit AND"
    if scope == "province":
        return f"{alias}.unit_id IN (SELECT id FROM units WHERE path LIKE :prefix) AND"
    return ""  # the whole country: every row


def optimal(conn: Any, scope: str, params: dict[str, Any], early_margin: int) -> dict[str, Any]:
    from sqlalchemy import bindparam

    from tracker.rules.reporting import RESOLUTION_CLOCKS

    cases_sql = OPTIMAL_CASES.replace("- 5", f"- {early_margin}")
    if conn.dialect.name == "sqlite":
        cases_sql = cases_sql.replace(f"k.due_on - {early_margin}", f"date(k.due_on, '-{early_margin} day')")
    out: dict[str, Any] = {"cases": {}, "visits": {}, "letters": {}, "outcomes": {}}
    stmt = text(cases_sql.format(units=_units_clause("c", scope))).bindparams(
        bindparam("resolution", expanding=True))
    for r in conn.execute(stmt, {**params, "resolution": list(RESOLUTION_CLOCKS.values())}):
        key = r[0]
        prev = out["cases"].get(key, [0] * 9)
        out["cases"][key] = [p + int(x) for p, x in zip(prev, r[2:], strict=True)]
    for r in conn.execute(text(OPTIMAL_VISITS.format(units=_units_clause("v", scope))), params):
        n, p = out["visits"].get(r[5], (0, 0))
        out["visits"][r[5]] = (n + int(r[6]), p + int(r[7]))
    out["sessions"] = {r[0]: int(r[1]) for r in conn.execute(
        text(OPTIMAL_SESSIONS.format(units=_units_clause("s", scope))), params)}
    for r in conn.execute(text(OPTIMAL_LETTERS.format(units=_units_clause("l", scope))), params):
        out["letters"][r[0]] = out["letters"].get(r[0], 0) + int(r[9])
    out["carried"] = {r[0]: (int(r[1]), int(r[2])) for r in conn.execute(
        text(OPTIMAL_CARRIED.format(units=_units_clause("l", scope))), params)}
    for r in conn.execute(text(OPTIMAL_OUTCOMES.format(units=_units_clause("c", scope))), params):
        out["outcomes"][(r[0], r[1])] = out["outcomes"].get((r[0], r[1]), 0) + int(r[5])
    return out


def comparable(stats: dict[str, Any]) -> dict[str, Any]:
    """The same numbers out of report_stats.compute's document."""
    from tracker.services.reports.report_stats import CASE_COLUMNS

    cases = {k: [v[c] for c in CASE_COLUMNS] for k, v in stats["cases"]["by_kind"].items() if any(v.values())}
    v = stats["visits"]
    return {"cases": cases, "visits_total": v["total"], "visits_people": v["people"],
            "visits_by_classification": {k: n for k, n in v["by_classification"].items() if n},
            "sessions": {k: n for k, n in stats["sessions"].items() if n and k != "total"},
            "letters_received": stats["letters"]["received"], "letters_carried": stats["letters"]["carried_over"],
            "letters_pending": stats["letters"]["pending_at_end"],
            "letters_by_kind": {k: n for k, n in stats["letters"]["by_kind"].items() if n}}


def comparable_optimal(o: dict[str, Any]) -> dict[str, Any]:
    return {"cases": {k: v for k, v in o["cases"].items() if any(v)},
            "visits_total": sum(n for n, _p in o["visits"].values()),
            "visits_people": sum(p for _n, p in o["visits"].values()),
            "visits_by_classification": {k: n for k, (n, _p) in o["visits"].items() if n},
            "sessions": {k: n for k, n in o["sessions"].items() if n},
            "letters_received": sum(o["letters"].values()),
            "letters_carried": sum(b for b, _c in o["carried"].values()),
            "letters_pending": sum(c for _b, c in o["carried"].values()),
            "letters_by_kind": {k: a for k, a in o["letters"].items() if a}}


def bench_reports(url: str, s: dict[str, Any], runs: int) -> list[dict[str, Any]]:
    from tracker.extensions import db
    from tracker.models import Unit
    from tracker.rules.reporting import TIMELINESS
    from tracker.services.reports import report_stats
    from tracker.services.reports.periodic import resolve_span

    app = make_app(url)
    rows = []
    with app.app_context():
        commune = db.session.get(Unit, s["unit_id"])
        province = db.session.get(Unit, s["big_province_id"])
        country = Unit(code="VN", name="Cả nước", level="province", path="/")  # never added to the session
        span = resolve_span(commune, f"{s['today'].year}-H1", today=s["today"])
        if span.date_to >= s["today"]:
            span = resolve_span(commune, f"{s['today'].year - 1}-H1", today=s["today"])
        d1, d2 = span.date_from, span.date_to
        print(f"reports for {span.period.code} ({d1} – {d2}):")
        for label, unit, scope, n in (("one commune, half-year", commune, "commune", runs),
                                      ("province roll-up, half-year", province, "province", max(3, runs // 3)),
                                      ("country roll-up, half-year", country, "country", max(3, runs // 5))):
            params = {"d1": d1, "d2": d2, "unit": unit.id, "prefix": f"{unit.path}%"}

            def run_app(unit: Any = unit) -> dict[str, Any]:
                result = report_stats.compute(unit, d1, d2)
                db.session.rollback()
                return result

            def run_floor(scope: str = scope, params: dict[str, Any] = params) -> dict[str, Any]:
                with db.engine.connect() as conn:
                    return optimal(conn, scope, params, TIMELINESS.early_margin_days)

            got, want = comparable(run_app()), comparable_optimal(run_floor())
            if got != want:
                diff = {k: (got[k], want[k]) for k in got if got[k] != want[k]}
                raise RuntimeError(f"report {label}: numbers differ from the SQL aggregate: {diff}")
            ta, tb = [], []
            for i in range(n):
                for which in ((0, 1) if i % 2 == 0 else (1, 0)):
                    t = time.perf_counter()
                    run_app() if which == 0 else run_floor()
                    (ta if which == 0 else tb).append((time.perf_counter() - t) * 1000)
            row = ratio_line(label, ta, tb)
            row.update({"cases_in_scope": sum(sum(v[:2]) for v in want["cases"].values()),
                        "visits": want["visits_total"], "letters": want["letters_received"], "same_numbers": True,
                        "period": span.period.code})
            rows.append(row)
        db.session.remove()
        db.engine.dispose()
    return rows


# ---------------------------------------------------------------- 3. concurrent writes + 4. worker memory

def _visit_body(today: date, i: int) -> dict[str, Any]:
    return {"visited_on": today.isoformat(), "kind": "regular", "host": "officer", "people_count": 1,
            "citizens": [{"full_name": f"Nguyễn Văn Thử {i}", "birth_year": 1970 + i % 30}],
            "content": "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất", "classification": "petition",
            "subject": "land", "handling": "answered"}


def _letter_body(today: date, i: int) -> dict[str, Any]:
    return {"received_on": today.isoformat(), "channel": "post", "kind": "complaint", "subject": "land",
            "senders": [{"full_name": f"Trần Thị Thử {i}", "birth_year": 1960 + i % 40}],
            "summary": "Khiếu nại quyết định thu hồi đất của UBND xã"}


def bench_writes(url: str, s: dict[str, Any], total: int, clients: int = 8, workers: int = 4) -> dict[str, Any]:
    today: date = s["today"]
    env = app_env(url, today.isoformat())
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    counter = iter(range(total))
    with Server("tracker:create_app()", env, workers) as srv:
        peak: dict[int, int] = {}
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for pid in srv.workers():
                    peak[pid] = max(peak.get(pid, 0), vm_hwm_kib(pid))
                time.sleep(0.2)

        def client(k: int) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
            token = s["writer_tokens"][k % len(s["writer_tokens"])]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    break
                path, body = (("/api/v1/visits", _visit_body(today, i)) if i % 2 == 0
                              else ("/api/v1/letters", _letter_body(today, i)))
                t = time.perf_counter()
                try:
                    conn.request("POST", path, body=json.dumps(body), headers=headers)
                    r = conn.getresponse()
                    data = r.read()
                    status = r.status
                except OSError as exc:
                    status, data = 0, str(exc).encode()
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=120)
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    latencies.append(ms)
                    if status != 201:
                        errors.append(f"{path} {status} {data[:200]!r}")
            conn.close()

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
        t0 = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        elapsed = time.perf_counter() - t0
        stop.set()
        sampler.join()
        for pid in srv.workers():
            peak[pid] = max(peak.get(pid, 0), vm_hwm_kib(pid))
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else 0.0
    row = {"requests": total, "clients": clients, "workers": workers, "seconds": elapsed,
           "throughput": total / elapsed if elapsed else 0.0, "p50_ms": statistics.median(latencies) if latencies
           else 0.0, "p95_ms": p95, "errors": len(errors), "error_samples": errors[:5],
           "worker_peak_mib": max(peak.values()) / 1024 if peak else 0.0}
    print(f"concurrent writes: {total} POSTs (visits and letters alternately) from {clients} clients on {workers} "
          f"workers: {row['throughput']:.1f} req/s, p50 {row['p50_ms']:.1f} ms, p95 {p95:.1f} ms, "
          f"errors {len(errors)}; peak worker RSS {row['worker_peak_mib']:.1f} MiB", flush=True)
    for e in errors[:5]:
        print("   ", e)
    return row


# ---------------------------------------------------------------- 4. report job memory

def report_job(url: str, scope: str) -> None:
    """Run in a subprocess: build the numbers of the country (or the largest province) for the last
    half-year, then print the peak RSS of this process in KiB."""
    from tracker.extensions import db
    from tracker.models import Unit
    from tracker.services.reports import report_stats
    from tracker.services.reports.periodic import compute_document
    from tracker.services.reports.periodic import resolve_span

    app = make_app(url)
    with app.app_context():
        today = date.fromisoformat(str(db.session.execute(text("SELECT max(received_on) FROM letters")).scalar())[:10])
        commune = db.session.scalar(db.select(Unit).where(Unit.level == "commune").limit(1))
        span = resolve_span(commune, f"{today.year}-H1", today=today)
        if span.date_to >= today:
            span = resolve_span(commune, f"{today.year - 1}-H1", today=today)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t = time.perf_counter()
        if scope == "country":
            report_stats.compute(Unit(code="VN", name="Cả nước", level="province", path="/"), span.date_from,
                                 span.date_to)
        else:
            pid = db.session.execute(text(
                "SELECT u.parent_id FROM cases c JOIN units u ON u.id = c.unit_id WHERE u.parent_id IS NOT NULL "
                "GROUP BY u.parent_id ORDER BY count(*) DESC LIMIT 1")).scalar()
            compute_document(db.session.get(Unit, pid), span)
        seconds = time.perf_counter() - t
    print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "before_kib": before,
                      "seconds": seconds}))


def bench_job_memory(url: str, scope: str = "country") -> dict[str, Any]:
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--report-job", scope, "--postgres", url],
                         cwd=ROOT, check=True, capture_output=True, text=True, env={**os.environ})
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return {"peak_mib": data["maxrss_kib"] / 1024, "before_mib": data["before_kib"] / 1024,
            "seconds": data["seconds"]}


# ---------------------------------------------------------------- whole run

def run_all(url: str, *, runs: int = 21, writes: int = 800, memory_urls: list[str] | None = None,
            ci: bool = False) -> dict[str, Any]:
    s = subjects(url)
    print(f"data: {s['total_cases']:,} cases; commune {s['unit_code']} ({s['unit_cases']:,} cases); "
          f"data up to {s['today']}", flush=True)
    result: dict[str, Any] = {"machine": machine(url), "subjects": {k: str(v) for k, v in s.items()
                                                                    if "token" not in k}}
    result["weekly"] = bench_weekly(url, s, runs)
    result["reports"] = bench_reports(url, s, runs)
    result["writes"] = bench_writes(url, s, writes)
    mem = {}
    for u in memory_urls or [url]:
        m = bench_job_memory(u)
        n = subjects_count(u)
        mem[n] = m
        print(f"report job (country roll-up) at {n:,} cases: peak RSS {m['peak_mib']:.1f} MiB "
              f"({m['seconds']:.2f} s)", flush=True)
    result["job_memory"] = mem
    return result


def subjects_count(url: str) -> int:
    from sqlalchemy import create_engine

    engine = create_engine(url)
    with engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM cases")).scalar() or 0)
    engine.dispose()
    return n


def ci_run(workdir: Path, postgres_server: str | None = None) -> dict[str, Any]:
    """Tiny data set on a throwaway database (PostgreSQL if a server URL is given, else SQLite), every
    benchmark once; the database is dropped afterwards. No timings are judged."""
    import generate as gen

    if postgres_server:
        url = postgres_server.rsplit("/", 1)[0] + f"/bench_ci_{os.getpid()}"
    else:
        url = f"sqlite:///{workdir / 'bench_ci.sqlite'}"
    try:
        gen.generate(url, 300, provinces=2, communes=6, quiet=True, seed=7)
        return run_all(url, runs=1, writes=16)
    finally:
        if postgres_server:
            gen.drop_postgres(url)


def write_docs(result: dict[str, Any], command: str, gen_info: str | None) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    section = markdown(result, command, gen_info)
    pattern = re.compile(r"^## Province scale: measured run\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        current = pattern.sub(lambda _m: section.rstrip() + "\n\n", current)
    else:
        current = current.rstrip() + "\n\n" + section.rstrip() + "\n"
    path.write_text(current.rstrip() + "\n", encoding="utf-8")
    print(f"wrote {path}")


def markdown(r: dict[str, Any], command: str, gen_info: str | None) -> str:
    m = r["machine"]
    lines = ["## Province scale: measured run", "",
             f"Measured {date.today().strftime('%d/%m/%Y')} on {m['cores']} cores ({m['cpu']}), {m['memory']} RAM, "
             f"{m['database']}, Python {m['python']}, Linux {m['kernel']}. Another engineer's test suite may have "
             "been running on the same 2 cores; A/B repetitions are interleaved so that noise hits both sides.", "",
             f"Command: `{command}`", ""]
    if gen_info:
        lines += [gen_info, ""]
    w = r["weekly"]
    lines += ["| Benchmark | App (median ms) | Floor (median ms) | Ratio | Target | Met |",
              "|---|---:|---:|---:|---:|---|",
              f"| weekly list, commune {w['unit']} ({w['unit_cases']:,} cases, {w['items']} items), "
              f"GET /api/v1/weekly on gunicorn vs minimal endpoint, {w['runs']} runs | {w['app_ms']:.2f} | "
              f"{w['floor_ms']:.2f} | {w['ratio']:.2f}× | ≤ 1.5× | {'yes' if w['ratio'] <= 1.5 else 'NO'} |"]
    targets = {"one commune, half-year": 1.5, "country roll-up, half-year": 2.0}
    for row in r["reports"]:
        t = targets.get(row["name"])
        lines.append(f"| report {row['name']} ({row['period']}; {row['cases_in_scope']:,} cases in the period), "
                     f"report_stats.compute vs hand-written SQL, same numbers checked, {row['runs']} runs | "
                     f"{row['app_ms']:.2f} | {row['floor_ms']:.2f} | {row['ratio']:.2f}× | "
                     f"{f'≤ {t}×' if t else '—'} | {('yes' if row['ratio'] <= t else 'NO') if t else '—'} |")
    wr = r["writes"]
    lines += ["", f"Concurrent writes: {wr['requests']} POSTs (visits and letters alternately, two communes) from "
                  f"{wr['clients']} clients on gunicorn with {wr['workers']} workers: "
                  f"**{wr['throughput']:.1f} req/s**, "
                  f"p50 {wr['p50_ms']:.1f} ms, **p95 {wr['p95_ms']:.1f} ms**, **errors {wr['errors']}** "
                  f"(target 0: {'met' if wr['errors'] == 0 else 'MISSED'}). "
                  f"Peak RSS of a web worker under that load: **{wr['worker_peak_mib']:.1f} MiB**.", ""]
    mem = r["job_memory"]
    lines.append("Report job memory (country roll-up in a fresh subprocess, peak RSS via ru_maxrss):")
    lines.append("")
    for n, v in sorted(mem.items()):
        lines.append(f"- {n:,} cases: {v['peak_mib']:.1f} MiB (of which {v['before_mib']:.1f} MiB before the "
                     f"build: interpreter, app, imports), {v['seconds']:.2f} s")
    if len(mem) >= 2:
        ks = sorted(mem)
        q = mem[ks[-1]]["peak_mib"] / mem[ks[0]]["peak_mib"]
        lines.append(f"- ratio {ks[-1]:,} / {ks[0]:,}: **{q:.2f}×** (target ≤ 1.2×: {'met' if q <= 1.2 else 'MISSED'})")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="scripts/bench/run", description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", default=DEFAULT_URL,
                        help="database made by scripts/bench/generate (default: %(default)s)")
    parser.add_argument("--memory-with", metavar="URL", action="append", default=[],
                        help="another generated database (e.g. 100,000 cases) for the report-job memory comparison")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--writes", type=int, default=800)
    parser.add_argument("--only", choices=("weekly", "reports", "writes", "memory"))
    parser.add_argument("--ci", action="store_true", help="tiny throwaway data set, every benchmark once")
    parser.add_argument("--docs", action="store_true", help="write the results into docs/benchmarks.md")
    parser.add_argument("--generated", help="a line about how the data was generated, for the docs")
    parser.add_argument("--report-job", choices=("country", "province"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.report_job:
        report_job(args.postgres, args.report_job)
        return
    if args.ci:
        server = os.environ.get("TRACKER_TEST_POSTGRES_URL")
        with tempfile.TemporaryDirectory(prefix="bench-ci-") as tmp:
            ci_run(Path(tmp), server)
        print("ci run: every benchmark ran once")
        return
    url = args.postgres
    if args.only:
        s = subjects(url)
        if args.only == "weekly":
            bench_weekly(url, s, args.runs)
        elif args.only == "reports":
            bench_reports(url, s, args.runs)
        elif args.only == "writes":
            bench_writes(url, s, args.writes)
        else:
            for u in [*args.memory_with, url]:
                m = bench_job_memory(u)
                print(f"report job at {subjects_count(u):,} cases: peak {m['peak_mib']:.1f} MiB, {m['seconds']:.2f} s")
        return
    result = run_all(url, runs=args.runs, writes=args.writes, memory_urls=[*args.memory_with, url])
    if args.docs:
        given = list(argv or sys.argv[1:])
        if "--generated" in given:
            k = given.index("--generated")
            del given[k:k + 2]
        cmd = "scripts/bench/run " + " ".join(a for a in given if a != "--docs" and not a.startswith("--generated="))
        write_docs(result, cmd.strip(), args.generated)


if __name__ == "__main__":
    main()
