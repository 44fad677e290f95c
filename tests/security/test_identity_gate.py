"""F2 (issue 12): resolving a person by id or ID number reveals nothing the caller did not type.

The ``gate`` denouncer is known only by a denunciation visit and letter that ``sx_desk`` received. A
commune admin, an inspector, a handler, the second receptionist (and the province's admin, and another
commune's chair) name her by her citizen id in the desk's forms (visit, letter, booking: invalid forms
echo what they resolved) and in the API (a visit's ``citizens``, a letter's ``senders``: by ``id`` or by her
ID number alone), and register a citizen under her ID number. No answer may carry her name, birth year,
ID number, phone or address, and registering with her number answers as an unknown number does.
"""
from __future__ import annotations

import re
from typing import Any

from tests.figures import record
from tests.security.attack import Api
from tests.security.attack import Server
from tests.security.attack import logged_in
from tests.security.attack import response_text
from tests.security.conftest import Target
from tests.security.world import PEOPLE

D = PEOPLE["gate"]
WEB_ATTACKERS = ("sx_admin", "sx_insp", "sx_h2", "sx_desk2", "sp_admin", "sy_chair")
API_ATTACKERS = ("sx_admin", "sx_desk2", "sx_h2", "sx_insp", "sp_admin")
ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>|<div class="flash flash-error"[^>]*>(.*?)</div>', re.S)
COUNTS: dict[str, int] = {}


def _check(problems: list[str], who: str, what: str, response: Any, typed: tuple[str, ...] = ()) -> None:
    COUNTS["all"] = COUNTS.get("all", 0) + 1
    if "id_number" in typed:  # a CCCD number encodes the birth year: typing one is typing the other
        typed = (*typed, "birth_year")
    if response.status_code >= 500:
        problems.append(f"{who}: {what} answered {response.status_code}")
    found = D.leaks(response_text(response), typed=typed)
    if found:
        problems.append(f"{who}: {what} ({response.status_code}) shows her {', '.join(found)}")


def _visit_form(citizen_id: int, today: str, *, valid: bool) -> dict[str, str]:
    return {"citizen_id": str(citizen_id), "visited_on": today, "channel": "in_person", "kind": "regular",
            "host": "officer", "people_count": "1", "classification": "petition", "subject": "land",
            "handling": "guided", "within_competence": "y",
            "content": "Hỏi về thủ tục cấp giấy phép xây dựng" if valid else ""}


def _letter_form(citizen_id: int, today: str, *, valid: bool) -> dict[str, str]:
    return {"citizen_id": str(citizen_id), "received_on": today if valid else "", "channel": "post",
            "kind": "petition", "subject": "land", "summary": "Kiến nghị về đường liên thôn" if valid else ""}


def _errors(html: str, *numbers: str) -> list[str]:
    found = [" ".join(re.sub(r"<[^>]+>", " ", a or b).split()) for a, b in ERROR.findall(html)]
    for number in numbers:
        found = [f.replace(number, "#") for f in found]
    return found


def test_registering_a_citizen_with_her_id_number_answers_as_an_unknown_number_does(
        target: Target, waitress: Server) -> None:
    """First: the attacks below may make entries of the number they typed, which this one must not meet.
    One registration per sealed person (a second one would meet the entry the first one made, as a second
    registration of an unknown number would): her on the web, ``gate2`` through the API."""
    w, problems = target.world, []
    other = PEOPLE["gate2"]
    # Unknown numbers that encode what hers do (a woman born in that year), so only "is it known?" differs.
    unknown_web, unknown_api = f"{D.id_number[:6]}000777", f"{other.id_number[:6]}000778"
    browser = logged_in(waitress.base, "sx_desk2")
    api = Api(waitress.base, w.tokens["sx_admin"])
    web_answers, api_answers = [], []
    for person, number in ((D, D.id_number), (D, unknown_web)):
        answer = browser.post("/citizens/new", {"full_name": "Người Đăng Ký Thử", "id_number": number,
                                                "phone": "0900000000", "birth_year": str(person.birth_year)})
        _check(problems, "sx_desk2", f"POST /citizens/new with {number}", answer, ("id_number", "birth_year"))
        web_answers.append((answer.status_code, _errors(answer.text, number)))
    for number in (other.id_number, unknown_api):
        answer = api.post("/api/v1/citizens", {"full_name": "Người Đăng Ký Thử", "id_number": number})
        leaks = other.leaks(response_text(answer), typed=("id_number",))
        if leaks:
            problems.append(f"sx_admin: POST /api/v1/citizens with her number shows her {', '.join(leaks)}")
        error = answer.json().get("error", {}) if answer.status_code >= 400 else {}
        api_answers.append((answer.status_code, error.get("code"), sorted(error.get("fields", {}))))
    if web_answers[0] != web_answers[1]:
        problems.append(f"web: her ID number answers {web_answers[0]}, an unknown one {web_answers[1]}")
    if api_answers[0] != api_answers[1]:
        problems.append(f"API: her ID number answers {api_answers[0]}, an unknown one {api_answers[1]}")
    assert not problems, "\n".join(problems)


