"""Logging in and out: passwords, rate limit, CSRF, session expiry and fixation (the attacker's view of login:
test_login_attacks.py)."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_user
from tracker.extensions import db
from tracker.messages import message
from tracker.models import User


def test_a_user_logs_in_and_reaches_the_log_book(client) -> None:
    make_user()
    response = login(client, "letan", PASSWORD)
    assert response.status_code == 302 and response.location.endswith("/visits/")
    assert client.get("/visits/").status_code == 200


def test_passwords_are_stored_as_argon2id_hashes(app) -> None:
    user = make_user()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_a_wrong_password_is_refused_with_a_clear_message(client) -> None:
    make_user()
    response = login(client, "letan", "wrong password!")
    assert response.status_code == 401
    assert message("bad_credentials") in response.get_data(as_text=True)
    assert client.get("/visits/").status_code == 302


@pytest.mark.config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_login_attempts_are_rate_limited(client) -> None:
    make_user()
    codes = [login(client, "nobody", "x" * 12).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_a_form_posted_without_its_csrf_token_is_refused(client) -> None:
    make_user()
    response = client.post("/login", data={"username": "letan", "password": PASSWORD})
    assert response.status_code in (400, 200)
    assert client.get("/visits/").status_code == 302


def test_the_session_id_changes_on_login(client) -> None:
    make_user()
    client.get("/login")
    before = client.get_cookie("session")
    login(client, "letan", PASSWORD)
    after = client.get_cookie("session")
    assert before is not None and after is not None and before.value != after.value


def test_a_deactivated_user_is_logged_out_at_once(client) -> None:
    user = make_user()
    login(client, "letan", PASSWORD)
    user = db.session.get(User, user.id)
    user.active = False
    user.session_token = "rotated"
    db.session.commit()
    assert client.get("/visits/").status_code == 302


def test_a_session_idle_past_its_limit_is_refused_on_the_server(client, app, monkeypatch) -> None:
    import time

    make_user()
    login(client, "letan", PASSWORD)
    assert client.get("/visits/").status_code == 200
    later = time.time() + app.config["SESSION_MINUTES"] * 60 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/visits/").status_code == 302


def test_the_session_cookie_is_not_permanent_so_strong_protection_holds(client) -> None:
    make_user()
    login(client, "letan", PASSWORD)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.expires is None
    # Another browser (user agent) presenting the same cookie is dropped, not merely marked "not fresh".
    assert client.get("/visits/", headers={"User-Agent": "attacker/1.0"}).status_code == 302


def test_a_cookie_copied_before_logout_is_refused_afterwards(client, app) -> None:
    make_user()
    login(client, "letan", PASSWORD)
    stolen = client.get_cookie("session").value
    token = csrf_token(client, "/visits/new")
    post_form(client, "/logout", {}, form_url="/visits/")
    other = app.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/visits/").status_code == 302
    assert other.post("/visits/new", data={"csrf_token": token}).status_code in (302, 400)


def test_changing_ones_password_ends_every_other_session(client, app) -> None:
    make_user()
    login(client, "letan", PASSWORD)
    other = app.test_client()
    login(other, "letan", PASSWORD)
    response = post_form(client, "/account/password", {"current": PASSWORD, "new": "a new long password",
                                                        "confirm": "a new long password"})
    assert response.status_code == 302
    assert client.get("/visits/").status_code == 200  # this browser goes on
    assert other.get("/visits/").status_code == 302  # the other session ended
    assert login(app.test_client(), "letan", "a new long password").status_code == 302


def test_a_wrong_current_password_changes_nothing(client) -> None:
    user = make_user()
    before = user.password_hash
    login(client, "letan", PASSWORD)
    response = post_form(client, "/account/password", {"current": "not my password", "new": "a new long password",
                                                        "confirm": "a new long password"})
    assert response.status_code == 200 and message("wrong_password") in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_logging_out_needs_a_post_with_csrf(client) -> None:
    make_user()
    login(client, "letan", PASSWORD)
    assert client.get("/logout").status_code == 405
    response = post_form(client, "/logout", {}, form_url="/visits/")
    assert response.status_code == 302
    assert client.get("/visits/").status_code == 302


def test_the_next_parameter_cannot_send_the_user_to_another_site(client) -> None:
    make_user()
    token = csrf_token(client, "/login")
    response = client.post("/login?next=//evil.example/x", data={"csrf_token": token, "username": "letan",
                                                                 "password": PASSWORD})
    assert response.location.endswith("/visits/")


def test_security_headers_are_set(client) -> None:
    response = client.get("/login")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "HttpOnly" in response.headers.get("Set-Cookie", "HttpOnly")
