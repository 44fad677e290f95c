"""/dashboard: open cases by kind and status, overdue now and over 12 weeks, cases per month, on-time rate;
the reception desk's visits and letters per month and the letters waiting for a handling decision.

All numbers come from SQL aggregates (tracker.services.reports.dashboard_stats); charts are inline SVG
(tracker.web.dashboard.svg); every number links to the case list behind it.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import select

from tracker.extensions import db
from tracker.labels import label
from tracker.models import Unit
from tracker.rules import lifecycle as lc
from tracker.services import access
from tracker.services.reports import dashboard_stats as stats
from tracker.web.dashboard import svg
from tracker.web.weekly.common import today
from tracker.web.weekly.common import visible_units

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")


def cases_url(**params: object) -> str:
    """A link to the case list with these filters (see tracker/web/cases/views.py)."""
    return "/cases/?" + urlencode({k: v for k, v in params.items() if v is not None})


def visits_url(**params: Any) -> str:
    return url_for("reception.list_visits", **{k: v for k, v in params.items() if v is not None})


def letters_url(**params: Any) -> str:
    return url_for("letters.list_letters", **{k: v for k, v in params.items() if v is not None})


def _scope() -> tuple[Unit | None, Any, list[Unit]]:
    """(the chosen unit or None for a whole subtree, the unit ids to count, the units to choose among)."""
    units = visible_units()
    code = request.args.get("unit", "")
    if units and not code:
        return None, access.visible_units_query(current_user), units
    unit = db.session.get(Unit, current_user.unit_id) if not code else db.session.scalar(
        select(Unit).where(Unit.code == code))
    if unit is None or not access.can_see_unit(current_user, unit.id):
        abort(404)
    if unit.id == current_user.unit_id:
        # The 2025 mergers: the open cases of the communes merged into it (whole chain) are its work too, and
        # the case list behind each number includes them by default (its filter "Hồ sơ").
        return unit, [unit.id, *access.predecessor_ids(current_user)], units
    return unit, [unit.id], units


@bp.route("")
@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    if not access.can(current_user, "cases.read"):
        abort(403)
    unit, ids, units = _scope()
    day = today()
    by_ks = stats.open_by_kind_status(ids)
    by_kind = {k: sum(n for (kk, _s), n in by_ks.items() if kk == k) for k in lc.CASE_KINDS}
    by_status = {s: sum(n for (_k, ss), n in by_ks.items() if ss == s) for s in lc.OPEN_STATUSES}
    overdue = stats.overdue_now(ids, day)
    trend = stats.overdue_trend(ids, day)
    months = stats.monthly(ids, day)
    rate = stats.on_time(ids, day)
    desk = stats.desk_monthly(ids, day)
    waiting = stats.letters_waiting(ids, day)
    open_total = sum(by_ks.values())
    charts = _charts(by_kind, by_status, trend, months)
    charts["desk"] = _desk_chart(desk)
    return render_template(
        "dashboard/index.html", unit=unit, units=units, today=day, by_ks=by_ks, by_kind=by_kind,
        by_status=by_status, open_total=open_total, overdue=overdue, trend=trend, months=months, rate=rate,
        desk=desk, waiting=waiting, charts=charts, kinds=lc.CASE_KINDS, statuses=lc.OPEN_STATUSES,
        cases_url=cases_url, visits_url=visits_url, letters_url=letters_url)


def _desk_chart(desk: list[stats.DeskMonth]) -> Markup:
    def span(m: stats.DeskMonth) -> dict[str, str]:
        return {"date_from": m.first.strftime("%d/%m/%Y"), "date_to": m.last.strftime("%d/%m/%Y")}

    visits = svg.Series(_("Visits"), [m.visits for m in desk], [visits_url(**span(m)) for m in desk])
    letters = svg.Series(_("Letters received"), [m.letters for m in desk], [letters_url(**span(m)) for m in desk],
                         color=svg.PALETTE[3])
    return Markup(svg.column_chart(
        _("Visits and letters per month"),
        _("Citizen visits logged and letters registered in each of the last 12 months; each column opens the list."),
        [f"{m.month:02d}/{m.year % 100:02d}" for m in desk], [visits, letters]))


def _charts(by_kind: dict[str, int], by_status: dict[str, int], trend: list[stats.WeekPoint],
            months: list[stats.MonthPoint]) -> dict[str, Markup]:
    kind_bars = [svg.Bar(label("case_kind", k), n, cases_url(state="open", kind=k)) for k, n in by_kind.items()]
    status_bars = [svg.Bar(label("case_status", s), n, cases_url(state="open", status=s))
                   for s, n in by_status.items()]
    month_labels = [f"{m.month:02d}/{m.year % 100:02d}" for m in months]
    received = svg.Series(_("Received"), [m.received for m in months],
                          [cases_url(state="all", accepted_from=m.first.strftime("%d/%m/%Y"),
                                     accepted_to=m.last.strftime("%d/%m/%Y")) for m in months])
    resolved = svg.Series(_("Resolved"), [m.resolved for m in months],
                          [cases_url(state="closed", status="concluded", closed_from=m.first.strftime("%d/%m/%Y"),
                                     closed_to=m.last.strftime("%d/%m/%Y")) for m in months], color=svg.PALETTE[2])
    return {
        "kind": Markup(svg.hbar_chart(
            _("Open cases by kind"), _("Number of open cases of each kind; each bar opens the list of those cases."),
            kind_bars)),
        "status": Markup(svg.hbar_chart(
            _("Open cases by status"), _("Number of open cases in each status."), status_bars,
            color=svg.PALETTE[4])),
        "trend": Markup(svg.line_chart(
            _("Overdue cases at the end of each week"),
            _("Cases with a step past its due date at the end of each of the last 12 weeks (today for this week)."),
            [p.week[-2:] for p in trend], [p.overdue for p in trend],
            [None] * (len(trend) - 1) + [cases_url(overdue="y")])),
        "monthly": Markup(svg.column_chart(
            _("Cases received and resolved per month"),
            _("Cases accepted for resolution and cases concluded in each of the last 12 months."),
            month_labels, [received, resolved])),
    }
