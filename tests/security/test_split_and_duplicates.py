"""F3 and F5 (issue 12): what a letter page says about the other letters of the same sender.

F3: a complaint that also denounces, split into a complaint and a denunciation: the denunciation part hid
its senders but linked "Split from" to the original, a complaint that showed her name, ID number and phone
to every reader of the unit, and listed its parts as "… · Tố cáo". A letter that contains a denunciation,
and every part split from it, is confidential as a whole.

F5: "possible duplicates" on a letter page named the same sender's denunciation (its link, kind, summary)
to readers who may not see it (the API filtered the same list, the web did not).
"""
from __future__ import annotations

import re

from tests.figures import record
from tests.security.attack import Api
from tests.security.attack import Server
from tests.security.attack import logged_in
from tests.security.attack import response_text
from tests.security.conftest import Target
from tests.security.world import DUP_SUMMARY
from tests.security.world import PEOPLE

# Readers of the unit and of the province who neither received the split letter nor handle it nor lead the unit.
NOT_CLEARED = ("sx_desk2", "sx_h1", "sx_h2", "sx_admin", "sx_insp", "sp_admin", "sp_insp")
PART_KIND = re.compile(r"</a>\s*·\s*Tố cáo")


def test_a_split_letter_and_each_of_its_parts_hide_the_sender_and_the_denunciation_from_those_not_cleared(
        target: Target, waitress: Server) -> None:
    w, person, problems, pages = target.world, PEOPLE["split"], [], 0
    letters = [w.ids["split_original"], w.ids["split_complaint"], w.ids["split_denunciation"]]
    for who in NOT_CLEARED:
        browser = logged_in(waitress.base, who)
        api = Api(waitress.base, w.tokens[who])
        for letter_id in letters:
            for url in (f"/letters/{letter_id}", f"/letters/{letter_id}/receipt"):
                answer = browser.get(url)
                pages += 1
                found = person.leaks(response_text(answer))
                if found:
                    problems.append(f"{who}: {url} ({answer.status_code}) shows the sender's {', '.join(found)}")
                if answer.status_code == 200 and PART_KIND.search(answer.text):
                    problems.append(f"{who}: {url} lists a part as a denunciation (· Tố cáo)")
            answer = api.get(f"/api/v1/letters/{letter_id}")
            pages += 1
            if person.leaks(response_text(answer)):
                problems.append(f"{who}: /api/v1/letters/{letter_id} shows the sender's {person.leaks(answer.text)}")
        citizen = browser.get(f"/citizens/{w.ids['split_citizen']}")
        if person.leaks(response_text(citizen)):
            problems.append(f"{who}: her registry page shows {person.leaks(response_text(citizen))}")
    assert not problems, "\n".join(problems)
    # The counterpart: the receptionist who received and split it sees the sender on the original.
    desk = logged_in(waitress.base, "sx_desk")
    assert "name" in person.leaks(response_text(desk.get(f"/letters/{w.ids['split_original']}")))
    record("security_split", {"readers not cleared": len(NOT_CLEARED), "pages and API answers": pages, "leaks": 0},
           target.name)


def test_possible_duplicates_never_name_the_same_senders_denunciation_to_those_not_cleared(
        target: Target, waitress: Server) -> None:
    w, problems = target.world, []
    denunciation, complaint = w.ids["dup_denunciation"], w.ids["dup_complaint"]
    traces = {"its link": re.compile(rf'/letters/{denunciation}"'),
              "its id in the duplicate form": re.compile(rf'name="original_id" value="{denunciation}"'),
              "its summary": re.compile(re.escape(DUP_SUMMARY))}
    for who in ("sx_desk2", "sx_h1", "sx_h2", "sx_admin", "sx_insp", "sp_admin", "sp_insp"):
        browser = logged_in(waitress.base, who)
        page = browser.get(f"/letters/{complaint}")
        assert page.status_code == 200, f"{who}: {page.status_code}"
        for what, pattern in traces.items():
            if pattern.search(page.text):
                problems.append(f"{who}: the complaint's page names the denunciation ({what})")
        if PART_KIND.search(page.text) or re.search(r"·\s*Tố cáo\s*·", page.text):
            problems.append(f"{who}: the complaint's page shows a duplicate of kind Tố cáo")
        answer = Api(waitress.base, w.tokens[who]).get(f"/api/v1/letters/{complaint}")
        if DUP_SUMMARY in response_text(answer):
            problems.append(f"{who}: the API names the denunciation")
    assert not problems, "\n".join(problems)
    # The counterpart: the receptionist who received both is offered the link.
    desk = logged_in(waitress.base, "sx_desk")
    assert traces["its link"].search(desk.get(f"/letters/{complaint}").text), "the duplicate is not shown at all"
    record("security_duplicates", {"readers not cleared": 7, "leaks": 0}, target.name)
