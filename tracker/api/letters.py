"""/api/v1/letters: register letters (đơn) from any channel, find and read them, decide their handling.

The senders of a denunciation are shown only to those who may see them
(services.confidentiality); every sight is audited, and nobody else finds the letter by a
sender's name.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response
from flask import jsonify
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import api_bp
from tracker.api.auth import need
from tracker.api.auth import need_readable
from tracker.api.auth import need_writable
from tracker.api.errors import ApiError
from tracker.api.openapi import operation
from tracker.api.parse import parse_body
from tracker.api.parse import parse_query
from tracker.api.schemas_letters import HandlingCreate
from tracker.api.schemas_letters import HandlingOut
from tracker.api.schemas_letters import LetterCreate
from tracker.api.schemas_letters import LetterCreated
from tracker.api.schemas_letters import LetterOut
from tracker.api.schemas_letters import LetterPage
from tracker.api.schemas_letters import LetterQuery
from tracker.api.serializers import page_json
from tracker.api.serializers_letters import letter_json
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import User
from tracker.services import access
from tracker.services.clock import local_today
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal import deadlines
from tracker.services.letters import letter_queries
from tracker.services.letters import register as service
from tracker.services.privacy import confidentiality

# Messages of the letter and case services' codes, unless another module already gave them.

# Field names of the services -> of the API body.
_FIELD_RENAMES = (
    (re.compile(r"^senders\.(\d+)\.citizen_id$"), r"senders.\1.id"),
    (re.compile(r"^document_no$"), "document.number"),
    (re.compile(r"^document_date$"), "document.date"),
    (re.compile(r"^signer$"), "document.signer"),
)
# Codes a service reports as a rule of the lifecycle that are really a wrong value in the body.
_BAD_VALUE_CODES = {"outcome_invalid": "outcome", "outcome_not_expected": "outcome"}


def _api_name(name: str) -> str:
    for pattern, replacement in _FIELD_RENAMES:
        if pattern.match(name):
            return pattern.sub(replacement, name)
    return name


@contextmanager
def api_fields() -> Iterator[None]:
    """Report a service's problems under the names of the API body (``document.number``, ``senders.0.id``),
    and a wrong outcome as bad input (400) naming ``outcome``."""
    try:
        yield
    except ValidationError as exc:
        raise ValidationError({_api_name(k): v for k, v in exc.fields.items()}, **exc.params) from exc
    except RuleError as exc:
        if exc.code not in _BAD_VALUE_CODES:
            raise
        raise ValidationError({_BAD_VALUE_CODES[exc.code]: exc.code}) from exc


def legal_bases() -> dict[str, str]:
    return {rule.code: rule.legal_basis for rule in deadlines.deadline_rules()}


def visible_letter(letter_id: int, user: User) -> Letter:
    letter = db.session.get(Letter, letter_id)
    if letter is None:
        raise ApiError(404, "not_found")
    need_readable(user, letter.unit_id)
    return letter


def _case_ids(letter_ids: list[int]) -> dict[int, int]:
    if not letter_ids:
        return {}
    rows = db.session.execute(select(Case.letter_id, Case.id).where(Case.letter_id.in_(letter_ids))
                              .order_by(Case.id))
    found: dict[int, int] = {}
    for letter_id, case_id in rows:
        if letter_id is not None:
            found.setdefault(letter_id, case_id)  # the first case; a linked dispute comes later
    return found


def _letter_clocks(letter_ids: list[int]) -> dict[int, list[Clock]]:
    found: dict[int, list[Clock]] = {i: [] for i in letter_ids}
    if letter_ids:
        for clock in db.session.scalars(select(Clock).where(Clock.letter_id.in_(letter_ids)).order_by(Clock.id)):
            found[clock.letter_id].append(clock)  # type: ignore[index]
    return found


def letters_json(user: User, letters: list[Letter], purpose: str = "api") -> list[dict[str, object]]:
    """Letters for ``user``: three queries for any number of letters, plus the confidentiality checks
    of the denunciations (each sight with the senders audited)."""
    hidden = confidentiality.record_letter_reads(user, letters, purpose)
    ids = [letter.id for letter in letters]
    cases, clocks, bases, today = _case_ids(ids), _letter_clocks(ids), legal_bases(), local_today()
    return [letter_json(letter, hidden=letter.id in hidden, case_id=cases.get(letter.id), clocks=clocks[letter.id],
                        legal_basis=bases, today=today) for letter in letters]


@api_bp.get("/letters")
@operation("List letters", tag="letters", query=LetterQuery, response=LetterPage,
           description="Newest first, paginated (`page`, `per_page` up to 200). `q` matches a register number, "
                       "a tracking code, words of the summary, or a sender's name without diacritics or a whole "
                       "ID number — a denouncer's name only for those who may see it.")
def list_letters() -> Response:
    user = need("letters.read")
    args = parse_query(LetterQuery)
    if args.date_from and args.date_to and args.date_to < args.date_from:
        raise ApiError(400, "invalid", {"to": "date_order"})
    stmt = letter_queries.letters_query(user, letter_queries.LetterFilter(  # with the former communes'
        q=args.q or "", date_from=args.date_from, date_to=args.date_to, kind=args.kind, status=args.status,
        channel=args.channel, decision=args.decision))
    stmt = stmt.options(selectinload(Letter.senders).selectinload(LetterSender.citizen))
    page = db.paginate(stmt, page=args.page, per_page=args.per_page, error_out=False)
    items = list(page.items)
    return jsonify(page_json(letters_json(user, items), lambda body: body, page=page.page, per_page=page.per_page,
                             total=page.total, pages=page.pages))


def _duplicates(user: User, letter: Letter) -> list[dict[str, object]]:
    """Likely earlier copies; a denunciation the user may not identify is not pointed at."""
    found = service.likely_duplicates(user, letter.unit_id, [s.citizen_id for s in letter.senders], letter.summary,
                                      exclude_id=letter.id)
    return [{"id": other.id, "register_year": other.register_year, "register_no": other.register_no,
             "received_on": other.received_on.isoformat(), "score": score} for other, score in found]


@api_bp.post("/letters")
@operation("Register a letter", tag="letters", body=LetterCreate, status=201, response=LetterCreated,
           errors=(400, 401, 403, 409),
           description="The register number (sequential per unit and year) and the tracking code of the receipt "
                       "are assigned, and the letter's legal clocks start. A `register_no` already used that year is "
                       "answered 409. `likely_duplicates` points at earlier letters of the same senders.")
def create_letter() -> tuple[Response, int, dict[str, str]]:
    user = need("letters.write")
    body = parse_body(LetterCreate)
    unit = access.writable_unit(user, body.unit_id)
    with api_fields():
        letter = service.register_letter(user, unit, body.to_input(), local_today())
    result = letters_json(user, [letter])[0]
    result["likely_duplicates"] = _duplicates(user, letter) if not result["identity_hidden"] else []
    return jsonify(result), 201, {"Location": url_for(".get_letter", letter_id=letter.id)}


@api_bp.get("/letters/<int:letter_id>")
@operation("Read a letter", tag="letters", response=LetterOut, errors=(401, 403))
def get_letter(letter_id: int) -> Response:
    user = need("letters.read")
    return jsonify(letters_json(user, [visible_letter(letter_id, user)])[0])


@api_bp.post("/letters/<int:letter_id>/handling")
@operation("Decide how a letter is handled", tag="letters", body=HandlingCreate, response=HandlingOut,
           errors=(400, 401, 403, 409, 422),
           description="accept (thụ lý: opens a case, named by `case_id`), transfer (needs `to_body` and the "
                       "document number), guide (needs `to_body`), return or archive (need `reason`). A letter is "
                       "handled once (409 `letter_already_handled`); a stale `version` is answered 409; an "
                       "anonymous denunciation cannot be accepted (422 `anonymous_denunciation`).")
def handle_letter(letter_id: int) -> Response:
    user = need("letters.handle")
    letter = visible_letter(letter_id, user)
    need_writable(user, letter)  # a former commune's open work too
    body = parse_body(HandlingCreate)
    with api_fields():
        service.decide_handling(user, letter, body.to_input(), local_today())
    return jsonify(letters_json(user, [letter])[0])