def test_the_desks_forms_given_her_citizen_id_and_an_invalid_form_echo_nothing_of_her(
        target: Target, waitress: Server) -> None:
    w, problems = target.world, []
    session_id = w.ids["session"]
    for who in WEB_ATTACKERS:
        browser = logged_in(waitress.base, who)
        for url in ("/visits/new", f"/visits/new?citizen_id={w.ids['gate_citizen']}",
                    f"/letters/new?citizen_id={w.ids['gate_citizen']}", f"/visits/sessions/{session_id}"):
            _check(problems, who, f"GET {url}", browser.get(url))
        _check(problems, who, "POST /visits/new (invalid)",
               browser.post("/visits/new", _visit_form(w.ids["gate_citizen"], w.today, valid=False)))
        _check(problems, who, "POST /letters/new (invalid)",
               browser.post("/letters/new", _letter_form(w.ids["gate_citizen"], w.today, valid=False)))
        _check(problems, who, "POST booking (invalid)", browser.post(f"/visits/sessions/{session_id}", {
            "citizen_id": str(w.ids["gate_citizen"]), "topic": "", "classification": "petition",
            "people_count": "1"}))
        # Her denunciation visit as the letter's visit, her record's edit form, her letter as a duplicate's original.
        _check(problems, who, "GET /letters/new?visit_id=<her visit>",
               browser.get(f"/letters/new?visit_id={w.ids['gate_visit']}"))
        _check(problems, who, "POST /letters/new with her visit (invalid)", browser.post("/letters/new", {
            **_letter_form(0, w.today, valid=False), "citizen_id": "", "channel": "visit",
            "visit_id": str(w.ids["gate_visit"])}))
        _check(problems, who, "GET her edit form", browser.get(f"/citizens/{w.ids['gate_citizen']}/edit"))
        _check(problems, who, "POST her edit form (invalid)", browser.post(
            f"/citizens/{w.ids['gate_citizen']}/edit", {"full_name": "", "version": "1"}))
        answer = browser.post(f"/letters/{w.ids['ordinary_letter']}/duplicate",
                              {"original_id": str(w.ids["gate_letter"]), "version": "999999"})
        _check(problems, who, "POST duplicate of her letter", answer)
        for q, typed in ((f"full_name={D.full_name}", "name"), (f"id_number={D.id_number}", "id_number"),
                         (f"phone={D.phone}", "phone")):
            _check(problems, who, f"GET /visits/suggest?{q}", browser.get(f"/visits/suggest?{q}"), (typed,))
    assert not problems, "\n".join(problems)


