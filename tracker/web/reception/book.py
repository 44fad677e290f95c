"""The log book as a whole: print in the official layout, export to Excel, import from Excel."""
from __future__ import annotations

from flask import abort
from flask_login import login_required

from tracker.web.reception.views import bp
from tracker.web.reception.views import need


@bp.route("/print")
@login_required
def print_book():  # type: ignore[no-untyped-def]
    need("visits.read")
    abort(501)


@bp.route("/export.xlsx")
@login_required
def export_visits():  # type: ignore[no-untyped-def]
    need("visits.read")
    abort(501)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_visits():  # type: ignore[no-untyped-def]
    need("import.visits")
    abort(501)
