"""The legal deadline engine: due date of one step of a case, from versioned rule rows.

Pure (stdlib only, plus the calendar). The rule rows are plain data handed in by the caller (the
``deadline_rules`` table, seeded from ``tracker/rules/data/deadlines_vn.py``). Counting follows the
Civil Code (Bộ luật Dân sự 2015 Điều 147–148): the day of the event is not counted; a period in
calendar days that ends on a weekly rest day or a day off ends on the next working day; a period
in working days counts only working days (official make-up Saturdays count).

The explanation is data: a tuple of :class:`Step` with codes, dates and the calendar's names, for
a printable "why this date?" view. The codes are:

``start`` (on = event day, value = "kind.step"), ``rule`` (value = rule code, text = legal basis,
reason = certainty), ``count`` (reason = day kind, value = base days), ``extension`` (value =
extension days, reason = its number), ``pause`` (on = suspended on, value = resumed on ISO or None,
reason = pause rule), ``restart`` (on = resumption day), ``clock_stopped`` (on = suspension day),
``skip`` (on = a day not counted, reason = weekend|holiday|day_off, text = its name),
``make_up`` (on = a make-up working day counted, text = its name), ``nominal`` (on = last day of the
period), ``roll_forward`` (on = the working day the period ends on instead), ``due`` (on = due date),
``doubt`` (the date rests on an uncertain calendar: reason "uncertain_day" with on = the day and
text = its name, or reason "estimate_year" with value = a year whose official schedule is not
published yet). A date with a doubt has certainty "U", whatever its rule's certainty.
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from tracker.rules.calendar import WorkingCalendar

CONDITIONS = ("complex", "remote_area", "second_instance")
DAY_KINDS = ("working", "calendar")
PAUSE_RULES = ("extend", "restart")
# A guard against nonsense input: no legal period is anywhere near this long.
MAX_PERIOD_DAYS = 3660

Pause = tuple[date, date | None]


class DeadlineError(ValueError):
    """Bad input to the engine; ``code`` names it for a translated message, ``params`` fill it."""

    code = "deadline_invalid"

    def __init__(self, detail: str = "", **params: object) -> None:
        super().__init__(detail or self.code)
        self.params = params


class NoRuleError(DeadlineError):
    code = "deadline_no_rule"


class AmbiguousRuleError(DeadlineError):
    code = "deadline_ambiguous_rule"


class ExtensionError(DeadlineError):
    code = "deadline_too_many_extensions"


class PauseError(DeadlineError):
    code = "deadline_bad_pause"


@dataclass(frozen=True)
class DeadlineRule:
    """One row of the deadline table (mirrors ``tracker.models.rules.DeadlineRuleRow``).

    A condition (``complex``, ``remote_area``, ``second_instance``) of None matches any case;
    ``effective_to`` is the last day in force (inclusive), None for open-ended.
    """

    code: str
    kind: str
    step: str
    days: int
    day_kind: str
    effective_from: date
    legal_basis: str
    certainty: str = "C"
    complex: bool | None = None
    remote_area: bool | None = None
    second_instance: bool | None = None
    max_extensions: int = 0
    extension_days: int | None = None
    pause_rule: str | None = None
    effective_to: date | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.day_kind not in DAY_KINDS:
            raise ValueError(f"{self.code}: unknown day kind {self.day_kind!r}")
        if self.pause_rule is not None and self.pause_rule not in PAUSE_RULES:
            raise ValueError(f"{self.code}: unknown pause rule {self.pause_rule!r}")
        if self.days < 0 or self.max_extensions < 0:
            raise ValueError(f"{self.code}: negative days or extensions")

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def matches(self, flags: Mapping[str, bool]) -> bool:
        return all(getattr(self, c) is None or getattr(self, c) == bool(flags.get(c, False)) for c in CONDITIONS)

    @property
    def specificity(self) -> int:
        return sum(getattr(self, c) is not None for c in CONDITIONS)


@dataclass(frozen=True)
class Step:
    code: str
    on: date | None = None
    reason: str | None = None
    text: str | None = None
    value: int | str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "on": self.on.isoformat() if self.on else None, "reason": self.reason,
                "text": self.text, "value": self.value}


@dataclass(frozen=True)
class Deadline:
    """The due date of one step. ``due_on`` is None while the clock is stopped (open suspension)."""

    due_on: date | None
    nominal_due_on: date | None
    day_kind: str
    days: int
    rule_code: str
    legal_basis: str
    certainty: str
    explanation: tuple[Step, ...] = field(default=())

    def as_dict(self) -> dict[str, object]:
        """The calculator's JSON shape (interfaces.md), with the explanation."""
        return {
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "nominal_due_on": self.nominal_due_on.isoformat() if self.nominal_due_on else None,
            "day_kind": self.day_kind,
            "days": self.days,
            "rule": self.rule_code,
            "legal_basis": self.legal_basis,
            "certainty": self.certainty,
            "explanation": [s.as_dict() for s in self.explanation],
        }


