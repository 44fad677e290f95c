"""Administration of the working calendar and the deadline rules: preview first, then apply."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import csrf_token
from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import CalendarDay
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.get_data(as_text=True)


def previewed(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'<input[^>]*name="previewed"[^>]*>', text(response))
    assert match, "no preview token on the page"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


@pytest.fixture
def letter(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    clerk = make_user()
    data = letters.LetterInput(
        received_on=date(2026, 3, 2), channel="post", kind="complaint", summary="Khiếu nại thu hồi đất",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(clerk, clerk.unit, data, TODAY)


@pytest.fixture
def sysadmin(letter, client):  # type: ignore[no-untyped-def]
    """The installation administrator: the calendar and the deadline rules are the installation's."""
    user = make_user("hethong", "sysadmin", full_name="Quản Trị Hệ Thống")
    login(client, "hethong")
    return user


def notify_due(letter) -> date:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.scalar(select(Clock.due_on).where(Clock.letter_id == letter.id, Clock.clock == "letter.notify"))


DAY_FORM = {"day": "10/03/2026", "kind": "day_off", "name": "Nghỉ bổ sung", "basis": "TB 99/TB-BNV (thử)",
            "certainty": "C", "reason": "Thông báo bổ sung"}


def test_the_calendar_page_lists_the_years_days_off_with_their_documents(sysadmin, client) -> None:
    page = client.get("/admin/calendar?year=2026&lang=en")
    assert page.status_code == 200
    body = text(page)
    assert "10/01/2026" in body and "CV 12729/VPCP-KGVX" in body  # make-up Saturday of the New-Year swap
    assert "17/02/2026" in body  # Tết, from the holiday package
    assert 'href="/admin/calendar/day?day=2026-01-10"' in body
    assert 'href="/admin/calendar"' in text(client.get("/admin/rules"))  # in the sub-navigation


def test_an_admin_sees_the_preview_then_applies_the_new_day_off(sysadmin, client, letter) -> None:
    url = "/admin/calendar/day"
    first = post_form(client, url + "?lang=en", DAY_FORM, form_url=url)
    assert first.status_code == 200
    body = text(first)
    assert "letter.notify" in body and "16/03/2026" in body and "17/03/2026" in body
    assert "Apply the change" in body
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10))) is None
    assert notify_due(letter) == date(2026, 3, 16)

    token = previewed(first)
    assert token
    changed = post_form(client, url, {**DAY_FORM, "basis": "TB 100/TB-BNV", "previewed": token})
    assert changed.status_code == 200 and notify_due(letter) == date(2026, 3, 16)  # edited: previewed again

    done = post_form(client, url, {**DAY_FORM, "previewed": token})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/calendar?year=2026")
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10)))
    assert row is not None and row.basis == "TB 99/TB-BNV (thử)"
    assert notify_due(letter) == date(2026, 3, 17)


def test_a_bad_day_is_refused_with_the_fields_marked(sysadmin, client) -> None:
    response = post_form(client, "/admin/calendar/day", {**DAY_FORM, "day": "31/02/2026", "basis": ""})
    assert response.status_code == 400
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.basis == "")) is None


def test_an_admin_corrects_a_deadline_rule_after_seeing_the_cases_it_moves(sysadmin, client, letter) -> None:
    listing = client.get("/admin/deadline-rules?kind=letter")
    assert listing.status_code == 200 and "letter.notify.2014" in text(listing)
    assert "complaint.resolve" not in text(listing)
    row = db.session.scalar(select(DeadlineRuleRow).where(DeadlineRuleRow.code == "letter.notify.2014"))
    url = f"/admin/deadline-rules/{row.id}/edit"
    form = {"days": "11", "day_kind": "working", "max_extensions": "0", "extension_days": "", "effective_to": "",
            "legal_basis": row.legal_basis, "certainty": "C", "note": "", "version": str(row.version),
            "reason": "Sửa theo văn bản gốc"}
    first = post_form(client, url, form)
    assert first.status_code == 200 and "17/03/2026" in text(first)
    assert notify_due(letter) == date(2026, 3, 16)
    done = post_form(client, url, {**form, "previewed": previewed(first)})
    assert done.status_code == 302
    assert notify_due(letter) == date(2026, 3, 17)
    stale = post_form(client, url, form)  # the version has moved on
    assert stale.status_code == 409
    assert client.get(f"/admin/deadline-rules/{row.id}/new-version").status_code == 200