def _visit_body(citizens: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    from datetime import date

    body = {"visited_on": date.today().isoformat(), "citizens": citizens, "classification": "petition",
            "handling": "guided", "content": "Hỏi về thủ tục cấp giấy phép xây dựng", "subject": "land"}
    return {**body, **over}


def _letter_body(senders: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    from datetime import date

    body = {"received_on": date.today().isoformat(), "channel": "post", "kind": "petition",
            "summary": "Kiến nghị về đường liên thôn", "senders": senders}
    return {**body, **over}


def test_the_api_given_her_id_or_only_her_id_number_answers_nothing_of_her(target: Target, waitress: Server) -> None:
    w, problems = target.world, []
    by_id = [{"id": w.ids["gate_citizen"]}]
    by_number = [{"id_number": D.id_number}]
    by_name_and_number = [{"full_name": "Người Lạ Gõ Số", "id_number": D.id_number}]
    for who in API_ATTACKERS:
        api = Api(waitress.base, w.tokens[who])
        extra = {"unit_id": w.ids["unit_x"]} if who == "sp_admin" else {}
        attempts = [
            ("visit citizens[].id", "/api/v1/visits", _visit_body(by_id, **extra), ()),
            ("visit citizens[].id, invalid", "/api/v1/visits", _visit_body(by_id, content="", **extra), ()),
            ("visit by ID number only", "/api/v1/visits", _visit_body(by_number, **extra), ("id_number",)),
            ("visit by name and ID number", "/api/v1/visits", _visit_body(by_name_and_number, **extra),
             ("id_number",)),
            ("letter senders[].id", "/api/v1/letters", _letter_body(by_id, **extra), ()),
            ("letter senders[].id, invalid", "/api/v1/letters", _letter_body(by_id, summary="", **extra), ()),
            ("letter by ID number", "/api/v1/letters", _letter_body(by_name_and_number, **extra), ("id_number",)),
            ("letter of her visit", "/api/v1/letters", _letter_body([{"full_name": "Người Khác"}], channel="visit",
                                                                    visit_id=w.ids["gate_visit"], **extra), ()),
            ("letter repeating hers", "/api/v1/letters", _letter_body([{"full_name": "Người Khác"}],
                                                                      duplicate_of_id=w.ids["gate_letter"], **extra),
             ()),
        ]
        for what, url, body, typed in attempts:
            answer = api.post(url, body)
            _check(problems, who, f"POST {url} {what}", answer, typed)
            if answer.status_code == 201:  # made: what the record now says to its maker
                made = answer.json()["id"]
                _check(problems, who, f"GET {url}/{made} after {what}", api.get(f"{url}/{made}"), typed)
        _check(problems, who, "GET /api/v1/citizens/<her id>", api.get(f"/api/v1/citizens/{w.ids['gate_citizen']}"))
        _check(problems, who, "PATCH /api/v1/citizens/<her id> (stale)", api.call(
            "PATCH", f"/api/v1/citizens/{w.ids['gate_citizen']}", {"version": 999999, "note": None}))
        _check(problems, who, "PATCH /api/v1/citizens/<her id> (stale, valid)", api.call(
            "PATCH", f"/api/v1/citizens/{w.ids['gate_citizen']}", {"version": 999999, "neighbourhood": "Tổ 1"}))
        # (the person an attack above may have made from the typed number carries that number, nothing else)
        for q, typed in ((D.id_number, ("id_number",)), ("an danh", ()), (D.phone, ())):
            _check(problems, who, f"GET /api/v1/citizens?q={q}", api.get(f"/api/v1/citizens?q={q}"), typed)
    assert not problems, "\n".join(problems)


def test_linking_her_by_id_in_a_valid_visit_letter_or_booking_shows_nothing_of_her_afterwards(
        target: Target, waitress: Server) -> None:
    """Last: these attacks may succeed in writing (her id on an ordinary visit would make her an
    ordinary visitor for the pages after it)."""
    w, problems = target.world, []
    session_id = w.ids["session"]
    for who in ("sx_desk2", "sx_admin"):
        browser = logged_in(waitress.base, who)
        for url, form in (("/visits/new", _visit_form(w.ids["gate_citizen"], w.today, valid=True)),
                          ("/letters/new", _letter_form(w.ids["gate_citizen"], w.today, valid=True)),
                          (f"/visits/sessions/{session_id}", {"citizen_id": str(w.ids["gate_citizen"]),
                                                             "topic": "Hỏi về đất", "classification": "petition",
                                                             "people_count": "1"})):
            answer = browser.post(url, form)
            _check(problems, who, f"POST {url} (valid)", answer)
            location = answer.headers.get("Location", "")
            if answer.status_code in (302, 303) and "/login" not in location:
                _check(problems, who, f"GET {location} after POST {url}", browser.get(location.replace(
                    waitress.base, "")))
        _check(problems, who, "the session's bookings", browser.get(f"/visits/sessions/{session_id}"))
    assert not problems, "\n".join(problems)
    record("security_identity_gate", {"attacks": COUNTS.pop("all", 0), "leaks": 0}, target.name)


