"""/api/v1/visits: log, list, read, correct and delete visits of the reception log book."""
from __future__ import annotations

from datetime import date
from datetime import timedelta

from flask_babel import force_locale

from tests.api.conftest import api_for
from tests.api.conftest import visit_body
from tracker.api.schemas import VisitOut
from tracker.api.schemas import VisitPage
from tracker.extensions import db
from tracker.messages import message
from tracker.models import Citizen
from tracker.models import Visit


def vi(code: str, **params: object) -> str:
    with force_locale("vi"):
        return message(code, **params)


def visit_count() -> int:
    return db.session.query(Visit).count()


def test_logging_a_visit_answers_201_with_its_register_number(api) -> None:
    first = api.post("/api/v1/visits", visit_body())
    assert first.status_code == 201
    visit = VisitOut.model_validate(first.json)
    assert (visit.register_year, visit.register_no, visit.version) == (2026, 1, 1)
    assert visit.visited_on == date(2026, 3, 5)
    assert [c.full_name for c in visit.citizens] == ["Nguyễn Văn An"]
    assert first.headers["Location"].endswith(f"/api/v1/visits/{visit.id}")
    second = api.post("/api/v1/visits", visit_body(visited_time="08:30", kind="scheduled", host="chair",
                                                   citizens=[{"id": visit.citizens[0].id}]))
    assert second.status_code == 201
    assert second.json["register_no"] == 2
    assert second.json["visited_time"] == "08:30"
    assert second.json["session_id"] is not None
    assert db.session.query(Citizen).count() == 1  # the repeat visitor is linked, not duplicated


def test_a_group_visit_keeps_its_representatives(api) -> None:
    body = visit_body(people_count=12, classification="complaint", handling="letter_received", citizens=[
        {"full_name": "Trần Văn Bảy", "representative": True},
        {"full_name": "Lê Thị Tám", "representative": True},
        {"full_name": "Phạm Văn Chín"},
    ])
    response = api.post("/api/v1/visits", body)
    assert response.status_code == 201
    assert response.json["is_group"] is True
    assert [c["representative"] for c in response.json["citizens"]] == [True, True, False]


def test_a_visit_in_the_future_is_refused_naming_visited_on(api) -> None:
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    response = api.post("/api/v1/visits", visit_body(visited_on=tomorrow))
    assert response.status_code == 400
    assert response.json["error"]["fields"] == {"visited_on": vi("date_in_future")}
    assert visit_count() == 0
    assert db.session.query(Citizen).count() == 0


def test_bad_fields_are_reported_by_their_path_in_the_body(api) -> None:
    response = api.post("/api/v1/visits", visit_body(visited_on="05/03/2026", kind="weekly", people_count="2",
                                                     citizens=[{"full_name": "An", "id_number": 123}]))
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert fields["visited_on"] == vi("date_iso_invalid")
    assert fields["kind"] == vi("choice_one_of", expected="regular, scheduled, adhoc")
    assert fields["people_count"] == vi("number_invalid")
    assert fields["citizens.0.id_number"] == vi("text_expected")


def test_a_visitors_bad_id_number_and_zero_people_are_named_by_the_api_field(api) -> None:
    response = api.post("/api/v1/visits", visit_body(people_count=0, citizens=[
        {"full_name": "Nguyễn Văn An", "id_number": "00108501234"}]))
    assert response.status_code == 400
    fields = response.json["error"]["fields"]
    assert fields["citizens.0.id_number"] == vi("id_number_length")
    assert fields["people_count"] == vi("people_count_min")
    missing = api.post("/api/v1/visits", visit_body(citizens=[]))
    assert missing.json["error"]["fields"] == {"citizens": vi("visitor_required")}
    unknown = api.post("/api/v1/visits", visit_body(citizens=[{"id": 999999}]))
    assert unknown.json["error"]["fields"] == {"citizens.0.id": vi("not_found")}
    assert visit_count() == 0


def test_malformed_json_is_a_json_400(api) -> None:
    for data in (b"{\"visited_on\": ", b"", b"[1, 2]", b"\xff\xfe"):
        response = api.client.post("/api/v1/visits", data=data, headers=api.headers({"Content-Type":
                                                                                     "application/json"}))
        assert response.status_code == 400, data
        assert response.is_json
        assert response.json["error"]["code"] in ("bad_json", "object_expected")
    assert visit_count() == 0


def test_a_register_number_already_taken_is_a_409(api) -> None:
    assert api.post("/api/v1/visits", visit_body(register_no=7)).status_code == 201
    response = api.post("/api/v1/visits", visit_body(register_no=7))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "register_no_taken"
    assert response.json["error"]["fields"] == {"register_no": vi("register_no_taken", register_no=7)}
    assert api.post("/api/v1/visits", visit_body()).json["register_no"] == 8


