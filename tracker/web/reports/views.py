"""/reports: a unit's period reports — the periods and their reports, build now, the report with its narrative
(editable while a draft), its tables whose every figure links to the list behind it, mark final, compare with
the previous period, and the Word and Excel downloads."""
from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_login import login_required

from tracker.exports.report_docx import DOCX_MIMETYPE
from tracker.exports.report_docx import report_docx
from tracker.exports.report_xlsx import XLSX_MIMETYPE
from tracker.exports.report_xlsx import report_xlsx
from tracker.messages import message
from tracker.models import Report
from tracker.models import Unit
from tracker.rules import periods
from tracker.rules import reporting as rp
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.report_document import ReportDocument
from tracker.services import access
from tracker.services.errors import DomainError
from tracker.services.errors import ValidationError
from tracker.services.reports import periodic as reports
from tracker.web.forms import whole_number
from tracker.web.weekly.common import chosen_unit
from tracker.web.weekly.common import today
from tracker.web.weekly.common import visible_units

bp = Blueprint("reports", __name__, url_prefix="/reports")
LIST_DAYS_BACK = 400  # periods that ended within about a year and a month are listed


def _need_reports() -> None:
    if not access.can(current_user, "reports.read"):
        abort(403)


def _may_build(unit: Unit) -> bool:
    return access.can(current_user, "reports.build") and (access.can(current_user, "units.write_below")
                                                          or current_user.unit_id == unit.id)


def _may_edit(unit: Unit) -> bool:
    return access.can(current_user, "reports.edit") and current_user.unit_id == unit.id


def _unit() -> Unit:
    return chosen_unit(request.values.get("unit"))


def _span(unit: Unit, period: str) -> periods.Span:
    try:
        return reports.resolve_span(unit, period, today=today())
    except ValidationError as exc:
        abort(400, description=message(exc.fields.get("period", "period_invalid")))


def _unit_arg(unit: Unit) -> dict[str, Any]:
    return {"unit": unit.code} if unit.id != current_user.unit_id else {}


@bp.route("")
@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """The periods of the unit's convention that ended within about a year or are running, with their reports."""
    _need_reports()
    unit = _unit()
    day = today()
    convention = unit.report_convention or "official"
    spans = [s for s in periods.periods_ending_between(day - timedelta(days=LIST_DAYS_BACK),
                                                       day + timedelta(days=370), convention, CUTOFF_RULES)
             if s.date_from <= day]
    rows = reports.revisions(unit.id)
    by_period: dict[str, list[Report]] = {}
    for report in rows:
        by_period.setdefault(report.period, []).append(report)
    listed = {s.period.code for s in spans}
    older = sorted((p for p in by_period if p not in listed), reverse=True)
    items = [{"code": s.period.code, "label": periods.label(s.period.code), "from": s.date_from, "to": s.date_to,
              "ended": s.date_to < day, "reports": by_period.get(s.period.code, [])}
             for s in sorted(spans, key=lambda s: (s.date_to, s.period.code), reverse=True)]
    for code in older:
        first = by_period[code][0]
        items.append({"code": code, "label": periods.label(code), "from": first.date_from, "to": first.date_to,
                      "ended": first.date_to < day, "reports": by_period[code]})
    return render_template("reports/index.html", unit=unit, units=visible_units(), items=items,
                           may_build=_may_build(unit), unit_arg=_unit_arg(unit))


@bp.route("/build", methods=["POST"])
@login_required
def build():  # type: ignore[no-untyped-def]
    _need_reports()
    unit = _unit()
    if not _may_build(unit):
        abort(403)
    period = (request.form.get("period") or "").strip()
    try:
        result = reports.build_report(unit, period, today=today(), user=current_user)
    except DomainError as exc:
        flash(message(exc.code) if not exc.fields else "; ".join(message(c) for c in exc.fields.values()), "error")
        return redirect(url_for("reports.index", **_unit_arg(unit)))
    flash(_("The report was built (revision %(revision)s).", revision=result.report.revision), "success")
    return redirect(url_for("reports.show", period=result.report.period, **_unit_arg(unit)))


def _report_for(unit: Unit, period: str) -> Report | None:
    raw = request.args.get("revision")
    if raw is not None and raw.strip():
        # "abc", "0" or a number beyond any revision is no revision of this report: not found, never the
        # newest one shown in its place.
        revision = whole_number(raw)
        report = reports.revision(unit.id, period, revision) if revision else None
        if report is None:
            abort(404)
        return report
    return reports.latest(unit.id, period)


# Outcome rows over a group of kinds (case_queries.KIND_GROUPS): the group, and the filters of the values
# that are not a plain outcome; any other value lists the cases of that outcome.
GROUP_ROWS: dict[str, tuple[str, dict[str, dict[str, Any]]]] = {
    "mediations": ("mediation", {"sent_up": {"status": "sent_up", "outcome": "sent_up"},
                                 "failed_sent_up": {"status": "sent_up", "outcome": "failed"}}),
    "petitions": ("petition", {"sent_up": {"status": "sent_up"},
                               "answered_mediated": {"outcome": "answered", "mediated": 1}}),
}


