"""The registry of citizens: register, correct, search without diacritics, suggest repeat visitors."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import or_
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Citizen
from tracker.models import User
from tracker.models.citizens import GENDERS
from tracker.rules.identity import IdNumberError
from tracker.rules.identity import check_consistency
from tracker.rules.identity import parse_id_number
from tracker.rules.text import escape_like
from tracker.rules.text import fold_diacritics
from tracker.rules.text import normalise_name
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic

_PHONE = re.compile(r"^\+?[0-9 .\-]{8,15}$")
OLDEST_BIRTH_YEAR = 1900


@dataclass
class CitizenInput:
    full_name: str
    id_number: str | None = None
    birth_year: int | None = None
    gender: str | None = None
    phone: str | None = None
    address: str | None = None
    neighbourhood: str | None = None


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def clean_citizen(data: CitizenInput, today: date, *, prefix: str = "", allow_legacy_id: bool = False
                  ) -> tuple[CitizenInput, dict[str, str]]:
    """Normalise a citizen's fields and list what is wrong, keyed ``prefix + field``."""
    errors: dict[str, str] = {}
    name = normalise_name(data.full_name or "")
    if not name:
        errors[prefix + "full_name"] = "required"
    elif len(name) > 200:
        errors[prefix + "full_name"] = "too_long"
    id_number = _blank_to_none(data.id_number)
    if id_number is not None:
        try:
            facts = parse_id_number(id_number, allow_legacy=allow_legacy_id)
            id_number = facts.number
            for field in check_consistency(facts, data.birth_year, data.gender):
                errors[prefix + field] = f"{field}_mismatch_id"
        except IdNumberError as exc:
            errors[prefix + "id_number"] = exc.code
    if data.birth_year is not None and not OLDEST_BIRTH_YEAR <= data.birth_year <= today.year:
        errors[prefix + "birth_year"] = "birth_year_range"
    gender = _blank_to_none(data.gender)
    if gender is not None and gender not in GENDERS:
        errors[prefix + "gender"] = "choice_invalid"
    phone = _blank_to_none(data.phone)
    if phone is not None and not _PHONE.match(phone):
        errors[prefix + "phone"] = "phone_invalid"
    address = _blank_to_none(data.address)
    if address and len(address) > 300:
        errors[prefix + "address"] = "too_long"
    neighbourhood = _blank_to_none(data.neighbourhood)
    if neighbourhood and len(neighbourhood) > 120:
        errors[prefix + "neighbourhood"] = "too_long"
    cleaned = CitizenInput(name, id_number, data.birth_year, gender, phone, address, neighbourhood)
    return cleaned, errors


def find_by_id_number(unit_id: int, id_number: str, *, sealed_for: User | None = None) -> Citizen | None:
    """The unit's open registry entry with exactly this ID number (compared as keyed hashes, spaces and
    dots ignored); ``sealed_for``: instead a denouncer's sealed entry that this user is cleared for."""
    stmt = select(Citizen).where(Citizen.unit_id == unit_id, Citizen.id_number == id_number)
    if sealed_for is None:
        return db.session.scalar(stmt.where(Citizen.sealed.is_(False)))
    from tracker.services.privacy.confidentiality import citizen_scope

    return db.session.scalar(stmt.where(Citizen.sealed.is_(True), citizen_scope(sealed_for))
                             .order_by(Citizen.id).limit(1))


def build_citizen(unit_id: int, data: CitizenInput, *, sealed: bool = False) -> Citizen:
    """A new citizen row for ``data`` (already cleaned); the caller adds and commits it. ``sealed``: registered
    through a denunciation (tracker.services.privacy.confidentiality)."""
    return Citizen(unit_id=unit_id, full_name=data.full_name, name_key=fold_diacritics(data.full_name),
                   id_number=data.id_number, birth_year=data.birth_year, gender=data.gender,
                   phone=data.phone, address=data.address, neighbourhood=data.neighbourhood, sealed=sealed)


@atomic
def register_citizen(unit_id: int, data: CitizenInput, today: date) -> Citizen:
    cleaned, errors = clean_citizen(data, today)
    if cleaned.id_number and not errors and find_by_id_number(unit_id, cleaned.id_number):
        errors["id_number"] = "id_number_taken"
    if errors:
        raise ValidationError(errors)
    citizen = build_citizen(unit_id, cleaned)
    db.session.add(citizen)
    return citizen


@atomic
def update_citizen(citizen: Citizen, data: CitizenInput, *, version: int, today: date) -> Citizen:
    if citizen.version != version:
        raise ConflictError("stale")
    cleaned, errors = clean_citizen(data, today)
    if cleaned.id_number and not errors and not citizen.sealed:
        other = find_by_id_number(citizen.unit_id, cleaned.id_number)
        if other is not None and other.id != citizen.id:
            errors["id_number"] = "id_number_taken"
    if errors:
        raise ValidationError(errors)
    citizen.full_name, citizen.name_key = cleaned.full_name, fold_diacritics(cleaned.full_name)
    citizen.id_number, citizen.birth_year, citizen.gender = cleaned.id_number, cleaned.birth_year, cleaned.gender
    citizen.phone, citizen.address, citizen.neighbourhood = cleaned.phone, cleaned.address, cleaned.neighbourhood
    return citizen


def search_query(unit_ids: Select[int] | list[int], q: str | None) -> Select[Citizen]:
    """Citizens of the given units matching ``q``: words of the name in any order, without
    diacritics or case, the whole ID number (it is stored as a keyed hash: no partial match), or the
    start of a phone number."""
    stmt = select(Citizen).where(Citizen.unit_id.in_(unit_ids))
    text = (q or "").strip()
    digits = re.sub(r"[\s.]", "", text)
    if digits.isdigit():
        pattern = escape_like(digits) + "%"
        stmt = stmt.where(or_(Citizen.id_number == digits, Citizen.phone.like(pattern, escape="\\")))
    elif text:
        for word in fold_diacritics(text).split(" ")[:6]:
            stmt = stmt.where(Citizen.name_key.like("%" + escape_like(word) + "%", escape="\\"))
    return stmt.order_by(Citizen.name_key, Citizen.id)


def likely_matches(unit_id: int, *, full_name: str | None, id_number: str | None, birth_year: int | None,
                   limit: int = 10, scope: ColumnElement[bool] | None = None) -> list[Citizen]:
    """Earlier visitors the person at the desk probably is: same ID number, or the same folded
    name and birth year (or the same folded name when no year was given)."""
    conditions = []
    number = re.sub(r"[\s.]", "", id_number or "")
    if number.isdigit() and len(number) in (9, 12):
        conditions.append(Citizen.id_number == number)
    name_key = fold_diacritics(full_name or "")
    if name_key:
        same_name = Citizen.name_key == name_key
        conditions.append(same_name & (Citizen.birth_year == birth_year) if birth_year else same_name)
    if not conditions:
        return []
    stmt = select(Citizen).where(Citizen.unit_id == unit_id, or_(*conditions)).order_by(Citizen.id).limit(limit)
    if scope is not None:
        stmt = stmt.where(scope)
    return list(db.session.scalars(stmt))
