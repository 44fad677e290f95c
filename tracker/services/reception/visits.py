"""The reception log book: log, correct and list visits; the chairperson's reception sessions."""
from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Citizen
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.rules import reception as rules
from tracker.rules.text import escape_like
from tracker.rules.text import fold_diacritics
from tracker.services import counters
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_params import params_on
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.citizens import build_citizen
from tracker.services.reception.citizens import clean_citizen
from tracker.services.reception.citizens import find_by_id_number
from tracker.services.transaction import atomic

BOOK = "visits"
TEXT_LIMITS = {"content": 5000, "host_name": 200, "previously_handled_by": 300, "handling_document_no": 60,
               "referred_to": 300, "result_followup": 5000, "note": 5000}


@dataclass
class VisitorInput:
    """A person at the visit: an existing citizen (``citizen_id``) or a new one (``citizen``)."""

    citizen_id: int | None = None
    citizen: CitizenInput | None = None
    is_representative: bool = False


@dataclass
class VisitInput:
    visited_on: date
    content: str
    classification: str
    handling: str
    visitors: list[VisitorInput] = field(default_factory=list)
    visited_time: time | None = None
    channel: str = "in_person"
    kind: str = "regular"
    host: str = "officer"
    host_name: str | None = None
    people_count: int = 1
    subject: str = "other"
    previously_handled_by: str | None = None
    within_competence: bool = True
    handling_document_no: str | None = None
    referred_to: str | None = None
    decline_ground: str | None = None
    result_followup: str | None = None
    note: str | None = None
    register_no: int | None = None  # only for back-entry from a paper book; otherwise assigned


