"""Exchange files for the national database (Nghị định 55/2022/NĐ-CP): every visit, letter and case of a
period, written so that another instance — or the national database — can take them in without retyping.

The format is documented field by field in docs/exchange-format.md. In short: JSON Lines (one JSON object a
line, UTF-8): a header line (format, version, unit, period), then ``citizen``, ``visit``, ``letter`` and ``case``
lines in that order, then an ``end`` line with the counts (a truncated file is refused). Codes are the English
codes of docs/glossary.md, dates ISO 8601. Every record carries a stable ``uid``.

Export queries in SQL with ``yield_per`` and writes line by line; import reads the file twice (check, then
write) and writes everything in ONE transaction: any error and nothing is written.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from typing import IO
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import case as sql_case
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import aliased
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import CasePause
from tracker.models import Citizen
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import MediationGroup
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.models.base import table
from tracker.models.base import utcnow
from tracker.services import access
from tracker.services import clock
from tracker.services import counters
from tracker.services.cases.actions import CASE_BOOK
from tracker.services.errors import DomainError
from tracker.services.errors import ForbiddenError
from tracker.services.exchange import records
from tracker.services.letters.register import new_tracking_code
from tracker.services.operations import lineage
from tracker.services.privacy import audit
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.citizens import build_citizen
from tracker.services.reception.citizens import clean_citizen
from tracker.services.reception.citizens import find_by_id_number

FORMAT = "so-tiep-dan/exchange"
VERSION = 1
BASIS = "Nghị định 55/2022/NĐ-CP, Điều 6"
# Who may hand the unit's records over: the chairperson and vice-chairs of that unit, who answer for what
# the commune sends to the national database (NĐ 55/2022 Điều 9: the head of the body updating the data).
# The CLI runs as the installation's operator (actor "cli"), like every other command; both are audited.
BATCH = 200
KINDS = ("citizen", "visit", "letter", "case")
PLURAL = {"citizen": "citizens", "visit": "visits", "letter": "letters", "case": "cases"}
# Fields written for the reader's information only and never imported (staff accounts do not travel).
INFORMATIONAL = ("handler_name", "actor_name")

MESSAGES.update({
    "exchange_not_json": _l("This line is not valid JSON."),
    "exchange_format": _l("This is not an exchange file of Sổ tiếp dân."),
    "exchange_version": _l("This version of the exchange format is not supported."),
    "exchange_wrong_unit": _l("The file belongs to another unit."),
    "exchange_truncated": _l("The file is incomplete: its last line is missing or its counts do not match."),
    "exchange_order": _l("Records are out of order (citizens, visits, letters, cases)."),
    "exchange_uid": _l("This identifier is malformed or belongs to another unit."),
    "exchange_uid_repeated": _l("This identifier appears twice in the file."),
    "exchange_reference_missing": _l("The record it refers to is neither in the file nor in this unit."),
    "exchange_register_clash": _l("This register number is already used by a different record."),
    "exchange_period": _l("The period is not valid."),
    "exchange_failed": _l("The file was not imported: nothing has been written."),
    "exchange_unknown_field": _l("This field is not part of the format."),
    "exchange_bad_type": _l("This value has the wrong type."),
    "exchange_date": _l("Write the date as YYYY-MM-DD (a time with its offset from UTC)."),
    "exchange_cannot_write": _l("The file cannot be written."),
})


class ExchangeRefused(DomainError):
    """The file was refused as a whole; ``errors`` names every problem by record uid and field."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__("exchange_failed")
        self.errors = errors

    def lines(self) -> list[str]:
        return [e.text() for e in self.errors]


@dataclass
class RecordError:
    uid: str | None  # None: the file as a whole (header, end line)
    field: str | None
    code: str
    line: int | None = None

    def text(self) -> str:
        where = " ".join(p for p in (self.uid or (f"line {self.line}" if self.line else "file"),
                                     self.field and f"[{self.field}]") if p)
        return f"{where}: {message(self.code)}"


@dataclass
class ImportResult:
    dry_run: bool
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLURAL.values(), 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLURAL.values(), 0))
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PLURAL.values(), 0))
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


# ---------------------------------------------------------------------------------------------------------------
# Helpers


