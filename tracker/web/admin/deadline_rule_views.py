"""Administration: the deadline table (rule rows), correcting a row and adding a new version.

Both changes are previewed first (the open clocks they move, nothing written) and applied on
confirmation, re-timing the open cases (tracker.services.legal.retime).
"""
from __future__ import annotations

from typing import Any

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.extensions import db
from tracker.labels import LABELS
from tracker.labels import choices
from tracker.messages import message
from tracker.models import DeadlineRuleRow
from tracker.rules.deadlines import DAY_KINDS
from tracker.rules.deadlines import PAUSE_RULES
from tracker.services.clock import local_today
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.legal import retime
from tracker.services.legal.rule_admin import CERTAINTIES
from tracker.web.admin.calendar_views import PREVIEW_LIMIT
from tracker.web.admin.calendar_views import fingerprint
from tracker.web.admin.calendar_views import outcome_status
from tracker.web.admin.forms import NUMBER_REQUIRED
from tracker.web.admin.forms import TOO_LONG
from tracker.web.admin.views import INVALID
from tracker.web.admin.views import bp
from tracker.web.admin.views import form_version
from tracker.web.admin.views import need_rule_editor
from tracker.web.admin.views import rule_editor
from tracker.web.errors import attach_errors
from tracker.web.forms import OPTIONAL
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.forms import VNIntegerField
from tracker.web.permissions import need

LABELS.setdefault("day_kind", {}).update({"working": _l("Working days"), "calendar": _l("Calendar days")})
LABELS.setdefault("pause_rule", {}).update({
    "extend": _l("Paused days are added back"), "restart": _l("Runs again in full from the resumption"),
})
LABELS.setdefault("rule_condition", {}).update({
    "complex": _l("complex"), "remote_area": _l("remote area"), "second_instance": _l("second instance"),
})
CONDITIONS = ("complex", "remote_area", "second_instance")


class _RuleValues(FlaskForm):
    days = VNIntegerField(_l("Days"), validators=[NUMBER_REQUIRED])
    day_kind = SelectField(_l("Day kind"), validators=[REQUIRED])
    max_extensions = VNIntegerField(_l("Extensions allowed"), validators=[NUMBER_REQUIRED])
    extension_days = VNIntegerField(_l("Days of one extension"), validators=[OPTIONAL])
    effective_to = VNDateField(_l("In force until"), validators=[OPTIONAL])
    legal_basis = StringField(_l("Legal basis"), validators=[REQUIRED, Length(max=300, message=TOO_LONG)])
    certainty = SelectField(_l("Certainty"), validators=[REQUIRED])
    note = TextAreaField(_l("Note"), validators=[Length(max=4000, message=TOO_LONG)])
    reason = TextAreaField(_l("Reason written on the re-timed cases"), validators=[REQUIRED,
                                                                                    Length(max=500, message=TOO_LONG)])
    previewed = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.day_kind.choices = choices("day_kind", DAY_KINDS)
        self.certainty.choices = choices("certainty", CERTAINTIES)


class RuleRowCorrectForm(_RuleValues):
    version = HiddenField()


class RuleRowVersionForm(_RuleValues):
    effective_from = VNDateField(_l("In force from"), validators=[REQUIRED])
    pause_rule = SelectField(_l("Suspension"), validators=[OPTIONAL])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.pause_rule.choices = choices("pause_rule", PAUSE_RULES, blank=str(_l("Cannot be suspended")))


def rule_row(row_id: int) -> DeadlineRuleRow:
    row = db.session.get(DeadlineRuleRow, row_id)
    if row is None:
        abort(404)
    return row


def conditions(row: DeadlineRuleRow) -> list[tuple[str, bool]]:
    return [(c, bool(getattr(row, c))) for c in CONDITIONS if getattr(row, c) is not None]


