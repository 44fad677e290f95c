"""Read side of the reception desk beyond the log book: the leaders' reception sessions with their totals,
and how often a suggested citizen has visited."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ReceptionSession
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.services import access


def sessions_query(user: User) -> Select[ReceptionSession]:
    """The sessions of the units the user may see, newest first."""
    return (select(ReceptionSession)
            .where(ReceptionSession.unit_id.in_(access.visible_units_query(user)))
            .order_by(ReceptionSession.held_on.desc(), ReceptionSession.id.desc()))


def session_totals(session_ids: list[int]) -> dict[int, Any]:
    """Visits and people received at each session (rows with ``visits`` and ``people``)."""
    if not session_ids:
        return {}
    return {row.session_id: row for row in db.session.execute(
        select(Visit.session_id, func.count().label("visits"), func.sum(Visit.people_count).label("people"))
        .where(Visit.session_id.in_(session_ids)).group_by(Visit.session_id))}


def visit_counts(citizen_ids: list[int]) -> dict[int, int]:
    """How many visits each citizen made."""
    if not citizen_ids:
        return {}
    return {cid: int(n) for cid, n in db.session.execute(
        select(VisitCitizen.citizen_id, func.count()).where(VisitCitizen.citizen_id.in_(citizen_ids))
        .group_by(VisitCitizen.citizen_id)).all()}
