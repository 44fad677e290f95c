"""Administration pages: users, units and rule values, for administrators only."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.labels import label
from tracker.messages import message
from tracker.models import RuleParam
from tracker.models import Unit
from tracker.models import User
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_admin import add_rule_version
from tracker.services.legal.rule_params import params_on
from tracker.services.legal.rule_params import seed_rule_params

NEW_PASSWORD = "another long secret"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


@pytest.fixture
def admin(app, client):  # type: ignore[no-untyped-def]
    user = make_user("quantri", "admin", full_name="Quản Trị")
    login(client, "quantri")
    return user


@pytest.fixture
def sysadmin(app, client):  # type: ignore[no-untyped-def]
    """The installation administrator: the one who changes installation-wide legal data."""
    user = make_user("hethong", "sysadmin", full_name="Quản Trị Hệ Thống")
    login(client, "hethong")
    return user


def user_form(**kw: object) -> dict[str, object]:
    data: dict[str, object] = {"username": "canbo2", "full_name": "Lê Văn Cường", "role": "receptionist",
                               "unit": "XA-01", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    data.update(kw)
    return data


def edit_form(user: User, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {"full_name": user.full_name, "role": user.role, "unit": user.unit.code,
                               "version": user.version, "password": "", "confirm": ""}
    if user.active:
        data["active"] = "y"
    data.update(kw)
    return data


ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/units", "/admin/units/new", "/admin/rules",
               "/admin/rules/new"]


@pytest.mark.parametrize("role", ["receptionist", "chair", "inspector", "handler"])
def test_a_user_who_is_not_an_administrator_gets_403_on_every_admin_page(app, client, role) -> None:
    user = make_user("nguoidung", role)
    seed_rule_params()
    rule_id = db.session.scalar(select(RuleParam.id))
    login(client, "nguoidung")
    pages = ADMIN_PAGES + [f"/admin/users/{user.id}/edit", f"/admin/units/{user.unit_id}/edit",
                           f"/admin/rules/{rule_id}/edit"]
    for url in pages:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/visits/")
    response = client.post("/admin/users/new", data={"csrf_token": token, **user_form()})
    assert response.status_code == 403
    assert db.session.scalar(select(User).where(User.username == "canbo2")) is None


def test_admin_pages_need_a_login(app, client) -> None:
    for url in ADMIN_PAGES + ["/admin/audit"]:
        assert client.get(url).status_code == 302, url


def test_an_administrator_creates_a_user_who_can_then_log_in(app, client, admin) -> None:
    response = post_form(client, "/admin/users/new", user_form())
    assert response.status_code == 302
    listing = text(client.get("/admin/users"))
    assert "canbo2" in listing and "Lê Văn Cường" in listing
    assert "argon2" not in listing and "password_hash" not in listing
    created = db.session.scalar(select(User).where(User.username == "canbo2"))
    assert created.role == "receptionist" and created.unit_id == admin.unit_id
    other = app.test_client()
    assert login(other, "canbo2", NEW_PASSWORD).status_code == 302
    assert other.get("/visits/").status_code == 200


def test_a_duplicate_username_shows_the_message_and_creates_nothing(app, client, admin) -> None:
    make_user("canbo2")
    before = db.session.query(User).count()
    response = post_form(client, "/admin/users/new", user_form())
    assert response.status_code == 400
    assert str(message("username_taken")) in text(response)
    assert db.session.query(User).count() == before


def test_mismatched_passwords_create_nothing(app, client, admin) -> None:
    response = post_form(client, "/admin/users/new", user_form(confirm="something else entirely"))
    assert response.status_code == 400
    assert str(message("password_mismatch")) in text(response)
    assert db.session.scalar(select(User).where(User.username == "canbo2")) is None


def test_a_user_can_only_be_placed_in_a_visible_unit(app, client, admin) -> None:
    make_unit("XA-99", "UBND xã Ngoài")
    response = post_form(client, "/admin/users/new", user_form(unit="XA-99"))
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.username == "canbo2")) is None


def test_editing_a_user_changes_role_and_deactivation_ends_the_session(app, client, admin) -> None:
    staff = make_user("letan")
    staff_client = app.test_client()
    login(staff_client, "letan")
    assert staff_client.get("/visits/").status_code == 200
    url = f"/admin/users/{staff.id}/edit"
    response = post_form(client, url, {**edit_form(staff, role="handler"), "active": ""})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.role == "handler" and not staff.active
    assert staff_client.get("/visits/").status_code == 302  # logged out
    assert login(app.test_client(), "letan").status_code == 401  # cannot log in again


def test_a_stale_version_shows_the_conflict_and_changes_nothing(app, client, admin) -> None:
    staff = make_user("letan")
    url = f"/admin/users/{staff.id}/edit"
    form = edit_form(staff, full_name="Tên Mới")
    token = csrf_token(client, url)
    staff.full_name = "Người Khác Sửa"
    db.session.commit()  # someone else saves first: the version moves on
    response = client.post(url + "", data={"csrf_token": token, **form})
    assert response.status_code == 409
    assert str(message("stale")) in text(response)
    db.session.refresh(staff)
    assert staff.full_name == "Người Khác Sửa"


def test_an_administrator_cannot_deactivate_himself_or_drop_his_admin_role(app, client, admin) -> None:
    url = f"/admin/users/{admin.id}/edit"
    response = post_form(client, url + "", {**edit_form(admin), "active": ""})
    assert response.status_code == 400
    assert str(message("cannot_deactivate_self")) in text(response)
    response = post_form(client, url + "", edit_form(admin, role="receptionist"))
    assert response.status_code == 400
    assert str(message("cannot_drop_own_admin")) in text(response)
    db.session.refresh(admin)
    assert admin.active and admin.role == "admin"
    assert client.get("/admin/users").status_code == 200


def test_a_new_password_set_by_the_administrator_works(app, client, admin) -> None:
    staff = make_user("letan")
    url = f"/admin/users/{staff.id}/edit"
    response = post_form(client, url, edit_form(staff, password=NEW_PASSWORD, confirm=NEW_PASSWORD))
    assert response.status_code == 302
    assert login(app.test_client(), "letan", PASSWORD).status_code == 401
    assert login(app.test_client(), "letan", NEW_PASSWORD).status_code == 302


def test_users_of_another_unit_are_neither_listed_nor_editable(app, client, admin) -> None:
    stranger = make_user("nguoingoai", unit=make_unit("XA-02", "UBND xã Bên Cạnh"))
    assert "nguoingoai" not in text(client.get("/admin/users"))
    assert client.get(f"/admin/users/{stranger.id}/edit").status_code == 404


def test_the_unit_tree_shows_child_units_indented_and_a_province_admin_sees_communes(app, client) -> None:
    province = make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    make_unit("X-01", "UBND xã Một", level="commune", parent_code="T-01")
    make_unit("X-02", "UBND xã Hai", level="commune", parent_code="T-01")
    make_unit("T-02", "UBND tỉnh Khác", level="province", parent_code=None)
    make_user("qtt", "admin", province)
    login(client, "qtt")
    page = text(client.get("/admin/units"))
    assert 'class="depth-0">UBND tỉnh Thử' in page
    assert 'class="depth-1">UBND xã Hai' in page and 'class="depth-1">UBND xã Một' in page
    assert page.index("UBND tỉnh Thử") < page.index("UBND xã Hai") < page.index("UBND xã Một")
    assert "UBND tỉnh Khác" not in page


def test_a_commune_admin_sees_only_his_commune(app, client) -> None:
    make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    commune = make_unit("X-01", "UBND xã Một", level="commune", parent_code="T-01")
    make_unit("X-02", "UBND xã Hai", level="commune", parent_code="T-01")
    make_user("qtx", "admin", commune)
    login(client, "qtx")
    page = text(client.get("/admin/units"))
    assert "UBND xã Một" in page and "UBND xã Hai" not in page and "UBND tỉnh Thử" not in page
    province_id = db.session.scalar(select(Unit.id).where(Unit.code == "T-01"))
    assert client.get(f"/admin/units/{province_id}/edit").status_code == 404


def test_an_administrator_creates_a_commune_under_his_province(app, client) -> None:
    province = make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    make_user("qtt", "admin", province)
    login(client, "qtt")
    response = post_form(client, "/admin/units/new", {"code": "X-05", "name": "UBND xã Năm", "level": "commune",
                                                      "parent": "T-01", "reception_weekday": "2", "remote_area": "y"})
    assert response.status_code == 302
    unit = db.session.scalar(select(Unit).where(Unit.code == "X-05"))
    assert unit.parent_id == province.id and unit.remote_area and unit.reception_weekday == 2
    assert unit.path == f"{province.path}{unit.id}/"
    assert 'class="depth-1">UBND xã Năm' in text(client.get("/admin/units"))


def test_editing_a_unit_with_a_stale_version_changes_nothing(app, client, admin) -> None:
    unit = admin.unit
    url = f"/admin/units/{unit.id}/edit"
    data = {"name": "Tên mới", "address": "", "reception_weekday": "4", "active": "y", "version": unit.version}
    token = csrf_token(client, url)
    unit.address = "Số 1 đường Làng"
    db.session.commit()
    response = client.post(url + "", data={"csrf_token": token, **data})
    assert response.status_code == 409
    assert str(message("stale")) in text(response)
    db.session.refresh(unit)
    assert unit.name == "UBND xã Thử Nghiệm"
    data["version"] = unit.version
    assert post_form(client, url, data).status_code == 302
    db.session.refresh(unit)
    assert unit.name == "Tên mới" and unit.address is None


def test_an_administrator_cannot_deactivate_his_own_unit(app, client, admin) -> None:
    unit = admin.unit
    url = f"/admin/units/{unit.id}/edit"
    response = post_form(client, url, {"name": unit.name, "reception_weekday": "4", "version": unit.version})
    assert response.status_code == 400
    db.session.refresh(unit)
    assert unit.active


def test_rule_values_are_listed_with_their_certainty_and_can_be_corrected(app, client, sysadmin) -> None:
    seed_rule_params()
    row = db.session.scalar(select(RuleParam).where(RuleParam.key == "group_report_threshold"))
    page = text(client.get("/admin/rules"))
    assert "group_report_threshold" in page and f"[U] {label('certainty', 'U')}" in page and "01/07/2014" in page
    url = f"/admin/rules/{row.id}/edit"
    response = post_form(client, url, {"value": "4", "certainty": "C", "legal_basis": "Công văn mới của tỉnh",
                                       "effective_to": "", "note": "đã kiểm tra", "version": row.version})
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.value, row.certainty, row.legal_basis) == (4, "C", "Công văn mới của tỉnh")
    assert params_on(date(2026, 1, 1))["group_report_threshold"] == 4


def test_a_stale_rule_correction_changes_nothing(app, client, sysadmin) -> None:
    seed_rule_params()
    row = db.session.scalar(select(RuleParam).where(RuleParam.key == "group_report_threshold"))
    response = post_form(client, f"/admin/rules/{row.id}/edit",
                         {"value": "4", "certainty": "C", "legal_basis": "x", "version": row.version + 1})
    assert response.status_code == 409
    db.session.refresh(row)
    assert (row.value, row.certainty) == (5, "U")


def test_a_new_rule_version_applies_from_its_start_date(app, client, sysadmin) -> None:
    seed_rule_params()
    response = post_form(client, "/admin/rules/new", {"key": "group_min_people", "value": "6",
                                                      "effective_from": "01/07/2026", "legal_basis": "Luật 136/2025",
                                                      "certainty": "S"})
    assert response.status_code == 302
    assert params_on(date(2026, 6, 30))["group_min_people"] == 5
    assert params_on(date(2026, 7, 1))["group_min_people"] == 6
    response = post_form(client, "/admin/rules/new", {"key": "group_min_people", "value": "7",
                                                              "effective_from": "01/07/2026", "legal_basis": "x",
                                                              "certainty": "S"})
    assert response.status_code == 400
    assert str(message("rule_version_exists")) in text(response)


def test_add_rule_version_validates_key_basis_and_certainty(app) -> None:
    with pytest.raises(ValidationError) as caught:
        add_rule_version("no_such_key", value=1, effective_from=date(2026, 1, 1), legal_basis=" ", certainty="X")
    assert caught.value.fields == {"key": "rule_key_unknown", "legal_basis": "required",
                                   "certainty": "certainty_invalid"}
    assert db.session.query(RuleParam).count() == 0


@pytest.mark.parametrize("unit_code", ["T-01", "X-01"])
def test_only_the_installation_administrator_changes_rule_values_a_unit_admin_reads_them(
        app, client, unit_code) -> None:  # type: ignore[no-untyped-def]
    make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    make_unit("X-01", "UBND xã Một", level="commune", parent_code="T-01")
    make_user("qt", "admin", make_unit(unit_code))  # T-01: the admin of a top-level unit could, before issue 12
    seed_rule_params()
    row = db.session.scalar(select(RuleParam).where(RuleParam.key == "group_report_threshold"))
    login(client, "qt")
    page = client.get("/admin/rules")
    assert page.status_code == 200 and "group_report_threshold" in text(page)
    assert f"/admin/rules/{row.id}/edit" not in text(page)
    assert client.get(f"/admin/rules/{row.id}/edit").status_code == 403
    assert client.get("/admin/rules/new").status_code == 403
    token = csrf_token(client, "/admin/rules")
    response = client.post(f"/admin/rules/{row.id}/edit", data={
        "csrf_token": token, "value": "4", "certainty": "C", "legal_basis": "x", "version": row.version})
    assert response.status_code == 403
    db.session.refresh(row)
    assert row.value == 5


def test_admin_pages_link_to_each_other(app, client, admin) -> None:
    page = text(client.get("/admin/users"))
    for url in ("/admin/users", "/admin/units", "/admin/rules", "/admin/audit"):
        assert f'href="{url}"' in page
    assert 'aria-current="page"' in page


def test_an_admin_sets_the_units_reminder_weekly_freeze_and_report_style(client) -> None:
    from tests.conftest import login
    from tests.conftest import post_form
    from tests.factories import make_user
    from tracker.models import Unit

    admin = make_user("quantri2", role="admin")
    unit = db.session.get(Unit, admin.unit_id)
    login(client, "quantri2")
    form = {"name": unit.name, "address": "", "reception_weekday": "4", "active": "y", "reminder_days": "5",
            "snapshot_weekday": "2", "snapshot_time": "08:30", "report_convention": "calendar",
            "version": str(unit.version)}
    assert post_form(client, f"/admin/units/{unit.id}/edit", form).status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, admin.unit_id)
    assert (unit.reminder_days, unit.snapshot_weekday, unit.snapshot_time, unit.report_convention,
            unit.leading_zero) == (5, 2, "08:30", "calendar", False)
    bad = post_form(client, f"/admin/units/{unit.id}/edit", {**form, "snapshot_time": "25:00",
                                                               "version": str(unit.version)})
    assert bad.status_code in (400, 409)
    db.session.expire_all()
    assert db.session.get(Unit, admin.unit_id).snapshot_time == "08:30"
