"""JSON errors of the API: ``{"error": {"code", "message", "fields"}}``, in the client's language.

Status codes:

- 400: bad input (malformed JSON, a wrong type, a missing field, a value the service refuses);
- 401: no valid bearer token; 403: the role may not do this; 404: no such record *in the units
  the user may see* (another unit's record is "not found", so ids reveal nothing);
- 409: a stale ``version``, or a register number already used in that unit and year
  (code ``register_no_taken``), or a unique value taken by a concurrent write;
- 422: the input is well-formed but breaks a legal rule of reception (group representatives,
  a refusal ground not in force on the visit's date, a session without a leader, a visit moved
  to another register year).
"""
from __future__ import annotations

import re
from typing import Any

from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError as PydanticError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from tracker.api import api_bp
from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.services.errors import DomainError
from tracker.services.errors import ValidationError

MESSAGES.update({
    "field_unknown": _l("This field is not part of the request."),
    "text_expected": _l("Please enter text."),
    "date_iso_invalid": _l("Please enter a date as YYYY-MM-DD."),
    "time_iso_invalid": _l("Please enter a time as HH:MM."),
    "bool_invalid": _l("Please enter true or false."),
    "list_expected": _l("Please give a list."),
    "object_expected": _l("Please give a JSON object."),
    "number_at_least": _l("The number must be at least %(limit)s."),
    "number_at_most": _l("The number must be at most %(limit)s."),
    "choice_one_of": _l("Please choose one of: %(expected)s."),
    "too_many_items": _l("Too many items (at most %(limit)s)."),
    "rule_violated": _l("The request breaks a rule of citizen reception; see the fields marked."),
    "conflict": _l("This record conflicts with another one. Reload it and try again."),
    "bad_request": _l("The request is not valid."),
    "too_large": _l("The request is too large."),
    "method_not_allowed": _l("This method is not allowed here."),
    "internal_error": _l("An unexpected error occurred. Please try again later."),
})

LANGUAGES = ("vi", "en")

# Codes of legal rules (not of malformed input): answered 422 when they are the only problems.
RULE_CODES = frozenset({"too_many_representatives", "decline_ground_not_in_force", "session_needs_leader",
                        "visit_year_change"})

# Pydantic error type -> (message code, name of the ctx value that fills %(limit)s).
PYDANTIC_CODES: dict[str, tuple[str, str | None]] = {
    "missing": ("required", None),
    "extra_forbidden": ("field_unknown", None),
    "string_type": ("text_expected", None),
    "string_too_short": ("required", None),
    "string_too_long": ("too_long", None),
    "int_type": ("number_invalid", None),
    "int_parsing": ("number_invalid", None),
    "int_from_float": ("number_invalid", None),
    "greater_than_equal": ("number_at_least", "ge"),
    "greater_than": ("number_at_least", "gt"),
    "less_than_equal": ("number_at_most", "le"),
    "less_than": ("number_at_most", "lt"),
    "date_type": ("date_iso_invalid", None),
    "date_parsing": ("date_iso_invalid", None),
    "date_from_datetime_parsing": ("date_iso_invalid", None),
    "date_from_datetime_inexact": ("date_iso_invalid", None),
    "year_out_of_range": ("year_out_of_range", None),
    "time_type": ("time_iso_invalid", None),
    "time_parsing": ("time_iso_invalid", None),
    "bool_type": ("bool_invalid", None),
    "bool_parsing": ("bool_invalid", None),
    "literal_error": ("choice_one_of", None),
    "enum": ("choice_one_of", None),
    "list_type": ("list_expected", None),
    "too_long": ("too_many_items", "max_length"),
    "model_type": ("object_expected", None),
    "model_attributes_type": ("object_expected", None),
    "dict_type": ("object_expected", None),
}

# Service field names -> API field names (the service says "visitors", the API "citizens").
_RENAMES = (
    (re.compile(r"^visitors\.(\d+)\.citizen_id$"), r"citizens.\1.id"),
    (re.compile(r"^visitors\.(\d+)\.(.+)$"), r"citizens.\1.\2"),
    (re.compile(r"^(visitors|representatives)$"), "citizens"),
)


