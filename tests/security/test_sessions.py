"""F1 and F6 (issue 12): a session is the server's to end, and ending one never brings the server down.

F1: ``POST /account/password`` crashed the process (``login_user(current_user)`` stored the proxy, which
then resolved to itself until the C stack overflowed): under waitress every user was locked out, under
gunicorn the worker and its requests died. The test client does not show it, so each server here is a
real process of its own (waitress as scripts/run starts it, gunicorn with several workers as deploy/
starts it) and the attack is a browser's.

F6: logout only cleared the cookie the browser held; a copy of the cookie taken before logout kept
working, for pages and for POSTs with a valid CSRF token, from another browser.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import PASSWORD
from tests.figures import record
from tests.security.attack import Browser
from tests.security.attack import Server
from tests.security.attack import is_login_redirect
from tests.security.attack import logged_in
from tests.security.conftest import Target

NEW_PASSWORD = "a brand new long password"


@pytest.fixture(scope="module", params=["waitress", "gunicorn"])
def own_server(request: pytest.FixtureRequest, target: Target) -> Iterator[Server]:
    """A server of the password test's own: if the attack kills it, no other test loses its server."""
    server = target.start(request.param, "password", workers=3)
    yield server
    server.stop()


def test_changing_ones_password_on_a_real_server_keeps_it_serving_and_ends_the_other_sessions(
        target: Target, own_server: Server) -> None:
    base, username = own_server.base, f"pw_{own_server.kind}"
    bystander = logged_in(base, "sx_desk2")
    victim = logged_in(base, username)
    second = logged_in(base, username)  # the same user in another browser
    stolen = victim.copy(user_agent=victim.http.headers["User-Agent"])  # the cookie, copied before the change
    assert victim.get("/visits/").status_code == 200

    answer = victim.post("/account/password", {"current": PASSWORD, "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    problems = []
    if answer.status_code != 302:
        problems.append(f"the change answered {answer.status_code}")
    if not own_server.alive():
        problems.append(f"the {own_server.kind} process died: {own_server.log_text()[-1500:]}")
    assert not problems, problems

    # The server still answers everyone, and the user logs in with the new password only.
    assert Browser(base).get("/login").status_code == 200
    answers = [bystander.get("/visits/").status_code for _ in range(12)]
    assert answers == [200] * 12, f"other users' requests after the change: {answers}"
    assert logged_in(base, username, NEW_PASSWORD)
    assert Browser(base).login(username, PASSWORD).status_code != 302, "the old password still opens"
    # Every other copy of the session is refused: the other browser, and the cookie copied before the change.
    assert is_login_redirect(second.get("/visits/")), "another browser's session survived the password change"
    assert is_login_redirect(stolen.get("/visits/")), "a cookie copied before the change still opens"
    assert own_server.alive()
    if own_server.kind == "gunicorn":
        boots = own_server.log_text().count("Booting worker")
        assert boots == own_server.workers, f"a gunicorn worker died and was replaced ({boots} boots)"
    record("security_password_change", {"server": own_server.kind, "change": answer.status_code,
                                        "requests after it": len(answers) + 4, "failed": 0,
                                        "process alive": own_server.alive()},
           f"{target.name} {own_server.kind}")


@pytest.mark.parametrize("kind", ["waitress", "gunicorn"])
def test_logout_ends_the_session_on_the_server_for_pages_and_posts_from_another_browser(
        target: Target, request: pytest.FixtureRequest, kind: str) -> None:
    server: Server = request.getfixturevalue(kind)
    username = f"out_{kind}"
    browser = logged_in(server.base, username)
    token = browser.csrf()  # a valid CSRF token of that session, read before logout
    assert browser.get("/visits/").status_code == 200
    copied = browser.copy(user_agent="another browser on another desk")
    same_browser_copy = browser.copy(user_agent=browser.http.headers["User-Agent"])
    out = browser.post("/logout", token=token)
    assert is_login_redirect(out), out.status_code

    for label, thief in (("another browser", copied), ("the same browser", same_browser_copy)):
        page = thief.get("/visits/")
        assert is_login_redirect(page), f"{label}: a cookie copied before logout opens a page ({page.status_code})"
        write = thief.post("/visits/sessions", {"held_on": target.world.today, "kind": "adhoc", "host": "chair",
                                                "note": "phiên của kẻ trộm cookie"}, token=token)
        assert write.status_code != 302 or is_login_redirect(write), (
            f"{label}: a POST with a cookie copied before logout was accepted ({write.headers.get('Location')})")
        assert write.status_code in (302, 400, 401, 403), write.status_code
    record("security_logout", {"server": kind, "pages refused": 2, "posts refused": 2},
           f"{target.name} {kind}")
