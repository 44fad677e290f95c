"""The floor for the weekly list: a bare Flask app that runs hand-written SQL for the same rows.

Served by gunicorn exactly like the application (``minimal_app:app`` with ``--pythonpath scripts/bench``);
reads BENCH_DATABASE_URL. No login, no ORM, no validation: only the queries and the JSON.
"""
from __future__ import annotations

import os
from datetime import date
from datetime import timedelta
from typing import Any

from flask import Flask
from flask import jsonify
from flask import request
from sqlalchemy import create_engine
from sqlalchemy import text

LIMIT = 500

SQL = {
    "clocks": """
SELECT c.id, c.kind, c.status, k.clock, k.due_on, k.delay_reason, coalesce(u.full_name, u.username), c.handler_id,
       substr(c.summary, 1, 160), c.register_no, c.register_year
FROM cases c JOIN clocks k ON k.case_id = c.id AND k.status = 'open' LEFT JOIN users u ON u.id = c.handler_id
WHERE c.unit_id = :unit AND c.is_open AND k.due_on <= :sunday ORDER BY k.due_on, c.id LIMIT 1000""",
    "new": """
SELECT c.id, c.kind, c.status, c.next_clock, c.next_due_on, NULL, coalesce(u.full_name, u.username), c.handler_id,
       substr(c.summary, 1, 160), c.register_no, c.register_year
FROM cases c LEFT JOIN users u ON u.id = c.handler_id
WHERE c.unit_id = :unit AND c.accepted_on >= :since AND c.accepted_on <= :ref
ORDER BY c.accepted_on DESC, c.id DESC LIMIT 500""",
    "new_letters": """
SELECT id, register_no, register_year, kind, received_on, status, channel FROM letters
WHERE unit_id = :unit AND received_on >= :since AND received_on <= :ref ORDER BY received_on DESC, id DESC LIMIT 500""",
    "letters_due": """
SELECT l.id, l.register_no, l.register_year, l.kind, k.clock, k.due_on
FROM letters l JOIN clocks k ON k.letter_id = l.id AND k.status = 'open'
WHERE l.unit_id = :unit AND l.status = 'registered' AND k.due_on <= :sunday ORDER BY k.due_on, l.id LIMIT 500""",
    "awaiting": """
SELECT c.id, c.kind, c.status, c.next_clock, c.next_due_on, NULL, coalesce(u.full_name, u.username), c.handler_id,
       substr(c.summary, 1, 160), c.register_no, c.register_year
FROM cases c LEFT JOIN users u ON u.id = c.handler_id
WHERE c.unit_id = :unit AND c.is_open AND c.awaiting_decision ORDER BY c.next_due_on, c.id LIMIT 500""",
    "instructions": """
SELECT i.id, i.case_id, i.text, i.due_on, i.assignee_id, c.register_no, c.register_year
FROM instructions i JOIN cases c ON c.id = i.case_id WHERE i.unit_id = :unit AND i.done_on IS NULL
ORDER BY i.due_on, i.id LIMIT 500""",
    "sessions": """
SELECT s.id, s.held_on, s.kind, s.host, s.host_name, (SELECT count(*) FROM visits v WHERE v.session_id = s.id)
FROM reception_sessions s WHERE s.unit_id = :unit AND s.held_on BETWEEN :monday AND :sunday ORDER BY s.held_on""",
}


def _d(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _iso(value: Any) -> str | None:
    v = _d(value)
    return v.isoformat() if v else None


def _case(r: Any, ref: date) -> dict[str, Any]:
    due = _d(r[4])
    return {"case_id": r[0], "case_no": f"{r[9]}/{r[10]}", "kind": r[1], "status": r[2], "step": r[3],
            "due_on": _iso(due),
            "days_overdue": (ref - due).days if due and due < ref else 0,
            "days_left": (due - ref).days if due and due >= ref else None,
            "handler": r[6], "handler_id": r[7], "summary": r[8], "delay_reason": r[5]}


def weekly_rows(conn: Any, unit: int, monday: date, ref: date) -> dict[str, Any]:
    sunday, since = monday + timedelta(days=6), monday - timedelta(days=7)
    p = {"unit": unit, "monday": monday, "sunday": sunday, "since": since, "ref": ref}
    due, overdue = [], []
    for r in conn.execute(text(SQL["clocks"]), p):
        item = _case(r, ref)
        (overdue if _d(r[4]) < ref else due).append(item)  # type: ignore[operator]
    sessions = conn.execute(text(SQL["sessions"]), p).all()
    return {
        "from": monday.isoformat(), "to": sunday.isoformat(), "seen_on": ref.isoformat(),
        "due_this_week": due, "overdue": sorted(overdue, key=lambda i: -i["days_overdue"]),
        "new": [_case(r, ref) for r in conn.execute(text(SQL["new"]), p)],
        "new_letters": [{"letter_id": r[0], "register_no": r[1], "year": r[2], "kind": r[3],
                         "received_on": _iso(r[4]), "status": r[5], "channel": r[6]}
                        for r in conn.execute(text(SQL["new_letters"]), p)],
        "letters_due": [{"letter_id": r[0], "register_no": r[1], "year": r[2], "kind": r[3], "step": r[4],
                         "due_on": _iso(r[5]), "days_overdue": max(0, (ref - _d(r[5])).days)}  # type: ignore[operator]
                        for r in conn.execute(text(SQL["letters_due"]), p)],
        "awaiting_decision": [_case(r, ref) for r in conn.execute(text(SQL["awaiting"]), p)],
        "instructions": [{"instruction_id": r[0], "case_id": r[1], "case_no": f"{r[5]}/{r[6]}", "text": r[2],
                          "due_on": _iso(r[3]),
                          "assignee_id": r[4]} for r in conn.execute(text(SQL["instructions"]), p)],
        "sessions": [{"session_id": r[0], "held_on": _iso(r[1]), "kind": r[2], "host": r[3], "host_name": r[4],
                      "visits": r[5], "bookings": []} for r in sessions],
    }


def create(url: str | None = None) -> Flask:
    url = url or os.environ["BENCH_DATABASE_URL"]
    engine = create_engine(url)
    app = Flask("minimal")

    @app.get("/weekly")
    def weekly() -> Any:
        unit = int(request.args["unit"])
        monday = date.fromisoformat(request.args["monday"])
        ref = date.fromisoformat(request.args["ref"])
        with engine.connect() as conn:
            return jsonify(weekly_rows(conn, unit, monday, ref))

    return app


app = create() if os.environ.get("BENCH_DATABASE_URL") else None
