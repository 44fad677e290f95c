"""A citizen's request to see what the commune holds on them (Luật 91/2025/QH15 Điều 4: the right to
be informed and to view one's data): everything held on one citizen row, as a JSON document the staff
print or hand over.

What it contains: the citizen row; the visits the citizen attended; the letters they signed, with
the cases opened from them and those cases' timelines (dates, steps, outcomes, documents); their
bookings for the chairperson's sessions; the names of the files attached to their letters and cases.

What it leaves out, on purpose:
- every other person: co-visitors and co-signers are counted, never named (another denouncer's
  identity is protected, Luật Tố cáo 2018 Điều 47);
- the free-text notes and minutes of case timelines, which may carry other parties' private
  information (Luật Hòa giải ở cơ sở Điều 4.3) or details confidential to the investigation; the
  staff read them and hand over what may be shown;
- the audit log (who on the staff looked at what), which is the unit's record, not the citizen's.

The export itself is written to the audit log ("subject_access_export").
"""
from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import ReceptionSession
from tracker.models import SessionBooking
from tracker.models import Unit
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.models.base import utcnow
from tracker.services.errors import NotFoundError
from tracker.services.privacy import audit
from tracker.services.reception.citizens import find_by_id_number
from tracker.services.transaction import atomic

FORMAT = "so-tiep-dan/subject-access/1"


def _v(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _v(getattr(obj, f)) for f in fields}


def find_citizen(unit_code: str, *, id_number: str | None = None, citizen_id: int | None = None) -> Citizen:
    """:raises NotFoundError: no such unit, or no such citizen in it."""
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFoundError("not_found")
    # The person's open entry, else the sealed one of their denunciations: both are theirs to ask for.
    citizen = ((find_by_id_number(unit.id, id_number) or db.session.scalar(
        select(Citizen).where(Citizen.unit_id == unit.id, Citizen.id_number == id_number).limit(1)))
               if id_number else db.session.get(Citizen, citizen_id) if citizen_id else None)
    if citizen is None or citizen.unit_id != unit.id:
        raise NotFoundError("not_found")
    return citizen


def _others(model: Any, key: Any, owner_id: int) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(key == owner_id)) or 0) - 1


@atomic
def export_citizen(citizen: Citizen) -> dict[str, Any]:
    """The document handed to the citizen; the export is audited and committed."""
    unit = db.session.get(Unit, citizen.unit_id)
    visits = db.session.scalars(select(Visit).join(VisitCitizen, VisitCitizen.visit_id == Visit.id)
                                .where(VisitCitizen.citizen_id == citizen.id).order_by(Visit.visited_on, Visit.id))
    letters = list(db.session.scalars(
        select(Letter).join(LetterSender, LetterSender.letter_id == Letter.id)
        .where(LetterSender.citizen_id == citizen.id).order_by(Letter.received_on, Letter.id)))
    letter_ids = [letter.id for letter in letters]
    cases = list(db.session.scalars(select(Case).where(Case.letter_id.in_(letter_ids)).order_by(Case.id)))
    case_ids = [c.id for c in cases]
    events: dict[int, list[dict[str, Any]]] = {}
    for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id.in_(case_ids))
                                .order_by(CaseEvent.on, CaseEvent.id)):
        events.setdefault(e.case_id, []).append(
            _row(e, ("on", "action", "from_status", "to_status", "outcome", "document_no", "document_date")))
    files = db.session.scalars(select(Attachment).where(
        Attachment.letter_id.in_(letter_ids) | Attachment.case_id.in_(case_ids)).order_by(Attachment.id))
    bookings = db.session.execute(
        select(SessionBooking, ReceptionSession.held_on).join(ReceptionSession,
                                                              ReceptionSession.id == SessionBooking.session_id)
        .where(SessionBooking.citizen_id == citizen.id).order_by(SessionBooking.booked_on)).all()
    doc: dict[str, Any] = {
        "format": FORMAT,
        "unit": {"code": unit.code, "name": unit.name} if unit else None,
        "produced_at": utcnow().isoformat(),
        "citizen": _row(citizen, ("id", "full_name", "id_number", "birth_year", "gender", "phone", "address",
                                  "neighbourhood", "created_at", "updated_at")),
        "visits": [{**_row(v, ("visited_on", "register_year", "register_no", "channel", "kind", "classification",
                               "subject", "content", "handling", "handling_document_no", "referred_to",
                               "result_followup", "note", "people_count")),
                    "other_people_present": _others(VisitCitizen, VisitCitizen.visit_id, v.id)} for v in visits],
        "letters": [{**_row(letter, ("received_on", "register_year", "register_no", "tracking_code", "channel",
                                     "kind", "subject", "summary", "status", "decision", "decided_on", "to_body",
                                     "decision_document_no", "decision_document_date")),
                     "other_signers": _others(LetterSender, LetterSender.letter_id, letter.id)} for letter in letters],
        "cases": [{**_row(c, ("id", "kind", "status", "subject", "summary", "received_on", "accepted_on",
                              "acceptance_document_no", "outcome", "closed_on")),
                   "letter_register_no": next((f"{x.register_no}/{x.register_year}" for x in letters
                                               if x.id == c.letter_id), None),
                   "timeline": events.get(c.id, [])} for c in cases],
        "bookings": [{**_row(b, ("booked_on", "topic", "classification", "people_count", "cancelled")),
                      "session_on": _v(held_on)} for b, held_on in bookings],
        "attachments": [_row(a, ("filename", "content_type", "size", "created_at")) for a in files],
        "not_included": ["other people's identities", "internal notes and minutes of case timelines",
                         "the audit log"],
    }
    audit.record_event(db.session, "subject_access_export", "citizens", citizen.id, citizen.unit_id,
                       {"visits": len(doc["visits"]), "letters": len(letters), "cases": len(cases),
                        "bookings": len(doc["bookings"])})
    return doc
