"""Administration: the working calendar of a year, and adding or correcting one day.

A change is shown first as a preview of the open clocks it moves (nothing written); the
administrator then confirms it and the open cases are re-timed (tracker.services.legal.retime).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from sqlalchemy import extract
from sqlalchemy import select
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length

from tracker.extensions import db
from tracker.labels import choices
from tracker.messages import message
from tracker.models import CalendarDay
from tracker.rules.calendar import OVERRIDE_KINDS
from tracker.services.clock import local_today
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.legal import retime
from tracker.services.legal.deadlines import working_calendar
from tracker.services.legal.rule_admin import CERTAINTIES
from tracker.web.admin.forms import TOO_LONG
from tracker.web.admin.views import INVALID
from tracker.web.admin.views import bp
from tracker.web.admin.views import need_rule_editor
from tracker.web.admin.views import rule_editor
from tracker.web.errors import attach_errors
from tracker.web.forms import REQUIRED
from tracker.web.forms import VNDateField
from tracker.web.permissions import need

PREVIEW_LIMIT = 200


class CalendarDayForm(FlaskForm):
    day = VNDateField(_l("Day"), validators=[REQUIRED])
    kind = SelectField(_l("The day becomes"), validators=[REQUIRED])
    name = StringField(_l("Name shown for the day"), validators=[Length(max=200, message=TOO_LONG)])
    basis = StringField(_l("Document (number, date, issuer)"),
                        validators=[REQUIRED, Length(max=300, message=TOO_LONG)])
    certainty = SelectField(_l("Certainty"), validators=[REQUIRED])
    reason = TextAreaField(_l("Reason written on the re-timed cases"), validators=[Length(max=500, message=TOO_LONG)],
                           description=_l("Leave empty to use the document."))
    previewed = HiddenField()

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.kind.choices = choices("calendar_kind", OVERRIDE_KINDS)
        self.certainty.choices = choices("certainty", CERTAINTIES)


def fingerprint(values: Iterable[object]) -> str:
    """A short digest of what was previewed: applying needs the same values as the preview shown."""
    text = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def outcome_status(failed: bool, conflict: bool) -> int:
    """200 for a form or its preview, 400 for bad input, 409 for a stale version."""
    return 409 if conflict else (400 if failed else 200)


def year_arg() -> int:
    raw = request.args.get("year", "")
    year = int(raw) if raw.isdecimal() else local_today().year
    return year if 1995 <= year <= 2100 else local_today().year


@bp.route("/calendar")
@login_required
def calendar():  # type: ignore[no-untyped-def]
    need("admin.rules")
    year = year_arg()
    stored = set(db.session.scalars(select(CalendarDay.day).where(extract("year", CalendarDay.day) == year)))
    days: list[dict[str, Any]] = []
    for info in working_calendar().days_off(year):
        source = "package" if info.source == "package" else ("table" if info.day in stored else "shipped")
        days.append({"info": info, "source": source})
    return render_template("admin/calendar.html", year=year, days=days, can_edit=rule_editor(),
                           estimate=working_calendar().is_estimate(year))


def change_of(form: CalendarDayForm) -> retime.CalendarChange:
    return retime.CalendarChange(form.day.data, form.kind.data or "", form.basis.data or "",  # type: ignore[arg-type]
                                 form.name.data or None, form.certainty.data or "")


@bp.route("/calendar/day", methods=["GET", "POST"])
@login_required
def calendar_day():  # type: ignore[no-untyped-def]
    need_rule_editor()
    form = CalendarDayForm()
    if request.method == "GET":
        form.kind.data, form.certainty.data = "day_off", "C"
        raw = request.args.get("day", "")
        try:
            day = date.fromisoformat(raw) if raw else None
        except ValueError:
            day = None
        if day is not None:
            form.day.data = day
            row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == day))
            if row is not None:
                form.kind.data, form.name.data, form.basis.data, form.certainty.data = (
                    row.kind, row.name, row.basis, row.certainty)
    errors: list[str] = []
    preview: list[retime.Affected] | None = None
    conflict = failed = False
    if form.validate_on_submit():
        change = change_of(form)
        digest = fingerprint([change.day, change.kind, change.basis, change.name, change.certainty])
        try:
            if form.previewed.data != digest:
                preview = retime.preview_retime(change)
                form.previewed.data = "" if any(a.problem for a in preview) else digest
            else:
                result = retime.apply_retime(change, form.reason.data or change.basis, today=local_today())
        except DomainError as exc:
            conflict, failed = isinstance(exc, ConflictError), True
            errors = attach_errors(form, exc)
            preview, form.previewed.data = None, ""
        else:
            if preview is None:
                flash(_("The calendar has been changed: %(count)s due date(s) of open cases and letters moved; "
                        "%(handlers)s handler(s) told.", count=len(result.moved), handlers=len(result.handler_ids)),
                      "success")
                return redirect(url_for(".calendar", year=change.day.year))
    elif request.method == "POST":
        errors, failed = [str(INVALID)], True
        form.previewed.data = ""
    return render_template("admin/calendar_day_form.html", form=form, errors=errors, preview=preview,
                           limit=PREVIEW_LIMIT, message=message), outcome_status(failed, conflict)