def _d(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _uid(unit_code: str, kind: str, *parts: object) -> str:
    return ":".join([unit_code, kind, *(str(p) for p in parts)])


def _split_uid(uid: object, unit_code: str, kind: str) -> tuple[int, ...] | None:
    """The numbers of a uid of ``kind`` in ``unit_code`` (year, no) or (id,); None when malformed."""
    if not isinstance(uid, str) or not uid.startswith(unit_code + ":" + kind + ":"):
        return None
    tail = uid[len(unit_code) + len(kind) + 2:].split(":")
    want = 1 if kind in ("case", "citizen") else 2
    if len(tail) != want or not all(p.isdigit() and len(p) < 10 for p in tail):
        return None
    return tuple(int(p) for p in tail)


def authorize_export(user: User | None, unit: Unit) -> None:
    if user is not None and (not access.can(user, "exchange.export") or user.unit_id != unit.id):
        raise ForbiddenError("forbidden")


def _period_conditions(unit: Unit, date_from: date, date_to: date) -> tuple[Any, Any, Any]:
    """Which rows belong to a period: visits of the period; letters received or handled in it (and the
    letters of its cases); cases accepted in it or with a timeline entry in it. A file is self-contained:
    the letter of every case and the visit of every letter are in it too."""
    in_case = and_(Case.unit_id == unit.id, or_(
        Case.accepted_on.between(date_from, date_to),
        exists().where(CaseEvent.case_id == Case.id, CaseEvent.on.between(date_from, date_to))))
    case_letters = select(Case.letter_id).where(in_case, Case.letter_id.is_not(None))
    in_letter = and_(Letter.unit_id == unit.id, or_(
        Letter.received_on.between(date_from, date_to), Letter.decided_on.between(date_from, date_to),
        Letter.id.in_(case_letters)))
    letter_visits = select(Letter.visit_id).where(in_letter, Letter.visit_id.is_not(None))
    in_visit = and_(Visit.unit_id == unit.id, or_(Visit.visited_on.between(date_from, date_to),
                                                   Visit.id.in_(letter_visits)))
    return in_visit, in_letter, in_case


def _clock(c: Clock) -> dict[str, Any]:
    return {"clock": c.clock, "rule_code": c.rule_code, "start_on": _d(c.start_on), "due_on": _d(c.due_on),
            "nominal_due_on": _d(c.nominal_due_on), "status": c.status, "met_on": _d(c.met_on),
            "delay_reason": c.delay_reason, "delay_note": c.delay_note}


# ---------------------------------------------------------------------------------------------------------------
# Export


def iter_records(unit: Unit, date_from: date, date_to: date) -> Iterator[dict[str, Any]]:
    """Every line of the exchange file, header first, ``end`` last; rows are read in batches."""
    if date_from > date_to:
        raise DomainError("exchange_period")
    code = unit.code
    in_visit, in_letter, in_case = _period_conditions(unit, date_from, date_to)
    yield {"format": FORMAT, "version": VERSION, "basis": BASIS,
           "unit": {"code": unit.code, "name": unit.name, "level": unit.level},
           "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
           "generated_at": utcnow().replace(microsecond=0).isoformat()}
    counts = dict.fromkeys(PLURAL.values(), 0)

    # Citizens referenced, flagged confidential when they denounced (Luật Tố cáo Điều 8.3, 47, 56).
    refs = union_all(
        select(VisitCitizen.citizen_id.label("cid"),
               sql_case((Visit.classification == "denunciation", 1), else_=0).label("conf"))
        .join(Visit, Visit.id == VisitCitizen.visit_id).where(in_visit),
        select(LetterSender.citizen_id.label("cid"),
               sql_case((Letter.confidential.is_(True), 1), else_=0).label("conf"))
        .join(Letter, Letter.id == LetterSender.letter_id).where(in_letter),
    ).subquery()
    agg = select(refs.c.cid, func.max(refs.c.conf).label("conf")).group_by(refs.c.cid).subquery()
    stmt = (select(Citizen, agg.c.conf).join(agg, agg.c.cid == Citizen.id).order_by(Citizen.id)
            .execution_options(yield_per=BATCH))
    for citizen, conf in db.session.execute(stmt):
        counts["citizens"] += 1
        yield {"type": "citizen", "uid": _uid(code, "citizen", citizen.id), "full_name": citizen.full_name,
               "id_number": citizen.id_number, "birth_year": citizen.birth_year, "gender": citizen.gender,
               "phone": citizen.phone, "address": citizen.address, "neighbourhood": citizen.neighbourhood,
               "confidential": bool(conf) or bool(citizen.sealed)}

    def people(rows: list[Any], confidential: bool) -> dict[str, Any]:
        return {"confidential": confidential,
                "people": [{"citizen": _uid(code, "citizen", r.citizen_id), "position": r.position,
                            "is_representative": r.is_representative} for r in rows]}

    stmt = (select(Visit).where(in_visit).options(selectinload(Visit.visitors), selectinload(Visit.session))
            .order_by(Visit.register_year, Visit.register_no).execution_options(yield_per=BATCH))
    for v in db.session.scalars(stmt):
        counts["visits"] += 1
        s = v.session
        yield {"type": "visit", "uid": _uid(code, "visit", v.register_year, v.register_no),
               "register_year": v.register_year, "register_no": v.register_no, "visited_on": _d(v.visited_on),
               "visited_at": _d(v.visited_at), "channel": v.channel, "kind": v.kind, "host": v.host,
               "host_name": v.host_name,
               "session": None if s is None else {"held_on": _d(s.held_on), "kind": s.kind, "host": s.host,
                                                  "host_name": s.host_name, "place": s.place},
               "people_count": v.people_count, "is_group": v.is_group, "content": v.content,
               "classification": v.classification, "subject": v.subject,
               "previously_handled_by": v.previously_handled_by, "within_competence": v.within_competence,
               "handling": v.handling, "handling_document_no": v.handling_document_no,
               "referred_to": v.referred_to, "decline_ground": v.decline_ground,
               "result_followup": v.result_followup, "note": v.note,
               "visitors": people(v.visitors, v.classification == "denunciation")}

    dup, split = aliased(Letter), aliased(Letter)
    stmt = (select(Letter, Visit.register_year, Visit.register_no, dup.register_year, dup.register_no,
                   split.register_year, split.register_no, User.full_name)
            .outerjoin(Visit, Visit.id == Letter.visit_id).outerjoin(dup, dup.id == Letter.duplicate_of_id)
            .outerjoin(split, split.id == Letter.split_from_id).outerjoin(User, User.id == Letter.handler_id)
            .where(in_letter).options(selectinload(Letter.senders))
            .order_by(Letter.register_year, Letter.register_no).execution_options(yield_per=BATCH))
    for row in db.session.execute(stmt):
        letter = row[0]
        counts["letters"] += 1
        clocks = db.session.scalars(select(Clock).where(Clock.letter_id == letter.id).order_by(Clock.id))
        yield {"type": "letter", "uid": _uid(code, "letter", letter.register_year, letter.register_no),
               "register_year": letter.register_year, "register_no": letter.register_no,
               "tracking_code": letter.tracking_code, "received_on": _d(letter.received_on),
               "channel": letter.channel, "from_body": letter.from_body, "from_document_no": letter.from_document_no,
               "from_document_date": _d(letter.from_document_date),
               "visit": _uid(code, "visit", row[1], row[2]) if row[1] else None,
               "kind": letter.kind, "mediation_type": letter.mediation_type, "subject": letter.subject,
               "summary": letter.summary, "anonymous": letter.anonymous, "multi_signature": letter.multi_signature,
               "signer_count": letter.signer_count,
               "duplicate_of": _uid(code, "letter", row[3], row[4]) if row[3] else None,
               "split_from": _uid(code, "letter", row[5], row[6]) if row[5] else None,
               "complex": letter.complex, "second_instance": letter.second_instance, "status": letter.status,
               "handling": {"eligible": letter.eligible, "within_competence": letter.within_competence,
                            "decision": letter.decision, "decided_on": _d(letter.decided_on),
                            "reason": letter.decision_reason, "to_body": letter.to_body,
                            "document": {"no": letter.decision_document_no,
                                         "date": _d(letter.decision_document_date),
                                         "signer": letter.decision_signer}},
               "handler_name": row[7],
               "senders": people(letter.senders, bool(letter.confidential)),
               "clocks": [_clock(c) for c in clocks]}

    linked, linked_letter = aliased(Case), aliased(Letter)
    stmt = (select(Case, Letter.register_year, Letter.register_no, User.full_name, MediationGroup.name,
                   MediationGroup.neighbourhood, linked.kind, linked_letter.register_year,
                   linked_letter.register_no)
            .outerjoin(Letter, Letter.id == Case.letter_id).outerjoin(User, User.id == Case.handler_id)
            .outerjoin(MediationGroup, MediationGroup.id == Case.mediation_group_id)
            .outerjoin(linked, linked.id == Case.linked_case_id)
            .outerjoin(linked_letter, linked_letter.id == linked.letter_id)
            .where(in_case).options(selectinload(Case.events).joinedload(CaseEvent.actor), selectinload(Case.clocks))
            .order_by(Case.id).execution_options(yield_per=BATCH))
    for case_row in db.session.execute(stmt):
        c = case_row[0]
        counts["cases"] += 1
        yield _case_record(code, c, case_row)
    yield {"type": "end", "counts": counts}


def _case_ref(code: str, kind: str | None, year: int | None, no: int | None) -> dict[str, str] | None:
    """A case is named by its letter and its kind (a letter has at most one case of each kind): unlike the
    case id, this survives the trip to another instance."""
    if kind is None or year is None:
        return None
    return {"letter": _uid(code, "letter", year, no), "kind": kind}


def _case_record(code: str, c: Case, row: Any) -> dict[str, Any]:
    events = c.events  # loaded with the batch, in timeline order
    seq = {e.id: i for i, e in enumerate(events, 1)}
    linked_ids = {c.linked_case_id} if c.linked_case_id else set()
    out_events = []
    for i, e in enumerate(events, 1):
        data = json.loads(e.data) if e.data else None
        if isinstance(data, dict):
            data = dict(data)
            if isinstance(data.get("event"), int):  # re-timing after an action: which entry caused it
                data["event_seq"] = seq.get(data.pop("event"))
            if isinstance(data.get("linked_case"), int):
                linked_ids.add(data["linked_case"])
                data["linked_case"] = _linked_ref(code, data["linked_case"])
        out_events.append({
            "seq": i, "at": _d(e.at), "on": _d(e.on), "action": e.action, "from_status": e.from_status,
            "to_status": e.to_status, "outcome": e.outcome, "actor_name": e.actor.full_name if e.actor else None,
            "document": {"no": e.document_no, "date": _d(e.document_date), "signer": e.document_signer},
            "note": e.note, "data": data})
    clocks = c.clocks
    pauses = db.session.scalars(select(CasePause).where(CasePause.case_id == c.id).order_by(CasePause.id))
    return {
        "type": "case", "uid": _uid(code, "case", c.id),
        "letter": _uid(code, "letter", row[1], row[2]) if row[1] else None,
        "kind": c.kind, "status": c.status, "is_open": c.is_open,
        "status_before_suspension": c.status_before_suspension, "subject": c.subject, "summary": c.summary,
        "instance": c.instance, "complexity": c.complexity, "remote_area": c.remote_area,
        "received_on": _d(c.received_on), "accepted_on": _d(c.accepted_on),
        "acceptance_document_no": c.acceptance_document_no, "handler_name": row[3],
        "mediation_group": {"name": row[4], "neighbourhood": row[5]} if row[4] else None,
        "linked_case": _case_ref(code, row[6], row[7], row[8]),
        "extensions": c.extensions, "outcome": c.outcome, "closed_on": _d(c.closed_on),
        "next_due_on": _d(c.next_due_on), "next_clock": c.next_clock, "awaiting_decision": c.awaiting_decision,
        "events": out_events, "clocks": [_clock(k) for k in clocks],
        "pauses": [{"suspended_on": _d(p.suspended_on), "resumed_on": _d(p.resumed_on), "reason": p.reason}
                   for p in pauses],
    }


def _linked_ref(code: str, case_id: int) -> dict[str, str] | None:
    row = db.session.execute(select(Case.kind, Letter.register_year, Letter.register_no)
                             .join(Letter, Letter.id == Case.letter_id).where(Case.id == case_id)).first()
    return _case_ref(code, *row) if row else None


def _audit_export(unit: Unit, date_from: date, date_to: date, counts: dict[str, int], target: str) -> None:
    audit.record_event(db.session, "exchange_export", "units", unit.id, unit.id,
                       {"from": date_from.isoformat(), "to": date_to.isoformat(), "counts": counts,
                        "target": target, "format": FORMAT, "version": VERSION})
    db.session.commit()


def export_period(unit: Unit, date_from: date, date_to: date, *, user: User | None = None) -> dict[str, Any]:
    """The exchange document of a period as one dict (header fields plus arrays ``citizens``, ``visits``,
    ``letters``, ``cases``). For large periods write the file with :func:`write_period` instead."""
    authorize_export(user, unit)
    doc: dict[str, Any] = {}
    lists: dict[str, list[dict[str, Any]]] = {p: [] for p in PLURAL.values()}
    for rec in iter_records(unit, date_from, date_to):
        kind = rec.get("type")
        if kind in PLURAL:
            lists[PLURAL[kind]].append({k: v for k, v in rec.items() if k != "type"})
        elif kind is None:
            doc.update(rec)
    doc.update(lists)
    _audit_export(unit, date_from, date_to, {k: len(v) for k, v in lists.items()}, "document")
    return doc


def write_period(unit: Unit, date_from: date, date_to: date, out: IO[str], *,
                 user: User | None = None) -> dict[str, int]:
    """Write the exchange file of a period to ``out``, one line at a time; returns the counts."""
    authorize_export(user, unit)
    counts: dict[str, int] = {}
    for rec in iter_records(unit, date_from, date_to):
        out.write(json.dumps(rec, ensure_ascii=False) + "\n")
        if rec.get("type") == "end":
            counts = rec["counts"]
    _audit_export(unit, date_from, date_to, counts, "file")
    return counts


# ---------------------------------------------------------------------------------------------------------------
# Checking a file (first pass): structure, types and codes of every record, without the database.


class _Checker:
    def __init__(self, errors: list[RecordError], uid: str | None, line: int) -> None:
        self.errors, self.uid, self.line = errors, uid, line

    def err(self, path: str, code: str) -> None:
        self.errors.append(RecordError(self.uid, path, code, self.line))

    def record(self, kind: str, rec: dict[str, Any]) -> None:
        for path, code in records.problems(kind, rec):
            self.err(path, code)


@dataclass
class _Scan:
    header: dict[str, Any]
    uids: dict[str, set[str]]
    errors: list[RecordError]


def _lines(stream: IO[str]) -> Iterator[tuple[int, Any]]:
    for number, text in enumerate(stream, 1):
        if not text.strip():
            continue
        try:
            yield number, json.loads(text)
        except ValueError:
            yield number, ValueError


def _scan(stream: IO[str], unit: Unit, from_unit: str | None) -> _Scan:
    errors: list[RecordError] = []
    uids: dict[str, set[str]] = {k: set() for k in KINDS}
    header: dict[str, Any] = {}
    counts = dict.fromkeys(PLURAL.values(), 0)
    order, ended = 0, False
    code: Any = ""
    for number, rec in _lines(stream):
        if rec is ValueError or not isinstance(rec, dict):
            errors.append(RecordError(None, None, "exchange_not_json", number))
            if number == 1:
                break
            continue
        if number == 1 or not header:
            header = rec
            if rec.get("format") != FORMAT:
                errors.append(RecordError(None, "format", "exchange_format", number))
                break
            if rec.get("version") != VERSION:
                errors.append(RecordError(None, "version", "exchange_version", number))
                break
            code = (rec.get("unit") or {}).get("code") if isinstance(rec.get("unit"), dict) else None
            if not isinstance(code, str) or not code:
                errors.append(RecordError(None, "unit.code", "required", number))
                break
            merged = db.session.scalar(select(Unit.id).where(  # merged into it, directly or through a chain
                Unit.code == code, Unit.id.in_(lineage.predecessor_ids_query(unit.id))))
            if code not in (unit.code, from_unit) and merged is None:
                errors.append(RecordError(None, "unit.code", "exchange_wrong_unit", number))
                break
            period = rec.get("period")
            if not (isinstance(period, dict)
                    and records.is_iso_date(period.get("from")) and records.is_iso_date(period.get("to"))):
                errors.append(RecordError(None, "period", "exchange_period", number))
            continue
        kind = rec.get("type")
        if ended:
            errors.append(RecordError(None, "type", "exchange_truncated", number))
            continue
        if kind == "end":
            ended = True
            if rec.get("counts") != counts:
                errors.append(RecordError(None, "counts", "exchange_truncated", number))
            continue
        if kind not in records.RECORDS:
            errors.append(RecordError(rec.get("uid") if isinstance(rec.get("uid"), str) else None, "type",
                                      "choice_invalid", number))
            continue
        uid: Any = rec.get("uid")
        check = _Checker(errors, uid if isinstance(uid, str) else None, number)
        if KINDS.index(kind) < order:
            check.err("type", "exchange_order")
        order = max(order, KINDS.index(kind))
        counts[PLURAL[kind]] += 1
        parts = _split_uid(uid, code, kind)
        if parts is None:
            check.err("uid", "exchange_uid")
        elif uid in uids[kind]:
            check.err("uid", "exchange_uid_repeated")
        else:
            uids[kind].add(uid)
        check.record(kind, rec)
        _check_more(check, kind, rec, code, parts, uids)
    if header and not errors and not ended:
        errors.append(RecordError(None, None, "exchange_truncated"))
    if not header and not errors:
        errors.append(RecordError(None, None, "exchange_format"))
    return _Scan(header, uids, errors)


def _check_more(check: _Checker, kind: str, rec: dict[str, Any], code: str, parts: tuple[int, ...] | None,
                uids: dict[str, set[str]]) -> None:
    """What the field table cannot say: uid numbers agree with the fields, references are well formed and
    point at citizens of the file, nested blocks follow their tables."""
    if kind == "citizen":
        if rec.get("full_name") and (rec.get("birth_year") is None or isinstance(rec.get("birth_year"), int)):
            _, problems = clean_citizen(CitizenInput(rec["full_name"], rec.get("id_number"), rec.get("birth_year"),
                                                     rec.get("gender")), clock.local_today(), allow_legacy_id=True)
            for name, code_ in problems.items():
                check.err(name, code_)
        return
    if kind in ("visit", "letter") and parts is not None and parts != (rec.get("register_year"),
                                                                      rec.get("register_no")):
        check.err("register_no", "exchange_uid")
    for name in {"visit": ("visitors",), "letter": ("senders",), "case": ()}[kind]:
        block = rec.get(name)
        people = block.get("people") if isinstance(block, dict) else None
        for i, p in enumerate(people if isinstance(people, list) else []):
            if isinstance(p, dict) and p.get("citizen") not in uids["citizen"]:
                check.err(f"{name}.people[{i}].citizen", "exchange_reference_missing")
    refs = {"visit": {}, "letter": {"visit": "visit", "duplicate_of": "letter", "split_from": "letter"},
            "case": {"letter": "letter"}}[kind]
    for name, target in refs.items():
        if rec.get(name) is not None and _split_uid(rec.get(name), code, target) is None:
            check.err(name, "exchange_uid")
    if kind == "case" and isinstance(rec.get("linked_case"), dict):
        if _split_uid(rec["linked_case"].get("letter"), code, "letter") is None:
            check.err("linked_case.letter", "exchange_uid")


# ---------------------------------------------------------------------------------------------------------------
# Import (second pass): write in one transaction, or nothing.


class _Writer:
    def __init__(self, unit: Unit, code: str, scan: _Scan, result: ImportResult) -> None:
        self.unit, self.code, self.scan, self.result = unit, code, scan, result
        self.errors: list[RecordError] = []
        self.citizens: dict[str, dict[str, Any]] = {}
        self.citizen_rows: dict[str, Citizen] = {}
        self.letter_links: list[tuple[Letter, str, str | None, str]] = []
        self.case_links: list[tuple[Case, dict[str, Any] | None, list[tuple[CaseEvent, dict[str, Any]]]]] = []
        self.groups: dict[str, MediationGroup] = {}

    def warn(self, uid: str, field_: str, code: str) -> None:
        self.result.warnings.append(RecordError(uid, field_, code).text())

    # -- citizens: linked by ID number in the target unit, else created once per file
    def citizen(self, uid: str) -> Citizen:
        if uid in self.citizen_rows:
            return self.citizen_rows[uid]
        rec = self.citizens[uid]
        cleaned, _ = clean_citizen(CitizenInput(rec["full_name"], rec.get("id_number"), rec.get("birth_year"),
                                                rec.get("gender"), rec.get("phone"), rec.get("address"),
                                                rec.get("neighbourhood")), clock.local_today(), allow_legacy_id=True)
        row = find_by_id_number(self.unit.id, cleaned.id_number) if cleaned.id_number else None
        if row is None:
            row = build_citizen(self.unit.id, cleaned, sealed=bool(rec.get("confidential")))
            db.session.add(row)
            self.result.created["citizens"] += 1
        else:
            self.result.skipped["citizens"] += 1
        self.citizen_rows[uid] = row
        return row

    def _by_register(self, model: type[Visit] | type[Letter], uid: str | None, kind: str) -> Any:
        parts = _split_uid(uid, self.code, kind) if uid else None
        if parts is None:
            return None
        return db.session.scalar(select(model).where(model.unit_id == self.unit.id,
                                                     model.register_year == parts[0],
                                                     model.register_no == parts[1]))

    # -- visits
    def visit(self, rec: dict[str, Any]) -> None:
        existing = self._by_register(Visit, rec["uid"], "visit")
        if existing is not None:
            if existing.visited_on.isoformat() != rec["visited_on"] or existing.content != rec["content"]:
                self.errors.append(RecordError(rec["uid"], "register_no", "exchange_register_clash"))
            else:
                self.result.skipped["visits"] += 1
            return
        v = Visit(unit_id=self.unit.id, register_year=rec["register_year"], register_no=rec["register_no"],
                  visited_on=date.fromisoformat(rec["visited_on"]),
                  visited_at=datetime.fromisoformat(rec["visited_at"]) if rec.get("visited_at") else None)
        for name in ("channel", "kind", "host", "host_name", "people_count", "is_group", "content",
                     "classification", "subject", "previously_handled_by", "within_competence", "handling",
                     "handling_document_no", "referred_to", "decline_ground", "result_followup", "note"):
            setattr(v, name, rec.get(name))
        s = rec.get("session")
        if s:
            held = date.fromisoformat(s["held_on"])
            session = db.session.scalar(select(ReceptionSession).where(
                ReceptionSession.unit_id == self.unit.id, ReceptionSession.held_on == held,
                ReceptionSession.kind == s["kind"]))
            if session is None:
                session = ReceptionSession(unit_id=self.unit.id, held_on=held, kind=s["kind"], host=s["host"],
                                           host_name=s.get("host_name"), place=s.get("place"))
                db.session.add(session)
            v.session = session
        v.visitors = [VisitCitizen(citizen=self.citizen(p["citizen"]), position=p["position"],
                                   is_representative=p["is_representative"]) for p in rec["visitors"]["people"]]
        db.session.add(v)
        counters.raise_to(self.unit.id, "visits", v.register_year, v.register_no)
        db.session.flush()
        self.result.created["visits"] += 1

    # -- letters
    def _handling(self, letter: Letter, rec: dict[str, Any]) -> None:
        h = rec["handling"]
        doc = h["document"]
        letter.status = rec["status"]
        letter.eligible, letter.within_competence, letter.decision = (h.get("eligible"), h.get("within_competence"),
                                                                      h.get("decision"))
        letter.decided_on = date.fromisoformat(h["decided_on"]) if h.get("decided_on") else None
        letter.decision_reason, letter.to_body = h.get("reason"), h.get("to_body")
        letter.decision_document_no, letter.decision_signer = doc.get("no"), doc.get("signer")
        letter.decision_document_date = date.fromisoformat(doc["date"]) if doc.get("date") else None

    def _clocks(self, owner: dict[str, Any], items: list[dict[str, Any]]) -> None:
        for k in items:
            db.session.add(Clock(unit_id=self.unit.id, **owner, clock=k["clock"], rule_code=k["rule_code"],
                                 start_on=date.fromisoformat(k["start_on"]), due_on=_opt_date(k.get("due_on")),
                                 nominal_due_on=_opt_date(k.get("nominal_due_on")), status=k["status"],
                                 met_on=_opt_date(k.get("met_on")), delay_reason=k.get("delay_reason"),
                                 delay_note=k.get("delay_note")))

    def letter(self, rec: dict[str, Any]) -> None:
        existing = self._by_register(Letter, rec["uid"], "letter")
        if existing is not None:
            if (existing.received_on.isoformat(), existing.kind, existing.summary) != (
                    rec["received_on"], rec["kind"], rec["summary"]):
                self.errors.append(RecordError(rec["uid"], "register_no", "exchange_register_clash"))
            elif existing.status == "registered" and rec["status"] == "handled":
                # A later state of the same letter (handled after the earlier file): the file brings it up to date.
                self._handling(existing, rec)
                db.session.execute(table(Clock).delete().where(Clock.letter_id == existing.id))
                self._clocks({"letter_id": existing.id}, rec["clocks"])
                db.session.flush()
                self.result.updated["letters"] += 1
            else:
                self.result.skipped["letters"] += 1
            return
        code = rec["tracking_code"]
        if db.session.scalar(select(Letter.id).where(Letter.tracking_code == code)) is not None:
            code = new_tracking_code()
            self.warn(rec["uid"], "tracking_code", "exchange_tracking_code_new")
        letter = Letter(unit_id=self.unit.id, register_year=rec["register_year"], register_no=rec["register_no"],
                        tracking_code=code, received_on=date.fromisoformat(rec["received_on"]),
                        from_document_date=_opt_date(rec.get("from_document_date")))
        for name in ("channel", "from_body", "from_document_no", "kind", "mediation_type", "subject", "summary",
                     "anonymous", "multi_signature", "signer_count", "complex", "second_instance"):
            setattr(letter, name, rec.get(name))
        self._handling(letter, rec)
        if rec.get("visit"):
            visit = self._by_register(Visit, rec["visit"], "visit")
            if visit is None:
                self.warn(rec["uid"], "visit", "exchange_reference_missing")
            letter.visit_id = visit.id if visit else None
        letter.senders = [LetterSender(citizen=self.citizen(p["citizen"]), position=p["position"],
                                       is_representative=p["is_representative"]) for p in rec["senders"]["people"]]
        letter.confidential = bool(rec["senders"].get("confidential"))
        db.session.add(letter)
        counters.raise_to(self.unit.id, "letters", letter.register_year, letter.register_no)
        db.session.flush()
        self._clocks({"letter_id": letter.id}, rec["clocks"])
        for name in ("duplicate_of", "split_from"):
            if rec.get(name):
                self.letter_links.append((letter, name, rec[name], rec["uid"]))
        self.result.created["letters"] += 1

    # -- cases: named by (letter, kind)
    def _case_of(self, ref: dict[str, Any] | None) -> Case | None:
        if not ref:
            return None
        letter = self._by_register(Letter, ref.get("letter"), "letter")
        if letter is None:
            return None
        return db.session.scalar(select(Case).where(Case.letter_id == letter.id, Case.kind == ref["kind"]))

    def _group(self, g: dict[str, Any] | None) -> int | None:
        if not g:
            return None
        if g["name"] not in self.groups:
            row = db.session.scalar(select(MediationGroup).where(MediationGroup.unit_id == self.unit.id,
                                                                 MediationGroup.name == g["name"]))
            if row is None:
                row = MediationGroup(unit_id=self.unit.id, name=g["name"], neighbourhood=g.get("neighbourhood"))
                db.session.add(row)
                db.session.flush()
            self.groups[g["name"]] = row
        return self.groups[g["name"]].id

    def _case_fields(self, c: Case, rec: dict[str, Any]) -> None:
        for name in ("kind", "status", "is_open", "status_before_suspension", "subject", "summary", "instance",
                     "complexity", "remote_area", "acceptance_document_no", "extensions", "outcome", "next_clock",
                     "awaiting_decision"):
            setattr(c, name, rec.get(name))
        for name in ("received_on", "accepted_on", "closed_on", "next_due_on"):
            setattr(c, name, _opt_date(rec.get(name)))
        c.mediation_group_id = self._group(rec.get("mediation_group"))

    def _events(self, c: Case, items: list[dict[str, Any]]) -> list[tuple[CaseEvent, dict[str, Any]]]:
        added = []
        for e in items:
            doc = e["document"]
            data = e.get("data")
            row = CaseEvent(case_id=c.id, unit_id=self.unit.id, at=datetime.fromisoformat(e["at"]),
                            on=date.fromisoformat(e["on"]), action=e["action"], from_status=e.get("from_status"),
                            to_status=e.get("to_status"), outcome=e.get("outcome"), actor_id=None,
                            document_no=doc.get("no"), document_date=_opt_date(doc.get("date")),
                            document_signer=doc.get("signer"), note=e.get("note"),
                            data=json.dumps(data, ensure_ascii=False) if data is not None else None)
            db.session.add(row)
            added.append((row, e))
        return added

    def case(self, rec: dict[str, Any]) -> None:
        letter = self._by_register(Letter, rec["letter"], "letter")
        if letter is None:
            self.errors.append(RecordError(rec["uid"], "letter", "exchange_reference_missing"))
            return
        existing = db.session.scalar(select(Case).where(Case.letter_id == letter.id, Case.kind == rec["kind"]))
        if existing is not None:
            have = [(e.at, e.action) for e in db.session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == existing.id).order_by(CaseEvent.id))]
            want = [(datetime.fromisoformat(e["at"]), e["action"]) for e in rec["events"]]
            if len(have) < len(want) and want[:len(have)] == have:
                # The file carries a later state of this case: add the new timeline entries, take its clocks.
                self._case_fields(existing, rec)
                db.session.execute(table(Clock).delete().where(Clock.case_id == existing.id))
                db.session.execute(table(CasePause).delete().where(CasePause.case_id == existing.id))
                self._clocks({"case_id": existing.id}, rec["clocks"])
                self._pauses(existing, rec["pauses"])
                offset = len(have)
                events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == existing.id)
                                            .order_by(CaseEvent.id)).all()
                added = list(zip(events, rec["events"][:offset], strict=True)) + self._events(
                    existing, rec["events"][offset:])
                db.session.flush()
                self.case_links.append((existing, rec.get("linked_case"), added))
                self.result.updated["cases"] += 1
            else:
                if want[:len(have)] != have[:len(want)]:
                    self.warn(rec["uid"], "events", "exchange_case_diverged")
                self.result.skipped["cases"] += 1
            return
        c = Case(unit_id=self.unit.id, letter_id=letter.id, confidential=bool(letter.confidential))
        self._case_fields(c, rec)
        # A case numbered in this unit's own book: the sending unit's number is its own.
        c.register_year = c.accepted_on.year
        c.register_no = counters.next_number(self.unit.id, CASE_BOOK, c.register_year)
        db.session.add(c)
        db.session.flush()
        self._clocks({"case_id": c.id}, rec["clocks"])
        self._pauses(c, rec["pauses"])
        added = self._events(c, rec["events"])
        db.session.flush()
        self.case_links.append((c, rec.get("linked_case"), added))
        self.result.created["cases"] += 1

    def _pauses(self, c: Case, items: list[dict[str, Any]]) -> None:
        for p in items:
            db.session.add(CasePause(case_id=c.id, suspended_on=date.fromisoformat(p["suspended_on"]),
                                     resumed_on=_opt_date(p.get("resumed_on")), reason=p.get("reason")))

    def links(self) -> None:
        """References resolved once every record is in: duplicates, split letters, linked cases, and the
        ids hidden in timeline data (which entry caused a re-timing, which case a dispute opened)."""
        for letter, name, uid, owner in self.letter_links:
            other = self._by_register(Letter, uid, "letter")
            if other is None:
                self.warn(owner, name, "exchange_reference_missing")
            setattr(letter, name + "_id", other.id if other else None)
        for c, ref, added in self.case_links:
            linked = self._case_of(ref)
            if ref and linked is None:
                self.warn(_uid(self.code, "case", c.id), "linked_case", "exchange_reference_missing")
            c.linked_case_id = linked.id if linked else None
            by_seq = {e["seq"]: row for row, e in added}
            for row, e in added:
                data = e.get("data")
                if not isinstance(data, dict) or not ({"event_seq", "linked_case"} & data.keys()):
                    continue
                data = dict(data)
                if "event_seq" in data:
                    target = by_seq.get(data.pop("event_seq"))
                    data["event"] = target.id if target is not None else None
                if isinstance(data.get("linked_case"), dict):
                    other = self._case_of(data["linked_case"])
                    data["linked_case"] = other.id if other else None
                row.data = json.dumps(data, ensure_ascii=False)
        db.session.flush()


