"""No lost updates: two sessions that read the same version of one case (or visit) send their changes at
the same moment, from two threads with their own clients and tokens. Exactly one change is applied; the
other is refused with 409 "stale" and leaves no trace. (The single-session stale checks are in
tests/api/test_cases_api.py and tests/api/test_api_visits.py; this is the truly concurrent form.)"""
from __future__ import annotations

import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.api.conftest import Api
from tests.api.conftest import api  # noqa: F401,F811 - the receptionist's API fixture
from tests.api.conftest import api_for
from tests.api.conftest import visit_body
from tests.api.test_cases_api import open_case
from tests.figures import record
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules

ROUNDS = 8


@pytest.fixture(autouse=True)
def rules(app) -> None:  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


def _together(calls: list[Any]) -> list[Any]:
    """Run the calls in threads released by one barrier; return their responses in order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            answers[n] = calls[n]()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return answers


def _second(first: Api, app, username: str, role: str) -> Api:  # type: ignore[no-untyped-def]
    """Another user's session with its own test client (cookies and connection of its own)."""
    other = api_for(first.client, username, role)
    return Api(app.test_client(), other.token, other.user)


def test_two_sessions_moving_one_case_at_once_apply_exactly_one_change(app, client: FlaskClient, api: Api) -> None:  # noqa: F811
    chair = _second(api, app, "chutich", "chair")
    handler = _second(api, app, "canbo", "handler")
    case = open_case(api, chair, handler)
    url = f"/api/v1/cases/{case['id']}/actions"
    for n in range(ROUNDS):
        version = chair.get(f"/api/v1/cases/{case['id']}").json["version"]
        notes = [f"Ghi chú của chủ tịch {n}", f"Ghi chú của cán bộ {n}"]
        answers = _together([
            lambda who=who, note=note, version=version: who.post(url, {
                "action": "note", "on": "2026-03-06", "note": note, "version": version})
            for who, note in zip((chair, handler), notes, strict=True)
        ])
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 409], [a.json for a in answers]
        refused = next(a for a in answers if a.status_code == 409)
        assert refused.json["error"]["code"] == "stale"
        applied = notes[[a.status_code for a in answers].index(200)]
        stored = chair.get(f"/api/v1/cases/{case['id']}").json
        assert stored["version"] == version + 1
        timeline_notes = [e.get("note") for e in stored["timeline"]]
        assert applied in timeline_notes and not set(notes) - {applied} & set(timeline_notes)
    assert len(chair.get(f"/api/v1/cases/{case['id']}").json["timeline"]) == 1 + ROUNDS  # accept + one per round
    record("lost_update_case", {"rounds of two simultaneous moves": ROUNDS, "applied": ROUNDS, "refused 409": ROUNDS,
                                "lost or doubled": 0}, db.engine.dialect.name)


def test_two_sessions_correcting_one_visit_at_once_apply_exactly_one_change(app, client: FlaskClient,
                                                                           api: Api) -> None:  # noqa: F811
    chair = _second(api, app, "chutich", "chair")
    created = api.post("/api/v1/visits", visit_body()).json
    url = f"/api/v1/visits/{created['id']}"
    citizens = [{"id": created["citizens"][0]["id"]}]
    for n in range(ROUNDS):
        version = api.get(url).json["version"]
        contents = [f"Nội dung lễ tân sửa {n}", f"Nội dung chủ tịch sửa {n}"]
        answers = _together([
            lambda who=who, content=content, version=version: who.patch(url, {
                **visit_body(content=content, citizens=citizens), "version": version})
            for who, content in zip((api, chair), contents, strict=True)
        ])
        assert sorted(a.status_code for a in answers) == [200, 409], [a.json for a in answers]
        winner = next(a for a in answers if a.status_code == 200).json
        stored = api.get(url).json
        assert stored == winner and stored["version"] == version + 1 and stored["content"] in contents
    record("lost_update_visit", {"rounds of two simultaneous corrections": ROUNDS, "applied": ROUNDS,
                                 "refused 409": ROUNDS, "lost or doubled": 0}, db.engine.dialect.name)
