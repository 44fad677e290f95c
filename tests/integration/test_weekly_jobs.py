"""The weekly list, instructions, reminders, and scheduled jobs that run exactly once."""
from __future__ import annotations

import json
import threading
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_user
from tests.integration.test_letters_cases import accept
from tests.integration.test_letters_cases import act
from tests.integration.test_letters_cases import register
from tracker.extensions import db
from tracker.jobs import runner
from tracker.models import CaseEvent
from tracker.models import JobRun
from tracker.models import Notification
from tracker.models import WeeklySnapshot
from tracker.models.base import utcnow
from tracker.services.cases import instructions
from tracker.services.errors import ForbiddenError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.operations import inbox
from tracker.services.reports import weekly

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def office(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    clerk = make_user()
    chair = make_user("chutich", role="chair", unit=clerk.unit, full_name="Lê Văn Chủ")
    handler = make_user("canbo", role="handler", unit=clerk.unit, full_name="Phạm Thị Xử")
    return clerk, chair, handler


def test_the_weekly_list_sorts_cases_into_due_overdue_new_and_awaiting(office) -> None:
    clerk, chair, handler = office
    # Accepted 5 March: resolution due 6 April 2026 (a Monday): overdue in week 16, due in week 15.
    old = accept(clerk, register(clerk), handler_id=handler.id)
    fresh = accept(clerk, register(clerk, received_on=date(2026, 4, 6)), on=date(2026, 4, 8))
    act(clerk, fresh, "submit", date(2026, 4, 9))
    week15 = weekly.build_weekly(clerk.unit, "2026-W15", date(2026, 4, 6))
    assert [i["case_id"] for i in week15["due_this_week"]] == [old.id]
    assert week15["due_this_week"][0]["handler"] == "Phạm Thị Xử"
    week16 = weekly.build_weekly(clerk.unit, "2026-W16", date(2026, 4, 15))
    assert [(i["case_id"], i["days_overdue"]) for i in week16["overdue"]] == [(old.id, 9)]
    assert fresh.id in [i["case_id"] for i in week16["new"]]
    assert [i["case_id"] for i in week16["awaiting_decision"]] == [fresh.id]
    only_mine = weekly.build_weekly(clerk.unit, "2026-W16", date(2026, 4, 15), weekly.WeeklyFilter(handler.id))
    assert only_mine["awaiting_decision"] == [] and len(only_mine["overdue"]) == 1
    assert "Nguyễn Văn An" not in json.dumps(week16, ensure_ascii=False)


def test_an_instruction_reaches_the_handler_and_the_timeline(office) -> None:
    clerk, chair, handler = office
    case = accept(clerk, register(clerk), handler_id=handler.id)
    instructions.give_instruction(chair, case, "Xác minh thực địa trước ngày 20/3", date(2026, 3, 20),
                                  date(2026, 3, 10))
    notes = db.session.scalars(select(Notification).where(Notification.user_id == handler.id)).all()
    assert [n.message for n in notes] == ["instruction_given"]
    assert "Xác minh thực địa" in inbox.render(notes[0])
    assert db.session.scalar(select(CaseEvent.action).where(CaseEvent.case_id == case.id,
                                                            CaseEvent.action == "instruction")) == "instruction"
    with pytest.raises(ForbiddenError):
        instructions.give_instruction(handler, case, "Tự chỉ đạo", None, date(2026, 3, 10))


def test_reminders_go_to_the_handler_before_the_due_date_and_to_the_chair_when_overdue(office) -> None:
    from tracker.services.reports.reminders import send_reminders

    clerk, chair, handler = office
    accept(clerk, register(clerk), handler_id=handler.id)  # due 6 April 2026
    assert send_reminders(clerk.unit, date(2026, 4, 2)) == 0  # 4 days ahead: outside the 3-day window
    assert send_reminders(clerk.unit, date(2026, 4, 3)) == 1  # 3 days ahead: the handler
    assert send_reminders(clerk.unit, date(2026, 4, 3)) == 0  # the same day again: nothing new
    assert send_reminders(clerk.unit, date(2026, 4, 8)) == 2  # overdue: handler and chair
    kinds = db.session.scalars(select(Notification.message).where(Notification.user_id == chair.id)).all()
    assert kinds == ["remind_overdue"]


def _at(day: date, hour: int = 8) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=VN)


def test_jobs_run_once_per_slot_and_catch_up_after_downtime(office) -> None:
    clerk, chair, handler = office
    accept(clerk, register(clerk), handler_id=handler.id)
    monday = date(2026, 4, 6)
    first = runner.run_due(_at(monday + timedelta(days=2)))  # down since the week before: catches up
    assert first["weekly_snapshot"] == 1 and first["reminders"] >= 3
    assert runner.run_due(_at(monday + timedelta(days=2))) == {"emails": 0}
    assert db.session.scalar(select(func.count()).select_from(WeeklySnapshot)) == 1


def test_a_slot_claimed_by_a_process_that_died_is_redone_after_a_while(office) -> None:
    clerk, _, _ = office
    monday = date(2026, 4, 6)
    db.session.add(JobRun(job="weekly_snapshot", slot=f"{clerk.unit.code}:2026-W15",
                          started_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    done = runner.run_due(_at(monday, 9))
    assert done["weekly_snapshot"] == 1
    run = db.session.scalar(select(JobRun).where(JobRun.job == "weekly_snapshot"))
    assert run.finished_at is not None and run.attempts == 2


def test_several_schedulers_at_once_produce_each_snapshot_exactly_once(office, app, database) -> None:
    if database["name"] != "postgresql":
        pytest.skip("concurrent processes are exercised on PostgreSQL")
    clerk, _, handler = office
    accept(clerk, register(clerk), handler_id=handler.id)
    db.session.commit()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def tick() -> None:
        with app.app_context():
            try:
                barrier.wait()
                runner.run_due(_at(date(2026, 4, 8)))
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert db.session.scalar(select(func.count()).select_from(WeeklySnapshot)) == 1
    keys = db.session.scalars(select(Notification.dedupe_key)).all()
    assert len(keys) == len(set(keys)) and keys


def test_reminders_are_emailed_when_smtp_is_configured(office, app) -> None:
    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
            received.append(envelope.content)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}?from=ubnd@example.vn"
        clerk, chair, handler = office
        handler.email = "canbo@example.vn"
        db.session.commit()
        accept(clerk, register(clerk), handler_id=handler.id)
        runner.run_due(_at(date(2026, 4, 3)))
        assert len(received) == 1 and b"canbo@example.vn" in received[0]
        runner.run_due(_at(date(2026, 4, 3)))
        assert len(received) == 1  # sent once
    finally:
        controller.stop()
