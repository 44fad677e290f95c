"""Letters (đơn): register from any channel, point out duplicates, decide how each is handled."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from dataclasses import field
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.rules.reception import SUBJECTS
from tracker.rules.text import fold_diacritics
from tracker.services import access
from tracker.services import counters
from tracker.services.cases import clocks
from tracker.services.errors import ConflictError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_params import params_on
from tracker.services.privacy import confidentiality
from tracker.services.reception.visits import VisitorInput
from tracker.services.reception.visits import resolve_people
from tracker.services.transaction import atomic

BOOK = "letters"
# Crockford's base32 without look-alike letters: 10 characters ≈ 50 bits, not guessable.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TEXT_LIMITS = {"summary": 5000, "from_body": 300, "from_document_no": 60}


@dataclass
class LetterInput:
    received_on: date
    channel: str
    kind: str
    summary: str
    senders: list[VisitorInput] = field(default_factory=list)
    subject: str = "other"
    mediation_type: str | None = None
    anonymous: bool = False
    signer_count: int | None = None  # when more people signed than are registered as senders
    from_body: str | None = None
    from_document_no: str | None = None
    from_document_date: date | None = None
    visit_id: int | None = None
    complex: bool = False
    second_instance: bool = False
    duplicate_of_id: int | None = None
    register_no: int | None = None


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _check(unit: Unit, data: LetterInput, today: date, errors: dict[str, str]) -> None:
    for name, allowed in (("channel", lc.LETTER_CHANNELS), ("kind", lc.LETTER_KINDS), ("subject", SUBJECTS)):
        if getattr(data, name) not in allowed:
            errors[name] = "choice_invalid"
    if data.kind == "mediation" and data.mediation_type not in lc.MEDIATION_TYPES:
        errors["mediation_type"] = "choice_invalid"
    if data.received_on > today:
        errors["received_on"] = "date_in_future"
    if data.from_document_date is not None and data.from_document_date > data.received_on:
        errors["from_document_date"] = "document_after_receipt"
    if not (data.summary or "").strip():
        errors["summary"] = "required"
    for name, limit in TEXT_LIMITS.items():
        value = getattr(data, name)
        if value and len(value) > limit:
            errors[name] = "too_long"
    if data.channel == "transferred_in" and not (data.from_body or "").strip():
        errors["from_body"] = "from_body_required"
    if not data.anonymous and not data.senders:
        errors["senders"] = "sender_required"
    if data.signer_count is not None and data.signer_count < max(1, len(data.senders)):
        errors["signer_count"] = "signer_count_low"
    if data.visit_id is not None:
        visit = db.session.get(Visit, data.visit_id)
        if visit is None or visit.unit_id != unit.id:
            errors["visit_id"] = "not_found"
    if data.duplicate_of_id is not None:
        other = db.session.get(Letter, data.duplicate_of_id)
        if other is None or other.unit_id != unit.id:
            errors["duplicate_of_id"] = "not_found"
    if data.register_no is not None and data.register_no < 1:
        errors["register_no"] = "number_min"


@atomic
def register_letter(user: User | None, unit: Unit, data: LetterInput, today: date) -> Letter:
    """Enter a letter in the register, start its legal clocks, and commit.

    :raises ValidationError: every problem at once; nothing is written.
    """
    errors: dict[str, str] = {}
    _check(unit, data, today, errors)
    duplicate_of = db.session.get(Letter, data.duplicate_of_id) if data.duplicate_of_id is not None else None
    if duplicate_of is not None and user is not None and not confidentiality.visible_letters(user, [duplicate_of]):
        errors["duplicate_of_id"] = "not_found"  # a confidential letter the user may not even know of
    visit = db.session.get(Visit, data.visit_id) if data.visit_id is not None else None
    if visit is not None and user is not None and confidentiality.is_confidential(visit) and \
            not confidentiality.may_see_identity(user, visit):
        errors["visit_id"] = "not_found"
    confidential = data.kind in CONFIDENTIAL_CLASSIFICATIONS or (
        duplicate_of is not None and confidentiality.letter_is_confidential(duplicate_of)) or (
        visit is not None and confidentiality.is_confidential(visit))
    people = [] if data.anonymous else resolve_people(unit, data.senders, today, True, errors, "senders",
                                                      user=user, confidential=confidential)
    year = data.received_on.year
    if data.register_no is not None and "register_no" not in errors and db.session.scalar(
            select(Letter.id).where(Letter.unit_id == unit.id, Letter.register_year == year,
                                    Letter.register_no == data.register_no)):
        errors["register_no"] = "register_no_taken"
    if errors:
        raise ValidationError(errors, register_no=data.register_no)
    signers = max(data.signer_count or 0, len(people)) or 1
    letter = Letter(
        unit=unit, register_year=year, tracking_code=new_tracking_code(), received_on=data.received_on,
        channel=data.channel, kind=data.kind,
        mediation_type=data.mediation_type if data.kind == "mediation" else None,
        subject=data.subject, summary=data.summary.strip(), anonymous=data.anonymous, signer_count=signers,
        multi_signature=signers >= params_on(data.received_on)["multi_signature_min"],
        from_body=(data.from_body or "").strip() or None,
        from_document_no=(data.from_document_no or "").strip() or None,
        from_document_date=data.from_document_date, visit_id=data.visit_id, complex=data.complex,
        second_instance=data.second_instance, duplicate_of_id=data.duplicate_of_id,
        created_by_id=user.id if user else None, confidential=confidential,
    )
    letter.senders = [LetterSender(citizen=c, position=i, is_representative=rep) for i, (c, rep) in enumerate(people)]
    if data.register_no is None:
        letter.register_no = counters.next_number(unit.id, BOOK, year)
    else:
        letter.register_no = data.register_no
        counters.raise_to(unit.id, BOOK, year, data.register_no)
    db.session.add(letter)
    db.session.flush()
    if duplicate_of is not None:
        confidentiality.mark_merged(letter, duplicate_of)
    for key in lc.LETTER_CLOCKS[lc.case_kind_for(letter.kind, letter.mediation_type)]:
        clocks.start_clock(key, letter.received_on, unit_id=unit.id, letter=letter)
    return letter


def likely_duplicates(user: User, unit_id: int, citizen_ids: list[int], summary: str, *,
                      exclude_id: int | None = None, limit: int = 5) -> list[tuple[Letter, float]]:
    """Earlier letters of the same senders whose summaries share most words with ``summary``, among those
    ``user`` may be told of (a confidential letter named beside the sender's other letter reveals who
    denounced) — the one list the web page and the API show.

    Only the senders' own letters are compared (an indexed, small set), never the whole register.
    """
    if not citizen_ids:
        return []
    stmt = (select(Letter).join(LetterSender, LetterSender.letter_id == Letter.id)
            .where(Letter.unit_id == unit_id, LetterSender.citizen_id.in_(citizen_ids),
                   confidentiality.letter_search_filter(user))
            .order_by(Letter.received_on.desc()).limit(200))
    words = set(fold_diacritics(summary).split())
    found = []
    for letter in db.session.scalars(stmt).unique():
        if letter.id == exclude_id:
            continue
        other = set(fold_diacritics(letter.summary).split())
        score = len(words & other) / max(1, len(words | other))
        if score >= 0.4:
            found.append((letter, round(score, 2)))
    return sorted(found, key=lambda x: -x[1])[:limit]


def related_letters(user: User, letter: Letter) -> dict[str, object]:
    """The letters named on ``letter``'s page — the original it repeats, the letter it was split from, its
    parts — each only if ``user`` may be told of it (the gate: a confidential letter's existence beside
    the same sender points at a denouncer). One query for the parts, two lookups by id."""
    original = db.session.get(Letter, letter.duplicate_of_id) if letter.duplicate_of_id else None
    split_from = db.session.get(Letter, letter.split_from_id) if letter.split_from_id else None
    parts = list(db.session.scalars(select(Letter).where(Letter.split_from_id == letter.id).order_by(Letter.id)))
    shown = {x.id for x in confidentiality.visible_letters(user, [x for x in (original, split_from, *parts) if x])}
    return {"original": original if original and original.id in shown else None,
            "split_from": split_from if split_from and split_from.id in shown else None,
            "parts": [p for p in parts if p.id in shown]}


@atomic
def link_duplicate(user: User | None, letter: Letter, original_id: int, *, version: int) -> Letter:
    """Mark ``letter`` as a repeat of an earlier one; a confidential original ``user`` may not know of is
    "not found" (linking to it would name its sender)."""
    if letter.version != version:
        raise ConflictError("stale")
    original = db.session.get(Letter, original_id)
    if original is None or original.unit_id != letter.unit_id or original.id == letter.id or (
            user is not None and not confidentiality.visible_letters(user, [original])):
        raise ValidationError({"duplicate_of_id": "not_found"})
    letter.duplicate_of_id = original.id
    confidentiality.mark_merged(letter, original)
    return letter


@dataclass
class HandlingInput:
    decision: str
    on: date
    version: int
    eligible: bool | None = None
    within_competence: bool | None = None
    reason: str | None = None
    to_body: str | None = None
    document_no: str | None = None
    document_date: date | None = None
    signer: str | None = None
    handler_id: int | None = None
    complexity: int = 0


def _handling_problems(letter: Letter, data: HandlingInput, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.decision not in lc.HANDLING_DECISIONS:
        errors["decision"] = "choice_invalid"
    if data.on > today:
        errors["on"] = "date_in_future"
    elif data.on < letter.received_on:
        errors["on"] = "before_receipt"
    if data.decision in ("transfer", "guide") and not (data.to_body or "").strip():
        errors["to_body"] = "recipient_required"
    if data.decision in ("return", "archive") and not (data.reason or "").strip():
        errors["reason"] = "reason_required"
    if data.decision == "transfer" and not (data.document_no or "").strip():
        errors["document_no"] = "transfer_document_required"
    if data.decision == "accept":
        if data.eligible is False:
            errors["eligible"] = "accept_needs_eligible"
        if data.within_competence is False:
            errors["within_competence"] = "accept_needs_competence"
        if data.complexity not in (0, 1, 2):
            errors["complexity"] = "choice_invalid"
    return errors


@atomic
def decide_handling(user: User | None, letter: Letter, data: HandlingInput, today: date) -> Case | None:
    """Handle a letter (xử lý đơn): accept it for resolution (creates the case), transfer, guide,
    return or file it. Stops the letter's clocks; commits once.

    :raises ConflictError: stale version or the letter was already handled.
    :raises RuleError: an anonymous denunciation cannot be accepted as a denunciation (Luật TC Điều 25).
    """
    if letter.version != data.version:
        raise ConflictError("stale")
    if letter.status != "registered":
        raise ConflictError("letter_already_handled")
    if user is not None:
        # Deciding on a confidential letter shows its senders; naming its handler is an assignment.
        if not confidentiality.may_see_letter_identity(user, letter):
            raise ForbiddenError("forbidden")
        if data.handler_id is not None and data.handler_id != letter.handler_id and \
                not access.is_leader_for(user, letter):
            raise ForbiddenError("assign_leaders_only")
    errors = _handling_problems(letter, data, today)
    if data.handler_id is not None and not access.is_assignable(data.handler_id, access.handler_units(letter)):
        errors["handler_id"] = "not_found"
    if errors:
        raise ValidationError(errors)
    if data.decision == "accept" and letter.kind == "denunciation" and letter.anonymous:
        raise RuleError("anonymous_denunciation")
    letter.status, letter.decision, letter.decided_on = "handled", data.decision, data.on
    letter.eligible = data.eligible if data.eligible is not None else data.decision == "accept" or None
    letter.within_competence = (data.within_competence if data.within_competence is not None
                                else data.decision == "accept" or None)
    letter.decision_reason = (data.reason or "").strip() or None
    letter.to_body = (data.to_body or "").strip() or None
    letter.decision_document_no = (data.document_no or "").strip() or None
    letter.decision_document_date, letter.decision_signer = data.document_date, data.signer
    if data.handler_id is not None:
        letter.handler_id = data.handler_id
    open_letter_clocks = clocks.open_clocks(letter_id=letter.id)
    kind = lc.case_kind_for(letter.kind, letter.mediation_type)
    if data.decision == "transfer" and kind in lc.TRANSFER_CLOCK:
        transfer = clocks.start_clock(lc.TRANSFER_CLOCK[kind], letter.received_on, unit_id=letter.unit_id,
                                      letter=letter)
        if transfer is not None:
            open_letter_clocks.append(transfer)
    clocks.stop_clocks(open_letter_clocks, data.on)
    case = None
    if data.decision == "accept":
        from tracker.services.cases.actions import open_case

        case = open_case(user, letter, kind, on=data.on, handler_id=data.handler_id, complexity=data.complexity,
                         document_no=data.document_no, document_date=data.document_date, signer=data.signer)
    return case
