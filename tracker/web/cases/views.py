"""Cases: the open-case list by due date, the case page with its clocks, timeline and legal actions,
and the "why this date?" explanation of each clock."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

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
from tracker.labels import choices
from tracker.labels import label
from tracker.messages import message
from tracker.models import Case
from tracker.rules import lifecycle as lc
from tracker.services import access
from tracker.services.cases import actions as service
from tracker.services.cases import case_queries
from tracker.services.cases import mediation_groups
from tracker.services.cases.case_page import case_page
from tracker.services.cases.case_page import why_date as explain_due_date
from tracker.services.clock import local_today
from tracker.services.errors import DomainError
from tracker.services.errors import NotFoundError
from tracker.web import merged
from tracker.web.cases.forms import ActionForm
from tracker.web.cases.forms import CaseFilterForm
from tracker.web.cases.forms import DelayForm
from tracker.web.errors import attach_errors
from tracker.web.forms import given
from tracker.web.grants import views as grant_views
from tracker.web.permissions import need

bp = Blueprint("cases", __name__, url_prefix="/cases")

DOC = ("document_no", "document_date", "signer")
# The fields each action's form shows, in order.
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "assign": ("handler_id", "mediation_group_id", "on", "note"),
    "verify": ("on", "note"),
    "dialogue": ("on", "minutes", "note"),
    "mediate": ("on", "minutes", "note"),
    "extend": ("on", *DOC, "note"),
    "suspend": ("on", *DOC, "note"),
    "resume": ("on", *DOC, "note"),
    "conclude": ("on", "outcome", *DOC, "note"),
    "withdraw": ("on", *DOC, "note"),
    "terminate": ("on", *DOC, "note"),
    "send_up": ("on", *DOC, "note"),
    "guide_court": ("on", *DOC, "note"),
    "open_dispute": ("on", "handler_id", *DOC, "note"),
    "note": ("on", "note"),
    "submit": ("on", "note"),
}
# Fields the web form asks for beyond what the service checks (the law wants them on the record).
EXTRA_REQUIRED: dict[str, dict[str, str]] = {
    "conclude": {"document_date": "document_date_required", "signer": "signer_required"},
    "suspend": {"note": "suspension_reason_required"},
    "note": {"note": "note_required"},
}
# Actions shown as the main buttons; the rest are folded below.
MAIN_ACTIONS = ("verify", "dialogue", "mediate", "conclude", "extend")


def visible_case(case_id: int) -> Case:
    """A case the user may read: its own scope, or a former commune merged into its unit (read only)."""
    case = db.session.get(Case, case_id)
    if case is None:
        abort(404)
    merged.check_readable(case.unit_id)
    return case


def writable_case(case_id: int) -> Case:
    """A case the user may move on: its own, or a former commune's open case (the new commune continues it);
    403 with the reason for a former commune's closed case."""
    case = visible_case(case_id)
    merged.check_writable(case)
    return case


def may_act(case: Case) -> bool:
    return access.may_move_case(current_user, case)


def _working_staff_and_groups(case: Case):  # type: ignore[no-untyped-def]
    """The handlers and mediation groups to choose from: those of the unit doing the work (the new commune's
    for a former commune's open case)."""
    unit_id = access.acting_unit_id(current_user, case)
    return case_queries.unit_staff(unit_id), mediation_groups.groups_of(unit_id, active_only=True)


def field_labels(action: str) -> dict[str, str]:
    """Labels that say what a shared field means for this action."""
    labels = {
        "dialogue": {"minutes": _("Record of the dialogue (minutes)")},
        "mediate": {"minutes": _("Minutes of the mediation session")},
        "suspend": {"note": _("Reason for the suspension")},
        "send_up": {"note": _("Competent body the parties are guided to")},
        "guide_court": {"note": _("Court and what the parties were told")},
        "withdraw": {"note": _("Content withdrawn")},
        "terminate": {"note": _("Reason for the termination")},
        "open_dispute": {"handler_id": _("Handler of the dispute case")},
        "assign": {"note": _("Note")},
    }
    return labels.get(action, {})


def _filter() -> tuple[CaseFilterForm, case_queries.CaseFilter]:
    form = CaseFilterForm(request.args, handlers=case_queries.unit_staff(current_user.unit_id))
    form.validate()
    f = case_queries.CaseFilter(
        state=form.state.data if form.state.data in ("open", "closed", "all") else "open",
        kind=form.kind.data if form.kind.data in lc.CASE_KINDS else None,
        status=form.status.data if form.status.data in lc.CASE_STATUSES else None,
        handler_id=int(form.handler.data) if (form.handler.data or "").isdecimal() else None,
        overdue=bool(form.overdue.data),
        due_before=form.due_before.data if not form.due_before.errors else None,
        q=(form.q.data or "").strip() or None,
        accepted_from=_iso_arg("accepted_from"), accepted_to=_iso_arg("accepted_to"),
        closed_from=_iso_arg("closed_from"), closed_to=_iso_arg("closed_to"),
        unit_id=request.args.get("unit", type=int),
        figure=request.args.get("figure") or None, period_from=_iso_arg("period_from"),
        period_to=_iso_arg("period_to"), outcome=request.args.get("outcome") or None,
        subtree=request.args.get("subtree") == "1", records=merged.records_scope(),
        group=request.args.get("group") if request.args.get("group") in case_queries.KIND_GROUPS else None,
        mediated=request.args.get("mediated") == "1",
    )
    return form, f


