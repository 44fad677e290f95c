"""A citizen's page: the visits, letters and cases that name them, as far as the reader may know.

A denunciation is listed only to those cleared for it (confidentiality gate): that the person has a
denunciation on file is itself what must not be learnt. Every confidential record listed is audited."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.services import access
from tracker.services.privacy import confidentiality

LIMIT = 200  # newest first; a citizen with more is an exception the lists' own search serves


@dataclass
class CitizenHistory:
    visits: list[Visit]
    letters: list[Letter]
    cases: list[Case]


def history(user: User, citizen: Citizen) -> CitizenHistory:
    visits = list(db.session.scalars(
        select(Visit).join(VisitCitizen, VisitCitizen.visit_id == Visit.id)
        .where(VisitCitizen.citizen_id == citizen.id, access.read_filter(Visit.unit_id, user),
               confidentiality.identity_search_filter(user))
        .order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(LIMIT)))
    confidentiality.hidden_visit_ids(user, visits, purpose="citizen")
    sent = (select(LetterSender.letter_id).where(LetterSender.citizen_id == citizen.id))
    letters = list(db.session.scalars(
        select(Letter).where(Letter.id.in_(sent), access.read_filter(Letter.unit_id, user),
                             confidentiality.letter_search_filter(user))
        .order_by(Letter.received_on.desc(), Letter.id.desc()).limit(LIMIT)))
    confidentiality.record_letter_reads(user, letters, "citizen")
    cases = list(db.session.scalars(
        select(Case).where(Case.letter_id.in_([x.id for x in letters]), access.read_filter(Case.unit_id, user),
                           Case.confidential.is_(False) | confidentiality.case_clearance(user))
        .order_by(Case.accepted_on.desc(), Case.id.desc()))) if letters else []
    for item in cases:
        confidentiality.record_case_read(user, item, "citizen")
    return CitizenHistory(visits, letters, cases)
