"""The former communes' open work is continued by the commune they were merged into (A into B on 01/07/2025,
B into C on 01/07/2026; fixture ``chain`` of test_merger_access): A's letter not yet handled and A's open
cases are in C's weekly list, reminders, dashboard and "my cases", and C's users act on them with the usual
role rules; what is closed (a concluded case, a handled letter, the log book) stays read only. The record
keeps A as its unit; the timeline names C as the unit that acted."""
from __future__ import annotations

import io
import json
import re
from datetime import date

from sqlalchemy import select

from tests import attachment_files as files
from tests.conftest import csrf_token
from tests.conftest import login as first_login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_merger_access import DENOUNCER
from tests.integration.test_merger_access import TODAY
from tests.integration.test_merger_access import bearer
from tests.integration.test_merger_access import chain  # noqa: F401  (the fixture)
from tracker.extensions import db
from tracker.models import Attachment
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import Notification
from tracker.models import User
from tracker.rules.weeks import week_code
from tracker.services.cases import actions as cases
from tracker.services.privacy.audit import set_actor
from tracker.services.reports import report_stats
from tracker.services.reports import weekly
from tracker.services.reports.reminders import send_reminders
from tracker.web.filters import local_today

CONTINUES = "UBND xã Cường tiếp tục giải quyết từ 01/07/2026."


def user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))  # type: ignore[return-value]


def login(client, username: str):  # type: ignore[no-untyped-def]
    """Log in as ``username``, logging out whoever was logged in first."""
    if client.get("/visits/").status_code == 200:
        post_form(client, "/logout", {}, form_url="/visits/")
    return first_login(client, username)


def act(client, case_id: int, action: str, fields: dict[str, str]):  # type: ignore[no-untyped-def]
    """Post one action form as the case page renders it (fields prefixed by the action)."""
    db.session.expire_all()
    version = db.session.get(Case, case_id).version
    data = {f"{action}-{k}": v for k, v in {"version": str(version), "on": local_today().strftime("%d/%m/%Y"),
                                             **fields}.items()}
    return post_form(client, f"/cases/{case_id}/actions/{action}", data, form_url=f"/cases/{case_id}")


# --- working lists --------------------------------------------------------------------------------------

def test_the_new_communes_chair_sees_the_old_communes_overdue_case_in_the_weekly_list_and_reminders(
        client, chain) -> None:  # noqa: F811
    a, _b, c = chain["units"]
    week = week_code(TODAY)
    listed = weekly.build_weekly(c, week, TODAY)
    assert chain["case"] in {i["case_id"] for i in listed["overdue"]}
    assert chain["dcase"] in {i["case_id"] for i in listed["overdue"]}
    assert chain["closed_case"] not in {i["case_id"] for i in listed["overdue"] + listed["due_this_week"]}
    assert chain["pending"] in {i["letter_id"] for i in listed["letters_due"]}
    assert chain["letter"] not in {i["letter_id"] for i in listed["letters_due"]}  # handled in 2024
    assert weekly.build_weekly(a, week, TODAY)["overdue"]  # the old commune's own list is as before

    assert send_reminders(c, TODAY) > 0
    db.session.commit()
    chair_c = user("chutich_c")
    reminded = db.session.scalars(select(Notification).where(Notification.user_id == chair_c.id)).all()
    assert {n.case_id for n in reminded} >= {chain["case"], chain["dcase"]}
    assert {n.message for n in reminded} == {"remind_overdue"}
    assert send_reminders(c, TODAY) == 0  # once per clock, person and day

    login(client, "chutich_c")
    client.application.config["FIXED_TODAY"] = TODAY
    page = client.get("/weekly/").get_data(as_text=True)
    assert f"/cases/{chain['case']}" in page and f"/letters/{chain['pending']}" in page
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert f"{chain['case']}" in inbox
    dashboard = client.get("/dashboard/").get_data(as_text=True)
    open_total, overdue = re.findall(r'<span class="big">(\d+)</span>', dashboard)[:2]
    assert (open_total, overdue) == ("2", "2")  # A's two open cases, both overdue; C has none of its own
    listed = client.get("/cases/?state=open").get_data(as_text=True)  # the list behind the number
    assert {str(chain["case"]), str(chain["dcase"])} <= set(_case_ids(listed))


def test_a_commune_without_former_communes_keeps_its_own_list(chain) -> None:  # noqa: F811
    other = make_unit("XA-KHAC", "UBND xã Khác", parent_code="TINH")
    listed = weekly.build_weekly(other, week_code(TODAY), TODAY)
    assert listed["overdue"] == [] and listed["letters_due"] == []


# --- acting on the open work -----------------------------------------------------------------------------

