"""Served over HTTPS, the session cookie is Secure, HttpOnly and SameSite=Lax, and HSTS is sent;
behind a reverse proxy that says so (TRACKER_PROXY_FIX=1) the same holds."""
from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import CSRF_RE
from tests.factories import PASSWORD
from tests.factories import make_user


def cookie_attributes(response) -> list[str]:  # type: ignore[no-untyped-def]
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies, "no cookie was set"
    return [c.lower() for c in cookies]


def log_in(client, **kw):  # type: ignore[no-untyped-def]
    page = client.get("/login", **kw)
    token = CSRF_RE.search(page.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    return page, client.post("/login", data={"csrf_token": token, "username": "letan", "password": PASSWORD}, **kw)


def test_over_https_the_session_cookie_is_secure_httponly_lax_and_hsts_is_sent(app: Flask) -> None:
    make_user()
    client = app.test_client()
    # Over HTTPS the CSRF check also wants a same-site Referer, as a browser sends.
    page, response = log_in(client, base_url="https://localhost", headers={"Referer": "https://localhost/login"})
    assert response.status_code == 302
    for r in (page, response):
        for cookie in cookie_attributes(r):
            assert "; secure" in cookie and "; httponly" in cookie and "samesite=lax" in cookie, cookie
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert client.get("/visits/", base_url="https://localhost").status_code == 200


def test_over_plain_http_the_cookie_is_not_marked_secure_and_no_hsts(app: Flask) -> None:
    make_user()
    page, response = log_in(app.test_client())
    assert all("; secure" not in c for c in cookie_attributes(response))
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.config(SESSION_COOKIE_SECURE="1")
def test_tracker_session_cookie_secure_makes_every_cookie_secure(app: Flask) -> None:
    make_user()
    page, response = log_in(app.test_client())
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True
    assert all("; secure" in c for c in cookie_attributes(response))


@pytest.mark.config(PROXY_FIX="1")
def test_behind_a_proxy_the_forwarded_https_counts(app: Flask) -> None:
    make_user()
    page, response = log_in(app.test_client(), headers={"X-Forwarded-Proto": "https",
                                                        "Referer": "https://localhost/login"})
    assert all("; secure" in c for c in cookie_attributes(response))
    assert "Strict-Transport-Security" in response.headers


def test_without_the_proxy_option_a_forged_forwarded_header_is_ignored(app: Flask) -> None:
    make_user()
    page, response = log_in(app.test_client(), headers={"X-Forwarded-Proto": "https"})
    assert all("; secure" not in c for c in cookie_attributes(response))
    assert "Strict-Transport-Security" not in response.headers
