"""F4 and the handler part of F10 (issue 12): a case is its assigned handler's, and only the chair or a
vice-chair gives it to someone.

A second handler assigned the denunciation case to himself (200) and then saw the denouncer; he could
also accept a pending denunciation naming himself as handler; nothing tied case actions to the assigned
handler; the API took any user id as ``handler_id`` (another commune's, a province admin); the handler
lists offered the admin.
"""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.figures import record
from tests.security.attack import Api
from tests.security.attack import Server
from tests.security.attack import logged_in
from tests.security.conftest import Target
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.web.cases.views import ACTION_FIELDS

TODAY = date.today().isoformat()


def _action_form(action: str, target: Target, case_id: int, handler_id: int) -> dict[str, str]:
    version = target.row(Case, case_id)["version"]
    fields = {"on": target.world.today, "version": str(version), "note": "Ghi chú của người không được giao",
              "handler_id": str(handler_id), "document_no": "99/QĐ-UBND", "document_date": target.world.today,
              "signer": "Người ký", "minutes": "Biên bản", "outcome": "correct"}
    return {f"{action}-{name}": value for name, value in fields.items() if name in (*ACTION_FIELDS[action], "version")}


def test_a_handler_or_the_admin_assigning_a_case_to_himself_is_refused_web_and_api(
        target: Target, waitress: Server) -> None:
    w, case_id, problems = target.world, target.world.ids["own_case"], []
    for who in ("sx_h2", "sx_admin", "sx_h1", "sp_admin"):
        me = w.users[who]
        web = logged_in(waitress.base, who).post(f"/cases/{case_id}/actions/assign",
                                                 _action_form("assign", target, case_id, me))
        if web.status_code != 403:
            problems.append(f"{who}: web assign to himself answered {web.status_code}")
        version = target.row(Case, case_id)["version"]
        api = Api(waitress.base, w.tokens[who]).post(f"/api/v1/cases/{case_id}/actions", {
            "action": "assign", "on": TODAY, "version": version, "handler_id": me})
        if api.status_code != 403:
            problems.append(f"{who}: API assign to himself answered {api.status_code}")
    handler = target.row(Case, case_id)["handler_id"]
    if handler != w.users["sx_h1"]:
        problems.append(f"the case changed hands: its handler is user {handler}")
    assert not problems, "\n".join(problems)
    # The chair assigns (the counterpart: the refusals above are the role's, not a broken route).
    version = target.row(Case, case_id)["version"]
    chair = Api(waitress.base, w.tokens["sx_chair"]).post(f"/api/v1/cases/{case_id}/actions", {
        "action": "assign", "on": TODAY, "version": version, "handler_id": w.users["sx_h1"]})
    assert chair.status_code not in (401, 403) and chair.status_code < 500, chair.text


def test_every_case_action_by_a_handler_not_assigned_or_the_admin_is_refused(target: Target, waitress: Server) -> None:
    w, case_id, problems, tried = target.world, target.world.ids["own_case"], [], 0
    with target.app.app_context():
        clocks = list(db.session.scalars(select(Clock.id).where(Clock.case_id == case_id)))
        db.session.remove()
    for who in ("sx_h2", "sx_admin"):
        browser = logged_in(waitress.base, who)
        api = Api(waitress.base, w.tokens[who])
        for action in ACTION_FIELDS:
            if action == "assign":
                continue  # the test above
            tried += 2
            answer = browser.post(f"/cases/{case_id}/actions/{action}",
                                  _action_form(action, target, case_id, w.users["sx_h1"]))
            if answer.status_code != 403:
                problems.append(f"{who}: web {action} answered {answer.status_code}")
            version = target.row(Case, case_id)["version"]
            body = {"action": action, "on": TODAY, "version": version, "note": "Ghi chú",
                    "document": {"number": "99/QĐ-UBND"}}
            answer = api.post(f"/api/v1/cases/{case_id}/actions", body)
            if answer.status_code != 403:
                problems.append(f"{who}: API {action} answered {answer.status_code}")
        for clock_id in clocks:
            tried += 1
            version = target.row(Case, case_id)["version"]
            answer = browser.post(f"/cases/{case_id}/clocks/{clock_id}/delay", {
                f"delay{clock_id}-reason": "other", f"delay{clock_id}-note": "Lý do", f"delay{clock_id}-version":
                str(version)})
            if answer.status_code != 403:
                problems.append(f"{who}: web delay of clock {clock_id} answered {answer.status_code}")
    assert not problems, "\n".join(problems)
    record("security_ownership", {"case actions tried by those not assigned": tried, "accepted": 0}, target.name)


