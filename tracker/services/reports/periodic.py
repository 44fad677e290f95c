"""Period reports: build (or rebuild) a unit's draft, freeze it as final, and the JSON document.

- A draft is rebuilt in place (same revision): its numbers are replaced; a narrative the chairperson
  edited is kept (the generated one stays in the document's "narrative_generated").
- A final report is frozen: building again creates revision + 1 as a draft whose document carries
  the differences from the final one ("difference_from_final").
- "Carried over" (cases open at the start, letters unhandled at the start) is taken from the final
  report of the period that ends the day before this one starts, when there is one: what was signed
  is what is carried. The live recount and any difference are recorded in "carried_over_check".
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Report
from tracker.models import Unit
from tracker.models import User
from tracker.models.base import utcnow
from tracker.rules import periods
from tracker.rules import reporting
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.data.report_periods import DEADLINE_RULES
from tracker.rules.report_document import CarriedCounts
from tracker.rules.report_document import CarriedOverCheck
from tracker.rules.report_document import DifferenceFromFinal
from tracker.rules.report_document import Predecessor
from tracker.rules.report_document import ReportDocument
from tracker.rules.report_document import ReportRef
from tracker.services.errors import ConflictError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.operations import lineage
from tracker.services.reports import report_stats
from tracker.services.transaction import atomic

MESSAGES.update({
    "period_invalid": _l("Please give a period as 2024, 2024-H1, 2024-9M, 2024-Q1…Q4 or 2024-01…12, within the "
                         "dates of a known reporting convention."),
    "period_not_ended": _l("This period has not ended yet: only a draft can be built."),
    "period_not_started": _l("This period has not begun yet: there is nothing to report."),
    "report_already_final": _l("This report is already final."),
    "report_final_frozen": _l("A final report cannot be edited; build a new revision instead."),
    "export_not_available": _l("This export format is not yet available."),
    "export_needs_output": _l("A Word or Excel file needs --output PATH."),
})




@dataclass
class BuildResult:
    report: Report
    created: bool
    difference: dict[str, list[Any]]


def resolve_span(unit: Unit, period: str, *, today: date) -> periods.Span:
    """:raises ValidationError: a malformed period, no cut-off rule of the unit's convention then, or a
    period whose data have not begun by ``today`` (2099-12 would show today's open cases as its own)."""
    try:
        span = periods.span(period, unit.report_convention or "official", CUTOFF_RULES)
    except periods.PeriodError:
        raise ValidationError({"period": "period_invalid"}) from None
    if span.date_from > today:
        raise ValidationError({"period": "period_not_started"})
    return span


def latest(unit_id: int, period: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.unit_id == unit_id, Report.period == period)
                             .order_by(Report.revision.desc()).limit(1))


def revisions(unit_id: int, period: str | None = None) -> list[Report]:
    """The unit's reports (of one period), newest revision first within a period."""
    stmt = select(Report).where(Report.unit_id == unit_id)
    if period is not None:
        stmt = stmt.where(Report.period == period)
    return list(db.session.scalars(stmt.order_by(Report.period, Report.revision.desc())))


def revision(unit_id: int, period: str, number: int) -> Report | None:
    return db.session.scalar(select(Report).where(Report.unit_id == unit_id, Report.period == period,
                                                  Report.revision == number))


def _previous_final(unit: Unit, span: periods.Span) -> Report | None:
    """The newest final report of this unit whose data end the day before this period starts,
    preferring the period it naturally carries over from (2024-H1 ← 2023)."""
    preferred = periods.carry_over_source(span.period.code)
    return db.session.scalar(
        select(Report).where(Report.unit_id == unit.id, Report.status == "final",
                             Report.date_to == span.date_from - timedelta(days=1))
        .order_by(case((Report.period == preferred, 0), else_=1), Report.revision.desc()).limit(1))


def _stored(data: str) -> ReportDocument:
    return ReportDocument.model_validate_json(data)


