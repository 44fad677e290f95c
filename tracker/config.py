"""Configuration: defaults, then ``TRACKER_*`` environment variables, then explicit overrides."""
from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "TIMEZONE": "Asia/Ho_Chi_Minh",
    "BABEL_DEFAULT_LOCALE": "vi",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
    "LANGUAGES": ["vi", "en"],
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "LOGIN_RATE_LIMIT": "10 per minute",
    # The public status page: lookups per address, and wrong codes (which count extra) per address.
    "STATUS_RATE_LIMIT": "30 per minute",
    "STATUS_MISS_LIMIT": "10 per hour",
    # Per-account lockout (the rate limit counts per worker; the lockout lives in the database).
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCKOUT_MINUTES": 15,
    "SESSION_MINUTES": 480,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "PER_PAGE": 50,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Largest attachment kept (TRACKER_ATTACHMENTS_MAX_BYTES); the upload route allows a request this big.
    "ATTACHMENTS_MAX_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20000,
    # argon2id parameters; tests lower them through config to stay quick.
    "ARGON2_TIME_COST": 3,
    "ARGON2_MEMORY_COST": 65536,
    "ARGON2_PARALLELISM": 4,
    "SCHEDULER": "off",
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the administrator gave."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("TRACKER")
    if overrides:
        app.config.update(overrides)
    cfg = app.config
    os.makedirs(app.instance_path, exist_ok=True)
    url = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite")
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(url))
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    cfg.setdefault("ATTACHMENTS_DIR", os.path.join(app.instance_path, "attachments"))
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=int(cfg["SESSION_MINUTES"]))
    key_file = os.path.join(app.instance_path, "secret_key")
    if not cfg.get("SECRET_KEY") and os.path.exists(key_file):
        with open(key_file, encoding="ascii") as fh:
            cfg["SECRET_KEY"] = fh.read().strip()
    if not cfg.get("SECRET_KEY"):
        if app.testing or cfg.get("TESTING"):
            cfg["SECRET_KEY"] = "testing-only"
        else:
            raise RuntimeError(
                "TRACKER_SECRET_KEY chưa được đặt (TRACKER_SECRET_KEY is not set); scripts/run creates one."
            )
