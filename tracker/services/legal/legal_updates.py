"""Legal update files: the next year's official calendar and new deadline rule versions, shared as one
JSON file (docs/legal-update-format.md) that an inspector sends to every commune.

- :func:`load_update` reads and checks the whole file (every problem, each naming its item and field);
- :func:`preview_update` lists, item by item, the open clocks each item would move — each item is
  previewed against the state AFTER the items before it (calendar items first, then rule items, in
  file order), exactly as :func:`apply_update` will write them; the preview runs in a transaction
  that is rolled back, so nothing is kept;
- :func:`apply_update` writes every item and re-times the open cases in ONE transaction (all items or
  none), through the same machinery as one change on the admin pages (tracker.services.legal.retime):
  timeline events, nearest due dates, audit notices and handler notices;
- :func:`export_update` writes such a file from this instance's calendar rows of a year and the rule
  rows it added, so that an inspector can share what he corrected.

An item already in place (the same calendar day with the same values, a rule version with the same
start, conditions and values) is skipped; applying a file whose items are all in place is refused
with ``legal_update_already_applied``, so a second apply changes nothing.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC
from datetime import date
from datetime import datetime
from typing import IO
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import CalendarDay
from tracker.models import DeadlineRuleRow
from tracker.rules.data.calendar_vn import DEFAULT_NAMES
from tracker.rules.data.deadlines_vn import DEADLINE_SEED
from tracker.services import clock
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.errors import ValidationError
from tracker.services.legal import deadlines as engine
from tracker.services.legal import retime
from tracker.services.legal import update_file
from tracker.services.legal.update_file import CONDITION_KEYS
from tracker.services.legal.update_file import MISSING
from tracker.services.legal.update_file import CalendarItem
from tracker.services.legal.update_file import RuleItem
from tracker.services.privacy.audit import record_event

MESSAGES.update({
    "legal_update_invalid": _l("The legal update was not applied: nothing has been written."),
    "legal_update_not_json": _l("This is not a JSON file (%(detail)s)."),
    "legal_update_format": _l("This is not a legal update file (“format” must be “so-tiep-dan/legal-update”)."),
    "legal_update_version": _l("This legal update file has version %(version)s; this program reads version 1."),
    "legal_update_empty": _l("The file has neither calendar days nor rules."),
    "legal_update_too_large": _l("The file is too large."),
    "legal_update_unknown_field": _l("Unknown field (check its spelling)."),
    "legal_update_not_object": _l("Each item must be a JSON object."),
    "legal_update_not_list": _l("Must be a list."),
    "legal_update_date": _l("Write the date as YYYY-MM-DD."),
    "legal_update_bool": _l("Write true, false or null."),
    "legal_update_text": _l("Must be text."),
    "legal_update_duplicate_day": _l("The same day appears twice in the file."),
    "legal_update_base_or_kind": _l("Give either “base_code” or “kind” and “step”."),
    "legal_update_no_base": _l("No rule row of this kind, step and conditions is in force before that date."),
    "legal_update_already_applied": _l("Every item of this legal update is already in place: nothing to apply."),
    "legal_update_reason_required": _l("Give the reason for the update (it is written on every case moved)."),
})

FORMAT = "so-tiep-dan/legal-update"
VERSION = 1
MAX_BYTES = 2_000_000
MAX_ITEMS = 2_000

__all__ = ["CalendarItem", "ItemError", "ItemPreview", "LegalUpdate", "LegalUpdateInvalid", "RuleItem",
           "UpdateResult", "apply_update", "export_update", "load_update", "preview_update"]


# ---------------------------------------------------------------- the file

@dataclass(frozen=True)
class LegalUpdate:
    title: str
    issued_by: str
    issued_on: date
    calendar: list[CalendarItem]
    rules: list[RuleItem]
    digest: str  # SHA-256 of the file as read

    def items(self) -> Iterator[tuple[str, int, CalendarItem | RuleItem]]:
        """Calendar items first, then rule items, each in file order; numbered from 1."""
        for i, day in enumerate(self.calendar, 1):
            yield "calendar", i, day
        for i, rule in enumerate(self.rules, 1):
            yield "rules", i, rule


@dataclass
class ItemError:
    """One problem: ``section`` "calendar"/"rules" and ``index`` (from 1) name the item, ``field`` its key."""

    section: str | None
    index: int | None
    field: str | None
    code: str
    params: dict[str, Any] = dataclass_field(default_factory=dict)

    def where(self) -> str:
        if self.section is None:
            return f"{self.field}" if self.field else ""
        return f"{self.section}[{self.index}]" + (f".{self.field}" if self.field else "")

    def text(self) -> str:
        text = message(self.code, **self.params)
        if self.section is None:
            return str(_("Field “%(field)s”: %(message)s", field=self.field, message=text)) if self.field else text
        item = (_("Calendar item %(n)s", n=self.index) if self.section == "calendar"
                else _("Rule item %(n)s", n=self.index))
        if self.field is None:
            return str(_("%(item)s: %(message)s", item=item, message=text))
        return str(_("%(item)s, field “%(field)s”: %(message)s", item=item, field=self.field, message=text))


class LegalUpdateInvalid(DomainError):
    """The file (or one of its items against this database) was refused; nothing was written."""

    def __init__(self, errors: list[ItemError]) -> None:
        super().__init__("legal_update_invalid")
        self.errors = errors

    def lines(self) -> list[str]:
        return [e.text() for e in self.errors]


def _problems(section: str | None, index: int | None, problems: list[tuple[str, str]]) -> list[ItemError]:
    return [ItemError(section, index, key, code) for key, code in problems]


def load_update(stream: IO[bytes] | IO[str] | bytes | str) -> LegalUpdate:
    """Read and check a legal update file; every problem is collected before refusing.

    :raises LegalUpdateInvalid: with every problem, each naming its item (``calendar[2]``) and field.
    """
    raw = stream if isinstance(stream, bytes | str) else stream.read(MAX_BYTES + 1)
    data_bytes = raw.encode("utf-8") if isinstance(raw, str) else raw
    if len(data_bytes) > MAX_BYTES:
        raise LegalUpdateInvalid([ItemError(None, None, None, "legal_update_too_large")])
    try:
        doc = json.loads(data_bytes.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise LegalUpdateInvalid([ItemError(None, None, None, "legal_update_not_json",
                                            {"detail": str(exc)[:120]})]) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise LegalUpdateInvalid([ItemError(None, None, "format", "legal_update_format")])
    if doc.get("version") != VERSION:
        raise LegalUpdateInvalid([ItemError(None, None, "version", "legal_update_version",
                                            {"version": doc.get("version")})])
    header, problems = update_file.validate_item(update_file.Header, doc)
    errors = _problems(None, None, problems)
    sections: dict[str, list[Any]] = {}
    for name, model in (("calendar", update_file.CalendarItem), ("rules", update_file.RuleItem)):
        items = doc.get(name) or []
        if not isinstance(items, list):
            errors.append(ItemError(None, None, name, "legal_update_not_list"))
            items = []
        if len(items) > MAX_ITEMS:
            errors.append(ItemError(None, None, name, "legal_update_too_large"))
            items = []
        parsed: list[Any] = []
        for i, data in enumerate(items, 1):
            if not isinstance(data, dict):
                errors.append(ItemError(name, i, None, "legal_update_not_object"))
                continue
            item, problems = update_file.validate_item(model, data)
            errors += _problems(name, i, problems)
            if isinstance(item, RuleItem) and item.base_code:  # named by its code: kind and step are not used
                item = item.model_copy(update={"kind": None, "step": None})
            parsed.append(item)
        sections[name] = parsed
    seen: set[date] = set()
    for i, day in enumerate(sections["calendar"], 1):
        if day is not None and day.day in seen:
            errors.append(ItemError("calendar", i, "day", "legal_update_duplicate_day"))
        elif day is not None:
            seen.add(day.day)
    if not errors and not sections["calendar"] and not sections["rules"]:
        errors.append(ItemError(None, None, None, "legal_update_empty"))
    if errors:
        raise LegalUpdateInvalid(errors)
    assert isinstance(header, update_file.Header)
    return LegalUpdate(header.title, header.issued_by, header.issued_on, sections["calendar"], sections["rules"],
                       hashlib.sha256(data_bytes).hexdigest())


# ---------------------------------------------------------------- items against this database

@dataclass
class ItemPreview:
    """What one item does: ``status`` "change" (with the clocks it moves), "already" (in place) or
    "error" (``error`` says why; in a preview the later items are previewed without it)."""

    section: str
    index: int
    summary: str
    status: str
    affected: list[retime.Affected] = dataclass_field(default_factory=list)
    error: ItemError | None = None

    @property
    def blocked(self) -> bool:
        return any(a.problem for a in self.affected)


@dataclass
class UpdateResult:
    items: list[ItemPreview]
    applied: bool

    @property
    def moved(self) -> list[retime.Affected]:
        return [a for item in self.items for a in item.affected]

    @property
    def errors(self) -> list[ItemError]:
        return [i.error for i in self.items if i.error is not None]


class _Skip(Exception):
    """The item is already in place."""


def _calendar_change(item: CalendarItem) -> retime.CalendarChange:
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == item.day))
    name = item.name or DEFAULT_NAMES[item.kind]
    if row is not None and (row.kind, row.name, row.basis, row.certainty) == (item.kind, name, item.basis,
                                                                              item.certainty):
        raise _Skip
    return retime.CalendarChange(item.day, item.kind, item.basis, item.name, item.certainty)


def _same_conditions(row: DeadlineRuleRow, values: tuple[bool | None, ...]) -> bool:
    return tuple(getattr(row, k) for k in CONDITION_KEYS) == values


def _base_row(item: RuleItem, index: int) -> DeadlineRuleRow:
    if item.base_code:
        row = db.session.scalar(select(DeadlineRuleRow).where(DeadlineRuleRow.code == item.base_code))
        if row is None:
            raise LegalUpdateInvalid([ItemError("rules", index, "base_code", "rule_row_not_found")])
        return row
    conditions = tuple(getattr(item, k) for k in CONDITION_KEYS)
    rows = [r for r in db.session.scalars(
        select(DeadlineRuleRow).where(DeadlineRuleRow.kind == item.kind, DeadlineRuleRow.step == item.step,
                                      DeadlineRuleRow.effective_from <= item.effective_from)
        .order_by(DeadlineRuleRow.effective_from.desc(), DeadlineRuleRow.id.desc()))
        if _same_conditions(r, conditions)]
    if not rows:
        raise LegalUpdateInvalid([ItemError("rules", index, "kind", "legal_update_no_base")])
    return rows[0]


def _rule_change(item: RuleItem, index: int) -> retime.RuleVersion | retime.RuleCorrection:
    base = _base_row(item, index)
    values: dict[str, Any] = {
        "days": item.days,
        "day_kind": item.day_kind or base.day_kind,
        "max_extensions": item.max_extensions if item.max_extensions is not None else base.max_extensions,
        "extension_days": item.extension_days if item.extension_days is not None else base.extension_days,
        "effective_to": item.effective_to,
        "legal_basis": item.legal_basis,
        "certainty": item.certainty,
        "note": item.note,
    }
    pause_rule = base.pause_rule if item.pause_rule is MISSING else item.pause_rule
    conditions = tuple(getattr(base, k) for k in CONDITION_KEYS)
    same_start = [r for r in db.session.scalars(select(DeadlineRuleRow).where(
        DeadlineRuleRow.kind == base.kind, DeadlineRuleRow.step == base.step,
        DeadlineRuleRow.effective_from == item.effective_from)) if _same_conditions(r, conditions)]
    if same_start:  # this version exists here: in place, or a correction of it
        row = same_start[0]
        # What a correction can change (not the suspension rule: see docs/legal-update-format.md).
        current = (row.days, row.day_kind, row.max_extensions, row.extension_days or None, row.effective_to,
                   row.legal_basis, row.certainty)
        wanted = (values["days"], values["day_kind"], values["max_extensions"], values["extension_days"] or None,
                  values["effective_to"], values["legal_basis"], values["certainty"])
        if current == wanted:
            raise _Skip
        return retime.RuleCorrection(row_id=row.id, version=row.version, note=values["note"] or row.note,
                                     **{k: v for k, v in values.items() if k != "note"})
    return retime.RuleVersion(base_id=base.id, effective_from=item.effective_from, pause_rule=pause_rule,
                              **values)


def _summary(item: CalendarItem | RuleItem) -> str:
    if isinstance(item, CalendarItem):
        return f"{item.day.isoformat()} {item.kind} — {item.name or DEFAULT_NAMES[item.kind]} ({item.basis})"
    what = item.base_code or ".".join([item.kind or "", item.step or ""] + [
        k for k in CONDITION_KEYS if getattr(item, k)])
    return f"{what} {item.effective_from.isoformat()}: {item.days} ({item.legal_basis})"


def _item_errors(section: str, index: int, exc: DomainError) -> list[ItemError]:
    if isinstance(exc, LegalUpdateInvalid):
        return exc.errors
    if exc.fields:
        return [ItemError(section, index, key, code, dict(exc.params)) for key, code in exc.fields.items()]
    return [ItemError(section, index, None, exc.code, dict(exc.params))]


def _run(update: LegalUpdate, *, apply: bool, reason: str = "", today: date | None = None) -> UpdateResult:
    """Walk the items in order inside one transaction; commit it only when applying without errors."""
    results: list[ItemPreview] = []
    try:
        for section, index, item in update.items():
            engine.invalidate()  # the rules and calendar as the previous items left them
            summary = _summary(item)
            try:
                change = (_calendar_change(item) if isinstance(item, CalendarItem)
                          else _rule_change(item, index))
                plan = retime._plan(change)
                outcomes = retime._recompute(plan)
            except _Skip:
                results.append(ItemPreview(section, index, summary, "already"))
                continue
            except DomainError as exc:
                errors = _item_errors(section, index, exc)
                if apply:
                    raise LegalUpdateInvalid(errors) from None
                results.append(ItemPreview(section, index, summary, "error", error=errors[0]))
                continue
            moves = retime._moves(outcomes)
            blocked = [a for a in moves if a.problem]
            if blocked and apply:
                first = blocked[0]
                raise LegalUpdateInvalid([ItemError(section, index, None, "retime_blocked", {
                    "count": len(blocked), "clock": f"#{first.clock_id} {first.clock}",
                    "problem": message(first.problem or "invalid", **first.problem_params)})])
            plan.write()
            db.session.flush()
            if apply:
                retime._write(outcomes, reason, change, today or retime._today())
            else:  # the next items see these dates, as they will when applied
                for o in outcomes:
                    if not o.affected.problem:
                        o.clock.due_on, o.clock.nominal_due_on = o.affected.new_due, o.nominal
                        o.clock.rule_code = o.affected.new_rule
                db.session.flush()
            results.append(ItemPreview(section, index, summary, "change", moves))
        if not apply:
            db.session.rollback()
            return UpdateResult(results, False)
        if all(r.status == "already" for r in results):
            raise ConflictError("legal_update_already_applied")
        record_event(db.session, "legal_update", "legal_updates", None, None, {
            "title": update.title, "issued_by": update.issued_by, "issued_on": update.issued_on.isoformat(),
            "sha256": update.digest, "reason": reason,
            "items": [{"item": f"{r.section}[{r.index}]", "status": r.status, "moved": len(r.affected)}
                      for r in results]})
        db.session.commit()
        return UpdateResult(results, True)
    except BaseException:
        db.session.rollback()
        raise
    finally:
        engine.invalidate()


def preview_update(update: LegalUpdate) -> UpdateResult:
    """For each item, the open clocks it would move, given the items before it; nothing is kept."""
    return _run(update, apply=False)


def apply_update(update: LegalUpdate, reason: str, *, today: date | None = None) -> UpdateResult:
    """Write every item and re-time the open cases in one transaction: all items or none.

    :raises LegalUpdateInvalid: an item cannot be applied here (names the item and field);
    :raises ConflictError: ``legal_update_already_applied`` when every item is already in place.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "legal_update_reason_required"})
    if len(reason) > 500:
        raise ValidationError({"reason": "too_long"})
    return _run(update, apply=True, reason=reason, today=today)