def _carry_over(doc: ReportDocument, previous: Report | None) -> None:
    cases = doc.cases
    live = CarriedCounts(cases={k: v.carried_over for k, v in cases.by_kind.items()},
                         letters=doc.letters.carried_over)
    if previous is None:
        doc.carried_over_check = CarriedOverCheck(source="live", live=live)
        return
    frozen_doc = _stored(previous.data)
    frozen = CarriedCounts(cases={k: v.open for k, v in frozen_doc.cases.by_kind.items()},
                           letters=frozen_doc.letters.pending_at_end)
    for kind, n in frozen.cases.items():
        if kind in cases.by_kind:
            cases.by_kind[kind].carried_over = n
    cases.total.carried_over = sum(v.carried_over for v in cases.by_kind.values())
    doc.letters.carried_over = frozen.letters
    difference: dict[str, int] = {f"cases.{k}": frozen.cases.get(k, 0) - n for k, n in live.cases.items()
                                  if frozen.cases.get(k, 0) != n}
    if frozen.letters != live.letters:
        difference["letters"] = frozen.letters - live.letters
    doc.carried_over_check = CarriedOverCheck(
        source=ReportRef(report_id=previous.id, period=previous.period, revision=previous.revision),
        frozen=frozen, live=live, difference=difference)


def compute_document(unit: Unit, span: periods.Span, *, with_predecessors: bool = False) -> ReportDocument:
    """The report document (interfaces.md "The report document") without revision and status; with
    ``with_predecessors`` the numbers include the units merged into ``unit`` (never stored as a report)."""
    code = span.period.code
    stats = report_stats.compute(unit, span.date_from, span.date_to, with_predecessors=with_predecessors)
    due = periods.deadline(code, unit.level, DEADLINE_RULES, convention=span.convention, period_end=span.date_to)
    doc = ReportDocument.model_validate({
        "unit": unit.code, "unit_name": unit.name, "level": unit.level, "period": code,
        "period_label": periods.label(code), "convention": span.convention,
        "from": span.date_from.isoformat(), "to": span.date_to.isoformat(),
        "cutoff": {"rule": span.rule.code, "legal_basis": span.rule.legal_basis, "certainty": span.rule.certainty},
        "deadline": due[0].isoformat() if due else None,
        "deadline_basis": due[1].legal_basis if due else None,
        "timeliness": {"early_margin_days": reporting.TIMELINESS.early_margin_days,
                       "basis": reporting.TIMELINESS.legal_basis, "certainty": reporting.TIMELINESS.certainty},
        **stats,
        "opening_line": reporting.opening_line(unit.report_basis, unit.name, periods.label(code)),
    })
    if with_predecessors:
        # The whole chain: a commune merged into one that was itself merged later is listed with "into".
        codes = {unit.id: unit.code}
        chain = lineage.predecessors_of(unit)
        codes.update({u.id: u.code for u, _depth, _into, _on in chain})
        doc.predecessors = [Predecessor(code=u.code, name=u.name, merged_on=on.isoformat() if on else None,
                                        into=codes.get(into_id), depth=depth) for u, depth, into_id, on in chain]
    else:
        _carry_over(doc, _previous_final(unit, span))
    style = reporting.Style(unit.name, bool(unit.leading_zero), unit.reception_weekday,
                            reporting.assessment_sentences(unit.report_sentences))
    doc.narrative = reporting.narrative(doc, style, periods.label(code))
    return doc


