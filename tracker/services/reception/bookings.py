"""Bookings of citizens for the chairperson's scheduled reception (who will come this week)."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import ReceptionSession
from tracker.models import SessionBooking
from tracker.models import User
from tracker.rules.reception import CLASSIFICATIONS
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.reception.visits import VisitorInput
from tracker.services.reception.visits import resolve_people
from tracker.services.transaction import atomic

MESSAGES.update({
    "session_past": _l("This session has already taken place."),
    "already_booked": _l("This citizen is already booked for this session."),
})


@atomic
def book(user: User, session: ReceptionSession, person: VisitorInput, topic: str, classification: str,
         people_count: int, today: date) -> SessionBooking:
    """Book a citizen (existing, or new) for a session; one transaction."""
    errors: dict[str, str] = {}
    if session.held_on < today:
        errors["session"] = "session_past"
    if not (topic or "").strip():
        errors["topic"] = "required"
    elif len(topic) > 2000:
        errors["topic"] = "too_long"
    if classification not in CLASSIFICATIONS:
        errors["classification"] = "choice_invalid"
    if people_count < 1:
        errors["people_count"] = "people_count_min"
    people = resolve_people(session_unit(session), [person], today, False, errors, "citizen", user=user,
                            confidential=classification in CONFIDENTIAL_CLASSIFICATIONS)
    if errors:
        raise ValidationError(errors)
    citizen = people[0][0]
    if citizen.id is not None and db.session.scalar(select(SessionBooking.id).where(
            SessionBooking.session_id == session.id, SessionBooking.citizen_id == citizen.id,
            SessionBooking.cancelled.is_(False))):
        raise ConflictError("already_booked")
    booking = SessionBooking(session_id=session.id, unit_id=session.unit_id, citizen=citizen, topic=topic.strip(),
                             classification=classification, people_count=people_count, booked_on=today,
                             created_by_id=user.id)
    db.session.add(booking)
    return booking


@atomic
def cancel(booking: SessionBooking) -> None:
    booking.cancelled = True


def session_unit(session: ReceptionSession):  # type: ignore[no-untyped-def]
    from tracker.models import Unit

    return db.session.get(Unit, session.unit_id)


def bookings_of(session_ids: list[int]) -> dict[int, list[SessionBooking]]:
    """The live bookings of several sessions in one query."""
    if not session_ids:
        return {}
    from sqlalchemy.orm import selectinload

    rows = db.session.scalars(select(SessionBooking).where(
        SessionBooking.session_id.in_(session_ids), SessionBooking.cancelled.is_(False))
        .options(selectinload(SessionBooking.citizen)).order_by(SessionBooking.id))
    result: dict[int, list[SessionBooking]] = {}
    for booking in rows:
        result.setdefault(booking.session_id, []).append(booking)
    return result
