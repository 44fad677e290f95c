"""API bearer tokens: shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken
from tracker.models import User
from tracker.services.errors import ValidationError


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(username: str) -> str:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        raise ValidationError({"username": "user_not_found"})
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token)))
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    return row.user