def _numbers(value: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten the numeric leaves of a document: {"cases.total.open": 3, …}."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("narrative", "narrative_generated", "carried_over_check", "difference_from_final", "groups"):
                continue
            out.update(_numbers(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out[prefix] = value
    return out


def difference(old: ReportDocument, new: ReportDocument) -> dict[str, list[Any]]:
    """Every number that changed between two documents: {path: [old, new]}."""
    a, b = _numbers(old.stored_json()), _numbers(new.stored_json())
    return {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def build_report(unit: Unit, period: str, *, today: date, final: bool = False,
                 user: User | None = None, commit: bool = True, _again: bool = False) -> BuildResult:
    """Build or rebuild the report of ``unit`` for ``period`` and commit (``commit=False``: flush only,
    the caller commits — the scheduler does, with its "job done" mark). A revision built meanwhile by
    another process (the scheduler, a colleague) is rebuilt in place rather than refused.

    :raises ValidationError: a bad period code.
    :raises RuleError: ``final`` for a period that has not ended by ``today``.
    """
    span = resolve_span(unit, period, today=today)
    code = span.period.code
    if final and span.date_to >= today:
        raise RuleError("period_not_ended")
    doc = compute_document(unit, span)
    current = latest(unit.id, code)
    diff: dict[str, list[Any]] = {}
    created = current is None or current.status == "final"
    if current is not None and current.status == "final":
        diff = difference(_stored(current.data), doc)
        doc.difference_from_final = DifferenceFromFinal(revision=current.revision, changes=diff)
    narrative = doc.narrative
    if created:
        report = Report(unit_id=unit.id, period=code, revision=(current.revision + 1) if current else 1,
                        status="draft")
        db.session.add(report)
    else:
        report = current  # type: ignore[assignment]
        old = _stored(report.data)
        if report.narrative != old.narrative:
            narrative = report.narrative  # the chairperson's edit survives a rebuild
        diff = difference(old, doc)
    report.convention, report.date_from, report.date_to = span.convention, span.date_from, span.date_to
    report.data = json.dumps(doc.stored_json(), ensure_ascii=False, sort_keys=True)
    report.narrative = narrative
    report.built_at = utcnow()
    if final:
        report.status, report.finalized_at = "final", utcnow()
        report.finalized_by_id = user.id if user else None
    if not commit:
        db.session.flush()
        return BuildResult(report, created, diff)
    try:
        db.session.commit()
    except IntegrityError:  # the same revision was created meanwhile: build again, over it
        db.session.rollback()
        if _again:
            raise ConflictError("stale") from None
        return build_report(unit, period, today=today, final=final, user=user, _again=True)
    return BuildResult(report, created, diff)


@atomic
def finalize(report: Report, user: User | None, *, version: int | None = None, today: date) -> Report:
    """Freeze a draft: later data changes no longer alter it.

    :raises ConflictError: stale version, or already final.
    :raises RuleError: the period has not ended yet.
    """
    if version is not None and report.version != version:
        raise ConflictError("stale")
    if report.status == "final":
        raise ConflictError("report_already_final")
    if report.date_to >= today:
        raise RuleError("period_not_ended")
    report.status, report.finalized_at = "final", utcnow()
    report.finalized_by_id = user.id if user else None
    return report


@atomic
def edit_narrative(report: Report, text: str, *, version: int) -> Report:
    """The chairperson's own wording of a draft's narrative."""
    if report.version != version:
        raise ConflictError("stale")
    if report.status == "final":
        raise ConflictError("report_final_frozen")
    if not text.strip():
        raise ValidationError({"narrative": "required"})
    report.narrative = text.strip()
    return report


def document(report: Report) -> ReportDocument:
    """The document of interfaces.md, with the narrative as it stands (edited or generated)."""
    doc = _stored(report.data)
    doc.narrative_generated, doc.narrative = doc.narrative, report.narrative
    doc.revision, doc.status, doc.report_id = report.revision, report.status, report.id
    doc.built_at = report.built_at.isoformat() if report.built_at else None
    doc.finalized_at = report.finalized_at.isoformat() if report.finalized_at else None
    return doc


def live_document(unit: Unit, span: periods.Span, *, with_predecessors: bool = False) -> ReportDocument:
    """The document of a period with no stored report: the numbers as they stand, nothing saved."""
    doc = compute_document(unit, span, with_predecessors=with_predecessors)
    doc.narrative_generated = doc.narrative
    return doc


def build_due(unit: Unit, day: date) -> int:
    """The scheduler's work for one unit and one day: a draft of every period of the unit's convention
    that ended on ``day`` and has no report yet (a report already there — draft or final — is left
    alone). Returns how many were built. Nothing is committed: the scheduler commits every report of the
    slot at once with its "job done" mark, so a run killed halfway leaves no report of the slot."""
    built = 0
    for span in periods.periods_ending_between(day, day, unit.report_convention or "official", CUTOFF_RULES):
        if latest(unit.id, span.period.code) is None:
            build_report(unit, span.period.code, today=day + timedelta(days=1), commit=False)
            built += 1
    return built


@dataclass(frozen=True)
class ExportInfo:
    """What the exported document needs beyond the numbers: the heading's units and the signer."""

    unit_name: str
    parent_name: str | None
    chair_name: str | None
    issued_on: date


def export_info(report: Report, today: date) -> ExportInfo:
    """The unit, its parent (the heading's first line) and the name of its chairperson, if there is one."""
    unit = db.session.get(Unit, report.unit_id)
    assert unit is not None
    parent = db.session.get(Unit, unit.parent_id) if unit.parent_id else None
    chair = db.session.scalar(select(User).where(User.unit_id == unit.id, User.role == "chair",
                                                 User.active.is_(True)).order_by(User.id).limit(1))
    return ExportInfo(unit.name, parent.name if parent else None,
                      (chair.full_name or None) if chair else None, today)
