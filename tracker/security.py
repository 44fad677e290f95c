"""HTTPS and reverse-proxy settings: Secure cookies over HTTPS, and ProxyFix behind a proxy.

- Over HTTPS (``request.is_secure``) the session cookie is always sent with ``Secure``; with
  ``TRACKER_SESSION_COOKIE_SECURE=1`` it is ``Secure`` on every request (set it when the
  application is only ever reached over HTTPS, e.g. behind a TLS-terminating proxy without
  ``TRACKER_PROXY_FIX``). The remember-me cookie follows the same setting.
- ``TRACKER_PROXY_FIX=1`` trusts one reverse proxy's ``X-Forwarded-For/-Proto/-Host/-Prefix``
  headers (werkzeug ProxyFix), so HTTPS at the proxy counts as HTTPS here (Secure cookies, HSTS)
  and rate limits count per client address. Leave it off when clients reach the app directly:
  they could then forge those headers. ``TRACKER_PROXY_FIX=2`` trusts two proxies in a row.
"""
from __future__ import annotations

import time

from flask import Flask
from flask import Response
from flask import abort
from flask import current_app
from flask import request
from flask import session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_login import logout_user
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix


def flag(value: object) -> int:
    """A configuration switch as a count: "1", 1, "true", "on", True → 1; "2" → 2; else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return max(value, 0)
    text = str(value or "").strip().lower()
    if text.isdigit():
        return int(text)
    return 1 if text in ("true", "yes", "on") else 0


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(flag(app.config.get("SESSION_COOKIE_SECURE"))) or request.is_secure


def init_app(app: Flask) -> None:
    secure = bool(flag(app.config.get("SESSION_COOKIE_SECURE")))
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)
    app.session_interface = HttpsAwareSessionInterface()
    app.before_request(refuse_nul_bytes)
    app.after_request(no_store)
    proxies = flag(app.config.get("PROXY_FIX"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_prefix=proxies)


def no_store(response: Response) -> Response:
    """``Cache-Control: no-store`` on every answer but the static files (issue 12): pages, JSON, exports,
    attachments and the public status page can all carry a person's data, and neither the browser's disk cache
    nor a proxy may keep them (a shared office computer, the back button after logout). One rule for all
    rather than a list of routes, so a new route cannot forget it; static files (CSS, JS, images) hold no
    personal data and stay cacheable."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response


class NulInForm(BadRequest):
    """A form field held a NUL character (the web edge offers the form again without it)."""


def refuse_nul_bytes() -> None:
    """A NUL character in a query parameter, a plain form or a JSON body is never text a person
    typed; PostgreSQL cannot even compare with it (it answered 500). Refuse it as a bad request.
    Multipart bodies (uploads) are left to their views, which read them under their own size limit."""
    if any("\x00" in value for value in request.args.values()):
        abort(400)
    ctype = request.mimetype or ""
    if ctype == "application/x-www-form-urlencoded" and any("\x00" in v for v in request.form.values()):
        raise NulInForm()
    if ctype.endswith("json"):
        raw = request.get_data(cache=True)
        if b"\\u0000" in raw or b"\x00" in raw:
            abort(400)


def expire_idle_session() -> None:
    """End a session after ``SESSION_MINUTES`` without a request, checked on the server.

    The session cookie is a browser-session cookie (not ``permanent``): Flask-Login's strong protection
    then really drops a session whose browser or address changed — with a permanent session it would
    only mark it "not fresh". The idle clock is the signed ``_seen`` time inside the cookie, so a cookie
    kept or copied past the limit is refused even if a browser would still send it."""
    if not current_user.is_authenticated:
        return
    now = int(time.time())
    seen = session.get("_seen")
    limit = int(current_app.config["SESSION_MINUTES"]) * 60
    if isinstance(seen, int) and now - seen > limit:
        logout_user()
        session.clear()
        return
    session["_seen"] = now
