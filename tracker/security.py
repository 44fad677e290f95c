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

from flask import Flask
from flask import request
from flask.sessions import SecureCookieSessionInterface
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
    proxies = flag(app.config.get("PROXY_FIX"))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,  # type: ignore[method-assign]
                                x_prefix=proxies)
