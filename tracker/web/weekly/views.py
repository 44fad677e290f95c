"""/weekly: the chairperson's weekly list — live or as frozen on Monday, printable and exportable."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from flask import Response
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

from tracker.exports.weekly_xlsx import weekly_workbook
from tracker.extensions import db
from tracker.messages import message
from tracker.models import User
from tracker.rules import lifecycle as lc
from tracker.rules.weeks import WeekError
from tracker.rules.weeks import parse_week
from tracker.rules.weeks import shift_week
from tracker.services import access
from tracker.services.errors import DomainError
from tracker.services.reports import weekly
from tracker.services.reports import weekly_view
from tracker.web.weekly.common import chosen_unit
from tracker.web.weekly.common import this_week
from tracker.web.weekly.common import today
from tracker.web.weekly.common import unit_people
from tracker.web.weekly.common import visible_units

bp = Blueprint("weekly", __name__, url_prefix="/weekly")


@bp.app_template_filter("iso_vn")
def iso_vn(value: str | None) -> str:
    """An ISO date string (as in the weekly JSON) shown as dd/mm/yyyy."""
    if not value:
        return ""
    return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")


def _need_weekly() -> None:
    if not weekly_view.may_see_weekly(current_user):
        abort(403)


def _week_arg() -> str:
    week = (request.args.get("week") or request.form.get("week") or "").strip() or this_week()
    try:
        parse_week(week)
    except WeekError:
        abort(400, description=message("week_invalid"))
    return week


def _filter_arg() -> weekly.WeeklyFilter:
    handler = request.args.get("handler", "")
    kind = request.args.get("kind") or None
    return weekly.WeeklyFilter(handler_id=int(handler) if handler.isdecimal() else None,
                               kind=kind if kind in lc.CASE_KINDS else None)


def weekly_context() -> dict[str, Any]:
    """Everything the page, the print view and the export show, for the request's arguments."""
    _need_weekly()
    week = _week_arg()
    unit = chosen_unit(request.args.get("unit"))
    f = weekly_view.effective_filter(current_user, _filter_arg())
    snapshot = weekly.snapshot_of(unit.id, week)
    live = weekly_view.live_list(current_user, unit, week, today(), f)
    frozen = weekly_view.frozen_list(current_user, snapshot, f) if snapshot else None
    view = "frozen" if frozen is not None and request.args.get("view") == "frozen" else "live"
    people = unit_people(unit.id)
    names = {u.id: u.full_name or u.username for u in people}
    reviewer = db.session.get(User, snapshot.reviewed_by_id) if snapshot and snapshot.reviewed_by_id else None
    monday, sunday = parse_week(week)
    return {
        "week": week, "unit": unit, "monday": monday, "sunday": sunday, "today": today(),
        "prev_week": shift_week(week, -1), "next_week": shift_week(week, 1), "this_week": this_week(),
        "data": frozen if view == "frozen" else live, "live": live, "frozen": frozen, "view": view,
        "snapshot": snapshot, "reviewer": reviewer,
        "diff": weekly_view.differences(frozen, live) if frozen is not None else None,
        "sections": weekly_view.SECTIONS, "filter": f, "people": people, "names": names,
        "units": visible_units(), "kinds": lc.CASE_KINDS,
        "own_only": weekly_view.own_cases_only(current_user),
        "may_instruct": access.can(current_user, "instructions.give") and current_user.unit_id == unit.id,
        "may_review": weekly_view.may_review(current_user, unit),
        "args": _args(week, unit.code, f, view),
        "cap": current_app.config["WEEKLY_PAGE_ITEMS"],
        "opened": set(request.args.getlist("all")) & set(weekly_view.SECTIONS),
    }


def _args(week: str, unit_code: str, f: weekly.WeeklyFilter, view: str) -> dict[str, str]:
    args = {"week": week}
    if request.args.get("unit"):
        args["unit"] = unit_code
    if f.handler_id and not weekly_view.own_cases_only(current_user):
        args["handler"] = str(f.handler_id)
    if f.kind:
        args["kind"] = f.kind
    if view == "frozen":
        args["view"] = "frozen"
    return args


@bp.route("")
@bp.route("/")
@login_required
def show_week():  # type: ignore[no-untyped-def]
    ctx = weekly_context()
    return render_template("weekly/week.html", ctx=ctx, **ctx)


@bp.route("/print")
@login_required
def print_week():  # type: ignore[no-untyped-def]
    ctx = weekly_context()
    return render_template("weekly/print.html", ctx=ctx, **ctx)


@bp.route("/export.xlsx")
@login_required
def export_week():  # type: ignore[no-untyped-def]
    ctx = weekly_context()
    with weekly_workbook(ctx) as handle:
        content = handle.read()
    name = f"danh-sach-tuan-{ctx['unit'].code}-{ctx['week']}.xlsx"
    return Response(content, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                "Cache-Control": "no-store"},
                    mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/review", methods=["POST"])
@login_required
def review_week():  # type: ignore[no-untyped-def]
    _need_weekly()
    week = _week_arg()
    unit = chosen_unit(request.form.get("unit"))
    if not weekly_view.may_review(current_user, unit):
        abort(403)
    try:
        weekly.mark_reviewed(current_user, unit, week, today())
    except DomainError as exc:
        flash(message(exc.code, **exc.params), "warning")
    else:
        flash(_("The list of week %(week)s has been marked as reviewed.", week=week), "success")
    return redirect(url_for(".show_week", week=week))
