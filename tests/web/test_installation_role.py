"""The installation-level role (issue 12: installation-wide legal data is not edited by the admin of any
top-level commune): ``sysadmin`` alone changes rules, calendar and legal updates (tests/web/test_admin*.py,
test_legal_update_page.py, the access table); here: it sees no unit's data, is granted on the server only
(CLI), and the user pages show it but cannot give it or edit it. Both databases."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tests.web.test_admin import edit_form
from tests.web.test_admin import user_form
from tracker.extensions import db
from tracker.models import User
from tracker.services.operations.passwords import verify_password
from tracker.services.operations.tokens import issue_token

NAME = "Nguyễn Thị Riêng Tư"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.fixture
def world(app, client):  # type: ignore[no-untyped-def]
    unit = make_unit("TINH-01", "UBND tỉnh Thử", level="province")
    desk = make_user("letan", "receptionist", unit)
    visit = make_visit(desk, full_name=NAME)
    make_user("hethong", "sysadmin", unit, full_name="Quản Trị Hệ Thống")
    make_user("quantri", "admin", unit)
    return {"visit": visit, "unit": unit}


def test_it_sees_no_citizen_data_of_its_own_unit_on_any_page_or_the_api(app, client, world) -> None:  # type: ignore[no-untyped-def]
    login(client, "hethong")
    visit = world["visit"]
    citizen_id = visit.visitors[0].citizen_id
    for url in ("/visits/", f"/visits/{visit.id}", "/citizens/", f"/citizens/{citizen_id}", "/letters/", "/cases/",
                "/dashboard/", "/weekly/", "/inbox/", "/instructions/", "/visits/export.xlsx", "/admin/users",
                "/admin/audit", "/admin/tokens", "/reports/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert NAME not in text(response), url
    home = client.get("/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/admin/deadline-rules")
    page = text(client.get("/admin/deadline-rules"))
    assert "Quản trị hệ thống" in page  # its role label in the top bar
    assert 'href="/visits/"' not in page and 'href="/admin/users"' not in page
    token = issue_token("hethong")
    headers = {"Authorization": f"Bearer {token}"}
    for url in ("/api/v1/citizens", f"/api/v1/citizens/{citizen_id}", "/api/v1/visits", "/api/v1/cases"):
        response = client.get(url, headers=headers)
        assert response.status_code == 403 and NAME not in text(response), url
    assert client.get("/api/v1/deadlines?kind=letter&step=notify&start=2026-03-02", headers=headers).status_code == 200


def test_the_user_pages_show_the_role_but_cannot_give_or_edit_it(app, client, world) -> None:  # type: ignore[no-untyped-def]
    login(client, "quantri")
    sysadmin = db.session.scalar(select(User).where(User.username == "hethong"))
    listing = text(client.get("/admin/users"))
    assert "hethong" in listing and "Quản trị hệ thống" in listing
    assert f"/admin/users/{sysadmin.id}/edit" not in listing
    assert client.get(f"/admin/users/{sysadmin.id}/edit").status_code == 403
    assert 'value="sysadmin"' not in text(client.get("/admin/users/new"))
    response = post_form(client, "/admin/users/new", user_form(unit="TINH-01", role="sysadmin"))
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.username == "canbo2")) is None
    desk = db.session.scalar(select(User).where(User.username == "letan"))
    response = post_form(client, f"/admin/users/{desk.id}/edit", edit_form(desk, role="sysadmin"))
    assert response.status_code == 400
    db.session.refresh(desk)
    assert desk.role == "receptionist"
    # and the admin cannot take the account over by resetting its password
    token = csrf_token(client, "/admin/users")
    new = "a password the admin knows"
    response = client.post(f"/admin/users/{sysadmin.id}/edit", data={
        "csrf_token": token, **edit_form(sysadmin, password=new, confirm=new)})
    assert response.status_code == 403
    db.session.refresh(sysadmin)
    assert not verify_password(sysadmin.password_hash, new)


def test_the_cli_grants_it_and_first_admin_creates_it(app, runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "first admin password")
    result = runner.invoke(args=["setup", "first-admin", "--unit-code", "XA-09"])
    assert result.exit_code == 0, result.output
    roles = dict(db.session.execute(select(User.username, User.role)).all())
    assert roles == {"admin": "admin", "sysadmin": "sysadmin"}
    assert login(app.test_client(), "sysadmin", "first admin password").status_code == 302
    result = runner.invoke(args=["users", "add", "hethong2", "--role", "sysadmin", "--unit", "XA-09",
                                 "--password-stdin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User.role).where(User.username == "hethong2")) == "sysadmin"


def test_first_admin_takes_the_sysadmin_password_from_its_own_variable(app, runner, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKER_ADMIN_PASSWORD", "first admin password")
    monkeypatch.setenv("TRACKER_SYSADMIN_PASSWORD", "the installation password")
    assert runner.invoke(args=["setup", "first-admin"]).exit_code == 0
    stored = db.session.scalar(select(User.password_hash).where(User.username == "sysadmin"))
    assert verify_password(stored, "the installation password") and not verify_password(stored, "first admin password")