def test_a_handler_cannot_accept_a_pending_denunciation_naming_himself(target: Target, waitress: Server) -> None:
    w, problems = target.world, []
    web_letter, api_letter = w.ids["own_pending_web"], w.ids["own_pending_api"]
    me = w.users["sx_h2"]
    answer = logged_in(waitress.base, "sx_h2").post(f"/letters/{web_letter}/handle", {
        "decision": "accept", "on": w.today, "eligible": "yes", "within_competence": "yes",
        "document_no": "41/TB-UBND", "handler_id": str(me), "complexity": "0",
        "version": str(target.row(Letter, web_letter)["version"])})
    if target.row(Letter, web_letter)["status"] != "registered":
        problems.append(f"web: the handler accepted the denunciation naming himself ({answer.status_code})")
    answer = Api(waitress.base, w.tokens["sx_h2"]).post(f"/api/v1/letters/{api_letter}/handling", {
        "decision": "accept", "on": TODAY, "version": target.row(Letter, api_letter)["version"], "eligible": True,
        "within_competence": True, "document": {"number": "42/TB-UBND"}, "handler_id": me})
    if answer.status_code < 400 or target.row(Letter, api_letter)["status"] != "registered":
        problems.append(f"API: the handler accepted the denunciation naming himself ({answer.status_code})")
    assert not problems, "\n".join(problems)


def test_the_api_refuses_a_handler_id_that_is_not_an_active_handler_of_the_unit(
        target: Target, waitress: Server) -> None:
    w, problems = target.world, []
    chair = Api(waitress.base, w.tokens["sx_chair"])
    for letter_key, who in (("pending_other_commune", "sy_h"), ("pending_province_admin", "sp_admin"),
                            ("pending_commune_admin", "sx_admin"), ("pending_inactive", "sx_hold")):
        letter_id = w.ids[letter_key]
        answer = chair.post(f"/api/v1/letters/{letter_id}/handling", {
            "decision": "accept", "on": TODAY, "version": target.row(Letter, letter_id)["version"],
            "eligible": True, "within_competence": True, "document": {"number": "43/TB-UBND"},
            "handler_id": w.users[who]})
        message = (answer.json().get("error") or {}).get("message") if answer.status_code >= 400 else None
        if answer.status_code not in (400, 422) or not message:
            problems.append(f"handler_id of {who}: answered {answer.status_code} {answer.text[:160]}")
        if target.row(Letter, letter_id)["status"] != "registered":
            problems.append(f"handler_id of {who}: the letter was accepted")
    assert not problems, "\n".join(problems)


def _options(html: str, name: str) -> set[int]:
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return {int(v) for v in re.findall(r'<option[^>]*value="(\d+)"', select.group(1))}


def test_the_handler_choices_offered_are_active_handlers_of_the_unit_never_an_admin(
        target: Target, waitress: Server) -> None:
    w = target.world
    chair = logged_in(waitress.base, "sx_chair")
    offered = {
        "letter handling": _options(chair.get(f"/letters/{w.ids['pending_form']}").text, "handler_id"),
        "case assign": _options(chair.get(f"/cases/{w.ids['own_case']}").text, "assign-handler_id"),
    }
    forbidden = {w.users[u]: u for u in ("sx_admin", "sp_admin", "sx_hold", "sy_h", "sx_insp", "sx_desk")}
    problems = [f"{form} offers {forbidden[i]}" for form, ids in offered.items() for i in ids if i in forbidden]
    assert all(w.users["sx_h1"] in ids for ids in offered.values()), offered
    assert not problems, "\n".join(problems)
