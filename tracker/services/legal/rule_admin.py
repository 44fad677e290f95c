"""An administrator's changes to the legal rule values: a new version of a key, a corrected row."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import RuleParam
from tracker.rules.params import SEED
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_params import correct_rule_param
from tracker.services.transaction import atomic

CERTAINTIES = ("C", "S", "U")

MESSAGES.update({
    "rule_key_unknown": _l("Unknown rule key."),
    "rule_version_exists": _l("A version of this rule already starts on that date."),
    "certainty_invalid": _l("Choose how certain the value is."),
    "number_negative": _l("The number cannot be negative."),
})


def known_keys() -> list[str]:
    """Keys shipped with the application and keys already in the table."""
    keys = {p.key for p in SEED} | set(db.session.scalars(select(RuleParam.key).distinct()))
    return sorted(keys)


@atomic
def add_rule_version(key: str, *, value: int | None, effective_from: date | None, legal_basis: str,
                     certainty: str, effective_to: date | None = None, note: str | None = None) -> RuleParam:
    """A new version of ``key`` in force from ``effective_from``.

    Older versions are not closed: where versions overlap, ``values_on`` takes the latest start.
    """
    errors: dict[str, str] = {}
    key = (key or "").strip()
    if key not in known_keys():
        errors["key"] = "rule_key_unknown"
    if value is None:
        errors["value"] = "required"
    elif value < 0:
        errors["value"] = "number_negative"
    if effective_from is None:
        errors["effective_from"] = "required"
    elif "key" not in errors and db.session.scalar(
            select(RuleParam.id).where(RuleParam.key == key, RuleParam.effective_from == effective_from)):
        errors["effective_from"] = "rule_version_exists"
    if effective_to is not None and effective_from is not None and effective_to < effective_from:
        errors["effective_to"] = "date_order"
    if not (legal_basis or "").strip():
        errors["legal_basis"] = "required"
    elif len(legal_basis.strip()) > 300:
        errors["legal_basis"] = "too_long"
    if certainty not in CERTAINTIES:
        errors["certainty"] = "certainty_invalid"
    if errors:
        raise ValidationError(errors)
    assert value is not None and effective_from is not None
    row = RuleParam(key=key, value=value, effective_from=effective_from, effective_to=effective_to,
                    legal_basis=legal_basis.strip(), certainty=certainty, note=(note or "").strip() or None)
    db.session.add(row)
    return row


@atomic
def correct_rule(row: RuleParam, *, version: int, value: int | None, legal_basis: str, effective_to: date | None,
                 note: str | None, certainty: str) -> RuleParam:
    """Correct a row (its value, legal basis, end date, note and how certain it now is), in one write."""
    errors: dict[str, str] = {}
    if value is None:
        errors["value"] = "required"
    elif value < 0:
        errors["value"] = "number_negative"
    if certainty not in CERTAINTIES:
        errors["certainty"] = "certainty_invalid"
    if len((legal_basis or "").strip()) > 300:
        errors["legal_basis"] = "too_long"
    if errors:
        raise ValidationError(errors)
    assert value is not None
    if row.version == version:
        row.certainty = certainty
    return correct_rule_param(row, version=version, value=value, legal_basis=legal_basis or "",
                              effective_to=effective_to, note=(note or "").strip() or None)
