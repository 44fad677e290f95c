"""Need to know (issue 12): a denouncer is seen by the receiver, the assigned handler, the unit's leaders and
the chairperson's grantees — and by nobody else, whatever the path (pages, form echoes, linking by id or by
ID number, duplicates, split links, assignment, handling)."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_unit
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Citizen
from tracker.models import User
from tracker.services.cases import actions as cases
from tracker.services.errors import DomainError
from tracker.services.errors import ForbiddenError
from tracker.services.errors import ValidationError
from tracker.services.letters import register as letters
from tracker.services.letters.letter_split import split_letter
from tracker.services.privacy import identity_grants
from tracker.services.reception import citizens
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.web.filters import local_today

SECRET = "Trịnh Thị Bí Mật"
SECRET_ID = "079301000456"
SECRET_PHONE = "0987654321"
SECRET_ADDRESS = "Số 9 ngõ Kín"


def _secret_person() -> CitizenInput:
    return CitizenInput(full_name=SECRET, id_number=SECRET_ID, birth_year=2001, phone=SECRET_PHONE,
                        address=SECRET_ADDRESS)


@pytest.fixture
def world(app):  # type: ignore[no-untyped-def]
    unit = make_unit()
    users = {name: make_user(name, role=role, unit=unit) for name, role in (
        ("letan", "receptionist"), ("letan2", "receptionist"), ("canbo", "handler"), ("canbo2", "handler"),
        ("quantri", "admin"), ("chutich", "chair"), ("thanhtra", "inspector"))}
    today = local_today()
    letter = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="Tố cáo cán bộ địa chính nhận tiền",
        senders=[reception.VisitorInput(citizen=_secret_person())]), today)
    case = letters.decide_handling(users["chutich"], letter, letters.HandlingInput(
        decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
        document_no="1/TB", handler_id=users["canbo"].id), today)
    citizen_id = letter.senders[0].citizen_id
    return {"unit": unit, "users": users, "letter_id": letter.id, "case_id": case.id, "citizen_id": citizen_id,
            "today": today}


def _sees(client, url: str) -> bool:  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    return SECRET in page or SECRET_PHONE in page or SECRET_ADDRESS in page


@pytest.mark.parametrize("username,expected", [
    ("letan", True), ("canbo", True), ("chutich", True),
    ("letan2", False), ("canbo2", False), ("quantri", False), ("thanhtra", False)])
def test_only_the_receiver_the_handler_and_the_leaders_see_the_denouncer(client, world, username, expected) -> None:
    login(client, username)
    urls = [f"/letters/{world['letter_id']}", f"/cases/{world['case_id']}", "/letters/", f"/letters/?q={SECRET_ID}",
            f"/citizens/{world['citizen_id']}", "/citizens/?q=trinh"]
    seen = {url: _sees(client, url) for url in urls}
    if expected:
        assert seen[f"/letters/{world['letter_id']}"] and seen[f"/cases/{world['case_id']}"]
    else:
        assert not any(seen.values()), seen


def test_the_sealed_entry_is_refused_by_id_to_someone_not_cleared_and_typing_her_number_reveals_nothing(
        client, world) -> None:
    unit, desk2 = world["unit"], world["users"]["letan2"]
    today = world["today"]
    with pytest.raises(ValidationError) as refused:
        reception.log_visit(desk2, unit, reception.VisitInput(
            visited_on=today, content="Hỏi thủ tục", classification="petition", handling="guided",
            visitors=[reception.VisitorInput(citizen_id=world["citizen_id"])]), today)
    with pytest.raises(ValidationError) as unknown:
        reception.log_visit(desk2, unit, reception.VisitInput(
            visited_on=today, content="Hỏi thủ tục", classification="petition", handling="guided",
            visitors=[reception.VisitorInput(citizen_id=999999)]), today)
    assert refused.value.fields == unknown.value.fields == {"visitors.0.citizen_id": "not_found"}
    # Her ID number typed with another name: a new entry made of what was typed, nothing stored comes back.
    visit = reception.log_visit(desk2, unit, reception.VisitInput(
        visited_on=today, content="Hỏi thủ tục", classification="petition", handling="guided",
        visitors=[reception.VisitorInput(citizen=CitizenInput(full_name="Người Khác", id_number=SECRET_ID))]), today)
    person = visit.visitors[0].citizen
    assert person.id != world["citizen_id"] and person.full_name == "Người Khác"
    assert person.phone is None and person.address is None and person.sealed is False
    assert db.session.get(Citizen, world["citizen_id"]).sealed is True


def test_registering_a_denouncers_number_answers_as_for_an_unknown_number(world) -> None:
    users, unit, today = world["users"], world["unit"], world["today"]
    letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="Tố cáo khác",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Hà Thị Kín", id_number="079301000888"))]),
        today)
    made = citizens.register_citizen(unit.id, CitizenInput(full_name="Ai Đó", id_number="079301000888"), today)
    unknown = citizens.register_citizen(unit.id, CitizenInput(full_name="Ai Khác", id_number="079301000999"), today)
    assert made.id and unknown.id and made.full_name == "Ai Đó" and not made.sealed


def test_a_form_echo_of_a_picked_denouncer_shows_nothing_to_someone_not_cleared(client, world) -> None:
    login(client, "quantri")
    response = post_form(client, "/visits/new", {"citizen_id": str(world["citizen_id"]), "content": ""},
                         form_url="/visits/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert SECRET not in page and SECRET_ID not in page and "2001" not in page
    desk = client.application.test_client()
    login(desk, "letan")
    page = post_form(desk, "/letters/new", {"citizen_id": str(world["citizen_id"]), "summary": ""},
                     form_url="/letters/new").get_data(as_text=True)
    assert SECRET in page  # the receiver is cleared: her own pick comes back
    reads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_confidential",
                                                        AuditEntry.entity == "citizens")).all()
    assert any('"form"' in (r.changes or "") for r in reads)


def test_only_a_leader_assigns_and_only_the_assigned_handler_moves_the_case_on(world) -> None:
    users, today = world["users"], world["today"]
    case = db.session.get(cases.Case, world["case_id"])
    with pytest.raises(ForbiddenError) as grabbed:
        cases.apply_case_action(users["canbo2"], case, cases.ActionInput(
            action="assign", on=today, version=case.version, handler_id=users["canbo2"].id), today)
    assert grabbed.value.code == "assign_leaders_only"
    with pytest.raises(ForbiddenError) as other:
        cases.apply_case_action(users["canbo2"], case, cases.ActionInput(
            action="note", on=today, version=case.version, note="xem"), today)
    assert other.value.code == "not_your_case"
    with pytest.raises(ForbiddenError):
        cases.apply_case_action(users["quantri"], case, cases.ActionInput(
            action="note", on=today, version=case.version, note="xem"), today)
    cases.apply_case_action(users["canbo"], case, cases.ActionInput(
        action="note", on=today, version=case.version, note="đang xác minh"), today)
    with pytest.raises(ValidationError) as admin_named:
        cases.apply_case_action(users["chutich"], case, cases.ActionInput(
            action="assign", on=today, version=case.version, handler_id=users["quantri"].id), today)
    assert admin_named.value.fields == {"handler_id": "not_found"}


def test_a_handler_cannot_decide_a_denunciation_letter_naming_himself(world) -> None:
    users, unit, today = world["users"], world["unit"], world["today"]
    letter = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="Tố cáo thứ hai",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Người Tố Cáo Hai"))]), today)
    with pytest.raises(ForbiddenError):
        letters.decide_handling(users["canbo2"], letter, letters.HandlingInput(
            decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
            document_no="2/TB", handler_id=users["canbo2"].id), today)
    db.session.rollback()
    other_unit = make_unit("XA-02", "UBND xã Khác")
    stranger = make_user("nguoingoai", role="handler", unit=other_unit)
    with pytest.raises(ValidationError) as wrong:
        letters.decide_handling(users["chutich"], db.session.get(letters.Letter, letter.id), letters.HandlingInput(
            decision="accept", on=today, version=letter.version, eligible=True, within_competence=True,
            document_no="2/TB", handler_id=stranger.id), today)
    assert wrong.value.fields == {"handler_id": "not_found"}


def test_the_handler_choices_offer_no_administrator(client, world) -> None:
    login(client, "chutich")
    page = client.get(f"/cases/{world['case_id']}").get_data(as_text=True)
    admin = db.session.scalar(select(User).where(User.username == "quantri"))
    assert f'value="{admin.id}"' not in page.split('name="assign-handler_id"', 1)[-1].split("</select>", 1)[0]


def test_a_split_letter_is_confidential_as_a_whole_and_its_parts_are_not_named_to_others(client, world) -> None:
    users, unit, today = world["users"], world["unit"], world["today"]
    mixed = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="complaint", summary="Khiếu nại và tố cáo",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Lâm Văn Hỗn Hợp", phone="0911222333"))]),
        today)
    parts = split_letter(users["letan"], mixed, [("complaint", "Khiếu nại quyết định"),
                                                 ("denunciation", "Tố cáo cán bộ")], today)
    assert all(p.confidential for p in parts) and db.session.get(letters.Letter, mixed.id).confidential
    login(client, "letan2")
    for letter_id in (mixed.id, *(p.id for p in parts)):
        page = client.get(f"/letters/{letter_id}").get_data(as_text=True)
        assert "Lâm Văn Hỗn Hợp" not in page and "0911222333" not in page
    original = client.get(f"/letters/{mixed.id}").get_data(as_text=True)
    assert not any(f'/letters/{p.id}"' in original for p in parts)  # its parts are not named (nor "Tố cáo")
    desk = client.application.test_client()
    login(desk, "letan")
    assert "Lâm Văn Hỗn Hợp" in desk.get(f"/letters/{parts[0].id}").get_data(as_text=True)


def test_possible_duplicates_never_name_a_denunciation_to_someone_not_cleared(client, world) -> None:
    users, unit, today = world["users"], world["unit"], world["today"]
    person = CitizenInput(full_name="Đặng Văn Lặp", id_number="079301000777")
    first = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="petition", summary="đường làng ngập nước xin sửa",
        senders=[reception.VisitorInput(citizen=person)]), today)
    sender = first.senders[0].citizen_id
    secret = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="đường làng ngập nước tố cáo thầu",
        senders=[reception.VisitorInput(citizen_id=sender)]), today)
    again = letters.register_letter(users["letan2"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="petition", summary="đường làng ngập nước xin sửa gấp",
        senders=[reception.VisitorInput(citizen_id=sender)]), today)
    named = {d.id for d, _s in letters.likely_duplicates(users["letan2"], unit.id, [sender], again.summary,
                                                          exclude_id=again.id)}
    assert first.id in named and secret.id not in named
    assert secret.id in {d.id for d, _s in letters.likely_duplicates(users["letan"], unit.id, [sender],
                                                                     again.summary, exclude_id=again.id)}
    login(client, "letan2")
    page = client.get(f"/letters/{again.id}").get_data(as_text=True)
    assert f"/letters/{secret.id}\"" not in page and "tố cáo thầu" not in page


def test_the_chairperson_grants_one_user_access_and_withdraws_it(client, world) -> None:
    users = world["users"]
    letter = db.session.get(letters.Letter, world["letter_id"])
    before = client.application.test_client()
    login(before, "letan2")
    assert not _sees(before, f"/letters/{letter.id}")
    login(client, "chutich")
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert 'id="grants"' in page
    response = post_form(client, f"/grants/letter/{letter.id}", {"user_id": str(users["letan2"].id),
                                                                 "reason": "Xác minh chữ ký"},
                         form_url=f"/letters/{letter.id}")
    assert response.status_code == 302
    other = client.application.test_client()
    login(other, "letan2")
    assert _sees(other, f"/letters/{letter.id}")
    assert "Xác minh chữ ký" in client.get(f"/letters/{letter.id}").get_data(as_text=True)
    grant = identity_grants.grants_of(letter)[0]
    # Nobody but the chairperson grants or withdraws.
    assert post_form(other, f"/grants/{grant.id}/withdraw", {}, form_url="/visits/").status_code == 403
    with pytest.raises(DomainError):
        identity_grants.grant(users["canbo"], letter, users["canbo2"].id, "tự cấp")
    assert post_form(client, f"/grants/{grant.id}/withdraw", {}, form_url="/visits/").status_code == 302
    assert not _sees(other, f"/letters/{letter.id}")
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "identity_grants")))
    assert {"identity_grant", "identity_grant_withdrawn"} <= actions


def test_a_grant_needs_a_reason_and_a_user_of_the_unit(world) -> None:
    users = world["users"]
    letter = db.session.get(letters.Letter, world["letter_id"])
    with pytest.raises(ValidationError) as bad:
        identity_grants.grant(users["chutich"], letter, 2**40, "  ")
    assert bad.value.fields == {"reason": "required", "user_id": "grant_user_invalid"}


def test_the_migration_backfill_rule_seals_only_people_known_only_as_denouncers(world) -> None:
    users, unit, today = world["users"], world["unit"], world["today"]
    visit = reception.log_visit(users["letan"], unit, reception.VisitInput(
        visited_on=today, content="Hỏi", classification="petition", handling="guided",
        visitors=[reception.VisitorInput(citizen=CitizenInput(full_name="Phan Văn Thường"))]), today)
    ordinary = visit.visitors[0].citizen_id
    letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=date(today.year, 1, 2) if today.month > 1 else today, channel="post", kind="denunciation",
        summary="Tố cáo", senders=[reception.VisitorInput(citizen_id=ordinary)]), today)
    assert db.session.get(Citizen, ordinary).sealed is False  # known for an ordinary matter: an open entry
    assert db.session.get(Citizen, world["citizen_id"]).sealed is True


def test_a_second_denunciation_with_her_number_joins_her_sealed_entry_not_someone_elses_open_one(world) -> None:
    """Found by the outside test: after another receptionist typed her number (making an open entry of what he
    typed), her receiver's next denunciation with that number was linked to that other entry."""
    users, unit, today = world["users"], world["unit"], world["today"]
    reception.log_visit(users["letan2"], unit, reception.VisitInput(
        visited_on=today, content="Hỏi thủ tục", classification="petition", handling="guided",
        visitors=[reception.VisitorInput(citizen=CitizenInput(full_name="Người Khác", id_number=SECRET_ID))]), today)
    again = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="Tố cáo lần hai",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name=SECRET, id_number=SECRET_ID))]), today)
    assert again.senders[0].citizen_id == world["citizen_id"]