class ApiError(Exception):
    """An error decided by a view (401, 403, 404, a query problem) rather than by a service."""

    def __init__(self, status: int, code: str, fields: dict[str, str] | None = None, **params: object) -> None:
        super().__init__(code)
        self.status, self.code, self.fields, self.params = status, code, fields or {}, params


def api_locale() -> str:
    """``?lang=`` first, then ``Accept-Language``; Vietnamese when neither says otherwise."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        return wanted
    return request.accept_languages.best_match(LANGUAGES, default="vi") or "vi"


def error_response(status: int, code: str, fields: dict[str, tuple[str, dict[str, Any]]] | None = None,
                   **params: object) -> Response:
    """The JSON error body; ``fields`` maps a field path to ``(code, params)`` of its message."""
    with force_locale(api_locale()):
        body = {"error": {
            "code": code,
            "message": message(code, **params),
            "fields": {name: message(c, **p) for name, (c, p) in (fields or {}).items()},
        }}
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def api_field(name: str) -> str:
    for pattern, replacement in _RENAMES:
        if pattern.match(name):
            return pattern.sub(replacement, name)
    return name


# Where pydantic names the member of a union it tried ("handler.int", "handler.literal['me']"), not a field.
_UNION_MEMBER = re.compile(r"^(int|str|float|bool|date|datetime|none|literal\[.*\]|[a-z-]+\[.*\])$")


def _loc(loc: tuple[int | str, ...]) -> str:
    parts = list(loc)
    while len(parts) > 1 and isinstance(parts[-1], str) and _UNION_MEMBER.match(parts[-1]):
        parts.pop()
    return ".".join(str(part) for part in parts)


def pydantic_fields(exc: PydanticError) -> dict[str, tuple[str, dict[str, Any]]]:
    fields: dict[str, tuple[str, dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        name = _loc(err["loc"])
        if name in fields:
            continue  # the first problem of a field is enough
        ctx = err.get("ctx") or {}
        code, limit_key = PYDANTIC_CODES.get(err["type"], (err["type"], None))
        params: dict[str, Any] = {}
        if limit_key:
            params["limit"] = ctx.get(limit_key)
        if code == "year_out_of_range":
            params.update(first=ctx.get("first"), last=ctx.get("last"))
        if code == "choice_one_of":
            # pydantic joins the last choice with an English "or": a plain list in every language.
            params["expected"] = str(ctx.get("expected", "")).replace("'", "").replace(" or ", ", ")
        fields[name] = (code, params)
    return fields


@api_bp.errorhandler(PydanticError)
def _pydantic_error(exc: PydanticError) -> Response:
    top = [e for e in exc.errors(include_url=False) if not e["loc"]]
    if top:
        return error_response(400, "bad_json" if top[0]["type"] == "json_invalid" else "object_expected")
    return error_response(400, "invalid", pydantic_fields(exc))


@api_bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    fields = {name: (code, dict(exc.params)) for name, code in exc.fields.items()}
    return error_response(exc.status, exc.code, fields, **exc.params)


@api_bp.errorhandler(DomainError)
def _domain_error(exc: DomainError) -> Response:
    db.session.rollback()
    fields = {api_field(name): (code, dict(exc.params)) for name, code in exc.fields.items()}
    status, code = exc.status, exc.code
    if isinstance(exc, ValidationError):
        codes = set(exc.fields.values())
        if codes == {"register_no_taken"}:
            status, code = 409, "register_no_taken"
        elif codes and codes <= RULE_CODES:
            status, code = 422, "rule_violated"
    return error_response(status, code, fields, **exc.params)


@api_bp.errorhandler(StaleDataError)
def _stale(exc: StaleDataError) -> Response:
    db.session.rollback()
    return error_response(409, "stale")


@api_bp.errorhandler(IntegrityError)
def _integrity(exc: IntegrityError) -> Response:
    # A concurrent write took the same unique value (a register number, an ID number) first.
    db.session.rollback()
    return error_response(409, "conflict")


_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 429: "rate_limited"}


@api_bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    return error_response(status, _HTTP_CODES.get(status, "bad_request" if status < 500 else "internal_error"))


@api_bp.errorhandler(Exception)
def _unexpected(exc: Exception) -> Response:
    db.session.rollback()
    if current_app.testing:
        raise exc  # let the test show the traceback
    current_app.logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "internal_error")
