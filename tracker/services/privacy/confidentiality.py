"""The one gate for a denouncer's identity (Luật Tố cáo 2018 Điều 8.3, 47, 56): need to know.

A denouncer's identity — name, ID number, phone, address, scans, and anything that tells who
denounced — is seen only by:

- the staff member who received the denunciation (registered the letter, logged the visit; for a part
  split from a letter, also whoever registered the original);
- the handler(s) assigned to it (the letter's handler, the handler of its case, of the letter a visit
  became);
- the chairperson and vice-chairs of the unit that resolves it;
- a user the chairperson granted access to that one record, with a reason, until withdrawn
  (:mod:`tracker.services.privacy.identity_grants`).

Not other receptionists, other handlers, administrators or inspectors. A letter holding a
denunciation, and every letter split from it, split into it or merged with it, is confidential as a
whole (``Letter.confidential``); a case is confidential when it is a denunciation or comes from a
confidential letter; a visit when it is classified as a denunciation. A person registered through a
denunciation is a *sealed* registry entry (``Citizen.sealed``): seen only by those cleared for one of
their denunciations, never matched by id or ID number for anyone else.

Every output that can carry a person asks this module: the SQL predicates (``*_clearance``,
``citizen_scope``, the search filters) for lists and searches, :class:`Clearance` for records already
loaded (one query per kind of record for a whole page), and the ``record_*`` / ``hidden_*`` helpers
that also write each sight of a denouncer to the audit log.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from typing import cast

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import IdentityGrant
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.services import access
from tracker.services.access import LEADER_ROLES
from tracker.services.privacy import audit

__all__ = ["CONFIDENTIAL_CLASSIFICATIONS"]



# --- what is confidential ---------------------------------------------------------------------------------

def is_confidential(visit: Visit) -> bool:
    return visit.classification in CONFIDENTIAL_CLASSIFICATIONS


def letter_is_confidential(letter: Letter) -> bool:
    return bool(letter.confidential) or letter.kind in CONFIDENTIAL_CLASSIFICATIONS


def case_is_confidential(case: Case) -> bool:
    return bool(case.confidential) or case.kind in CONFIDENTIAL_CLASSIFICATIONS or (
        case.letter is not None and letter_is_confidential(case.letter))


def is_leader_of(user: User, unit_id: int | None) -> bool:
    return user.role in LEADER_ROLES and unit_id is not None and user.unit_id == unit_id


# Kept under its former name for the callers that ask "may this user see the unit's denouncers at all".
is_cleared_for_unit = is_leader_of


def _appears(visits: ColumnElement[bool], letters: ColumnElement[bool]) -> ColumnElement[bool]:
    """The outer query's citizen is at a visit matching ``visits`` or among the senders of a letter matching
    ``letters`` (correlated EXISTS on the person's indexed links: evaluated only for the rows that reach it)."""
    at_visit = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id, visits)
    by_letter = exists().where(LetterSender.citizen_id == Citizen.id, LetterSender.letter_id == Letter.id, letters)
    return at_visit | by_letter


def _is_denunciation_visit() -> ColumnElement[bool]:
    return Visit.classification.in_(CONFIDENTIAL_CLASSIFICATIONS)


def seal_denouncers(citizen_ids: Iterable[int]) -> None:
    """Seal the entries of these people that are now known only through confidential records (a letter
    split into a denunciation, merged with one). Never unsealed automatically: an open entry with the
    same number may exist beside it."""
    ids = list(citizen_ids)
    if not ids:
        return
    ordinary = _appears(~_is_denunciation_visit(), Letter.confidential.is_(False))
    db.session.flush()
    for citizen in db.session.scalars(select(Citizen).where(Citizen.id.in_(ids), Citizen.sealed.is_(False),
                                                            ~ordinary)):
        citizen.sealed = True


def mark_merged(letter: Letter, other: Letter) -> None:
    """Two letters linked as one matter (a duplicate): confidential together if either is."""
    if letter_is_confidential(letter) or letter_is_confidential(other):
        letter.confidential = other.confidential = True
        for case in db.session.scalars(select(Case).where(Case.letter_id.in_([letter.id, other.id]))):
            case.confidential = True
        seal_denouncers([s.citizen_id for s in (*letter.senders, *other.senders)])


