"""Administrative units: the tree province → (district) → commune."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Unit
from tracker.models.units import UNIT_LEVELS
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic

MESSAGES.update({"reminder_days_range": _l("Choose between 0 and 60 days.")})
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")

# Which level may sit under which; a district stays possible for data from before 1 July 2025.
ALLOWED_PARENT = {"province": (None,), "district": ("province",), "commune": ("province", "district", None)}


@atomic
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
    return unit


@dataclass
class UnitSettings:
    """A unit's own choices: reminders, the weekly freeze, and how its reports are written."""

    reminder_days: int
    snapshot_weekday: int
    snapshot_time: str
    report_convention: str
    leading_zero: bool


def _settings_problems(s: UnitSettings) -> dict[str, str]:
    errors = {}
    if not 0 <= s.reminder_days <= 60:
        errors["reminder_days"] = "reminder_days_range"
    if not 1 <= s.snapshot_weekday <= 7:
        errors["snapshot_weekday"] = "weekday_invalid"
    if not _TIME.match(s.snapshot_time):
        errors["snapshot_time"] = "time_invalid"
    if s.report_convention not in ("official", "calendar"):
        errors["report_convention"] = "choice_invalid"
    return errors


@atomic
def update_report_texts(unit: Unit, *, basis: str, sentences: dict[str, dict[str, object]]) -> Unit:
    """The unit's report basis ("Thực hiện …" of the opening line) and its choice of the standard
    assessment sentences (tracker.rules.reporting.ASSESSMENT_SENTENCES); a text equal to the shipped
    default is stored empty so that a corrected default reaches the unit."""
    import json

    from tracker.rules.reporting import ASSESSMENT_SENTENCES
    if len(basis.strip()) > 500:
        raise ValidationError({"report_basis": "too_long"})
    stored = {}
    for key, default in ASSESSMENT_SENTENCES.items():
        item = sentences.get(key) or {}
        text = str(item.get("text") or "").strip()
        stored[key] = {"enabled": bool(item.get("enabled")), "text": "" if text == default else text}
    unit.report_basis = basis.strip() or None
    unit.report_sentences = json.dumps(stored, ensure_ascii=False)
    return unit


@atomic
def update_unit(unit: Unit, *, version: int, name: str, remote_area: bool, reception_weekday: int | None,
                address: str | None, active: bool, settings: UnitSettings | None = None) -> Unit:
    if unit.version != version:
        raise ConflictError("stale")
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "required"
    if reception_weekday is not None and not 1 <= reception_weekday <= 7:
        errors["reception_weekday"] = "weekday_invalid"
    if settings is not None:
        errors.update(_settings_problems(settings))
    if errors:
        raise ValidationError(errors)
    if settings is not None:
        unit.reminder_days, unit.snapshot_weekday = settings.reminder_days, settings.snapshot_weekday
        unit.snapshot_time, unit.report_convention = settings.snapshot_time, settings.report_convention
        unit.leading_zero = settings.leading_zero
    unit.name, unit.remote_area, unit.reception_weekday = name.strip(), remote_area, reception_weekday
    unit.address, unit.active = address, active
    return unit
