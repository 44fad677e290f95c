"""The public status page: a citizen types the tracking code of the receipt (no login); the budget and
the look-up it shares with the API are in tracker/status_lookup.py."""
from __future__ import annotations

from flask import Blueprint
from flask import render_template

from tracker.status_lookup import lookup_status
from tracker.status_lookup import shared_status_limits
from tracker.status_lookup import typed_code

bp = Blueprint("public", __name__, url_prefix="/status")


@bp.route("/", methods=["GET"])
@shared_status_limits
def lookup():  # type: ignore[no-untyped-def]
    code = typed_code()
    if not code:
        return render_template("public/status.html", status=None, code="", missing=False)
    status = lookup_status()
    return render_template("public/status.html", status=status, code=code, missing=status is None), (
        200 if status else 404)
