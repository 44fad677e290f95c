"""Staff accounts: creation, login, changes by an administrator."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.extensions import db
from tracker.messages import MESSAGES
from tracker.models import Unit
from tracker.models import User
from tracker.models.base import utcnow
from tracker.models.users import INSTALLATION_ROLES
from tracker.models.users import ROLES
from tracker.services import access
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import ValidationError
from tracker.services.operations.passwords import hash_password
from tracker.services.operations.passwords import needs_rehash
from tracker.services.operations.passwords import password_problem
from tracker.services.operations.passwords import verify_dummy
from tracker.services.operations.passwords import verify_password
from tracker.services.operations.tokens import revoke_user_tokens
from tracker.services.privacy import audit
from tracker.services.transaction import atomic

MESSAGES.update({
    "cannot_deactivate_self": _l("You cannot deactivate your own account."),
    "cannot_drop_own_admin": _l("You cannot remove the administrator role from your own account."),
    "cannot_move_self": _l("You cannot move your own account to another unit: ask an administrator of a unit "
                           "above."),
})


class LoginError(DomainError):
    status = 401


@dataclass
class UserInput:
    username: str
    role: str
    unit_code: str
    password: str
    full_name: str = ""


def users_query(user: User) -> Select[User]:
    """The accounts of the units ``user`` may see, unit by unit."""
    return (select(User).join(User.unit).where(User.unit_id.in_(access.visible_units_query(user)))
            .order_by(Unit.path, User.username))


def _unit_by_code(code: str) -> Unit | None:
    return db.session.scalar(select(Unit).where(Unit.code == code))


def _actor_problems(actor: User | None, role: str, unit: Unit | None, errors: dict[str, str]) -> None:
    """What an administrator may give: a unit role (the installation-level one is granted on the server),
    in a unit of his own subtree. ``actor`` None: the server's operator (command line, setup)."""
    if actor is None:
        return
    if role in INSTALLATION_ROLES:
        errors["role"] = "role_invalid"
    if unit is not None and not access.can_see_unit(actor, unit.id):
        errors["unit"] = "unit_not_found"


def _self_guard(actor: User | None, user: User, role: str, unit: Unit | None, active: bool,
                errors: dict[str, str]) -> None:
    """An administrator keeps his own access: no self-deactivation, no dropping his own admin role, no moving
    his own account to another unit (from a unit below he could never move back)."""
    if actor is None or user.id != actor.id:
        return
    if unit is not None and unit.id != user.unit_id:
        errors["unit"] = "cannot_move_self"
    if not active:
        errors["active"] = "cannot_deactivate_self"
    if role != "admin":
        errors["role"] = "cannot_drop_own_admin"


@atomic
def create_user(data: UserInput, *, actor: User | None = None) -> User:
    """A new staff account. ``actor``: the administrator creating it (None for the server's operator)."""
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
    _actor_problems(actor, data.role, unit, errors)
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
    return user


@atomic
def update_user(user: User, *, version: int, full_name: str, role: str, unit_code: str, active: bool,
                new_password: str | None = None, actor: User | None = None) -> User:
    """Change an account. ``actor``: the administrator doing it — then only an account of his subtree, never
    the installation-level one, never his own access (None for the server's operator)."""
    if actor is not None and (user.role in INSTALLATION_ROLES or not access.can_see_unit(actor, user.unit_id)):
        raise ForbiddenError("forbidden")
    if user.version != version:
        raise ConflictError("stale")
    errors: dict[str, str] = {}
    if role not in ROLES:
        errors["role"] = "role_invalid"
    unit = _unit_by_code(unit_code)
    if unit is None:
        errors["unit"] = "unit_not_found"
    _actor_problems(actor, role, unit, errors)
    _self_guard(actor, user, role, unit, active, errors)
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
        # and end its API tokens: re-activating the account later gives none back
        revoke_user_tokens(user, "deactivated" if not active and user.active else "password_reset")
    user.active = active
    if new_password:
        user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
    return user


def authenticate(username: str, password: str) -> User:
    """Check a password.

    An unknown name, an inactive account and a wrong password get the same ``bad_credentials`` after the
    same argon2 work (an unknown name is checked against a dummy hash of the same parameters), and a failure
    writes nothing: neither the answer nor its time tells which usernames exist. There is no lockout here,
    so nobody can lock another person out; guessing is slowed by the login limits (tracker/web/auth/throttle.py).

    :raises LoginError: ``bad_credentials``.
    """
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        verify_dummy(password)
        raise LoginError("bad_credentials")
    if not verify_password(user.password_hash, password) or not user.active:
        raise LoginError("bad_credentials")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, utcnow()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.set_actor(user.id, user.username)
    audit.record_event(db.session, "login", "users", user.id, user.unit_id)
    db.session.commit()
    return cast(User, user)


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's loader: the id carries the session token, so a reset token ends old sessions."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit():
        return None
    # Its unit with it: every page names it (the header) and scopes its queries by it.
    user = db.session.get(User, int(user_id), options=[joinedload(User.unit)])
    if user is None or not user.active or not token or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def end_sessions(user: User) -> None:
    """Every session of ``user`` ends server-side: the cookie's copy of the token no longer matches
    (a cookie copied before logout or before a password change is refused, from any browser)."""
    user.session_token = secrets.token_hex(16)


@atomic
def log_out(user: User) -> None:
    end_sessions(user)
    audit.record_event(db.session, "logout", "users", user.id, user.unit_id)


@atomic
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
    revoke_user_tokens(user, "password_change")
    audit.record_event(db.session, "password_change", "users", user.id, user.unit_id)
    return user
