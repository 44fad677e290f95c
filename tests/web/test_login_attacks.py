"""Login as an attacker walks it (issue 12, finding 10): the answer never tells which usernames exist,
and guessing is slowed down without anyone being able to lock a user out."""
from __future__ import annotations

import re

import argon2
import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.factories import PASSWORD
from tests.factories import make_user
from tracker.extensions import db
from tracker.messages import message
from tracker.models import User
from tracker.web.auth.throttle import DEVICE_COOKIE

WRONG = "wrong password!!"


def _client(app: Flask, address: str) -> FlaskClient:
    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def _answer(response, typed: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Status and body, with what differs by nature blanked: the CSRF token and the echoed username."""
    body = re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1…", response.get_data(as_text=True))
    return response.status_code, body.replace(f'value="{typed}"', 'value="…"')


def test_unknown_wrong_inactive_and_much_failed_accounts_get_the_same_answer(app: Flask) -> None:
    make_user("letan")
    gone = make_user("danghi", full_name="Lê Văn Nghỉ")
    gone.active = False
    db.session.commit()
    attacker = _client(app, "10.0.0.66")
    for _ in range(6):  # more failures than the lockout of before needed
        login(attacker, "letan", WRONG)
    answers = {
        "unknown": _answer(login(_client(app, "10.0.0.1"), "khongco", WRONG), "khongco"),
        "wrong": _answer(login(_client(app, "10.0.0.2"), "letan", WRONG), "letan"),
        "inactive, right password": _answer(login(_client(app, "10.0.0.3"), "danghi", PASSWORD), "danghi"),
        "after six failures": _answer(login(attacker, "letan", WRONG), "letan"),
    }
    assert len(set(answers.values())) == 1, {k: v[0] for k, v in answers.items()}
    status, body = answers["unknown"]
    assert status == 401 and message("bad_credentials") in body


def test_the_real_user_logs_in_after_many_failures_of_others(app: Flask) -> None:
    make_user("letan")
    attacker = _client(app, "10.0.0.66")
    for _ in range(10):
        assert login(attacker, "letan", WRONG).status_code == 401
    assert login(_client(app, "10.0.0.7"), "letan", PASSWORD).status_code == 302
    user = db.session.query(User).filter_by(username="letan").one()
    assert user.locked_until is None


@pytest.mark.config(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST=2048, ARGON2_PARALLELISM=2)
def test_every_answer_costs_one_argon2_verification_with_the_real_parameters(app: Flask, monkeypatch) -> None:
    """Timing, measured by its cause: each kind of failure does the same argon2 work (not timed)."""
    make_user("letan")
    gone = make_user("danghi", full_name="Lê Văn Nghỉ")
    gone.active = False
    db.session.commit()
    checked: list[argon2.Parameters] = []
    real_verify = argon2.PasswordHasher.verify

    def counting(self, stored, password):  # type: ignore[no-untyped-def]
        checked.append(argon2.extract_parameters(stored))
        return real_verify(self, stored, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting)
    for username, password in (("khongco", WRONG), ("letan", WRONG), ("danghi", PASSWORD)):
        checked.clear()
        login(_client(app, "10.0.0.1"), username, password)
        assert [(p.type, p.time_cost, p.memory_cost, p.parallelism) for p in checked] == [
            (argon2.Type.ID, 2, 2048, 2)], username


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_five_wrong_passwords_from_one_address_do_not_stop_the_user_from_another(app: Flask) -> None:
    make_user("letan")
    attacker = _client(app, "10.0.0.66")
    assert [login(attacker, "letan", WRONG).status_code for _ in range(5)] == [401] * 5
    assert login(attacker, "letan", PASSWORD).status_code == 429  # the guesser's address is slowed down
    assert login(_client(app, "10.0.0.7"), "letan", PASSWORD).status_code == 302


@pytest.mark.config(RATELIMIT_ENABLED=True)
def test_the_slowing_down_answers_alike_for_an_existing_and_an_unknown_username(app: Flask) -> None:
    make_user("letan")
    answers = []
    for username in ("letan", "khongco"):
        attacker = _client(app, "10.0.0.66")
        codes = [login(attacker, username, WRONG).status_code for _ in range(6)]
        refused = login(attacker, username, WRONG)
        answers.append((codes, _answer(refused, username)))
    assert answers[0] == answers[1]
    assert answers[0][0] == [401] * 5 + [429]


@pytest.mark.config(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_FAILURE_LIMIT="3 per hour")
def test_many_addresses_guessing_one_account_are_stopped_but_the_users_own_browser_is_not(app: Flask) -> None:
    make_user("letan")
    make_user("chutich", role="chair", full_name="Phạm Văn Chủ")
    own = _client(app, "10.0.0.7")
    assert login(own, "letan", PASSWORD).status_code == 302
    device = own.get_cookie(DEVICE_COOKIE, path="/login")
    assert device is not None and device.http_only
    for i in range(3):  # a botnet: one failure from each address
        assert login(_client(app, f"10.1.0.{i}"), "letan", WRONG).status_code == 401
    assert login(_client(app, "10.1.0.99"), "letan", PASSWORD).status_code == 429  # even the right password
    # The user's own browser (its device cookie), from home or the office, still gets in.
    browser = _client(app, "10.0.0.8")
    browser.set_cookie(DEVICE_COOKIE, device.value, path="/login")
    assert login(browser, "letan", PASSWORD).status_code == 302
    # The cookie is this user's only, and cannot be forged.
    other = _client(app, "10.0.0.9")
    other.set_cookie(DEVICE_COOKIE, device.value, path="/login")
    for _ in range(3):
        login(_client(app, "10.2.0.1"), "chutich", WRONG)
    assert login(other, "chutich", PASSWORD).status_code == 429
    forged = _client(app, "10.0.0.10")
    forged.set_cookie(DEVICE_COOKIE, device.value[:-2] + "xx", path="/login")
    assert login(forged, "letan", PASSWORD).status_code == 429


@pytest.mark.config(RATELIMIT_ENABLED=True, LOGIN_FAILURE_LIMIT="2 per 15 minutes",
                    LOGIN_ADDRESS_FAILURE_LIMIT="3 per hour")
def test_an_office_behind_one_address_logs_in_although_some_mistype(app: Flask) -> None:
    names = [f"canbo{i}" for i in range(6)]
    for name in names:
        make_user(name, full_name=f"Cán bộ {name}")
    office = "10.0.0.50"
    assert login(_client(app, office), "canbo0", WRONG).status_code == 401
    assert login(_client(app, office), "canbo1", WRONG).status_code == 401
    assert [login(_client(app, office), name, PASSWORD).status_code for name in names] == [302] * 6
    # a third wrong password from the office reaches the address's failure budget: guessing many
    # usernames from one address (password spraying) stops there
    assert login(_client(app, office), "canbo2", WRONG).status_code == 401
    assert login(_client(app, office), "canbo3", WRONG).status_code == 429


@pytest.mark.config(RATELIMIT_ENABLED=True, LOGIN_ADDRESS_FAILURE_LIMIT="3 per hour", LOGIN_RATE_LIMIT="6 per minute")
def test_spraying_from_the_office_address_does_not_lock_out_a_user_in_her_own_browser(app: Flask) -> None:
    """Found by the outside test: failures (or any attempts) from one office or NAT address used to shut every
    user of that address out, the chairperson included, her own browser too."""
    make_user("chutich", role="chair", full_name="Phạm Văn Chủ")
    office = "10.0.0.60"
    own = _client(app, office)
    assert login(own, "chutich", PASSWORD).status_code == 302
    device = own.get_cookie(DEVICE_COOKIE, path="/login")
    assert device is not None
    attacker = _client(app, office)
    answers = [login(attacker, f"ghost{i}", WRONG).status_code for i in range(6)]
    assert answers[:3] == [401] * 3 and answers[-1] == 429  # the spraying itself is stopped
    assert login(_client(app, office), "chutich", PASSWORD).status_code == 429  # a browser she never used waits
    browser = _client(app, office)
    browser.set_cookie(DEVICE_COOKIE, device.value, path="/login")
    assert login(browser, "chutich", PASSWORD).status_code == 302  # her own browser gets in
