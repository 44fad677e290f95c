"""/api/v1/cases: a letter followed from the desk to its outcome through the API, and the errors."""
from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy import select

from tests.api.conftest import Api
from tests.api.conftest import api_for
from tests.api.test_letters_api import letter_body
from tracker.api.schemas_letters import CaseOut
from tracker.api.schemas_letters import CasePage
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


def vi(code: str, **params: object) -> str:
    with force_locale("vi"):
        return message(code, **params)


@pytest.fixture(autouse=True)
def rules(app) -> None:  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


@pytest.fixture
def chair(client, api) -> Api:  # type: ignore[no-untyped-def]
    return api_for(client, "chutich", "chair")


@pytest.fixture
def handler(client, api) -> Api:  # type: ignore[no-untyped-def]
    return api_for(client, "canbo", "handler")


def open_case(api: Api, chair: Api, handler: Api | None = None, complexity: int = 0, **letter: Any) -> dict[str, Any]:
    created = api.post("/api/v1/letters", letter_body(**letter))
    assert created.status_code == 201, created.json
    body = {"decision": "accept", "on": "2026-03-05", "version": created.json["version"], "eligible": True,
            "within_competence": True, "document": {"number": "12/TB-UBND", "date": "2026-03-05"},
            "complexity": complexity}
    if handler is not None:
        body["handler_id"] = handler.user.id
    handled = chair.post(f"/api/v1/letters/{created.json['id']}/handling", body)
    assert handled.status_code == 200, handled.json
    return chair.get(f"/api/v1/cases/{handled.json['case_id']}").json  # type: ignore[no-any-return]


def act(who: Api, case: dict[str, Any], action: str, on: str, **over: Any):  # type: ignore[no-untyped-def]
    return who.post(f"/api/v1/cases/{case['id']}/actions", {"action": action, "on": on, "version": case["version"],
                                                            **over})


def test_a_denunciation_goes_from_the_desk_to_its_conclusion(api, chair, handler) -> None:
    case = CaseOut.model_validate(open_case(api, chair, handler, complexity=1, kind="denunciation",
                                            summary="Tố cáo cán bộ địa chính nhận tiền"))
    assert (case.kind, case.status, case.extensions, case.max_extensions) == ("denunciation", "accepted", 0, 1)
    assert "extend" in case.allowed_actions and "conclude" in case.allowed_actions
    resolve = next(c for c in case.deadlines if c.clock == "denunciation.resolve")
    assert resolve.rule_code and resolve.legal_basis and resolve.start_on.isoformat() == "2026-03-05"
    assert case.next_due_on == resolve.due_on
    assert [e.action for e in case.timeline] == ["accept"]
    extended = act(handler, case.model_dump(mode="json"), "extend", "2026-03-20",
                   document={"number": "01/QĐ-UBND", "date": "2026-03-20", "signer": "Lê Văn Chủ"})
    assert extended.status_code == 200, extended.json
    after = CaseOut.model_validate(extended.json)
    assert after.extensions == 1 and after.next_due_on > case.next_due_on and "extend" not in after.allowed_actions
    extend_event = next(e for e in after.timeline if e.action == "extend")
    assert (extend_event.document.number, extend_event.document.signer, extend_event.actor_id) == (
        "01/QĐ-UBND", "Lê Văn Chủ", handler.user.id)
    retime = next(e for e in after.timeline if e.action == "retime")
    assert retime.data["reason"] == "extend"
    concluded = act(handler, extended.json, "conclude", "2026-04-10", outcome="partly_true",
                    document={"number": "05/KL-UBND"})
    assert concluded.status_code == 200
    final = CaseOut.model_validate(concluded.json)
    assert (final.status, final.outcome, final.is_open, final.next_due_on) == ("concluded", "partly_true", False, None)
    assert [e.action for e in final.timeline][-1] == "conclude"
    assert {c.status for c in final.deadlines} == {"met"}


