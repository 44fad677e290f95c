"""The JSON API fuzzed from its own OpenAPI document (schemathesis): every operation gets generated
requests — valid ones and, for bodies and queries, invalid ones — as a commune chair holding a bearer
token. No answer may be a 5xx, and every answer must be documented: a listed status code, the listed
content type, a body that matches the listed schema. Bounded and deterministic for CI (derandomize)."""
from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis.checks import content_type_conformance
from schemathesis.checks import not_a_server_error
from schemathesis.checks import response_schema_conformance
from schemathesis.checks import status_code_conformance
from schemathesis.generation import GenerationMode

from tests.api.conftest import api_for
from tests.api.conftest import visit_body
from tests.api.test_letters_api import letter_body
from tests.figures import record
from tracker.extensions import db
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules

EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
TRIED: Counter[str] = Counter()


@pytest.fixture
def chair_token(app: Flask, client) -> str:  # type: ignore[no-untyped-def]
    """A chair of a commune with a few visits, letters and a case, so that ids 1, 2, … exist."""
    seed_deadline_rules()
    seed_calendar()
    receptionist = api_for(client, "letan", "receptionist")
    chair = api_for(client, "chutich", "chair")
    for _ in range(2):
        assert receptionist.post("/api/v1/visits", visit_body()).status_code == 201
        letter = receptionist.post("/api/v1/letters", letter_body()).json
    handled = chair.post(f"/api/v1/letters/{letter['id']}/handling", {
        "decision": "accept", "on": "2026-03-05", "version": letter["version"], "eligible": True,
        "within_competence": True, "document": {"number": "12/TB-UBND", "date": "2026-03-05"}})
    assert handled.status_code == 200, handled.json
    return chair.token


def _fuzz(operation, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    strategy = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                         operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def fuzz(case) -> None:  # type: ignore[no-untyped-def]
        TRIED[operation.label] += 1
        case.call_and_validate(headers=headers, checks=CHECKS)

    fuzz()


def test_every_api_operation_answers_fuzzed_requests_as_documented(app: Flask, chair_token: str) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    headers = {"Authorization": f"Bearer {chair_token}"}
    TRIED.clear()
    failures: list[str] = []
    for operation in operations:
        try:
            _fuzz(operation, headers)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - every operation tried, then all reported
            failures.append(f"{operation.label}: {exc}"[:3000])
    print(f"API fuzz: {len(operations)} operations, {sum(TRIED.values())} requests")
    assert not failures, "\n\n".join(failures)
    record("api_fuzz", {"operations": len(operations), "requests": sum(TRIED.values()), "failures": 0},
           db.engine.dialect.name)


# What the fuzzing found, kept as plain regression tests.
BIG = 10**20


def test_ids_and_numbers_beyond_an_integer_column_are_a_404_or_a_400_not_a_500(app: Flask, chair_token: str,
                                                                                client) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {chair_token}"}
    for url in (f"/api/v1/visits/{BIG}", f"/api/v1/letters/{BIG}", f"/api/v1/cases/{BIG}",
                f"/api/v1/citizens/{BIG}"):
        assert client.get(url, headers=auth).status_code == 404
    assert client.patch(f"/api/v1/visits/{BIG}", json={**visit_body(), "version": 1}, headers=auth).status_code == 404
    answer = client.post("/api/v1/visits", json=visit_body(people_count=BIG, citizens=[{"id": BIG}]), headers=auth)
    assert answer.status_code == 400
    assert set(answer.json["error"]["fields"]) == {"people_count", "citizens.0.id"}
    assert client.get(f"/api/v1/visits?after_id={BIG}", headers=auth).status_code == 400


def test_a_visit_dated_before_the_first_group_rule_uses_the_oldest_rule(app: Flask, chair_token: str,
                                                                       client) -> None:  # type: ignore[no-untyped-def]
    auth = {"Authorization": f"Bearer {chair_token}"}
    answer = client.post("/api/v1/visits", json=visit_body(visited_on="2010-05-04"), headers=auth)
    assert answer.status_code == 201, answer.json
