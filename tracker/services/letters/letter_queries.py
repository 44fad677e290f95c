"""The read side of letters shared by the web list and the API: one search, so the same ``q`` finds the
same letters wherever it is typed."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import load_only

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.rules.text import escape_like
from tracker.rules.text import fold_diacritics
from tracker.services import access
from tracker.services.privacy import confidentiality
from tracker.services.reception.receipts import normalise_tracking_code

MAX_WORDS = 6
MIN_PHONE_DIGITS = 4


def search_condition(user: User, q: str) -> ColumnElement[bool] | None:
    """Letters ``q`` finds: a register number ("12" or "12/2026"), a tracking code, words of the summary,
    a sender's name without diacritics, a whole ID number or the start of a phone number — a sender only
    on letters whose senders ``user`` may see (finding a denunciation by its sender would tell who
    denounced). None for an empty ``q``."""
    text = q.strip()
    if not text:
        return None
    conditions: list[ColumnElement[bool]] = [Letter.summary.ilike("%" + escape_like(text) + "%", escape="\\")]
    number = re.fullmatch(r"(\d{1,9})\s*/\s*(\d{4})|(\d{1,9})", text)
    if number:
        if number[1]:
            conditions.append(and_(Letter.register_no == int(number[1]), Letter.register_year == int(number[2])))
        else:
            conditions.append(Letter.register_no == int(number[3]))
    code = normalise_tracking_code(text)
    if code:
        conditions.append(Letter.tracking_code == code)
    digits = re.sub(r"[\s.]", "", text)
    people = None
    if digits.isdecimal():
        # The ID number only whole (a keyed hash is stored); the phone number by its start (four digits at
        # least: "0" is the start of every phone number).
        people = Citizen.id_number == digits
        if len(digits) >= MIN_PHONE_DIGITS:
            people = or_(people, Citizen.phone.like(escape_like(digits) + "%", escape="\\"))
    elif not number:
        words = [w for w in fold_diacritics(text).split(" ")[:MAX_WORDS] if w]
        if words:
            people = and_(*[Citizen.name_key.like("%" + escape_like(w) + "%", escape="\\") for w in words])
    if people is not None:
        sender = exists().where(LetterSender.letter_id == Letter.id, LetterSender.citizen_id == Citizen.id, people)
        conditions.append(sender & confidentiality.letter_search_filter(user))
    return or_(*conditions)


@dataclass
class LetterFilter:
    """What a list of letters may be narrowed by, on the web page and in the API alike."""

    q: str = ""
    date_from: date | None = None
    date_to: date | None = None
    kind: str | None = None
    channel: str | None = None
    status: str | None = None
    decision: str | None = None
    subject: str | None = None
    merged: bool = True  # with the former communes' letters (the 2025 mergers)
    only_merged: bool = False
    # The figure links of a report: a unit with the units below it, not handled before a day, eligible only,
    # within the commune's competence only.
    report_unit_id: int | None = None
    undecided_on: date | None = None
    eligible: bool = False
    within_competence: bool = False


def letters_query(user: User, f: LetterFilter) -> Select[Letter]:
    """The letters ``user`` may read that ``f`` selects, newest first (the gate decides, in the search, whose
    senders may be matched)."""
    stmt = select(Letter).where(access.read_filter(Letter.unit_id, user, merged=f.merged, only_merged=f.only_merged))
    for column, value in ((Letter.kind, f.kind), (Letter.channel, f.channel), (Letter.status, f.status),
                          (Letter.decision, f.decision), (Letter.subject, f.subject)):
        if value:
            stmt = stmt.where(column == value)
    if f.date_from:
        stmt = stmt.where(Letter.received_on >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Letter.received_on <= f.date_to)
    condition = search_condition(user, f.q)
    if condition is not None:
        stmt = stmt.where(condition)
    if f.report_unit_id:
        from tracker.services.reports.report_stats import subtree_ids

        stmt = stmt.where(Letter.unit_id.in_(subtree_ids(f.report_unit_id)))
    if f.undecided_on:
        stmt = stmt.where(or_(Letter.decided_on.is_(None), Letter.decided_on >= f.undecided_on))
    if f.eligible:
        stmt = stmt.where(Letter.eligible.is_(True))
    if f.within_competence:
        stmt = stmt.where(Letter.within_competence.is_(True))
    return stmt.order_by(Letter.received_on.desc(), Letter.id.desc())


def nearest_due(letter_ids: list[int]) -> dict[int, date]:
    """The nearest due date of each letter's open clocks, in one query."""
    if not letter_ids:
        return {}
    rows = db.session.execute(
        select(Clock.letter_id, func.min(Clock.due_on))
        .where(Clock.letter_id.in_(letter_ids), Clock.status == "open", Clock.due_on.is_not(None))
        .group_by(Clock.letter_id))
    return {letter_id: due for letter_id, due in rows if letter_id is not None and due is not None}


def cases_of(letter_ids: list[int]) -> dict[int, Case]:
    """The case each letter opened (a linked dispute comes later), with only its id and number loaded."""
    if not letter_ids:
        return {}
    found: dict[int, Case] = {}
    for case in db.session.scalars(
            select(Case).options(load_only(Case.id, Case.letter_id, Case.register_no, Case.register_year))
            .where(Case.letter_id.in_(letter_ids)).order_by(Case.id)):
        if case.letter_id is not None:
            found.setdefault(case.letter_id, case)
    return found
