"""The in-app inbox: reminders, instructions and re-timing notices, e-mailed when SMTP is set.

A notification carries a message code and parameters, rendered in the reader's language; its
``dedupe_key`` makes every producer idempotent (a job run twice writes nothing new).
"""
from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.messages import message
from tracker.models import Notification
from tracker.models import User
from tracker.models.base import utcnow

MESSAGES.update({
    "remind_due": _l("Case no. %(case_id)s: the step “%(step)s” is due on %(due)s (in %(days)s days)."),
    "remind_overdue": _l("Case no. %(case_id)s: the step “%(step)s” was due on %(due)s (%(days)s days overdue)."),
    "remind_letter": _l("Letter no. %(register_no)s/%(year)s: the step “%(step)s” is due on %(due)s."),
    "instruction_given": _l("New instruction on case no. %(case_id)s: %(text)s (due %(due)s)."),
    "case_retimed": _l("Case no. %(case_id)s: a due date changed from %(old)s to %(new)s."),
    "week_already_reviewed": _l("This week's list has already been marked as reviewed."),
})


def notify(user_id: int, unit_id: int, kind: str, code: str, params: dict[str, Any], dedupe_key: str, *,
           case_id: int | None = None, letter_id: int | None = None) -> bool:
    """Add a notification unless one with the same key exists; True when it was added.
    Runs inside the caller's transaction (a savepoint absorbs a concurrent duplicate)."""
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Notification(user_id=user_id, unit_id=unit_id, kind=kind, message=code,
                                        params=json.dumps(params, ensure_ascii=False, default=str),
                                        dedupe_key=dedupe_key, case_id=case_id, letter_id=letter_id))
    except IntegrityError:
        return False
    return True


def render(notification: Notification) -> str:
    params = json.loads(notification.params) if notification.params else {}
    return message(notification.message, **params)


def unread_count(user: User) -> int:
    return int(db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0)


def inbox_query(user: User, unread_only: bool = False):  # type: ignore[no-untyped-def]
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.id.desc())


def mark_read(user: User, ids: list[int] | None = None) -> int:
    stmt = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(ids))
    count: int = db.session.execute(stmt.values(read_at=utcnow())).rowcount  # type: ignore[attr-defined]
    db.session.commit()
    return int(count or 0)
