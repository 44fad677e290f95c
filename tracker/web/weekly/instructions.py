"""/instructions: the chairperson writes instructions on cases; handlers see theirs and mark them done."""
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
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import Case
from tracker.models import Instruction
from tracker.services import access
from tracker.services.cases import instructions as service
from tracker.services.errors import DomainError
from tracker.web.errors import attach_errors
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.weekly.common import today
from tracker.web.weekly.common import unit_people

MESSAGES.update({
    "due_in_past": _l("The due date cannot be in the past."),
    "instruction_done": _l("This instruction has already been marked as done."),
})

bp = Blueprint("instructions", __name__, url_prefix="/instructions")


class InstructionForm(FlaskForm):
    text = TextAreaField(_l("Instruction"), validators=[REQUIRED, Length(max=service.MAX_TEXT)])
    due_on = VNDateField(_l("Due date"), validators=[OPTIONAL])
    assignee_id = SelectField(_l("For"), coerce=int, validate_choice=False)
    next = HiddenField()


def _safe_next(target: str | None, fallback: str) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return fallback


def _instructable_case(case_id: int | None) -> Case:
    if not access.can(current_user, "instructions.give"):
        abort(403)
    case = db.session.get(Case, case_id) if case_id else None
    if case is None or (case.unit_id != current_user.unit_id and not access.continues(current_user, case)):
        abort(404)  # a former commune's open case is the new commune's to instruct on
    return case


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_instruction():  # type: ignore[no-untyped-def]
    case = _instructable_case(request.args.get("case_id", type=int))
    form = InstructionForm()
    people = unit_people(access.acting_unit_id(current_user, case))
    form.assignee_id.choices = [(p.id, p.full_name or p.username) for p in people]
    if request.method == "GET":
        form.assignee_id.data = case.handler_id
        form.next.data = request.args.get("next", "")
    errors: list[str] = []
    if form.validate_on_submit():
        assignee = form.assignee_id.data or None
        try:
            service.give_instruction(current_user, case, form.text.data or "", form.due_on.data, today(),
                                     assignee_id=assignee if assignee != case.handler_id else None)
        except DomainError as exc:
            errors = attach_errors(form, exc)
        else:
            flash(_("The instruction on case no. %(id)s has been sent.", id=case.number), "success")
            return redirect(_safe_next(form.next.data, f"/cases/{case.id}"))
    elif request.method == "POST":
        errors = [_("Some information is not valid. Please check the fields marked below.")]
    return render_template("weekly/instruction_form.html", form=form, case=case, errors=errors), (
        400 if request.method == "POST" else 200)


@bp.route("/")
@login_required
def list_instructions():  # type: ignore[no-untyped-def]
    return render_template("weekly/instructions.html", mine=service.open_for(current_user),
                           unit_open=service.open_in_unit(current_user), today=today())


@bp.route("/<int:instruction_id>/done", methods=["POST"])
@login_required
def complete(instruction_id: int):  # type: ignore[no-untyped-def]
    instruction = db.session.get(Instruction, instruction_id)
    if instruction is None or instruction.unit_id != current_user.unit_id:
        abort(404)
    version = request.form.get("version", type=int)
    try:
        service.complete_instruction(current_user, instruction, today(), version=version or 0)
    except DomainError as exc:
        if exc.status == 403:
            abort(403)
        flash(message(exc.code, **exc.params), "warning")
    else:
        flash(_("The instruction on case no. %(id)s is marked as done.", id=instruction.case_id), "success")
    return redirect(_safe_next(request.form.get("next"), url_for(".list_instructions")))
