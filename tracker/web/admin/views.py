"""Administration: users, units, legal rule values and the (read-only) audit log."""
from __future__ import annotations

from typing import Any

from flask import Blueprint
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
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import RuleParam
from tracker.models import Unit
from tracker.models import User
from tracker.models.users import INSTALLATION_ROLES
from tracker.rules.reporting import ASSESSMENT_SENTENCES
from tracker.rules.reporting import sentence_settings
from tracker.services import access
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.errors import ValidationError
from tracker.services.legal import rule_admin
from tracker.services.operations import units as unit_service
from tracker.services.operations import users as user_service
from tracker.services.privacy import audit_queries
from tracker.web.admin import audit_text
from tracker.web.admin.forms import AuditFilterForm
from tracker.web.admin.forms import RuleCorrectForm
from tracker.web.admin.forms import RuleVersionForm
from tracker.web.admin.forms import UnitCreateForm
from tracker.web.admin.forms import UnitEditForm
from tracker.web.admin.forms import UserCreateForm
from tracker.web.admin.forms import UserEditForm
from tracker.web.errors import attach_errors
from tracker.web.permissions import need

bp = Blueprint("admin", __name__, url_prefix="/admin")

MESSAGES.update({
    "cannot_deactivate_own_unit": _l("You cannot deactivate the unit your own account belongs to."),
    "rules_top_unit_only": _l("Rule values apply to the whole installation: only the installation "
                              "administrator may change them."),
})

LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}
INVALID = _l("Some information is not valid. Please check the fields marked below.")


def form_version(form: Any) -> int:
    raw = str(form.version.data or "")
    return int(raw) if raw.isdecimal() else -1


def status(errors: list[str], conflict: bool = False) -> int:
    if conflict:
        return 409
    return 400 if request.method == "POST" else 200


# ---------------------------------------------------------------- units in scope

