"""Personal data under Luật 91/2025: planted identities leave on schedule, statistics stay the same."""
from __future__ import annotations

import io
import json
import os
from datetime import date

import pytest
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import select

from tests.conftest import login
from tests.factories import PASSWORD
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import with_authority
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import ReceptionSession
from tracker.models import Report
from tracker.models import RuleParam
from tracker.models import Visit
from tracker.rules.text import fold_diacritics
from tracker.services.cases import actions as cases
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.legal.rule_params import correct_rule_param
from tracker.services.letters import attachments
from tracker.services.letters import register as letters
from tracker.services.privacy import anonymise as anon
from tracker.services.privacy import subject_access
from tracker.services.reception import bookings
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.services.reports import periodic as reports
from tracker.services.reports import report_stats
from tracker.services.reports import weekly

TODAY = date(2026, 11, 23)
RUN_ON = date(2036, 6, 1)  # ten years on: the 2026-03 visit book is due, November's is not yet

OLD = CitizenInput("Phạm Thị Hồng Nhung", "001190034567", 1990, "female", "0912345678",
                   "Số 17 ngõ Hòe Nhai, thôn Đông Xá", "Thôn Đông Xá")
FILED = CitizenInput("Lê Văn Khoa Điềm", "036085011223", 1985, "male", "0987654321", "Xóm Bãi Sậy Ngoài")
RECENT = CitizenInput("Đỗ Minh Tuấn Kiệt", "024099887766", 1999, None, "0977111222", "Tổ 9 phố Chợ Mới")
DENOUNCER = CitizenInput("Vũ Thị Thanh Hương", "001188776655", 1988, None, "0903555777", "Ngõ Trúc Lạc")

NEIGHBOUR = "Trịnh Văn Hàng Xóm"  # the other party of a mediation, named only in its minutes
PLANTED = [s for c in (OLD, FILED) for s in (c.full_name, fold_diacritics(c.full_name), c.id_number, c.phone,
                                               c.address)] + [NEIGHBOUR]


