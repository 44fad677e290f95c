"""/api/v1/citizens: register, search without diacritics, read, correct with a version check."""
from __future__ import annotations

from flask_babel import force_locale

from tests.api.conftest import api_for
from tracker.api.schemas import CitizenOut
from tracker.api.schemas import CitizenPage
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Citizen


def vi(code: str, **params: object) -> str:
    with force_locale("vi"):
        return message(code, **params)


def test_registering_a_citizen_answers_201_with_id_version_and_location(api) -> None:
    response = api.post("/api/v1/citizens", {"full_name": "  Nguyễn   Văn An ", "id_number": "001085012345",
                                             "birth_year": 1985, "gender": "male", "neighbourhood": "Thôn 3"})
    assert response.status_code == 201
    body = CitizenOut.model_validate(response.json)
    assert body.full_name == "Nguyễn Văn An"
    assert body.version == 1
    assert response.headers["Location"].endswith(f"/api/v1/citizens/{body.id}")
    assert api.get(f"/api/v1/citizens/{body.id}").json == response.json


def test_an_eleven_digit_id_number_is_refused_with_a_vietnamese_field_message(api) -> None:
    response = api.post("/api/v1/citizens", {"full_name": "Nguyễn Văn An", "id_number": "00108501234"})
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {"id_number": vi("id_number_length")}
    assert error["message"] == vi("invalid")
    assert db.session.query(Citizen).count() == 0


def test_english_messages_are_chosen_by_accept_language(api) -> None:
    api.language = "en"
    response = api.post("/api/v1/citizens", {"full_name": "Nguyễn Văn An", "id_number": "00108501234"})
    assert response.json["error"]["fields"]["id_number"] == "The ID number (CCCD) must have exactly 12 digits."


def test_a_wrong_type_or_an_unknown_field_names_the_field(api) -> None:
    response = api.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa", "birth_year": "1990", "gender": "f",
                                             "phone_number": "0912345678"})
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert fields["birth_year"] == vi("number_invalid")
    assert fields["gender"] == vi("choice_one_of", expected="male, female, other")
    assert fields["phone_number"] == vi("field_unknown")


def test_a_search_without_diacritics_finds_the_citizen_and_a_whole_id_number_too(api) -> None:
    for name, number in (("Nguyễn Văn An", "001085012345"), ("Đặng Thị Bình", None), ("Nguyễn Văn Anh", None)):
        assert api.post("/api/v1/citizens", {"full_name": name, "id_number": number}).status_code == 201
    found = CitizenPage.model_validate(api.get("/api/v1/citizens", query_string={"q": "nguyen van an"}).json)
    assert [c.full_name for c in found.items] == ["Nguyễn Văn An", "Nguyễn Văn Anh"]
    assert found.total == 2
    by_number = api.get("/api/v1/citizens", query_string={"q": "001 085 012 345"}).json
    assert [(c["full_name"], c["id_number"]) for c in by_number["items"]] == [("Nguyễn Văn An", "001085012345")]
    # ID numbers are stored as keyed hashes (issue 8): the start of a number no longer finds anyone.
    assert api.get("/api/v1/citizens?q=00108501").json["items"] == []
    assert [c["full_name"] for c in api.get("/api/v1/citizens?q=dang binh").json["items"]] == ["Đặng Thị Bình"]


def test_the_citizen_list_is_paginated_and_caps_per_page(api) -> None:
    for i in range(3):
        api.post("/api/v1/citizens", {"full_name": f"Trần Văn Số {i}"})
    page = api.get("/api/v1/citizens?per_page=2&page=2").json
    assert (page["page"], page["per_page"], page["total"], page["pages"], len(page["items"])) == (2, 2, 3, 2, 1)
    response = api.get("/api/v1/citizens?per_page=500")
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"per_page": vi("number_at_most", limit=200)}


def test_a_correction_with_a_stale_version_is_a_409_and_changes_nothing(api) -> None:
    created = api.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa", "phone": "0912345678"}).json
    url = f"/api/v1/citizens/{created['id']}"
    changed = api.patch(url, {"address": "Số 5, đường Lê Lợi", "version": created["version"]})
    assert changed.status_code == 200
    assert changed.json["version"] == created["version"] + 1
    assert changed.json["phone"] == "0912345678"  # fields left out keep their value
    stale = api.patch(url, {"full_name": "Lê Thị Hoà", "version": created["version"]})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale"
    assert stale.json["error"]["message"] == vi("stale")
    assert api.get(url).json == changed.json


def test_a_correction_without_a_version_is_a_400(api) -> None:
    created = api.post("/api/v1/citizens", {"full_name": "Lê Thị Hoa"}).json
    response = api.patch(f"/api/v1/citizens/{created['id']}", {"full_name": "Lê Thị Hòa"})
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"version": vi("required")}


def test_another_units_citizen_is_not_found(client, api) -> None:
    other = api_for(client, "khac", "receptionist", "XA-02", "UBND xã Khác")
    theirs = other.post("/api/v1/citizens", {"full_name": "Phạm Văn Cường"}).json
    assert api.get(f"/api/v1/citizens/{theirs['id']}").status_code == 404
    assert api.patch(f"/api/v1/citizens/{theirs['id']}", {"version": 1}).status_code == 404
    assert api.get("/api/v1/citizens?q=cuong").json["items"] == []
    assert api.get("/api/v1/citizens/999999").json["error"]["code"] == "not_found"