def test_an_extension_beyond_the_limit_is_a_rule_violation_and_changes_nothing(api, chair, handler) -> None:
    case = open_case(api, chair, handler, kind="denunciation", summary="Tố cáo việc xây dựng trái phép")
    response = act(handler, case, "extend", "2026-03-20", document={"number": "01/QĐ-UBND"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "extension_limit"
    assert response.json["error"]["message"] == vi("extension_limit")
    stored = db.session.get(Case, case["id"])
    assert (stored.extensions, stored.version) == (0, case["version"])


def test_an_illegal_step_is_a_conflict_and_a_step_before_acceptance_is_bad_input(api, chair, handler) -> None:
    case = open_case(api, chair, handler)
    early = act(handler, case, "conclude", "2026-03-04", outcome="right", document={"number": "1/QĐ-UBND"})
    assert early.status_code == 400
    assert early.json["error"]["fields"] == {"on": vi("before_acceptance")}
    no_document = act(handler, case, "conclude", "2026-03-20", outcome="right")
    assert no_document.status_code == 400
    assert no_document.json["error"]["fields"] == {"document.number": vi("document_required")}
    wrong_outcome = act(handler, case, "conclude", "2026-03-20", outcome="true", document={"number": "1/QĐ-UBND"})
    assert wrong_outcome.status_code == 400 and set(wrong_outcome.json["error"]["fields"]) == {"outcome"}
    not_for_kind = act(handler, case, "extend", "2026-03-20", document={"number": "1/QĐ-UBND"})
    assert not_for_kind.status_code == 409 and not_for_kind.json["error"]["code"] == "action_not_for_kind"
    done = act(handler, case, "conclude", "2026-03-20", outcome="right", document={"number": "1/QĐ-UBND"})
    assert done.status_code == 200
    again = act(handler, done.json, "verify", "2026-03-21")
    assert again.status_code == 409
    assert again.json["error"]["code"] == "action_not_in_status"
    assert again.json["error"]["message"] == vi("action_not_in_status")
    assert db.session.get(Case, case["id"]).status == "concluded"


def test_a_stale_version_is_refused_and_the_case_is_unchanged(api, chair, handler) -> None:
    case = open_case(api, chair, handler)
    assert act(handler, case, "verify", "2026-03-06").status_code == 200
    stale = act(chair, case, "dialogue", "2026-03-07", note="Đối thoại lần 1")
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale"
    stored = chair.get(f"/api/v1/cases/{case['id']}").json
    assert stored["version"] == case["version"] + 1
    assert [e["action"] for e in stored["timeline"]] == ["accept", "verify"]


def test_a_receptionist_may_read_but_not_move_cases(api, chair, handler) -> None:
    case = open_case(api, chair, handler)
    assert api.get(f"/api/v1/cases/{case['id']}").status_code == 200
    assert act(api, case, "verify", "2026-03-06").status_code == 403


def test_a_failed_land_mediation_opens_a_linked_dispute(api, chair, handler) -> None:
    case = open_case(api, chair, handler, kind="mediation", mediation_type="land_dispute",
                     summary="Tranh chấp ranh giới đất giữa hai hộ")
    assert case["kind"] == "land_mediation"
    mediated = act(handler, case, "mediate", "2026-03-10", minutes="Biên bản hòa giải lần 1")
    assert mediated.status_code == 200
    assert mediated.json["timeline"][-1]["data"] == {"minutes": "Biên bản hòa giải lần 1"}
    failed = act(handler, mediated.json, "conclude", "2026-03-20", outcome="failed",
                 document={"number": "7/BB-HĐHG"})
    dispute = act(chair, failed.json, "open_dispute", "2026-03-25")
    assert dispute.status_code == 200
    assert (dispute.json["kind"], dispute.json["linked_case_id"]) == ("land_dispute", case["id"])
    assert dispute.json["id"] != case["id"] and dispute.json["next_due_on"] is not None


def test_the_case_list_is_sorted_by_the_nearest_due_date_and_filters(api, chair, handler) -> None:
    complaint = open_case(api, chair, handler)
    petition = open_case(api, chair, None, kind="petition", summary="Kiến nghị sửa đường")
    mediation = open_case(api, chair, handler, kind="mediation", mediation_type="grassroots",
                          summary="Mâu thuẫn lối đi chung")
    page = CasePage.model_validate(chair.get("/api/v1/cases").json)
    dues = [c.next_due_on for c in page.items]
    assert dues == sorted(dues) and page.total == 3
    assert page.items[0].id == mediation["id"]  # mediation must start within days
    assert page.items[0].overdue and page.items[0].days_overdue > 0  # today is long after March 2026
    assert chair.get("/api/v1/cases?kind=petition").json["items"][0]["id"] == petition["id"]
    mine = handler.get("/api/v1/cases?handler=me").json
    assert {c["id"] for c in mine["items"]} == {complaint["id"], mediation["id"]}
    assert mine["items"][0]["handler_name"] == handler.user.full_name
    assert chair.get("/api/v1/cases?overdue=true").json["total"] == 3
    assert chair.get("/api/v1/cases?overdue=false").json["total"] == 0
    assert chair.get(f"/api/v1/cases?due_before={dues[0].isoformat()}").json["total"] == 1
    act(handler, complaint, "conclude", "2026-03-20", outcome="right", document={"number": "1/QĐ-UBND"})
    assert chair.get("/api/v1/cases?status=open").json["total"] == 2
    closed = chair.get("/api/v1/cases?status=closed").json
    assert [c["id"] for c in closed["items"]] == [complaint["id"]]
    assert closed["items"][0]["overdue"] is False
    second = chair.get("/api/v1/cases?per_page=2&page=2").json
    assert (second["total"], second["pages"], [c["id"] for c in second["items"]]) == (3, 2, [complaint["id"]])
    bad = chair.get("/api/v1/cases?status=lost&overdue=maybe")
    assert bad.status_code == 400 and set(bad.json["error"]["fields"]) == {"status", "overdue"}


def test_the_case_list_makes_the_same_few_queries_for_any_page_size(app, api, chair, handler) -> None:
    for i in range(6):
        open_case(api, chair, handler, summary=f"Khiếu nại số {i}")
    counts = []
    for per_page in (1, 6):
        statements: list[str] = []

        def count(conn, cursor, statement, *args, seen=statements):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert len(chair.get(f"/api/v1/cases?per_page={per_page}").json["items"]) == per_page
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_a_denouncer_is_hidden_from_an_unassigned_handler_and_shown_to_the_chair(client, api, chair,
                                                                                   handler) -> None:
    case = open_case(api, chair, handler, kind="denunciation", summary="Tố cáo cán bộ thu tiền sai quy định")
    other = api_for(client, "canbo2", "handler")
    hidden = other.get(f"/api/v1/cases/{case['id']}").json
    assert (hidden["identity_hidden"], hidden["senders"]) == (True, [])
    assert "Nguyễn" not in str(hidden) and "001085012345" not in str(hidden)
    moved = act(other, hidden, "note", "2026-03-06", note="Đã nhận hồ sơ")
    assert moved.status_code == 403 and "Nguyễn" not in str(moved.json)  # not his case (issue 12)
    assert "Nguyễn" not in str(other.get("/api/v1/cases").json)
    shown = chair.get(f"/api/v1/cases/{case['id']}").json
    assert (shown["identity_hidden"], [s["full_name"] for s in shown["senders"]]) == (False, ["Nguyễn Văn An"])
    assert handler.get(f"/api/v1/cases/{case['id']}").json["senders"] != []
    audited = db.session.scalars(select(AuditEntry.user_id).where(AuditEntry.action == "view_confidential",
                                                                  AuditEntry.entity == "cases",
                                                                  AuditEntry.entity_id == case["id"])).all()
    assert chair.user.id in audited and handler.user.id in audited and other.user.id not in audited


def test_another_units_case_is_not_found(client, api, chair, handler) -> None:
    case = open_case(api, chair, handler)
    stranger = api_for(client, "khac", "chair", "XA-02", "UBND xã Khác")
    assert stranger.get(f"/api/v1/cases/{case['id']}").status_code == 404
    assert act(stranger, case, "verify", "2026-03-06").status_code == 404
    assert stranger.get("/api/v1/cases").json["items"] == []
    assert db.session.scalar(select(CaseEvent.id).where(CaseEvent.action == "verify")) is None


def test_a_bad_filter_names_its_field_and_lists_the_choices_without_english(api) -> None:  # type: ignore[no-untyped-def]
    handler = api.get("/api/v1/cases?handler=abc")
    assert handler.status_code == 400 and set(handler.json["error"]["fields"]) == {"handler"}
    status = api.get("/api/v1/cases?status=zzz")
    assert status.status_code == 400 and " or " not in status.json["error"]["fields"]["status"]
