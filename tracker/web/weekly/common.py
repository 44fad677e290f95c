"""What the weekly, instructions and inbox pages share: "today" (injectable), roles, unit choice."""
from __future__ import annotations

from datetime import date

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit
from tracker.models import User
from tracker.rules.weeks import week_code
from tracker.services import access
from tracker.services import clock
from tracker.services.reports import weekly_view


def today() -> date:
    """The unit's local date; ``app.config["FIXED_TODAY"]`` (a date) pins it, for tests and demos."""
    return clock.local_today()


def this_week() -> str:
    return week_code(today())


def chosen_unit(code: str | None) -> Unit:
    """The unit of the page: the user's own, or one of the visible units (inspector, admin); 404 otherwise."""
    unit = weekly_view.unit_for(current_user, code)
    if unit is None:
        abort(404)
    return unit


def visible_units() -> list[Unit]:
    """Units the user may choose among (only more than one for inspectors and admins)."""
    if not access.can(current_user, "units.below"):
        return []
    return list(db.session.scalars(select(Unit).where(Unit.id.in_(access.visible_units_query(current_user)))
                                   .order_by(Unit.path, Unit.code)))


def unit_people(unit_id: int) -> list[User]:
    """Active people of a unit who may handle cases or carry out instructions (one query)."""
    return list(db.session.scalars(select(User).where(
        User.unit_id == unit_id, User.active.is_(True), User.role.in_(("handler", "chair", "vice_chair")))
        .order_by(User.full_name, User.username)))
