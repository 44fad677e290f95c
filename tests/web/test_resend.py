"""A form refused before its view (a protection code that no longer belongs to the session, a NUL character)
keeps what was typed: the 400 page says why in Vietnamese and sends the fields again in one click — only
for a form posted from this site, and never with a password in the page."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import CSRF_RE
from tests.conftest import FreshContextClient
from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import Citizen

HOST = "http://localhost"


@pytest.fixture(autouse=True)
def _own_contexts(app: Flask) -> None:
    app.test_client_class = FreshContextClient  # each request in its own context, as on a server
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _citizens() -> int:
    return db.session.scalar(select(func.count()).select_from(Citizen)) or 0


def _hidden(body: str) -> dict[str, str]:
    form = body[body.index('id="resend-form"'):]
    return {k: v for k, v in HIDDEN.findall(form[:form.index("</form>")]) if k != "csrf_token"}


def test_a_form_with_a_stale_protection_code_comes_back_with_what_was_typed(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    stale = csrf_token(client, "/citizens/new")
    client = app.test_client()  # she signed in again meanwhile: a new session, the old page's code is stale
    assert login(client, "letan").status_code == 302
    before = _citizens()
    typed = {"full_name": "Nguyễn Thị Hoa", "birth_year": "1970", "address": "Tổ 3, <ấp> \"Mới\""}
    refused = client.post("/citizens/new", data={"csrf_token": stale, **typed}, headers={"Origin": HOST})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "mã bảo vệ" in body and "Gửi lại" in body
    assert _citizens() == before  # nothing saved
    fields = _hidden(body)
    assert fields["full_name"] == "Nguyễn Thị Hoa" and fields["address"] == "Tổ 3, &lt;ấp&gt; &#34;Mới&#34;"
    fresh = CSRF_RE.search(body[body.index('id="resend-form"'):])
    assert fresh and fresh.group(1) != stale
    again = client.post("/citizens/new", data={**typed, "csrf_token": fresh.group(1)}, headers={"Origin": HOST})
    assert again.status_code == 302 and _citizens() == before + 1
    assert db.session.scalar(select(Citizen.address).order_by(Citizen.id.desc()).limit(1)) == typed["address"]


def test_a_form_posted_from_another_site_is_refused_without_its_fields(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    forged = client.post("/citizens/new", data={"full_name": "Kẻ Giả Mạo"}, headers={"Origin": "http://evil.example"})
    body = forged.get_data(as_text=True)
    assert forged.status_code == 400 and "mã bảo vệ" in body
    assert 'id="resend-form"' not in body and "Kẻ Giả Mạo" not in body
    no_origin = client.post("/citizens/new", data={"full_name": "Kẻ Giả Mạo"})  # nor one that says nothing
    assert 'id="resend-form"' not in no_origin.get_data(as_text=True)


def test_a_nul_character_is_taken_out_and_the_form_offered_again(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    token = csrf_token(client, "/citizens/new")
    before = _citizens()
    refused = client.post("/citizens/new", data={"csrf_token": token, "full_name": "Nguyễn\x00Văn"},
                          headers={"Referer": f"{HOST}/citizens/new"})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "NUL" in body and _citizens() == before
    assert _hidden(body)["full_name"] == "NguyễnVăn"


def test_a_password_is_never_written_back_into_the_page(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    client.get("/login")
    refused = client.post("/login", data={"csrf_token": "stale", "username": "letan",
                                          "password": "correct horse battery"}, headers={"Origin": HOST})
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and _hidden(body) == {"username": "letan"}
    assert "correct horse battery" not in body


def test_a_date_beyond_any_plausible_year_is_refused_on_the_form_in_vietnamese(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    token = csrf_token(client, "/letters/new")
    for typed in ("31/12/9999", "01/01/0001"):
        answer = client.post("/letters/new", data={"csrf_token": token, "received_on": typed, "kind": "petition",
                                                   "summary": "Đề nghị sửa đường"})
        body = answer.get_data(as_text=True)
        assert answer.status_code == 400 and "Vui lòng nhập năm trong khoảng từ 1900 đến 2100" in body, typed
        assert typed in body  # what was typed stays in the box


def test_a_date_the_calendar_does_not_have_is_named_so_not_called_malformed(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    token = csrf_token(client, "/letters/new")
    answer = client.post("/letters/new", data={"csrf_token": token, "received_on": "30/02/2026", "kind": "petition",
                                               "summary": "Đề nghị sửa đường"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Ngày này không có trên lịch" in body and "30/02/2026" in body
    listing = client.get("/cases/?due_before=31/04/2026").get_data(as_text=True)
    assert "Ngày này không có trên lịch" in listing
    malformed = client.post("/letters/new", data={"csrf_token": token, "received_on": "hôm qua", "kind": "petition",
                                                  "summary": "Đề nghị sửa đường"}).get_data(as_text=True)
    assert "dd/mm/yyyy" in malformed and "không có trên lịch" not in malformed


def test_the_kept_fields_are_shown_for_the_user_to_check(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    refused = client.post("/citizens/new", data={"csrf_token": "stale", "full_name": "Lê Văn Tám"},
                          headers={"Origin": HOST})
    body = refused.get_data(as_text=True)
    shown = body[body.index('id="kept-fields"'):]
    assert "<dd>Lê Văn Tám</dd>" in shown[:shown.index("</dl>")]


def test_a_sending_document_dated_after_the_letter_arrived_is_refused(app: Flask) -> None:
    make_user("letan", "receptionist")
    client = app.test_client()
    assert login(client, "letan").status_code == 302
    token = csrf_token(client, "/letters/new")
    answer = client.post("/letters/new", data={
        "csrf_token": token, "received_on": "01/12/2026", "channel": "transferred_in", "from_body": "UBND tỉnh",
        "from_document_no": "12/TT", "from_document_date": "02/12/2026", "kind": "petition",
        "subject": "land", "summary": "Đề nghị sửa đường", "full_name": "Nguyễn Văn An", "mediation_type": "",
        "visit_id": ""})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Ngày của văn bản chuyển đơn không được sau ngày nhận đơn" in body