@pytest.fixture
def office(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    unit = make_unit()
    clerk = make_user("letan", "receptionist", unit)
    chair = make_user("chutich", "chair", unit, full_name="Hoàng Văn Chủ")
    anon.seed_retention()
    # The administrator shortens the closed-case period to 2 years (the schedule is data).
    row = db.session.scalar(select(RuleParam).where(RuleParam.key == "retention_case_closed_months"))
    correct_rule_param(row, version=row.version, value=24, legal_basis=row.legal_basis, effective_to=None,
                       note="test")
    return clerk, chair


def _visit(user, who, on, content, **kw):  # type: ignore[no-untyped-def]
    data = reception.VisitInput(visited_on=on, content=content, classification=kw.pop("classification", "petition"),
                                handling=kw.pop("handling", "guided"), visitors=[VisitorInput(citizen=who)], **kw)
    return reception.log_visit(user, user.unit, data, TODAY)


def _letter(user, who, on, summary, kind="complaint"):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(received_on=on, channel="post", kind=kind, summary=summary,
                               senders=[VisitorInput(citizen=who)])
    return letters.register_letter(user, user.unit, data, TODAY)


def _act(user, case, action, on, **kw):  # type: ignore[no-untyped-def]
    return cases.apply_case_action(with_authority(user, case), case,
                                   cases.ActionInput(action=action, on=on, version=case.version, **kw),
                                   TODAY)


def plant(clerk, chair):  # type: ignore[no-untyped-def]
    """Identities planted in every place personal data can be written; returns the recent citizen's id."""
    o, f = OLD, FILED
    _visit(clerk, o, date(2026, 3, 3), f"Bà {o.full_name}, CCCD {o.id_number}, ĐT {o.phone}, ở {o.address} "
           "đề nghị cấp lại giấy chứng nhận", note=f"Gọi lại {o.phone}", result_followup=f"Đã báo {o.full_name}")
    letter = _letter(clerk, o, date(2026, 3, 2), f"{o.full_name} ({o.address}) khiếu nại quyết định thu hồi đất")
    case = letters.decide_handling(chair, letter, letters.HandlingInput(
        decision="accept", on=date(2026, 3, 5), version=letter.version, eligible=True, within_competence=True,
        document_no="12/TB-UBND", reason=f"Đơn của {o.full_name} đủ điều kiện"), TODAY)
    case = _act(chair, case, "verify", date(2026, 3, 10), note=f"Xác minh tại nhà; liên hệ {o.phone}")
    _act(chair, case, "conclude", date(2026, 4, 10), outcome="right", document_no="5/QĐ-UBND",
         note=f"Trả lời {o.full_name}, {o.address}")
    old_id = db.session.scalar(select(Citizen.id).where(Citizen.id_number == o.id_number))
    mediation = letters.register_letter(clerk, clerk.unit, letters.LetterInput(
        received_on=date(2026, 3, 4), channel="post", kind="mediation", mediation_type="land_dispute",
        summary=f"Tranh chấp ranh giới đất với ông {NEIGHBOUR}", senders=[VisitorInput(citizen_id=old_id)]), TODAY)
    mcase = letters.decide_handling(chair, mediation, letters.HandlingInput(
        decision="accept", on=date(2026, 3, 6), version=mediation.version, eligible=True, within_competence=True,
        document_no="13/TB-UBND"), TODAY)
    mcase = _act(chair, mcase, "mediate", date(2026, 3, 10),
                 minutes=f"Biên bản: bà {o.full_name} ({o.phone}) và ông {NEIGHBOUR} thống nhất mốc giới")
    _act(chair, mcase, "conclude", date(2026, 3, 20), outcome="succeeded", document_no="8/BB-HĐHG")
    attachments.store_attachment(clerk, unit_id=clerk.unit_id, letter=letter, filename=f"don {o.full_name}.txt",
                                 stream=io.BytesIO(f"Đơn khiếu nại {o.full_name} {o.id_number}".encode()))
    filed = _letter(clerk, f, date(2026, 2, 10), f"Ông {f.full_name} ({f.phone}) phản ánh lần thứ ba", "petition")
    letters.decide_handling(clerk, filed, letters.HandlingInput(
        decision="archive", on=date(2026, 2, 20), version=filed.version, reason=f"{f.full_name}: trùng nội dung"),
        TODAY)
    session = ReceptionSession(unit_id=clerk.unit_id, held_on=date(2026, 3, 12), kind="scheduled", host="chair")
    db.session.add(session)
    db.session.commit()
    bookings.book(clerk, session, VisitorInput(citizen_id=db.session.scalar(
        select(Citizen.id).where(Citizen.id_number == f.id_number))), f"{f.full_name} xin gặp chủ tịch",
        "petition", 1, date(2026, 3, 1))
    weekly.freeze_week(clerk.unit, "2026-W11", date(2026, 3, 10))
    recent = _visit(clerk, RECENT, date(2026, 11, 20), f"{RECENT.full_name} hỏi về hộ nghèo")
    return recent.visitors[0].citizen_id


def text_values() -> list[tuple[str, str, str]]:
    """Every value of every text column of every table: (table, column, value)."""
    out = []
    for table in db.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not cols:
            continue
        for row in db.session.execute(select(*cols)):
            out += [(table.name, c.name, v) for c, v in zip(cols, row, strict=True) if v]
    return out


def traces(needles: list[str]) -> list[tuple[str, str, str]]:
    folded = [fold_diacritics(n) for n in needles]
    return [(t, c, n) for t, c, v in text_values() for n, fn in zip(needles, folded, strict=True)
            if n in v or fn in fold_diacritics(v)]


def stats(unit):  # type: ignore[no-untyped-def]
    return {p: report_stats.compute(unit, d1, d2) for p, d1, d2 in (
        ("2026", date(2026, 1, 1), date(2026, 12, 31)), ("Q1", date(2026, 1, 1), date(2026, 3, 31)),
        ("Q2", date(2026, 4, 1), date(2026, 6, 30)))}


def test_identities_leave_on_schedule_and_every_statistic_stays_the_same(office, app) -> None:
    clerk, chair = office
    recent_id = plant(clerk, chair)
    unit = clerk.unit
    final = reports.build_report(unit, "2026-Q1", today=TODAY, final=True).report
    frozen = (final.data, final.narrative)
    assert traces(PLANTED)  # planted where it should be before
    before = stats(unit)

    due = anon.due_for_anonymisation(RUN_ON)
    assert due.counts() == {"visits": 1, "letters": 3, "cases": 2, "bookings": 1, "citizens": 2, "attachments": 1}
    anon.anonymise(RUN_ON)

    assert traces(PLANTED) == []
    assert stats(unit) == before
    db.session.expire_all()
    report = db.session.get(Report, final.id)
    assert (report.data, report.narrative) == frozen
    # the files are gone from the disk
    found = [os.path.join(d, n) for d, _, names in os.walk(app.config["ATTACHMENTS_DIR"]) for n in names]
    assert found == []
    # the recent visitor is untouched
    recent = db.session.get(Citizen, recent_id)
    assert (recent.full_name, recent.id_number) == (RECENT.full_name, RECENT.id_number)
    assert db.session.scalar(select(Visit.content).where(Visit.visited_on == date(2026, 11, 20))).startswith(
        RECENT.full_name)
    # who did what stays in the log, and the run is recorded
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "anonymise"))
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.entity == "visits",
                                                         AuditEntry.action == "create"))
    # nothing more to do: a second run changes nothing
    assert anon.due_for_anonymisation(RUN_ON).empty


def test_the_search_no_longer_finds_an_anonymised_citizen(office, client) -> None:
    clerk, chair = office
    plant(clerk, chair)
    login(client, "letan", PASSWORD)
    assert "Nhung" in client.get("/citizens/?q=Nhung").get_data(as_text=True)
    anon.anonymise(RUN_ON)
    for q in ("Nhung", "Hồng Nhung", OLD.id_number, "Khoa Điềm"):
        page = client.get(f"/citizens/?q={q}").get_data(as_text=True)
        assert OLD.full_name not in page and FILED.full_name not in page and OLD.phone not in page


