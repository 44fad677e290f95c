"""/api/v1/letters: register letters, find and read them, decide their handling."""
from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select

from tests.api.conftest import api_for
from tracker.api.schemas_letters import HandlingOut
from tracker.api.schemas_letters import LetterCreated
from tracker.api.schemas_letters import LetterOut
from tracker.api.schemas_letters import LetterPage
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Case
from tracker.models import Letter
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


def vi(code: str, **params: object) -> str:
    with force_locale("vi"):
        return message(code, **params)


@pytest.fixture(autouse=True)
def rules(app) -> None:  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


def letter_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_on": "2026-03-02",
        "channel": "post",
        "kind": "complaint",
        "subject": "land",
        "senders": [{"full_name": "Nguyễn Văn An", "id_number": "001085012345", "birth_year": 1985}],
        "summary": "Khiếu nại quyết định thu hồi đất của UBND xã",
    }
    body.update(over)
    return body


def letter_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Letter)) or 0


def test_registering_a_letter_answers_201_with_its_number_tracking_code_and_clocks(api) -> None:
    response = api.post("/api/v1/letters", letter_body())
    assert response.status_code == 201
    letter = LetterCreated.model_validate(response.json)
    assert (letter.register_year, letter.register_no, letter.version, letter.status) == (2026, 1, 1, "registered")
    assert len(letter.tracking_code) == 10
    assert response.headers["Location"].endswith(f"/api/v1/letters/{letter.id}")
    assert [s.full_name for s in letter.senders] == ["Nguyễn Văn An"]
    notify = next(c for c in letter.clocks if c.clock == "letter.notify")
    # 10 working days from Monday 2 March 2026 (Luật TCD Điều 28.1).
    assert notify.due_on.isoformat() == "2026-03-16" and notify.legal_basis and notify.status == "open"
    again = api.post("/api/v1/letters", letter_body(senders=[{"id": letter.senders[0].id}]))
    assert again.json["register_no"] == 2
    assert [d["id"] for d in again.json["likely_duplicates"]] == [letter.id]
    assert LetterOut.model_validate(api.get(f"/api/v1/letters/{letter.id}").json).id == letter.id


def test_a_transferred_letter_needs_its_sending_body_and_nothing_is_written(api) -> None:
    response = api.post("/api/v1/letters", letter_body(channel="transferred_in", kind="gossip", senders=[
        {"id": 999999}]))
    assert response.status_code == 400
    assert set(response.json["error"]["fields"]) == {"kind"}
    response = api.post("/api/v1/letters", letter_body(channel="transferred_in", senders=[{"id": 999999}]))
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"from_body": vi("from_body_required"),
                                                "senders.0.id": vi("not_found")}
    assert letter_count() == 0


def test_a_register_number_already_used_is_a_conflict(api) -> None:
    assert api.post("/api/v1/letters", letter_body(register_no=7)).status_code == 201
    taken = api.post("/api/v1/letters", letter_body(register_no=7))
    assert taken.status_code == 409
    assert taken.json["error"]["code"] == "register_no_taken"


def test_the_letter_list_filters_searches_and_paginates(api) -> None:
    for day, kind in (("2026-01-10", "complaint"), ("2026-02-10", "petition"), ("2026-03-10", "petition"),
                      ("2026-04-10", "feedback")):
        assert api.post("/api/v1/letters", letter_body(received_on=day, kind=kind)).status_code == 201
    page = LetterPage.model_validate(api.get("/api/v1/letters?from=2026-02-01&to=2026-03-31").json)
    assert [x.received_on.isoformat() for x in page.items] == ["2026-03-10", "2026-02-10"]
    assert api.get("/api/v1/letters?kind=petition").json["total"] == 2
    assert api.get("/api/v1/letters?q=nguyen van an").json["total"] == 4
    assert api.get("/api/v1/letters?q=thu hồi").json["total"] == 4
    assert [x["register_no"] for x in api.get("/api/v1/letters?q=3").json["items"]] == [3]
    code = page.items[0].tracking_code
    assert [x["tracking_code"] for x in api.get(f"/api/v1/letters?q={code.lower()}").json["items"]] == [code]
    second = api.get("/api/v1/letters?per_page=3&page=2").json
    assert (second["total"], second["pages"], [x["received_on"] for x in second["items"]]) == (4, 2, ["2026-01-10"])
    bad = api.get("/api/v1/letters?status=lost")
    assert bad.status_code == 400 and set(bad.json["error"]["fields"]) == {"status"}


def test_accepting_a_letter_opens_a_case_and_a_letter_is_handled_once(client, api) -> None:
    letter = api.post("/api/v1/letters", letter_body()).json
    chair = api_for(client, "chutich", "chair")
    handler = api_for(client, "canbo", "handler")
    body = {"decision": "accept", "on": "2026-03-05", "version": letter["version"], "eligible": True,
            "within_competence": True, "document": {"number": "12/TB-UBND", "date": "2026-03-05",
                                                    "signer": "Lê Văn Chủ"}, "handler_id": handler.user.id}
    assert api.post(f"/api/v1/letters/{letter['id']}/handling", body).status_code == 403  # a receptionist
    response = chair.post(f"/api/v1/letters/{letter['id']}/handling", body)
    assert response.status_code == 200
    handled = HandlingOut.model_validate(response.json)
    assert (handled.status, handled.decision, handled.decision_document.number) == ("handled", "accept", "12/TB-UBND")
    case = db.session.get(Case, handled.case_id)
    assert (case.letter_id, case.handler_id, case.status) == (letter["id"], handler.user.id, "accepted")
    assert {c.status for c in handled.clocks} == {"met"}
    again = chair.post(f"/api/v1/letters/{letter['id']}/handling", {**body, "version": handled.version})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "letter_already_handled"


