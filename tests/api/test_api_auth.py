"""Bearer tokens and role permissions of the JSON API."""
from __future__ import annotations

from tests.api.conftest import api_for
from tests.api.conftest import visit_body
from tracker.extensions import db
from tracker.messages import message
from tracker.models import ApiToken
from tracker.models import AuditEntry
from tracker.models import Visit


def test_a_request_without_a_token_is_refused_with_a_json_401(api) -> None:
    response = api.client.get("/api/v1/visits")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["fields"] == {}
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_or_another_scheme_is_refused_with_a_json_401(api) -> None:
    for header in ("Bearer not-a-token", f"Basic {api.token}", "Bearer ", api.token):
        response = api.client.get("/api/v1/citizens", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["error"]["code"] == "unauthorized"


def test_a_revoked_token_no_longer_works(api) -> None:
    assert api.get("/api/v1/visits").status_code == 200
    row = db.session.query(ApiToken).one()
    row.revoked_at = row.created_at
    db.session.commit()
    assert api.get("/api/v1/visits").status_code == 401


def test_the_401_message_is_vietnamese_by_default_and_english_on_request(app, api) -> None:
    from flask_babel import force_locale

    vi = api.client.get("/api/v1/visits").json["error"]["message"]
    en = api.client.get("/api/v1/visits", headers={"Accept-Language": "en-GB,en;q=0.8"}).json["error"]["message"]
    with force_locale("vi"):
        assert vi == str(message("unauthorized"))
    assert en == "A valid bearer token is required."


def test_an_inspector_may_read_but_cannot_log_a_visit(client, app) -> None:
    inspector = api_for(client, "thanhtra", "inspector")
    assert inspector.get("/api/v1/visits").status_code == 200
    response = inspector.post("/api/v1/visits", visit_body())
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
    assert db.session.query(Visit).count() == 0
    assert inspector.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa"}).status_code == 403


def test_a_write_through_the_api_is_audited_under_the_token_owner(api) -> None:
    assert api.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa"}).status_code == 201
    entry = db.session.query(AuditEntry).filter_by(entity="citizens", action="create").one()
    assert entry.actor == "letan"
    assert entry.user_id == api.user.id
