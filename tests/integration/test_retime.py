"""Re-timing open clocks when the calendar or a deadline rule changes (preview, then apply)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_user
from tests.factories import with_authority
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import CalendarDay
from tracker.models import Case
from tracker.models import CaseEvent
from tracker.models import Clock
from tracker.models import DeadlineRuleRow
from tracker.models import Notification
from tracker.services.cases import actions as cases
from tracker.services.errors import ConflictError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.legal.retime import CalendarChange
from tracker.services.legal.retime import RuleCorrection
from tracker.services.legal.retime import RuleVersion
from tracker.services.legal.retime import apply_retime
from tracker.services.legal.retime import preview_retime
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput

TODAY = date(2026, 11, 23)
REASON = "Thông báo nghỉ bổ sung của Bộ Nội vụ"


@pytest.fixture
def clerk(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_user()


@pytest.fixture
def handler(clerk):  # type: ignore[no-untyped-def]
    return make_user("canbo", "handler", full_name="Lê Văn Xử")


def register(user, received_on=date(2026, 3, 2)):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=received_on, channel="post", kind="complaint", summary="Khiếu nại quyết định thu hồi đất",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    return letters.register_letter(user, user.unit, data, TODAY)


def accept(user, letter, handler=None):  # type: ignore[no-untyped-def]
    data = letters.HandlingInput(decision="accept", on=date(2026, 3, 5), version=letter.version, eligible=True,
                                 within_competence=True, document_no="12/TB-UBND",
                                 handler_id=handler.id if handler else None)
    return letters.decide_handling(with_authority(user), letter, data, TODAY)


def clock_of(key, *, case=None, letter=None):  # type: ignore[no-untyped-def]
    stmt = select(Clock).where(Clock.clock == key)
    stmt = stmt.where(Clock.case_id == case.id) if case else stmt.where(Clock.letter_id == letter.id)
    return db.session.scalar(stmt)


def retime_events(case):  # type: ignore[no-untyped-def]
    rows = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "retime"))
    return [json.loads(e.data) for e in rows]


def day_off(day: date) -> CalendarChange:
    return CalendarChange(day, "day_off", "TB 1234/TB-BNV", "Nghỉ bổ sung", "C")


def test_a_new_day_off_inside_a_working_day_window_moves_the_due_date_by_one_working_day(clerk) -> None:
    letter = register(clerk)
    notify = clock_of("letter.notify", letter=letter)
    assert notify.due_on == date(2026, 3, 16)  # 10 working days from Monday 2 March
    result = apply_retime(day_off(date(2026, 3, 10)), REASON, today=TODAY)
    db.session.expire_all()
    assert clock_of("letter.notify", letter=letter).due_on == date(2026, 3, 17)
    assert {(a.clock, a.old_due, a.new_due) for a in result.moved} == {
        ("letter.notify", date(2026, 3, 16), date(2026, 3, 17)),
        ("complaint.accept", date(2026, 3, 16), date(2026, 3, 17))}
    assert result.letter_ids == [letter.id]
    assert db.session.scalar(select(CalendarDay.kind).where(CalendarDay.day == date(2026, 3, 10))) == "day_off"
    notices = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "retime_notice")).all()
    assert [(n.entity, n.entity_id) for n in notices] == [("letters", letter.id)]


def test_a_case_clock_moved_by_the_calendar_gets_a_timeline_event_and_its_handler_is_told(clerk, handler) -> None:
    case = accept(clerk, register(clerk), handler)
    assert case.next_due_on == date(2026, 4, 6)  # 30 calendar days: Sat 4 April rolls to Mon 6 April
    result = apply_retime(day_off(date(2026, 4, 6)), REASON, today=TODAY)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert clock_of("complaint.resolve", case=case).due_on == date(2026, 4, 7)
    assert case.next_due_on == date(2026, 4, 7)
    events = retime_events(case)
    assert len(events) == 1
    assert events[0]["clock"] == "complaint.resolve" and events[0]["reason"] == REASON
    assert (events[0]["old"], events[0]["new"]) == ("2026-04-06", "2026-04-07")
    assert result.case_ids == [case.id] and result.handler_ids == [handler.id]
    notice = db.session.scalar(select(Notification).where(Notification.user_id == handler.id))
    assert notice is not None and notice.case_id == case.id and notice.message == "case_retimed"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "retime_notice",
                                                        AuditEntry.entity == "cases"))
    assert audit is not None and audit.entity_id == case.id


def test_a_closed_case_keeps_its_dates(clerk) -> None:
    case = accept(clerk, register(clerk))
    data = cases.ActionInput(action="conclude", on=date(2026, 3, 20), version=case.version, outcome="right",
                             document_no="05/QĐ-UBND")
    case = cases.apply_case_action(with_authority(clerk, case), case, data, TODAY)
    assert not case.is_open
    due = clock_of("complaint.resolve", case=case).due_on
    assert preview_retime(day_off(date(2026, 4, 6))) == []
    result = apply_retime(day_off(date(2026, 4, 6)), REASON, today=TODAY)
    db.session.expire_all()
    assert result.moved == [] and result.handler_ids == []
    assert clock_of("complaint.resolve", case=case).due_on == due
    assert retime_events(case) == []


def test_a_clock_whose_window_does_not_include_the_day_is_untouched(clerk) -> None:
    early = register(clerk, received_on=date(2026, 3, 2))  # letter.notify due 16 March
    late = register(clerk, received_on=date(2026, 3, 20))
    late_due = clock_of("letter.notify", letter=late).due_on
    assert preview_retime(day_off(date(2026, 3, 18))) == []  # after early's due date, before late's start
    affected = preview_retime(day_off(date(2026, 3, 13)))
    assert {a.letter_id for a in affected} == {early.id}
    apply_retime(day_off(date(2026, 3, 13)), REASON, today=TODAY)
    db.session.expire_all()
    assert clock_of("letter.notify", letter=late).due_on == late_due
    assert clock_of("letter.notify", letter=early).due_on == date(2026, 3, 17)


def test_the_preview_writes_nothing(clerk, handler) -> None:
    case = accept(clerk, register(clerk), handler)
    letter = register(clerk)

    def state():  # type: ignore[no-untyped-def]
        return (db.session.scalar(select(func.count()).select_from(CalendarDay)),
                db.session.scalar(select(func.count()).select_from(CaseEvent)),
                db.session.scalar(select(func.count()).select_from(AuditEntry)),
                db.session.scalar(select(func.count()).select_from(Notification)),
                sorted(db.session.execute(select(Clock.id, Clock.due_on, Clock.version)).all()))

    before = state()
    affected = preview_retime(day_off(date(2026, 3, 10)))
    affected += preview_retime(day_off(date(2026, 4, 6)))
    assert {a.case_id for a in affected if a.case_id} == {case.id}
    assert letter.id in {a.letter_id for a in affected}
    db.session.rollback()
    db.session.expire_all()
    assert state() == before
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10))) is None


def rule_row(code: str) -> DeadlineRuleRow:
    row = db.session.scalar(select(DeadlineRuleRow).where(DeadlineRuleRow.code == code))
    assert row is not None
    return row


def correction(row: DeadlineRuleRow, **over) -> RuleCorrection:  # type: ignore[no-untyped-def]
    values = {"row_id": row.id, "version": row.version, "days": row.days, "day_kind": row.day_kind,
              "max_extensions": row.max_extensions, "extension_days": row.extension_days,
              "effective_to": row.effective_to, "legal_basis": row.legal_basis, "certainty": row.certainty,
              "note": row.note}
    values.update(over)
    return RuleCorrection(**values)  # type: ignore[arg-type]


def test_correcting_a_rules_days_retimes_the_open_clocks_that_use_it(clerk, handler) -> None:
    case = accept(clerk, register(clerk), handler)
    closed = accept(clerk, register(clerk))
    closed = cases.apply_case_action(with_authority(clerk, closed), closed, cases.ActionInput(
        action="conclude", on=date(2026, 3, 20), version=closed.version, outcome="wrong", document_no="06/QĐ"), TODAY)
    closed_due = clock_of("complaint.resolve", case=closed).due_on
    row = rule_row("complaint.resolve.first.2012")
    change = correction(row, days=45, certainty="C", note="Đối chiếu văn bản gốc")
    preview = preview_retime(change)
    assert [(a.case_id, a.old_due, a.new_due) for a in preview] == [(case.id, date(2026, 4, 6), date(2026, 4, 20))]
    apply_retime(change, "Sửa số ngày theo văn bản gốc", today=TODAY)
    db.session.expire_all()
    assert rule_row("complaint.resolve.first.2012").days == 45
    assert clock_of("complaint.resolve", case=case).due_on == date(2026, 4, 20)  # Sun 19 April → Mon 20
    assert db.session.get(Case, case.id).next_due_on == date(2026, 4, 20)
    assert [(e["old"], e["new"]) for e in retime_events(case)] == [("2026-04-06", "2026-04-20")]
    assert clock_of("complaint.resolve", case=closed).due_on == closed_due
    with pytest.raises(ConflictError):
        preview_retime(change)  # the version moved on


def test_a_new_rule_version_retimes_only_the_clocks_started_from_its_date(clerk) -> None:
    early = register(clerk, received_on=date(2026, 3, 2))
    late = register(clerk, received_on=date(2026, 3, 20))
    base = rule_row("letter.notify.2014")
    change = RuleVersion(base.id, date(2026, 3, 10), days=5, day_kind="working", max_extensions=0,
                         extension_days=None, legal_basis="Văn bản thử nghiệm", certainty="U")
    assert {a.letter_id for a in preview_retime(change)} == {late.id}
    result = apply_retime(change, "Quy định mới", today=TODAY)
    db.session.expire_all()
    assert clock_of("letter.notify", letter=early).due_on == date(2026, 3, 16)
    moved = clock_of("letter.notify", letter=late)
    assert moved.due_on == date(2026, 3, 27) and moved.rule_code.startswith("letter.notify.2026")
    assert rule_row("letter.notify.2014").effective_to == date(2026, 3, 9)
    assert db.session.get(DeadlineRuleRow, result.row_id).effective_from == date(2026, 3, 10)


def test_a_change_that_leaves_a_clock_without_a_rule_is_refused_and_nothing_is_written(clerk) -> None:
    letter = register(clerk)
    row = rule_row("letter.notify.2014")
    change = correction(row, effective_to=date(2026, 2, 28))
    assert [a.problem for a in preview_retime(change) if a.letter_id == letter.id] == ["deadline_no_rule"]
    with pytest.raises(RuleError) as err:
        apply_retime(change, REASON, today=TODAY)
    assert err.value.code == "retime_blocked"
    db.session.expire_all()
    assert rule_row("letter.notify.2014").effective_to is None
    with pytest.raises(ValidationError) as bad:
        apply_retime(day_off(date(2026, 3, 10)), " ", today=TODAY)
    assert bad.value.fields == {"reason": "retime_reason_required"}


def test_the_calendar_command_previews_with_dry_run_and_retimes_otherwise(clerk, runner) -> None:
    letter = register(clerk)
    args = ["calendar", "day-off", "2026-03-10", "--basis", "TB 99/TB-BNV (thử)"]
    dry = runner.invoke(args=args + ["--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"letter {letter.id}\tletter.notify\t2026-03-16\t2026-03-17" in dry.output.splitlines()
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 3, 10))) is None
    done = runner.invoke(args=args + ["--reason", "Nghỉ bổ sung"])
    assert done.exit_code == 0, done.output
    lines = done.output.splitlines()
    assert lines[0].startswith("2026-03-10\tday_off\t") and len(lines) == 3
    db.session.expire_all()
    assert clock_of("letter.notify", letter=letter).due_on == date(2026, 3, 17)
