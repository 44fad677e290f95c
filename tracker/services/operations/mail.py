"""Outgoing e-mail through TRACKER_SMTP_URL (smtp://[user:pass@]host[:port][?starttls=1&from=addr]).

Sends the notifications not yet e-mailed to users who have an address; each is marked in the same
transaction that records the send, so a failure leaves it for the next run.
"""
from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Notification
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services.operations.inbox import render

BATCH = 200


def smtp_settings() -> dict[str, object] | None:
    url = current_app.config.get("SMTP_URL")
    if not url:
        return None
    parts = urlsplit(str(url))
    query = parse_qs(parts.query)
    return {
        "host": parts.hostname or "localhost", "port": parts.port or (465 if parts.scheme == "smtps" else 25),
        "ssl": parts.scheme == "smtps", "starttls": query.get("starttls", ["0"])[0] in ("1", "true"),
        "user": unquote(parts.username) if parts.username else None,
        "password": unquote(parts.password) if parts.password else None,
        "sender": query.get("from", ["so-tiep-dan@localhost"])[0],
    }


def send_pending() -> int:
    """E-mail the notifications not yet sent; returns how many went out (0 without SMTP)."""
    settings = smtp_settings()
    if settings is None:
        return 0
    rows = db.session.execute(
        select(Notification, User).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email.is_not(None), User.active.is_(True))
        .order_by(Notification.id).limit(BATCH)).all()
    if not rows:
        return 0
    client_class = smtplib.SMTP_SSL if settings["ssl"] else smtplib.SMTP
    sent = 0
    with client_class(str(settings["host"]), int(str(settings["port"])), timeout=20) as smtp:
        if settings["starttls"]:
            smtp.starttls()
        if settings["user"]:
            smtp.login(str(settings["user"]), str(settings["password"] or ""))
        for note, user in rows:
            with force_locale(user.locale or "vi"):
                mail = EmailMessage()
                mail["From"], mail["To"] = str(settings["sender"]), str(user.email)
                mail["Subject"] = _("Reception book: reminder")
                mail.set_content(render(note))
            smtp.send_message(mail)
            note.emailed_at = utcnow()
            db.session.commit()
            sent += 1
    return sent