# --- the SQL predicates: which records' denouncers ``user`` may see ---------------------------------------
# Each is "id IN (a union of small sets)": every branch is answered from an index (the partial indexes of
# migration 0010 on confidential letters and denunciation visits, the handler and grant indexes), so the set
# is built once per statement from the user's own few records — never by scanning a table.

def _granted(column: Any, user: User) -> Any:
    return select(column).where(IdentityGrant.user_id == user.id, IdentityGrant.withdrawn_at.is_(None),
                                column.is_not(None))


def _is_confidential_letter() -> ColumnElement[bool]:
    # The bare column, not "IS TRUE": PostgreSQL matches it to the partial indexes' "WHERE confidential".
    return Letter.confidential.expression


def _is_confidential_case() -> ColumnElement[bool]:
    return Case.confidential.expression


def cleared_letter_ids(user: User, *, leaders: bool = True) -> Any:
    """The confidential letters whose senders ``user`` may see; ``leaders=False``: leave out the leaders' own
    unit (the caller checks it)."""
    received = select(Letter.id).where(_is_confidential_letter(), Letter.created_by_id == user.id)
    branches = [
        received,
        select(Letter.id).where(_is_confidential_letter(), Letter.handler_id == user.id),
        select(Letter.id).where(_is_confidential_letter(), Letter.split_from_id.in_(received)),
        select(Case.letter_id).where(_is_confidential_case(), Case.handler_id == user.id, Case.letter_id.is_not(None)),
        _granted(IdentityGrant.letter_id, user),
        select(Case.letter_id).where(Case.id.in_(_granted(IdentityGrant.case_id, user)), Case.letter_id.is_not(None)),
    ]
    if leaders and user.role in LEADER_ROLES:
        branches.append(select(Letter.id).where(_is_confidential_letter(), Letter.unit_id == user.unit_id))
    return union_all(*branches)


def cleared_visit_ids(user: User, *, leaders: bool = True) -> Any:
    """The denunciation visits whose people ``user`` may see (logged them, granted, or the letter it became)."""
    branches = [
        select(Visit.id).where(_is_denunciation_visit(), Visit.created_by_id == user.id),
        _granted(IdentityGrant.visit_id, user),
        select(Letter.visit_id).where(Letter.id.in_(cleared_letter_ids(user, leaders=leaders)),
                                      Letter.visit_id.is_not(None)),
    ]
    if leaders and user.role in LEADER_ROLES:
        branches.append(select(Visit.id).where(_is_denunciation_visit(), Visit.unit_id == user.unit_id))
    return union_all(*branches)


def cleared_case_ids(user: User) -> Any:
    branches = [
        select(Case.id).where(_is_confidential_case(), Case.handler_id == user.id),
        _granted(IdentityGrant.case_id, user),
        select(Case.id).where(Case.letter_id.in_(cleared_letter_ids(user))),
    ]
    if user.role in LEADER_ROLES:
        branches.append(select(Case.id).where(_is_confidential_case(), Case.unit_id == user.unit_id))
    return union_all(*branches)


def letter_clearance(user: User, letter: Any = Letter, *, leaders: bool = True) -> ColumnElement[bool]:
    """``letter`` (the Letter entity or an alias) is one whose senders ``user`` may see if it is confidential."""
    return cast(ColumnElement[bool], letter.id.in_(cleared_letter_ids(user, leaders=leaders)))


def visit_clearance(user: User, *, leaders: bool = True) -> ColumnElement[bool]:
    """Visits whose people ``user`` may see if the visit is a denunciation."""
    return Visit.id.in_(cleared_visit_ids(user, leaders=leaders))


def case_clearance(user: User) -> ColumnElement[bool]:
    return Case.id.in_(cleared_case_ids(user))


def identity_search_filter(user: User) -> ColumnElement[bool]:
    """Visits whose people a search by name or ID number may match for ``user``: finding a
    denunciation by the denouncer's name would itself reveal who denounced."""
    return Visit.classification.not_in(CONFIDENTIAL_CLASSIFICATIONS) | visit_clearance(user)


