"""Anonymisation of personal data whose retention period is over (Luật 91/2025/QH15, NĐ 356/2025; domain.md §10).

Records are not deleted — the numbers of every report must stay exactly the same — but every field
that can identify a person is removed:

- citizens: the name becomes "Đã ẩn danh #<id>", the search key is emptied, the ID number, phone,
  address, neighbourhood and birth year are cleared (gender, which identifies nobody, is kept);
- visits, letters, cases, bookings: free text cannot be scrubbed reliably, so the content / summary /
  topic becomes ``TOKEN`` and the other free-text fields (notes, follow-up, handling reason, case
  timeline notes and minutes, clock delay notes, suspension reasons) are emptied. Every field a
  statistic uses (kind, classification, subject, channel, dates, handling, outcome, counts, clocks)
  is kept;
- attachments: the files and their rows are deleted;
- the audit log: the before/after values of the personal fields of those records are replaced by
  "***" (see :func:`scrub_audit`), and the chairperson's frozen weekly lists lose the summaries and
  names they quoted.

Which records are due is decided in SQL from the retention schedule (``rule_params`` rows
``retention_*``, tracker/rules/data/retention.py). A record already anonymised is recognised by its
neutral text, so a run is idempotent and needs no extra column.

Every write here is a Core UPDATE/DELETE, on purpose: the ORM audit listener would copy the old
personal values into the audit log as the "before" of an update, which is exactly what must go.
What was done is recorded instead as one "anonymise" audit event with the ids and counts.
"""
from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any

from sqlalchemy import String
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import literal
from sqlalchemy import not_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from tracker.extensions import db
from tracker.models import Attachment
from tracker.models import AuditEntry
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import CasePause
from tracker.models import Citizen
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import LetterSender
from tracker.models import RuleParam
from tracker.models import SessionBooking
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.models.base import table as table_of
from tracker.models.base import utcnow
from tracker.models.weekly import WeeklySnapshot
from tracker.rules.data.retention import DEFAULTS
from tracker.rules.data.retention import KEYS
from tracker.rules.params import Param
from tracker.rules.params import values_on
from tracker.services.privacy import audit

log = logging.getLogger(__name__)

TOKEN = "[đã xóa theo thời hạn lưu trữ]"
CITIZEN_PREFIX = "Đã ẩn danh #"
REDACTED = audit.REDACTED
CHUNK = 500

# Audit entities whose "changes" may quote personal data, and the keys to blank.
AUDIT_FIELDS: dict[str, tuple[str, ...]] = {
    "citizens": ("full_name", "name_key", "id_number", "id_number_hash", "id_number_enc", "birth_year", "phone",
                 "address", "neighbourhood"),
    "visits": ("content", "note", "result_followup"),
    "letters": ("summary", "decision_reason"),
    "cases": ("summary",),
    "case_events": ("note", "data"),
    "clocks": ("delay_note",),
    "case_pauses": ("reason",),
    "session_bookings": ("topic",),
    "attachments": ("filename",),
    # A frozen weekly list quotes summaries and names; its creation row copies the whole list.
    "weekly_snapshots": ("data",),
}


# --- the schedule -----------------------------------------------------------------------------------

def retention_rows() -> list[Param]:
    """The schedule as it stands: the table's ``retention_*`` rows, else the shipped defaults."""
    rows = db.session.scalars(select(RuleParam).where(RuleParam.key.like("retention\\_%", escape="\\"))).all()
    table = [Param(r.key, r.value, r.effective_from, r.effective_to, r.legal_basis, r.certainty) for r in rows]
    keys = {p.key for p in table}
    return table + [p for p in DEFAULTS if p.key not in keys]


def retention_on(day: date) -> dict[str, int]:
    """Months of retention per record type (tracker.rules.data.retention.KEYS) in force on ``day``;
    a type with no period in force then is missing (nothing of that type is anonymised)."""
    values = values_on(retention_rows(), day)
    return {kind: values[key] for kind, key in KEYS.items() if key in values}


