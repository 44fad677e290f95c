"""API bearer tokens: shown once, stored only as a SHA-256 hash."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import joinedload

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
    """The active user of a live token, with its unit, in one query (it runs on every API call)."""
    return db.session.scalar(
        select(User).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None), User.active.is_(True))
        .options(joinedload(User.unit)))