def letter_search_filter(user: User, letter: Any = Letter) -> ColumnElement[bool]:
    """Letters a search by a sender's name or ID number may find for ``user``, and that may be named to
    ``user`` beside one of the same sender's letters (possible duplicates, links)."""
    return cast(ColumnElement[bool], letter.confidential.is_(False) | letter_clearance(user, letter))


def citizen_scope(user: User) -> ColumnElement[bool]:
    """Registry entries ``user`` may see, find, suggest or link: every open entry, and a sealed one (a
    person known only as a denouncer) only when ``user`` is cleared for one of their denunciations."""
    # A leader is cleared for every denunciation of the unit, so for every sealed entry of it (a record names
    # only people of its own unit): one equality, instead of the set of all the unit's denouncers.
    own_unit = [Citizen.unit_id == user.unit_id] if user.role in LEADER_ROLES else []
    cleared_people = union_all(
        select(VisitCitizen.citizen_id).where(VisitCitizen.visit_id.in_(cleared_visit_ids(user, leaders=False))),
        select(LetterSender.citizen_id).where(LetterSender.letter_id.in_(cleared_letter_ids(user, leaders=False))))
    return or_(Citizen.sealed.is_(False), *own_unit, Citizen.id.in_(cleared_people))


def may_see_citizen(user: User, citizen: Citizen) -> bool:
    if not citizen.sealed:
        return True
    return db.session.scalar(select(Citizen.id).where(Citizen.id == citizen.id, citizen_scope(user))) is not None


def visible_citizen(user: User, citizen_id: int, *, purpose: str, unit_id: int | None = None) -> Citizen | None:
    """A registry entry to show ``user`` by its id (its page, the API, a form echoing the person picked):
    ``None`` when unknown, outside the units ``user`` sees (or not of ``unit_id``), or not ``user``'s to see —
    the same answer, so an id reveals nothing. A denouncer's sight is audited."""
    where = Citizen.unit_id == unit_id if unit_id is not None else access.unit_filter(Citizen.unit_id, user)
    citizen = db.session.scalar(select(Citizen).where(Citizen.id == citizen_id, where, citizen_scope(user)))
    if citizen is not None:
        record_citizen_reads(user, [citizen], purpose)
    return citizen


def may_link_citizen(user: User | None, citizen: Citizen, *, confidential: bool) -> bool:
    """May ``user`` name this registry entry in a new record? A sealed entry only in another confidential
    record, by someone cleared for it; anything else answers as an unknown id (no oracle)."""
    if not citizen.sealed:
        return True
    return confidential and user is not None and may_see_citizen(user, citizen)


# --- records already loaded: one query per kind for a whole page ------------------------------------------

class Clearance:
    """Which of the loaded records ``user`` may see the denouncer of."""

    def __init__(self, user: User) -> None:
        self.user = user

    def letters(self, letters: Iterable[Letter]) -> set[int]:
        """Ids of the confidential letters among ``letters`` that ``user`` is cleared for."""
        ids = [letter.id for letter in letters if letter_is_confidential(letter)]
        if not ids:
            return set()
        return set(db.session.scalars(select(Letter.id).where(Letter.id.in_(ids), letter_clearance(self.user))))

    def visits(self, visits: Iterable[Visit]) -> set[int]:
        ids = [visit.id for visit in visits if is_confidential(visit)]
        if not ids:
            return set()
        if self.user.role in LEADER_ROLES:
            own = {v.id for v in visits if v.id in ids and v.unit_id == self.user.unit_id}
            if len(own) == len(ids):
                return own
        return set(db.session.scalars(select(Visit.id).where(Visit.id.in_(ids), visit_clearance(self.user))))

    def cases(self, cases: Iterable[Case]) -> set[int]:
        ids = [case.id for case in cases if case_is_confidential(case)]
        if not ids:
            return set()
        return set(db.session.scalars(select(Case.id).where(Case.id.in_(ids), case_clearance(self.user))))


def may_see_identity(user: User, visit: Visit) -> bool:
    return not is_confidential(visit) or visit.id in Clearance(user).visits([visit])


def may_see_letter_identity(user: User, letter: Letter) -> bool:
    return not letter_is_confidential(letter) or letter.id in Clearance(user).letters([letter])


def may_see_case_identity(user: User, case: Case) -> bool:
    return not case_is_confidential(case) or case.id in Clearance(user).cases([case])


