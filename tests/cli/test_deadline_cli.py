"""``deadline``, ``calendar`` and ``rules seed`` on both databases, with the tables seeded first."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.messages import message
from tracker.models import AuditEntry
from tracker.models import CalendarDay
from tracker.models import DeadlineRuleRow
from tracker.rules.data.calendar_vn import CALENDAR_SEED
from tracker.rules.data.deadlines_vn import DEADLINE_SEED
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules


@pytest.fixture
def seeded(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return app


def test_seeding_is_idempotent_and_never_overwrites_a_correction(app, runner) -> None:
    result = runner.invoke(args=["rules", "seed"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(DeadlineRuleRow.id))) == len(DEADLINE_SEED)
    assert db.session.scalar(select(func.count(CalendarDay.id))) == len(CALENDAR_SEED)
    row = db.session.scalar(select(DeadlineRuleRow).where(DeadlineRuleRow.code == "complaint.accept.2026"))
    row.days = 10
    db.session.commit()
    assert (seed_deadline_rules(), seed_calendar()) == (0, 0)
    assert db.session.scalar(select(DeadlineRuleRow.days).where(DeadlineRuleRow.code == "complaint.accept.2026")) == 10
    assert runner.invoke(args=["deadline", "complaint", "accept", "2026-07-01"]).output.strip() == "2026-07-15"


def test_the_due_date_is_printed_as_an_iso_date(seeded, runner) -> None:
    # Thu 12 Feb 2026 + 10 working days across Tết 2026 → Thu 5 Mar.
    result = runner.invoke(args=["deadline", "letter", "notify", "2026-02-12"])
    assert result.exit_code == 0, result.output
    assert result.output == "2026-03-05\n"


def test_json_gives_the_rule_the_day_kind_and_both_dates(seeded, runner) -> None:
    # Second instance, remote and complex: Mon 2 Mar 2026 + 70 calendar days = Mon 11 May.
    result = runner.invoke(args=["deadline", "complaint", "resolve", "2026-03-02", "--second-instance", "--complex",
                                 "--remote-area", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {k: data[k] for k in ("due_on", "nominal_due_on", "day_kind", "days", "rule")} == {
        "due_on": "2026-05-11", "nominal_due_on": "2026-05-11", "day_kind": "calendar", "days": 70,
        "rule": "complaint.resolve.second.remote_complex.2012"}
    assert "Điều 37" in data["legal_basis"]


def test_a_rolled_deadline_shows_the_nominal_date_and_the_explanation(seeded, runner) -> None:
    # Mon 2 Mar 2026 + 2 extensions: 90 calendar days = Sun 31 May → Mon 1 Jun.
    result = runner.invoke(args=["deadline", "denunciation", "resolve", "2026-03-02", "--extensions", "2",
                                 "--json", "--explain"])
    data = json.loads(result.output)
    assert (data["nominal_due_on"], data["due_on"], data["days"]) == ("2026-05-31", "2026-06-01", 90)
    assert [s["code"] for s in data["explanation"]][-4:] == ["nominal", "skip", "roll_forward", "due"]
    assert data["explanation"][-3] == {"code": "skip", "on": "2026-05-31", "reason": "weekend", "text": "Chủ nhật",
                                       "value": None}


@pytest.mark.parametrize(("args", "code", "params"), [
    (["denunciation", "resolve", "2026-03-02", "--extensions", "3"], "deadline_too_many_extensions", {"max": 2}),
    (["complaint", "accept", "02/03/2026"], "deadline_date_invalid", {}),
    (["land_dispute", "accept", "2025-06-30"], "deadline_no_rule",
     {"kind": "land_dispute", "step": "accept", "start": "2025-06-30"}),
    (["letter", "notify", "2026-03-02", "--extensions", "two"], "deadline_extensions_invalid", {}),
])
def test_bad_input_gives_one_line_and_exit_status_1(seeded, runner, args, code, params) -> None:
    result = runner.invoke(args=["deadline", *args])
    assert result.exit_code == 1
    assert result.stderr.strip() == str(message(code, **params))
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_calendar_lists_holidays_days_off_and_make_up_days_with_their_documents(seeded, runner) -> None:
    result = runner.invoke(args=["calendar", "show", "2026", "--json"])
    assert result.exit_code == 0, result.output
    days = {d["day"]: d for d in json.loads(result.output)}
    assert days["2026-01-10"]["kind"] == "work_day" and "CV 12729/VPCP-KGVX" in days["2026-01-10"]["basis"]
    assert days["2026-02-17"]["source"] == "package"
    assert days["2026-11-24"]["certainty"] == "U"
    text = runner.invoke(args=["calendar", "show", "2026"]).output
    assert "2026-08-22\twork_day\t" in text
    assert "ước tính" not in text and days["2026-08-22"]["estimate"] is False


def test_a_year_whose_official_schedule_is_not_published_is_shown_as_an_estimate(seeded, runner) -> None:
    result = runner.invoke(args=["calendar", "show", "2027"])
    assert result.exit_code == 0
    assert "Năm 2027: lịch nghỉ chính thức chưa được công bố" in result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert rows and all(row[-1] == "ước tính" for row in rows) and rows[0][0].startswith("2027-")
    listed = json.loads(runner.invoke(args=["calendar", "show", "2027", "--json"]).stdout)
    assert listed and all(d["estimate"] for d in listed)


def test_a_new_make_up_day_is_stored_audited_and_used_at_once(seeded, runner) -> None:
    # Fri 8 Jan 2027 + 5 working days: Mon 11..Fri 15 Jan; with Sat 9 Jan a working day: 9, 11..14.
    assert runner.invoke(args=["deadline", "denunciation", "transfer", "2027-01-08"]).output == "2027-01-15\n"
    result = runner.invoke(args=["calendar", "work-day", "2027-01-09", "--basis", "TB số 1/TB-BNV (thử)"])
    assert result.exit_code == 0, result.output
    row = db.session.scalar(select(CalendarDay).where(CalendarDay.basis.like("TB số 1%")))
    assert row.kind == "work_day" and row.name
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.entity == "calendar_days",
                                                      AuditEntry.entity_id == row.id)) is not None
    assert runner.invoke(args=["deadline", "denunciation", "transfer", "2027-01-08"]).output == "2027-01-14\n"


def test_a_day_off_replaces_an_earlier_decision_for_the_same_day(seeded, runner) -> None:
    result = runner.invoke(args=["calendar", "day-off", "2026-11-24", "--basis", "BLLĐ sửa đổi 2026 (thử)",
                                 "--name", "Ngày Văn hóa Việt Nam"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(CalendarDay.id))) == len(CALENDAR_SEED)
    runner.invoke(args=["calendar", "not-off", "2026-11-24", "--basis", "BLLĐ chưa sửa (thử)"])
    # Mon 16 Nov 2026 + 10 working days is Mon 30 Nov once 24 Nov is a working day.
    assert runner.invoke(args=["deadline", "letter", "notify", "2026-11-16"]).output == "2026-11-30\n"


def test_a_calendar_day_needs_a_valid_date_and_a_document(seeded, runner) -> None:
    bad = runner.invoke(args=["calendar", "day-off", "2026-02-30", "--basis", "x"])
    assert bad.exit_code == 1 and bad.stderr.strip() == str(message("deadline_date_invalid"))
    empty = runner.invoke(args=["calendar", "day-off", "2026-12-31", "--basis", "  "])
    assert empty.exit_code == 1 and len(empty.stderr.strip().splitlines()) == 1
    assert db.session.scalar(select(CalendarDay).where(CalendarDay.basis == "  ")) is None


def test_the_service_finds_the_rule_in_force_and_turns_engine_errors_into_rule_errors(seeded) -> None:
    from datetime import date

    from tracker.services.errors import RuleError
    from tracker.services.legal import deadlines as engine

    assert engine.rule_for("land_dispute", "resolve", date(2025, 7, 1)).code == "land_dispute.resolve.2025"
    with pytest.raises(engine.NoRuleError):
        engine.rule_for("land_dispute", "resolve", date(2025, 6, 30))
    with pytest.raises(RuleError) as refused:
        engine.compute("denunciation", "resolve", date(2026, 3, 2), extensions=3)
    assert refused.value.code == "deadline_too_many_extensions" and refused.value.params["max"] == 2
    paused = engine.compute("denunciation", "resolve", date(2026, 3, 2), pauses=[(date(2026, 3, 10), None)])
    assert paused.due_on is None
