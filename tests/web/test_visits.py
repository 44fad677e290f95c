"""The visit form and list through the browser-facing views, with CSRF on."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Visit

FORM = {
    "visited_on": "05/03/2026", "visited_time": "08:30", "channel": "in_person", "kind": "regular",
    "host": "officer", "people_count": "1", "full_name": "Nguyễn Văn An", "id_number": "001085012345",
    "birth_year": "1985", "gender": "male", "content": "Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
    "classification": "petition", "subject": "land", "handling": "guided", "within_competence": "y",
}


def visit_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Visit))


def test_a_receptionist_logs_a_visit_and_sees_it_in_the_list(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", FORM)
    assert response.status_code == 302
    page = client.get("/visits/?q=nguyen van an").get_data(as_text=True)
    assert "Nguyễn Văn An" in page and "05/03/2026" in page


def test_an_eleven_digit_id_number_is_refused_and_nothing_is_written(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "id_number": "00108501234"})
    assert response.status_code == 400
    assert message("id_number_length") in response.get_data(as_text=True)
    assert visit_count() == 0


def test_a_date_in_the_future_and_zero_people_are_refused(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "visited_on": "01/01/2099", "people_count": "0"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message("date_in_future") in text and message("people_count_min") in text
    assert visit_count() == 0


def test_a_malformed_date_gets_a_message_not_an_error_page(client) -> None:
    make_user()
    login(client, "letan")
    response = post_form(client, "/visits/new", {**FORM, "visited_on": "31/02/2026"})
    assert response.status_code == 400
    assert str(message("date_not_in_calendar")) in response.get_data(as_text=True)  # the form is right
    response = post_form(client, "/visits/new", {**FORM, "visited_on": "31.02.2026"})
    assert response.status_code == 400 and str(message("date_invalid")) in response.get_data(as_text=True)


def test_a_repeat_visitor_chosen_from_the_suggestions_is_linked(client) -> None:
    user = make_user()
    first = make_visit(user, full_name="Đặng Thị Đào", birth_year=1970)
    login(client, "letan")
    found = client.get("/visits/suggest?full_name=dang thi dao&birth_year=1970").get_json()
    assert [c["full_name"] for c in found] == ["Đặng Thị Đào"] and found[0]["visits"] == 1
    post_form(client, "/visits/new", {**FORM, "citizen_id": str(found[0]["id"]), "full_name": "", "id_number": ""})
    second = db.session.scalars(select(Visit).order_by(Visit.id.desc())).first()
    assert second.visitors[0].citizen_id == first.visitors[0].citizen_id


def test_a_handler_can_read_but_not_log_visits(client) -> None:
    make_user("canbo", role="handler")
    login(client, "canbo")
    assert client.get("/visits/").status_code == 200
    assert client.get("/visits/new").status_code == 403


def test_nobody_sees_another_units_visits(client) -> None:
    other = make_user("khac", unit=make_unit("XA-02", "UBND xã Khác"))
    visit = make_visit(other, full_name="Lý Văn Bí Mật")
    make_user()
    login(client, "letan")
    assert "Lý Văn Bí Mật" not in client.get("/visits/").get_data(as_text=True)
    assert client.get(f"/visits/{visit.id}").status_code == 404


def test_an_inspector_sees_the_units_below_but_cannot_write(client) -> None:
    province = make_unit("TINH", "UBND tỉnh", level="province")
    commune = make_unit("XA-03", "UBND xã Dưới", parent_code="TINH")
    visit = make_visit(make_user("letan3", unit=commune), full_name="Phạm Thị Dưới")
    make_user("thanhtra", role="inspector", unit=province)
    login(client, "thanhtra")
    assert "Phạm Thị Dưới" in client.get("/visits/").get_data(as_text=True)
    assert client.get(f"/visits/{visit.id}").status_code == 200
    assert client.get("/visits/new").status_code == 403


def test_a_visit_is_corrected_with_its_version_and_a_stale_form_is_refused(client) -> None:
    user = make_user()
    visit = make_visit(user, visited_on=date(2026, 3, 5))
    login(client, "letan")
    edit = {**FORM, "citizen_id": str(visit.visitors[0].citizen_id), "classification": "feedback",
            "version": str(visit.version)}
    assert post_form(client, f"/visits/{visit.id}/edit", edit).status_code == 302
    stale = post_form(client, f"/visits/{visit.id}/edit", {**edit, "classification": "complaint"})
    assert stale.status_code == 400 and message("stale") in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).classification == "feedback"


def test_the_list_is_paginated(client, app) -> None:
    user = make_user()
    for day in range(1, app.config["PER_PAGE"] + 3):
        make_visit(user, visited_on=date(2026, 1, 1 + day % 28), content=f"Nội dung {day}")
    login(client, "letan")
    first = client.get("/visits/").get_data(as_text=True)
    assert 'rel="next"' in first
    assert client.get("/visits/?page=2").status_code == 200


def test_markup_in_a_citizens_name_is_shown_as_text(client) -> None:
    user = make_user()
    make_visit(user, full_name="<script>alert(1)</script> Nguyễn")
    login(client, "letan")
    page = client.get("/visits/").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
