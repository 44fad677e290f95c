"""How login guessing is slowed down without letting anyone lock a user out.

There is no account lockout: five wrong passwords used to lock an account for everyone, so anyone could
lock anyone out. Instead the limiter counts, all in its shared storage (tracker/ratelimit.py):

- every attempt per address (``LOGIN_RATE_LIMIT``): keeps argon2's CPU cost bounded;
- failures per address (``LOGIN_ADDRESS_FAILURE_LIMIT``): one address trying many usernames;
- failures per address and username (``LOGIN_FAILURE_LIMIT``): one address trying one account;
- failures per username from every address (``LOGIN_ACCOUNT_FAILURE_LIMIT``): many addresses trying one
  account.

A browser in which that user has logged in before (a signed "device" cookie, as OWASP describes) is exempt
from the address-wide limits and the per-account one: an attacker behind the same office or NAT address, or
elsewhere, never keeps the user out of their own browser. Their own mistakes there still count per address
and username.

Only failed answers (401) count for the failure limits, so a whole office behind one address logging in
correctly uses up nothing but the first. The username is counted as typed (trimmed, case-folded, hashed),
whether or not an account has it, so a refusal (429) tells nothing about which names exist either.
"""
from __future__ import annotations

import hashlib

from flask import Response
from flask import current_app
from flask import request
from flask import url_for
from flask_limiter.util import get_remote_address
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

DEVICE_COOKIE = "tracker_device"
DEVICE_DAYS = 180
DEVICE_USERS = 8  # a shared office computer: the last few people who logged in on it


def _limit(name: str):  # type: ignore[no-untyped-def]
    return lambda: str(current_app.config[name])


every_attempt = _limit("LOGIN_RATE_LIMIT")
address_failures = _limit("LOGIN_ADDRESS_FAILURE_LIMIT")
address_user_failures = _limit("LOGIN_FAILURE_LIMIT")
account_failures = _limit("LOGIN_ACCOUNT_FAILURE_LIMIT")


def username_key(name: str | None = None) -> str:
    """The typed username as a limiter key: no clear text in the store, bounded length."""
    typed = request.form.get("username", "") if name is None else name
    return hashlib.sha256(typed.strip().casefold().encode()).hexdigest()[:32]


def address_and_username() -> str:
    return f"{get_remote_address()}|{username_key()}"


def failed(response: Response) -> bool:
    return response.status_code == 401


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(str(current_app.secret_key), salt="login-device")


def _device_users() -> list[str]:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    try:
        users = _serializer().loads(raw, max_age=DEVICE_DAYS * 86400)
    except BadSignature:
        return []
    return [str(u) for u in users] if isinstance(users, list) else []


def known_device() -> bool:
    """The typed user has logged in in this browser before: exempt from every limit but their own failures."""
    return username_key() in _device_users()


def remember_device(response: Response, username: str) -> None:
    key = username_key(username)
    users = [key] + [u for u in _device_users() if u != key]
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps(users[:DEVICE_USERS]), max_age=DEVICE_DAYS * 86400,
        path=url_for("auth.login"), httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure)
