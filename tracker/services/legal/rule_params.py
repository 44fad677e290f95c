"""Load and correct the rule values of the ``rule_params`` table."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import RuleParam
from tracker.rules.params import SEED
from tracker.rules.params import Param
from tracker.rules.params import values_on
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic


def params_on(day: date) -> dict[str, int]:
    rows = db.session.scalars(select(RuleParam)).all()
    params = [Param(r.key, r.value, r.effective_from, r.effective_to, r.legal_basis, r.certainty) for r in rows]
    # Before a key's first version (a back-entered old record), its oldest value applies, as for the
    # log-book layout; a key missing from the table falls back to the shipped value.
    values = {p.key: p.value for p in sorted(SEED, key=lambda p: p.effective_from, reverse=True)}
    values.update(values_on(SEED, day))
    values.update(values_on(params, day))
    return values


@atomic
def seed_rule_params() -> int:
    """Insert shipped values not yet in the table; never overwrite an administrator's correction."""
    existing = {(k, f) for k, f in db.session.execute(select(RuleParam.key, RuleParam.effective_from))}
    added = 0
    for p in SEED:
        if (p.key, p.effective_from) not in existing:
            db.session.add(RuleParam(key=p.key, value=p.value, effective_from=p.effective_from,
                                     effective_to=p.effective_to, legal_basis=p.legal_basis,
                                     certainty=p.certainty))
            added += 1
    return added


@atomic
def correct_rule_param(row: RuleParam, *, version: int, value: int, legal_basis: str,
                       effective_to: date | None, note: str | None) -> RuleParam:
    if row.version != version:
        raise ConflictError("stale")
    errors = {}
    if value < 0:
        errors["value"] = "number_min"
    if not legal_basis.strip():
        errors["legal_basis"] = "required"
    if effective_to is not None and effective_to < row.effective_from:
        errors["effective_to"] = "date_order"
    if errors:
        raise ValidationError(errors)
    row.value, row.legal_basis, row.effective_to, row.note = value, legal_basis.strip(), effective_to, note
    return row
