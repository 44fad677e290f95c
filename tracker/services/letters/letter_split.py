"""Split a letter of mixed content into one letter per kind (Luật TCD 2013 Điều 25.3; TT 05/2021 Điều 6).

A petition that mixes a complaint, a denunciation and a petition "must be split into separate
letters" (domain.md §1.4): each part gets its own register number, tracking code and legal clocks,
and keeps the original's senders, date of receipt and channel. The original is then filed
(handled as ``archive`` with the reason ``split``) so it is not handled twice; its clocks stop.
Everything happens in one transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from tracker.extensions import db
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.rules import lifecycle as lc
from tracker.services import counters
from tracker.services.cases import clocks
from tracker.services.errors import ConflictError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import ValidationError
from tracker.services.letters.register import BOOK
from tracker.services.letters.register import new_tracking_code
from tracker.services.privacy import confidentiality
from tracker.services.transaction import atomic

SPLIT_REASON = "split"
SUMMARY_LIMIT = 5000


def _parts(parts: Sequence[tuple[str, ...] | tuple[str, str, str | None]]) -> list[tuple[str, str, str | None]]:
    """(kind, summary) or (kind, summary, mediation_type) → (kind, summary, mediation_type)."""
    result = []
    for part in parts:
        kind, summary = part[0], part[1]
        mediation_type = part[2] if len(part) > 2 else None
        result.append((kind, (summary or "").strip(), mediation_type or None))
    return result


def split_problems(letter: Letter, parts: list[tuple[str, str, str | None]]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if len(parts) < 2:
        errors["parts"] = "split_needs_two_parts"
    seen: set[tuple[str, str | None]] = set()
    for i, (kind, summary, mediation_type) in enumerate(parts):
        prefix = f"parts.{i}."
        if kind not in lc.LETTER_KINDS:
            errors[prefix + "kind"] = "choice_invalid"
        elif kind == "mediation" and mediation_type not in lc.MEDIATION_TYPES:
            errors[prefix + "mediation_type"] = "choice_invalid"
        else:
            key = (kind, mediation_type if kind == "mediation" else None)
            if key in seen:
                errors[prefix + "kind"] = "split_kind_repeated"
            seen.add(key)
        if not summary:
            errors[prefix + "summary"] = "required"
        elif len(summary) > SUMMARY_LIMIT:
            errors[prefix + "summary"] = "too_long"
    return errors


def may_split(user: User, letter: Letter) -> bool:
    """Whether ``user`` may split ``letter``: a confidential one only if cleared to see its senders."""
    return not confidentiality.letter_is_confidential(letter) or confidentiality.may_see_letter_identity(user, letter)


@atomic
def split_letter(user: User | None, letter: Letter,
                 parts: Sequence[tuple[str, ...] | tuple[str, str, str | None]], today: date, *,
                 version: int | None = None) -> list[Letter]:
    """Create one new letter per part (kind, summary[, mediation_type]) and file the original.

    :raises ConflictError: ``stale`` (another change since ``version``) or ``letter_already_handled``.
    :raises ValidationError: fewer than two parts, an unknown or repeated kind, an empty summary.
    :raises ForbiddenError: a confidential letter split by someone not cleared to see its senders (the parts
        name the same people).
    """
    if user is not None and not may_split(user, letter):
        raise ForbiddenError("forbidden")
    if version is not None and letter.version != version:
        raise ConflictError("stale")
    if letter.status != "registered":
        raise ConflictError("letter_already_handled")
    cleaned = _parts(parts)
    errors = split_problems(letter, cleaned)
    if errors:
        raise ValidationError(errors)
    on = max(today, letter.received_on)
    # A part that is a denunciation makes the original and every part confidential as a whole: the
    # complaint part names the same senders, and the link "split from" would point at the denouncer.
    confidential = confidentiality.letter_is_confidential(letter) or any(
        kind in confidentiality.CONFIDENTIAL_CLASSIFICATIONS for kind, _s, _m in cleaned)
    letter.confidential = confidential
    created: list[Letter] = []
    for kind, summary, mediation_type in cleaned:
        new = Letter(
            unit_id=letter.unit_id, register_year=letter.register_year, tracking_code=new_tracking_code(),
            received_on=letter.received_on, channel=letter.channel, kind=kind,
            mediation_type=mediation_type if kind == "mediation" else None, subject=letter.subject,
            summary=summary, anonymous=letter.anonymous, signer_count=letter.signer_count,
            multi_signature=letter.multi_signature, from_body=letter.from_body,
            from_document_no=letter.from_document_no, from_document_date=letter.from_document_date,
            visit_id=letter.visit_id, complex=letter.complex if kind == "complaint" else False,
            second_instance=letter.second_instance if kind == "complaint" else False,
            # The parts are the same letter, received by the same person: the receiver's clearance (need to
            # know) follows the letter, never the one who splits it.
            split_from_id=letter.id, created_by_id=letter.created_by_id, confidential=confidential,
            register_no=counters.next_number(letter.unit_id, BOOK, letter.register_year),
        )
        new.senders = [LetterSender(citizen_id=s.citizen_id, position=s.position,
                                    is_representative=s.is_representative) for s in letter.senders]
        db.session.add(new)
        db.session.flush()
        for key in lc.LETTER_CLOCKS[lc.case_kind_for(kind, new.mediation_type)]:
            clocks.start_clock(key, new.received_on, unit_id=new.unit_id, letter=new)
        created.append(new)
    if confidential:
        confidentiality.seal_denouncers([s.citizen_id for s in letter.senders])
    letter.status, letter.decision, letter.decided_on = "handled", "archive", on
    letter.decision_reason = SPLIT_REASON
    # The original's clocks are replaced by those of its parts: cancelled, not "met".
    clocks.stop_clocks(clocks.open_clocks(letter_id=letter.id), on, met=False)
    return created
