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
    # memory:// counts per process: fine for scripts/run (one process); several workers need a shared store
    # (redis://…), or the app refuses to start (tracker/ratelimit.py). If that store goes down, each process
    # counts on its own until it is back, rather than refusing every login.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_HEADERS_ENABLED": True,
    # Login (tracker/web/auth/throttle.py): every attempt per address; failures per address (password
    # spraying), per address and username, and per username from anywhere, except a browser in which that
    # user has logged in before. No limit locks the real user out of a browser of their own.
    "LOGIN_RATE_LIMIT": "20 per minute",
    "LOGIN_ADDRESS_FAILURE_LIMIT": "30 per hour",
    "LOGIN_FAILURE_LIMIT": "5 per 15 minutes",
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "50 per hour",
    # The public status page and its API, one budget: every lookup per address, and wrong codes per
    # address; a valid code is answered even when its address has used up the wrong codes' budget.
    "STATUS_RATE_LIMIT": "30 per minute",
    "STATUS_MISS_LIMIT": "10 per hour",
    "SESSION_MINUTES": 480,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "PER_PAGE": 50,
    # The weekly page shows the first (most urgent) items of each section and their count; the rest open on
    # request ("Xem tất cả"). The print view, the export and the API keep every item.
    "WEEKLY_PAGE_ITEMS": 25,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Largest attachment kept (TRACKER_ATTACHMENTS_MAX_BYTES); the upload route allows a request this big.
    "ATTACHMENTS_MAX_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 20000,
    # An Excel upload is a zip: refused before parsing when its members unpack to more than this many MB in
    # all, or when a member larger than 1 MB unpacks to more than this many times its packed size (a
    # decompression bomb: 1.2 MB took the server from 0.7 to 3.1 GB). tracker/imports/visits_xlsx.py.
    "IMPORT_MAX_UNPACKED_MB": 50,
    "IMPORT_MAX_RATIO": 100,
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


def private_file(path: str) -> None:
    """Create ``path`` empty and 0600 if it is missing, or take away other accounts' access to it (issue 12: the
    SQLite file was created world-readable). SQLite gives its -wal, -shm and -journal files the database file's
    own permissions, so they follow."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if os.stat(path).st_mode & 0o077:
            os.chmod(path, 0o600)


def _sqlite_file(url: str) -> str | None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return name


def load_config(app: Flask, overrides: dict[str, Any] | None = None) -> None:
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("TRACKER")
    if overrides:
        app.config.update(overrides)
    cfg = app.config
    os.makedirs(app.instance_path, mode=0o700, exist_ok=True)  # secrets and the SQLite file live there
    url = cfg.get("SQLALCHEMY_DATABASE_URI") or cfg.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + os.path.join(app.instance_path, "tracker.sqlite")
    cfg["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(str(url))
    sqlite_file = _sqlite_file(cfg["SQLALCHEMY_DATABASE_URI"])
    if sqlite_file and os.path.isdir(os.path.dirname(os.path.abspath(sqlite_file))):
        private_file(sqlite_file)
    cfg["BABEL_DEFAULT_TIMEZONE"] = cfg["TIMEZONE"]
    cfg.setdefault("ATTACHMENTS_DIR", os.path.join(app.instance_path, "attachments"))
    cfg["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=int(cfg["SESSION_MINUTES"]))
    key_file = os.path.join(app.instance_path, "secret_key")
    if not cfg.get("SECRET_KEY") and os.path.exists(key_file):
        private_file(key_file)
        with open(key_file, encoding="ascii") as fh:
            cfg["SECRET_KEY"] = fh.read().strip()
    if not cfg.get("SECRET_KEY"):
        if app.testing or cfg.get("TESTING"):
            cfg["SECRET_KEY"] = "testing-only"
        else:
            raise RuntimeError(
                "TRACKER_SECRET_KEY chưa được đặt (TRACKER_SECRET_KEY is not set); scripts/run creates one."
            )
