"""/api/v1/deadlines: the calculator answers exactly what ``deadline … --json --explain`` prints."""
from __future__ import annotations

import json

import pytest
from flask_babel import force_locale

from tracker.api.schemas_letters import DeadlineOut
from tracker.messages import message
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


def vi(code: str, **params: object) -> str:
    with force_locale("vi"):
        return message(code, **params)


@pytest.fixture(autouse=True)
def rules(app) -> None:  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


@pytest.mark.parametrize(("query", "cli"), [
    ("kind=letter&step=notify&start=2026-02-12", ["letter", "notify", "2026-02-12"]),
    ("kind=complaint&step=resolve&start=2026-03-02&second_instance=true&complex=true&remote_area=true",
     ["complaint", "resolve", "2026-03-02", "--second-instance", "--complex", "--remote-area"]),
    ("kind=denunciation&step=resolve&start=2026-03-02&extensions=2",
     ["denunciation", "resolve", "2026-03-02", "--extensions", "2"]),
    ("kind=land_mediation&step=resolve&start=2026-03-02", ["land_mediation", "resolve", "2026-03-02"]),
])
def test_the_calculator_equals_the_cli_for_the_same_arguments(api, runner, query, cli) -> None:
    printed = runner.invoke(args=["deadline", *cli, "--json", "--explain"])
    assert printed.exit_code == 0, printed.output
    response = api.get(f"/api/v1/deadlines?{query}")
    assert response.status_code == 200
    assert response.json == json.loads(printed.output)
    assert DeadlineOut.model_validate(response.json).explanation


def test_a_rolled_deadline_shows_both_dates(api) -> None:
    # Mon 2 Mar 2026 + 2 extensions: 90 calendar days = Sun 31 May → Mon 1 Jun.
    data = api.get("/api/v1/deadlines?kind=denunciation&step=resolve&start=2026-03-02&extensions=2").json
    assert (data["nominal_due_on"], data["due_on"], data["days"]) == ("2026-05-31", "2026-06-01", 90)


def test_bad_input_is_400_and_a_rule_problem_is_422(api) -> None:
    bad = api.get("/api/v1/deadlines?kind=complaint&step=accept&start=02/03/2026&extensions=two&complex=maybe")
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) == {"start", "extensions", "complex"}
    assert api.get("/api/v1/deadlines?kind=complaint&step=accept").json["error"]["fields"] == {
        "start": vi("required")}
    too_many = api.get("/api/v1/deadlines?kind=denunciation&step=resolve&start=2026-03-02&extensions=3")
    assert too_many.status_code == 422
    assert too_many.json["error"] == {"code": "deadline_too_many_extensions",
                                      "message": vi("deadline_too_many_extensions", max=2), "fields": {}}
    no_rule = api.get("/api/v1/deadlines?kind=land_dispute&step=accept&start=2025-06-30")
    assert no_rule.status_code == 422
    assert no_rule.json["error"]["message"] == vi("deadline_no_rule", kind="land_dispute", step="accept",
                                                  start="2025-06-30")


def test_the_calculator_needs_a_token(client) -> None:
    assert client.get("/api/v1/deadlines?kind=letter&step=notify&start=2026-03-02").status_code == 401


def test_a_year_no_matter_can_have_is_refused_with_the_forms_message(api) -> None:
    far = api.get("/api/v1/deadlines?kind=letter&step=notify&start=9999-01-04")
    assert far.status_code == 400
    assert far.json["error"]["fields"] == {"start": vi("year_out_of_range", first=1900, last=2100)}
    assert api.get("/api/v1/deadlines?kind=letter&step=notify&start=2100-12-31").status_code == 200
