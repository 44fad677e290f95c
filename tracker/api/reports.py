"""GET /api/v1/reports/{period}: the period report as JSON (interfaces.md, "The report document (JSON)")."""
from __future__ import annotations

from flask import Response
from flask import jsonify
from pydantic import Field

from tracker.api import api_bp
from tracker.api.auth import api_user
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.api.parse import parse_query
from tracker.api.schemas import Query
from tracker.rules.report_document import ReportDocument
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.errors import ValidationError
from tracker.services.reports import periodic as reports
from tracker.services.reports import weekly_view


class ReportQuery(Query):
    unit: str | None = Field(None, max_length=32, description="Unit code; the token user's own unit by default")
    format: str | None = Field(None, pattern="^json$", description="Only `json` (the default)")


class ReportOut(ReportDocument):
    """The report document: the same as `report build --format json` (the newest revision; when the unit has
    no report for the period yet, the numbers as they stand, with revision 0 and status `draft`, nothing stored)."""


@api_bp.get("/reports/<period>")
@operation("A period report", tag="reports", query=ReportQuery, response=ReportOut, errors=(400, 401, 403, 404),
           description="The citizen-reception and petition section of a unit's period report (codes 2024, 2024-H1, "
                       "2024-9M, 2024-Q1…Q4, 2024-01…12). The newest revision is returned; when there is none yet, the "
                       "numbers as they stand (revision 0, nothing stored). A parent unit's report is the sum of the "
                       "units below it. Roles chair, vice_chair, admin, inspector. A unit outside the user's units "
                       "is 404; a malformed period is 400 `period_invalid`.")
def get_report(period: str) -> Response:
    user = api_user()
    if not access.can(user, "reports.read"):
        raise ApiError(403, "forbidden")
    args = parse_query(ReportQuery)
    unit = weekly_view.unit_for(user, args.unit)
    if unit is None:
        raise ApiError(404, "not_found")
    try:
        span = reports.resolve_span(unit, period, today=local_today())
    except ValidationError as exc:
        code = exc.fields.get("period", "period_invalid")
        raise ApiError(400, code, {"period": code}) from None
    report = reports.latest(unit.id, span.period.code)
    doc = reports.document(report) if report is not None else reports.live_document(unit, span)
    return jsonify(doc.as_json())
