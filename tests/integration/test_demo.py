"""``demo load``: a province with three living communes, built through the services (issue 13)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tracker.cli.demo import demo_cli
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Instruction
from tracker.models import Letter
from tracker.models import MediationGroup
from tracker.models import Notification
from tracker.models import ReceptionSession
from tracker.models import Report
from tracker.models import SessionBooking
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.services.errors import ConflictError
from tracker.services.operations.demo import load_demo

NOW = datetime(2026, 11, 19, 15, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def count(stmt) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


@pytest.fixture()
def demo(app):  # type: ignore[no-untyped-def]
    return load_demo(now=NOW, visits=60, seed=11, letters_per_unit=60)


def _demo_fills_a_province_with_three_communes_and_an_inspector(demo) -> None:
    province = db.session.scalar(select(Unit).where(Unit.level == "province"))
    communes = db.session.scalars(select(Unit).where(Unit.parent_id == province.id)).all()
    assert len(communes) == 3 and demo.units == communes
    inspector = db.session.scalar(select(User).where(User.role == "inspector"))
    assert inspector.username == "thanhtra" and inspector.unit_id == province.id
    for unit in communes:
        roles = set(db.session.scalars(select(User.role).where(User.unit_id == unit.id)))
        assert roles == {"chair", "vice_chair", "receptionist", "handler"}
        assert count(select(Visit).where(Visit.unit_id == unit.id)) >= 40
        assert count(select(Letter).where(Letter.unit_id == unit.id)) >= 40
        assert count(select(Case).where(Case.unit_id == unit.id)) >= 20


def _demo_has_every_case_kind_and_stage_overdue_steps_and_work_for_the_chair(demo) -> None:
    first = demo.units[0]
    rows = set(db.session.execute(select(Case.kind, Case.status).where(Case.unit_id == first.id)).all())
    assert {k for k, _s in rows} == set(lc.CASE_KINDS)
    assert {s for _k, s in rows} == set(lc.CASE_STATUSES)
    assert {d for d in db.session.scalars(select(Letter.decision).where(Letter.unit_id == first.id))} == \
        set(lc.HANDLING_DECISIONS) | {None}
    overdue = select(Clock).join(Case, Case.id == Clock.case_id).where(
        Case.unit_id == first.id, Case.is_open.is_(True), Clock.status == "open", Clock.due_on < NOW.date())
    assert count(overdue) >= 3
    assert count(overdue.where(Clock.delay_reason.is_not(None))) >= 1
    assert count(select(Case).where(Case.unit_id == first.id, Case.awaiting_decision.is_(True))) >= 3
    assert count(select(Case).where(Case.unit_id == first.id, Case.extensions > 0)) >= 1
    assert count(select(Letter).where(Letter.unit_id == first.id, Letter.confidential.is_(True))) >= 1
    assert count(select(Instruction).where(Instruction.unit_id == first.id)) >= 1
    groups = db.session.scalars(select(MediationGroup).where(MediationGroup.unit_id == first.id)).all()
    assert len(groups) == 2 and all(g.members for g in groups)
    assert count(select(Case).where(Case.mediation_group_id.in_([g.id for g in groups]))) >= 3


def _the_letters_handed_in_at_visits_are_in_the_register_but_the_last_two_days(demo) -> None:
    for unit in demo.units:
        handed = select(Visit).where(Visit.unit_id == unit.id, Visit.handling == "letter_received")
        registered = select(Letter.visit_id).where(Letter.visit_id.is_not(None))
        assert count(handed) >= 3 and count(handed.where(Visit.id.in_(registered))) >= 3
        missing = db.session.scalars(handed.where(Visit.id.not_in(registered))).all()
        assert all((NOW.date() - v.visited_on).days <= 2 for v in missing), [v.visited_on for v in missing]
        own = select(Letter).where(Letter.unit_id == unit.id, Letter.visit_id.is_not(None))
        for letter in db.session.scalars(own):
            visit = db.session.get(Visit, letter.visit_id)
            assert letter.received_on == visit.visited_on and letter.channel == "visit"
            assert letter.kind == visit.classification


def _demo_has_reports_sessions_with_bookings_and_notifications(demo) -> None:
    first = demo.units[0]
    statuses = {(r.period, r.status) for r in db.session.scalars(select(Report).where(Report.unit_id == first.id))}
    assert ("2026-11", "draft") in statuses
    assert ("2026-10", "final") in statuses and ("2026-Q3", "final") in statuses
    future = select(ReceptionSession).where(ReceptionSession.unit_id == first.id,
                                            ReceptionSession.held_on >= NOW.date())
    assert count(future) >= 3
    assert count(select(SessionBooking).where(SessionBooking.unit_id == first.id)) >= 3
    chair = db.session.scalar(select(User).where(User.username == "chutich"))
    handler = db.session.scalar(select(User).where(User.username == "canbo"))
    assert count(select(Notification).where(Notification.user_id == chair.id)) >= 1
    assert count(select(Notification).where(Notification.user_id == handler.id)) >= 1


def _a_second_load_is_refused_clearly_and_writes_nothing(demo, runner) -> None:
    visits = count(select(Visit))
    with pytest.raises(ConflictError):
        load_demo(now=NOW, visits=60, seed=12)
    result = runner.invoke(demo_cli, ["load", "--visits", "10"])
    assert result.exit_code != 0 and "--force" in result.output and "XA-TANPHU" in result.output
    assert count(select(Visit)) == visits


def test_the_demo_data_is_complete_and_loads_once(demo, runner) -> None:  # type: ignore[no-untyped-def]
    """One load (a dozen seconds on PostgreSQL) serves every check of what it holds; the refused second
    load comes last, as it must leave everything as it was."""
    _demo_fills_a_province_with_three_communes_and_an_inspector(demo)
    _demo_has_every_case_kind_and_stage_overdue_steps_and_work_for_the_chair(demo)
    _the_letters_handed_in_at_visits_are_in_the_register_but_the_last_two_days(demo)
    _demo_has_reports_sessions_with_bookings_and_notifications(demo)
    _a_second_load_is_refused_clearly_and_writes_nothing(demo, runner)


def test_the_cli_prints_the_accounts_and_their_password(app, runner) -> None:
    result = runner.invoke(demo_cli, ["load", "--visits", "20", "--letters", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    for name in ("chutich", "tiepdan", "canbo", "phochutich", "chutich2", "canbo3", "thanhtra", "quantri"):
        assert name in result.output
    assert "demo-password-2026" in result.output and "TINH-DEMO" in result.output
