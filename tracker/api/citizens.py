"""/api/v1/citizens: register, find (without diacritics), read and correct citizens."""
from __future__ import annotations

from flask import Response
from flask import jsonify
from flask import url_for

from tracker.api import api_bp
from tracker.api.auth import need
from tracker.api.auth import need_own_unit
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.api.parse import parse_body
from tracker.api.parse import parse_query
from tracker.api.schemas import CitizenCreate
from tracker.api.schemas import CitizenOut
from tracker.api.schemas import CitizenPage
from tracker.api.schemas import CitizenPatch
from tracker.api.schemas import CitizenQuery
from tracker.api.serializers import citizen_json
from tracker.api.serializers import page_json
from tracker.extensions import db
from tracker.models import Citizen
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.privacy import confidentiality
from tracker.services.reception import citizens as service


def _visible_citizen(citizen_id: int, permission: str) -> Citizen:
    user = need(permission)
    citizen = confidentiality.visible_citizen(user, citizen_id, purpose="api")
    if citizen is None:
        raise ApiError(404, "not_found")  # someone known only as a denouncer is "not found" too
    return citizen


@api_bp.get("/citizens")
@operation("Find citizens", tag="citizens", query=CitizenQuery, response=CitizenPage,
           description="`q` matches the words of a name in any order without diacritics or case "
                       "(\"nguyen van an\" finds \"Nguyễn Văn An\"), a whole ID number (no partial match: it is stored "
                       "as a keyed hash), or the start of a phone number.")
def list_citizens() -> Response:
    user = need("citizens.read")
    args = parse_query(CitizenQuery)
    stmt = service.search_query(access.visible_units_query(user), args.q).where(confidentiality.citizen_scope(user))
    page = db.paginate(stmt, page=args.page, per_page=args.per_page, error_out=False, count=True)
    confidentiality.record_citizen_reads(user, page.items, "api")
    return jsonify(page_json(page.items, citizen_json, page=page.page, per_page=page.per_page,
                             total=page.total, pages=page.pages))


@api_bp.post("/citizens")
@operation("Register a citizen", tag="citizens", body=CitizenCreate, status=201, response=CitizenOut,
           errors=(400, 401, 403))
def create_citizen() -> tuple[Response, int, dict[str, str]]:
    user = need("citizens.write")
    body = parse_body(CitizenCreate)
    unit = access.writable_unit(user, body.unit_id)
    citizen = service.register_citizen(unit.id, body.to_input(), local_today())
    location = url_for(".get_citizen", citizen_id=citizen.id)
    return jsonify(citizen_json(citizen)), 201, {"Location": location}


@api_bp.get("/citizens/<int:citizen_id>")
@operation("Read a citizen", tag="citizens", response=CitizenOut, errors=(401, 403))
def get_citizen(citizen_id: int) -> Response:
    citizen = _visible_citizen(citizen_id, "citizens.read")
    return jsonify(citizen_json(citizen))


@api_bp.patch("/citizens/<int:citizen_id>")
@operation("Correct a citizen", tag="citizens", body=CitizenPatch, response=CitizenOut,
           errors=(400, 401, 403, 409),
           description="Only the fields given change; `version` must be the one last read (409 otherwise).")
def update_citizen(citizen_id: int) -> Response:
    citizen = _visible_citizen(citizen_id, "citizens.write")
    need_own_unit(need("citizens.write"), citizen.unit_id)
    body = parse_body(CitizenPatch)
    current = service.CitizenInput(citizen.full_name, citizen.id_number, citizen.birth_year, citizen.gender,
                                   citizen.phone, citizen.address, citizen.neighbourhood)
    service.update_citizen(citizen, body.to_input(current), version=body.version, today=local_today())
    return jsonify(citizen_json(citizen))