MESSAGES.update({
    "exchange_tracking_code_new": _l("The tracking code was already used here; a new one was given."),
    "exchange_case_diverged": _l("This case has a different history here; it was left as it is."),
})


def _opt_date(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _seekable(source: str | os.PathLike[str] | IO[str] | IO[bytes]) -> tuple[IO[str], str]:
    """A text stream that can be read twice (a pipe is copied to a temporary file first), and what to do
    with it afterwards: ``close`` it (ours), ``detach`` it (a wrapper around the caller's bytes) or ``keep``."""
    if isinstance(source, str | os.PathLike):
        return open(source, encoding="utf-8"), "close"  # noqa: SIM115 - closed by the caller
    stream: IO[Any] = source
    owned = False
    if not stream.seekable():
        tmp = tempfile.TemporaryFile("w+b" if not isinstance(stream, io.TextIOBase) else "w+")
        shutil.copyfileobj(stream, tmp)
        tmp.seek(0)
        stream, owned = tmp, True
    if isinstance(stream, io.TextIOBase):
        return stream, "close" if owned else "keep"
    return io.TextIOWrapper(stream, encoding="utf-8"), "close" if owned else "detach"


def import_file(unit: Unit, source: str | os.PathLike[str] | IO[str] | IO[bytes], *, dry_run: bool = False,
                from_unit: str | None = None, user: User | None = None) -> ImportResult:
    """Take in an exchange file: check everything, then write it in one transaction (or nothing).

    Records whose uid already exists here are skipped (a re-import changes nothing), or brought up to date
    when the file holds a later state of the same letter or case. The file must be the target unit's own, a
    unit merged into it, or the unit named by ``from_unit`` (an explicit choice to load another unit's file).

    :raises ExchangeRefused: every problem found, each named by record uid and field; nothing written.
    """
    if user is not None and (not access.can(user, "exchange.import") or user.unit_id != unit.id):
        raise ForbiddenError("forbidden")
    stream, after = _seekable(source)
    try:
        start = stream.tell()
        scan = _scan(stream, unit, from_unit)
        if scan.errors:
            raise ExchangeRefused(scan.errors)
        result = ImportResult(dry_run=dry_run)
        writer = _Writer(unit, scan.header["unit"]["code"], scan, result)
        stream.seek(start)
        try:
            for _number, rec in _lines(stream):
                kind = rec.get("type")
                if kind == "citizen":
                    writer.citizens[rec["uid"]] = rec
                elif kind in ("visit", "letter", "case"):
                    getattr(writer, kind)(rec)
            writer.links()
            if writer.errors:
                raise ExchangeRefused(writer.errors)
            audit.record_event(db.session, "exchange_import", "units", unit.id, unit.id, {
                "from_unit": writer.code, "period": scan.header.get("period"), "created": result.created,
                "updated": result.updated, "skipped": result.skipped, "dry_run": dry_run})
        except BaseException:
            db.session.rollback()
            raise
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
        return result
    finally:
        if after == "close":
            stream.close()
        elif after == "detach":
            stream.detach()  # type: ignore[attr-defined]  # leave the caller's stream open
