"""Period reports built from data entered through the services: the two example reports, carry-over
from a frozen report, revisions, roll-up of a province, query counts, and brute-force properties."""
from __future__ import annotations

import json
from datetime import date
from datetime import timedelta

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import event
from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tests.factories import with_authority
from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import Report
from tracker.models import Unit
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.rules import reception as rr
from tracker.rules.reporting import RESOLUTION_CLOCKS
from tracker.services.cases import actions as cases
from tracker.services.errors import ConflictError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.services.reports import periodic as reports
from tracker.services.reports import report_stats


@pytest.fixture
def rules(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()


def unit_with_clerk(code: str, name: str, *, convention: str = "calendar", weekday: int | None = 4,
                    parent: str | None = None, level: str = "commune"):  # type: ignore[no-untyped-def]
    unit = make_unit(code, name, parent_code=parent, level=level, reception_weekday=weekday)
    unit.report_convention, unit.leading_zero, unit.reception_weekday = convention, True, weekday
    db.session.commit()
    return unit, make_user(f"u{code.lower().replace('-', '')}", unit=unit)


def letter(user, received_on, kind="petition", *, today, **over):  # type: ignore[no-untyped-def]
    data = letters.LetterInput(
        received_on=received_on, channel=over.pop("channel", "post"), kind=kind,
        summary=over.pop("summary", "Đề nghị giải quyết"), senders=[VisitorInput(citizen=CitizenInput(
            over.pop("name", "Nguyễn Văn An")))], **over)
    return letters.register_letter(user, user.unit, data, today)


def accept(user, item, on, *, today):  # type: ignore[no-untyped-def]
    return letters.decide_handling(with_authority(user), item, letters.HandlingInput(
        "accept", on, item.version, eligible=True, within_competence=True, document_no="01/TB-UBND"), today)


def act(user, case, action, on, *, today, **over):  # type: ignore[no-untyped-def]
    if action in ("conclude",):
        over.setdefault("document_no", "02/QĐ-UBND")
    return cases.apply_case_action(with_authority(user, case), case,
                                   cases.ActionInput(action, on, case.version, **over), today)


def test_example_000_a_wards_year_2023(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2024, 1, 20)
    ward, clerk = unit_with_clerk("PH-BM", "UBND phường Bình Minh", weekday=None)
    for i in range(8):
        make_visit(clerk, visited_on=date(2023, 1 + i, 10), handling="answered", today=today,
                   full_name=f"Công dân {i}")
    for i in range(6):
        item = letter(clerk, date(2023, 2 + i, 1), "mediation", mediation_type="land_dispute", subject="land",
                      name=f"Người đề nghị {i}", summary="Tranh chấp đất", today=today)
        case = accept(clerk, item, date(2023, 2 + i, 3), today=today)
        case = act(clerk, case, "mediate", date(2023, 2 + i, 10), today=today)
        act(clerk, case, "conclude", date(2023, 2 + i, 20), outcome="succeeded" if i < 5 else "failed", today=today)
    moved = [letter(clerk, date(2023, 9, 5), "petition", subject="site_clearance", channel="transferred_in",
                    from_body="UBND thị xã", summary="Giải phóng mặt bằng", today=today),
             letter(clerk, date(2023, 9, 6), "mediation", mediation_type="land_dispute", subject="land",
                    channel="transferred_in", from_body="UBND thị xã", summary="Ranh giới đất", today=today)]
    first = accept(clerk, moved[0], date(2023, 9, 7), today=today)
    act(clerk, first, "conclude", date(2023, 9, 25), outcome="answered", today=today)
    second = accept(clerk, moved[1], date(2023, 9, 7), today=today)
    second = act(clerk, second, "mediate", date(2023, 9, 15), today=today)
    act(clerk, second, "conclude", date(2023, 9, 30), outcome="succeeded", today=today)

    report = reports.build_report(ward, "2023", today=today).report
    doc = reports.document(report).as_json()
    assert (doc["from"], doc["to"], doc["convention"]) == ("2023-01-01", "2023-12-31", "calendar")
    assert doc["visits"]["total"] == 8 and doc["share_within_competence"] == 100.0
    assert doc["letters"]["received"] == 8 and doc["letters"]["transferred_in"] == 2
    assert doc["letters"]["by_kind"]["mediation"] == 7 and doc["letters"]["by_subject"]["site_clearance"] == 1
    land = doc["cases"]["by_kind"]["land_mediation"]
    assert (land["received"], land["resolved"], land["open"], land["carried_over"]) == (7, 7, 0, 0)
    assert land["resolved_early"] + land["resolved_on_time"] + land["resolved_late"] == 7
    assert doc["mediation"]["succeeded"] == 6 and doc["mediation"]["failed"] == 1
    assert doc["outcomes"]["complaints"] == {"right": 0, "wrong": 0, "partly_right": 0}
    assert doc["sections"]["land_mediation"]["succeeded"] == 5 and doc["sections"]["transferred_in"]["resolved"] == 2
    assert doc["sections"]["transferred_in"]["from_bodies"] == ["UBND thị xã"]  # two letters, one body
    assert doc["narrative"].split("\n") == [
        "Trong năm 2023 UBND phường đã tiếp 08 lượt người đến trình bày, kết quả đã kịp thời xử lý đúng thẩm quyền, "
        "đạt 100%. Chủ tịch UBND phường trực tiếp tiếp công dân theo lịch tiếp công dân định kỳ và đột xuất.",
        "Trong năm 2023, UBND phường tiếp nhận 06 đơn đề nghị về đất đai, đã tổ chức hòa giải thành 05 đơn, "
        "không thành 01 đơn; tiếp nhận 02 đơn đề nghị UBND thị xã chuyển về; trong đó: 01 đơn về giải phóng mặt bằng, "
        "01 đơn đề nghị hòa giải tranh chấp đất đai; đã tổ chức giải quyết 02 đơn; không có đơn thư khiếu nại, tố cáo. "
        "Tổng số đơn thư tiếp nhận trong năm 2023: 08 đơn.",
    ]


def example_002(rules_fixture: object = None):  # type: ignore[no-untyped-def]
    today = date(2024, 7, 20)
    town, clerk = unit_with_clerk("TT-BD", "UBND thị trấn Bình Dương")
    for i in range(11):
        item = letter(clerk, date(2024, 1 + i // 2, 5 + i), "petition", subject="land", name=f"Người {i}",
                      summary="Kiến nghị về lối đi chung", today=today)
        case = accept(clerk, item, item.received_on + timedelta(days=2), today=today)
        case = act(clerk, case, "mediate", item.received_on + timedelta(days=6), today=today)
        if i < 9:
            act(clerk, case, "conclude", item.received_on + timedelta(days=12), outcome="answered", today=today)
        else:
            act(clerk, case, "send_up", item.received_on + timedelta(days=12), today=today)
    return town, clerk, today


def test_example_002_a_towns_first_half_of_2024(rules) -> None:  # type: ignore[no-untyped-def]
    town, _, today = example_002()
    doc = reports.document(reports.build_report(town, "2024-H1", today=today).report).as_json()
    assert (doc["from"], doc["to"]) == ("2024-01-01", "2024-06-30")
    assert doc["letters"]["by_kind"]["petition"] == 11
    petitions = doc["cases"]["by_kind"]["petition"]
    assert (petitions["received"], petitions["resolved"], petitions["open"]) == (11, 11, 0)
    assert petitions["resolved_early"] == 11  # 10 days after acceptance, due after 30
    assert doc["outcomes"]["petitions"] == {"answered": 9, "answered_after_mediation": 9, "sent_up": 2,
                                            "sent_up_after_mediation": 2}
    assert ("Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị của công dân. Đã hòa giải thành và trả "
            "lời bằng văn bản 09 đơn, còn 02 đơn hòa giải không thành chuyển lên cấp trên. "
            "Không có đơn thư khiếu nại, tố cáo.") in doc["narrative"]
    assert "Chủ tịch UBND thị trấn tiếp công dân định kỳ vào thứ Năm hàng tuần." in doc["narrative"]


def test_early_on_time_and_late_compare_the_closing_day_with_the_resolution_due_date(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2024, 12, 31)
    town, clerk = unit_with_clerk("TT-X", "UBND thị trấn X")
    offsets = {"early": -1, "on_time": 0, "late": 3}
    for name, offset in offsets.items():
        case = accept(clerk, letter(clerk, date(2024, 3, 4), name=name, today=today), date(2024, 3, 5), today=today)
        due = db.session.scalar(select(Clock.due_on).where(Clock.case_id == case.id,
                                                           Clock.clock == "petition.resolve"))
        act(clerk, case, "conclude", due + timedelta(days=offset), outcome="answered", today=today)
    late_open = accept(clerk, letter(clerk, date(2024, 5, 2), name="open", today=today), date(2024, 5, 3),
                       today=today)
    doc = reports.document(reports.build_report(town, "2024-H1", today=today).report).as_json()
    p = doc["cases"]["by_kind"]["petition"]
    assert (p["resolved"], p["resolved_early"], p["resolved_on_time"], p["resolved_late"]) == (3, 1, 1, 1)
    assert (p["open"], p["open_overdue"]) == (1, 1)  # due 2 June, still open on 30 June
    assert late_open.next_due_on < date(2024, 6, 30)


def test_carried_over_comes_from_the_final_report_and_a_rebuild_after_final_is_a_new_revision(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2024, 8, 1)
    town, clerk = unit_with_clerk("TT-C", "UBND thị trấn C")
    case = accept(clerk, letter(clerk, date(2024, 2, 5), today=today), date(2024, 2, 6), today=today)
    q1 = reports.build_report(town, "2024-Q1", today=today, final=True).report
    assert q1.status == "final" and json.loads(q1.data)["cases"]["total"]["open"] == 1
    act(clerk, case, "conclude", date(2024, 4, 10), outcome="answered", today=today)
    # A letter entered late, back-dated into Q1: the live recount now differs from what was signed.
    late = accept(clerk, letter(clerk, date(2024, 3, 1), name="Trễ", today=today), date(2024, 3, 2), today=today)
    q2 = reports.document(reports.build_report(town, "2024-Q2", today=today).report).as_json()
    assert q2["cases"]["by_kind"]["petition"]["carried_over"] == 1
    check = q2["carried_over_check"]
    assert check["source"]["period"] == "2024-Q1" and check["live"]["cases"]["petition"] == 2
    assert check["difference"] == {"cases.petition": -1}
    # The frozen Q1 is not altered by the new data; building it again makes revision 2, a draft.
    rebuilt = reports.build_report(town, "2024-Q1", today=today)
    assert rebuilt.created and rebuilt.report.revision == 2 and rebuilt.report.status == "draft"
    assert rebuilt.difference["cases.by_kind.petition.received"] == [1, 2]
    assert json.loads(db.session.get(Report, q1.id).data)["cases"]["total"]["received"] == 1
    assert late.is_open


def test_a_draft_is_rebuilt_in_place_keeping_an_edited_narrative_and_finalized_once(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2024, 8, 1)
    town, clerk = unit_with_clerk("TT-D", "UBND thị trấn D")
    draft = reports.build_report(town, "2024-Q2", today=today).report
    reports.edit_narrative(draft, "Lời văn của Chủ tịch.", version=draft.version)
    letter(clerk, date(2024, 5, 5), today=today)
    again = reports.build_report(town, "2024-Q2", today=today)
    assert not again.created and again.report.id == draft.id and again.report.revision == 1
    assert again.difference["letters.received"] == [0, 1]
    assert again.report.narrative == "Lời văn của Chủ tịch."
    assert "01 đơn thư kiến nghị" in reports.document(again.report).narrative_generated
    chair = make_user("chutich", "chair", town)
    reports.finalize(again.report, chair, today=today)
    with pytest.raises(ConflictError):
        reports.finalize(again.report, chair, today=today)
    with pytest.raises(ConflictError):
        reports.edit_narrative(again.report, "x", version=again.report.version)
    with pytest.raises(RuleError):
        reports.build_report(town, "2024-Q3", today=today, final=True)
    with pytest.raises(ValidationError):
        reports.build_report(town, "2024-H2", today=today)


def test_a_province_is_the_sum_of_its_communes(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2026, 7, 20)
    make_unit("T-01", "UBND tỉnh Thử", level="province")
    a, clerk_a = unit_with_clerk("XA-A", "UBND xã A", parent="T-01", convention="official")
    b, clerk_b = unit_with_clerk("XA-B", "UBND xã B", parent="T-01", convention="official")
    province = db.session.scalar(select(Unit).where(Unit.code == "T-01"))
    for clerk, n in ((clerk_a, 2), (clerk_b, 3)):
        for i in range(n):
            make_visit(clerk, visited_on=date(2026, 2, 2 + i), today=today, handling="answered",
                       full_name=f"Người {i}")
            accept(clerk, letter(clerk, date(2026, 3, 2 + i), "complaint", name=f"Người {i}", today=today),
                   date(2026, 3, 6 + i), today=today)
    docs = {u.code: reports.document(reports.build_report(u, "2026-H1", today=today).report).as_json()
            for u in (a, b, province)}
    assert docs["T-01"]["visits"]["total"] == 5 and docs["T-01"]["cases"]["by_kind"]["complaint"]["received"] == 5
    for path in ("visits.total", "letters.received", "cases.total.received", "cases.total.open"):
        parts = path.split(".")

        def get(d, parts=parts):  # type: ignore[no-untyped-def]
            for p in parts:
                d = d[p]
            return d
        assert get(docs["T-01"]) == get(docs["XA-A"]) + get(docs["XA-B"])
    assert docs["T-01"]["deadline"] == "2026-06-20" and docs["XA-A"]["deadline"] == "2026-06-17"
    assert docs["XA-A"]["from"] == "2025-12-15"


def test_the_scheduler_builds_each_draft_once_communes_before_the_province(rules) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tracker.jobs import runner

    make_unit("T-02", "UBND tỉnh Hai", level="province")
    unit_with_clerk("XA-C", "UBND xã C", parent="T-02", convention="official")
    now = datetime(2026, 6, 16, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    done = runner.run_due(now)
    assert done["period_reports"] >= 2
    built = db.session.execute(select(Unit.code, Report.period).join(Unit, Unit.id == Report.unit_id)
                               .order_by(Report.id)).all()
    assert ("XA-C", "2026-H1") in built and ("T-02", "2026-H1") in built
    assert [c for c, _ in built].index("T-02") > max(i for i, (c, _) in enumerate(built) if c == "XA-C")
    count = len(built)
    runner.run_due(now)
    assert len(db.session.scalars(select(Report)).all()) == count


def test_a_report_takes_the_same_small_number_of_queries_whatever_the_number_of_cases(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2024, 8, 1)
    counts = []
    for code, n in (("XA-Q1", 2), ("XA-Q2", 25)):
        unit, clerk = unit_with_clerk(code, f"UBND xã {code}")
        for i in range(n):
            make_visit(clerk, visited_on=date(2024, 3, 1 + i % 28), today=today, handling="answered",
                       full_name=f"Người {i}")
            case = accept(clerk, letter(clerk, date(2024, 2, 1 + i % 28), name=f"Người {i}", today=today),
                          date(2024, 3, 1), today=today)
            if i % 2:
                act(clerk, case, "conclude", date(2024, 4, 1), outcome="answered", today=today)
        db.session.expire_all()
        seen: list[str] = []

        def count(conn, cursor, statement, *args, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            reports.build_report(unit, "2024-H1", today=today)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert counts[0] == counts[1] and counts[0] <= 16, counts


def test_the_cli_prints_the_json_document(rules, runner) -> None:  # type: ignore[no-untyped-def]
    unit_with_clerk("XA-CLI", "UBND xã Cờ Lờ I")
    result = runner.invoke(args=["report", "build", "--unit", "XA-CLI", "--period", "2024-H1"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["unit"] == "XA-CLI" and doc["period"] == "2024-H1" and "narrative" in doc
    for key in ("visits", "letters", "cases", "mediation"):
        assert key in doc
    assert runner.invoke(args=["report", "build", "--unit", "XA-CLI", "--period", "2024-X"]).exit_code == 1
    assert runner.invoke(args=["report", "build", "--unit", "NOPE", "--period", "2024"]).exit_code == 1
    assert runner.invoke(args=["report", "build", "--unit", "XA-CLI", "--period", "2024", "--format",
                               "docx"]).exit_code == 1


# -- brute force ------------------------------------------------------------------------------------


BASE = date(2024, 1, 1)
D1, D2 = date(2024, 4, 1), date(2024, 6, 30)
# Days near the period's edges (31 Mar, 1 Apr, 30 Jun, 1 Jul) come often, so boundaries are exercised.
EDGES = [D1 - timedelta(days=1), D1, D1 + timedelta(days=1), D2 - timedelta(days=1), D2, D2 + timedelta(days=1)]
day = st.one_of(st.sampled_from(EDGES), st.integers(0, 300).map(lambda n: BASE + timedelta(days=n)))
offset = st.one_of(st.none(), st.sampled_from([0, 1, 2, 3]), st.integers(0, 90))
visit_st = st.tuples(st.integers(0, 1), day, st.sampled_from(rr.VISIT_KINDS), st.sampled_from(rr.VISIT_HOSTS),
                     st.booleans(), st.integers(1, 6))
letter_st = st.tuples(st.integers(0, 1), day, st.sampled_from(lc.LETTER_KINDS), st.sampled_from(lc.LETTER_CHANNELS),
                      offset)
case_st = st.tuples(st.integers(0, 1), day, st.sampled_from(lc.CASE_KINDS), offset, offset, offset, st.booleans())


def _insert(units, visits, letters_, cases_) -> None:  # type: ignore[no-untyped-def]
    for table in ("clocks", "case_events", "cases", "letters", "visits"):
        db.session.execute(db.metadata.tables[table].delete())
    for i, (u, on, kind, host, within, people) in enumerate(visits):
        db.session.add(Visit(unit_id=units[u].id, register_year=on.year, register_no=i + 1, visited_on=on, kind=kind,
                             host=host, within_competence=within, people_count=people, is_group=people >= 5,
                             content="x", classification="petition", handling="answered"))
    for i, (u, on, kind, channel, decided) in enumerate(letters_):
        db.session.add(Letter(unit_id=units[u].id, register_year=on.year, register_no=i + 1, tracking_code=f"T{i}",
                              received_on=on, channel=channel, kind=kind, summary="x",
                              mediation_type="grassroots" if kind == "mediation" else None,
                              status="handled" if decided is not None else "registered",
                              decision="archive" if decided is not None else None,
                              decided_on=on + timedelta(days=decided) if decided is not None else None))
    db.session.flush()
    for n, (u, accepted, kind, closed, due, extra_due, extra_met) in enumerate(cases_):
        closed_on = accepted + timedelta(days=closed) if closed is not None else None
        outcome = lc.OUTCOMES[kind][0] if closed_on else None
        case = Case(unit_id=units[u].id, register_year=accepted.year, register_no=n + 1, kind=kind,
                    status="concluded" if closed_on else "accepted", is_open=closed_on is None, summary="x",
                    received_on=accepted, accepted_on=accepted,
                    closed_on=closed_on, outcome=outcome)
        db.session.add(case)
        db.session.flush()
        if due is not None and kind in RESOLUTION_CLOCKS:
            db.session.add(Clock(unit_id=case.unit_id, case_id=case.id, clock=RESOLUTION_CLOCKS[kind], rule_code="r",
                                 start_on=accepted, due_on=accepted + timedelta(days=due),
                                 status="met" if closed_on else "open", met_on=closed_on))
        if extra_due is not None:
            met_on = accepted + timedelta(days=extra_due // 2) if extra_met else None
            db.session.add(Clock(unit_id=case.unit_id, case_id=case.id, clock="x.other", rule_code="r",
                                 start_on=accepted, due_on=accepted + timedelta(days=extra_due),
                                 status="met" if met_on else "open", met_on=met_on))
    db.session.commit()


def _brute(unit_ids: set[int]) -> dict[str, object]:
    visits = [v for v in db.session.scalars(select(Visit)) if v.unit_id in unit_ids and D1 <= v.visited_on <= D2]
    all_letters = [x for x in db.session.scalars(select(Letter)) if x.unit_id in unit_ids]
    received = [x for x in all_letters if D1 <= x.received_on <= D2]
    clocks = list(db.session.scalars(select(Clock)))
    by_kind = {}
    for kind in lc.CASE_KINDS:
        col = dict.fromkeys(report_stats.CASE_COLUMNS, 0)
        for c in db.session.scalars(select(Case).where(Case.kind == kind)):
            if c.unit_id not in unit_ids or c.accepted_on > D2 or (c.closed_on and c.closed_on < D1):
                continue
            mine = [k for k in clocks if k.case_id == c.id]
            due = next((k.due_on for k in mine if k.clock == RESOLUTION_CLOCKS.get(kind)), None)
            col["received"] += c.accepted_on >= D1
            col["carried_over"] += c.accepted_on < D1
            if c.closed_on and c.closed_on <= D2:
                col["resolved"] += 1
                if due is None:
                    col["resolved_no_deadline"] += 1
                else:
                    col["resolved_early" if c.closed_on < due else "resolved_on_time" if c.closed_on == due
                        else "resolved_late"] += 1
            else:
                col["open"] += 1
                col["open_overdue"] += any(k.due_on < D2 and (k.met_on is None or k.met_on > D2) for k in mine)
        by_kind[kind] = col
    return {
        "visits.total": len(visits), "visits.people": sum(v.people_count for v in visits),
        "visits.within_competence": sum(v.within_competence for v in visits),
        "visits.group_visits": sum(v.is_group for v in visits),
        "visits.by_host": {h: sum(v.host == h for v in visits) for h in rr.VISIT_HOSTS},
        "letters.received": len(received),
        "letters.transferred_in": sum(x.channel == "transferred_in" for x in received),
        "letters.by_kind": {k: sum(x.kind == k for x in received) for k in lc.LETTER_KINDS},
        "letters.carried_over": sum(x.received_on < D1 and (x.decided_on is None or x.decided_on >= D1)
                                    for x in all_letters),
        "letters.pending_at_end": sum(x.received_on <= D2 and (x.decided_on is None or x.decided_on > D2)
                                      for x in all_letters),
        "cases.by_kind": by_kind,
    }


def _pick(doc: dict[str, object], path: str) -> object:
    for part in path.split("."):
        doc = doc[part]  # type: ignore[index,assignment]
    return doc


@pytest.fixture
def three_units(app):  # type: ignore[no-untyped-def]
    make_unit("T-P", "UBND tỉnh P", level="province")
    return [make_unit("XA-P1", "UBND xã P1", parent_code="T-P"), make_unit("XA-P2", "UBND xã P2", parent_code="T-P"),
            db.session.scalar(select(Unit).where(Unit.code == "T-P"))]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(visit_st, max_size=12), st.lists(letter_st, max_size=12), st.lists(case_st, min_size=4, max_size=20))
def test_every_count_equals_a_brute_force_count_and_the_province_is_the_sum(three_units, visits, letters_,
                                                                          cases_) -> None:  # type: ignore[no-untyped-def]
    _insert(three_units, visits, letters_, cases_)
    docs = [report_stats.compute(u, D1, D2) for u in three_units]
    subtrees = [{three_units[0].id}, {three_units[1].id}, {u.id for u in three_units}]
    for doc, ids in zip(docs, subtrees, strict=True):
        for path, expected in _brute(ids).items():
            assert _pick(doc, path) == expected, path
    parts = [reports._numbers(d) for d in docs]
    for key, value in parts[2].items():
        if "share" not in key:
            assert value == parts[0].get(key, 0) + parts[1].get(key, 0), key


def test_a_failed_mediation_whose_parties_were_guided_to_court_is_said_so(rules) -> None:  # type: ignore[no-untyped-def]
    today = date(2026, 7, 20)
    commune, clerk = unit_with_clerk("XA-HG", "UBND xã Hòa Giải", weekday=None)
    item = letter(clerk, date(2026, 4, 1), "mediation", mediation_type="land_dispute", subject="land",
                  summary="Tranh chấp ranh giới thửa đất", today=today)
    case = accept(clerk, item, date(2026, 4, 2), today=today)
    case = act(clerk, case, "mediate", date(2026, 4, 10), today=today)
    case = act(clerk, case, "conclude", date(2026, 4, 20), outcome="failed", today=today)
    other = accept(clerk, letter(clerk, date(2026, 4, 1), "mediation", mediation_type="land_dispute",
                                 subject="land", name="Người khác", today=today), date(2026, 4, 2), today=today)
    other = act(clerk, other, "conclude", date(2026, 4, 20), outcome="succeeded", today=today)
    with pytest.raises(RuleError):  # only after a failure
        act(clerk, other, "guide_court", date(2026, 4, 21), today=today)
    act(clerk, case, "guide_court", date(2026, 4, 22), note="Tòa án nhân dân khu vực 1", today=today)
    doc = reports.document(reports.build_report(commune, "2026-Q2", today=today).report).as_json()
    assert doc["sections"]["land_mediation"]["failed_to_court"] == 1
    assert doc["mediation"]["failed_to_court"] == 1 and doc["mediation"]["failed_sent_up"] == 0
    assert "hướng dẫn các bên khởi kiện tại Tòa án 01 đơn" in doc["narrative"]


def test_a_period_that_has_not_begun_is_refused_not_reported(app, runner) -> None:  # type: ignore[no-untyped-def]
    """2099-12 would show today's open cases as its own, and could be built and downloaded (outside test)."""
    seed_deadline_rules()
    seed_calendar()
    unit = make_unit("XA-F", "UBND xã Tương Lai")
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        reports.build_report(unit, "2099-12", today=date(2026, 12, 4))
    assert refused.value.fields == {"period": "period_not_started"}
    assert reports.latest(unit.id, "2099-12") is None
    assert reports.build_report(unit, "2026-12", today=date(2026, 12, 4)).report.status == "draft"  # begun
