"""The numbers of a period report, counted in SQL: six aggregate queries whatever the number of visits,
letters, cases or units (a parent unit counts its whole subtree through the materialised path).

Definitions (dates are inclusive; ``from``/``to`` are the period's first and last day of data):
- visits, sessions: held in [from, to].
- letters received: registered (``received_on``) in [from, to]; carried over: registered before
  ``from`` and not handled before ``from`` (no ``decided_on`` < from); pending at the end: registered
  by ``to`` and not handled by ``to``.
- cases received: accepted in [from, to]; carried over: accepted before ``from`` and still open at
  ``from`` (``closed_on`` is null or ≥ from); resolved: closed (concluded, sent up, withdrawn,
  terminated) in [from, to]; open: accepted by ``to`` and not closed by ``to``; open and overdue: open
  at ``to`` with a clock of the case due before ``to`` and not met by ``to``.
- early / on time / late: a resolved case's ``closed_on`` against the due date of its resolution
  clock (tracker.rules.reporting.RESOLUTION_CLOCKS, due date as last re-timed by extensions and
  suspensions), under tracker.rules.reporting.TIMELINESS; a case without such a clock (grassroots
  mediation, or no rule in force when it started) is "resolved_no_deadline", so that
  resolved = early + on time + late + no deadline.
- outcomes: of the cases resolved in the period. Every closing counts as resolved (a decision or
  conclusion, a withdrawal, a termination, a sending up): the outcomes table's total of a kind is the
  cases table's "resolved" of that kind, and its rows split it (withdrawn and terminated by kind; a
  mediation sent up before any result as ``sent_up_before_result``).
- "own" sections (for the narrative) leave out letters transferred down from higher levels, which
  have their own sentence; the totals include them.
"""
from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import aliased

from tracker.extensions import db
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.rules import reception as rr
from tracker.rules.reporting import RESOLUTION_CLOCKS
from tracker.rules.reporting import TIMELINESS
from tracker.rules.reporting import Timeliness
from tracker.rules.reporting import handled_correctly
from tracker.services.operations.lineage import predecessor_ids_query

CASE_COLUMNS = ("received", "carried_over", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
                "resolved_no_deadline", "open", "open_overdue")
MEDIATION_KINDS = ("mediation", "land_mediation")


def _zeros(keys: Iterable[str]) -> dict[str, int]:
    return {k: 0 for k in keys}


def _subtree(unit: Unit) -> Any:
    """The ids of the unit and every unit below it (one indexed prefix match on the path)."""
    return select(Unit.id).where(Unit.path.like(f"{unit.path}%"))


def _with_predecessors(unit: Unit) -> Any:
    """The ids of the unit and the units below it, plus the units merged into any of them (the 2025
    mergers: "the new commune and its predecessors"), as one IN list — still one subquery, so the
    report keeps its fixed number of queries. The whole chain is followed (A merged into B, B later
    into this unit: both count) by a recursive CTE (tracker.services.operations.lineage)."""
    subtree = _subtree(unit)
    return select(Unit.id).where(or_(Unit.id.in_(subtree), Unit.id.in_(predecessor_ids_query(subtree))))


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _minus_days(column: Any, days: int) -> Any:
    if days == 0:
        return column
    if db.engine.dialect.name == "sqlite":
        return func.date(column, f"-{days} day")
    return column - days


def _visits(units: Any, d1: date, d2: date) -> tuple[dict[str, Any], dict[str, int]]:
    rows = db.session.execute(
        select(Visit.kind, Visit.host, Visit.handling, Visit.within_competence, Visit.is_group, Visit.classification,
               func.count(), func.coalesce(func.sum(Visit.people_count), 0))
        .where(Visit.unit_id.in_(units), Visit.visited_on >= d1, Visit.visited_on <= d2)
        .group_by(Visit.kind, Visit.host, Visit.handling, Visit.within_competence, Visit.is_group,
                  Visit.classification)).all()
    out: dict[str, Any] = {"total": 0, "people": 0, "group_visits": 0, "group_people": 0, "within_competence": 0,
                           "handled_correctly": 0, "by_host": _zeros(rr.VISIT_HOSTS), "by_kind": _zeros(rr.VISIT_KINDS),
                           "by_handling": _zeros(rr.VISIT_HANDLINGS),
                           "by_classification": _zeros(rr.CLASSIFICATIONS)}
    for kind, host, handling, within, group, classification, n, people in rows:
        n, people = int(n), int(people)
        out["total"] += n
        out["people"] += people
        if group:
            out["group_visits"] += n
            out["group_people"] += people
        if within:
            out["within_competence"] += n
        if handled_correctly(handling, bool(within)):
            out["handled_correctly"] += n
        for key, value in (("by_host", host), ("by_kind", kind), ("by_handling", handling),
                           ("by_classification", classification)):
            out[key][value] = out[key].get(value, 0) + n
    out["share_within_competence"] = (round(100.0 * out["within_competence"] / out["total"], 1)
                                      if out["total"] else None)
    out["share_handled_correctly"] = (round(100.0 * out["handled_correctly"] / out["total"], 1)
                                      if out["total"] else None)
    sessions = _zeros(rr.SESSION_KINDS)
    for kind, n in db.session.execute(
            select(ReceptionSession.kind, func.count())
            .where(ReceptionSession.unit_id.in_(units), ReceptionSession.held_on >= d1,
                   ReceptionSession.held_on <= d2).group_by(ReceptionSession.kind)):
        sessions[kind] = int(n)
    sessions["total"] = sum(sessions.values())
    return out, sessions


