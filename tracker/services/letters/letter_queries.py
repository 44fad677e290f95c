"""The read side of letters shared by the web list and the API: one search, so the same ``q`` finds the
same letters wherever it is typed."""
from __future__ import annotations

import re

from sqlalchemy import ColumnElement
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import or_

from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.rules.text import escape_like
from tracker.rules.text import fold_diacritics
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