def test_a_dry_run_changes_nothing(office) -> None:
    clerk, chair = office
    plant(clerk, chair)
    before = text_values()
    due = anon.anonymise(RUN_ON, dry_run=True)
    assert not due.empty
    db.session.expire_all()
    assert text_values() == before


def test_nothing_is_due_before_its_time(office) -> None:
    clerk, chair = office
    plant(clerk, chair)
    assert anon.due_for_anonymisation(TODAY).empty
    # a year and a day after the filing decision only the filed letter is due (TT 07/2014 Điều 28)
    due = anon.due_for_anonymisation(date(2027, 2, 21))
    assert due.counts() == {"visits": 0, "letters": 1, "cases": 0, "bookings": 0, "citizens": 0, "attachments": 0}
    assert db.session.get(Letter, due.letters[0]).decision == "archive"


def test_the_access_export_holds_the_citizens_data_and_nobody_elses(office, runner, tmp_path) -> None:
    clerk, chair = office
    plant(clerk, chair)
    # another person's denunciation, and a visit both attended
    denounced = _letter(clerk, DENOUNCER, date(2026, 5, 4), "Tố cáo cán bộ địa chính", "denunciation")
    assert denounced.id
    old_id = db.session.scalar(select(Citizen.id).where(Citizen.id_number == OLD.id_number))
    data = reception.VisitInput(visited_on=date(2026, 5, 6), content="Hai người cùng hỏi về ranh giới đất",
                                classification="petition", handling="guided", people_count=2,
                                visitors=[VisitorInput(citizen_id=old_id), VisitorInput(citizen=DENOUNCER)])
    reception.log_visit(clerk, clerk.unit, data, TODAY)
    out = tmp_path / "nhung.json"
    result = runner.invoke(args=["privacy", "export-citizen", "--unit", "XA-01", "--id-number", OLD.id_number,
                                 "--output", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["citizen"]["full_name"] == OLD.full_name and doc["citizen"]["phone"] == OLD.phone
    assert len(doc["visits"]) == 2 and len(doc["letters"]) == 2 and len(doc["cases"]) == 2
    assert [e["action"] for e in doc["cases"][0]["timeline"]][-1] == "conclude"
    assert NEIGHBOUR not in json.dumps(doc["cases"][1]["timeline"], ensure_ascii=False)  # minutes are left out
    assert doc["visits"][1]["other_people_present"] == 1
    for other in (DENOUNCER, FILED, RECENT):
        assert other.full_name not in text and other.id_number not in text
    assert "Tố cáo cán bộ" not in text
    assert db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "subject_access_export",
                                                         AuditEntry.entity_id == old_id))
    missing = runner.invoke(args=["privacy", "export-citizen", "--unit", "XA-01", "--id-number", "000000000000",
                                  "--output", str(tmp_path / "x.json")])
    assert missing.exit_code == 1


def test_the_cli_runs_dry_and_for_real(office, runner) -> None:
    clerk, chair = office
    plant(clerk, chair)
    dry = runner.invoke(args=["privacy", "anonymise", "--dry-run", "--today", RUN_ON.isoformat()])
    assert dry.exit_code == 0, dry.output
    assert json.loads(dry.output)["counts"]["visits"] == 1
    assert OLD.full_name in [c.full_name for c in db.session.scalars(select(Citizen))]
    real = runner.invoke(args=["privacy", "anonymise", "--today", RUN_ON.isoformat()])
    assert real.exit_code == 0, real.output
    db.session.expire_all()
    assert OLD.full_name not in [c.full_name for c in db.session.scalars(select(Citizen))]


def test_subject_access_refuses_an_unknown_unit(office) -> None:
    from tracker.services.errors import NotFoundError

    with pytest.raises(NotFoundError):
        subject_access.find_citizen("XA-NONE", citizen_id=1)


def test_the_installation_administrator_sees_and_changes_the_retention_schedule(office, client) -> None:
    from tests.conftest import post_form

    make_user("quantri", "sysadmin", full_name="Quản Trị")  # installation-wide rule data (issue 12)
    login(client, "quantri", PASSWORD)
    page = client.get("/admin/rules").get_data(as_text=True)
    assert "retention_letter_archived_months" in page and "TT 07/2014/TT-TTCP Điều 28" in page
    assert anon.retention_on(date(2031, 1, 1))["visit"] == 120
    response = post_form(client, "/admin/rules/new", {
        "key": "retention_visit_months", "value": "60", "effective_from": "01/01/2030",
        "legal_basis": "Quyết định của UBND xã về thời hạn lưu sổ", "certainty": "S"})
    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)
    assert anon.retention_on(date(2031, 1, 1))["visit"] == 60
    assert anon.retention_on(date(2029, 1, 1))["visit"] == 120


def test_the_scheduler_anonymises_once_a_day(office) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.jobs import runner

    clerk, chair = office
    plant(clerk, chair)
    done = runner.run_due(datetime(2036, 6, 1, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert done["anonymise"] == 1
    assert traces(PLANTED) == []
    again = runner.run_due(datetime(2036, 6, 1, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    assert "anonymise" not in again