def _iso_arg(name: str) -> date | None:
    """A date given by a link (ISO yyyy-mm-dd), e.g. from the dashboard; anything else is ignored."""
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _render_list(tab: str, f: case_queries.CaseFilter, form: CaseFilterForm):  # type: ignore[no-untyped-def]
    today = local_today()
    stmt = case_queries.cases_query(current_user, f, today)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], max_per_page=200, error_out=False)
    return render_template("cases/list.html", page=page, form=form, tab=tab, today=today)


@bp.route("/")
@login_required
def list_cases():  # type: ignore[no-untyped-def]
    need("cases.read")
    form, f = _filter()
    return _render_list("all", f, form)


@bp.route("/mine")
@login_required
def my_cases():  # type: ignore[no-untyped-def]
    need("cases.read")
    form, f = _filter()
    f.mine = True
    return _render_list("mine", f, form)


def _action_forms(case: Case, actions: list[str], posted: tuple[str, ActionForm] | None) -> dict[str, ActionForm]:
    staff, groups = _working_staff_and_groups(case)
    forms = {}
    for action in actions:
        if posted and posted[0] == action:
            form = posted[1]
        else:
            form = ActionForm(prefix=action, formdata=None)
            form.on.data = local_today()
            form.version.data = str(case.version)
            form.handler_id.data = str(case.handler_id or "")
            form.mediation_group_id.data = str(case.mediation_group_id or "")
        _choices(form, case, staff, groups)
        _relabel(form, action)
        forms[action] = form
    return forms


def _choices(form: ActionForm, case: Case, staff, groups) -> None:  # type: ignore[no-untyped-def]
    form.outcome.choices = choices("case_outcome", lc.OUTCOMES.get(case.kind, ()), blank="—")
    form.handler_id.choices = [("", "—")] + [(str(u.id), u.full_name or u.username) for u in staff]
    form.mediation_group_id.choices = [("", "—")] + [(str(g.id), g.name) for g in groups]


def _relabel(form: ActionForm, action: str) -> None:
    for name, text in field_labels(action).items():
        getattr(form, name).label.text = text