# ---------------------------------------------------------------- export

def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def export_update(year: int, *, rules_since: date | None = None, title: str | None = None,
                  issued_by: str = "", issued_on: date | None = None) -> dict[str, Any]:
    """A legal update file (as a dict) of this instance's calendar rows of ``year`` and its deadline rule
    rows that are not shipped with the program (added on or after ``rules_since`` when given)."""
    days = db.session.scalars(select(CalendarDay).where(extract("year", CalendarDay.day) == year)
                              .order_by(CalendarDay.day))
    shipped = {r.code for r in DEADLINE_SEED}
    stmt = select(DeadlineRuleRow).order_by(DeadlineRuleRow.kind, DeadlineRuleRow.step,
                                            DeadlineRuleRow.effective_from, DeadlineRuleRow.code)
    if rules_since is not None:
        stmt = stmt.where(DeadlineRuleRow.created_at >= datetime.combine(rules_since, datetime.min.time(), UTC))
    rules = [r for r in db.session.scalars(stmt) if r.code not in shipped]
    return {
        "format": FORMAT, "version": VERSION,
        "title": title or _("Working calendar %(year)s and deadline rules", year=year),
        "issued_by": issued_by or "—", "issued_on": (issued_on or clock.local_today()).isoformat(),
        "calendar": [{"day": d.day.isoformat(), "kind": d.kind, "name": d.name, "basis": d.basis,
                      "certainty": d.certainty} for d in days],
        "rules": [{"code": r.code, "kind": r.kind, "step": r.step, "complex": r.complex,
                   "remote_area": r.remote_area, "second_instance": r.second_instance,
                   "effective_from": _iso(r.effective_from), "effective_to": _iso(r.effective_to), "days": r.days,
                   "day_kind": r.day_kind, "max_extensions": r.max_extensions, "extension_days": r.extension_days,
                   "pause_rule": r.pause_rule, "legal_basis": r.legal_basis, "certainty": r.certainty,
                   **({"note": r.note} if r.note else {})} for r in rules],
    }
