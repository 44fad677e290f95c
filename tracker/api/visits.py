"""/api/v1/visits: the reception log book — log, list, read, correct and delete visits."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response
from flask import jsonify
from flask import url_for

from tracker.api import api_bp
from tracker.api.auth import need
from tracker.api.auth import need_own_unit
from tracker.api.auth import need_readable
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.api.parse import parse_body
from tracker.api.parse import parse_query
from tracker.api.schemas import VersionQuery
from tracker.api.schemas import VisitCreate
from tracker.api.schemas import VisitOut
from tracker.api.schemas import VisitPage
from tracker.api.schemas import VisitQuery
from tracker.api.schemas import VisitReplace
from tracker.api.serializers import page_json
from tracker.api.serializers import visit_json
from tracker.extensions import db
from tracker.models import User
from tracker.models import Visit
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.privacy import confidentiality
from tracker.services.reception import visits as service


def _visible_visit(visit_id: int, user: User) -> Visit:
    visit = db.session.get(Visit, visit_id)
    if visit is None:
        raise ApiError(404, "not_found")
    need_readable(user, visit.unit_id)
    return visit


def _serialiser(user: User, visits: list[Visit]) -> Callable[[Visit], dict[str, Any]]:
    """``visit_json`` that withholds the denouncers ``user`` may not see (each sight is audited)."""
    hidden = confidentiality.hidden_visit_ids(user, visits, purpose="api")
    return lambda visit: visit_json(visit, hidden=visit.id in hidden)


@api_bp.get("/visits")
@operation("List visits", tag="visits", query=VisitQuery, response=VisitPage,
           description="Newest first, paginated (`page`, `per_page` up to 200). With `after_id`, keyset paging "
                       "by ascending id for synchronisation: follow `next_after_id` until it is null.")
def list_visits() -> Response:
    user = need("visits.read")
    args = parse_query(VisitQuery)
    if args.date_from and args.date_to and args.date_to < args.date_from:
        raise ApiError(400, "invalid", {"to": "date_order"})
    stmt = service.visits_query_for(user, args.to_filter())
    if args.after_id is not None:
        rows: list[Visit] = list(db.session.scalars(  # type: ignore[arg-type]
            stmt.where(Visit.id > args.after_id).order_by(Visit.id).limit(args.per_page)))
        next_id = rows[-1].id if len(rows) == args.per_page else None
        return jsonify(page_json(rows, _serialiser(user, rows), page=None, per_page=args.per_page, total=None,
                                 pages=None, next_after_id=next_id))
    page = db.paginate(service.ordered(stmt), page=args.page, per_page=args.per_page, error_out=False)
    return jsonify(page_json(page.items, _serialiser(user, page.items), page=page.page, per_page=page.per_page,
                             total=page.total, pages=page.pages, next_after_id=None))


@api_bp.post("/visits")
@operation("Log a visit", tag="visits", body=VisitCreate, status=201, response=VisitOut,
           errors=(400, 401, 403, 409, 422),
           description="The register number is assigned (sequential per unit and year) unless `register_no` "
                       "is given to copy a paper book; a number already used that year is answered 409.")
def create_visit() -> tuple[Response, int, dict[str, str]]:
    user = need("visits.write")
    body = parse_body(VisitCreate)
    unit = access.writable_unit(user, body.unit_id)
    visit = service.log_visit(user, unit, body.to_input(body.register_no), local_today())
    return jsonify(_serialiser(user, [visit])(visit)), 201, {"Location": url_for(".get_visit", visit_id=visit.id)}


@api_bp.get("/visits/<int:visit_id>")
@operation("Read a visit", tag="visits", response=VisitOut, errors=(401, 403))
def get_visit(visit_id: int) -> Response:
    user = need("visits.read")
    visit = _visible_visit(visit_id, user)
    return jsonify(_serialiser(user, [visit])(visit))


@api_bp.patch("/visits/<int:visit_id>")
@operation("Correct a visit", tag="visits", body=VisitReplace, response=VisitOut,
           errors=(400, 401, 403, 409, 422),
           description="The body is the whole visit (fields left out take their defaults) with the `version` "
                       "last read. The register number and year stay.")
def update_visit(visit_id: int) -> Response:
    user = need("visits.write")
    visit = _visible_visit(visit_id, user)
    need_own_unit(user, visit.unit_id)
    if not confidentiality.may_see_identity(user, visit):
        raise ApiError(403, "forbidden")  # correcting it would show (and could change) who denounced
    body = parse_body(VisitReplace)
    service.update_visit(visit, body.to_input(), version=body.version, today=local_today(), user=user)
    return jsonify(_serialiser(user, [visit])(visit))


@api_bp.delete("/visits/<int:visit_id>")
@operation("Delete a visit", tag="visits", query=VersionQuery, status=204, errors=(400, 401, 403, 409),
           description="For the chairperson and the administrator; `version` must be the one last read.")
def delete_visit(visit_id: int) -> tuple[str, int]:
    user = need("visits.write")
    if not access.can(user, "visits.delete"):
        raise ApiError(403, "forbidden")
    visit = _visible_visit(visit_id, user)
    need_own_unit(user, visit.unit_id)
    args = parse_query(VersionQuery)
    service.delete_visit(visit, version=args.version)
    return "", 204
