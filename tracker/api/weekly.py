"""GET /api/v1/weekly: the chairperson's weekly list as JSON (interfaces.md, "The weekly list (JSON)")."""
from __future__ import annotations

from typing import Any

from flask import Response
from flask import jsonify
from pydantic import BaseModel
from pydantic import Field

from tracker.api import api_bp
from tracker.api.auth import api_user
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.api.parse import parse_query
from tracker.api.schemas import Query
from tracker.rules.weeks import WeekError
from tracker.rules.weeks import parse_week
from tracker.rules.weeks import week_code
from tracker.services import clock
from tracker.services.reports import weekly_view


class WeeklyQuery(Query):
    unit: str | None = Field(None, max_length=32, description="Unit code; the token user's own unit by default")
    week: str | None = Field(None, max_length=10, description="ISO week `YYYY-Www`; the current week (in the "
                                                               "unit's time zone) by default")


class WeeklyCaseItem(BaseModel):
    case_id: int
    case_no: str | None = Field(None, description='The case number in its unit\'s register ("3/2026")')
    kind: str
    status: str
    step: str | None
    due_on: str | None = Field(description="ISO date")
    days_overdue: int
    days_left: int | None
    handler: str | None
    handler_id: int | None
    summary: str
    delay_reason: str | None


class WeeklyOut(BaseModel):
    """Sections of the weekly list; no item ever names a sender (denouncers stay protected)."""

    unit: str
    week: str
    from_: str = Field(alias="from", description="Monday, ISO date")
    to: str = Field(description="Sunday, ISO date")
    seen_on: str = Field(description="The day the list is seen from: today within the week, else its Monday or "
                                     "Sunday")
    due_this_week: list[WeeklyCaseItem]
    overdue: list[WeeklyCaseItem] = Field(description="Most days over first")
    new: list[WeeklyCaseItem] = Field(description="Cases accepted since the Monday of the previous week")
    awaiting_decision: list[WeeklyCaseItem] = Field(description="Submitted for the chairperson's decision")
    new_letters: list[dict[str, Any]]
    letters_due: list[dict[str, Any]]
    visits_without_letter: list[dict[str, Any]] = Field(
        default_factory=list, description="Visits handled as 'letter received for acceptance' whose letter is not "
                                          "registered yet (register_no, year, visited_on, classification, days)")
    instructions: list[dict[str, Any]]
    sessions: list[dict[str, Any]]


@api_bp.get("/weekly")
@operation("The chairperson's weekly list", tag="weekly", query=WeeklyQuery, response=WeeklyOut,
           errors=(400, 401, 403, 404),
           description="Cases due this week, overdue (days over, recorded delay reason), new since the previous "
                       "week, waiting for the chairperson's decision; letters whose handling time runs out; open "
                       "instructions; this week's reception sessions. Roles chair, vice_chair, admin, inspector, "
                       "handler (a handler gets only their own cases). A unit outside the user's units is 404; a "
                       "malformed week is 400 `week_invalid`.")
def get_weekly() -> Response:
    user = api_user()
    if not weekly_view.may_see_weekly(user):
        raise ApiError(403, "forbidden")
    args = parse_query(WeeklyQuery)
    unit = weekly_view.unit_for(user, args.unit)
    if unit is None:
        raise ApiError(404, "not_found")
    today = clock.local_today()
    week = (args.week or "").strip() or week_code(today)
    try:
        parse_week(week)
    except WeekError:
        raise ApiError(400, "week_invalid", {"week": "week_invalid"}) from None
    return jsonify(weekly_view.live_list(user, unit, week, today))
