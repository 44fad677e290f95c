"""Mediation groups (tổ hòa giải) of the unit and the mediation log book (Sổ theo dõi hoạt động hòa giải)."""
from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import Optional

from tracker.extensions import db
from tracker.labels import choices
from tracker.messages import message
from tracker.models import MediationGroup
from tracker.services import access
from tracker.services.cases import mediation_groups as service
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.web.forms import REQUIRED
from tracker.web.forms import form_version
from tracker.web.permissions import need

bp = Blueprint("mediation", __name__, url_prefix="/mediation")
BLANK_ROWS = 3


class MemberForm(Form):
    full_name = StringField(_l("Full name"), render_kw={"maxlength": 200})
    gender = SelectField(_l("Gender"), validators=[Optional()])
    is_leader = BooleanField(_l("Leader"))
    phone = StringField(_l("Phone"), render_kw={"maxlength": 20})

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.gender.choices = choices("gender", ("female", "male", "other"), blank="—")


class GroupForm(FlaskForm):
    name = StringField(_l("Name of the group"), validators=[REQUIRED], render_kw={"maxlength": 200})
    neighbourhood = StringField(_l("Neighbourhood (thôn, tổ dân phố)"), render_kw={"maxlength": 120})
    active = BooleanField(_l("Active"), default=True)
    members = FieldList(FormField(MemberForm), min_entries=BLANK_ROWS)
    version = HiddenField()


def _group(group_id: int) -> MediationGroup:
    try:
        return service.get_group(current_user, group_id)
    except DomainError:
        abort(404)


def _input(form: GroupForm) -> service.GroupInput:
    members = []
    for entry in form.members.entries:
        m = entry.form
        if not (m.full_name.data or "").strip() and not (m.phone.data or "").strip():
            continue  # a blank row
        members.append(service.MemberInput(full_name=m.full_name.data or "", gender=m.gender.data or None,
                                           is_leader=bool(m.is_leader.data), phone=m.phone.data or None))
    return service.GroupInput(name=form.name.data or "", neighbourhood=form.neighbourhood.data or None,
                              active=bool(form.active.data), members=members)


def _member_aliases(form: GroupForm) -> dict[str, str]:
    """Service field "members.<i>.x" (counted over non-blank rows) → the form row "members-<j>-x"."""
    aliases, i = {}, 0
    for j, entry in enumerate(form.members.entries):
        m = entry.form
        if not (m.full_name.data or "").strip() and not (m.phone.data or "").strip():
            continue
        for name in ("full_name", "gender", "phone"):
            aliases[f"members.{i}.{name}"] = f"members-{j}-{name}"
        i += 1
    return aliases


def _attach(form: GroupForm, exc: DomainError) -> list[str]:
    leftover = []
    aliases = _member_aliases(form)
    for name, code in exc.fields.items():
        target = aliases.get(name)
        if target:
            _prefix, j, field_name = target.split("-", 2)
            field = getattr(form.members.entries[int(j)].form, field_name)
            field.errors = list(field.errors) + [message(code, **exc.params)]
        else:
            leftover += _single(form, name, code, exc)
    if not exc.fields:
        leftover.append(message(exc.code, **exc.params))
    return leftover


def _single(form: GroupForm, name: str, code: str, exc: DomainError) -> list[str]:
    field = getattr(form, name, None)
    text = message(code, min=service.min_mediators(), **exc.params)
    if field is not None and hasattr(field, "errors") and not isinstance(field.errors, dict):
        field.errors = list(field.errors) + [text]
        return []
    return [text]


def _pad(form: GroupForm) -> None:
    while len(form.members.entries) < len([e for e in form.members.entries if (e.form.full_name.data or "").strip()]) \
            + BLANK_ROWS:
        form.members.append_entry()


@bp.route("/groups")
@login_required
def list_groups():  # type: ignore[no-untyped-def]
    need("cases.read")
    groups = db.session.scalars(service.groups_query(current_user)).all()
    warnings = {g.id: [message(c, min=service.min_mediators()) for c in service.group_warnings(g.members)]
                for g in groups if g.active}
    return render_template("mediation/groups.html", groups=groups, warnings=warnings,
                           can_manage=access.can(current_user, "mediation.manage"))


@bp.route("/groups/new", methods=["GET", "POST"])
@login_required
def new_group():  # type: ignore[no-untyped-def]
    need("mediation.manage")
    form = GroupForm()
    errors: list[str] = []
    if form.validate_on_submit():
        try:
            group = service.create_group(current_user, _input(form))
        except DomainError as exc:
            errors = [message("invalid")] + _attach(form, exc)
        else:
            _flash_saved(group)
            return redirect(url_for(".list_groups"))
    elif request.method == "POST":
        errors = [message("invalid")]
    _pad(form)
    return render_template("mediation/group_form.html", form=form, group=None, errors=errors), (
        400 if request.method == "POST" else 200)


def _flash_saved(group: MediationGroup) -> None:
    flash(_("The mediation group “%(name)s” has been saved.", name=group.name), "success")
    for code in service.group_warnings(group.members):
        flash(message(code, min=service.min_mediators()), "warning")


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@login_required
def edit_group(group_id: int):  # type: ignore[no-untyped-def]
    need("cases.read")
    group = _group(group_id)
    can_manage = access.can(current_user, "mediation.manage") and (
        group.unit_id == current_user.unit_id or access.can(current_user, "units.write_below"))
    if request.method == "POST" and not can_manage:
        abort(403)
    if request.method == "GET":
        form = GroupForm(formdata=None, obj=group)
        form.members.entries = []
        form.members.last_index = -1
        for m in group.members:
            form.members.append_entry({"full_name": m.full_name, "gender": m.gender or "", "is_leader": m.is_leader,
                                       "phone": m.phone or ""})
        form.version.data = str(group.version)
    else:
        form = GroupForm()
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            version = form_version(form.version.data)
            try:
                service.update_group(current_user, group, _input(form), version)
            except DomainError as exc:
                group = _group(group_id)
                errors = ([message("invalid")] if exc.fields else []) + _attach(form, exc)
                status = exc.status
            else:
                _flash_saved(group)
                return redirect(url_for(".list_groups"))
        else:
            errors, status = [message("invalid")], 400
    if can_manage:
        _pad(form)
    warnings = [message(c, min=service.min_mediators()) for c in service.group_warnings(group.members)]
    return render_template("mediation/group_form.html", form=form, group=group, errors=errors, warnings=warnings,
                           can_manage=can_manage), status


@bp.route("/book")
@login_required
def book():  # type: ignore[no-untyped-def]
    need("cases.read")
    today = local_today()
    year_arg = request.args.get("year", "")
    year = int(year_arg) if year_arg.isdecimal() and 2000 <= int(year_arg) <= 2100 else (
        None if year_arg == "all" else today.year)
    group_arg = request.args.get("group", "")
    group_id = int(group_arg) if group_arg.isdecimal() else None
    groups = db.session.scalars(service.groups_query(current_user)).all()
    group = next((g for g in groups if g.id == group_id), None)
    if group_id and group is None:
        abort(404)
    rows, total = service.logbook(current_user, year=year, group_id=group_id)
    return render_template("mediation/book.html", rows=rows, total=total, limit=service.BOOK_LIMIT, year=year,
                           group=group, groups=groups, unit=current_user.unit,
                           years=list(range(today.year, today.year - 6, -1)))