def select_rule(rules: Iterable[DeadlineRule], kind: str, step: str, start: date,
                flags: Mapping[str, bool] | None = None) -> DeadlineRule:
    """The rule for (kind, step) in force on ``start`` whose conditions match ``flags``; the most
    specific row wins (most conditions set). Raises :class:`NoRuleError` when none applies and
    :class:`AmbiguousRuleError` when two equally specific rows apply."""
    flags = flags or {}
    candidates = [r for r in rules if r.kind == kind and r.step == step and r.in_force_on(start) and r.matches(flags)]
    if not candidates:
        raise NoRuleError(f"no rule for {kind}.{step} on {start.isoformat()}", kind=kind, step=step,
                          start=start.isoformat())
    best = max(r.specificity for r in candidates)
    top = [r for r in candidates if r.specificity == best]
    if len(top) > 1:
        raise AmbiguousRuleError(f"rules {sorted(r.code for r in top)} all apply", kind=kind, step=step,
                                 start=start.isoformat())
    return top[0]


def _check_pauses(pauses: Sequence[Pause], start: date) -> list[Pause]:
    ordered = sorted(pauses, key=lambda p: p[0])
    previous_end = start
    for i, (suspended, resumed) in enumerate(ordered):
        if suspended < previous_end:
            raise PauseError("a suspension before the start or overlapping another")
        if resumed is None:
            if i != len(ordered) - 1:
                raise PauseError("only the last suspension may be open")
            continue
        if resumed < suspended:
            raise PauseError("a resumption before its suspension")
        previous_end = resumed
    return ordered


def _pause_rule(rules: Sequence[DeadlineRule], rule: DeadlineRule, kind: str, step: str, on: date,
                flags: Mapping[str, bool]) -> str:
    """The suspension rule in force on the day of the suspension (transitional rules of NĐ
    155/2026 Điều 22 and NĐ 156/2026 Điều 10 apply the new suspension rules to open cases)."""
    try:
        current = select_rule(rules, kind, step, on, flags).pause_rule
    except NoRuleError:
        current = rule.pause_rule
    if current is None:
        raise PauseError(f"{rule.code}: this step cannot be suspended", rule=rule.code)
    return current