@pytest.mark.parametrize("role", ["receptionist", "chair", "handler", "inspector"])
def test_a_user_who_is_not_an_administrator_gets_403(letter, client, role) -> None:
    make_user("nguoidung", role)
    login(client, "nguoidung")
    row_id = db.session.scalar(select(DeadlineRuleRow.id))
    for url in ["/admin/calendar", "/admin/calendar/day", "/admin/deadline-rules",
                f"/admin/deadline-rules/{row_id}/edit", f"/admin/deadline-rules/{row_id}/new-version"]:
        assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/visits/")
    response = client.post("/admin/calendar/day", data={"csrf_token": token, **DAY_FORM, "previewed": "x"})
    assert response.status_code == 403
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10))) is None


@pytest.mark.parametrize("unit_code", ["T-01", "X-09"])
def test_a_unit_admin_even_of_a_top_level_unit_sees_the_calendar_but_may_not_change_it(
        letter, client, unit_code) -> None:  # type: ignore[no-untyped-def]
    make_unit("T-01", "UBND tỉnh Thử", level="province", parent_code=None)
    make_unit("X-09", "UBND xã Chín", level="commune", parent_code="T-01")
    make_user("qtxa", "admin", make_unit(unit_code))
    login(client, "qtxa")
    page = client.get("/admin/calendar?year=2026")
    assert page.status_code == 200 and "/admin/calendar/day" not in text(page)
    assert client.get("/admin/calendar/day").status_code == 403
    token = csrf_token(client, "/admin/calendar")
    response = client.post("/admin/calendar/day", data={"csrf_token": token, **DAY_FORM})
    assert response.status_code == 403
    listing = client.get("/admin/deadline-rules")
    assert listing.status_code == 200 and "/new-version" not in text(listing)
    row_id = db.session.scalar(select(DeadlineRuleRow.id))
    assert client.get(f"/admin/deadline-rules/{row_id}/edit").status_code == 403
    assert client.get(f"/admin/deadline-rules/{row_id}/new-version").status_code == 403


def test_an_admin_adds_a_new_version_of_a_rule_from_a_date(sysadmin, client, letter) -> None:
    row = db.session.scalar(select(DeadlineRuleRow).where(DeadlineRuleRow.code == "letter.notify.2014"))
    url = f"/admin/deadline-rules/{row.id}/new-version"
    form = {"effective_from": "01/03/2026", "effective_to": "", "days": "5", "day_kind": "working",
            "max_extensions": "0", "extension_days": "", "pause_rule": "", "legal_basis": "Văn bản thử",
            "certainty": "U", "note": "", "reason": "Luật mới"}
    first = post_form(client, url, form)
    assert first.status_code == 200 and "09/03/2026" in text(first)  # Mon 2 March + 5 working days
    done = post_form(client, url, {**form, "previewed": previewed(first)})
    assert done.status_code == 302
    assert notify_due(letter) == date(2026, 3, 9)
    assert db.session.get(DeadlineRuleRow, row.id).effective_to == date(2026, 2, 28)
    clash = post_form(client, url, form)
    assert clash.status_code == 400


def test_the_legal_data_pages_speak_vietnamese_with_codes_only_beside(sysadmin, client) -> None:
    rules = text(client.get("/admin/deadline-rules?kind=complaint"))
    assert "Thụ lý khiếu nại" in rules and "<td>Khiếu nại</td>" in rules
    assert "<td>complaint</td>" not in rules and ">accept<" not in rules
    assert '<option value="complaint" selected>Khiếu nại</option>' in rules
    from tracker.services.legal.rule_params import seed_rule_params

    seed_rule_params()
    db.session.commit()
    values = text(client.get("/admin/rules"))
    assert "Số người tối thiểu để tính là đoàn đông người" in values and "<code>group_min_people</code>" in values
    calendar = text(client.get("/admin/calendar?year=2026"))
    assert "Bộ luật Lao động 2019, Điều 112" in calendar and "Ngày lễ, Tết theo luật định" in calendar
    assert "holidays.VN" not in calendar and ">package<" not in calendar and ">shipped<" not in calendar
