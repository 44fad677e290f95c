"""Administrative units: the tree province → (district) → commune."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit
from tracker.models.units import UNIT_LEVELS
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError

# Which level may sit under which; a district stays possible for data from before 1 July 2025.
ALLOWED_PARENT = {"province": (None,), "district": ("province",), "commune": ("province", "district", None)}


def create_unit(code: str, name: str, *, level: str = "commune", parent_code: str | None = None,
                remote_area: bool = False, reception_weekday: int | None = 4) -> Unit:
    errors: dict[str, str] = {}
    code = code.strip()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        errors["code"] = "unit_code_invalid"
    elif db.session.scalar(select(Unit.id).where(Unit.code == code)):
        errors["code"] = "unit_code_taken"
    if not name.strip():
        errors["name"] = "required"
    if level not in UNIT_LEVELS:
        errors["level"] = "unit_level_invalid"
    parent = None
    if parent_code:
        parent = db.session.scalar(select(Unit).where(Unit.code == parent_code))
        if parent is None:
            errors["parent"] = "unit_not_found"
    if level in UNIT_LEVELS and "parent" not in errors:
        if (parent.level if parent else None) not in ALLOWED_PARENT[level]:
            errors["parent"] = "unit_parent_level"
    if reception_weekday is not None and not 1 <= reception_weekday <= 7:
        errors["reception_weekday"] = "weekday_invalid"
    if errors:
        raise ValidationError(errors)
    unit = Unit(code=code, name=name.strip(), level=level, parent_id=parent.id if parent else None,
                remote_area=remote_area, reception_weekday=reception_weekday, path="/")
    db.session.add(unit)
    db.session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    db.session.commit()
    return unit


def update_unit(unit: Unit, *, version: int, name: str, remote_area: bool, reception_weekday: int | None,
                address: str | None, active: bool) -> Unit:
    if unit.version != version:
        raise ConflictError("stale")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "required"
    if reception_weekday is not None and not 1 <= reception_weekday <= 7:
        errors["reception_weekday"] = "weekday_invalid"
    if errors:
        raise ValidationError(errors)
    unit.name, unit.remote_area, unit.reception_weekday = name.strip(), remote_area, reception_weekday
    unit.address, unit.active = address, active
    db.session.commit()
    return unit