def test_the_new_communes_officer_acts_on_the_open_case_and_the_chair_handles_the_pending_letter(
        client, chain) -> None:  # noqa: F811
    a, _b, c = chain["units"]
    handler_c = user("canbo_c")
    login(client, "chutich_c")
    page = client.get(f"/cases/{chain['case']}").get_data(as_text=True)
    assert CONTINUES in page and "Chỉ được xem" not in page
    assert f'action="/cases/{chain["case"]}/actions/assign"' in page
    assert f'value="{handler_c.id}"' in page  # the new commune's officers are the ones to choose from
    assert act(client, chain["case"], "assign", {"handler_id": str(handler_c.id)}).status_code == 302

    db.session.expire_all()
    case = db.session.get(Case, chain["case"])
    assert case.handler_id == handler_c.id and case.unit_id == a.id  # the record stays the old commune's
    event = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                               .order_by(CaseEvent.id.desc())).first()
    assert (event.action, event.unit_id, event.actor_id) == ("assign", c.id, user("chutich_c").id)

    login(client, "canbo_c")
    assert chain["case"] in {int(x) for x in _case_ids(client.get("/cases/mine").get_data(as_text=True))}
    assert act(client, chain["case"], "verify", {"note": "Xác minh tại thực địa"}).status_code == 302
    db.session.expire_all()
    clock = db.session.scalar(select(Clock).where(Clock.case_id == chain["case"], Clock.status == "open"))
    prefix = f"delay{clock.id}"
    response = post_form(client, f"/cases/{chain['case']}/clocks/{clock.id}/delay",
                         {f"{prefix}-reason": "site_verification", f"{prefix}-note": "Chờ đo đạc",
                          f"{prefix}-version": str(db.session.get(Case, chain["case"]).version)},
                         form_url=f"/cases/{chain['case']}")
    assert response.status_code == 302
    token = csrf_token(client, f"/cases/{chain['case']}")
    uploaded = client.post(f"/attachments/upload?case_id={chain['case']}", data={
        "csrf_token": token, "case_id": str(chain["case"]), "file": (io.BytesIO(files.PDF), "bien-ban.pdf")},
        content_type="multipart/form-data")
    assert uploaded.status_code == 303
    db.session.expire_all()
    case = db.session.get(Case, chain["case"])
    assert case.status == "verifying" and case.unit_id == a.id
    assert db.session.get(Clock, clock.id).delay_reason == "site_verification"
    stored = db.session.scalar(select(Attachment).where(Attachment.case_id == case.id))
    assert stored is not None and stored.unit_id == a.id
    answer = client.post(f"/api/v1/cases/{case.id}/actions", headers=bearer("canbo_c"),
                         json={"action": "note", "on": local_today().isoformat(), "note": "Đã gặp công dân",
                               "version": case.version})
    assert answer.status_code == 200, answer.get_json()

    login(client, "chutich_c")
    letter_page = client.get(f"/letters/{chain['pending']}").get_data(as_text=True)
    assert CONTINUES in letter_page and f'action="/letters/{chain["pending"]}/handle"' in letter_page
    pending = db.session.get(Letter, chain["pending"])
    handled = post_form(client, f"/letters/{pending.id}/handle", {
        "decision": "accept", "on": local_today().strftime("%d/%m/%Y"), "version": pending.version,
        "eligible": "yes", "within_competence": "yes", "handler_id": str(handler_c.id), "complexity": "0",
        "document_no": "5/TB-UBND"}, form_url=f"/letters/{pending.id}")
    assert handled.status_code == 302, handled.get_data(as_text=True)[:2000]
    db.session.expire_all()
    pending = db.session.get(Letter, chain["pending"])
    opened = db.session.scalar(select(Case).where(Case.letter_id == pending.id))
    assert pending.status == "handled" and pending.unit_id == a.id
    assert opened.unit_id == a.id and opened.handler_id == handler_c.id
    accepted = db.session.scalar(select(CaseEvent).where(CaseEvent.case_id == opened.id))
    assert (accepted.action, accepted.unit_id) == ("accept", c.id)
    again = post_form(client, f"/letters/{pending.id}/handle", {"decision": "archive", "reason": "x",
                                                                 "version": pending.version},
                      form_url=f"/letters/{pending.id}")
    assert again.status_code == 403  # handled now: history, read only
    assert "Hồ sơ này thuộc xã cũ UBND xã An" in again.get_data(as_text=True)


def _case_ids(html: str) -> list[str]:
    return re.findall(r'href="/cases/(\d+)"', html)


def test_the_api_handles_the_old_communes_pending_letter(client, chain) -> None:  # noqa: F811
    pending = db.session.get(Letter, chain["pending"])
    answer = client.post(f"/api/v1/letters/{pending.id}/handling", headers=bearer("chutich_c"),
                         json={"decision": "guide", "to_body": "UBND tỉnh", "on": local_today().isoformat(),
                               "version": pending.version})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["unit_id"] == chain["units"][0].id


