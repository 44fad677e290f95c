"""One letter search (services/letters/letter_queries.py): the web list and the API find the same letters for the
same ``q`` (issue 14: they used to differ), and neither finds a denunciation by its sender for someone not
cleared."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.conftest import login
from tests.factories import make_user
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.operations.tokens import issue_token
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 3, 20)


def register(user, kind, summary, name, id_number=None, phone=None):  # type: ignore[no-untyped-def]
    return letters.register_letter(user, user.unit, letters.LetterInput(
        received_on=date(2026, 3, 2), channel="post", kind=kind, summary=summary,
        senders=[VisitorInput(citizen=CitizenInput(name, id_number, 1980, phone=phone))]), TODAY)


@pytest.fixture
def desk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    clerk = make_user("letan", "receptionist")
    other = make_user("letan2", "receptionist", unit=clerk.unit)
    items = [register(clerk, "petition", "Đề nghị sửa đường thôn 3", "Nguyễn Văn An", "001080012345", "0912345678"),
             register(clerk, "complaint", "Khiếu nại quyết định thu hồi đất", "Trần Thị Bình"),
             register(clerk, "denunciation", "Tố cáo cán bộ địa chính", "Lê Văn Kín", "001080099999", "0987000111")]
    return {"clerk": clerk, "other": other, "letters": items}


def web_ids(client, q: str) -> set[int]:  # type: ignore[no-untyped-def]
    html = client.get("/letters/", query_string={"q": q}).get_data(as_text=True)
    return {int(n) for n in re.findall(r'href="/letters/(\d+)"', html)}


def api_ids(client, token: str, q: str) -> set[int]:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/letters", query_string={"q": q, "per_page": 200},
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    return {item["id"] for item in body["items"]}


@pytest.mark.parametrize("username", ["letan", "letan2"])
def test_the_web_and_the_api_find_the_same_letters_for_the_same_words(client, desk, username) -> None:
    token = issue_token(username)
    login(client, username)
    first, complaint, secret = desk["letters"]
    queries = ["nguyen van an", "001080012345", "0912", "thu hồi đất", "2", "2/2026", first.tracking_code,
               "le van kin", "001080099999", "0987000"]
    for q in queries:
        assert web_ids(client, q) == api_ids(client, token, q), q
    assert web_ids(client, "nguyen van an") == {first.id} and web_ids(client, "2/2026") == {complaint.id}
    assert first.id in web_ids(client, "0912")  # the start of a phone number
    by_sender = web_ids(client, "le van kin") | web_ids(client, "001080099999") | web_ids(client, "0987000")
    assert (secret.id in by_sender) is (username == "letan")  # the receiver only, never by her name otherwise