def figure_url(ref: tuple[str, ...] | None, doc: ReportDocument, unit: Unit) -> str | None:
    """The list of cases, letters or visits behind one figure of a table (tracker.rules.reporting.Cell.ref)."""
    if not ref:
        return None
    d1, d2 = doc.from_, doc.to
    before = (date.fromisoformat(d1) - timedelta(days=1)).isoformat()
    kind, field, value = ref
    if kind == "case":
        args: dict[str, Any] = {"state": "all", "figure": value, "period_from": d1, "period_to": d2,
                                "unit": unit.id, "subtree": 1}
        if field:
            args["kind"] = field
        return url_for("cases.list_cases", **args)
    if kind == "outcome":
        args = {"state": "all", "figure": "resolved", "period_from": d1, "period_to": d2, "unit": unit.id,
                "subtree": 1}
        if field in GROUP_ROWS:
            group, special = GROUP_ROWS[field]
            args["group"] = group
            args.update(special.get(value) or ({"outcome": value} if value else {}))
        else:
            if field:
                args["kind"] = field
            args["outcome"] = value
        return url_for("cases.list_cases", **args)
    if kind == "letter":
        args = {"unit": unit.id, "date_from": d1, "date_to": d2}
        if field == "all":
            args = {"unit": unit.id, "date_to": d2, "undecided_on": d1}
        elif field == "carried_over":
            args = {"unit": unit.id, "date_to": before, "undecided_on": d1}
        elif field in ("eligible", "within"):
            args[field] = 1
        elif field == "decision" and value == "pending":
            args["status"] = "registered"
        elif field in ("kind", "decision"):
            args[field] = value
        return url_for("letters.list_letters", **args)
    if kind == "visit":
        args = {"unit": unit.id, "date_from": d1, "date_to": d2}
        if field in ("host", "kind"):
            args[field] = value
        elif field == "group":
            args["group_only"] = "y"
        return url_for("reception.list_visits", **args)
    return url_for("reception.list_sessions")


def _page_context(unit: Unit, period: str) -> dict[str, Any]:
    span = _span(unit, period)
    code = span.period.code
    report = _report_for(unit, code)
    doc = reports.document(report) if report is not None else reports.live_document(unit, span)
    revisions = reports.revisions(unit.id, code)
    check = doc.carried_over_check
    return {"unit": unit, "units": visible_units(), "report": report, "doc": doc, "period": code,
            "span": span, "ended": span.date_to < today(), "tables": rp.tables(doc), "revisions": revisions,
            "carry_difference": check.difference if check else {}, "carry_source": check.source if check else None,
            "final_difference": doc.difference_from_final.changes if doc.difference_from_final else {},
            "may_build": _may_build(unit), "may_edit": _may_edit(unit), "unit_arg": _unit_arg(unit),
            "figure_url": lambda ref: figure_url(ref, doc, unit), "previous": periods.previous_period(code)}


@bp.route("/<period>")
@login_required
def show(period: str):  # type: ignore[no-untyped-def]
    _need_reports()
    return render_template("reports/report.html", **_page_context(_unit(), period))


def _stored(unit: Unit, period: str) -> Report:
    report = reports.latest(unit.id, _span(unit, period).period.code)
    if report is None:
        abort(404)
    return report


@bp.route("/<period>/narrative", methods=["POST"])
@login_required
def edit_narrative(period: str):  # type: ignore[no-untyped-def]
    _need_reports()
    unit = _unit()
    if not _may_edit(unit):
        abort(403)
    report = _stored(unit, period)
    try:
        reports.edit_narrative(report, request.form.get("narrative", ""),
                               version=request.form.get("version", type=int) or 0)
    except DomainError as exc:
        flash(message(exc.code) if not exc.fields else "; ".join(message(c) for c in exc.fields.values()), "error")
    else:
        flash(_("The narrative was saved."), "success")
    return redirect(url_for("reports.show", period=report.period, **_unit_arg(unit)))


@bp.route("/<period>/finalize", methods=["POST"])
@login_required
def finalize(period: str):  # type: ignore[no-untyped-def]
    _need_reports()
    unit = _unit()
    if not _may_edit(unit):
        abort(403)
    report = _stored(unit, period)
    try:
        reports.finalize(report, current_user, version=request.form.get("version", type=int), today=today())
    except DomainError as exc:
        flash(message(exc.code), "error")
    else:
        flash(_("The report is final: later changes to the data no longer alter it."), "success")
    return redirect(url_for("reports.show", period=report.period, **_unit_arg(unit)))


@bp.route("/<period>/compare")
@login_required
def compare(period: str):  # type: ignore[no-untyped-def]
    """This period's tables beside the previous period's (same kind of period one step back)."""
    _need_reports()
    ctx = _page_context(_unit(), period)
    unit = ctx["unit"]
    previous_code = ctx["previous"]
    previous_span = _span(unit, previous_code)
    stored = reports.latest(unit.id, previous_code)
    previous_doc = reports.document(stored) if stored else reports.live_document(unit, previous_span)
    before = rp.tables(previous_doc)
    pairs = []
    for cur, old in zip(ctx["tables"], before, strict=True):
        rows = []
        for row, old_row in zip(cur.rows, old.rows, strict=True):
            rows.append((row, [(c, o.value, c.value - o.value) for c, o in zip(row.cells, old_row.cells,
                                                                               strict=True)]))
        pairs.append((cur, rows))
    return render_template("reports/compare.html", **ctx, previous_doc=previous_doc, previous_report=stored,
                           pairs=pairs, previous_url=lambda ref: figure_url(ref, previous_doc, unit))


@bp.route("/<period>/download.<fmt>")
@login_required
def download(period: str, fmt: str):  # type: ignore[no-untyped-def]
    _need_reports()
    if fmt not in ("docx", "xlsx"):
        abort(404)
    unit = _unit()
    span = _span(unit, period)
    report = _report_for(unit, span.period.code)
    if report is None:
        abort(404)
    doc = reports.document(report)
    info = reports.export_info(report, today())
    data = report_docx(doc, info) if fmt == "docx" else report_xlsx(doc, info)
    name = f"bao-cao-{unit.code}-{report.period}-lan-{report.revision}.{fmt}"
    return Response(data, mimetype=DOCX_MIMETYPE if fmt == "docx" else XLSX_MIMETYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
