"""API bearer tokens: shown once, stored only as a SHA-256 hash.

A token lives until its expiry (``expires_at``: ``TRACKER_API_TOKEN_DAYS`` days by default, or the days
given when it is issued) unless it is revoked first: by hand (CLI ``tokens revoke``, the admin page), or
by :func:`revoke_user_tokens`, which a password reset, a password change and a deactivation call. A
revoked token never comes back: re-activating the account gives it no token. A ``read`` token may only
read (the API's auth layer refuses every other method, tracker.api.auth).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import ApiToken
from tracker.models import User
from tracker.models.base import table
from tracker.models.base import utcnow
from tracker.models.users import TOKEN_SCOPES
from tracker.services.errors import ConflictError
from tracker.services.errors import NotFoundError
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic

MESSAGES.update({
    "token_days_invalid": _l("The validity must be a whole number of days between 1 and %(limit)s."),
    "token_scope_invalid": _l("The scope must be “read” or “write”."),
    "token_name_too_long": _l("The label may have at most %(limit)s characters."),
    "token_not_found": _l("There is no such API token."),
    "token_already_revoked": _l("This API token has already been revoked."),
    "token_revoke_target": _l("Give the number of a token or --user, not both."),
    "token_read_only": _l("This API token may only read: it cannot change anything."),
})

MAX_DAYS = 3650
NAME_MAX = 100
DEFAULT_DAYS = 90
# The last use is written at most this often per token: a write per API call would double the cost of reads.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def default_days() -> int:
    """``TRACKER_API_TOKEN_DAYS`` (90 unless set)."""
    return int(current_app.config.get("API_TOKEN_DAYS") or DEFAULT_DAYS)


@atomic
def issue_token(username: str, *, days: int | None = None, name: str = "", scope: str = "write") -> str:
    """A new token of ``username`` (an active account); only its hash is kept, the token is returned once."""
    errors: dict[str, str] = {}
    params: dict[str, object] = {}
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        errors["username"] = "user_not_found"
    days = default_days() if days is None else days
    if not 1 <= days <= MAX_DAYS:
        errors["days"], params["limit"] = "token_days_invalid", MAX_DAYS
    if scope not in TOKEN_SCOPES:
        errors["scope"] = "token_scope_invalid"
    if len(name.strip()) > NAME_MAX:
        errors["name"], params["limit"] = "token_name_too_long", NAME_MAX
    if errors:
        raise ValidationError(errors, **params)
    assert user is not None
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(ApiToken(user=user, token_hash=_digest(token), name=name.strip(), scope=scope, created_at=now,
                            expires_at=now + timedelta(days=days)))
    return token


def live_token(token: str) -> ApiToken | None:
    """The live token (not revoked, not expired, of an active user), with its user and unit, in one query
    (it runs on every API call); its last use is written when the stored one is older than TOUCH_EVERY."""
    now = utcnow()
    row = db.session.scalar(
        select(ApiToken).join(ApiToken.user)
        .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None), ApiToken.expires_at > now,
               User.active.is_(True))
        .options(joinedload(ApiToken.user).joinedload(User.unit)))
    if row is not None and (row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY):
        # Its own short transaction: the request's session stays untouched (a GET commits nothing), and a
        # use is not an audited change of the token.
        with db.engine.begin() as conn:
            conn.execute(update(table(ApiToken)).where(table(ApiToken).c.id == row.id)
                         .values(last_used_at=now))
    return row


def user_for_token(token: str) -> User | None:
    """The active user of a live token."""
    row = live_token(token)
    return row.user if row is not None else None


def status_of(row: ApiToken, now: datetime | None = None) -> str:
    if row.revoked_at is not None:
        return "revoked"
    return "active" if row.expires_at > (now or utcnow()) else "expired"


def tokens_query(*, unit_ids: Select[int] | None = None, username: str | None = None,
                 live_only: bool = False) -> Select[ApiToken]:
    """Tokens, newest first, with their owner: of the users of ``unit_ids`` (a subquery), of one user,
    and only the live ones if asked."""
    stmt = select(ApiToken).join(ApiToken.user).options(joinedload(ApiToken.user).joinedload(User.unit))
    if unit_ids is not None:
        stmt = stmt.where(User.unit_id.in_(unit_ids))
    if username is not None:
        stmt = stmt.where(User.username == username)
    if live_only:
        stmt = stmt.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow())
    return stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())


@atomic
def revoke_token(token_id: int, *, unit_ids: Select[int] | None = None) -> ApiToken:
    """Revoke one token by hand (audited as a change of the token, under the acting user). ``unit_ids``:
    the units whose users' tokens the actor may revoke; another unit's token is "not found".

    :raises NotFoundError: ``token_not_found``. :raises ConflictError: ``token_already_revoked``.
    """
    stmt = select(ApiToken).join(ApiToken.user).where(ApiToken.id == token_id).options(joinedload(ApiToken.user))
    if unit_ids is not None:
        stmt = stmt.where(User.unit_id.in_(unit_ids))
    row = db.session.scalar(stmt)
    if row is None:
        raise NotFoundError("token_not_found")
    if row.revoked_at is not None:
        raise ConflictError("token_already_revoked")
    row.revoked_at, row.revoked_reason = utcnow(), "revoked"
    return row


def revoke_user_tokens(user: User, reason: str) -> int:
    """Revoke every token of ``user`` that is not revoked yet (expired ones too: nothing can bring them
    back), in the caller's transaction (the caller commits with the password or status change).
    ``reason``: ``password_reset``, ``password_change`` or ``deactivated``. Returns how many."""
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .options(joinedload(ApiToken.user))).all()
    now = utcnow()
    for row in rows:
        row.revoked_at, row.revoked_reason = now, reason
    return len(rows)


@atomic
def revoke_user(username: str) -> int:
    """Revoke every token of one user by hand (CLI ``tokens revoke --user``); returns how many.

    :raises NotFoundError: ``user_not_found``.
    """
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFoundError("user_not_found")
    count = revoke_user_tokens(user, "revoked")
    return count