def test_a_transfer_without_a_recipient_is_refused_naming_to_body(client, api) -> None:
    letter = api.post("/api/v1/letters", letter_body()).json
    chair = api_for(client, "chutich", "chair")
    response = chair.post(f"/api/v1/letters/{letter['id']}/handling",
                          {"decision": "transfer", "on": "2026-03-04", "version": letter["version"]})
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert fields["to_body"] == vi("recipient_required")
    assert fields["document.number"] == vi("transfer_document_required")
    assert db.session.get(Letter, letter["id"]).status == "registered"
    done = chair.post(f"/api/v1/letters/{letter['id']}/handling",
                      {"decision": "transfer", "on": "2026-03-04", "version": letter["version"],
                       "to_body": "UBND huyện", "document": {"number": "3/CV-UBND"}})
    assert done.status_code == 200
    assert (done.json["decision"], done.json["to_body"], done.json["case_id"]) == ("transfer", "UBND huyện", None)


def test_a_stale_handling_is_a_conflict_and_changes_nothing(client, api) -> None:
    letter = api.post("/api/v1/letters", letter_body()).json
    chair = api_for(client, "chutich", "chair")
    response = chair.post(f"/api/v1/letters/{letter['id']}/handling",
                          {"decision": "archive", "on": "2026-03-04", "reason": "Trùng đơn",
                           "version": letter["version"] + 1})
    assert response.status_code == 409 and response.json["error"]["code"] == "stale"
    assert db.session.get(Letter, letter["id"]).status == "registered"


def test_an_anonymous_denunciation_is_not_accepted(client, api) -> None:
    letter = api.post("/api/v1/letters", letter_body(kind="denunciation", anonymous=True, senders=[])).json
    chair = api_for(client, "chutich", "chair")
    response = chair.post(f"/api/v1/letters/{letter['id']}/handling",
                          {"decision": "accept", "on": "2026-03-04", "version": letter["version"]})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "anonymous_denunciation"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_a_denouncer_is_seen_only_by_those_who_handle_the_denunciation(client, api) -> None:
    created = api.post("/api/v1/letters", letter_body(kind="denunciation", summary="Tố cáo cán bộ địa chính"))
    assert created.status_code == 201 and created.json["identity_hidden"] is False
    letter_id = created.json["id"]
    chair = api_for(client, "chutich", "chair")
    assigned = api_for(client, "canbo", "handler")
    other = api_for(client, "canbo2", "handler")
    inspector = api_for(client, "thanhtra", "inspector")
    for reader in (other, assigned, inspector):
        seen = reader.get(f"/api/v1/letters/{letter_id}").json
        assert (seen["identity_hidden"], seen["senders"]) == (True, [])
        assert reader.get("/api/v1/letters?q=nguyen van an").json["items"] == []
        assert "Nguyễn" not in str(reader.get("/api/v1/letters").json)
    assert chair.get("/api/v1/letters?q=nguyen van an").json["total"] == 1
    shown = chair.get(f"/api/v1/letters/{letter_id}").json
    assert [s["full_name"] for s in shown["senders"]] == ["Nguyễn Văn An"]
    accepted = chair.post(f"/api/v1/letters/{letter_id}/handling",
                          {"decision": "accept", "on": "2026-03-05", "version": shown["version"],
                           "handler_id": assigned.user.id, "document": {"number": "1/TB-UBND"}})
    assert accepted.status_code == 200
    assert [s["full_name"] for s in assigned.get(f"/api/v1/letters/{letter_id}").json["senders"]] == ["Nguyễn Văn An"]
    assert other.get(f"/api/v1/letters/{letter_id}").json["senders"] == []
    audited = db.session.scalars(select(AuditEntry.user_id).where(AuditEntry.action == "view_confidential",
                                                                  AuditEntry.entity == "letters")).all()
    assert {chair.user.id, assigned.user.id} <= set(audited)
    assert other.user.id not in audited


def test_another_units_letter_is_not_found(client, api) -> None:
    theirs = api_for(client, "khac", "receptionist", "XA-02", "UBND xã Khác")
    letter = theirs.post("/api/v1/letters", letter_body()).json
    assert api.get(f"/api/v1/letters/{letter['id']}").status_code == 404
    chair = api_for(client, "chutich", "chair")
    handling = chair.post(f"/api/v1/letters/{letter['id']}/handling",
                          {"decision": "archive", "on": "2026-03-04", "reason": "x", "version": 1})
    assert handling.status_code == 404
    assert api.get("/api/v1/letters").json["items"] == []


def test_a_sending_document_dated_in_year_9999_is_refused_and_nothing_is_written(api) -> None:
    before = db.session.scalar(select(func.count()).select_from(Letter))
    response = api.post("/api/v1/letters", letter_body(channel="transferred_in", from_body="UBND tỉnh",
                                                       from_document_date="9999-12-31"))
    assert response.status_code == 400
    assert response.json["error"]["fields"]["from_document_date"] == vi("year_out_of_range", first=1900, last=2100)
    assert db.session.scalar(select(func.count()).select_from(Letter)) == before
