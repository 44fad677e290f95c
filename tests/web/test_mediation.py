"""Mediation groups and the mediation log book through the web, with CSRF on."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import MediationGroup
from tracker.services.cases import actions as cases
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
GROUP = {
    "name": "Tổ hòa giải thôn Đông", "neighbourhood": "Thôn Đông", "active": "y",
    "members-0-full_name": "Nguyễn Văn Trưởng", "members-0-gender": "male", "members-0-is_leader": "y",
    "members-0-phone": "0912345678",
    "members-1-full_name": "Trần Văn Hai", "members-1-gender": "male",
    "members-2-full_name": "", "members-2-gender": "",
}


@pytest.fixture
def chair(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_user("chutich", "chair", full_name="Lê Văn Chủ")


def en(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url + ("&" if "?" in url else "?") + "lang=en")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_a_chair_creates_a_group_is_warned_it_lacks_a_woman_and_completes_it(client, chair) -> None:
    login(client, "chutich")
    en(client, "/mediation/groups")
    response = post_form(client, "/mediation/groups/new", GROUP)
    assert response.status_code == 302
    group = db.session.scalar(select(MediationGroup))
    assert [m.full_name for m in group.members] == ["Nguyễn Văn Trưởng", "Trần Văn Hai"]
    listing = en(client, "/mediation/groups")
    assert "Tổ hòa giải thôn Đông" in listing
    assert "at least 3 mediators" in listing and "woman" in listing  # warned, not refused
    edit = {**GROUP, "version": str(group.version), "members-2-full_name": "Phạm Thị Ba",
            "members-2-gender": "female"}
    response = post_form(client, f"/mediation/groups/{group.id}", edit)
    assert response.status_code == 302
    db.session.expire_all()
    group = db.session.get(MediationGroup, group.id)
    assert len(group.members) == 3 and any(m.gender == "female" for m in group.members)
    listing = en(client, "/mediation/groups")
    assert "at least 3 mediators" not in listing and "woman mediator" not in listing
    # A stale save is refused.
    response = post_form(client, f"/mediation/groups/{group.id}", {**edit, "version": "1", "name": "Tổ khác"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(MediationGroup, group.id).name == "Tổ hòa giải thôn Đông"


def test_a_group_without_a_name_is_refused_and_a_handler_may_only_read(client, chair) -> None:
    make_user("canbo", "handler")
    login(client, "chutich")
    response = post_form(client, "/mediation/groups/new", {**GROUP, "name": ""})
    assert response.status_code == 400
    assert db.session.scalar(select(MediationGroup)) is None
    post_form(client, "/mediation/groups/new", GROUP)
    group = db.session.scalar(select(MediationGroup))
    post_form(client, "/logout", {}, form_url="/mediation/groups")
    login(client, "canbo")
    listing = en(client, "/mediation/groups")
    assert "Tổ hòa giải thôn Đông" in listing and "/mediation/groups/new" not in listing
    assert client.get("/mediation/groups/new").status_code == 403
    page = en(client, f"/mediation/groups/{group.id}")
    assert "Nguyễn Văn Trưởng" in page and "<form method=\"post\">" not in page
    other = make_user("khac", "chair", unit=make_unit("XA-02", "UBND xã Khác"))
    assert other is not None
    post_form(client, "/logout", {}, form_url="/mediation/groups")
    login(client, "khac")
    assert client.get(f"/mediation/groups/{group.id}").status_code == 404


def test_the_log_book_lists_the_units_mediations_with_their_result(client, chair) -> None:
    login(client, "chutich")
    post_form(client, "/mediation/groups/new", GROUP)
    group = db.session.scalar(select(MediationGroup))
    letter = letters.register_letter(chair, chair.unit, letters.LetterInput(
        received_on=date(2026, 5, 4), channel="visit", kind="mediation", mediation_type="grassroots",
        summary="Mâu thuẫn lối đi chung giữa hai hộ",
        senders=[VisitorInput(citizen=CitizenInput("Bùi Văn Bên", birth_year=1970, address="Xóm 2"))]), TODAY)
    case = letters.decide_handling(chair, letter, letters.HandlingInput(
        "accept", date(2026, 5, 5), letter.version, eligible=True, within_competence=True), TODAY)
    case = cases.apply_case_action(chair, case, cases.ActionInput("assign", date(2026, 5, 5), case.version,
                                                                  mediation_group_id=group.id), TODAY)
    case = cases.apply_case_action(chair, case, cases.ActionInput(
        "mediate", date(2026, 5, 7), case.version, minutes="Hai bên thống nhất mở lối đi rộng 2 m"), TODAY)
    cases.apply_case_action(chair, case, cases.ActionInput("conclude", date(2026, 5, 8), case.version,
                                                           outcome="succeeded", document_no="1/BB-HG"), TODAY)
    book = en(client, "/mediation/book?year=2026")
    assert "SỔ THEO DÕI HOẠT ĐỘNG HÒA GIẢI Ở CƠ SỞ" in book
    assert "04/05/2026" in book and "Bùi Văn Bên" in book and "1970" in book
    assert "Nguyễn Văn Trưởng" in book and "Hai bên thống nhất mở lối đi rộng 2 m" in book
    assert "mediation_book.css" in book and "data-print" in book
    assert ">X<" in book
    assert "Bùi Văn Bên" not in en(client, "/mediation/book?year=2025")
    assert "Bùi Văn Bên" in en(client, f"/mediation/book?year=2026&group={group.id}")


def test_the_smallest_mediation_group_is_a_rule_value_an_administrator_corrects(app) -> None:  # type: ignore[no-untyped-def]
    from tracker.models import RuleParam
    from tracker.services.cases import mediation_groups
    from tracker.services.legal.rule_params import correct_rule_param
    from tracker.services.legal.rule_params import seed_rule_params

    seed_rule_params()
    three = [mediation_groups.MemberInput(n, g, lead) for n, g, lead in (
        ("Lê Văn Hòa", "male", True), ("Phạm Thị Giải", "female", False), ("Trần Văn Ba", "male", False))]
    assert "group_too_few_mediators" not in mediation_groups.group_warnings(three)
    row = db.session.scalar(select(RuleParam).where(RuleParam.key == "mediation_group_min_members"))
    assert row.value == 3 and "Điều 12" in row.legal_basis
    correct_rule_param(row, version=row.version, value=4, legal_basis=row.legal_basis, effective_to=None, note=None)
    assert "group_too_few_mediators" in mediation_groups.group_warnings(three)
