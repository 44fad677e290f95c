"""The legal update page: upload a file, see what each item re-times, apply it (top-level administrators only)."""
from __future__ import annotations

import html as htmllib
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.integration.test_legal_updates import update_file
from tracker.extensions import db
from tracker.models import CalendarDay
from tracker.models import Clock
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
URL = "/admin/legal-update?lang=en"


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no {name} on the page"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return htmllib.unescape(value.group(1)) if value else ""


@pytest.fixture
def letter(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    clerk = make_user()
    data = letters.LetterInput(
        received_on=date(2026, 3, 20), channel="post", kind="complaint", summary="Khiếu nại thu hồi đất",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(clerk, clerk.unit, data, TODAY)


def notify_due(letter) -> date:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(select(Clock.due_on).where(Clock.letter_id == letter.id, Clock.clock == "letter.notify"))


def upload(client, content: bytes):  # type: ignore[no-untyped-def]
    token = csrf_token(client, URL)
    return client.post(URL, data={"csrf_token": token, "file": (io.BytesIO(content), "update.json")},
                       content_type="multipart/form-data")


def test_an_upload_shows_each_items_cases_and_applying_re_times_them(letter, client) -> None:
    make_user("hethong", "sysadmin", full_name="Quản Trị Hệ Thống")
    login(client, "hethong")
    assert 'href="/admin/legal-update"' in text(client.get(URL))
    page = upload(client, update_file())
    assert page.status_code == 200
    html = text(page)
    assert "Calendar item 2" in html and "Rule item 1" in html and "30/03/2026" in html
    assert "Apply every item" in html
    assert notify_due(letter) == date(2026, 4, 3)  # the preview wrote nothing
    content = hidden(html, "content")
    done = client.post(URL, data={"csrf_token": hidden(html, "csrf_token"), "content": content,
                                  "digest": hidden(html, "digest"), "reason": "Công văn Thanh tra tỉnh",
                                  "apply": "1"})
    assert done.status_code == 302
    assert notify_due(letter) == date(2026, 3, 30)
    assert db.session.scalar(select(CalendarDay.kind).where(CalendarDay.day == date(2026, 3, 25))) == "day_off"
    again = upload(client, update_file())
    assert "Already in place" in text(again) and "Apply every item" not in text(again)


def test_a_bad_file_is_refused_naming_the_item_and_field(letter, client) -> None:
    make_user("quantri", "admin", full_name="Quản Trị")
    login(client, "quantri")
    bad = update_file(rules=[{"base_code": "letter.notify.2014", "effective_from": "2026-03-18", "days": -1,
                              "legal_basis": "X"}])
    page = upload(client, bad)
    assert page.status_code == 400
    assert "Rule item 1, field “days”" in text(page)
    assert notify_due(letter) == date(2026, 4, 3)


@pytest.mark.parametrize("unit_code", ["TINH-01", "XA-02"])
def test_a_unit_administrator_even_of_a_top_level_unit_may_preview_but_not_apply(letter, client, unit_code) -> None:  # type: ignore[no-untyped-def]
    province = make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")
    make_unit("XA-02", "UBND xã Con", parent_code=province.code)
    make_user("qtxa", "admin", make_unit(unit_code), full_name="Quản Trị Xã")
    login(client, "qtxa")
    page = upload(client, update_file())
    html = text(page)
    assert page.status_code == 200 and "Apply every item" not in html
    forced = client.post(URL, data={"csrf_token": hidden(html, "csrf_token"),
                                    "content": hidden(html, "content"),
                                    "digest": hidden(html, "digest"), "apply": "1"})
    assert forced.status_code == 403
    assert notify_due(letter) == date(2026, 4, 3)
