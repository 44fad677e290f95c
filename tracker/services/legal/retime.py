"""Re-timing the open clocks when the calendar or a deadline rule row changes.

An administrator declares a day off, a make-up working day or a package holiday that is not a day
off (``calendar_days``), corrects a deadline rule row or adds a new version of it
(``deadline_rules``). Every OPEN clock the change can move is recomputed by the pure engine
(:func:`tracker.rules.deadlines.compute_due_on`) with the rules and calendar as they will be after
the change, held in memory — so :func:`preview_retime` writes nothing, and
:func:`apply_retime` writes the change, the new due dates, one timeline event per moved case
clock (``retime``: clock, old, new, reason), the cases' nearest due dates and a notice to each
handler, all in one transaction. Closed cases and stopped clocks keep the dates they had.

Which clocks are candidates is decided in SQL, never by loading every clock:

- a calendar change of day D: open clocks whose window can contain D
  (``start_on <= D`` and ``due_on >= D`` or a stopped clock, ``due_on IS NULL``);
- a rule change of (kind, step): open clocks of ``kind.step`` that use one of the rows touched,
  or whose start date falls in the period where the choice of row changes (a new version from
  D: ``start_on >= D``; a corrected end date: between the old and the new end).

Known limit: a suspension uses the pause rule in force on the day of the suspension; a clock that
uses another row but was suspended inside the changed period is not a candidate.
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import CalendarDay
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import CasePause
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.models import Letter
from tracker.rules.calendar import OVERRIDE_KINDS
from tracker.rules.calendar import DayOverride
from tracker.rules.calendar import WorkingCalendar
from tracker.rules.data.calendar_vn import DEFAULT_NAMES
from tracker.rules.deadlines import DAY_KINDS
from tracker.rules.deadlines import PAUSE_RULES
from tracker.rules.deadlines import DeadlineError
from tracker.rules.deadlines import DeadlineRule
from tracker.rules.deadlines import compute_due_on
from tracker.services.cases.clocks import case_flags
from tracker.services.cases.clocks import letter_flags
from tracker.services.clock import local_today
from tracker.services.errors import ConflictError
from tracker.services.errors import NotFoundError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal import deadlines as engine
from tracker.services.legal.rule_admin import CERTAINTIES
from tracker.services.operations.inbox import notify
from tracker.services.privacy.audit import current_actor
from tracker.services.privacy.audit import record_event

MESSAGES.update({
    "retime_blocked": _l("This change cannot be applied: %(count)s open clock(s) would have no valid deadline "
                         "(first: %(clock)s — %(problem)s). Correct the rule table first."),
    "retime_reason_required": _l("Give the reason for the change (it is written on every case moved)."),
    "letter_retimed": _l("Letter no. %(register_no)s/%(year)s: the due date of “%(step)s” changed from %(old)s "
                         "to %(new)s."),
    "rule_row_not_found": _l("This deadline rule row does not exist."),
    "rule_version_not_after": _l("A new version must start after the row it replaces starts."),
    "rule_version_clash": _l("A version of this rule with the same conditions already starts on or after that date."),
    "day_kind_invalid": _l("Choose calendar days or working days."),
    "pause_rule_invalid": _l("Unknown suspension rule."),
    "extension_days_required": _l("Give the days of one extension when extensions are allowed."),
})

__all__ = ["Affected", "CalendarChange", "RetimeResult", "RuleCorrection", "RuleVersion", "apply_retime",
           "preview_retime"]

BATCH = 500


# ---------------------------------------------------------------- the changes

@dataclass(frozen=True)
class CalendarChange:
    """Add or correct the override of one day (``kind``: day_off, work_day or not_off)."""

    day: date
    kind: str
    basis: str
    name: str | None = None
    certainty: str = "C"


@dataclass(frozen=True)
class RuleCorrection:
    """Correct one row of the deadline table in place (optimistic ``version``)."""

    row_id: int
    version: int
    days: int | None
    day_kind: str
    max_extensions: int | None
    extension_days: int | None
    effective_to: date | None
    legal_basis: str
    certainty: str
    note: str | None = None


@dataclass(frozen=True)
class RuleVersion:
    """A new version of the row ``base_id`` (same kind, step and conditions) in force from
    ``effective_from``; the versions with the same conditions still in force that day end the day
    before."""

    base_id: int
    effective_from: date
    days: int | None
    day_kind: str
    max_extensions: int | None
    extension_days: int | None
    legal_basis: str
    certainty: str
    pause_rule: str | None = None
    effective_to: date | None = None
    note: str | None = None


Change = CalendarChange | RuleCorrection | RuleVersion


@dataclass(frozen=True)
class Affected:
    """One open clock the change moves (or cannot re-time: ``problem`` is an error code)."""

    clock_id: int
    clock: str
    unit_id: int
    case_id: int | None
    letter_id: int | None
    letter_ref: str | None  # "register no./year" of a letter clock
    handler_id: int | None
    start_on: date
    old_due: date | None
    new_due: date | None
    old_rule: str
    new_rule: str
    problem: str | None = None
    problem_params: dict[str, object] = field(default_factory=dict)


@dataclass
class RetimeResult:
    moved: list[Affected]
    handler_ids: list[int]
    case_ids: list[int]
    letter_ids: list[int]
    row_id: int | None = None  # the calendar day or rule row written


@dataclass
class _Plan:
    """A validated change: the rules and calendar after it, and the SQL filter of candidates."""

    rules: list[DeadlineRule]
    calendar: WorkingCalendar
    where: Any
    write: Any  # callable writing the change into the session; returns the row


# ---------------------------------------------------------------- validation

def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_common(errors: dict[str, str], *, days: int | None, day_kind: str, max_extensions: int | None,
                  extension_days: int | None, legal_basis: str, certainty: str, note: str | None) -> None:
    if days is None:
        errors["days"] = "required"
    elif days < 0 or days > 3660:
        errors["days"] = "number_negative" if days < 0 else "number_invalid"
    if day_kind not in DAY_KINDS:
        errors["day_kind"] = "day_kind_invalid"
    if max_extensions is None:
        errors["max_extensions"] = "required"
    elif max_extensions < 0:
        errors["max_extensions"] = "number_negative"
    if extension_days is not None and extension_days < 0:
        errors["extension_days"] = "number_negative"
    elif max_extensions and not extension_days:
        errors["extension_days"] = "extension_days_required"
    if not _text(legal_basis):
        errors["legal_basis"] = "required"
    elif len(_text(legal_basis)) > 300:
        errors["legal_basis"] = "too_long"
    if certainty not in CERTAINTIES:
        errors["certainty"] = "certainty_invalid"
    if note and len(note) > 4000:
        errors["note"] = "too_long"


def _calendar_plan(change: CalendarChange) -> _Plan:
    errors = {}
    if change.kind not in OVERRIDE_KINDS:
        errors["kind"] = "calendar_kind_invalid"
    if not _text(change.basis):
        errors["basis"] = "required"
    elif len(_text(change.basis)) > 300:
        errors["basis"] = "too_long"
    if len(_text(change.name)) > 200:
        errors["name"] = "too_long"
    if change.certainty not in CERTAINTIES:
        errors["certainty"] = "choice_invalid"
    if errors:
        raise ValidationError(errors)
    name = _text(change.name) or DEFAULT_NAMES[change.kind]
    override = DayOverride(change.day, change.kind, name, _text(change.basis), change.certainty)
    overrides = [o for o in engine.load_overrides() if o.day != change.day] + [override]

    def write() -> CalendarDay:
        row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == change.day))
        if row is None:
            row = CalendarDay(day=change.day)
            db.session.add(row)
        row.kind, row.name, row.basis, row.certainty = override.kind, name, override.basis, override.certainty
        return row

    day = change.day
    where = and_(Clock.start_on <= day, or_(Clock.due_on >= day, Clock.due_on.is_(None)))
    return _Plan(engine.deadline_rules(), WorkingCalendar(overrides), where, write)


def _row(row_id: int) -> DeadlineRuleRow:
    row = db.session.get(DeadlineRuleRow, row_id)
    if row is None:
        raise NotFoundError("rule_row_not_found")
    return row


def _as_rule(row: DeadlineRuleRow, **over: object) -> DeadlineRule:
    return replace(engine._rule(row), **over)  # type: ignore[arg-type]


def _swap(rules: Iterable[DeadlineRule], changed: dict[str, DeadlineRule],
          added: Sequence[DeadlineRule] = ()) -> list[DeadlineRule]:
    return [changed.get(r.code, r) for r in rules] + list(added)


def _clock_key(row: DeadlineRuleRow) -> str:
    return f"{row.kind}.{row.step}"


def _between(low: date | None, high: date | None) -> Any:
    """Clocks started in (low, high] — None is the open end."""
    cond = []
    if low is not None:
        cond.append(Clock.start_on > low)
    if high is not None:
        cond.append(Clock.start_on <= high)
    return and_(*cond) if cond else Clock.start_on.is_not(None)


def _correction_plan(change: RuleCorrection) -> _Plan:
    row = _row(change.row_id)
    if row.version != change.version:
        raise ConflictError("stale")
    errors: dict[str, str] = {}
    _check_common(errors, days=change.days, day_kind=change.day_kind, max_extensions=change.max_extensions,
                  extension_days=change.extension_days, legal_basis=change.legal_basis, certainty=change.certainty,
                  note=change.note)
    if change.effective_to is not None and change.effective_to < row.effective_from:
        errors["effective_to"] = "date_order"
    if errors:
        raise ValidationError(errors)
    values: dict[str, Any] = {
        "days": change.days, "day_kind": change.day_kind, "max_extensions": change.max_extensions,
        "extension_days": change.extension_days or None, "effective_to": change.effective_to,
        "legal_basis": _text(change.legal_basis), "certainty": change.certainty,
        "note": _text(change.note) or None,
    }
    rules = _swap(engine.deadline_rules(), {row.code: _as_rule(row, **values)})
    old_to, new_to = row.effective_to, change.effective_to
    where = Clock.rule_code == row.code
    if old_to != new_to:  # the choice of row changes for clocks started between the two end dates
        low = min(old_to, new_to) if old_to and new_to else (old_to or new_to)
        high = max(old_to, new_to) if old_to and new_to else None
        where = or_(where, and_(Clock.clock == _clock_key(row), _between(low, high)))

    def write() -> DeadlineRuleRow:
        for name, value in values.items():
            setattr(row, name, value)
        return row

    return _Plan(rules, engine.working_calendar(), where, write)


def _new_code(base: DeadlineRuleRow, start: date) -> str:
    stem = re.sub(r"\.(\d{4}|\d{8}|target)$", "", base.code)
    code = f"{stem}.{start:%Y%m%d}"[:80]
    taken = set(db.session.scalars(select(DeadlineRuleRow.code).where(DeadlineRuleRow.code.like(f"{code}%"))))
    n, candidate = 1, code
    while candidate in taken:
        n += 1
        candidate = f"{code[:76]}.{n}"
    return candidate


def _version_plan(change: RuleVersion) -> _Plan:
    base = _row(change.base_id)
    errors: dict[str, str] = {}
    _check_common(errors, days=change.days, day_kind=change.day_kind, max_extensions=change.max_extensions,
                  extension_days=change.extension_days, legal_basis=change.legal_basis, certainty=change.certainty,
                  note=change.note)
    if change.pause_rule is not None and change.pause_rule not in PAUSE_RULES:
        errors["pause_rule"] = "pause_rule_invalid"
    start = change.effective_from
    if change.effective_to is not None and change.effective_to < start:
        errors["effective_to"] = "date_order"
    if start <= base.effective_from:
        errors["effective_from"] = "rule_version_not_after"
    siblings = list(db.session.scalars(select(DeadlineRuleRow).where(
        DeadlineRuleRow.kind == base.kind, DeadlineRuleRow.step == base.step)))
    siblings = [r for r in siblings if (r.complex, r.remote_area, r.second_instance)
                == (base.complex, base.remote_area, base.second_instance)]
    if "effective_from" not in errors and any(r.effective_from >= start for r in siblings):
        errors["effective_from"] = "rule_version_clash"
    if errors:
        raise ValidationError(errors)
    closing = [r for r in siblings if r.effective_to is None or r.effective_to >= start]
    day_before = start - timedelta(days=1)
    code = _new_code(base, start)
    values: dict[str, Any] = {
        "code": code, "kind": base.kind, "step": base.step, "complex": base.complex,
        "remote_area": base.remote_area, "second_instance": base.second_instance, "days": change.days,
        "day_kind": change.day_kind, "max_extensions": change.max_extensions,
        "extension_days": change.extension_days or None, "pause_rule": change.pause_rule,
        "effective_from": start, "effective_to": change.effective_to, "legal_basis": _text(change.legal_basis),
        "certainty": change.certainty, "note": _text(change.note) or None,
    }
    new_rule = DeadlineRule(**values)
    rules = _swap(engine.deadline_rules(), {r.code: _as_rule(r, effective_to=day_before) for r in closing},
                  [new_rule])
    where = and_(Clock.clock == _clock_key(base), Clock.start_on >= start)

    def write() -> DeadlineRuleRow:
        for r in closing:
            r.effective_to = day_before
        row = DeadlineRuleRow(**values)
        db.session.add(row)
        return row

    return _Plan(rules, engine.working_calendar(), where, write)


def _plan(change: Change) -> _Plan:
    if isinstance(change, CalendarChange):
        return _calendar_plan(change)
    if isinstance(change, RuleCorrection):
        return _correction_plan(change)
    if isinstance(change, RuleVersion):
        return _version_plan(change)
    raise TypeError(f"not a re-timing change: {change!r}")


# ---------------------------------------------------------------- recomputing

@dataclass
class _Outcome:
    clock: Clock
    affected: Affected
    nominal: date | None


def _candidate_ids(where: Any) -> list[int]:
    """Open clocks matching the change, of open cases or of letters (filtered in SQL)."""
    stmt = (select(Clock.id).outerjoin(Case, Case.id == Clock.case_id)
            .where(Clock.status == "open", or_(Clock.case_id.is_(None), Case.is_open.is_(True)), where)
            .order_by(Clock.id))
    return list(db.session.scalars(stmt))


def _recompute(plan: _Plan) -> list[_Outcome]:
    """Every candidate whose due date, nominal date or rule would change, in clock order."""
    outcomes: list[_Outcome] = []
    ids = _candidate_ids(plan.where)
    for i in range(0, len(ids), BATCH):
        chunk = ids[i:i + BATCH]
        clocks = list(db.session.scalars(
            select(Clock).where(Clock.id.in_(chunk)).order_by(Clock.id)))
        case_ids = {c.case_id for c in clocks if c.case_id is not None}
        letter_ids = {c.letter_id for c in clocks if c.case_id is None and c.letter_id is not None}
        cases = {c.id: c for c in db.session.scalars(select(Case).where(Case.id.in_(case_ids)))} if case_ids else {}
        letters = ({lt.id: lt for lt in db.session.scalars(
            select(Letter).options(joinedload(Letter.unit)).where(Letter.id.in_(letter_ids)))} if letter_ids else {})
        pauses: dict[int, list[tuple[date, date | None]]] = {}
        if case_ids:
            for p in db.session.scalars(select(CasePause).where(CasePause.case_id.in_(case_ids))
                                        .order_by(CasePause.id)):
                pauses.setdefault(p.case_id, []).append((p.suspended_on, p.resumed_on))
        for clock in clocks:
            outcome = _one(clock, cases.get(clock.case_id) if clock.case_id else None,
                           letters.get(clock.letter_id) if clock.letter_id else None,
                           pauses.get(clock.case_id or 0, []), plan)
            if outcome is not None:
                outcomes.append(outcome)
    return outcomes


def _one(clock: Clock, case: Case | None, letter: Letter | None, pauses: list[tuple[date, date | None]],
         plan: _Plan) -> _Outcome | None:
    if case is not None:
        flags, handler = case_flags(case), case.handler_id
    elif letter is not None:
        flags, handler = letter_flags(letter), letter.handler_id
    else:
        return None
    kind, _, step = clock.clock.partition(".")
    ref = f"{letter.register_no}/{letter.register_year}" if letter is not None and case is None else None
    base = {"clock_id": clock.id, "clock": clock.clock, "unit_id": clock.unit_id, "case_id": clock.case_id,
            "letter_id": clock.letter_id if case is None else None, "letter_ref": ref, "handler_id": handler,
            "start_on": clock.start_on, "old_due": clock.due_on, "old_rule": clock.rule_code}
    try:
        deadline = compute_due_on(kind, step, clock.start_on, pauses=pauses, rules=plan.rules,
                                  calendar=plan.calendar, **flags)  # type: ignore[arg-type]
    except DeadlineError as exc:
        params: dict[str, object] = {k: v for k, v in exc.params.items() if isinstance(v, str | int)}
        return _Outcome(clock, Affected(**base, new_due=None, new_rule="", problem=exc.code,  # type: ignore[arg-type]
                                        problem_params=params), None)
    if (deadline.due_on, deadline.nominal_due_on, deadline.rule_code) == (clock.due_on, clock.nominal_due_on,
                                                                          clock.rule_code):
        return None
    return _Outcome(clock, Affected(**base, new_due=deadline.due_on, new_rule=deadline.rule_code),  # type: ignore[arg-type]
                    deadline.nominal_due_on)


def _moves(outcomes: list[_Outcome]) -> list[Affected]:
    """What a person cares about: the clocks whose due date changes, and those that cannot be re-timed."""
    return [o.affected for o in outcomes if o.affected.problem or o.affected.old_due != o.affected.new_due]


# ---------------------------------------------------------------- the API

def preview_retime(change: Change) -> list[Affected]:
    """The open clocks ``change`` would move (old and new due date), without writing anything.

    :raises ValidationError: the change itself is not valid; :raises ConflictError: stale version.
    """
    return _moves(_recompute(_plan(change)))


def _today() -> date:
    return local_today()


def _describe(change: Change) -> dict[str, object]:
    if isinstance(change, CalendarChange):
        return {"calendar_day": change.day.isoformat(), "kind": change.kind, "basis": _text(change.basis)}
    if isinstance(change, RuleCorrection):
        return {"rule_row": change.row_id, "correction": True}
    return {"rule_row": change.base_id, "new_version_from": change.effective_from.isoformat()}


def apply_retime(change: Change, reason: str, *, today: date | None = None) -> RetimeResult:
    """Write ``change`` and re-time the open clocks it moves, in one transaction.

    Each moved case clock gets a ``retime`` event on the case's timeline (data: clock, old, new,
    reason); each affected case and letter gets a ``retime_notice`` audit event and its handler an
    inbox notice. Refused (nothing written) when a clock would be left without a valid deadline.
    """
    reason = _text(reason)
    if not reason:
        raise ValidationError({"reason": "retime_reason_required"})
    if len(reason) > 500:
        raise ValidationError({"reason": "too_long"})
    today = today or _today()
    try:
        plan = _plan(change)
        outcomes = _recompute(plan)
        problems = [o.affected for o in outcomes if o.affected.problem]
        if problems:
            first = problems[0]
            raise RuleError("retime_blocked", count=len(problems), clock=f"#{first.clock_id} {first.clock}",
                            problem=message(first.problem or "invalid", **first.problem_params))
        row = plan.write()
        db.session.flush()
        result = _write(outcomes, reason, change, today)
        result.row_id = row.id
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        engine.invalidate()
    return result


def _write(outcomes: list[_Outcome], reason: str, change: Change, today: date) -> RetimeResult:
    actor = current_actor().user_id
    run = uuid.uuid4().hex[:12]
    what = _describe(change)
    moved: list[Affected] = []
    per_case: dict[int, list[Affected]] = {}
    per_letter: dict[int, list[Affected]] = {}
    units: dict[tuple[str, int], int] = {}
    for o in outcomes:
        a = o.affected
        o.clock.due_on, o.clock.nominal_due_on, o.clock.rule_code = a.new_due, o.nominal, a.new_rule
        if a.old_due == a.new_due:
            continue
        moved.append(a)
        if a.case_id is not None:
            per_case.setdefault(a.case_id, []).append(a)
            units[("cases", a.case_id)] = a.unit_id
            db.session.add(CaseEvent(case_id=a.case_id, unit_id=a.unit_id, on=today, action="retime",
                                     actor_id=actor, note=reason, data=json.dumps(
                                         {"clock": a.clock, "old": a.old_due, "new": a.new_due, "reason": reason,
                                          "rule": a.new_rule, "change": what}, ensure_ascii=False, default=str)))
        elif a.letter_id is not None:
            per_letter.setdefault(a.letter_id, []).append(a)
            units[("letters", a.letter_id)] = a.unit_id
    db.session.flush()
    _refresh_next_due(list(per_case))
    handlers: set[int] = set()
    for entity, groups in (("cases", per_case), ("letters", per_letter)):
        for entity_id, items in groups.items():
            unit_id = units[(entity, entity_id)]
            record_event(db.session, "retime_notice", entity, entity_id, unit_id, {
                "reason": reason, "change": what, "handler_id": items[0].handler_id,
                "clocks": [{"clock": a.clock, "old": a.old_due.isoformat() if a.old_due else None,
                            "new": a.new_due.isoformat() if a.new_due else None} for a in items]})
            for a in items:
                if a.handler_id is None:
                    continue
                handlers.add(a.handler_id)
                _notify(a, run)
    return RetimeResult(moved=moved, handler_ids=sorted(handlers), case_ids=sorted(per_case),
                        letter_ids=sorted(per_letter))


def _shown(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _case_number(case_id: int) -> str:
    """What a message shows after "Vụ việc số": the register number ("3/2026")."""
    row = db.session.execute(select(Case.register_no, Case.register_year).where(Case.id == case_id)).one()
    return f"{row[0]}/{row[1]}"


def _notify(a: Affected, run: str) -> None:
    key = f"retime:{a.clock_id}:{run}"
    if a.case_id is not None:
        notify(a.handler_id, a.unit_id, "retime", "case_retimed",  # type: ignore[arg-type]
               {"case_id": _case_number(a.case_id), "old": _shown(a.old_due), "new": _shown(a.new_due)}, key,
               case_id=a.case_id)
    else:
        number, _, year = (a.letter_ref or "/").partition("/")
        notify(a.handler_id, a.unit_id, "retime", "letter_retimed",  # type: ignore[arg-type]
               {"register_no": number, "year": year, "step": a.clock, "old": _shown(a.old_due),
                "new": _shown(a.new_due)}, key, letter_id=a.letter_id)


def _refresh_next_due(case_ids: list[int]) -> None:
    """The nearest open due date of each case (as clocks.refresh_next_due), one query per batch."""
    for i in range(0, len(case_ids), BATCH):
        chunk = case_ids[i:i + BATCH]
        nearest: dict[int | None, tuple[date | None, str]] = {}
        rows = db.session.execute(
            select(Clock.case_id, Clock.due_on, Clock.clock)
            .where(Clock.case_id.in_(chunk), Clock.status == "open", Clock.due_on.is_not(None))
            .order_by(Clock.case_id, Clock.due_on, Clock.id))
        for case_id, due_on, key in rows:
            nearest.setdefault(case_id, (due_on, key))
        for case in db.session.scalars(select(Case).where(Case.id.in_(chunk))):
            case.next_due_on, case.next_clock = nearest.get(case.id, (None, None))
