"""Administration: users, units, legal rule values and the audit log."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask_login import current_user
from flask_login import login_required

from tracker.services import access

bp = Blueprint("admin", __name__, url_prefix="/admin")


def need(permission: str) -> None:
    if not access.can(current_user, permission):
        abort(403)


@bp.route("/users")
@login_required
def list_users():  # type: ignore[no-untyped-def]
    need("admin.users")
    abort(501)


@bp.route("/audit")
@login_required
def audit_log():  # type: ignore[no-untyped-def]
    need("audit.read")
    abort(501)
