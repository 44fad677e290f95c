"""The steps of ``create_app``, one function each."""
from __future__ import annotations

import sqlite3

from flask import Flask
from flask import g
from flask import has_request_context
from flask import request
from flask import session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from tracker.extensions import babel
from tracker.extensions import csrf
from tracker.extensions import db
from tracker.extensions import limiter
from tracker.extensions import login_manager
from tracker.extensions import migrate


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: object, connection_record: object) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers work while one writer commits.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def select_locale() -> str:
    languages = ["vi", "en"]
    if not has_request_context():
        return "vi"
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
    if session.get("lang") in languages:
        return str(session["lang"])
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return str(current_user.locale)
    return "vi"


def register_extensions(app: Flask) -> None:
    from flask_sqlalchemy.session import Session as FlaskSession

    from tracker import i18n
    from tracker import models  # noqa: F401  (registers every table)
    from tracker import ratelimit
    from tracker.services.operations.users import load_session_user
    from tracker.services.privacy import audit

    db.init_app(app)
    migrate.init_app(app, db, directory=app.config.get("MIGRATIONS_DIR") or _migrations_dir())
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories="translations")
    i18n.install(app, babel)
    ratelimit.check_storage(app)  # several workers need one shared count
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"
    login_manager.user_loader(load_session_user)
    audit.init_app(FlaskSession)


def _migrations_dir() -> str:
    import os

    from tracker import ROOT

    return os.path.join(ROOT, "migrations")


class RowIdConverter(IntegerConverter):
    """``<int:…>`` in URLs is a row id: one larger than the databases' INTEGER cannot exist, so it is looked up
    as -1 (no row, the view's own 404) instead of overflowing the database driver (a 500). Refusing it in the
    converter would make werkzeug answer 405 to every method but GET."""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= 2**31 - 1 else -1


def register_blueprints(app: Flask) -> None:
    from tracker.api import api_bp
    from tracker.web import register_web
    from tracker.web.public.views import bp as public_bp

    app.url_map.converters["int"] = RowIdConverter
    register_web(app)
    app.register_blueprint(public_bp)  # no login: the citizens' status page
    import tracker.api.status  # noqa: F401  (the public status endpoint on api_bp)

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)


def register_cli(app: Flask) -> None:
    from tracker.cli import register_commands

    register_commands(app)


def register_request_hooks(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from tracker import security
    from tracker.services.privacy import audit

    login_manager.login_message = _l("Please log in to continue.")

    @app.before_request
    def _session_and_actor() -> None:
        if request.blueprint != "api":  # the API is stateless: bearer tokens, no cookie
            security.expire_idle_session()
        if current_user and current_user.is_authenticated:
            audit.set_actor(current_user.id, current_user.username)

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {"current_locale": str(get_locale() or "vi")}

    @app.teardown_appcontext
    def _forget_actor(exc: BaseException | None) -> None:
        g.pop("audit_actor", None)


def start_scheduler(app: Flask) -> None:
    """TRACKER_SCHEDULER=on: jobs inside this (single-process) server; never in tests, never in the
    reloader's parent process, never in CLI commands (``scheduler run`` is the separate process)."""
    import os
    import sys

    if str(app.config.get("SCHEDULER", "off")).lower() not in ("on", "1", "true") or app.testing:
        return
    if os.environ.get("FLASK_RUN_FROM_CLI") == "true" and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    if "flask" in os.path.basename(sys.argv[0]) and "run" not in sys.argv:
        return
    from tracker.jobs.runner import start_background

    start_background(app)
