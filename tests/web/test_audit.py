"""The audit log browser: read-only, newest first, filtered in SQL, limited to the units one may see."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.services.privacy.audit import set_actor
from tracker.services.reception import visits as reception


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def three_units():  # type: ignore[no-untyped-def]
    """A province with two communes: the inspector of commune A must not see commune B."""
    make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    a = make_unit("X-A", "UBND xã An", level="commune", parent_code="T-01")
    b = make_unit("X-B", "UBND xã Bình", level="commune", parent_code="T-01")
    return a, b


def test_the_audit_page_shows_a_change_made_to_a_visit(app, client) -> None:
    clerk = make_user("letan")
    set_actor(clerk.id, clerk.username)
    visit = make_visit(clerk, content="Hỏi về đất ở khu phố 3")
    data = reception.VisitInput(visited_on=visit.visited_on, content="Hỏi về ranh giới đất ở khu phố 3",
                                classification="petition", handling="guided",
                                visitors=[reception.VisitorInput(citizen_id=visit.visitors[0].citizen_id)])
    reception.update_visit(visit, data, version=visit.version, today=date(2026, 11, 23))
    make_user("quantri", "admin")
    login(client, "quantri")
    response = client.get("/admin/audit")
    assert response.status_code == 200
    page = text(response)
    assert "Hỏi về đất ở khu phố 3 → Hỏi về ranh giới đất ở khu phố 3" in page
    assert f"#{visit.id}" in page and "letan" in page
    # newest first: the update is listed before the creation
    changed = page.index("→ Hỏi về ranh giới")
    created = page.index(f"Số vào sổ</span>: {visit.register_no}")
    assert changed < created
    filtered = text(client.get(f"/admin/audit?entity=visits&action=update&entity_id={visit.id}"))
    assert "→ Hỏi về ranh giới" in filtered and "Số vào sổ</span>:" not in filtered
    # read as sentences, fields by their names on the forms and codes by their labels
    assert "letan đã sửa Lượt tiếp" in page and "letan đã tạo Lượt tiếp" in page
    assert "Nội dung vụ việc</span>: Hỏi về đất ở khu phố 3 → Hỏi về ranh giới" in page
    assert "Phân loại</span>: Kiến nghị" in page and "classification</span>" not in page


def test_times_are_shown_in_local_time_as_dd_mm_yyyy(app, client) -> None:
    make_user("quantri", "admin")
    login(client, "quantri")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    from zoneinfo import ZoneInfo

    local = entry.at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")
    assert local in text(client.get("/admin/audit"))


def test_an_inspector_sees_own_and_lower_units_but_not_a_sibling_unit(app, client) -> None:
    a, b = three_units()
    province = a.parent
    make_visit(make_user("letan_a", unit=a), content="Việc của xã An")
    make_visit(make_user("letan_b", unit=b), content="Việc của xã Bình")
    make_user("thanhtra_a", "inspector", a)
    make_user("thanhtra_t", "inspector", province)

    login(client, "thanhtra_a")
    page = text(client.get("/admin/audit"))
    assert "Việc của xã An" in page and "Việc của xã Bình" not in page
    assert "letan_b" not in page
    page = text(client.get(f"/admin/audit?unit={b.code}"))  # naming a sibling unit reveals nothing
    assert "Việc của xã Bình" not in page

    other = app.test_client()
    login(other, "thanhtra_t")
    page = text(other.get("/admin/audit"))
    assert "Việc của xã An" in page and "Việc của xã Bình" in page
    page = text(other.get(f"/admin/audit?unit={b.code}"))
    assert "Việc của xã Bình" in page and "Việc của xã An" not in page


def test_filters_by_actor_and_date_range(app, client) -> None:
    clerk = make_user("letan")
    set_actor(clerk.id, clerk.username)
    make_visit(clerk, content="Nội dung kiểm tra bộ lọc")
    make_user("quantri", "admin")
    login(client, "quantri")
    assert "Nội dung kiểm tra bộ lọc" in text(client.get("/admin/audit?actor=letan"))
    assert "Nội dung kiểm tra bộ lọc" not in text(client.get("/admin/audit?actor=someone"))
    assert "Nội dung kiểm tra bộ lọc" not in text(client.get("/admin/audit?date_to=01/01/2020"))
    assert "Nội dung kiểm tra bộ lọc" not in text(client.get("/admin/audit?date_from=31/12/2099"))
    # a malformed filter is ignored, not an error
    assert client.get("/admin/audit?date_from=31/02/x&entity_id=abc&entity=nonsense").status_code == 200


def test_the_audit_log_is_paginated(app, client) -> None:
    make_user("quantri", "admin")
    app.config["PER_PAGE"] = 2
    for n in range(5):
        make_user(f"canbo{n}")
    login(client, "quantri")
    page = text(client.get("/admin/audit?entity=users&action=create"))
    assert page.count('<td class="when">') == 2 and 'rel="next"' in page
    assert text(client.get("/admin/audit?entity=users&action=create&page=3")).count('<td class="when">') == 2


def test_secrets_never_appear_in_the_audit_log(app, client) -> None:
    make_user("quantri", "admin")
    login(client, "quantri")
    page = text(client.get("/admin/audit?entity=users"))
    assert "Mật khẩu</span>: ***" in page
    assert "$argon2" not in page


@pytest.mark.parametrize("role", ["receptionist", "chair", "handler", "vice_chair"])
def test_only_administrators_and_inspectors_read_the_audit_log(app, client, role) -> None:
    make_user("nguoidung", role)
    login(client, "nguoidung")
    assert client.get("/admin/audit").status_code == 403


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_no_audit_url_accepts_a_change(app, client, method) -> None:
    make_user("quantri", "admin")
    login(client, "quantri")
    count = db.session.scalar(select(func.count()).select_from(AuditEntry))
    entry_id = db.session.scalar(select(func.max(AuditEntry.id)))
    token = csrf_token(client, "/admin/users/new")
    for url in ("/admin/audit", f"/admin/audit/{entry_id}", f"/admin/audit/{entry_id}/delete", "/admin/audit/"):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code in (404, 405), url
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == count
