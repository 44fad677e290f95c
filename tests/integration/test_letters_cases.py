"""Letters from the desk to their outcome: registration, handling, case steps and their clocks."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import with_authority
from tracker.extensions import db
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import Letter
from tracker.services.cases import actions as cases
from tracker.services.errors import ConflictError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)


@pytest.fixture
def clerk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_user()


def register(user, **over):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=over.pop("received_on", date(2026, 3, 2)), channel=over.pop("channel", "post"),
        kind=over.pop("kind", "complaint"), summary=over.pop("summary", "Khiếu nại quyết định thu hồi đất"),
        senders=over.pop("senders", [VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))]),
        **over)
    return letters.register_letter(user, user.unit, data, TODAY)


def accept(user, letter, on=date(2026, 3, 5), **over):  # type: ignore[no-untyped-def]
    data = letters.HandlingInput(decision="accept", on=on, version=letter.version, eligible=True,
                                 within_competence=True, document_no="12/TB-UBND", **over)
    return letters.decide_handling(with_authority(user), letter, data, TODAY)


def act(user, case, action, on, **over):  # type: ignore[no-untyped-def]
    data = cases.ActionInput(action=action, on=on, version=case.version, **over)
    return cases.apply_case_action(with_authority(user, case), case, data, TODAY)


def clock(owner_case=None, letter=None, key=None):  # type: ignore[no-untyped-def]
    stmt = select(Clock).where(Clock.clock == key)
    stmt = stmt.where(Clock.case_id == owner_case.id) if owner_case else stmt.where(Clock.letter_id == letter.id)
    return db.session.scalar(stmt)


def test_a_registered_complaint_gets_its_number_tracking_code_and_clocks(clerk) -> None:
    letter = register(clerk)
    assert (letter.register_no, letter.register_year) == (1, 2026)
    assert len(letter.tracking_code) == 10
    # 10 working days from Monday 2 March 2026: 16 March (Luật TCD Điều 28.1).
    assert clock(letter=letter, key="letter.notify").due_on == date(2026, 3, 16)
    assert clock(letter=letter, key="complaint.accept").due_on is not None
    assert register(clerk).register_no == 2


def test_a_letter_of_five_signatories_is_a_multi_signature_letter(clerk) -> None:
    senders = [VisitorInput(citizen=CitizenInput(f"Người ký {i}")) for i in range(5)]
    assert register(clerk, senders=senders).multi_signature
    assert not register(clerk).multi_signature


def test_bad_letters_are_refused_and_nothing_is_written(clerk) -> None:
    with pytest.raises(ValidationError) as err:
        register(clerk, channel="transferred_in", received_on=date(2027, 1, 1))
    assert err.value.fields == {"from_body": "from_body_required", "received_on": "date_in_future"}
    assert db.session.scalar(select(func.count()).select_from(Letter)) == 0


def test_accepting_a_complaint_opens_a_case_with_its_resolution_clock(clerk) -> None:
    case = accept(clerk, register(clerk))
    assert case.kind == "complaint" and case.status == "accepted" and case.is_open
    # First instance, 30 calendar days from acceptance on 5 March 2026: 4 April is a Saturday,
    # so the period ends on Monday 6 April (BLDS Điều 148.5).
    resolve = clock(owner_case=case, key="complaint.resolve")
    assert (resolve.nominal_due_on, resolve.due_on) == (date(2026, 4, 4), date(2026, 4, 6))
    assert case.next_due_on == date(2026, 4, 6)
    letter_clocks = db.session.scalars(select(Clock).where(Clock.letter_id == case.letter_id)).all()
    assert {c.status for c in letter_clocks} == {"met"}


def test_a_transfer_needs_a_recipient_and_an_anonymous_denunciation_is_not_accepted(clerk) -> None:
    letter = register(clerk, kind="denunciation", anonymous=True, senders=[])
    with pytest.raises(ValidationError) as err:
        letters.decide_handling(clerk, letter, letters.HandlingInput("transfer", date(2026, 3, 3), letter.version),
                                TODAY)
    assert "to_body" in err.value.fields
    with pytest.raises(RuleError) as rule:
        accept(clerk, letter)
    assert rule.value.code == "anonymous_denunciation"
    assert db.session.get(Letter, letter.id).status == "registered"


def test_a_denunciation_is_extended_within_the_law_and_concluded(clerk) -> None:
    case = accept(clerk, register(clerk, kind="denunciation", summary="Tố cáo cán bộ địa chính"), complexity=1)
    due = case.next_due_on
    case = act(clerk, case, "extend", date(2026, 3, 20), document_no="01/QĐ-UBND")
    assert case.next_due_on > due and case.extensions == 1
    with pytest.raises(RuleError) as err:
        act(clerk, case, "extend", date(2026, 3, 21), document_no="02/QĐ-UBND")
    assert err.value.code == "extension_limit"
    case = act(clerk, case, "conclude", date(2026, 4, 10), outcome="partly_true", document_no="05/KL-UBND")
    assert (case.status, case.outcome, case.is_open, case.next_due_on) == ("concluded", "partly_true", False, None)
    actions = [e.action for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id))]
    assert actions[0] == "accept" and "extend" in actions and "retime" in actions and actions[-1] == "conclude"


def test_a_conclusion_needs_an_open_case_a_legal_outcome_and_a_document(clerk) -> None:
    case = accept(clerk, register(clerk))
    with pytest.raises(RuleError):
        act(clerk, case, "conclude", date(2026, 3, 20), outcome="true", document_no="1/QĐ")
    with pytest.raises(ValidationError) as err:
        act(clerk, case, "conclude", date(2026, 3, 20), outcome="right")
    assert err.value.fields == {"document_no": "document_required"}
    case = act(clerk, case, "conclude", date(2026, 3, 20), outcome="right", document_no="1/QĐ-UBND")
    with pytest.raises(ConflictError) as conflict:
        act(clerk, case, "verify", date(2026, 3, 21))
    assert conflict.value.code == "action_not_in_status"


def test_a_suspension_stops_the_clock_and_the_resumption_restarts_it(clerk) -> None:
    case = accept(clerk, register(clerk, received_on=date(2026, 8, 3)), on=date(2026, 8, 5))
    before = case.next_due_on
    case = act(clerk, case, "suspend", date(2026, 8, 10), document_no="3/QĐ-UBND", note="Chờ kết quả giám định")
    assert case.status == "suspended" and case.next_due_on is None
    case = act(clerk, case, "resume", date(2026, 9, 1), document_no="4/QĐ-UBND")
    assert case.status == "accepted"
    # From 1 July 2026 the complaint period runs again in full from the continuation decision.
    assert case.next_due_on > before


def test_a_stale_version_is_refused(clerk) -> None:
    case = accept(clerk, register(clerk))
    stale = case.version
    act(clerk, case, "verify", date(2026, 3, 6))
    with pytest.raises(ConflictError):
        cases.apply_case_action(clerk, case, cases.ActionInput("dialogue", date(2026, 3, 7), stale), TODAY)


def test_a_failed_land_mediation_is_sent_up_and_can_become_a_dispute_for_the_chair(clerk) -> None:
    letter = register(clerk, kind="mediation", mediation_type="land_dispute", summary="Tranh chấp ranh giới đất")
    case = accept(clerk, letter)
    assert case.kind == "land_mediation"
    # 30 days from the receipt of the request (Luật Đất đai 2024 Điều 235.2.c).
    assert clock(owner_case=case, key="land_mediation.resolve").nominal_due_on == date(2026, 4, 1)
    case = act(clerk, case, "mediate", date(2026, 3, 10), minutes="Biên bản hòa giải lần 1")
    case = act(clerk, case, "conclude", date(2026, 3, 20), outcome="failed", document_no="7/BB-HĐHG")
    dispute = act(clerk, case, "open_dispute", date(2026, 3, 25))
    assert dispute.kind == "land_dispute" and dispute.linked_case_id == case.id
    assert dispute.next_due_on is not None


def test_a_grassroots_mediation_must_start_within_three_days(clerk) -> None:
    letter = register(clerk, kind="mediation", mediation_type="grassroots", summary="Mâu thuẫn lối đi chung")
    case = accept(clerk, letter)
    start = clock(owner_case=case, key="mediation.start")
    assert start.due_on >= date(2026, 3, 8)
    act(clerk, case, "mediate", date(2026, 3, 7))
    db.session.refresh(start)
    assert start.status == "met" and start.met_on == date(2026, 3, 7)


def test_register_numbers_are_per_unit_and_year(clerk) -> None:
    other = make_user("khac", unit=make_unit("XA-02", "UBND xã Khác"))
    assert register(other).register_no == 1
    assert register(clerk, received_on=date(2025, 12, 30)).register_no == 1
    assert register(clerk).register_no == 1
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