def _letters(units: Any, d1: date, d2: date) -> tuple[dict[str, Any], Sequence[Any]]:
    # The sending body is grouped only for letters transferred down: few distinct bodies per unit,
    # and it saves the report a query per unit of a province.
    from_body = case((Letter.channel == "transferred_in", Letter.from_body), else_=literal(None))
    # The handling as it stood at the period's end: a letter decided later was still pending then.
    decision = case((Letter.decided_on <= d2, Letter.decision), else_=literal(None))
    rows = db.session.execute(
        select(Letter.kind, Letter.mediation_type, Letter.channel, Letter.subject, decision, Letter.eligible,
               Letter.within_competence, Letter.multi_signature, Letter.duplicate_of_id.is_not(None),
               func.count(), func.min(Letter.id), from_body)
        .where(Letter.unit_id.in_(units), Letter.received_on >= d1, Letter.received_on <= d2)
        .group_by(Letter.kind, Letter.mediation_type, Letter.channel, Letter.subject, decision,
                  Letter.eligible, Letter.within_competence, Letter.multi_signature,
                  Letter.duplicate_of_id.is_not(None), from_body)).all()
    out: dict[str, Any] = {"received": 0, "transferred_in": 0, "eligible": 0, "within_competence": 0,
                           "multi_signature": 0, "duplicates": 0,
                           "by_kind": _zeros(lc.LETTER_KINDS), "by_channel": _zeros(lc.LETTER_CHANNELS),
                           "by_subject": _zeros(rr.SUBJECTS),
                           "by_handling": _zeros(lc.HANDLING_DECISIONS + ("pending",)),
                           "by_mediation_type": _zeros(lc.MEDIATION_TYPES)}
    for kind, mtype, channel, subject, decided, eligible, within, multi, duplicate, n, _first, _body in rows:
        n = int(n)
        out["received"] += n
        out["transferred_in"] += n if channel == "transferred_in" else 0
        out["eligible"] += n if eligible else 0
        out["within_competence"] += n if within else 0
        out["multi_signature"] += n if multi else 0
        out["duplicates"] += n if duplicate else 0
        out["by_kind"][kind] += n
        out["by_channel"][channel] += n
        out["by_subject"][subject] += n
        out["by_handling"][decided or "pending"] += n
        if mtype:
            out["by_mediation_type"][mtype] += n
    # Carried over from before the period, and still unhandled at its end.
    carried = db.session.execute(
        select(Letter.kind,
               _sum(Letter.received_on < d1),
               _sum(or_(Letter.decided_on.is_(None), Letter.decided_on > d2)))
        .where(Letter.unit_id.in_(units), Letter.received_on <= d2,
               or_(Letter.decided_on.is_(None), Letter.decided_on >= d1))
        .group_by(Letter.kind)).all()
    out["carried_over"] = sum(int(r[1]) for r in carried)
    out["carried_over_by_kind"] = {**_zeros(lc.LETTER_KINDS), **{r[0]: int(r[1]) for r in carried}}
    out["pending_at_end"] = sum(int(r[2]) for r in carried)
    return out, rows


def _from_bodies(letter_rows: Sequence[Any]) -> list[str]:
    """Who sent the letters transferred down ("Thị xã", "UBND tỉnh"), first sender first."""
    first: dict[str, int] = {}
    for row in letter_rows:
        body = (row[-1] or "").strip()
        if row[2] == "transferred_in" and body:
            first[body] = min(first.get(body, row[-2]), row[-2])
    return sorted(first, key=first.__getitem__)


