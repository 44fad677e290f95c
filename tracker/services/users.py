"""Staff accounts: creation, login with per-account lockout, changes by an administrator."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Unit
from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.users import ROLES
from tracker.services import audit
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.errors import ValidationError
from tracker.services.passwords import hash_password
from tracker.services.passwords import needs_rehash
from tracker.services.passwords import password_problem
from tracker.services.passwords import verify_password


class LoginError(DomainError):
    status = 401


@dataclass
class UserInput:
    username: str
    role: str
    unit_code: str
    password: str
    full_name: str = ""


def _unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def create_user(data: UserInput) -> User:
    errors: dict[str, str] = {}
    username = data.username.strip()
    if not username or len(username) > 64 or not username.replace(".", "").replace("_", "").isalnum():
        errors["username"] = "username_invalid"
    elif db.session.scalar(select(User.id).where(User.username == username)):
        errors["username"] = "username_taken"
    if data.role not in ROLES:
        errors["role"] = "role_invalid"
    unit = _unit_by_code(data.unit_code)
    if unit is None:
        errors["unit"] = "unit_not_found"
    problem = password_problem(data.password)
    if problem:
        errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    user = User(
        username=username,
        full_name=data.full_name.strip(),
        role=data.role,
        unit_id=unit.id,
        password_hash=hash_password(data.password),
        session_token=secrets.token_hex(16),
    )
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user: User, *, version: int, full_name: str, role: str, unit_code: str, active: bool,
                new_password: str | None = None) -> User:
    if user.version != version:
        raise ConflictError("stale")
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "role_invalid"
    unit = _unit_by_code(unit_code)
    if unit is None:
        errors["unit"] = "unit_not_found"
    if new_password:
        problem = password_problem(new_password)
        if problem:
            errors["password"] = problem
    if errors:
        raise ValidationError(errors)
    assert unit is not None
    user.full_name, user.role, user.unit_id = full_name.strip(), role, unit.id
    if not active and user.active or new_password:
        user.session_token = secrets.token_hex(16)  # log the user out everywhere
    user.active = active
    if new_password:
        user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
    db.session.commit()
    return user


def authenticate(username: str, password: str) -> User:
    """Check a password; lock the account for a while after too many failures.

    :raises LoginError: ``bad_credentials`` or ``locked`` (with ``minutes``).
    """
    cfg = current_app.config
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    now = utcnow()
    if user is None or not user.active:
        raise LoginError("bad_credentials")
    if user.locked_until and user.locked_until > now:
        minutes = int((user.locked_until - now).total_seconds() // 60) + 1
        raise LoginError("locked", minutes=minutes)
    if not verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= int(cfg["LOGIN_MAX_FAILURES"]):
            user.locked_until = now + timedelta(minutes=int(cfg["LOGIN_LOCKOUT_MINUTES"]))
            user.failed_logins = 0
            audit.record_event(db.session, "lockout", "users", user.id, user.unit_id)
            db.session.commit()
            raise LoginError("locked", minutes=int(cfg["LOGIN_LOCKOUT_MINUTES"]))
        db.session.commit()
        raise LoginError("bad_credentials")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.set_actor(user.id, user.username)
    audit.record_event(db.session, "login", "users", user.id, user.unit_id)
    db.session.commit()
    return user


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, so a reset token ends old sessions."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends server-side: the cookie's copy of the token no longer matches
    (a cookie copied before logout or before a password change is refused, from any browser)."""
    user.session_token = secrets.token_hex(16)


def log_out(user: User) -> None:
    end_sessions(user)
    audit.record_event(db.session, "logout", "users", user.id, user.unit_id)
    db.session.commit()


def change_own_password(user: User, current: str, new: str) -> User:
    """A user's own password change: checked against the current one, ends every other session.

    :raises ValidationError: ``current`` wrong (``wrong_password``) or ``new`` too weak.
    """
    if not verify_password(user.password_hash, current):
        raise ValidationError({"current": "wrong_password"})
    problem = password_problem(new)
    if problem:
        raise ValidationError({"new": problem})
    user.password_hash = hash_password(new)
    end_sessions(user)
    audit.record_event(db.session, "password_change", "users", user.id, user.unit_id)
    db.session.commit()
    return user