@bp.route("/deadline-rules")
@login_required
def deadline_rules():  # type: ignore[no-untyped-def]
    need("admin.rules")
    kinds = list(db.session.scalars(select(DeadlineRuleRow.kind).distinct().order_by(DeadlineRuleRow.kind)))
    kind = request.args.get("kind", "")
    stmt = select(DeadlineRuleRow)
    if kind in kinds:
        stmt = stmt.where(DeadlineRuleRow.kind == kind)
    else:
        kind = ""
    rows = db.session.scalars(stmt.order_by(DeadlineRuleRow.kind, DeadlineRuleRow.step, DeadlineRuleRow.effective_from,
                                            DeadlineRuleRow.code)).all()
    return render_template("admin/deadline_rules.html", rows=rows, kinds=kinds, kind=kind, conditions=conditions,
                           can_edit=rule_editor())


def _common(form: _RuleValues) -> dict[str, Any]:
    return {"days": form.days.data, "day_kind": form.day_kind.data or "", "max_extensions": form.max_extensions.data,
            "extension_days": form.extension_days.data, "legal_basis": form.legal_basis.data or "",
            "certainty": form.certainty.data or "", "note": form.note.data or None,
            "effective_to": form.effective_to.data}


def _preview_or_apply(form: _RuleValues, change: retime.Change) -> tuple[list[retime.Affected] | None,
                                                                           retime.RetimeResult | None]:
    """The preview when these values were not previewed yet; else apply them."""
    digest = fingerprint(sorted((k, str(v)) for k, v in vars(change).items()))
    if form.previewed.data != digest:
        preview = retime.preview_retime(change)
        form.previewed.data = "" if any(a.problem for a in preview) else digest
        return preview, None
    return None, retime.apply_retime(change, form.reason.data or "", today=local_today())


def _handle(form: _RuleValues, build: Any, row: DeadlineRuleRow, template: str, done: str):  # type: ignore[no-untyped-def]
    errors: list[str] = []
    preview: list[retime.Affected] | None = None
    conflict = failed = False
    if form.validate_on_submit():
        try:
            preview, result = _preview_or_apply(form, build())
        except DomainError as exc:
            conflict, failed = isinstance(exc, ConflictError), True
            errors = attach_errors(form, exc)
            preview, form.previewed.data = None, ""
        else:
            if result is not None:
                flash(str(done) % {"code": row.code, "count": len(result.moved),
                                   "handlers": len(result.handler_ids)}, "success")
                return redirect(url_for(".deadline_rules", kind=row.kind))
    elif request.method == "POST":
        errors, failed = [str(INVALID)], True
        form.previewed.data = ""
    return render_template(template, form=form, errors=errors, row=row, preview=preview, limit=PREVIEW_LIMIT,
                           message=message, conditions=conditions), outcome_status(failed, conflict)


@bp.route("/deadline-rules/<int:row_id>/edit", methods=["GET", "POST"])
@login_required
def edit_deadline_rule(row_id: int):  # type: ignore[no-untyped-def]
    need_rule_editor()
    row = rule_row(row_id)
    form = RuleRowCorrectForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.version.data = str(row.version)
        form.reason.data = ""

    def build() -> retime.RuleCorrection:
        return retime.RuleCorrection(row_id=row.id, version=form_version(form), **_common(form))

    return _handle(form, build, row, "admin/deadline_rules_form.html",
                   _l("The rule %(code)s has been corrected: %(count)s due date(s) of open cases and letters moved; "
                      "%(handlers)s handler(s) told."))


@bp.route("/deadline-rules/<int:row_id>/new-version", methods=["GET", "POST"])
@login_required
def new_deadline_rule_version(row_id: int):  # type: ignore[no-untyped-def]
    need_rule_editor()
    row = rule_row(row_id)
    form = RuleRowVersionForm(obj=row if request.method == "GET" else None)
    if request.method == "GET":
        form.effective_from.data, form.effective_to.data = None, None
        form.pause_rule.data = row.pause_rule or ""
        form.reason.data, form.note.data = "", ""

    def build() -> retime.RuleVersion:
        return retime.RuleVersion(base_id=row.id, effective_from=form.effective_from.data,  # type: ignore[arg-type]
                                  pause_rule=form.pause_rule.data or None, **_common(form))

    return _handle(form, build, row, "admin/deadline_rules_version_form.html",
                   _l("A new version of %(code)s has been added: %(count)s due date(s) of open cases and letters "
                      "moved; %(handlers)s handler(s) told."))