def unit_tree() -> list[tuple[Unit, int]]:
    """The units the current user may see, depth-first (province → district → commune), by name."""
    units = db.session.scalars(select(Unit).where(Unit.id.in_(access.visible_units_query(current_user)))).all()
    ids = {u.id for u in units}
    children: dict[int | None, list[Unit]] = {}
    for u in units:
        children.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    result: list[tuple[Unit, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for u in sorted(children.get(parent, []), key=lambda x: (LEVEL_ORDER.get(x.level, 9), x.name, x.code)):
            result.append((u, depth))
            walk(u.id, depth + 1)

    walk(None, 0)
    return result


def unit_choices(tree: list[tuple[Unit, int]] | None = None) -> list[tuple[str, str]]:
    return [(u.code, "\u00a0\u00a0" * depth + ("— " if depth else "") + u.name)
            for u, depth in (tree if tree is not None else unit_tree())]


def visible_unit(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    if unit is None or not access.can_see_unit(current_user, unit.id):
        abort(404)
    return unit


def rule_editor() -> bool:
    """The installation-wide legal data (rule values, deadline rules, calendar, legal updates) is changed by
    the installation-level role only; a unit's admin, even of a top-level unit, reads it."""
    return access.can(current_user, "rules.edit")


# ---------------------------------------------------------------- the installation-level role

# What the installation-level role reaches: its own account, the public pages, the installation-wide legal
# data. Everything else answers 403 here, before any view, so a page that forgets its permission check
# still shows it no unit's data (its role is in no data permission either: tracker.services.access).
INSTALLATION_ENDPOINTS = frozenset({
    "static", "auth.login", "auth.logout", "auth.change_password", "auth.index", "public.lookup",
    "admin.list_rules", "admin.edit_rule", "admin.new_rule_version", "admin.deadline_rules",
    "admin.edit_deadline_rule", "admin.new_deadline_rule_version", "admin.calendar", "admin.calendar_day",
    "admin.legal_update",
})


@bp.before_app_request
def _installation_role_gate():  # type: ignore[no-untyped-def]
    if request.blueprint == "api" or not current_user.is_authenticated:
        return None  # the API has its own gate (tracker.api.auth)
    if current_user.role not in INSTALLATION_ROLES:
        return None
    if request.endpoint is not None and request.endpoint not in INSTALLATION_ENDPOINTS:
        abort(403)
    return None


# ---------------------------------------------------------------- users

@bp.route("/users")
@login_required
def list_users():  # type: ignore[no-untyped-def]
    need("admin.users")
    page = db.paginate(user_service.users_query(current_user), per_page=current_app.config["PER_PAGE"],
                       max_per_page=200, error_out=False)
    return render_template("admin/users.html", page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def new_user():  # type: ignore[no-untyped-def]
    need("admin.users")
    form = UserCreateForm(unit_choices())
    if request.method == "GET":
        form.unit.data = current_user.unit.code
        form.role.data = "receptionist"
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            user = user_service.create_user(user_service.UserInput(
                username=form.username.data or "", role=form.role.data or "", unit_code=form.unit.data or "",
                password=form.password.data or "", full_name=form.full_name.data or ""), actor=current_user)
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("User %(username)s has been created.", username=user.username), "success")
            return redirect(url_for(".list_users"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/user_form.html", form=form, errors=errors, user=None), status(errors)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def edit_user(user_id: int):  # type: ignore[no-untyped-def]
    need("admin.users")
    user = db.session.get(User, user_id)
    if user is None or not access.can_see_unit(current_user, user.unit_id):
        abort(404)
    if user.role in INSTALLATION_ROLES:
        abort(403)  # granted and managed on the server (CLI): a unit admin resetting it would become it
    form = UserEditForm(unit_choices(), obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.unit.data = user.unit.code
        form.version.data = str(user.version)
    errors: list[str] = []
    conflict = False
    if form.validate_on_submit():
        try:
            user_service.update_user(user, version=form_version(form), full_name=form.full_name.data or "",
                                     role=form.role.data or "", unit_code=form.unit.data or "",
                                     active=bool(form.active.data), new_password=form.password.data or None,
                                     actor=current_user)
        except DomainError as exc:
            conflict = isinstance(exc, ConflictError)
            errors = attach_errors(form, exc)
        else:
            flash(_("User %(username)s has been updated.", username=user.username), "success")
            return redirect(url_for(".list_users"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/user_form.html", form=form, errors=errors, user=user), status(errors, conflict)


# ---------------------------------------------------------------- units

@bp.route("/units")
@login_required
def list_units():  # type: ignore[no-untyped-def]
    need("admin.units")
    return render_template("admin/units.html", tree=unit_tree())


@bp.route("/units/new", methods=["GET", "POST"])
@login_required
def new_unit():  # type: ignore[no-untyped-def]
    need("admin.units")
    form = UnitCreateForm(unit_choices())
    if request.method == "GET":
        form.parent.data = current_user.unit.code
        form.level.data = "commune"
        form.reception_weekday.data = "4"
    errors: list[str] = []
    if form.validate_on_submit():
        weekday = form.reception_weekday.data
        try:
            unit = unit_service.create_unit(
                form.code.data or "", form.name.data or "", level=form.level.data or "",
                parent_code=form.parent.data or None, remote_area=bool(form.remote_area.data),
                reception_weekday=int(weekday) if weekday else None)
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("Unit %(name)s has been created.", name=unit.name), "success")
            return redirect(url_for(".list_units"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/unit_form.html", form=form, errors=errors, unit=None), status(errors)


@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_unit(unit_id: int):  # type: ignore[no-untyped-def]
    need("admin.units")
    unit = visible_unit(unit_id)
    form = UnitEditForm(obj=unit if request.method == "GET" else None)
    if request.method == "GET":
        form.reception_weekday.data = str(unit.reception_weekday or "")
        form.snapshot_weekday.data = str(unit.snapshot_weekday)
        form.version.data = str(unit.version)
        for key, item in sentence_settings(unit.report_sentences).items():
            getattr(form, f"sentence_{key}").data = item["enabled"]
            getattr(form, f"sentence_{key}_text").data = item["text"]
    errors: list[str] = []
    conflict = False
    if form.validate_on_submit():
        weekday = form.reception_weekday.data
        try:
            version = form_version(form)
            if unit.version != version:
                raise ConflictError("stale")
            if unit.id == current_user.unit_id and not form.active.data:
                raise ValidationError({"active": "cannot_deactivate_own_unit"})
            unit_service.update_unit(unit, version=version, name=form.name.data or "",
                                     remote_area=bool(form.remote_area.data),
                                     reception_weekday=int(weekday) if weekday else None,
                                     address=(form.address.data or "").strip() or None, active=bool(form.active.data),
                                     settings=None if not form.snapshot_time.data else unit_service.UnitSettings(
                                         reminder_days=form.reminder_days.data if form.reminder_days.data is not None
                                         else -1,
                                         snapshot_weekday=int(form.snapshot_weekday.data or 0),
                                         snapshot_time=(form.snapshot_time.data or "").strip(),
                                         report_convention=form.report_convention.data or "",
                                         leading_zero=bool(form.leading_zero.data)))
            if form.snapshot_time.data:  # the report texts are posted with the settings
                unit_service.update_report_texts(unit, basis=form.report_basis.data or "", sentences={
                    key: {"enabled": bool(getattr(form, f"sentence_{key}").data),
                          "text": getattr(form, f"sentence_{key}_text").data or ""}
                    for key in ASSESSMENT_SENTENCES})
        except DomainError as exc:
            conflict = isinstance(exc, ConflictError)
            errors = attach_errors(form, exc)
        else:
            flash(_("Unit %(name)s has been updated.", name=unit.name), "success")
            return redirect(url_for(".list_units"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/unit_form.html", form=form, errors=errors, unit=unit), status(errors, conflict)


# ---------------------------------------------------------------- rule values

@bp.route("/rules")
@login_required
def list_rules():  # type: ignore[no-untyped-def]
    need("admin.rules")
    rows = db.session.scalars(select(RuleParam).order_by(RuleParam.key, RuleParam.effective_from)).all()
    return render_template("admin/rules.html", rows=rows, can_edit=rule_editor())


def need_rule_editor() -> None:
    need("admin.rules")
    if not rule_editor():
        abort(403)


@bp.route("/rules/<int:row_id>/edit", methods=["GET", "POST"])
@login_required
def edit_rule(row_id: int):  # type: ignore[no-untyped-def]
    need_rule_editor()
    row = db.session.get(RuleParam, row_id)
    if row is None:
        abort(404)
    form = RuleCorrectForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(row.version)
    errors: list[str] = []
    conflict = False
    if form.validate_on_submit():
        try:
            version = form_version(form)
            rule_admin.correct_rule(row, version=version, value=form.value.data,
                                    legal_basis=form.legal_basis.data or "", effective_to=form.effective_to.data,
                                    note=form.note.data, certainty=form.certainty.data or "")
        except DomainError as exc:
            conflict = isinstance(exc, ConflictError)
            errors = attach_errors(form, exc)
        else:
            flash(_("The rule value %(key)s has been corrected.", key=row.key), "success")
            return redirect(url_for(".list_rules"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/rule_form.html", form=form, errors=errors, row=row), status(errors, conflict)


@bp.route("/rules/new", methods=["GET", "POST"])
@login_required
def new_rule_version():  # type: ignore[no-untyped-def]
    need_rule_editor()
    form = RuleVersionForm(rule_admin.known_keys())
    if request.method == "GET" and request.args.get("key"):
        form.key.data = request.args["key"]
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            row = rule_admin.add_rule_version(
                form.key.data or "", value=form.value.data, effective_from=form.effective_from.data,
                effective_to=form.effective_to.data, legal_basis=form.legal_basis.data or "",
                certainty=form.certainty.data or "", note=form.note.data)
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("A new version of %(key)s has been added.", key=row.key), "success")
            return redirect(url_for(".list_rules"))
    elif request.method == "POST":
        errors = [str(INVALID)]
    return render_template("admin/rule_version_form.html", form=form, errors=errors), status(errors)


# ---------------------------------------------------------------- audit log (read-only)

def _audit_filter(form: AuditFilterForm) -> audit_queries.AuditFilter:
    def ok(field):  # type: ignore[no-untyped-def]
        return field.data if field.data not in (None, "") and not field.errors else None

    return audit_queries.AuditFilter(unit_code=ok(form.unit), entity=ok(form.entity), entity_id=ok(form.entity_id),
                                     action=ok(form.action), actor=str(ok(form.actor) or "") or None,
                                     date_from=ok(form.date_from), date_to=ok(form.date_to))


@bp.route("/audit")
@login_required
def audit_log():  # type: ignore[no-untyped-def]
    need("audit.read")
    tree = unit_tree()
    form = AuditFilterForm(request.args)
    form.unit.choices = [("", _("All units"))] + unit_choices(tree)
    form.entity.choices = [("", _("All"))] + [(k, str(v)) for k, v in audit_text.ENTITY_LABELS.items()]
    form.action.choices = [("", _("All"))] + [(k, str(v)) for k, v in audit_text.ACTION_LABELS.items()]
    form.validate()
    page = db.paginate(audit_queries.audit_query(current_user, _audit_filter(form)),
                       per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    units = {u.id: u for u, _depth in tree}
    rows = [(e, audit_text.sentence(e), audit_text.record_name(e), audit_text.change_lines(e)) for e in page.items]
    return render_template("admin/audit.html", form=form, page=page, rows=rows, units=units,
                           entity_labels=audit_text.ENTITY_LABELS, action_labels=audit_text.ACTION_LABELS)
from tracker.web.admin import deadline_rule_views  # noqa: E402,F401  (deadline-rule and, through it, calendar pages)
from tracker.web.admin import legal_update_views  # noqa: E402,F401  (loading a legal update file)
from tracker.web.admin import token_views  # noqa: E402,F401  (API tokens: list, revoke)
