"""The chairperson grants (and withdraws) one user's access to a denouncer's identity, from the record's page."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from tracker.messages import message
from tracker.services import access
from tracker.services.errors import DomainError
from tracker.services.privacy import identity_grants as service
from tracker.web.forms import whole_number

bp = Blueprint("grants", __name__, url_prefix="/grants")
PAGES = {"letter": ("letters.show_letter", "letter_id"), "case": ("cases.show_case", "case_id"),
         "visit": ("reception.show_visit", "visit_id")}


def _back(kind: str, record_id: int):  # type: ignore[no-untyped-def]
    endpoint, arg = PAGES[kind]
    values: dict[str, Any] = {arg: record_id}
    return redirect(url_for(endpoint, **values) + "#grants")


def _flash_error(exc: DomainError) -> None:
    texts = [message(code) for code in exc.fields.values()] or [message(exc.code, **exc.params)]
    flash(" ".join(texts), "error")


@bp.route("/<kind>/<int:record_id>", methods=["POST"])
@login_required
def grant(kind: str, record_id: int):  # type: ignore[no-untyped-def]
    if kind not in PAGES:
        abort(404)
    try:
        record = service.record_of(kind, record_id)
        access.check_readable(current_user, record.unit_id)
        service.grant(current_user, record, whole_number(request.form.get("user_id")),
                      request.form.get("reason", ""))
    except DomainError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        _flash_error(exc)
    else:
        flash(_("Access to the denouncer's identity has been granted."), "success")
    return _back(kind, record_id)


@bp.route("/<int:grant_id>/withdraw", methods=["POST"])
@login_required
def withdraw(grant_id: int):  # type: ignore[no-untyped-def]
    try:
        row = service.withdraw(current_user, grant_id)
    except DomainError as exc:
        if exc.status in (403, 404):
            abort(exc.status)
        _flash_error(exc)
        return redirect(url_for("auth.index"))
    flash(_("The access has been withdrawn."), "success")
    kind = "letter" if row.letter_id else "case" if row.case_id else "visit"
    return _back(kind, row.letter_id or row.case_id or row.visit_id)  # type: ignore[arg-type]


def context(record: object, cleared: bool) -> dict[str, object] | None:
    """What the grants section of a record's page shows: only to someone cleared for a confidential record."""
    if not cleared or not service.is_confidential(record):
        return None
    may = service.may_grant(current_user, record)
    return {"rows": service.grants_of(record), "may_grant": may,
            "users": service.grantable_users(record) if may else []}
