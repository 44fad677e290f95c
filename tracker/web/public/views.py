"""The public status page: a citizen types the tracking code of the receipt (no login).

Rate-limited per address, and wrong codes count extra, so codes cannot be enumerated; an unknown
code and a malformed one get the same answer.
"""
from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request

from tracker.extensions import limiter
from tracker.services.status import status_of

bp = Blueprint("public", __name__, url_prefix="/status")


def _lookup_limit() -> str:
    return str(current_app.config["STATUS_RATE_LIMIT"])


def _miss_limit() -> str:
    return str(current_app.config["STATUS_MISS_LIMIT"])


def _missed(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 404


@bp.route("/", methods=["GET"])
@limiter.limit(_lookup_limit)
@limiter.limit(_miss_limit, deduct_when=_missed)
def lookup():  # type: ignore[no-untyped-def]
    code = request.args.get("code", "").strip()
    if not code:
        return render_template("public/status.html", status=None, code="", missing=False)
    status = status_of(code)
    return render_template("public/status.html", status=status, code=code, missing=status is None), (
        200 if status else 404)
