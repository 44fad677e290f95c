"""Jinja filters: dates as dd/mm/yyyy, times in the unit's time zone, labels of codes."""
from __future__ import annotations

from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask
from flask import current_app

from tracker.labels import label
from tracker.services import clock

local_now = clock.local_now  # the templates' and views' clock is the services' one
local_today = clock.local_today


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(current_app.config["TIMEZONE"]))
    return value.strftime("%d/%m/%Y")


def vn_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%d/%m/%Y %H:%M")


def vn_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(current_app.config["TIMEZONE"])).strftime("%H:%M")


def week_label(code: str | None) -> str:
    """A week for people: "Tuần 49/2026" (one place for every screen and print), not the code "2026-W49"."""
    from flask_babel import gettext

    from tracker.rules.weeks import WeekError
    from tracker.rules.weeks import week_parts

    if not code:
        return ""
    try:
        year, week = week_parts(str(code))
    except WeekError:
        return str(code)
    return gettext("Week %(week)s/%(year)s", week=week, year=year)


def may(permission: str) -> bool:
    """For templates: whether the signed-in user holds ``permission`` (tracker.services.access decides)."""
    from flask_login import current_user

    from tracker.services import access

    return bool(current_user.is_authenticated) and access.can(current_user, permission)


def init_app(app: Flask) -> None:
    app.add_template_filter(week_label, "week_label")
    app.add_template_filter(vn_date, "vn_date")
    app.add_template_filter(vn_datetime, "vn_datetime")
    app.add_template_filter(vn_time, "vn_time")
    app.add_template_global(label, "label")
    app.add_template_global(may, "may")
