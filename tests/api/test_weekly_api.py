"""GET /api/v1/weekly: the weekly list as JSON, for the units the token's user may see."""
from __future__ import annotations

import json
from datetime import date

import pytest

from tests.api.conftest import Api
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import act
from tests.integration.test_letters_cases import register
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations.tokens import issue_token


@pytest.fixture
def office(app, client):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    app.config["FIXED_TODAY"] = date(2026, 4, 15)
    clerk = make_user()
    chair = make_user("chutich", role="chair", unit=clerk.unit, full_name="Lê Văn Chủ")
    handler = make_user("canbo", role="handler", unit=clerk.unit, full_name="Phạm Thị Xử")
    old = accept(clerk, register(clerk), handler_id=handler.id)
    fresh = accept(clerk, register(clerk, received_on=date(2026, 4, 6)), on=date(2026, 4, 8))
    act(clerk, fresh, "submit", date(2026, 4, 9))
    make_unit("XA-02", "UBND xã Khác")
    return {"api": Api(client, issue_token("chutich"), chair), "handler": Api(client, issue_token("canbo"), handler),
            "clerk": Api(client, issue_token("letan"), clerk), "old": old, "fresh": fresh}


def test_the_weekly_list_answers_the_documented_shape(office) -> None:
    response = office["api"].get("/api/v1/weekly?week=2026-W16")
    assert response.status_code == 200
    body = response.get_json()
    assert {"unit", "week", "from", "to", "due_this_week", "overdue", "new", "awaiting_decision"} <= set(body)
    assert (body["unit"], body["week"], body["from"], body["to"]) == ("XA-01", "2026-W16", "2026-04-13",
                                                                      "2026-04-19")
    item = body["overdue"][0]
    assert {"case_id", "kind", "step", "due_on", "days_overdue", "handler"} <= set(item)
    assert (item["case_id"], item["days_overdue"], item["handler"]) == (office["old"].id, 9, "Phạm Thị Xử")
    assert [i["case_id"] for i in body["awaiting_decision"]] == [office["fresh"].id]
    assert "Nguyễn Văn An" not in json.dumps(body, ensure_ascii=False)


def test_the_week_and_unit_default_to_this_week_of_the_users_unit(office) -> None:
    body = office["api"].get("/api/v1/weekly").get_json()
    assert (body["unit"], body["week"]) == ("XA-01", "2026-W16")
    assert office["api"].get("/api/v1/weekly?unit=XA-01&week=2026-W15").get_json()["week"] == "2026-W15"


def test_a_handler_gets_only_his_own_cases(office) -> None:
    body = office["handler"].get("/api/v1/weekly?week=2026-W16").get_json()
    assert [i["case_id"] for i in body["overdue"]] == [office["old"].id]
    assert body["awaiting_decision"] == [] and body["new_letters"] == []


def test_bad_weeks_other_units_and_other_roles_are_refused(office, client) -> None:
    bad = office["api"].get("/api/v1/weekly?week=2026-W54&lang=en")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["code"] == "week_invalid" and "week" in bad.get_json()["error"]["fields"]
    assert office["api"].get("/api/v1/weekly?week=2026-48").status_code == 400
    assert office["api"].get("/api/v1/weekly?unit=XA-02").status_code == 404
    assert office["api"].get("/api/v1/weekly?unit=NOPE").status_code == 404
    assert office["clerk"].get("/api/v1/weekly").status_code == 403
    assert client.get("/api/v1/weekly").status_code == 401


def test_the_openapi_document_describes_the_weekly_list(office, client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/weekly"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"unit", "week"}
    assert {"200", "400", "401", "403", "404"} <= set(op["responses"])
    assert "WeeklyOut" in doc["components"]["schemas"]