def test_a_citizens_page_lists_their_letters_and_cases_within_the_gate(client, world) -> None:
    users, today = world["users"], world["today"]
    complaint = letters.register_letter(users["letan"], world["unit"], letters.LetterInput(
        received_on=today, channel="post", kind="complaint", summary="Khiếu nại quyết định thu hồi đất",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Nguyễn Văn Công", birth_year=1970))]), today)
    opened = letters.decide_handling(users["chutich"], complaint, letters.HandlingInput(
        decision="accept", on=today, version=complaint.version, eligible=True, within_competence=True,
        document_no="2/TB", handler_id=users["canbo"].id), today)
    login(client, "letan2")  # not cleared for the denunciation
    page = client.get(f"/citizens/{complaint.senders[0].citizen_id}").get_data(as_text=True)
    assert f"/letters/{complaint.id}" in page and f"/cases/{opened.id}" in page and opened.number in page
    assert f"/letters/{world['letter_id']}" not in page and f"/cases/{world['case_id']}" not in page
    post_form(client, "/logout", {}, form_url="/letters/")
    login(client, "chutich")  # cleared: the denouncer's own page lists her denunciation, and the sight is audited
    before = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "view_confidential"))
    page = client.get(f"/citizens/{world['citizen_id']}").get_data(as_text=True)
    assert f"/letters/{world['letter_id']}" in page and f"/cases/{world['case_id']}" in page
    assert f"/letters/{complaint.id}" not in page  # someone else's letter
    after = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "view_confidential"))
    assert after > before


