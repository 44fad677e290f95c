"""Who may see and change what: units in scope, and role permissions."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit
from tracker.models import User
from tracker.services.errors import ForbiddenError
from tracker.services.errors import NotFoundError

# Roles that see the units below their own (an inspector follows subordinate units; an admin manages them).
SUBTREE_ROLES = ("inspector", "admin")
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "visits.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "visits.write": ("admin", "chair", "vice_chair", "receptionist"),
    "citizens.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "citizens.write": ("admin", "chair", "vice_chair", "receptionist"),
    "letters.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "letters.write": ("admin", "chair", "vice_chair", "receptionist"),
    "letters.handle": ("admin", "chair", "vice_chair", "handler"),
    "cases.read": ("admin", "chair", "vice_chair", "receptionist", "handler", "inspector"),
    "cases.act": ("admin", "chair", "vice_chair", "handler"),
    "mediation.manage": ("admin", "chair", "vice_chair"),
    "import.visits": ("admin", "chair", "receptionist"),
    "admin.users": ("admin",),
    "admin.units": ("admin",),
    "admin.rules": ("admin",),
    "audit.read": ("admin", "inspector"),
}


def can(user: User, permission: str) -> bool:
    return user.role in PERMISSIONS.get(permission, ())


def require(user: User, permission: str) -> None:
    if not can(user, permission):
        raise ForbiddenError("forbidden")


def visible_units_query(user: User) -> Select[tuple[int]]:
    """IDs of the units whose data ``user`` may see, as a subquery-ready SELECT."""
    if user.role in SUBTREE_ROLES:
        own = db.session.get(Unit, user.unit_id)
        prefix = own.path if own else "/-/"
        return select(Unit.id).where(Unit.path.startswith(prefix, autoescape=True))
    return select(Unit.id).where(Unit.id == user.unit_id)


def unit_filter(column: Any, user: User) -> Any:
    """``column`` restricted to the units ``user`` may see: a plain equality for a user of one
    unit, so the (unit_id, …) indexes also give the order of the list without sorting."""
    if user.role in SUBTREE_ROLES:
        return column.in_(visible_units_query(user))
    return column == user.unit_id


def visible_unit_ids(user: User) -> list[int]:
    return list(db.session.scalars(visible_units_query(user)))


def can_see_unit(user: User, unit_id: int) -> bool:
    if unit_id == user.unit_id:
        return True
    if user.role not in SUBTREE_ROLES:
        return False
    own = db.session.get(Unit, user.unit_id)
    unit = db.session.get(Unit, unit_id)
    return bool(own and unit and unit.path.startswith(own.path))


def writable_unit(user: User, unit_id: int | None = None) -> Unit:
    """The unit a write goes to: the user's own unless an admin names one below it."""
    target = unit_id or user.unit_id
    if user.role == "inspector":
        raise ForbiddenError("forbidden")
    if target != user.unit_id and not (user.role == "admin" and can_see_unit(user, target)):
        raise ForbiddenError("forbidden")
    unit = db.session.get(Unit, target)
    if unit is None:
        raise NotFoundError("unit_not_found")
    return unit


def check_visible(user: User, unit_id: int) -> None:
    """Refuse as "not found", so that another unit's record numbers reveal nothing."""
    if not can_see_unit(user, unit_id):
        raise NotFoundError("not_found")
