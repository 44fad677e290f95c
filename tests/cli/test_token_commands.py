"""``tokens issue|list|revoke`` (issue 12, finding 9): the existing ``tokens issue USERNAME`` still prints the
token alone; ``--days``, ``--read-only`` and ``--name`` at issue; the list never shows the token; revoking
one token or every token of a user; bad input is one line and exit 1. Both databases."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.services.operations.tokens import live_token


def test_issue_prints_only_the_token_with_the_default_expiry(app, runner) -> None:  # type: ignore[no-untyped-def]
    make_user("letan")
    result = runner.invoke(args=["tokens", "issue", "letan"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert len(result.stdout.splitlines()) == 1 and len(token) >= 40
    row = live_token(token)
    assert row.scope == "write" and row.expires_at - row.created_at == timedelta(days=90)


def test_issue_with_days_read_only_and_a_label(app, runner) -> None:  # type: ignore[no-untyped-def]
    make_user("letan")
    result = runner.invoke(args=["tokens", "issue", "letan", "--days", "14", "--read-only", "--name", "Báo cáo tỉnh"])
    assert result.exit_code == 0, result.output
    row = live_token(result.stdout.strip())
    assert (row.scope, row.name, row.expires_at - row.created_at) == ("read", "Báo cáo tỉnh", timedelta(days=14))


def test_bad_days_or_an_unknown_user_fail_with_one_vietnamese_line(app, runner) -> None:  # type: ignore[no-untyped-def]
    make_user("letan")
    for args in (["--days", "0"], ["--days", "4000"]):
        result = runner.invoke(args=["tokens", "issue", "letan", *args])
        assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1
        assert "số ngày" in result.stderr
    assert db.session.scalar(select(ApiToken)) is None
    result = runner.invoke(args=["tokens", "revoke"])
    assert result.exit_code == 1 and "--user" in result.stderr
    result = runner.invoke(args=["tokens", "revoke", "--user", "ghost"])
    assert result.exit_code == 1 and len(result.stderr.strip().splitlines()) == 1


def test_list_shows_owner_label_dates_scope_status_and_never_the_token(app, runner) -> None:  # type: ignore[no-untyped-def]
    make_user("letan")
    first = runner.invoke(args=["tokens", "issue", "letan", "--name", "Cổng DVC"]).stdout.strip()
    second = runner.invoke(args=["tokens", "issue", "letan", "--read-only"]).stdout.strip()
    rows = {r.token_hash: r for r in db.session.scalars(select(ApiToken))}
    listed = runner.invoke(args=["tokens", "list"])
    assert listed.exit_code == 0, listed.output
    lines = listed.stdout.strip().splitlines()
    assert lines[0].split("\t") == ["id", "user", "unit", "name", "scope", "created", "expires", "last_used", "status"]
    assert len(lines) == 3
    assert first not in listed.stdout and second not in listed.stdout
    assert not any(h in listed.stdout for h in rows)
    by_id = {line.split("\t")[0]: line.split("\t") for line in lines[1:]}
    first_row = live_token(first)
    assert by_id[str(first_row.id)][1:5] == ["letan", "XA-01", "Cổng DVC", "write"]
    assert by_id[str(first_row.id)][8] == "active"
    assert by_id[str(live_token(second).id)][4] == "read"


def test_revoke_one_token_then_every_token_of_a_user(app, runner) -> None:  # type: ignore[no-untyped-def]
    make_user("letan")
    tokens = [runner.invoke(args=["tokens", "issue", "letan"]).stdout.strip() for _ in range(3)]
    first = live_token(tokens[0]).id
    result = runner.invoke(args=["tokens", "revoke", str(first)])
    assert result.exit_code == 0, result.output
    assert live_token(tokens[0]) is None and live_token(tokens[1]) is not None
    again = runner.invoke(args=["tokens", "revoke", str(first)])
    assert again.exit_code == 1 and "thu hồi" in again.stderr
    listed = runner.invoke(args=["tokens", "list", "--live"]).stdout
    assert len(listed.strip().splitlines()) == 3  # header and the two live ones
    assert "revoked:revoked" in runner.invoke(args=["tokens", "list", "--user", "letan"]).stdout
    result = runner.invoke(args=["tokens", "revoke", "--user", "letan"])
    assert result.exit_code == 0 and "2" in result.stdout
    assert all(live_token(t) is None for t in tokens)
