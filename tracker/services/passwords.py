"""Password hashing with argon2id (parameters from config, so tests can use cheap ones)."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app

MIN_LENGTH = 10


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=int(cfg["ARGON2_TIME_COST"]),
        memory_cost=int(cfg["ARGON2_MEMORY_COST"]),
        parallelism=int(cfg["ARGON2_PARALLELISM"]),
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    return None
