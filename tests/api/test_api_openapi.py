"""The OpenAPI document describes every /api/v1 route and is a valid OpenAPI document."""
from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_the_openapi_document_is_public_and_valid(client, app) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": document["components"]["securitySchemes"][
            "bearerAuth"]["description"]}


def test_every_api_route_and_method_is_documented(client, app) -> None:
    document = client.get("/api/v1/openapi.json").json
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in document["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []


def test_every_operation_documents_its_errors_with_the_error_schema(client, app) -> None:
    document = client.get("/api/v1/openapi.json").json
    error_ref = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            if op.get("security") == []:
                continue
            assert "401" in op["responses"], (method, path)
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == error_ref
            if method in ("post", "patch"):
                assert "requestBody" in op, (method, path)
            if "{" in path:
                assert "404" in op["responses"], (method, path)