# --- outputs that audit what they show ----------------------------------------------------------------------

def record_citizen_reads(user: User, citizens: Iterable[Citizen], purpose: str) -> None:
    """Audit each sight of a person who denounced (at a visit or by a letter) in the citizen registry:
    the registry shows their name, ID number, phone and address. One query for the whole page."""
    units = {c.id: c.unit_id for c in citizens}
    if not units:
        return
    denounced = _appears(_is_denunciation_visit(), Letter.confidential.is_(True))
    denouncers = db.session.scalars(select(Citizen.id).where(Citizen.id.in_(list(units)), Citizen.sealed | denounced))
    audit.record_reads("citizens", [(i, units[i]) for i in sorted(denouncers)], {"purpose": purpose})


def hidden_visit_ids(user: User, visits: Iterable[Visit], *, purpose: str = "view") -> set[int]:
    """IDs of the visits whose people must be hidden from ``user``; each confidential visit shown
    with its identity is written to the audit log."""
    visits = list(visits)
    cleared = Clearance(user).visits(visits)
    hidden = {v.id for v in visits if is_confidential(v) and v.id not in cleared}
    audit.record_reads("visits", [(v.id, v.unit_id) for v in visits if v.id in cleared], {"purpose": purpose})
    return hidden


def record_letter_reads(user: User, letters: Iterable[Letter], purpose: str) -> set[int]:
    """IDs of letters whose senders must be hidden from ``user``; audits each confidential sight."""
    letters = list(letters)
    cleared = Clearance(user).letters(letters)
    hidden = {letter.id for letter in letters if letter_is_confidential(letter) and letter.id not in cleared}
    audit.record_reads("letters", [(x.id, x.unit_id) for x in letters if x.id in cleared], {"purpose": purpose})
    return hidden


def record_case_read(user: User, case: Case, purpose: str) -> bool:
    """Whether ``user`` may see the people of ``case``; a confidential sight is audited."""
    if not case_is_confidential(case):
        return True
    if case.id not in Clearance(user).cases([case]):
        return False
    audit.record_reads("cases", [(case.id, case.unit_id)], {"purpose": purpose})
    return True


def hidden_booking_ids(user: User, bookings: Iterable[Any]) -> set[int]:
    """Bookings for the chairperson's session by a person coming to denounce: seen by the unit's leaders (who
    hold the session) and whoever took the booking; each such sight audited."""
    hidden, shown = set(), []
    for b in bookings:
        if b.classification not in CONFIDENTIAL_CLASSIFICATIONS:
            continue
        if is_leader_of(user, b.unit_id) or b.created_by_id == user.id:
            shown.append((b.id, b.unit_id))
        else:
            hidden.add(b.id)
    audit.record_reads("session_bookings", shown, {"purpose": "session"})
    return hidden


def visible_letters(user: User, letters: Iterable[Letter]) -> list[Letter]:
    """``letters`` that may be *named* to ``user`` next to another record (duplicates, split parts, links):
    a confidential letter only to someone cleared for it — its very existence points at a denouncer."""
    letters = list(letters)
    cleared = Clearance(user).letters(letters)
    return [x for x in letters if not letter_is_confidential(x) or x.id in cleared]


class IdentityMask:
    """For pages and files built row by row (print, Excel): says which rows to mask and, at the end,
    audits every confidential row shown with its identity. The visits ``user`` is cleared for outside
    their own unit's leadership are few (received, handled, granted): loaded once."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.revealed: list[tuple[int, int | None]] = []
        self._cleared: set[int] | None = None

    def _cleared_ids(self) -> set[int]:
        if self._cleared is None:
            self._cleared = set(db.session.scalars(select(Visit.id).where(
                Visit.classification.in_(CONFIDENTIAL_CLASSIFICATIONS), visit_clearance(self.user, leaders=False))))
        return self._cleared

    def is_hidden(self, visit: Visit) -> bool:
        if not is_confidential(visit):
            return False
        if is_leader_of(self.user, visit.unit_id) or visit.id in self._cleared_ids():
            self.revealed.append((visit.id, visit.unit_id))
            return False
        return True

    def audit(self, purpose: str) -> None:
        audit.record_reads("visits", self.revealed, {"purpose": purpose})
        self.revealed = []