def _render_case(case: Case, *, posted: tuple[str, ActionForm] | None = None, errors: list[str] | None = None,
                 delay_posted: tuple[int, DelayForm] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    page = case_page(current_user, case, local_today())
    forms = _action_forms(case, page.actions, posted)
    delay_forms = {}
    for clock in page.overdue_clocks:
        if delay_posted and delay_posted[0] == clock.id:
            delay_forms[clock.id] = delay_posted[1]
        else:
            form = DelayForm(prefix=f"delay{clock.id}", formdata=None)
            form.reason.data = clock.delay_reason or ""
            form.note.data = clock.delay_note or ""
            form.version.data = str(case.version)
            delay_forms[clock.id] = form
    return render_template(
        "cases/show.html", case=case, letter=page.letter, show_identity=page.show_identity, group=page.group,
        linked=page.linked, clock_rows=page.clock_rows, timeline=page.timeline, forms=forms,
        action_fields=ACTION_FIELDS, main_actions=[a for a in page.actions if a in MAIN_ACTIONS],
        other_actions=[a for a in page.actions if a not in MAIN_ACTIONS], posted_action=posted[0] if posted else None,
        errors=errors or [], delay_forms=delay_forms, today=local_today(), max_extensions=page.max_extensions,
        attachments=page.attachments, can_upload=page.can_upload, read_only=merged.is_read_only(case),
        former=merged.is_former(case.unit_id), continued=page.continued,
        grants=grant_views.context(case, page.show_identity),
    ), status


@bp.route("/<int:case_id>")
@login_required
def show_case(case_id: int):  # type: ignore[no-untyped-def]
    need("cases.read")
    return _render_case(visible_case(case_id))


def _version(raw: str | None) -> int:
    return int(raw) if raw and raw.isdecimal() else -1


def _int_or_none(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdecimal() else None


@bp.route("/<int:case_id>/actions/<action>", methods=["POST"])
@login_required
def act(case_id: int, action: str):  # type: ignore[no-untyped-def]
    need("cases.act")
    case = writable_case(case_id)
    if not may_act(case):
        abort(403)
    if action not in ACTION_FIELDS:
        abort(404)
    form = ActionForm(prefix=action)
    working = access.acting_unit_id(current_user, case)
    _choices(form, case, case_queries.unit_staff(working), mediation_groups.groups_of(working))
    if not form.validate():
        return _render_case(case, posted=(action, form), errors=[message("invalid")], status=400)
    for name, code in EXTRA_REQUIRED.get(action, {}).items():
        field = getattr(form, name)
        if not field.data or (isinstance(field.data, str) and not field.data.strip()):
            field.errors = list(field.errors) + [message(code)]
    if any(getattr(form, n).errors for n in EXTRA_REQUIRED.get(action, {})):
        return _render_case(case, posted=(action, form), errors=[message("invalid")], status=400)
    shown = ACTION_FIELDS[action]
    data = service.ActionInput(
        action=action, on=given(form.on.data), version=_version(form.version.data),
        outcome=(form.outcome.data or None) if "outcome" in shown else None,
        document_no=(form.document_no.data or "").strip() or None if "document_no" in shown else None,
        document_date=form.document_date.data if "document_date" in shown else None,
        signer=(form.signer.data or "").strip() or None if "signer" in shown else None,
        note=(form.note.data or "").strip() or None,
        handler_id=_int_or_none(form.handler_id.data) if "handler_id" in shown else None,
        mediation_group_id=_int_or_none(form.mediation_group_id.data) if "mediation_group_id" in shown else None,
        minutes=(form.minutes.data or "").strip() or None if "minutes" in shown else None,
    )
    try:
        result = service.apply_case_action(current_user, case, data, local_today())
    except DomainError as exc:
        errors = attach_errors(form, exc)
        if exc.fields:
            errors = [message("invalid")] + errors
        return _render_case(visible_case(case_id), posted=(action, form), errors=errors, status=exc.status)
    if action == "open_dispute":
        flash(_("The land dispute has been opened as case no. %(no)s.", no=result.number), "success")
        return redirect(url_for(".show_case", case_id=result.id))
    flash(_("Recorded: %(action)s.", action=label("case_action", action)), "success")
    return redirect(url_for(".show_case", case_id=case.id) + "#timeline")


@bp.route("/<int:case_id>/clocks/<int:clock_id>/delay", methods=["POST"])
@login_required
def record_delay(case_id: int, clock_id: int):  # type: ignore[no-untyped-def]
    need("cases.act")
    case = writable_case(case_id)
    if not may_act(case):
        abort(403)
    form = DelayForm(prefix=f"delay{clock_id}")
    if not form.validate():
        return _render_case(case, delay_posted=(clock_id, form), errors=[message("invalid")], status=400)
    try:
        service.record_delay(case, clock_id, form.reason.data, (form.note.data or "").strip() or None,
                             version=_version(form.version.data), on=local_today())
    except DomainError as exc:
        errors = attach_errors(form, exc, {"delay_reason": "reason"})
        return _render_case(visible_case(case_id), delay_posted=(clock_id, form), errors=errors, status=exc.status)
    flash(_("The reason for the delay has been recorded."), "success")
    return redirect(url_for(".show_case", case_id=case.id) + "#clocks")


@bp.route("/<int:case_id>/clocks/<int:clock_id>/why")
@login_required
def why_date(case_id: int, clock_id: int):  # type: ignore[no-untyped-def]
    need("cases.read")
    case = visible_case(case_id)
    try:
        why = explain_due_date(case, clock_id)
    except NotFoundError:
        abort(404)
    deadline = why.deadline
    problem = message(why.problem.code, **why.problem.params) if why.problem else None
    steps = [SimpleNamespace(**s.as_dict() | {"on": s.on, "resumed": _iso(s.value) if s.code == "pause" else None})
             for s in (deadline.explanation if deadline else ())]
    return render_template("cases/why.html", case=case, clock=why.clock, deadline=deadline, problem=problem,
                           rule=why.rule, flags=why.flags, steps=steps, trigger=TRIGGERS[why.counts_from](),
                           step_labels=step_labels(), skipped=[s for s in steps if s.code == "skip"],
                           make_ups=[s for s in steps if s.code == "make_up"], stored_differs=why.stored_differs,
                           today=local_today())


def _iso(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


# The event a clock counts from, in words (services/cases/case_page.why_date says which).
TRIGGERS = {"letter": lambda: _("Receipt of the letter"), "received": lambda: _("Receipt of the request"),
            "resumed": lambda: _("Resumption or later step of the case"),
            "acceptance": lambda: _("Acceptance of the case")}


def step_labels() -> dict[str, str]:
    return {
        "start": _("Triggering event"), "rule": _("Rule in force"), "count": _("Period"),
        "extension": _("Extension"), "pause": _("Suspension"), "restart": _("Restart"),
        "clock_stopped": _("Clock stopped"), "skip": _("Day skipped"), "make_up": _("Make-up working day"),
        "nominal": _("End of the period"), "roll_forward": _("Moved to the next working day"), "due": _("Due date"),
        "doubt": _("Uncertain calendar"),
    }
