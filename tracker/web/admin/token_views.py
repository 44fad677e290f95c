"""Administration: the API tokens of the users an administrator manages — listed (never the token itself)
and revoked (audited as a change of the token under the administrator's name)."""
from __future__ import annotations

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required

from tracker.extensions import db
from tracker.labels import LABELS
from tracker.messages import message
from tracker.models.base import utcnow
from tracker.services import access
from tracker.services.errors import DomainError
from tracker.services.errors import NotFoundError
from tracker.services.operations import tokens as service
from tracker.web.admin.views import bp
from tracker.web.permissions import need

LABELS.setdefault("token_scope", {}).update({"read": _l("Read only"), "write": _l("Read and write")})
LABELS.setdefault("token_status", {}).update({
    "active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked"),
})
LABELS.setdefault("token_revoked_reason", {}).update({
    "revoked": _l("revoked by hand"), "password_reset": _l("password reset"),
    "password_change": _l("password changed"), "deactivated": _l("account deactivated"),
})


@bp.route("/tokens")
@login_required
def list_tokens():  # type: ignore[no-untyped-def]
    need("admin.users")
    live = request.args.get("live") == "1"
    stmt = service.tokens_query(unit_ids=access.visible_units_query(current_user), live_only=live)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    now = utcnow()
    rows = [(row, service.status_of(row, now)) for row in page.items]
    return render_template("admin/tokens.html", page=page, rows=rows, live=live)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    need("admin.users")  # the CSRF token is checked by CSRFProtect before the view
    try:
        row = service.revoke_token(token_id, unit_ids=access.visible_units_query(current_user))
    except NotFoundError:
        abort(404)
    except DomainError as exc:
        flash(message(exc.code, **exc.params), "error")
    else:
        flash(_("The API token “%(name)s” of %(username)s has been revoked.", name=row.name or f"#{row.id}",
                username=row.user.username), "success")
    return redirect(url_for(".list_tokens"))
