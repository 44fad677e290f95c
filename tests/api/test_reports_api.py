"""GET /api/v1/reports/{period}: the report document as JSON, for the units the token's user may see."""
from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_reports import example_002
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations.tokens import issue_token
from tracker.services.reports import periodic as reports


@pytest.fixture
def town(app, client):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    unit, clerk, today = example_002()
    app.config["FIXED_TODAY"] = today
    chair = make_user("chutich", role="chair", unit=unit, full_name="Lê Văn Chủ")
    make_unit("XA-02", "UBND xã Khác")
    return {"unit": unit, "today": today, "api": Api(client, issue_token("chutich"), chair),
            "clerk": Api(client, issue_token(clerk.username), clerk)}


def test_the_report_is_the_same_document_as_the_cli_builds(town, runner) -> None:  # type: ignore[no-untyped-def]
    report = reports.build_report(town["unit"], "2024-H1", today=town["today"]).report
    response = town["api"].get("/api/v1/reports/2024-H1")
    assert response.status_code == 200
    body = response.get_json()
    assert body == reports.document(report).as_json()
    assert (body["unit"], body["period"], body["from"], body["to"]) == ("TT-BD", "2024-H1", "2024-01-01", "2024-06-30")
    assert body["narrative"].startswith("Trong 6 tháng đầu năm 2024")
    assert town["api"].get("/api/v1/reports/2024-H1?unit=TT-BD&format=json").get_json() == body


def test_a_period_without_a_report_answers_the_numbers_as_they_stand_without_storing(town) -> None:  # type: ignore[no-untyped-def]
    body = town["api"].get("/api/v1/reports/2024-H1").get_json()
    assert body["revision"] == 0 and body["status"] == "draft"
    assert body["cases"]["by_kind"]["petition"]["received"] == 11
    assert reports.latest(town["unit"].id, "2024-H1") is None


def test_bad_periods_foreign_units_and_other_roles_are_refused(town) -> None:  # type: ignore[no-untyped-def]
    api = town["api"]
    response = api.get("/api/v1/reports/2024-X?lang=en")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "period_invalid"
    assert api.get("/api/v1/reports/2024-13").status_code == 400
    assert api.get("/api/v1/reports/2024-H1?unit=XA-02").status_code == 404
    assert api.get("/api/v1/reports/2024-H1?unit=NOPE").status_code == 404
    assert api.get("/api/v1/reports/2024-H1?format=xml").status_code == 400
    assert town["clerk"].get("/api/v1/reports/2024-H1").status_code == 403
    assert api.client.get("/api/v1/reports/2024-H1").status_code == 401


def test_the_operation_is_in_the_openapi_document(town) -> None:  # type: ignore[no-untyped-def]
    spec = town["api"].get("/api/v1/openapi.json").get_json()
    assert "get" in spec["paths"]["/api/v1/reports/{period}"]


def _undescribed(value, schema, defs, path="") -> list[str]:  # type: ignore[no-untyped-def]
    """Paths of the document that the OpenAPI schema does not describe by a type of its own."""
    if "$ref" in schema:
        return _undescribed(value, defs[schema["$ref"].rsplit("/", 1)[1]], defs, path)
    if "anyOf" in schema:
        typed = [s for s in schema["anyOf"] if s.get("type") != "null"]
        matching = [s for s in typed if ("$ref" in s or s.get("type") == "object") == isinstance(value, dict)]
        return _undescribed(value, (matching or typed or [{}])[0], defs, path) if value is not None else []
    out: list[str] = []
    if isinstance(value, dict):
        props, extra = schema.get("properties", {}), schema.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                out += _undescribed(item, props[key], defs, f"{path}.{key}")
            elif isinstance(extra, dict) and extra:
                out += _undescribed(item, extra, defs, f"{path}.{key}")
            else:
                out.append(f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _undescribed(item, schema.get("items", {}), defs, f"{path}[{i}]")
    elif not schema.get("type"):
        out.append(path)
    return out


def test_every_part_of_the_report_is_described_by_the_openapi_document(town) -> None:  # type: ignore[no-untyped-def]
    """A client can read the whole report from the schema: every key of a real document (numbers by kind,
    sections, the carried-over check, the difference from the final revision) has a declared type."""
    report = reports.build_report(town["unit"], "2024-H1", today=town["today"], final=True).report
    reports.build_report(town["unit"], "2024-H1", today=town["today"])  # revision 2 carries its difference
    body = town["api"].get("/api/v1/reports/2024-H1").get_json()
    assert body["revision"] == report.revision + 1 and "difference_from_final" in body
    spec = town["api"].get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/api/v1/reports/{period}"]["get"]["responses"]["200"]["content"]["application/json"]
    defs = spec["components"]["schemas"]
    assert _undescribed(body, schema["schema"], defs) == []
    assert _undescribed({**body, "surprise": {"x": 1}}, schema["schema"], defs) == [".surprise"]
