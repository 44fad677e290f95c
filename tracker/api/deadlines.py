"""/api/v1/deadlines: the deadline calculator, the same engine and JSON as ``deadline … --json --explain``."""
from __future__ import annotations

from flask import Response
from flask import jsonify

from tracker.api import api_bp
from tracker.api.auth import api_user
from tracker.api.openapi import operation
from tracker.api.parse import parse_query
from tracker.api.schemas_letters import DeadlineOut
from tracker.api.schemas_letters import DeadlineQuery
from tracker.services.legal import deadlines


@api_bp.get("/deadlines")
@operation("Compute a legal deadline", tag="deadlines", query=DeadlineQuery, response=DeadlineOut,
           errors=(400, 401, 422),
           description="The due date of one step (KIND and STEP as in `flask --app tracker deadline`) that starts "
                       "on `start`, from the rule rows and working calendar in force, with the step-by-step "
                       "explanation: the same JSON as `deadline KIND STEP START --json --explain`. 422 with a "
                       "`deadline_*` code when no rule applies or the extensions exceed the rule's limit.")
def compute_deadline() -> Response:
    api_user()  # any signed-in user may count
    args = parse_query(DeadlineQuery)
    result = deadlines.compute(args.kind, args.step, args.start, complex=args.complex, remote_area=args.remote_area,
                               second_instance=args.second_instance, extensions=args.extensions)
    return jsonify(result.as_dict())
