"""The case pages through the browser-facing views, with CSRF on: the list by due date, the legal
steps as forms, conflicts, "why this date?", and who sees what."""
from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import with_authority
from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.services.cases import actions as cases
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.operations.tokens import issue_token
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.web.filters import vn_date


def english(client, code: str) -> str:  # type: ignore[no-untyped-def]
    with client.application.test_request_context("/?lang=en"):
        return message(code)

TODAY = date(2026, 11, 23)


@pytest.fixture
def staff(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return {
        "chair": make_user("chutich", "chair", full_name="Lê Văn Chủ"),
        "handler": make_user("canbo", "handler", full_name="Phạm Thị Xử"),
        "other": make_user("canbo2", "handler", full_name="Đỗ Văn Khác"),
        "inspector": make_user("thanhtra", "inspector", full_name="Vũ Thanh Tra"),
    }


def register(user, **over):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=over.pop("received_on", date(2026, 3, 2)), channel=over.pop("channel", "post"),
        kind=over.pop("kind", "complaint"), summary=over.pop("summary", "Khiếu nại quyết định thu hồi đất"),
        senders=over.pop("senders", [VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))]),
        **over)
    return letters.register_letter(user, user.unit, data, TODAY)


def open_case(user, on=date(2026, 3, 5), handler=None, complexity=0, **over) -> Case:  # type: ignore[no-untyped-def]
    letter = register(user, **over)
    data = letters.HandlingInput(decision="accept", on=on, version=letter.version, eligible=True,
                                 within_competence=True, document_no="12/TB-UBND", complexity=complexity,
                                 handler_id=handler.id if handler else None)
    return letters.decide_handling(with_authority(user), letter, data, TODAY)


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def act(client, case_id: int, action: str, fields: dict[str, str], version: int | None = None):  # type: ignore
    """Post one action form as the case page renders it (fields prefixed by the action)."""
    if version is None:
        version = db.session.get(Case, case_id).version
        db.session.expire_all()
    data = {f"{action}-{k}": v for k, v in {"version": str(version), **fields}.items()}
    return post_form(client, f"/cases/{case_id}/actions/{action}", data, form_url=f"/cases/{case_id}")


def order_of(html: str, ids: list[int]) -> list[int]:
    positions = {i: html.find(f'href="/cases/{i}"') for i in ids}
    assert all(p >= 0 for p in positions.values()), positions
    return sorted(ids, key=positions.__getitem__)


def fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_open_cases_are_listed_by_nearest_due_date_and_my_cases_put_the_overdue_first(client, staff) -> None:
    chair, handler = staff["chair"], staff["handler"]
    late = open_case(chair, handler=handler, summary="Khiếu nại cũ đã quá hạn")  # due 6 Apr 2026
    soon = open_case(chair, received_on=date(2026, 11, 16), on=date(2026, 11, 20), handler=handler,
                     summary="Khiếu nại mới tiếp nhận")
    middle = open_case(chair, received_on=date(2026, 10, 1), on=date(2026, 10, 5), summary="Khiếu nại tháng mười")
    closed = open_case(chair, summary="Khiếu nại đã giải quyết")
    cases.apply_case_action(chair, closed, cases.ActionInput("conclude", date(2026, 3, 20), closed.version,
                                                             outcome="right", document_no="1/QĐ"), TODAY)
    login(client, "chutich")
    html = page(client, "/cases/?lang=en")
    assert order_of(html, [late.id, soon.id, middle.id]) == [late.id, middle.id, soon.id]
    assert f'href="/cases/{closed.id}"' not in html
    assert "days overdue" in html or "day(s) overdue" in html
    assert vn_date(fresh(late.id).next_due_on) in html
    # Filters: overdue only, by kind, by words of the summary, by case number.
    overdue = page(client, "/cases/?overdue=y")
    assert f'href="/cases/{late.id}"' in overdue and f'href="/cases/{soon.id}"' not in overdue
    words = page(client, "/cases/?q=th%C3%A1ng+m%C6%B0%E1%BB%9Di")
    assert f'href="/cases/{middle.id}"' in words and f'href="/cases/{late.id}"' not in words
    assert f'href="/cases/{closed.id}"' in page(client, "/cases/?state=closed")
    assert f'href="/cases/{soon.id}"' in page(client, f"/cases/?q={soon.id}")

    post_form(client, "/logout", {}, form_url="/cases/")
    login(client, "canbo")
    mine = page(client, "/cases/mine?lang=en")
    assert order_of(mine, [late.id, soon.id]) == [late.id, soon.id]
    assert f'href="/cases/{middle.id}"' not in mine


