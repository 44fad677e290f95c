"""The registry of citizens: search without diacritics, view one citizen's visits, correct details."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from tracker.extensions import db
from tracker.models import Citizen
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.privacy import confidentiality
from tracker.services.reception import citizen_history
from tracker.services.reception import citizens as service
from tracker.web.errors import attach_errors
from tracker.web.forms import form_version
from tracker.web.permissions import need
from tracker.web.reception.forms import CitizenForm

bp = Blueprint("citizens", __name__, url_prefix="/citizens")
FIELDS = ("full_name", "id_number", "birth_year", "gender", "phone", "address", "neighbourhood")


def visible_citizen(citizen_id: int, purpose: str) -> Citizen:
    citizen = confidentiality.visible_citizen(current_user, citizen_id, purpose=purpose)
    if citizen is None:
        abort(404)
    return citizen


def citizen_input(form: CitizenForm) -> service.CitizenInput:
    return service.CitizenInput(**{n: getattr(form, n).data for n in FIELDS})


@bp.route("/")
@login_required
def list_citizens():  # type: ignore[no-untyped-def]
    need("citizens.read")
    q = request.args.get("q", "")
    stmt = service.search_query(access.visible_units_query(current_user), q).where(
        confidentiality.citizen_scope(current_user))
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    confidentiality.record_citizen_reads(current_user, page.items, "list")
    return render_template("reception/citizens.html", page=page, q=q)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_citizen():  # type: ignore[no-untyped-def]
    need("citizens.write")
    form = CitizenForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            citizen = service.register_citizen(access.writable_unit(current_user).id, citizen_input(form),
                                               local_today())
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("The citizen has been registered."), "success")
            return redirect(url_for(".show_citizen", citizen_id=citizen.id))
    return render_template("reception/citizen_form.html", form=form, errors=errors, citizen=None), (
        400 if request.method == "POST" else 200)


@bp.route("/<int:citizen_id>")
@login_required
def show_citizen(citizen_id: int):  # type: ignore[no-untyped-def]
    need("citizens.read")
    citizen = visible_citizen(citizen_id, "show")
    found = citizen_history.history(current_user, citizen)
    return render_template("reception/citizen.html", citizen=citizen, visits=found.visits, letters=found.letters,
                           cases=found.cases)


@bp.route("/<int:citizen_id>/edit", methods=["GET", "POST"])
@login_required
def edit_citizen(citizen_id: int):  # type: ignore[no-untyped-def]
    need("citizens.write")
    citizen = visible_citizen(citizen_id, "edit")
    form = CitizenForm(obj=citizen if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(citizen.version)
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            service.update_citizen(citizen, citizen_input(form), version=form_version(form.version.data),
                                   today=local_today())
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("The citizen's details have been updated."), "success")
            return redirect(url_for(".show_citizen", citizen_id=citizen.id))
    return render_template("reception/citizen_form.html", form=form, errors=errors, citizen=citizen), (
        400 if request.method == "POST" else 200)
