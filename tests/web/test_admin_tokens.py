"""The admin page of API tokens (issue 12, finding 9): owner, label, dates, scope and status of the tokens
of the admin's units, never the token; revoking one (audited); a deactivation through the user form ends
the tokens and re-activating the account brings none back. Both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.web.test_admin import edit_form
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.models import AuditEntry
from tracker.models import User
from tracker.services.operations.tokens import issue_token


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    a, b = make_unit("XA-A", "UBND xã An Bình"), make_unit("XA-B", "UBND xã Bình Yên")
    make_user("quantri_a", "admin", a)
    make_user("letan_a", "receptionist", a)
    make_user("letan_b", "receptionist", b)
    tokens = {"a": issue_token("letan_a", name="Cổng dịch vụ công", scope="read", days=30),
              "b": issue_token("letan_b", name="Tích hợp xã B")}
    login(client, "quantri_a")
    return tokens


def bearer(client, token: str) -> int:  # type: ignore[no-untyped-def]
    return client.get("/api/v1/visits", headers={"Authorization": f"Bearer {token}"}).status_code


def row_of(username: str) -> ApiToken:
    db.session.expire_all()
    return db.session.scalars(select(ApiToken).join(ApiToken.user).where(User.username == username)).one()


def test_the_list_shows_the_tokens_of_the_admins_units_and_never_the_token(client, world) -> None:  # type: ignore[no-untyped-def]
    assert bearer(client, world["a"]) == 200  # a last use to show
    page = text(client.get("/admin/tokens"))
    assert "letan_a" in page and "Cổng dịch vụ công" in page
    assert "Chỉ đọc" in page and "Đang hoạt động" in page  # scope and status, in Vietnamese
    row = row_of("letan_a")
    assert row.expires_at.astimezone().strftime("%Y") in page
    assert world["a"] not in page and row.token_hash not in page
    # another commune's tokens are not listed
    assert "letan_b" not in page and "Tích hợp xã B" not in page and world["b"] not in page


def test_revoking_a_token_from_the_page_ends_it_and_is_audited(client, world) -> None:  # type: ignore[no-untyped-def]
    row = row_of("letan_a")
    response = post_form(client, f"/admin/tokens/{row.id}/revoke", {}, form_url="/admin/tokens")
    assert response.status_code == 302
    assert bearer(client, world["a"]) == 401
    row = row_of("letan_a")
    assert row.revoked_reason == "revoked"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "api_tokens",
                                                        AuditEntry.entity_id == row.id,
                                                        AuditEntry.action == "update")).one()
    assert entry.actor == "quantri_a" and entry.unit_id == row.user.unit_id
    page = text(client.get("/admin/tokens"))
    assert "Đã thu hồi" in page and "thu hồi thủ công" in page
    # twice: a message, no error
    again = post_form(client, f"/admin/tokens/{row.id}/revoke", {}, form_url="/admin/tokens",
                      follow_redirects=True)
    assert again.status_code == 200 and "đã bị thu hồi" in text(again)


def test_another_communes_token_cannot_be_revoked_and_a_post_needs_csrf(client, world) -> None:  # type: ignore[no-untyped-def]
    other = row_of("letan_b")
    response = post_form(client, f"/admin/tokens/{other.id}/revoke", {}, form_url="/admin/tokens")
    assert response.status_code == 404
    assert client.post(f"/admin/tokens/{row_of('letan_a').id}/revoke").status_code == 400  # no CSRF token
    assert bearer(client, world["b"]) == 200 and bearer(client, world["a"]) == 200


@pytest.mark.parametrize("role", ["receptionist", "chair", "inspector"])
def test_only_an_admin_sees_or_revokes_tokens(app, client, world, role) -> None:  # type: ignore[no-untyped-def]
    make_user(f"u_{role}", role, make_unit("XA-A"))
    token = csrf_token(client, "/admin/tokens")
    client.post("/logout", data={"csrf_token": token})
    login(client, f"u_{role}")
    assert client.get("/admin/tokens").status_code == 403
    csrf = csrf_token(client, "/account/password")
    response = client.post(f"/admin/tokens/{row_of('letan_a').id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 403
    assert bearer(client, world["a"]) == 200


def test_deactivating_in_the_user_form_ends_the_tokens_and_re_activation_brings_none_back(
        client, world) -> None:  # type: ignore[no-untyped-def]
    user = db.session.scalar(select(User).where(User.username == "letan_a"))
    url = f"/admin/users/{user.id}/edit"
    data = edit_form(user)
    data.pop("active")
    assert post_form(client, url, data).status_code == 302
    assert bearer(client, world["a"]) == 401
    db.session.refresh(user)
    assert post_form(client, url, edit_form(user, active="y")).status_code == 302
    db.session.refresh(user)
    assert user.active
    assert bearer(client, world["a"]) == 401
    assert row_of("letan_a").revoked_reason == "deactivated"


def test_a_password_reset_in_the_user_form_ends_the_tokens(client, world) -> None:  # type: ignore[no-untyped-def]
    user = db.session.scalar(select(User).where(User.username == "letan_a"))
    new = "a reset password for her"
    response = post_form(client, f"/admin/users/{user.id}/edit", edit_form(user, password=new, confirm=new))
    assert response.status_code == 302
    assert bearer(client, world["a"]) == 401
    assert row_of("letan_a").revoked_reason == "password_reset"