def test_someone_not_cleared_cannot_split_a_denunciation_to_become_its_receiver(client, world) -> None:
    # Found by an outside test: splitting made the splitter the "receiver" of the parts, who then saw the sender.
    users, unit, today = world["users"], world["unit"], world["today"]
    letter = letters.register_letter(users["letan"], unit, letters.LetterInput(
        received_on=today, channel="post", kind="denunciation", summary="Tố cáo và kiến nghị",
        senders=[reception.VisitorInput(citizen=CitizenInput(full_name="Đinh Thị Kín", id_number="079301000777"))]),
        today)
    login(client, "letan2")
    assert client.get(f"/letters/{letter.id}/split").status_code == 403
    assert f"/letters/{letter.id}/split" not in client.get(f"/letters/{letter.id}").get_data(as_text=True)
    posted = post_form(client, f"/letters/{letter.id}/split", {
        "version": str(letter.version), "parts-0-kind": "denunciation", "parts-0-summary": "Tố cáo",
        "parts-1-kind": "petition", "parts-1-summary": "Kiến nghị"}, form_url="/letters/")
    assert posted.status_code == 403
    with pytest.raises(ForbiddenError):
        split_letter(users["letan2"], letter, [("denunciation", "Tố cáo"), ("petition", "Kiến nghị")], today)
    db.session.rollback()
    # The receiver may split it; the parts keep her as their receiver, whoever else reads them.
    parts = split_letter(users["letan"], db.session.get(letters.Letter, letter.id),
                         [("denunciation", "Tố cáo"), ("petition", "Kiến nghị")], today)
    assert {p.created_by_id for p in parts} == {users["letan"].id}
    for part in parts:
        assert "Đinh Thị Kín" not in client.get(f"/letters/{part.id}").get_data(as_text=True)