def test_a_complaint_goes_through_verification_dialogue_and_a_decision_on_the_web(client, staff) -> None:
    case = open_case(staff["chair"], handler=staff["handler"])
    login(client, "canbo")
    html = page(client, f"/cases/{case.id}?lang=en")
    assert f'action="/cases/{case.id}/actions/verify"' in html
    assert f'action="/cases/{case.id}/actions/conclude"' in html
    assert f'action="/cases/{case.id}/actions/extend"' not in html  # complaints are not extended
    assert act(client, case.id, "verify", {"on": "06/03/2026", "note": "Xác minh hiện trường"}).status_code == 302
    minutes = "Biên bản đối thoại: hai bên thống nhất"
    response = act(client, case.id, "dialogue", {"on": "12/03/2026", "minutes": minutes})
    assert response.status_code == 302
    response = act(client, case.id, "conclude", {"on": "20/03/2026", "outcome": "right", "document_no": "15/QĐ-UBND",
                                                 "document_date": "20/03/2026", "signer": "Lê Văn Chủ"})
    assert response.status_code == 302
    case = fresh(case.id)
    assert (case.status, case.outcome, case.is_open) == ("concluded", "right", False)
    html = page(client, f"/cases/{case.id}?lang=en")
    timeline = html[html.index('id="timeline"'):]
    assert [a for a in ("Accepted for resolution", "Start verification", "Record a dialogue", "Conclude")
            if a in timeline] == ["Accepted for resolution", "Start verification", "Record a dialogue", "Conclude"]
    assert "Biên bản đối thoại: hai bên thống nhất" in timeline and "15/QĐ-UBND" in timeline
    assert "20/03/2026" in timeline and "Lê Văn Chủ" in timeline
    assert timeline.index("Start verification") < timeline.index("Conclude")
    assert f'action="/cases/{case.id}/actions/verify"' not in html  # a closed case has no more steps


def test_a_conclusion_needs_its_document_date_and_signer(client, staff) -> None:
    case = open_case(staff["chair"])
    login(client, "chutich")
    response = act(client, case.id, "conclude", {"on": "20/03/2026", "outcome": "right"})
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message("document_date_required") in text and message("signer_required") in text
    assert fresh(case.id).status == "accepted"


def test_a_denunciation_is_extended_within_the_law_then_refused_beyond(client, staff) -> None:
    case = open_case(staff["chair"], kind="denunciation", summary="Tố cáo cán bộ địa chính", complexity=1)
    due = case.next_due_on
    login(client, "chutich")
    response = act(client, case.id, "extend", {"on": "20/03/2026", "document_no": "01/QĐ-UBND",
                                               "document_date": "20/03/2026", "signer": "Lê Văn Chủ"})
    assert response.status_code == 302
    case = fresh(case.id)
    assert case.extensions == 1 and case.next_due_on > due
    html = page(client, f"/cases/{case.id}?lang=en")
    assert f'action="/cases/{case.id}/actions/extend"' not in html  # no further extension offered
    assert "Due date changed" in html and vn_date(case.next_due_on) in html
    # A forged post of a second extension is refused with the law's message, and nothing changes.
    response = act(client, case.id, "extend", {"on": "21/03/2026", "document_no": "02/QĐ-UBND"})
    assert response.status_code == 422
    assert english(client, "extension_limit") in response.get_data(as_text=True)
    case = fresh(case.id)
    assert case.extensions == 1
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.document_no == "02/QĐ-UBND")) is None


def test_illegal_steps_get_their_message_and_change_nothing(client, staff) -> None:
    case = open_case(staff["chair"])
    login(client, "chutich")
    # A date before the acceptance.
    response = act(client, case.id, "conclude", {"on": "01/03/2026", "outcome": "right", "document_no": "1/QĐ",
                                                 "document_date": "01/03/2026", "signer": "Lê Văn Chủ"})
    assert response.status_code == 400
    assert message("before_acceptance") in response.get_data(as_text=True)
    # An outcome of another kind of case.
    response = act(client, case.id, "conclude", {"on": "20/03/2026", "outcome": "true", "document_no": "1/QĐ",
                                                 "document_date": "20/03/2026", "signer": "Lê Văn Chủ"})
    assert response.status_code == 400  # not one of the complaint's outcomes offered
    assert fresh(case.id).status == "accepted"
    # A step the status does not allow: a conclusion once concluded.
    cases.apply_case_action(staff["chair"], case, cases.ActionInput(
        "conclude", date(2026, 3, 20), case.version, outcome="wrong", document_no="2/QĐ"), TODAY)
    events = db.session.query(CaseEvent).count()
    response = act(client, case.id, "verify", {"on": "21/03/2026"})
    assert response.status_code == 409
    assert message("action_not_in_status") in response.get_data(as_text=True)
    assert db.session.query(CaseEvent).count() == events
    assert fresh(case.id).outcome == "wrong"


