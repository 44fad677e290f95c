"""API tokens (issue 12, finding 9): expiry, read-only scope, revocation by hand, by a password reset or
change and by deactivation (re-activation gives nothing back), and the last use. Both databases."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from tests.api.conftest import Api
from tests.api.conftest import api_for
from tests.api.conftest import visit_body
from tests.factories import PASSWORD
from tracker.extensions import db
from tracker.messages import message
from tracker.models import ApiToken
from tracker.models import AuditEntry
from tracker.models import Citizen
from tracker.models import User
from tracker.models.base import utcnow
from tracker.services.operations import tokens
from tracker.services.operations.users import change_own_password
from tracker.services.operations.users import update_user


def _row(api: Api) -> ApiToken:
    db.session.expire_all()
    return db.session.scalars(select(ApiToken).where(ApiToken.user_id == api.user.id)).one()


def _edit(user: User, **over: object) -> None:
    db.session.refresh(user)
    values = {"version": user.version, "full_name": user.full_name, "role": user.role,
              "unit_code": user.unit.code, "active": user.active, **over}
    update_user(user, **values)  # type: ignore[arg-type]


def test_a_token_expires_after_the_configured_default_days(app: Flask, api: Api) -> None:
    row = _row(api)
    assert row.expires_at - row.created_at == timedelta(days=90)  # TRACKER_API_TOKEN_DAYS unset
    app.config["API_TOKEN_DAYS"] = 7
    other = api_for(api.client, "letan2", "receptionist")
    assert (_row(other).expires_at - _row(other).created_at) == timedelta(days=7)
    assert api.get("/api/v1/visits").status_code == 200
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = api.get("/api/v1/visits")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_the_days_of_one_token_are_chosen_when_it_is_issued_and_bounded(api: Api) -> None:
    token = tokens.issue_token("letan", days=1, name="Cổng dịch vụ công")
    row = db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert row.expires_at - row.created_at == timedelta(days=1) and row.name == "Cổng dịch vụ công"
    assert token not in row.token_hash
    for days in (0, -3, 3651):
        try:
            tokens.issue_token("letan", days=days)
        except tokens.ValidationError as exc:
            assert exc.fields == {"days": "token_days_invalid"}
        else:
            raise AssertionError(f"{days} days accepted")
    assert db.session.query(ApiToken).count() == 2


def _write_routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        for method in sorted((rule.methods or set()) - {"GET", "HEAD", "OPTIONS"}):
            url = rule.rule
            for arg in rule.arguments:
                url = url.replace(f"<int:{arg}>", "1").replace(f"<{arg}>", "x")
            found.append((method, url))
    return found


def test_a_read_only_token_reads_and_every_write_method_of_the_api_answers_403_in_vietnamese(
        app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    writer = api_for(client, "letan", "receptionist")
    reader = Api(client, tokens.issue_token("letan", scope="read", name="báo cáo"), writer.user)
    assert reader.get("/api/v1/visits").status_code == 200
    assert reader.get("/api/v1/citizens").status_code == 200
    routes = _write_routes(app)
    assert len(routes) >= 8, routes  # POST citizens, visits, letters, handling, actions; PATCH; DELETE
    with force_locale("vi"):
        expected = str(message("token_read_only"))
    assert "chỉ" in expected  # Vietnamese, not the English msgid
    for method, url in routes:
        response = client.open(url, method=method, json=visit_body(), headers=reader.headers())
        assert response.status_code == 403, (method, url, response.status_code)
        assert response.json["error"]["code"] == "token_read_only"
        assert response.json["error"]["message"] == expected
    assert db.session.query(Citizen).count() == 0
    # the same owner's read-write token still writes: the scope is the token's, not the user's
    assert writer.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa"}).status_code == 201


def test_revoking_a_token_by_hand_ends_it_and_is_audited_under_the_owners_unit(api: Api) -> None:
    row = _row(api)
    tokens.revoke_token(row.id)
    assert api.get("/api/v1/visits").status_code == 401
    row = _row(api)
    assert row.revoked_reason == "revoked" and tokens.status_of(row) == "revoked"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "api_tokens",
                                                        AuditEntry.action == "update")).one()
    assert entry.entity_id == row.id and entry.unit_id == api.user.unit_id
    try:
        tokens.revoke_token(row.id)
    except tokens.ConflictError as exc:
        assert exc.code == "token_already_revoked"
    else:
        raise AssertionError("revoked twice")


def test_a_password_reset_by_an_administrator_revokes_every_token(api: Api) -> None:
    second = Api(api.client, tokens.issue_token("letan"), api.user)
    _edit(api.user, new_password="a brand new password")
    for client in (api, second):
        assert client.get("/api/v1/visits").status_code == 401
    reasons = set(db.session.scalars(select(ApiToken.revoked_reason)))
    assert reasons == {"password_reset"}


def test_changing_ones_own_password_revokes_every_token(api: Api) -> None:
    change_own_password(api.user, PASSWORD, "another long password")
    assert api.get("/api/v1/visits").status_code == 401
    assert _row(api).revoked_reason == "password_change"


def test_a_deactivated_account_gets_no_token_back_when_it_is_re_activated(api: Api) -> None:
    assert api.get("/api/v1/visits").status_code == 200
    _edit(api.user, active=False)
    assert api.get("/api/v1/visits").status_code == 401
    _edit(api.user, active=True)
    assert api.get("/api/v1/visits").status_code == 401  # was 200: the token came back with the account
    assert _row(api).revoked_reason == "deactivated"
    fresh = Api(api.client, tokens.issue_token("letan"), api.user)
    assert fresh.get("/api/v1/visits").status_code == 200


def test_an_ordinary_edit_of_the_account_keeps_its_tokens(api: Api) -> None:
    _edit(api.user, full_name="Trần Thị Bình Minh")
    assert api.get("/api/v1/visits").status_code == 200
    assert _row(api).revoked_at is None


def test_the_last_use_is_written_but_not_on_every_call(api: Api) -> None:
    assert _row(api).last_used_at is None
    assert api.get("/api/v1/visits").status_code == 200
    first = _row(api).last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    assert api.get("/api/v1/visits").status_code == 200
    assert _row(api).last_used_at == first  # within TOUCH_EVERY: no write
    row = _row(api)
    row.last_used_at = first - tokens.TOUCH_EVERY
    db.session.commit()
    assert api.get("/api/v1/visits").status_code == 200
    assert _row(api).last_used_at > first
    # a use is not an audited change of the token
    assert db.session.query(AuditEntry).filter_by(entity="api_tokens", action="update").count() == 1