def _choice(errors: dict[str, str], name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        errors[name] = "choice_invalid"


def _check(data: VisitInput, unit: Unit, today: date, errors: dict[str, str]) -> None:
    """Collect every problem of ``data`` into ``errors`` (one pass, so the user sees them all)."""
    _choice(errors, "channel", data.channel, rules.VISIT_CHANNELS)
    _choice(errors, "kind", data.kind, rules.VISIT_KINDS)
    _choice(errors, "host", data.host, rules.VISIT_HOSTS)
    _choice(errors, "classification", data.classification, rules.CLASSIFICATIONS)
    _choice(errors, "subject", data.subject, rules.SUBJECTS)
    _choice(errors, "handling", data.handling, rules.VISIT_HANDLINGS)
    if data.kind in ("scheduled", "adhoc") and data.host == "officer":
        errors["host"] = "session_needs_leader"
    if not (data.content or "").strip():
        errors["content"] = "required"
    for name, limit in TEXT_LIMITS.items():
        value = getattr(data, name)
        if value and len(value) > limit:
            errors[name] = "too_long"
    if not data.visitors:
        errors["visitors"] = "visitor_required"
    if data.register_no is not None and data.register_no < 1:
        errors["register_no"] = "number_min"
    params = params_on(data.visited_on)
    group = rules.GroupRule.from_params(params)
    errors.update(rules.visit_problems(
        visited_on=data.visited_on,
        today=today,
        people_count=data.people_count,
        representatives=sum(1 for v in data.visitors if v.is_representative),
        handling=data.handling,
        decline_ground=data.decline_ground,
        group=group,
        kind=data.kind,
        host=data.host,
        vice_chair_may_hold_scheduled=bool(params.get("scheduled_by_vice_chair", 1)),
    ))
    if len(data.visitors) > max(data.people_count, 1):
        errors.setdefault("people_count", "fewer_people_than_visitors")


def resolve_people(unit: Unit, visitors: list[VisitorInput], today: date, allow_legacy_id: bool,
                   errors: dict[str, str], field: str = "visitors", *, user: User | None,
                   confidential: bool, keep: frozenset[int] = frozenset()) -> list[tuple[Citizen, bool]]:
    """Existing citizens by id, new ones built (not yet added); a known ID number links, not duplicates.

    Shared by visits (``visitors``), letters (``senders``) and bookings; problems go to ``errors`` under
    ``field.N.name``. Who may be named goes through the confidentiality gate: a denouncer's sealed entry
    answers "not found" by id, and is never matched by ID number, for anyone not cleared for it — who
    gets an entry of their own from what they typed, the same answer as for an unknown number.
    ``confidential``: the record being written is a denunciation (its new people are sealed entries);
    ``keep``: people already on the record being corrected.
    """
    from tracker.services.privacy import confidentiality

    resolved: list[tuple[Citizen, bool]] = []
    seen: set[int] = set()
    for i, v in enumerate(visitors):
        prefix = f"{field}.{i}."
        if v.citizen_id is not None:
            citizen = db.session.get(Citizen, v.citizen_id)
            if citizen is None or citizen.unit_id != unit.id or (
                    citizen.id not in keep
                    and not confidentiality.may_link_citizen(user, citizen, confidential=confidential)):
                errors[prefix + "citizen_id"] = "not_found"
                continue
        elif v.citizen is not None:
            cleaned, problems = clean_citizen(v.citizen, today, prefix=prefix, allow_legacy_id=allow_legacy_id)
            errors.update(problems)
            if problems:
                continue
            # A denunciation goes to the denouncer's sealed entry its writer is cleared for, else to the open one.
            known = None
            if confidential and cleaned.id_number and user is not None:
                known = find_by_id_number(unit.id, cleaned.id_number, sealed_for=user)
            if known is None and cleaned.id_number:
                known = find_by_id_number(unit.id, cleaned.id_number)
            citizen = known or build_citizen(unit.id, cleaned, sealed=confidential)
        else:
            errors[prefix + "citizen_id"] = "required"
            continue
        if citizen.id is not None and citizen.id in seen:
            errors[prefix + "citizen_id"] = "visitor_repeated"
            continue
        if citizen.id is not None:
            seen.add(citizen.id)
        resolved.append((citizen, v.is_representative))
    return resolved


def _local_timestamp(day: date, at: time | None) -> datetime | None:
    if at is None:
        return None
    return datetime.combine(day, at, tzinfo=ZoneInfo(current_app.config["TIMEZONE"]))


def ensure_session(unit_id: int, day: date, kind: str, host: str, host_name: str | None) -> ReceptionSession:
    """The chairperson's session of that day and kind, created on first use (in the caller's transaction)."""
    session = db.session.scalar(select(ReceptionSession).where(
        ReceptionSession.unit_id == unit_id, ReceptionSession.held_on == day, ReceptionSession.kind == kind))
    if session is None:
        session = ReceptionSession(unit_id=unit_id, held_on=day, kind=kind,
                                   host="vice_chair" if host == "vice_chair" else "chair", host_name=host_name)
        db.session.add(session)
    return session


@atomic
def record_session(unit_id: int, day: date, kind: str, host: str, host_name: str | None, *,
                   place: str | None, note: str | None) -> ReceptionSession:
    """Record (or complete) the session of that day and kind with its place and note."""
    session = ensure_session(unit_id, day, kind, host, host_name)
    session.place, session.note = place, note
    return session


def _apply(visit: Visit, data: VisitInput, unit: Unit, people: list[tuple[Citizen, bool]]) -> None:
    group = rules.GroupRule.from_params(params_on(data.visited_on))
    visit.visited_on = data.visited_on
    visit.visited_at = _local_timestamp(data.visited_on, data.visited_time)
    for name in ("channel", "kind", "host", "people_count", "classification", "subject", "within_competence",
                 "handling", "decline_ground"):
        setattr(visit, name, getattr(data, name))
    for name in TEXT_LIMITS:
        value = getattr(data, name)
        setattr(visit, name, value.strip() if isinstance(value, str) and value.strip() else None)
    visit.content = data.content.strip()
    visit.is_group = group.is_group(data.people_count)
    if data.handling != "declined":
        visit.decline_ground = None
    if data.kind in ("scheduled", "adhoc"):
        visit.session = ensure_session(unit.id, data.visited_on, data.kind, data.host, visit.host_name)
    else:
        visit.session = None
    visit.visitors = [
        VisitCitizen(citizen=c, position=i, is_representative=rep) for i, (c, rep) in enumerate(people)
    ]


@atomic
def log_visit(user: User, unit: Unit, data: VisitInput, today: date, *, allow_legacy_id: bool = False) -> Visit:
    """Record a visit in the log book, with a new register number unless one was given.

    :raises ValidationError: every problem at once; nothing is written.
    :raises ConflictError: the given register number is already used this year.
    """
    errors: dict[str, str] = {}
    _check(data, unit, today, errors)
    people = resolve_people(unit, data.visitors, today, allow_legacy_id, errors, user=user,
                            confidential=data.classification in rules.CONFIDENTIAL_CLASSIFICATIONS)
    year = data.visited_on.year
    if data.register_no is not None and "register_no" not in errors and _register_no_taken(unit.id, year,
                                                                                         data.register_no):
        errors["register_no"] = "register_no_taken"
    if errors:
        raise ValidationError(errors, register_no=data.register_no)
    visit = Visit(unit_id=unit.id, register_year=year, created_by_id=user.id if user else None)
    _apply(visit, data, unit, people)
    if data.register_no is None:
        visit.register_no = counters.next_number(unit.id, BOOK, year)
    else:
        visit.register_no = data.register_no
        counters.raise_to(unit.id, BOOK, year, data.register_no)
    db.session.add(visit)
    return visit


def _register_no_taken(unit_id: int, year: int, number: int, except_id: int | None = None) -> bool:
    stmt = select(Visit.id).where(Visit.unit_id == unit_id, Visit.register_year == year,
                                  Visit.register_no == number)
    if except_id is not None:
        stmt = stmt.where(Visit.id != except_id)
    return db.session.scalar(stmt) is not None


@atomic
def update_visit(visit: Visit, data: VisitInput, *, version: int, today: date, user: User | None = None) -> Visit:
    """Correct a visit. Its register number stays; a visit moved to another year is refused.
    ``user``: who corrects it (whom they may name: :func:`resolve_people`)."""
    if visit.version != version:
        raise ConflictError("stale")
    unit = visit.unit
    errors: dict[str, str] = {}
    _check(data, unit, today, errors)
    if data.visited_on.year != visit.register_year:
        errors["visited_on"] = "visit_year_change"
    people = resolve_people(unit, data.visitors, today, False, errors, user=user,
                            confidential=data.classification in rules.CONFIDENTIAL_CLASSIFICATIONS,
                            keep=frozenset(vc.citizen_id for vc in visit.visitors))
    if errors:
        raise ValidationError(errors)
    _apply(visit, data, unit, people)
    return visit


@atomic
def delete_visit(visit: Visit, *, version: int) -> None:
    if visit.version != version:
        raise ConflictError("stale")
    db.session.delete(visit)


@dataclass
class VisitFilter:
    date_from: date | None = None
    date_to: date | None = None
    classification: str | None = None
    kind: str | None = None
    host: str | None = None
    handling: str | None = None
    subject: str | None = None
    channel: str | None = None
    q: str | None = None
    group_only: bool = False
    # The 2025 mergers: "" this unit and the communes merged into it (read only), "own", or "former" only.
    records: str = ""


def visits_query(units: Select[int] | list[int] | ColumnElement[bool], f: VisitFilter,
                 people_search_scope: ColumnElement[bool] | None = None) -> Select[Visit]:
    """Visits of the given units; every filter is a WHERE clause on indexed columns.

    :param units: unit ids (a list or a SELECT), or a ready condition on ``Visit.unit_id``.
    :param people_search_scope: extra condition applied when ``f.q`` searches people, so that a
        search by name cannot find visits whose people are confidential to the searcher.
    """
    scope = Visit.unit_id.in_(units) if isinstance(units, list | tuple | Select) else units
    stmt = select(Visit).where(scope)
    if f.date_from:
        stmt = stmt.where(Visit.visited_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Visit.visited_on <= f.date_to)
    for name in ("classification", "kind", "host", "handling", "subject", "channel"):
        value = getattr(f, name)
        if value:
            stmt = stmt.where(getattr(Visit, name) == value)
    if f.group_only:
        stmt = stmt.where(Visit.is_group.is_(True))
    if f.q and f.q.strip():
        text = f.q.strip()
        if people_search_scope is not None:
            stmt = stmt.where(people_search_scope)
        if text.isdigit():
            stmt = stmt.where(Visit.register_no == int(text)) if len(text) < 9 else stmt.where(Visit.id.in_(
                select(VisitCitizen.visit_id).where(
                    VisitCitizen.citizen_id.in_(select(Citizen.id).where(Citizen.id_number == text)))))
        else:
            conds = [Citizen.name_key.like("%" + escape_like(w) + "%", escape="\\")
                     for w in fold_diacritics(text).split(" ")[:6]]
            # Matching citizens first (a scan of the citizens, not of every visit), then their visits.
            matching = select(Citizen.id).where(*conds)
            stmt = stmt.where(Visit.id.in_(select(VisitCitizen.visit_id).where(VisitCitizen.citizen_id.in_(matching))))
    return stmt.options(selectinload(Visit.visitors).selectinload(VisitCitizen.citizen))


def visits_query_for(user: User, f: VisitFilter) -> Select[Visit]:
    """The visits ``user`` may see, filtered (with the records of the communes merged into its unit unless
    ``f.records`` says otherwise); a search by name never finds what is confidential to them."""
    from tracker.services import access
    from tracker.services.privacy import confidentiality

    scope = access.read_filter(Visit.unit_id, user, merged=f.records != "own", only_merged=f.records == "former")
    return visits_query(scope, f, confidentiality.identity_search_filter(user))


def ordered(stmt: Select[Visit], *, oldest_first: bool = False) -> Select[Visit]:
    if oldest_first:
        return stmt.order_by(Visit.visited_on, Visit.register_no, Visit.id)
    return stmt.order_by(Visit.visited_on.desc(), Visit.id.desc())


def recent_visits(unit_id: int, since: date, chosen: int | None = None, limit: int = 50) -> list[Visit]:
    """The unit's visits since ``since`` (and the one already chosen), newest first: what a letter can be
    linked to."""
    condition = (Visit.visited_on >= since) | (Visit.id == chosen) if chosen else Visit.visited_on >= since
    return list(db.session.scalars(select(Visit).where(Visit.unit_id == unit_id, condition)
                                   .order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(limit)))