def _cases(units: Any, d1: date, d2: date, timeliness: Timeliness) -> dict[tuple[str, bool], dict[str, int]]:
    transferred = case((Letter.channel == "transferred_in", literal(True)), else_=literal(False))
    online = case((Letter.channel == "online", literal(True)), else_=literal(False))
    other = aliased(Clock)
    overdue = exists(select(other.id).where(
        other.case_id == Case.id, other.status != "cancelled", other.due_on.is_not(None), other.due_on < d2,
        or_(other.met_on.is_(None), other.met_on > d2)))
    per_case = (
        select(Case.kind.label("kind"), transferred.label("transferred"), Case.accepted_on.label("accepted_on"),
               Case.closed_on.label("closed_on"), Clock.due_on.label("due_on"), overdue.label("overdue"),
               online.label("online"))
        .outerjoin(Letter, Letter.id == Case.letter_id)
        .outerjoin(Clock, and_(Clock.case_id == Case.id, Clock.clock.in_(tuple(RESOLUTION_CLOCKS.values())),
                               Clock.status != "cancelled"))
        .where(Case.unit_id.in_(units), Case.accepted_on <= d2,
               or_(Case.closed_on.is_(None), Case.closed_on >= d1))
    ).subquery()
    c = per_case.c
    resolved = and_(c.closed_on.is_not(None), c.closed_on >= d1, c.closed_on <= d2)
    timed = and_(resolved, c.due_on.is_not(None))
    early_by = _minus_days(c.due_on, timeliness.early_margin_days)
    is_open = or_(c.closed_on.is_(None), c.closed_on > d2)
    rows = db.session.execute(
        select(c.kind, c.transferred,
               _sum(c.accepted_on >= d1),
               _sum(c.accepted_on < d1),
               _sum(resolved),
               _sum(and_(timed, c.closed_on <= early_by)),
               _sum(and_(timed, c.closed_on > early_by, c.closed_on <= c.due_on)),
               _sum(and_(timed, c.closed_on > c.due_on)),
               _sum(and_(resolved, c.due_on.is_(None))),
               _sum(is_open),
               _sum(and_(is_open, c.overdue)),
               _sum(and_(c.accepted_on >= d1, c.online == literal(True))))
        .group_by(c.kind, c.transferred)).all()
    # The last column (received through the online channel) is kept apart from CASE_COLUMNS.
    return {(r[0], bool(r[1])): {**dict(zip(CASE_COLUMNS, (int(x) for x in r[2:-1]), strict=True)),
                                 "received_online": int(r[-1])} for r in rows}


def _outcomes(units: Any, d1: date, d2: date) -> list[tuple[str, str | None, str, bool, bool, bool, int]]:
    transferred = case((Letter.channel == "transferred_in", literal(True)), else_=literal(False))
    mediated = exists(select(CaseEvent.id).where(CaseEvent.case_id == Case.id, CaseEvent.action == "mediate"))
    to_court = exists(select(CaseEvent.id).where(CaseEvent.case_id == Case.id, CaseEvent.action == "guide_court"))
    per_case = (
        select(Case.kind.label("kind"), Case.outcome.label("outcome"), Case.status.label("status"),
               transferred.label("transferred"), mediated.label("mediated"), to_court.label("to_court"))
        .outerjoin(Letter, Letter.id == Case.letter_id)
        .where(Case.unit_id.in_(units), Case.closed_on >= d1, Case.closed_on <= d2)
    ).subquery()
    c = per_case.c
    rows = db.session.execute(
        select(c.kind, c.outcome, c.status, c.transferred, c.mediated, c.to_court, func.count())
        .group_by(c.kind, c.outcome, c.status, c.transferred, c.mediated, c.to_court)).all()
    return [(r[0], r[1], r[2], bool(r[3]), bool(r[4]), bool(r[5]), int(r[6])) for r in rows]


