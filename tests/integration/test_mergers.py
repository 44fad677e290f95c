"""The 2025 mergers: old communes keep their history, and the new commune's statistics can include them."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy import select

from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tests.integration.test_logbook_io import GOOD
from tests.integration.test_logbook_io import workbook
from tracker.extensions import db
from tracker.imports.visits_xlsx import ImportFailed
from tracker.models import AuditEntry
from tracker.models import Unit
from tracker.models import Visit
from tracker.services.errors import ValidationError
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.operations.mergers import import_history
from tracker.services.operations.mergers import merge_units
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reception.visits import VisitorInput
from tracker.services.reports import report_stats

TODAY = date(2026, 11, 23)
MERGED_ON = date(2025, 7, 1)
Y2024 = (date(2024, 1, 1), date(2024, 12, 31))
Y2026 = (date(2026, 1, 1), date(2026, 12, 31))


@pytest.fixture
def province(app):  # type: ignore[no-untyped-def]
    seed_deadline_rules()
    seed_calendar()
    return make_unit("TINH-01", "UBND tỉnh Thử Nghiệm", level="province")


@pytest.fixture
def communes(province):  # type: ignore[no-untyped-def]
    """Three old communes with 2024 visits (2, 3 and 4) and one open complaint in the first; the new commune."""
    olds = []
    for n, visits in ((1, 2), (2, 3), (3, 4)):
        unit = make_unit(f"XA-CU-{n}", f"UBND xã Cũ {n}", parent_code=province.code)
        clerk = make_user(f"letan{n}", "receptionist", unit)
        for i in range(visits):
            make_visit(clerk, visited_on=date(2024, 3, 4 + i), today=TODAY, full_name=f"Người dân {n}-{i}")
        olds.append(unit)
    chair = make_user("chutich1", "chair", olds[0])
    data = letters.LetterInput(
        received_on=date(2024, 5, 6), channel="post", kind="complaint", summary="Khiếu nại quyết định thu hồi đất",
        senders=[VisitorInput(citizen=CitizenInput("Nguyễn Văn An", "001085012345", 1985))])
    letter = letters.register_letter(chair, olds[0], data, TODAY)
    letters.decide_handling(chair, letter, letters.HandlingInput(
        decision="accept", on=date(2024, 5, 10), version=letter.version, eligible=True, within_competence=True,
        document_no="12/TB-UBND"), TODAY)
    new = make_unit("XA-MOI", "UBND xã Mới", parent_code=province.code)
    make_visit(make_user("letanmoi", "receptionist", new), visited_on=date(2026, 2, 3), today=TODAY)
    return olds, new


def stats(unit, span, **kw):  # type: ignore[no-untyped-def]
    return report_stats.compute(unit, *span, **kw)


def test_the_new_commune_with_its_predecessors_is_the_sum_of_the_old_communes(communes) -> None:
    olds, new = communes
    merge_units([u.code for u in olds], new.code, MERGED_ON)
    each = [stats(u, Y2024) for u in olds]
    together = stats(new, Y2024, with_predecessors=True)
    assert [s["visits"]["total"] for s in each] == [2, 3, 4]
    assert together["visits"]["total"] == 9
    assert together["visits"]["people"] == sum(s["visits"]["people"] for s in each)
    assert together["letters"]["received"] == sum(s["letters"]["received"] for s in each) == 1
    assert together["cases"]["total"]["received"] == 1
    assert stats(new, Y2024)["visits"]["total"] == 0  # the new commune alone did nothing in 2024
    assert [s["visits"]["total"] for s in (stats(u, Y2024) for u in olds)] == [2, 3, 4]  # still their own


def test_the_2026_report_of_the_new_commune_includes_the_old_ones_only_when_asked(communes) -> None:
    olds, new = communes
    merge_units([u.code for u in olds], new.code, MERGED_ON)
    alone, with_old = stats(new, Y2026), stats(new, Y2026, with_predecessors=True)
    assert alone["visits"]["total"] == 1 and alone["cases"]["total"]["carried_over"] == 0
    assert with_old["visits"]["total"] == 1
    assert with_old["cases"]["total"]["carried_over"] == 1  # the old commune's complaint still open


def test_with_predecessors_takes_the_same_number_of_queries(communes) -> None:
    olds, new = communes
    merge_units([u.code for u in olds], new.code, MERGED_ON)
    assert new.path  # loaded before counting
    counts = []
    for flag in (False, True):
        seen: list[str] = []

        def count(conn, cursor, statement, *args, seen=seen):  # type: ignore[no-untyped-def]
            seen.append(statement)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            stats(new, Y2024, with_predecessors=flag)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        counts.append(len(seen))
    assert counts[0] == counts[1] == 6


def test_a_merger_is_recorded_with_its_date_and_audited(communes) -> None:
    olds, new = communes
    on = date(2025, 6, 16)  # the date is the decision's, not a fixed 1 July
    merge_units([olds[0].code, olds[1].code], new.code, on)
    db.session.expire_all()
    unit = db.session.get(Unit, olds[0].id)
    assert (unit.merged_into_id, unit.merged_on) == (new.id, on)
    assert db.session.get(Unit, olds[2].id).merged_into_id is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merge"))
    assert entry is not None and json.loads(entry.changes)["merged"] == [olds[0].code, olds[1].code]


def test_a_merger_is_refused_for_a_commune_already_merged_another_province_or_a_province_target(
        communes, province) -> None:
    olds, new = communes
    merge_units([olds[0].code], new.code, MERGED_ON)
    other = make_unit("TINH-02", "UBND tỉnh Khác", level="province")
    stranger = make_unit("XA-KHAC", "UBND xã Tỉnh Khác", parent_code=other.code)
    with pytest.raises(ValidationError) as refused:
        merge_units([olds[0].code, stranger.code, "XA-KHONG-CO", new.code], new.code, MERGED_ON)
    assert refused.value.fields == {olds[0].code: "merge_already_merged", stranger.code: "merge_other_province",
                                    "XA-KHONG-CO": "unit_not_found", new.code: "merge_into_itself"}
    db.session.expire_all()
    assert db.session.get(Unit, stranger.id).merged_into_id is None
    with pytest.raises(ValidationError) as not_commune:
        merge_units([olds[1].code], province.code, MERGED_ON)
    assert not_commune.value.fields == {"into": "merge_target_not_commune"}
    # an old province merged into the new commune's province: its communes may join
    other.merged_into_id = province.id
    db.session.commit()
    assert [u.code for u in merge_units([stranger.code], new.code, MERGED_ON)] == [stranger.code]


def test_history_of_an_old_commune_is_imported_into_its_own_unit_then_merged(communes, province) -> None:
    _olds, new = communes
    rows = [{**GOOD, "visited_on": "05/03/2024"}, {**GOOD, "visited_on": "12/09/2024", "full_name": "Trần Văn Đức"}]
    result = import_history("XA-CU-4", new.code, workbook(rows), MERGED_ON, today=TODAY, old_name="UBND xã Cũ 4")
    assert result.created and result.visits.rows == 2
    old = db.session.scalar(select(Unit).where(Unit.code == "XA-CU-4"))
    assert old.parent_id == province.id and old.merged_into_id == new.id and old.merged_on == MERGED_ON
    assert db.session.scalar(select(Visit.unit_id).where(Visit.unit_id == old.id).limit(1)) == old.id
    assert stats(old, Y2024)["visits"]["total"] == 2
    assert stats(new, Y2024, with_predecessors=True)["visits"]["total"] == 2  # only XA-CU-4 is merged so far


def test_a_bad_log_book_row_creates_neither_the_old_commune_nor_any_visit(communes) -> None:
    _olds, new = communes
    rows = [{**GOOD, "visited_on": "05/03/2024"}, {**GOOD, "visited_on": "31/02/2024"}]
    with pytest.raises(ImportFailed):
        import_history("XA-CU-5", new.code, workbook(rows), MERGED_ON, today=TODAY)
    assert db.session.scalar(select(Unit.id).where(Unit.code == "XA-CU-5")) is None


def test_the_command_line_merges_and_builds_the_report_with_predecessors(communes, runner) -> None:
    olds, new = communes
    done = runner.invoke(args=["units", "merge", *[u.code for u in olds], "--into", new.code, "--on", "2025-07-01"])
    assert done.exit_code == 0, done.output
    again = runner.invoke(args=["units", "merge", olds[0].code, "--into", new.code, "--on", "2025-07-01"])
    assert again.exit_code == 1 and olds[0].code in again.output
    alone = runner.invoke(args=["report", "build", "--unit", new.code, "--period", "2024"])
    both = runner.invoke(args=["report", "build", "--unit", new.code, "--period", "2024", "--with-predecessors"])
    assert alone.exit_code == 0 and both.exit_code == 0, both.output
    assert json.loads(alone.output)["visits"]["total"] == 0
    doc = json.loads(both.output)
    assert doc["visits"]["total"] == 9
    assert [p["code"] for p in doc["predecessors"]] == [u.code for u in olds]