def test_a_rule_violation_is_a_422(api) -> None:
    response = api.post("/api/v1/visits", visit_body(kind="scheduled", host="officer"))
    assert response.status_code == 422
    assert response.json["error"]["code"] == "rule_violated"
    assert response.json["error"]["fields"] == {"host": vi("session_needs_leader")}


def test_a_stale_correction_is_a_409_and_changes_nothing(api) -> None:
    created = api.post("/api/v1/visits", visit_body()).json
    url = f"/api/v1/visits/{created['id']}"
    body = visit_body(content="Nội dung đã sửa", citizens=[{"id": created["citizens"][0]["id"]}])
    changed = api.patch(url, {**body, "version": created["version"]})
    assert changed.status_code == 200, changed.json
    assert (changed.json["content"], changed.json["version"]) == ("Nội dung đã sửa", created["version"] + 1)
    assert changed.json["register_no"] == created["register_no"]
    stale = api.patch(url, {**body, "content": "Lần sửa cũ", "version": created["version"]})
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale"
    assert api.get(url).json == changed.json


def test_deleting_a_visit_is_for_the_chair_with_the_current_version(client, api) -> None:
    created = api.post("/api/v1/visits", visit_body()).json
    url = f"/api/v1/visits/{created['id']}"
    assert api.delete(url, query_string={"version": 1}).status_code == 403
    chair = api_for(client, "chutich", "chair")
    missing = chair.delete(url)
    assert missing.status_code == 400
    assert missing.json["error"]["fields"] == {"version": vi("required")}
    assert chair.delete(url, query_string={"version": 5}).status_code == 409
    assert visit_count() == 1
    assert chair.delete(url, query_string={"version": 1}).status_code == 204
    assert visit_count() == 0
    assert chair.get(url).status_code == 404


def test_another_units_visit_is_not_found(client, api) -> None:
    other = api_for(client, "khac", "receptionist", "XA-02", "UBND xã Khác")
    theirs = other.post("/api/v1/visits", visit_body()).json
    url = f"/api/v1/visits/{theirs['id']}"
    assert api.get(url).status_code == 404
    assert api.get(url).json["error"]["code"] == "not_found"
    assert api.patch(url, {**visit_body(), "version": 1}).status_code == 404
    assert api.get("/api/v1/visits").json["items"] == []
    assert api.post("/api/v1/visits", visit_body(unit_id=theirs["unit_id"])).status_code == 403


def test_the_visit_list_filters_and_paginates(api) -> None:
    for day, classification in (("2026-01-10", "complaint"), ("2026-02-10", "petition"),
                                ("2026-03-10", "petition"), ("2026-04-10", "feedback")):
        assert api.post("/api/v1/visits", visit_body(visited_on=day, classification=classification)).status_code == 201
    page = VisitPage.model_validate(api.get("/api/v1/visits?from=2026-02-01&to=2026-03-31").json)
    assert [v.visited_on.isoformat() for v in page.items] == ["2026-03-10", "2026-02-10"]
    assert api.get("/api/v1/visits?classification=petition").json["total"] == 2
    assert api.get("/api/v1/visits?q=nguyen van an").json["total"] == 4
    second = api.get("/api/v1/visits?per_page=3&page=2").json
    assert (second["total"], second["pages"], [v["visited_on"] for v in second["items"]]) == (4, 2, ["2026-01-10"])
    bad = api.get("/api/v1/visits?from=2026-05-01&to=2026-04-01&classification=gossip")
    assert bad.status_code == 400
    assert set(bad.json["error"]["fields"]) == {"classification"}
    order = api.get("/api/v1/visits?from=2026-05-01&to=2026-04-01")
    assert order.json["error"]["fields"] == {"to": vi("date_order")}


def test_keyset_paging_walks_every_visit_once(api) -> None:
    ids = {api.post("/api/v1/visits", visit_body()).json["id"] for _ in range(5)}
    seen: list[int] = []
    after = 0
    while after is not None:
        page = api.get(f"/api/v1/visits?after_id={after}&per_page=2").json
        seen += [v["id"] for v in page["items"]]
        after = page["next_after_id"]
    assert seen == sorted(ids)


def test_an_inspector_does_not_see_who_came_to_denounce(client, api) -> None:
    created = api.post("/api/v1/visits", visit_body(classification="denunciation", handling="letter_received"))
    assert created.json["identity_hidden"] is False
    inspector = api_for(client, "thanhtra", "inspector")
    seen = inspector.get(f"/api/v1/visits/{created.json['id']}").json
    assert (seen["identity_hidden"], seen["citizens"]) == (True, [])
    assert inspector.get("/api/v1/visits?q=nguyen van an").json["items"] == []
    assert inspector.get("/api/v1/citizens?q=nguyen").json["items"] == []
