"""The letter register in the browser's shoes: register, find, handle, link duplicates, split, print
the receipt, and keep a denouncer's identity from those who may not see it."""
from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests.conftest import FreshContextClient
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Case
from tracker.models import Letter
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters.letter_split import SPLIT_REASON
from tracker.web.filters import local_today

DENOUNCER = "Lê Văn Tố"


@pytest.fixture
def desk(app: Flask) -> dict[str, object]:
    seed_deadline_rules()
    seed_calendar()
    return {
        "letan": make_user("letan", "receptionist"),
        "chutich": make_user("chutich", "chair", full_name="Phạm Văn Chủ"),
        "canbo": make_user("canbo", "handler", full_name="Đỗ Thị Xử"),
        "quantri": make_user("quantri", "admin"),
    }


def client_for(app: Flask, username: str) -> FlaskClient:
    app.test_client_class = FreshContextClient
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def page(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def register(client: FlaskClient, **over: object):  # type: ignore[no-untyped-def]
    data = {"received_on": local_today().strftime("%d/%m/%Y"), "channel": "post", "kind": "complaint",
            "subject": "land", "summary": "Khiếu nại quyết định thu hồi đất của gia đình tôi",
            "full_name": "Nguyễn Văn An", "id_number": "001085012345", "birth_year": "1985", "gender": "",
            "mediation_type": "", "visit_id": ""}
    data.update({k: v for k, v in over.items() if v is not None})
    for name in [k for k, v in over.items() if v is None]:
        data.pop(name, None)
    return post_form(client, "/letters/new", data)


def newest() -> Letter:
    db.session.expire_all()
    return db.session.scalars(select(Letter).order_by(Letter.id.desc())).first()  # type: ignore[return-value]


def handle(client: FlaskClient, letter: Letter, **data: object):  # type: ignore[no-untyped-def]
    body = {"on": local_today().strftime("%d/%m/%Y"), "version": letter.version, "eligible": "", "handler_id": "",
            "within_competence": "", "complexity": "0", **data}
    return post_form(client, f"/letters/{letter.id}/handle", body, form_url=f"/letters/{letter.id}")


def test_a_letter_is_registered_listed_and_accepted_into_a_case(app: Flask, client: FlaskClient, desk) -> None:
    login(client, "letan")
    response = register(client)
    letter = newest()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/letters/{letter.id}")
    assert (letter.register_no, letter.kind, letter.senders[0].citizen.full_name) == (1, "complaint", "Nguyễn Văn An")
    listing = page(client.get("/letters/?q=nguyen van an"))
    assert "Khiếu nại quyết định thu hồi đất" in listing and f"/letters/{letter.id}" in listing
    shown = page(client.get(f"/letters/{letter.id}"))
    assert letter.tracking_code in shown and "Luật" in shown  # the clocks' legal basis
    assert 'id="handling-form"' not in shown  # a receptionist registers, a handler handles

    chair = client_for(app, "chutich")
    accepted = handle(chair, letter, decision="accept", eligible="yes", within_competence="yes",
                      document_no="12/TB-UBND", handler_id=str(desk["canbo"].id))
    case = db.session.scalar(select(Case).where(Case.letter_id == letter.id))
    assert case is not None and case.handler_id == desk["canbo"].id
    assert accepted.status_code == 302 and accepted.headers["Location"].endswith(f"/cases/{case.id}")
    assert newest().status == "handled"
    assert "/cases/" in page(chair.get(f"/letters/{letter.id}"))


def test_a_transfer_without_a_recipient_is_refused_with_its_message(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk, kind="petition")
    letter = newest()
    chair = client_for(app, "chutich")
    response = handle(chair, letter, decision="transfer")
    text = page(response)
    assert response.status_code == 400
    assert message("recipient_required") in text and message("transfer_document_required") in text
    assert newest().status == "registered" and newest().version == letter.version


def test_a_likely_duplicate_is_pointed_out_and_linked(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk)
    first = newest()
    register(clerk, summary="Khiếu nại lại quyết định thu hồi đất của gia đình tôi")
    second = newest()
    assert second.senders[0].citizen_id == first.senders[0].citizen_id
    shown = page(clerk.get(f"/letters/{second.id}"))
    assert f'name="original_id" value="{first.id}"' in shown
    response = post_form(clerk, f"/letters/{second.id}/duplicate", {"original_id": first.id,
                                                                     "version": second.version},
                         form_url=f"/letters/{second.id}")
    assert response.status_code == 302
    assert newest().duplicate_of_id == first.id


def test_an_anonymous_denunciation_cannot_be_accepted(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk, kind="denunciation", anonymous="y", full_name="", id_number="", birth_year="",
             summary="Tố cáo cán bộ địa chính nhận tiền")
    letter = newest()
    assert letter.anonymous and letter.senders == []
    chair = client_for(app, "chutich")
    response = handle(chair, letter, decision="accept", eligible="yes", within_competence="yes")
    assert response.status_code == 400 and message("anonymous_denunciation") in page(response)
    assert newest().status == "registered"
    assert db.session.scalar(select(Case.id)) is None


def test_a_denouncer_is_hidden_from_those_not_cleared_and_not_found_by_name(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk, kind="denunciation", full_name=DENOUNCER, id_number="001085099999",
             summary="Tố cáo trưởng thôn thu tiền trái phép")
    letter = newest()
    for username in ("canbo", "quantri"):
        other = client_for(app, username)
        for url in (f"/letters/{letter.id}", "/letters/", f"/letters/{letter.id}/receipt"):
            text = page(other.get(url))
            assert DENOUNCER not in text and "001085099999" not in text, (username, url)
        search = page(other.get("/letters/?q=le van to"))
        assert f"/letters/{letter.id}\"" not in search
        assert f"/letters/{letter.id}\"" not in page(other.get("/letters/?q=001085099999"))
    chair = client_for(app, "chutich")
    assert DENOUNCER in page(chair.get(f"/letters/{letter.id}"))
    assert f"/letters/{letter.id}\"" in page(chair.get("/letters/?q=le van to"))


def test_the_receipt_shows_the_tracking_code_and_its_qr_code(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk)
    letter = newest()
    response = clerk.get(f"/letters/{letter.id}/receipt")
    text = page(response)
    assert response.status_code == 200
    assert letter.tracking_code in text and "<svg" in text and "GIẤY BIÊN NHẬN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Nguyễn Văn An" in text
    assert "style=" not in text and "<script>" not in text


def test_a_tracking_code_typed_loosely_opens_the_letter_then_its_case(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk)
    letter = newest()
    typed = letter.tracking_code.lower().replace("0", "o").replace("1", "l")
    typed = typed[:5] + "-" + typed[5:]
    response = clerk.get("/letters/track", query_string={"code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/letters/{letter.id}")
    missing = clerk.get("/letters/track", query_string={"code": "ZZZZZZZZZZ"})
    assert missing.status_code == 302 and missing.headers["Location"].endswith("/letters/")
    chair = client_for(app, "chutich")
    handle(chair, letter, decision="accept", eligible="yes", within_competence="yes")
    case_id = db.session.scalar(select(Case.id).where(Case.letter_id == letter.id))
    response = clerk.get("/letters/track", query_string={"code": letter.tracking_code})
    assert response.headers["Location"].endswith(f"/cases/{case_id}")


def test_a_letter_of_mixed_content_is_split_into_one_letter_per_kind(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    register(clerk, summary="Khiếu nại việc thu hồi đất và tố cáo cán bộ địa chính")
    original = newest()
    url = f"/letters/{original.id}/split"
    refused = post_form(clerk, url, {"version": original.version, "parts-0-kind": "complaint",
                                     "parts-0-summary": "Khiếu nại việc thu hồi đất"})
    assert refused.status_code == 400 and message("split_needs_two_parts") in page(refused)
    response = post_form(clerk, url, {
        "version": original.version,
        "parts-0-kind": "complaint", "parts-0-summary": "Khiếu nại việc thu hồi đất",
        "parts-1-kind": "denunciation", "parts-1-summary": "Tố cáo cán bộ địa chính",
        "parts-2-kind": "", "parts-2-summary": ""})
    assert response.status_code == 302
    parts = db.session.scalars(select(Letter).where(Letter.split_from_id == original.id)
                               .order_by(Letter.id)).all()
    assert [(p.kind, p.summary, p.received_on, p.channel) for p in parts] == [
        ("complaint", "Khiếu nại việc thu hồi đất", original.received_on, "post"),
        ("denunciation", "Tố cáo cán bộ địa chính", original.received_on, "post")]
    assert all([s.citizen_id for s in p.senders] == [original.senders[0].citizen_id] for p in parts)
    assert [p.register_no for p in parts] == [2, 3]
    db.session.refresh(original)
    assert (original.status, original.decision, original.decision_reason) == ("handled", "archive", SPLIT_REASON)
    shown = page(clerk.get(f"/letters/{original.id}"))
    assert all(f"/letters/{p.id}\"" in shown for p in parts)
    assert re.search(r"Article 25\.3|Điều 25", shown)


def test_a_letter_handed_in_at_a_visit_is_registered_from_the_visit_page(app: Flask, desk) -> None:
    visit = make_visit(desk["letan"], visited_on=local_today(), full_name="Nguyễn Thị Hoa",
                       classification="complaint", content="Khiếu nại việc thu hồi đất nông nghiệp",
                       today=local_today())
    clerk = client_for(app, "letan")
    link = f"/letters/new?visit_id={visit.id}"
    assert link in page(clerk.get(f"/visits/{visit.id}"))
    form = page(clerk.get(link))
    assert "Nguyễn Thị Hoa" in form and "Khiếu nại việc thu hồi đất nông nghiệp" in form
    citizen_id = visit.visitors[0].citizen_id
    response = register(clerk, channel="visit", visit_id=str(visit.id), citizen_id=str(citizen_id),
                        full_name=None, id_number=None, birth_year=None,
                        summary="Khiếu nại việc thu hồi đất nông nghiệp")
    letter = newest()
    assert response.status_code == 302
    assert (letter.channel, letter.visit_id, [s.citizen_id for s in letter.senders]) == (
        "visit", visit.id, [citizen_id])


def test_a_letter_without_sender_is_refused_with_the_fields_marked(app: Flask, desk) -> None:
    clerk = client_for(app, "letan")
    response = register(clerk, full_name="", id_number="", birth_year="", channel="transferred_in")
    text = page(response)
    assert response.status_code == 400
    assert message("sender_required") in text and message("from_body_required") in text
    assert message("invalid") in text
    assert newest() is None