def test_closed_cases_handled_letters_and_visits_stay_read_only(client, chain) -> None:  # noqa: F811
    login(client, "chutich_c")
    token = csrf_token(client, "/visits/new")
    refusals = [
        client.post(f"/cases/{chain['closed_case']}/actions/note", data={"csrf_token": token, "note-note": "x"}),
        client.post(f"/letters/{chain['letter']}/handle", data={"csrf_token": token, "decision": "archive"}),
        client.post(f"/visits/{chain['visit_a']}/edit", data={"csrf_token": token, "content": "sửa"}),
        client.post(f"/visits/{chain['visit_b']}/delete", data={"csrf_token": token, "version": "1"}),
    ]
    for response in refusals:
        assert response.status_code == 403, response.request.path
        assert "chỉ được xem" in response.get_data(as_text=True), response.request.path
    closed = client.get(f"/cases/{chain['closed_case']}").get_data(as_text=True)
    assert "Chỉ được xem" in closed and "tiếp tục giải quyết" not in closed
    visit = client.get(f"/visits/{chain['visit_a']}").get_data(as_text=True)
    assert "Chỉ được xem" in visit and "tiếp tục giải quyết" not in visit


def test_a_two_level_chain_and_a_stranger(client, chain) -> None:  # noqa: F811
    """A's case reaches C through B; a commune outside the chain neither reads nor changes it."""
    stranger = make_unit("XA-KHAC", "UBND xã Khác", parent_code="TINH")
    make_user("chutich_khac", "chair", stranger)
    login(client, "chutich_khac")
    assert client.get(f"/cases/{chain['case']}").status_code == 404
    assert act(client, chain["case"], "note", {"note": "x"}).status_code == 404
    answer = client.post(f"/api/v1/cases/{chain['case']}/actions", headers=bearer("chutich_khac"),
                         json={"action": "note", "on": local_today().isoformat(), "note": "x", "version": 1})
    assert answer.status_code == 404
    login(client, "chutich_c")  # two mergers away from A
    assert act(client, chain["case"], "note", {"note": "Tiếp nhận hồ sơ từ xã cũ"}).status_code == 302
    login(client, "chutich_a")  # the old commune's chair (when the account remains) keeps its access
    assert act(client, chain["case"], "note", {"note": "Bàn giao"}).status_code == 302


# --- confidentiality --------------------------------------------------------------------------------------

def test_a_denouncer_stays_hidden_from_the_new_commune_until_one_of_its_officers_handles_the_case(
        client, chain) -> None:  # noqa: F811
    handler_c = user("canbo_c")
    for username in ("chutich_c", "canbo_c", "letan_c"):
        login(client, username)
        assert DENOUNCER not in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True), username
    login(client, "chutich_c")
    assert act(client, chain["dcase"], "assign", {"handler_id": str(handler_c.id)}).status_code == 302
    assert DENOUNCER not in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True)  # the chair: still not
    login(client, "canbo_c")
    assert DENOUNCER in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True)  # its handler now
    assert DENOUNCER in client.get(f"/letters/{chain['denunciation']}").get_data(as_text=True)
    url = f"/api/v1/letters/{chain['denunciation']}"
    assert DENOUNCER in json.dumps(client.get(url, headers=bearer("canbo_c")).get_json(), ensure_ascii=False)
    assert DENOUNCER not in json.dumps(client.get(url, headers=bearer("chutich_c")).get_json(), ensure_ascii=False)
    login(client, "letan_c")
    assert DENOUNCER not in client.get(f"/cases/{chain['dcase']}").get_data(as_text=True)


# --- statistics -----------------------------------------------------------------------------------------

def test_the_old_communes_report_is_unchanged_after_the_new_commune_closes_its_case(chain) -> None:  # noqa: F811
    a, _b, c = chain["units"]
    span = (date(2024, 1, 1), date(2024, 12, 31))
    before = report_stats.compute(a, *span)
    own_before = report_stats.compute(c, date(2024, 1, 1), TODAY)
    chair_c = user("chutich_c")
    set_actor(chair_c.id, chair_c.username)
    case = db.session.get(Case, chain["case"])
    cases.apply_case_action(chair_c, case, cases.ActionInput(
        action="conclude", on=TODAY, version=case.version, outcome="partly_right", document_no="99/QĐ-UBND",
        document_date=TODAY, signer="Chủ tịch UBND xã Cường"), TODAY)
    db.session.expire_all()
    case = db.session.get(Case, chain["case"])
    assert (case.is_open, case.unit_id) == (False, a.id)
    assert report_stats.compute(a, *span) == before  # the old commune's numbers stay its own
    assert report_stats.compute(c, date(2024, 1, 1), TODAY)["cases"] == own_before["cases"]
    together = report_stats.compute(c, date(2024, 1, 1), TODAY, with_predecessors=True)
    assert together["cases"]["total"]["received"] == 3
