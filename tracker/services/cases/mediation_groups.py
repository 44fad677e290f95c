"""Grassroots mediation groups (tổ hòa giải) and the mediation log book.

Luật Hòa giải ở cơ sở 2013 Điều 12: a group has a leader and at least three mediators, women among
them; the commune chair decides the groups and their members. The application warns when a group
does not meet this, it does not refuse to save it (a group is often recorded while being formed).
Điều 21.4: each case is entered in the Sổ theo dõi hoạt động hòa giải ở cơ sở (columns: STT, date
received, mediators, parties, content, agreement or demands, thành, không thành, signatures, notes).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import MediationGroup
from tracker.models import Mediator
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.errors import ConflictError
from tracker.services.errors import NotFoundError
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_params import params_on
from tracker.services.transaction import atomic

GENDERS = ("male", "female", "other")
BOOK_KINDS = ("mediation", "land_mediation")
BOOK_LIMIT = 1000

MESSAGES.update({
    "group_too_few_mediators": _l("A mediation group has at least %(min)s mediators (Law on Grassroots Mediation, "
                                  "Article 12)."),
    "group_no_woman": _l("A mediation group should include a woman mediator (Law on Grassroots Mediation, "
                         "Article 12)."),
    "group_no_leader": _l("The group has no leader."),
    "group_many_leaders": _l("The group has more than one leader."),
    "group_name_taken": _l("This unit already has a mediation group of this name."),
    "member_name_required": _l("Enter the mediator's full name."),
})


@dataclass
class MemberInput:
    full_name: str
    gender: str | None = None
    is_leader: bool = False
    phone: str | None = None


@dataclass
class GroupInput:
    name: str
    neighbourhood: str | None = None
    active: bool = True
    members: list[MemberInput] = field(default_factory=list)


def min_mediators(on: date | None = None) -> int:
    """The smallest mediation group the law allows on ``on`` (a rule value: Luật HGCS Điều 12.1)."""
    return params_on(on or local_today())["mediation_group_min_members"]


def group_warnings(members: list[Mediator] | list[MemberInput]) -> list[str]:
    """Codes of what the law expects of a group and this one lacks (shown as warnings)."""
    problems = []
    if len(members) < min_mediators():
        problems.append("group_too_few_mediators")
    if not any(m.gender == "female" for m in members):
        problems.append("group_no_woman")
    leaders = sum(1 for m in members if m.is_leader)
    if leaders == 0:
        problems.append("group_no_leader")
    elif leaders > 1:
        problems.append("group_many_leaders")
    return problems


def _check(unit_id: int, data: GroupInput, group_id: int | None) -> None:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = "required"
    elif len(name) > 200:
        errors["name"] = "too_long"
    else:
        same = select(func.count()).select_from(MediationGroup).where(MediationGroup.unit_id == unit_id,
                                                                      func.lower(MediationGroup.name) == name.lower())
        if group_id is not None:
            same = same.where(MediationGroup.id != group_id)
        if db.session.scalar(same):
            errors["name"] = "group_name_taken"
    if data.neighbourhood and len(data.neighbourhood.strip()) > 120:
        errors["neighbourhood"] = "too_long"
    for i, m in enumerate(data.members):
        if not m.full_name.strip():
            errors[f"members.{i}.full_name"] = "member_name_required"
        elif len(m.full_name.strip()) > 200:
            errors[f"members.{i}.full_name"] = "too_long"
        if m.gender and m.gender not in GENDERS:
            errors[f"members.{i}.gender"] = "choice_invalid"
        if m.phone and len(m.phone.strip()) > 20:
            errors[f"members.{i}.phone"] = "phone_invalid"
    if errors:
        raise ValidationError(errors)


def _members(data: GroupInput) -> list[Mediator]:
    return [Mediator(full_name=m.full_name.strip(), gender=m.gender or None, is_leader=bool(m.is_leader),
                     phone=(m.phone or "").strip() or None) for m in data.members]


@atomic
def create_group(user: User, data: GroupInput) -> MediationGroup:
    unit = access.writable_unit(user)
    _check(unit.id, data, None)
    group = MediationGroup(unit_id=unit.id, name=data.name.strip(), neighbourhood=(data.neighbourhood or "").strip()
                           or None, active=data.active, members=_members(data))
    db.session.add(group)
    return group


@atomic
def update_group(user: User, group: MediationGroup, data: GroupInput, version: int) -> MediationGroup:
    access.writable_unit(user, group.unit_id)
    if group.version != version:
        raise ConflictError("stale")
    _check(group.unit_id, data, group.id)
    group.name = data.name.strip()
    group.neighbourhood = (data.neighbourhood or "").strip() or None
    group.active = data.active
    group.members = _members(data)
    # Members are rows of their own: a change of members alone must still move the version.
    group.updated_at = utcnow()
    return group


def get_group(user: User, group_id: int) -> MediationGroup:
    group = db.session.get(MediationGroup, group_id)
    if group is None or not access.can_see_unit(user, group.unit_id):
        raise NotFoundError("not_found")
    return group


def groups_query(user: User, *, active_only: bool = False) -> Select[MediationGroup]:
    stmt = select(MediationGroup).where(access.unit_filter(MediationGroup.unit_id, user))
    if active_only:
        stmt = stmt.where(MediationGroup.active.is_(True))
    return stmt.options(selectinload(MediationGroup.members)).order_by(MediationGroup.name, MediationGroup.id)


def groups_of(unit_id: int, *, active_only: bool = False) -> list[MediationGroup]:
    """The mediation groups of one unit (the one doing a case's work), by name."""
    stmt = select(MediationGroup).where(MediationGroup.unit_id == unit_id)
    if active_only:
        stmt = stmt.where(MediationGroup.active.is_(True))
    return list(db.session.scalars(stmt.order_by(MediationGroup.name)))


@dataclass
class BookRow:
    case: Case
    group: MediationGroup | None
    mediators: str
    parties: list[str]
    agreement: str
    succeeded: bool
    failed: bool
    notes: str


def _party(sender: LetterSender) -> str:
    c = sender.citizen
    bits = [c.full_name]
    if c.birth_year:
        bits.append(str(c.birth_year))
    place = c.full_address
    if place:
        bits.append(place)
    return " – ".join(bits)


def logbook(user: User, *, year: int | None, group_id: int | None) -> tuple[list[BookRow], int]:
    """Rows of the mediation log book (oldest first) and the number of cases matching (rows are capped)."""
    stmt = select(Case).where(access.unit_filter(Case.unit_id, user), Case.kind.in_(BOOK_KINDS))
    if year:
        stmt = stmt.where(extract("year", Case.received_on) == year)
    if group_id:
        stmt = stmt.where(Case.mediation_group_id == group_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    cases = db.session.scalars(
        stmt.options(selectinload(Case.letter).selectinload(Letter.senders).selectinload(LetterSender.citizen),
                     selectinload(Case.handler))
        .order_by(Case.received_on, Case.id).limit(BOOK_LIMIT)).all()
    ids = [c.id for c in cases]
    group_ids = {c.mediation_group_id for c in cases if c.mediation_group_id}
    groups = {g.id: g for g in db.session.scalars(
        select(MediationGroup).where(MediationGroup.id.in_(group_ids)).options(selectinload(MediationGroup.members)))
    } if group_ids else {}
    events: dict[int, list[CaseEvent]] = {}
    if ids:
        for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(ids),
                                                            CaseEvent.action.in_(("mediate", "conclude", "send_up")))
                                    .order_by(CaseEvent.id)):
            events.setdefault(e.case_id, []).append(e)
    rows = []
    for c in cases:
        group = groups.get(c.mediation_group_id) if c.mediation_group_id else None
        if group is not None:
            mediators = "; ".join(m.full_name for m in group.members)
        else:
            mediators = (c.handler.full_name or c.handler.username) if c.handler else ""
        texts = []
        for e in events.get(c.id, []):
            try:
                minutes = (json.loads(e.data) if e.data else {}).get("minutes")
            except (ValueError, AttributeError):
                minutes = None
            texts += [t for t in (minutes, e.note) if t]
        notes = []
        if c.status == "sent_up":
            notes.append("sent_up")
        if c.is_open:
            notes.append("open")
        rows.append(BookRow(c, group, mediators, [_party(s) for s in (c.letter.senders if c.letter else [])],
                            " ".join(texts), c.outcome == "succeeded", c.outcome == "failed", ",".join(notes)))
    return rows, total