def seed_retention() -> int:
    """Insert the shipped retention periods not yet in ``rule_params`` (so that an administrator can
    correct them); never overwrites a correction."""
    existing = {(k, f) for k, f in db.session.execute(select(RuleParam.key, RuleParam.effective_from))}
    added = 0
    for p in DEFAULTS:
        if (p.key, p.effective_from) not in existing:
            db.session.add(RuleParam(key=p.key, value=p.value, effective_from=p.effective_from,
                                     effective_to=p.effective_to, legal_basis=p.legal_basis, certainty=p.certainty))
            added += 1
    db.session.commit()
    return added


def months_before(day: date, months: int) -> date:
    """``day`` moved back by whole months (31 March − 1 month = 28/29 February)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# --- what is due ------------------------------------------------------------------------------------

@dataclass
class Due:
    visits: list[int] = field(default_factory=list)
    letters: list[int] = field(default_factory=list)
    cases: list[int] = field(default_factory=list)
    bookings: list[int] = field(default_factory=list)
    citizens: list[int] = field(default_factory=list)
    attachments: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in asdict(self).items()}

    @property
    def empty(self) -> bool:
        return not any(asdict(self).values())


class _Conditions:
    """The SQL conditions of "time is up" ("due") and "due or already anonymised" ("gone")."""

    def __init__(self, today: date) -> None:
        months = retention_on(today)
        never = literal(False)

        def cut(kind: str) -> date | None:
            return months_before(today, months[kind]) if kind in months else None

        v, la, lh, c, idle, att = (cut(k) for k in ("visit", "letter_archived", "letter_handled", "case_closed",
                                                    "citizen_idle", "attachment"))
        self.visit_expired = Visit.visited_on <= v if v else never
        self.visit_gone = or_(Visit.content == TOKEN, self.visit_expired)
        self.visit_due = and_(Visit.content != TOKEN, self.visit_expired)
        self.booking_expired = SessionBooking.booked_on <= v if v else never
        self.booking_gone = or_(SessionBooking.topic == TOKEN, self.booking_expired)
        self.booking_due = and_(SessionBooking.topic != TOKEN, self.booking_expired)
        self.case_expired = and_(Case.is_open.is_(False), Case.closed_on <= c) if c else never
        self.case_gone = or_(Case.summary == TOKEN, self.case_expired)
        self.case_due = and_(Case.summary != TOKEN, self.case_expired)
        other = select(Case.id).where(Case.letter_id == Letter.id)
        letter_expired = or_(
            and_(Letter.decision == "archive", Letter.decided_on <= la) if la else never,
            and_(Letter.decision.in_(("transfer", "guide", "return")), Letter.decided_on <= lh) if lh else never,
            and_(Letter.decision == "accept", exists(other), ~exists(other.where(not_(self.case_gone)))),
        )
        self.letter_gone = or_(Letter.summary == TOKEN, letter_expired)
        self.letter_due = and_(Letter.summary != TOKEN, letter_expired)
        idle_since = datetime.combine(idle, time(23, 59, 59), tzinfo=UTC) if idle else None
        self.citizen_due = and_(
            not_(Citizen.full_name.like(CITIZEN_PREFIX + "%")),
            Citizen.created_at <= idle_since if idle_since else never,
            ~exists(select(VisitCitizen.visit_id).join(Visit, Visit.id == VisitCitizen.visit_id)
                    .where(VisitCitizen.citizen_id == Citizen.id, not_(self.visit_gone))),
            ~exists(select(LetterSender.letter_id).join(Letter, Letter.id == LetterSender.letter_id)
                    .where(LetterSender.citizen_id == Citizen.id, not_(self.letter_gone))),
            ~exists(select(SessionBooking.id).where(SessionBooking.citizen_id == Citizen.id,
                                                    not_(self.booking_gone))),
        )
        att_cut = datetime.combine(att, time(23, 59, 59), tzinfo=UTC) if att is not None else None
        self.attachment_due = and_(
            Attachment.created_at <= att_cut if att_cut else never,
            or_(Attachment.letter_id.in_(select(Letter.id).where(self.letter_gone)),
                Attachment.case_id.in_(select(Case.id).where(self.case_gone))),
        )


def due_for_anonymisation(today: date) -> Due:
    """The ids of every record whose retention period is over on ``today`` and that still holds
    personal data (one query per record type)."""
    c = _Conditions(today)

    def ids(column: Any, condition: Any) -> list[int]:
        return list(db.session.scalars(select(column).where(condition).order_by(column)))

    return Due(visits=ids(Visit.id, c.visit_due), letters=ids(Letter.id, c.letter_due),
               cases=ids(Case.id, c.case_due), bookings=ids(SessionBooking.id, c.booking_due),
               citizens=ids(Citizen.id, c.citizen_due), attachments=ids(Attachment.id, c.attachment_due))


# --- doing it -----------------------------------------------------------------------------------------

def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def _update(model: Any, ids: list[int], values: dict[str, Any], column: Any = None) -> None:
    column = model.id if column is None else column
    if "version" in model.__table__.c:
        values = {**values, "version": model.version + 1}
    if "updated_at" in model.__table__.c:
        values = {**values, "updated_at": utcnow()}
    for chunk in _chunks(ids):
        db.session.execute(update(model).where(column.in_(chunk)).values(**values)
                           .execution_options(synchronize_session=False))


def _scrub_json(value: Any, keys: tuple[str, ...]) -> Any:
    if isinstance(value, dict):
        return {k: (_blank(v) if k in keys else _scrub_json(v, keys)) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v, keys) for v in value]
    return value


def _blank(value: Any) -> Any:
    if isinstance(value, list):
        return [None if v is None else REDACTED for v in value]
    return None if value is None else REDACTED


def scrub_audit(entity_ids: dict[str, list[int]]) -> int:
    """Blank the personal fields in the ``changes`` of the audit rows of the given records.

    This is the one place where audit rows are rewritten, deliberately and only here: the log stays
    append-only for everything else (the ORM guard ``audit._refuse_audit_change`` refuses updates and
    deletes of AuditEntry objects), but Luật 91/2025 requires the personal data it quotes to go when the record's
    time is up. The row itself stays — who did what, when, to which record — only the quoted values of
    the fields listed in ``AUDIT_FIELDS`` become "***". A Core UPDATE is used on purpose (the ORM
    guard would refuse it), and the run is recorded by its own "anonymise" event. The database refuses
    any change of an audit row (triggers of migration 0007) except a rewrite of ``changes`` inside
    :func:`tracker.services.privacy.audit.audit_unlocked`, which this function alone uses.
    """
    with audit.audit_unlocked(db.session):
        return _scrub_audit_rows(table_of(AuditEntry), entity_ids)


def _scrub_audit_rows(table: Any, entity_ids: dict[str, list[int]]) -> int:
    changed = 0
    for entity, ids in entity_ids.items():
        keys = AUDIT_FIELDS[entity]
        for chunk in _chunks(ids):
            rows = db.session.execute(select(table.c.id, table.c.changes).where(
                table.c.entity == entity, table.c.entity_id.in_(chunk), table.c.changes.is_not(None))).all()
            for row_id, text in rows:
                try:
                    doc = json.loads(text)
                except ValueError:
                    doc = None
                new = json.dumps(_scrub_json(doc, keys), ensure_ascii=False, sort_keys=True) if doc else None
                if new != text:
                    db.session.execute(update(table).where(table.c.id == row_id).values(changes=new))
                    changed += 1
    return changed


def _scrub_snapshots(cases: set[int], bookings: set[int], names: set[str]) -> list[int]:
    """The frozen weekly lists quote case summaries and the names and topics of bookings; returns
    the ids of the lists changed."""
    if not (cases or bookings or names):
        return []

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items()}
            if out.get("case_id") in cases and "summary" in out:
                out["summary"] = TOKEN
            if out.get("booking_id") in bookings:
                out.update({k: TOKEN for k in ("topic",) if out.get(k)})
                out.update({k: None for k in ("name",) if k in out})
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, str) and any(n in value for n in names):
            return TOKEN
        return value

    changed: list[int] = []
    table = table_of(WeeklySnapshot)
    for row_id, text in db.session.execute(select(table.c.id, table.c.data)).all():
        new = json.dumps(walk(json.loads(text)), ensure_ascii=False, sort_keys=True)
        if new != json.dumps(json.loads(text), ensure_ascii=False, sort_keys=True):
            db.session.execute(update(table).where(table.c.id == row_id).values(data=new))
            changed.append(row_id)
    return changed


def _ids(stmt: Any) -> list[int]:
    return list(db.session.scalars(stmt))


def anonymise(today: date, *, dry_run: bool = False) -> Due:
    """Anonymise every record whose time is up on ``today`` and commit (nothing is written with
    ``dry_run``); returns what was (or would be) anonymised. The files of deleted attachments are
    removed after the commit."""
    from tracker.services.letters.attachments import AttachmentCorrupt
    from tracker.services.letters.attachments import stored_path

    due = due_for_anonymisation(today)
    if dry_run or due.empty:
        return due
    events = _in(CaseEvent.id, CaseEvent.case_id, due.cases)
    pauses = _in(CasePause.id, CasePause.case_id, due.cases)
    clocks = _in(Clock.id, Clock.case_id, due.cases) + _in(Clock.id, Clock.letter_id, due.letters)
    names = {n for chunk in _chunks(due.citizens) for n in db.session.scalars(
        select(Citizen.full_name).where(Citizen.id.in_(chunk))) if len(n) >= 4}
    files = []
    for chunk in _chunks(due.attachments):
        for a in db.session.scalars(select(Attachment).where(Attachment.id.in_(chunk))):
            try:
                files.append(stored_path(a))
            except AttachmentCorrupt:  # a stored name the server never makes: no file of ours to remove
                log.warning("attachment %s has no valid stored name", a.id)

    _update(Visit, due.visits, {"content": TOKEN, "note": None, "result_followup": None})
    _update(Letter, due.letters, {"summary": TOKEN, "decision_reason": None})
    _update(Case, due.cases, {"summary": TOKEN})
    _update(CaseEvent, events, {"note": None, "data": None})
    _update(CasePause, pauses, {"reason": None})
    _update(Clock, clocks, {"delay_note": None})
    _update(SessionBooking, due.bookings, {"topic": TOKEN})
    for chunk in _chunks(due.citizens):
        db.session.execute(
            update(Citizen).where(Citizen.id.in_(chunk))
            .values(full_name=literal(CITIZEN_PREFIX, String) + cast(Citizen.id, String),
                    name_key="", id_number_hash=None, id_number_enc=None, birth_year=None, phone=None,
                    address=None, neighbourhood=None,
                    version=Citizen.version + 1, updated_at=utcnow())
            .execution_options(synchronize_session=False))
    for chunk in _chunks(due.attachments):
        db.session.execute(delete(Attachment).where(Attachment.id.in_(chunk))
                           .execution_options(synchronize_session=False))
    snapshots = _scrub_snapshots(set(due.cases), set(due.bookings), names)
    scrubbed = scrub_audit({"citizens": due.citizens, "visits": due.visits, "letters": due.letters,
                            "cases": due.cases, "case_events": events, "clocks": clocks, "case_pauses": pauses,
                            "session_bookings": due.bookings, "attachments": due.attachments,
                            "weekly_snapshots": snapshots})
    audit.record_event(db.session, "anonymise", "privacy", None, None, {
        "on": today.isoformat(), "counts": due.counts(), "ids": asdict(due), "retention_months": retention_on(today),
        "audit_rows_scrubbed": scrubbed, "weekly_snapshots_scrubbed": len(snapshots)})
    db.session.commit()
    db.session.expire_all()
    for path in files:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError:  # pragma: no cover - logged, the row is gone already
            log.exception("could not remove %s", path)
    return due


def _in(column: Any, owner: Any, ids: Iterable[int]) -> list[int]:
    out: list[int] = []
    for chunk in _chunks(list(ids)):
        out += _ids(select(column).where(owner.in_(chunk)))
    return out