def test_a_stale_version_shows_the_conflict_and_changes_nothing(client, staff) -> None:
    case = open_case(staff["chair"])
    stale = case.version
    cases.apply_case_action(staff["chair"], case, cases.ActionInput("verify", date(2026, 3, 6), case.version), TODAY)
    login(client, "chutich")
    response = act(client, case.id, "note", {"on": "07/03/2026", "note": "Ghi chú muộn"}, version=stale)
    assert response.status_code == 409
    assert message("stale") in response.get_data(as_text=True)
    assert db.session.scalar(select(CaseEvent).where(CaseEvent.note == "Ghi chú muộn")) is None


def test_an_overdue_step_gets_a_reason_for_the_delay(client, staff) -> None:
    case = open_case(staff["chair"], handler=staff["handler"])
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id, Clock.clock == "complaint.resolve"))
    login(client, "canbo")
    html = page(client, f"/cases/{case.id}?lang=en")
    assert "Record the reason for the delay" in html
    prefix = f"delay{clock.id}"
    response = post_form(client, f"/cases/{case.id}/clocks/{clock.id}/delay",
                         {f"{prefix}-reason": "site_verification", f"{prefix}-note": "Chờ đo đạc",
                          f"{prefix}-version": str(case.version)}, form_url=f"/cases/{case.id}")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Clock, clock.id).delay_reason == "site_verification"
    assert "Site verification" in page(client, f"/cases/{case.id}?lang=en")


def test_why_this_date_lists_the_tet_days_skipped(client, staff) -> None:
    # A complaint received on Tuesday 10 February 2026: the 7 working days of acceptance cross Tết
    # (Mon 16 - Fri 20 February 2026 are days off).
    letter = register(staff["chair"], received_on=date(2026, 2, 10))
    data = letters.HandlingInput(decision="accept", on=date(2026, 2, 10), version=letter.version, eligible=True,
                                 within_competence=True, document_no="3/TB-UBND")
    case = letters.decide_handling(staff["chair"], letter, data, TODAY)
    clock = db.session.scalar(select(Clock).where(Clock.letter_id == letter.id, Clock.clock == "complaint.accept"))
    login(client, "chutich")
    html = page(client, f"/cases/{case.id}/clocks/{clock.id}/why?lang=en")
    assert "Why this date?" in html
    for day in ("16/02/2026", "17/02/2026", "18/02/2026", "19/02/2026", "20/02/2026"):
        assert day in html
    assert "Public holiday" in html or "Official day off" in html
    assert "Weekly rest day" in html
    assert vn_date(clock.due_on) in html
    assert "10/02/2026" in html  # the triggering event
    assert 'data-print' in html
    # The resolution clock of the case explains its calendar-day count too.
    resolve = db.session.scalar(select(Clock).where(Clock.case_id == case.id))
    resolve_page = page(client, f"/cases/{case.id}/clocks/{resolve.id}/why?lang=en")
    assert "calendar days" in resolve_page


def test_another_units_handler_gets_404_and_an_inspector_reads_without_actions(client, staff) -> None:
    case = open_case(staff["chair"])
    make_user("ngoai", "handler", unit=make_unit("XA-02", "UBND xã Khác"))
    login(client, "ngoai")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert f'href="/cases/{case.id}"' not in page(client, "/cases/")
    post_form(client, "/logout", {}, form_url="/cases/")
    login(client, "thanhtra")
    html = page(client, f"/cases/{case.id}?lang=en")
    assert "Legal clocks" in html and "/actions/" not in html
    response = act(client, case.id, "verify", {"on": "06/03/2026"})
    assert response.status_code == 403
    assert fresh(case.id).status == "accepted"