def test_the_log_book_export_never_names_a_denouncing_groups_representatives(client, world) -> None:
    # Found by an outside test: the lead visitor was hidden in the Excel file, the representatives were not.
    import io

    import openpyxl

    users, unit, today = world["users"], world["unit"], world["today"]
    reception.log_visit(users["letan"], unit, reception.VisitInput(
        visited_on=today, content="Đoàn tố cáo cán bộ", classification="denunciation", handling="letter_received",
        people_count=6, visitors=[
            reception.VisitorInput(citizen=CitizenInput(full_name="Trưởng Đoàn Kín")),
            reception.VisitorInput(citizen=CitizenInput(full_name="Lý Văn Đại Diện", id_number="038095000111"),
                                   is_representative=True)]), today)
    for username, sees in (("letan2", False), ("quantri", False), ("thanhtra", False), ("chutich", True)):
        reader = client.application.test_client()
        login(reader, username)
        book = openpyxl.load_workbook(io.BytesIO(reader.get("/visits/export.xlsx").data))
        cells = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None)
        assert ("Lý Văn Đại Diện" in cells) is sees and ("038095000111" in cells) is sees, username
        assert ("Trưởng Đoàn Kín" in cells) is sees, username


def test_the_audit_log_never_says_which_protected_person_was_read(client, world) -> None:
    # Found by an outside test: "chair read Citizen #43" next to "chair read Letter #339 on the citizen's page"
    # told an admin who denounced. The read is listed, the person is not, nor found by the person's id.
    viewer = client.application.test_client()
    login(viewer, "chutich")
    assert viewer.get(f"/citizens/{world['citizen_id']}").status_code == 200
    stored = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "view_confidential", AuditEntry.entity == "citizens",
        AuditEntry.entity_id == world["citizen_id"])).all()
    assert stored  # the read is audited, with the person, in the database
    login(client, "quantri")
    page = client.get("/admin/audit?action=view_confidential").get_data(as_text=True)
    assert "Công dân (danh tính được bảo mật)" in page
    assert f"Công dân #{world['citizen_id']}" not in page
    found = client.get(f"/admin/audit?entity=citizens&entity_id={world['citizen_id']}&action=view_confidential")
    assert "chutich đã xem" not in found.get_data(as_text=True)
