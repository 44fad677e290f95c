"""units add, users add, tokens issue, setup first-admin: exit codes and one-line messages."""
from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import ApiToken
from tracker.models import Unit
from tracker.models import User
from tracker.services.operations.tokens import user_for_token


def test_units_are_added_under_their_parent(runner) -> None:
    assert runner.invoke(args=["units", "add", "TINH-01", "UBND tỉnh Một", "--level", "province"]).exit_code == 0
    result = runner.invoke(args=["units", "add", "XA-01", "UBND xã Một", "--parent", "TINH-01", "--remote-area"])
    assert result.exit_code == 0, result.output
    unit = db.session.scalar(select(Unit).where(Unit.code == "XA-01"))
    parent = db.session.scalar(select(Unit).where(Unit.code == "TINH-01"))
    assert unit.parent_id == parent.id and unit.remote_area and unit.path.startswith(parent.path)


def test_a_unit_under_an_unknown_parent_fails_with_one_line_and_nothing_is_written(runner) -> None:
    result = runner.invoke(args=["units", "add", "XA-01", "UBND xã Một", "--parent", "NOPE"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert db.session.scalar(select(Unit)) is None


def test_a_user_is_added_with_a_password_from_stdin_and_gets_a_token(runner) -> None:
    runner.invoke(args=["units", "add", "XA-01", "UBND xã Một"])
    result = runner.invoke(args=["users", "add", "letan", "--role", "receptionist", "--unit", "XA-01",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    token = runner.invoke(args=["tokens", "issue", "letan"]).output.strip()
    assert len(token) >= 40
    assert user_for_token(token).username == "letan"
    stored = db.session.scalar(select(ApiToken))
    assert token not in stored.token_hash


def test_a_short_password_or_unknown_role_is_refused(runner) -> None:
    runner.invoke(args=["units", "add", "XA-01", "UBND xã Một"])
    result = runner.invoke(args=["users", "add", "letan", "--role", "receptionist", "--unit", "XA-01",
                                 "--password-stdin"], input="short\n")
    assert result.exit_code == 1 and db.session.scalar(select(User)) is None
    assert runner.invoke(args=["users", "add", "x", "--role", "king", "--unit", "XA-01"]).exit_code != 0


def test_first_admin_creates_the_unit_and_admin_once(runner, monkeypatch) -> None:
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "first admin password")
    assert runner.invoke(args=["setup", "first-admin", "--unit-code", "XA-09"]).exit_code == 0
    assert runner.invoke(args=["setup", "first-admin", "--unit-code", "XA-09"]).exit_code == 0
    admins = db.session.scalars(select(User).where(User.role == "admin")).all()
    assert [a.unit.code for a in admins] == ["XA-09"]


def test_messages_are_english_when_lang_is_english(runner, monkeypatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    result = runner.invoke(args=["tokens", "issue", "ghost"])
    assert result.exit_code == 1 and "Unknown user" in result.stderr