def compute(unit: Unit, d1: date, d2: date, *, timeliness: Timeliness = TIMELINESS,
            with_predecessors: bool = False) -> dict[str, Any]:
    """Every number of the report of ``unit`` (and the units below it) for [d1, d2]; with
    ``with_predecessors``, also of the units merged into them (old communes keep their own rows)."""
    units = _with_predecessors(unit) if with_predecessors else _subtree(unit)
    visits, sessions = _visits(units, d1, d2)
    letters, letter_rows = _letters(units, d1, d2)
    case_rows = _cases(units, d1, d2, timeliness)
    outcome_rows = _outcomes(units, d1, d2)

    by_kind = {k: _zeros(CASE_COLUMNS) for k in lc.CASE_KINDS}
    own = {k: _zeros(CASE_COLUMNS) for k in lc.CASE_KINDS}
    transferred_cases = _zeros(CASE_COLUMNS)
    received_online = _zeros(lc.CASE_KINDS)
    for (kind, transferred), cols in case_rows.items():
        received_online[kind] += cols.pop("received_online")
        for key, n in cols.items():
            by_kind[kind][key] += n
            (transferred_cases if transferred else own[kind])[key] += n
    total = {k: sum(v[k] for v in by_kind.values()) for k in CASE_COLUMNS}

    outcomes: dict[str, Any] = {
        "complaints": _zeros(lc.OUTCOMES["complaint"]), "denunciations": _zeros(lc.OUTCOMES["denunciation"]),
        "mediations": {"succeeded": 0, "failed": 0, "failed_sent_up": 0, "failed_to_court": 0,
                       "sent_up_before_result": 0},
        "petitions": {"answered": 0, "answered_after_mediation": 0, "sent_up": 0, "sent_up_after_mediation": 0},
        "land_disputes": _zeros(lc.OUTCOMES["land_dispute"]),
        "withdrawn": 0, "terminated": 0,
        "withdrawn_by_kind": _zeros(lc.CASE_KINDS), "terminated_by_kind": _zeros(lc.CASE_KINDS),
    }
    mediation_by_type = {t: {"succeeded": 0, "failed": 0, "failed_sent_up": 0, "failed_to_court": 0,
                             "sent_up_before_result": 0} for t in ("grassroots", "land")}
    sec_outcomes: dict[str, dict[str, int]] = {k: {} for k in lc.CASE_KINDS}
    for kind, outcome, status, transferred, mediated, to_court, n in outcome_rows:
        if outcome in ("withdrawn", "terminated"):
            outcomes[outcome] += n
            outcomes[f"{outcome}_by_kind"][kind] += n
        if kind == "complaint" and outcome in outcomes["complaints"]:
            outcomes["complaints"][outcome] += n
        elif kind == "denunciation" and outcome in outcomes["denunciations"]:
            outcomes["denunciations"][outcome] += n
        elif kind == "land_dispute" and outcome in outcomes["land_disputes"]:
            outcomes["land_disputes"][outcome] += n
        elif kind in MEDIATION_KINDS and outcome == "sent_up":  # sent up before any mediation result
            for target in (outcomes["mediations"], mediation_by_type["land" if kind == "land_mediation" else
                                                                      "grassroots"]):
                target["sent_up_before_result"] += n
        elif kind in MEDIATION_KINDS and outcome in ("succeeded", "failed"):
            kind_type = mediation_by_type["land" if kind == "land_mediation" else "grassroots"]
            for target in (outcomes["mediations"], kind_type):
                target[outcome] += n
                if outcome == "failed" and status == "sent_up":
                    target["failed_sent_up"] += n
                elif outcome == "failed" and to_court:
                    target["failed_to_court"] += n
        elif kind in ("petition", "feedback"):
            p = outcomes["petitions"]
            if outcome == "answered":
                p["answered"] += n
                p["answered_after_mediation"] += n if mediated else 0
            elif status == "sent_up":
                p["sent_up"] += n
                p["sent_up_after_mediation"] += n if mediated else 0
        if transferred:
            continue
        s = sec_outcomes[kind]
        section_key = _section_key(kind, outcome, status, mediated)
        if section_key:
            s[section_key] = s.get(section_key, 0) + n

    own_letters: dict[str, int] = {}
    transferred_groups: dict[tuple[str, str | None, str], list[int]] = {}
    for kind, mtype, channel, subject, _dec, _el, _wc, _ms, _dup, n, first, _body in letter_rows:
        if channel == "transferred_in":
            g = transferred_groups.setdefault((kind, mtype, subject), [0, first])
            g[0] += int(n)
            g[1] = min(g[1], first)
        else:
            key = lc.case_kind_for(kind, mtype)
            own_letters[key] = own_letters.get(key, 0) + int(n)
    transferred_complaints = sum(v[0] for k, v in transferred_groups.items() if k[0] in ("complaint", "denunciation"))

    sections: dict[str, Any] = {}
    for kind in lc.CASE_KINDS:
        cols = own[kind]
        sections[kind] = {"received": own_letters.get(kind, 0), "accepted": cols["received"],
                          "carried_over": cols["carried_over"],
                          "resolved": cols["resolved"], "open": cols["open"], **sec_outcomes[kind]}
        sections[kind]["open_overdue"] = cols["open_overdue"]
        if kind in MEDIATION_KINDS:
            by_type = mediation_by_type["land" if kind == "land_mediation" else "grassroots"]
            sections[kind]["failed_sent_up"] = by_type["failed_sent_up"]
            sections[kind]["failed_to_court"] = by_type["failed_to_court"]
        if kind in ("petition", "feedback"):
            sections[kind]["pending"] = cols["open"]
    sections["complaint"]["received_transferred"] = transferred_complaints
    sections["transferred_in"] = {
        "received": letters["transferred_in"], "resolved": transferred_cases["resolved"],
        "from_bodies": _from_bodies(letter_rows),
        "groups": [{"kind": k[0], "mediation_type": k[1], "subject": k[2], "count": v[0]}
                   for k, v in sorted(transferred_groups.items(), key=lambda kv: kv[1][1])],
    }

    med = outcomes["mediations"]
    mediation = {"received": sum(by_kind[k]["received"] for k in MEDIATION_KINDS),
                 "total": med["succeeded"] + med["failed"], **med,
                 "open": sum(by_kind[k]["open"] for k in MEDIATION_KINDS), "by_type": mediation_by_type}
    return {
        "visits": visits, "sessions": sessions, "letters": letters,
        "cases": {"total": total, "by_kind": by_kind, "transferred_in": transferred_cases,
                  "received_online": received_online},
        "outcomes": outcomes, "mediation": mediation, "sections": sections,
        "share_within_competence": visits["share_within_competence"],
    }