def compute_due_on(kind: str, step: str, start: date, *, complex: bool = False, remote_area: bool = False,
                   second_instance: bool = False, extensions: int = 0, pauses: Sequence[Pause] = (),
                   rules: Sequence[DeadlineRule], calendar: WorkingCalendar) -> Deadline:
    """Due date of ``kind``/``step`` whose triggering event happened on ``start``.

    :param extensions: extensions granted (each adds the rule's ``extension_days`` of the same day
        kind); more than the rule's ``max_extensions`` raises :class:`ExtensionError`.
    :param pauses: suspensions as ``(suspended_on, resumed_on or None)``. Under the pause rule
        "extend" the days after the suspension up to and including the resumption are not counted;
        under "restart" the full period runs again from the resumption; an open suspension stops
        the clock (``due_on`` None) unless the period had already ended.
    """
    flags = {"complex": complex, "remote_area": remote_area, "second_instance": second_instance}
    rule = select_rule(rules, kind, step, start, flags)
    if extensions < 0 or extensions > rule.max_extensions or (extensions and not rule.extension_days):
        raise ExtensionError(f"{rule.code}: at most {rule.max_extensions} extension(s)", rule=rule.code,
                             max=rule.max_extensions)
    total = rule.days + extensions * (rule.extension_days or 0)
    if total > MAX_PERIOD_DAYS:
        raise DeadlineError("period too long")
    steps = [Step("start", start, value=f"{kind}.{step}"),
             Step("rule", None, reason=rule.certainty, text=rule.legal_basis, value=rule.code),
             Step("count", None, reason=rule.day_kind, value=rule.days)]
    steps += [Step("extension", None, reason=str(i + 1), value=rule.extension_days) for i in range(extensions)]

    begin, stretches = start, list[Pause]()
    for suspended, resumed in _check_pauses(pauses, start):
        how = _pause_rule(rules, rule, kind, step, suspended, flags)
        steps.append(Step("pause", suspended, reason=how, value=resumed.isoformat() if resumed else None))
        if how == "restart":
            if resumed is None:
                steps.append(Step("clock_stopped", suspended))
                return _result(None, None, rule, total, steps)
            begin, stretches = resumed, []
            steps.append(Step("restart", resumed))
        else:
            stretches.append((suspended, resumed))

    nominal = _walk(begin, total, rule.day_kind == "working", stretches, calendar, steps)
    if nominal is None:
        return _result(None, None, rule, total, steps)
    steps.append(Step("nominal", nominal))
    due = calendar.roll_forward(nominal)
    if due != nominal:
        steps += [_skip(nominal + timedelta(days=i), calendar) for i in range((due - nominal).days)]
        steps.append(Step("roll_forward", due))
    steps.append(Step("due", due))
    return _result(due, nominal, rule, total, steps + _doubts(steps, begin, due, rule.day_kind, calendar))


def _doubts(steps: list[Step], begin: date, due: date, day_kind: str, calendar: WorkingCalendar) -> list[Step]:
    """What makes the due date uncertain: a day not counted whose day off is itself uncertain, or a
    year whose official schedule is not published (every day of it counts in working days; in
    calendar days only the end, which an unannounced day off could move)."""
    doubts = [Step("doubt", s.on, reason="uncertain_day", text=s.text) for s in steps
              if s.code == "skip" and s.on and calendar.day_info(s.on).certainty == "U"]
    first = begin + timedelta(days=1) if day_kind == "working" else due
    doubts += [Step("doubt", None, reason="estimate_year", value=year)
               for year in range(first.year, due.year + 1) if calendar.is_estimate(year)]
    return doubts


def _walk(begin: date, total: int, working: bool, stretches: list[Pause], calendar: WorkingCalendar,
          steps: list[Step]) -> date | None:
    """The ``total``-th counted day after ``begin`` (which is not counted); None if an open
    suspension stops the clock first. Days inside a suspension are not counted."""
    day, counted = begin, 0
    while counted < total:
        day += timedelta(days=1)
        for suspended, resumed in stretches:
            if suspended < day and (resumed is None or day <= resumed):
                if resumed is None:
                    steps.append(Step("clock_stopped", suspended))
                    return None
                break
        else:
            if working:
                info = calendar.day_info(day)
                if not info.working:
                    steps.append(_skip(day, calendar))
                    continue
                if info.make_up:
                    steps.append(Step("make_up", day, text=info.name))
            counted += 1
    return day


def _skip(day: date, calendar: WorkingCalendar) -> Step:
    reason, name = calendar.off_reason(day) or ("", "")
    return Step("skip", day, reason=reason, text=name)


def _result(due: date | None, nominal: date | None, rule: DeadlineRule, total: int, steps: list[Step]) -> Deadline:
    certainty = "U" if any(s.code == "doubt" for s in steps) else rule.certainty
    return Deadline(due, nominal, rule.day_kind, total, rule.code, rule.legal_basis, certainty, tuple(steps))
