"""The OpenAPI 3.1 document at /api/v1/openapi.json, built from the pydantic models and a route table.

Each API view is registered with :func:`operation` (summary, body and query models, success
response). The document walks ``app.url_map``, so paths and methods always match the real
routes; a view without an :func:`operation` entry is left out, and a test fails on it.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from flask import Response
from flask import current_app
from flask import jsonify
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode
from pydantic.json_schema import models_json_schema

from tracker.api import api_bp
from tracker.api.auth import public
from tracker.api.schemas import ErrorResponse

REF = "#/components/schemas/{model}"
ERROR_TEXT = {
    400: "Bad input: malformed JSON, a wrong type or a refused value; `fields` names each problem",
    401: "No valid bearer token",
    403: "The user's role may not do this",
    404: "No such record among the units the user may see",
    409: "Stale `version`, or a register number already used in that unit and year (`register_no_taken`)",
    422: "Well-formed but against a rule of citizen reception (`rule_violated`)",
    429: "Too many requests from this address (or too many unknown codes); wait and try again",
}
_RULE_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@dataclass
class Operation:
    summary: str
    description: str = ""
    tag: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    response: type[BaseModel] | None = None
    errors: tuple[int, ...] = (400, 401, 403)
    public: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


# endpoint name -> its operation (one view function per method).
OPERATIONS: dict[str, Operation] = {}


def operation(summary: str, **kw: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Describe an ``api_bp`` view in the OpenAPI document (apply below the route decorator)."""
    op = Operation(summary, **kw)

    def register(view: Callable[..., Any]) -> Callable[..., Any]:
        OPERATIONS[f"{api_bp.name}.{view.__name__}"] = op
        return public(view) if op.public else view

    return register


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for converter, name in _RULE_ARG.findall(rule):
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _RULE_ARG.sub(lambda m: "{" + m.group(2) + "}", rule), params


def _query_params(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(by_alias=True, ref_template=REF)
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema["properties"].items():
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                 "schema": {k: v for k, v in prop.items() if k not in ("title", "description")}}
        if prop.get("description"):
            param["description"] = prop["description"]
        params.append(param)
    return params


def _ref(model: type[BaseModel]) -> dict[str, Any]:
    return {"$ref": REF.format(model=model.__name__)}


def _operation_object(endpoint: str, method: str, op: Operation, path_params: list[dict[str, Any]]
                      ) -> dict[str, Any]:
    obj: dict[str, Any] = {"operationId": endpoint.split(".", 1)[1], "summary": op.summary,
                           "tags": [op.tag] if op.tag else [], **op.extra}
    if op.description:
        obj["description"] = op.description
    params = path_params + (_query_params(op.query) if op.query else [])
    if params:
        obj["parameters"] = params
    if op.body:
        obj["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    ok: dict[str, Any] = {"description": "Success"}
    if op.response:
        ok["content"] = {"application/json": {"schema": _ref(op.response)}}
    obj["responses"] = {str(op.status): ok}
    errors = set(op.errors) | ({400} if op.body or op.query else set())
    if op.public:
        obj["security"] = []
        errors.discard(401)
    elif path_params:
        errors.add(404)
    for status in sorted(errors):
        obj["responses"][str(status)] = {"description": ERROR_TEXT[status],
                                         "content": {"application/json": {"schema": _ref(ErrorResponse)}}}
    return obj


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    models: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {
        ErrorResponse.__name__: (ErrorResponse, "serialization")}
    for rule in current_app.url_map.iter_rules():
        op = OPERATIONS.get(rule.endpoint)
        if op is None or not rule.rule.startswith(api_bp.url_prefix or "/api/v1"):
            continue
        path, path_params = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation_object(rule.endpoint, method, op, path_params)
        if op.body is not None:
            models[op.body.__name__] = (op.body, "validation")
        if op.response is not None:
            models[op.response.__name__] = (op.response, "serialization")
    _, defs = models_json_schema([(m, mode) for m, mode in models.values()], ref_template=REF)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sổ tiếp dân API",
            "version": "1",
            "description": (
                "Citizens and the reception log book (sổ tiếp công dân) of a commune. Authenticate with "
                "`Authorization: Bearer TOKEN` (`flask --app tracker tokens issue USERNAME`). Dates are ISO "
                "`YYYY-MM-DD`; enumerations are English codes. Every record carries `version`: send it back "
                "when changing the record, a stale one is answered 409. Errors are "
                "`{\"error\": {\"code\", \"message\", \"fields\"}}`, with messages in Vietnamese unless "
                "`Accept-Language: en` (or `?lang=en`) asks for English."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                               "description": "A token from `flask --app tracker tokens issue`"}},
        },
    }


@api_bp.get("/openapi.json")
@operation("This OpenAPI document", tag="meta", public=True, errors=())
def openapi_document() -> Response:
    return jsonify(build_document())
