"""One definition per figure (outside test of stop 23): every closing of a case — a decision, a withdrawal, a
termination, a sending up — is a resolution, in the cases table, the outcomes table, the narrative and the
list behind each figure alike."""
from __future__ import annotations

from datetime import date

from tests.integration.test_reports import accept
from tests.integration.test_reports import act
from tests.integration.test_reports import letter
from tests.integration.test_reports import rules  # noqa: F401  (fixture)
from tests.integration.test_reports import unit_with_clerk
from tracker.extensions import db
from tracker.rules import reporting
from tracker.services.cases import case_queries
from tracker.services.reports import periodic as reports

TODAY = date(2026, 7, 20)


def _rows(doc, key):  # type: ignore[no-untyped-def]
    table = next(t for t in reporting.tables(doc) if t.key == key)
    return table, {row.number: row for row in table.rows}


def test_withdrawn_terminated_and_sent_up_cases_are_resolved_in_every_table_and_sentence(rules) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    commune, clerk = unit_with_clerk("XA-MD", "UBND xã Một Định", weekday=None)

    def case_of(kind: str, name: str, **over):  # type: ignore[no-untyped-def]
        return accept(clerk, letter(clerk, date(2026, 4, 1), kind, name=name, today=TODAY, **over),
                      date(2026, 4, 2), today=TODAY)

    right = case_of("complaint", "Người Một")
    act(clerk, right, "conclude", date(2026, 5, 4), outcome="right", today=TODAY)
    withdrawn = case_of("complaint", "Người Hai")
    act(clerk, withdrawn, "withdraw", date(2026, 5, 5), document_no="03/QĐ-UBND", note="Rút toàn bộ", today=TODAY)
    case_of("complaint", "Người Ba")  # still open
    terminated = case_of("denunciation", "Người Bốn")
    act(clerk, terminated, "terminate", date(2026, 5, 6), document_no="04/QĐ-UBND", note="Người tố cáo mất",
        today=TODAY)
    early = case_of("mediation", "Người Năm", mediation_type="grassroots", subject="other")
    act(clerk, early, "send_up", date(2026, 5, 7), today=TODAY)
    failed = case_of("mediation", "Người Sáu", mediation_type="grassroots", subject="other")
    failed = act(clerk, failed, "conclude", date(2026, 5, 8), outcome="failed", today=TODAY)
    act(clerk, failed, "send_up", date(2026, 5, 9), today=TODAY)

    built = reports.build_report(commune, "2026-Q2", today=TODAY).report
    doc = reports.document(built)
    _results, table1 = _rows(doc, "results")
    _outcomes, table4 = _rows(doc, "outcomes")
    labels = list(reporting.CASE_KIND_LABELS)

    def resolved(kind: str) -> int:
        row = table1[str(labels.index(kind) + 1)]
        return row.cells[4].value  # "Đã giải quyết — Tổng số"

    assert resolved("complaint") == table4["1"].cells[0].value == 2
    assert sum(table4[f"1.{i}"].cells[0].value for i in range(1, 5)) == 2
    assert (table4["1.1"].cells[0].value, table4["1.4"].cells[0].value) == (1, 1)
    assert resolved("denunciation") == table4["2"].cells[0].value == 1 == table4["2.4"].cells[0].value
    assert resolved("mediation") == table4["3"].cells[0].value == 2
    assert (table4["3.2"].cells[0].value, table4["3.2.1"].cells[0].value, table4["3.3"].cells[0].value) == (1, 1, 1)
    assert table4["3"].cells[0].value == sum(table4[f"3.{i}"].cells[0].value for i in range(1, 5))  # a partition

    text = doc.narrative
    assert "tiếp nhận và thụ lý giải quyết 03 đơn khiếu nại" in text
    assert "đã giải quyết 02 vụ việc (01 khiếu nại đúng, 01 vụ việc đình chỉ, rút đơn)" in text
    assert "01 đơn chuyển lên cấp trên trước khi hòa giải" in text

    # The lists behind "3.2.1" and "3.3" hold exactly the cases the figures count.
    f = case_queries.CaseFilter(state="all", group="mediation", status="sent_up", outcome="sent_up", figure="resolved",
                                period_from=date.fromisoformat(doc.from_), period_to=date.fromisoformat(doc.to),
                                unit_id=commune.id, subtree=True)
    listed = db.session.scalars(case_queries.cases_query(clerk, f, TODAY)).all()
    assert {c.id for c in listed} == {early.id}
    withdrawn_or_terminated = case_queries.CaseFilter(
        state="all", kind="complaint", outcome="withdrawn_terminated", figure="resolved",
        period_from=date.fromisoformat(doc.from_), period_to=date.fromisoformat(doc.to), unit_id=commune.id,
        subtree=True)
    assert [c.id for c in db.session.scalars(case_queries.cases_query(clerk, withdrawn_or_terminated, TODAY))] \
        == [withdrawn.id]
