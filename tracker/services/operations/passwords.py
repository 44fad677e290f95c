"""Password hashing with argon2id (parameters from config, so tests can use cheap ones)."""
from __future__ import annotations

from functools import lru_cache

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


@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash("no account has this password")


def verify_dummy(password: str) -> bool:
    """The work of checking a password, for a username that has no account: the same argon2 parameters
    as real hashes, so the answer to an unknown name takes as long as the answer to a wrong password.
    Always False."""
    cfg = current_app.config
    stored = _dummy_hash(int(cfg["ARGON2_TIME_COST"]), int(cfg["ARGON2_MEMORY_COST"]), int(cfg["ARGON2_PARALLELISM"]))
    verify_password(stored, password)
    return False


def needs_rehash(stored: str) -> bool:
    return _hasher().check_needs_rehash(stored)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return "password_too_short"
    return None
