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
from sqlalchemy import true

from tracker.models import Citizen
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
    linked = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id)
    confidential = linked.where(Visit.classification.in_(CONFIDENTIAL_CLASSIFICATIONS))
    ordinary = exists().where(VisitCitizen.citizen_id == Citizen.id, VisitCitizen.visit_id == Visit.id,
                              Visit.classification.not_in(CONFIDENTIAL_CLASSIFICATIONS))
    return ~confidential | ordinary


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