def _section_key(kind: str, outcome: str | None, status: str, mediated: bool) -> str | None:
    """Where a resolved case goes in the narrative's section of its kind."""
    if outcome in ("withdrawn", "terminated"):
        return "other_closed"
    if kind in ("petition", "feedback"):
        if outcome == "answered":
            return "answered_mediated" if mediated else "answered"
        if status == "sent_up":
            return "sent_up_mediated" if mediated else "sent_up"
        return None
    return outcome


CASE_FIGURES = CASE_COLUMNS + ("received_online", "received_other", "all")


def case_figure(figure: str, d1: date, d2: date, *, timeliness: Timeliness = TIMELINESS) -> Any:
    """The condition on ``Case`` of one column of the cases table for [d1, d2] — the definitions of
    :func:`compute`, one case at a time — so that the list of cases behind a figure can be shown.

    :raises KeyError: not one of CASE_FIGURES.
    """
    due = (select(func.max(Clock.due_on))
           .where(Clock.case_id == Case.id, Clock.clock.in_(tuple(RESOLUTION_CLOCKS.values())),
                  Clock.status != "cancelled").scalar_subquery())
    overdue = exists(select(Clock.id).where(
        Clock.case_id == Case.id, Clock.status != "cancelled", Clock.due_on.is_not(None), Clock.due_on < d2,
        or_(Clock.met_on.is_(None), Clock.met_on > d2)))
    online = exists(select(Letter.id).where(Letter.id == Case.letter_id, Letter.channel == "online"))
    in_period = and_(Case.accepted_on <= d2, or_(Case.closed_on.is_(None), Case.closed_on >= d1))
    resolved = and_(Case.closed_on.is_not(None), Case.closed_on >= d1, Case.closed_on <= d2)
    early_by = _minus_days(due, timeliness.early_margin_days)
    is_open = or_(Case.closed_on.is_(None), Case.closed_on > d2)
    conditions = {
        "all": in_period,
        "received": Case.accepted_on >= d1,
        "received_online": and_(Case.accepted_on >= d1, online),
        "received_other": and_(Case.accepted_on >= d1, ~online),
        "carried_over": Case.accepted_on < d1,
        "resolved": resolved,
        "resolved_early": and_(resolved, due.is_not(None), Case.closed_on <= early_by),
        "resolved_on_time": and_(resolved, due.is_not(None), Case.closed_on > early_by, Case.closed_on <= due),
        "resolved_late": and_(resolved, due.is_not(None), Case.closed_on > due),
        "resolved_no_deadline": and_(resolved, due.is_(None)),
        "open": is_open,
        "open_overdue": and_(is_open, overdue),
    }
    return and_(in_period, conditions[figure])


def subtree_ids(unit_id: int) -> Any:
    """The ids of a unit and every unit below it, by id (for list filters)."""
    parent = aliased(Unit)
    return (select(Unit.id).join(parent, parent.id == unit_id)
            .where(Unit.path.like(parent.path + "%")))
