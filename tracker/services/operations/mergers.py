"""The 2025 mergers: old communes merged into a new one on the date of the decision.

An old commune stays a unit of its own (its visits, letters and cases keep its ``unit_id``, so its
statistics stay its own); ``merged_into_id`` and ``merged_on`` record the merger, and the statistics
of the new commune can include its predecessors (tracker.services.reports.report_stats.compute,
``with_predecessors=True``). The date is whatever the decision says — nothing here assumes 1 July 2025.

:func:`import_history` brings an old commune that never used this application: the unit is created
under the province (when missing), its log book is imported from Excel into the OLD unit
(tracker.imports.visits_xlsx, all rows or none), then it is merged.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import IO

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.imports.visits_xlsx import ImportResult
from tracker.imports.visits_xlsx import import_visits
from tracker.messages import MESSAGES
from tracker.models import Unit
from tracker.models import User
from tracker.rules.text import format_date_vn
from tracker.services.errors import ValidationError
from tracker.services.operations import lineage
from tracker.services.privacy.audit import record_event

MESSAGES.update({
    "merge_no_units": _l("Name at least one old commune."),
    "merge_target_not_commune": _l("Communes are merged into a commune."),
    "merge_target_merged": _l("This commune has itself been merged into another one."),
    "merge_into_itself": _l("A commune cannot be merged into itself."),
    "merge_already_merged": _l("This commune is already merged (on %(on)s)."),
    "merge_old_not_commune": _l("Only communes are merged."),
    "merge_other_province": _l("This commune is not in the province of the new commune."),
    "merge_duplicate": _l("This commune is named twice."),
    "merge_old_has_units": _l("This unit has units below it."),
    "merge_cycle": _l("%(into)s was itself merged into %(commune)s (directly or through another commune): a commune "
                      "cannot be merged into one of its own former communes."),
    "merge_before_predecessor": _l("%(commune)s received the commune %(old)s on %(later)s, after the date of this "
                                   "merger: check the dates of the two decisions."),
})

__all__ = ["HistoryResult", "import_history", "merge_units", "predecessors", "province_of"]


def province_of(unit: Unit) -> Unit | None:
    """The top-level unit above ``unit`` (the first id of its path)."""
    first = unit.path.strip("/").split("/")[0] if unit.path.strip("/") else ""
    return db.session.get(Unit, int(first)) if first.isdigit() else None


def predecessors(unit: Unit) -> list[Unit]:
    """The units merged into ``unit``, whole chain (A merged into B, B later into ``unit``: both), in one
    query: the direct predecessors first, then theirs, each level by code."""
    return [old for old, _depth, _into, _on in lineage.predecessors_of(unit)]


def _target(new_code: str, old_codes: Sequence[str] = ()) -> Unit:
    new = db.session.scalar(select(Unit).where(Unit.code == new_code.strip()))
    if new is None:
        raise ValidationError({"into": "unit_not_found"})
    if new.level != "commune":
        raise ValidationError({"into": "merge_target_not_commune"})
    if new.merged_into_id is not None:
        # Merging into one's own successor chain (A → B → C, then C into A or B) would make a cycle: say so.
        later = {step.into.code: step for step in lineage.successor_steps(new.id)}
        for code in old_codes:
            if code in later:
                raise ValidationError({code: "merge_cycle"}, commune=code, into=new.code)
        raise ValidationError({"into": "merge_target_merged"})
    return new


def _too_early(old: Unit, on: date) -> dict[str, object] | None:
    """A commune that received other communes on a date later than ``on`` cannot have been merged on ``on``."""
    latest = db.session.execute(select(Unit.code, Unit.merged_on).where(Unit.merged_into_id == old.id,
                                                                        Unit.merged_on > on)
                                .order_by(Unit.merged_on.desc(), Unit.code).limit(1)).first()
    if latest is None:
        return None
    return {"commune": old.code, "old": latest[0], "later": format_date_vn(latest[1])}


def _problems(old: Unit, new: Unit, seen: set[str], *, allow_same_target: bool = False) -> str | None:
    if old.code in seen:
        return "merge_duplicate"
    if old.id == new.id:
        return "merge_into_itself"
    if old.merged_into_id is not None and not (allow_same_target and old.merged_into_id == new.id):
        return "merge_already_merged"
    if old.level != "commune":
        return "merge_old_not_commune"
    if db.session.scalar(select(Unit.id).where(Unit.parent_id == old.id).limit(1)) is not None:
        return "merge_old_has_units"
    own, target = province_of(old), province_of(new)
    if own is None or target is None:
        return "merge_other_province"
    # Same province, or an old province itself merged into the new commune's province (2025 provincial mergers).
    if own.id != target.id and own.merged_into_id != target.id:
        return "merge_other_province"
    return None


def merge_units(old_codes: Sequence[str], new_code: str, on: date) -> list[Unit]:
    """Record that the communes ``old_codes`` were merged into ``new_code`` on ``on``; audited, committed.
    An old commune may itself have received communes before (a chain A → B, then B → C): its
    predecessors follow it (reports, access), and the date must not be before theirs.

    :raises ValidationError: ``into`` for the new commune, or the old commune's code as the field, e.g.
        ``{"XA-01": "merge_already_merged"}``, ``merge_cycle`` (the new commune is one of the old one's
        own former communes), ``merge_before_predecessor``; nothing is written.
    """
    codes = [c.strip() for c in old_codes if c.strip()]
    if not codes:
        raise ValidationError({"old": "merge_no_units"})
    new = _target(new_code, codes)
    olds = {u.code: u for u in db.session.scalars(select(Unit).where(Unit.code.in_(codes)))}
    errors: dict[str, str] = {}
    params: dict[str, object] = {}
    seen: set[str] = set()
    for code in codes:
        old = olds.get(code)
        if old is None:
            errors[code] = "unit_not_found"
            continue
        problem = _problems(old, new, seen)
        seen.add(code)
        early = None if problem else _too_early(old, on)
        if early is not None:
            problem = "merge_before_predecessor"
            params.update(early)
        if problem:
            errors[code] = problem
            if problem == "merge_already_merged" and old.merged_on:
                params["on"] = old.merged_on.strftime("%d/%m/%Y")
    if errors:
        db.session.rollback()
        raise ValidationError(errors, **params)
    try:
        merged = [olds[c] for c in codes]
        for old in merged:
            old.merged_into_id, old.merged_on = new.id, on
        db.session.flush()
        record_event(db.session, "merge", "units", new.id, new.id,
                     {"merged": codes, "into": new.code, "on": on.isoformat()})
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return merged


@dataclass
class HistoryResult:
    unit: Unit
    created: bool
    visits: ImportResult


def import_history(old_code: str, new_code: str, file: IO[bytes] | str, on: date, *, today: date,
                   old_name: str | None = None, user: User | None = None, filename: str = "",
                   dry_run: bool = False) -> HistoryResult:
    """Create the old commune under the new commune's province when missing, import its log book from
    Excel into it (all rows or none; the unit is created in the same transaction), then merge it into
    ``new_code`` on ``on``. An old commune already merged into the same new commune only gets the rows.

    :raises ValidationError: the merger is not possible (checked before anything is read);
    :raises ImportFailed: a row of the log book is wrong — nothing is written, not even the unit.
    """
    code = old_code.strip()
    new = _target(new_code, [code])
    old = db.session.scalar(select(Unit).where(Unit.code == code))
    created = old is None
    if old is not None:
        problem = _problems(old, new, set(), allow_same_target=True)
        if problem:
            raise ValidationError({code: problem})
        early = _too_early(old, on) if old.merged_into_id != new.id else None
        if early is not None:
            raise ValidationError({code: "merge_before_predecessor"}, **early)
    else:
        province = province_of(new)
        if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
            raise ValidationError({"code": "unit_code_invalid"})
        if province is None:
            raise ValidationError({"into": "merge_other_province"})
        old = Unit(code=code, name=(old_name or code).strip(), level="commune", parent_id=province.id, path="/",
                   remote_area=new.remote_area)
        db.session.add(old)
        db.session.flush()
        old.path = f"{province.path}{old.id}/"
    result = import_visits(file, unit=old, user=user, filename=filename or code, today=today, dry_run=dry_run)
    if dry_run:
        return HistoryResult(old, created, result)
    if old.merged_into_id != new.id:
        merge_units([code], new.code, on)
    return HistoryResult(old, created, result)