def test_the_denouncer_is_named_for_the_chair_but_not_for_an_unassigned_handler(client, staff) -> None:
    senders = [VisitorInput(citizen=CitizenInput("Hoàng Văn Tố", "001085099999", 1985))]
    case = open_case(staff["chair"], kind="denunciation", summary="Tố cáo cán bộ thu tiền sai", senders=senders)
    login(client, "chutich")
    html = page(client, f"/cases/{case.id}?lang=en")
    assert "Hoàng Văn Tố" in html
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "view_confidential",
                                                      AuditEntry.entity == "cases",
                                                      AuditEntry.entity_id == case.id)) is not None
    assert "Hoàng Văn Tố" not in page(client, "/cases/")
    post_form(client, "/logout", {}, form_url="/cases/")
    login(client, "canbo")
    html = page(client, f"/cases/{case.id}?lang=en")
    assert "Hoàng Văn Tố" not in html and "001085099999" not in html
    assert "Identity protected" in html
    assert "Hoàng Văn Tố" not in page(client, "/cases/")


def test_a_failed_land_mediation_opens_the_linked_dispute_from_the_page(client, staff) -> None:
    case = open_case(staff["chair"], kind="mediation", mediation_type="land_dispute", summary="Tranh chấp ranh giới")
    login(client, "chutich")
    assert act(client, case.id, "mediate", {"on": "10/03/2026", "minutes": "Hòa giải lần 1"}).status_code == 302
    response = act(client, case.id, "conclude", {"on": "20/03/2026", "outcome": "failed", "document_no": "7/BB",
                                                 "document_date": "20/03/2026", "signer": "Lê Văn Chủ"})
    assert response.status_code == 302
    response = act(client, case.id, "open_dispute", {"on": "25/03/2026"})
    assert response.status_code == 302
    dispute_id = int(re.search(r"/cases/(\d+)", response.headers["Location"]).group(1))
    dispute = fresh(dispute_id)
    assert dispute.kind == "land_dispute" and dispute.linked_case_id == case.id
    assert f'href="/cases/{case.id}"' in page(client, f"/cases/{dispute_id}")


def test_a_case_is_known_by_its_register_number_on_its_page_the_lists_search_and_the_api(client, staff) -> None:
    first = open_case(staff["chair"], handler=staff["handler"])
    second = open_case(staff["chair"], handler=staff["handler"], summary="Khiếu nại việc cấp giấy chứng nhận")
    assert (first.number, second.number) == ("1/2026", "2/2026")  # per unit and year, like letters
    login(client, "canbo")
    assert "Vụ việc số 2/2026" in page(client, f"/cases/{second.id}")
    listing = page(client, "/cases/mine")
    assert f'/cases/{second.id}">2/2026</a>' in listing
    found = page(client, "/cases/?q=2/2026")
    assert f"/cases/{second.id}\"" in found and f"/cases/{first.id}\"" not in found
    assert "Vụ việc số 1/2026" in page(client, f"/letters/{first.letter_id}")
    token = issue_token("canbo")
    body = client.get(f"/api/v1/cases/{second.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert (body["number"], body["register_no"], body["register_year"]) == ("2/2026", 2, 2026)


def test_a_due_date_over_an_unconfirmed_day_off_says_so_and_the_badge_is_for_admins(client, staff) -> None:
    # Received Mon 16 Nov 2026: the 7 working days of acceptance skip Tue 24 Nov, a day off not confirmed (U).
    letter = register(staff["chair"], received_on=date(2026, 11, 16))
    data = letters.HandlingInput(decision="accept", on=date(2026, 11, 16), version=letter.version, eligible=True,
                                 within_competence=True, document_no="4/TB-UBND", handler_id=staff["handler"].id)
    case = letters.decide_handling(staff["chair"], letter, data, date(2026, 11, 17))
    clock = db.session.scalar(select(Clock).where(Clock.letter_id == letter.id, Clock.clock == "complaint.accept"))
    login(client, "canbo")
    why = page(client, f"/cases/{case.id}/clocks/{clock.id}/why")
    assert "24/11/2026" in why and "Ngày nghỉ này chưa được văn bản chính thức xác nhận" in why
    assert "hạn dựa trên ngày nghỉ chưa được xác nhận" in why
    # The source-certainty badge (the acceptance rule is not certain) is not on the handler's daily case page,
    badge = re.compile(r'class="badge" title="(Chưa chắc chắn|Một nguồn thứ cấp)"')
    assert not badge.search(page(client, f"/cases/{case.id}"))
    # but the admin who checks the rules sees it.
    post_form(client, "/logout", {}, form_url="/cases/")
    make_user("quantri", "admin", unit=staff["chair"].unit)
    login(client, "quantri")
    assert badge.search(page(client, f"/cases/{case.id}"))
