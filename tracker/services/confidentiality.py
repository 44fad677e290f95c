"""The denouncer's identity (Luật Tố cáo 2018 Điều 8.3, 47, 56): seen only by those who receive and
handle the denunciation, hidden from everyone else, and every sight of it audited.

At the reception desk the people who receive a denunciation are the unit's reception officers and
its chairperson and vice-chairs; handlers assigned to a denunciation case are added by the case
workflow. Administrators and inspectors manage and oversee, they do not handle: they see
"identity protected".
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy import true

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.services import audit

CONFIDENTIAL_CLASSIFICATIONS = ("denunciation",)
CLEARED_ROLES = ("chair", "vice_chair", "receptionist")


def is_confidential(visit: Visit) -> bool:
    return visit.classification in CONFIDENTIAL_CLASSIFICATIONS


def is_cleared_for_unit(user: User, unit_id: int) -> bool:
    return user.unit_id == unit_id and user.role in CLEARED_ROLES


def may_see_identity(user: User, visit: Visit) -> bool:
    return not is_confidential(visit) or is_cleared_for_unit(user, visit.unit_id)


def identity_search_filter(user: User) -> ColumnElement[bool]:
    """Visits whose people a search by name or ID number may match for ``user``: finding a
    denunciation by the denouncer's name would itself reveal who denounced."""
    if user.role in CLEARED_ROLES:
        return (Visit.classification.not_in(CONFIDENTIAL_CLASSIFICATIONS)) | (Visit.unit_id == user.unit_id)
    return Visit.classification.not_in(CONFIDENTIAL_CLASSIFICATIONS)


def citizen_scope(user: User) -> ColumnElement[bool]:
    """Citizens ``user`` may see in the registry: for someone not cleared, not a person known
    only as a denouncer (their mere presence would point at the denunciation)."""
    if user.role in CLEARED_ROLES:
        return true()
    confidential_visit = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id,
                                        Visit.classification.in_(CONFIDENTIAL_CLASSIFICATIONS))
    confidential_letter = exists().where(LetterSender.citizen_id == Citizen.id, LetterSender.letter_id == Letter.id,
                                         Letter.kind.in_(CONFIDENTIAL_CLASSIFICATIONS))
    ordinary_visit = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id,
                                    Visit.classification.not_in(CONFIDENTIAL_CLASSIFICATIONS))
    ordinary_letter = exists().where(LetterSender.citizen_id == Citizen.id, LetterSender.letter_id == Letter.id,
                                     Letter.kind.not_in(CONFIDENTIAL_CLASSIFICATIONS))
    return ~(confidential_visit | confidential_letter) | ordinary_visit | ordinary_letter


def record_citizen_reads(user: User, citizens: Iterable[Citizen], purpose: str) -> None:
    """Audit each sight of a person who denounced (at a visit or by a letter) in the citizen registry
    by someone cleared: the registry shows their name, ID number, phone and address. One query for
    the whole page. (Those not cleared never see a person known only as a denouncer: citizen_scope.)"""
    if user.role not in CLEARED_ROLES:
        return
    units = {c.id: c.unit_id for c in citizens}
    if not units:
        return
    denounced_at_visit = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id,
                                        Visit.classification.in_(CONFIDENTIAL_CLASSIFICATIONS))
    denounced_by_letter = exists().where(LetterSender.citizen_id == Citizen.id, LetterSender.letter_id == Letter.id,
                                         Letter.kind.in_(CONFIDENTIAL_CLASSIFICATIONS))
    denouncers = db.session.scalars(select(Citizen.id).where(Citizen.id.in_(list(units)),
                                                             denounced_at_visit | denounced_by_letter))
    audit.record_reads("citizens", [(i, units[i]) for i in sorted(denouncers)], {"purpose": purpose})


def hidden_visit_ids(user: User, visits: Iterable[Visit], *, purpose: str = "view") -> set[int]:
    """IDs of the visits whose people must be hidden from ``user``; each confidential visit shown
    with its identity is written to the audit log."""
    hidden, revealed = set(), []
    for visit in visits:
        if not is_confidential(visit):
            continue
        if may_see_identity(user, visit):
            revealed.append(visit)
        else:
            hidden.add(visit.id)
    audit.record_reads("visits", [(v.id, v.unit_id) for v in revealed], {"purpose": purpose})
    return hidden


class IdentityMask:
    """For pages and files built row by row (print, Excel): says which rows to mask and, at the end,
    audits every confidential row shown with its identity."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.revealed: list[tuple[int, int | None]] = []

    def is_hidden(self, visit: Visit) -> bool:
        if not is_confidential(visit):
            return False
        if may_see_identity(self.user, visit):
            self.revealed.append((visit.id, visit.unit_id))
            return False
        return True

    def audit(self, purpose: str) -> None:
        audit.record_reads("visits", self.revealed, {"purpose": purpose})
        self.revealed = []


def _cleared_letters(user: User, letters: list[Letter]) -> set[int]:
    """IDs of ``letters`` whose senders ``user`` may see: as a reception officer or leader of the
    unit, or as the handler of the letter or of its case (one query for all the letters)."""
    assigned = set(db.session.scalars(select(Case.letter_id).where(
        Case.letter_id.in_([letter.id for letter in letters]), Case.handler_id == user.id))) if letters else set()
    return {letter.id for letter in letters
            if is_cleared_for_unit(user, letter.unit_id) or letter.handler_id == user.id or letter.id in assigned}


def letter_is_confidential(letter: Letter) -> bool:
    return letter.kind in CONFIDENTIAL_CLASSIFICATIONS


def may_see_letter_identity(user: User, letter: Letter) -> bool:
    """Senders of a denunciation: the unit's reception officers and leaders, and the handlers
    assigned to it (its case's handler)."""
    if not letter_is_confidential(letter):
        return True
    return letter.id in _cleared_letters(user, [letter])


def may_see_case_identity(user: User, case: Case) -> bool:
    if case.kind not in CONFIDENTIAL_CLASSIFICATIONS:
        return True
    return is_cleared_for_unit(user, case.unit_id) or user.id == case.handler_id or (
        case.letter is not None and case.letter.id in _cleared_letters(user, [case.letter]))


def letter_search_filter(user: User) -> ColumnElement[bool]:
    """Letters a search by a sender's name or ID number may find for ``user``."""
    if user.role in CLEARED_ROLES:
        return Letter.kind.not_in(CONFIDENTIAL_CLASSIFICATIONS) | (Letter.unit_id == user.unit_id)
    handled = select(Case.letter_id).where(Case.handler_id == user.id, Case.letter_id.is_not(None))
    return Letter.kind.not_in(CONFIDENTIAL_CLASSIFICATIONS) | Letter.id.in_(handled) | (Letter.handler_id == user.id)


def record_letter_reads(user: User, letters: Iterable[Letter], purpose: str) -> set[int]:
    """IDs of letters whose senders must be hidden from ``user``; audits each confidential sight.
    One query for the whole page: the cases assigned to ``user`` among these letters."""
    confidential = [letter for letter in letters if letter_is_confidential(letter)]
    if not confidential:
        return set()
    cleared = _cleared_letters(user, confidential)
    hidden, revealed = set(), []
    for letter in confidential:
        if letter.id in cleared:
            revealed.append((letter.id, letter.unit_id))
        else:
            hidden.add(letter.id)
    audit.record_reads("letters", revealed, {"purpose": purpose})
    return hidden
