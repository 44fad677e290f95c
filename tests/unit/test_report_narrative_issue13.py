"""Issue 13: the report section a chair signs as it is — competence counting, letters transferred down
with the higher level named, failed mediations, overdue cases, assessment sentences, the opening line
and the sending deadline of calendar periods (pure)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from tests.unit.documents import narrative
from tests.unit.documents import typed
from tracker.rules import periods
from tracker.rules import reporting
from tracker.rules.data.report_periods import CUTOFF_RULES
from tracker.rules.data.report_periods import DEADLINE_RULES
from tracker.rules.reporting import Style

WARD = Style("UBND phường Bình Minh", leading_zero=True, reception_weekday=None)
TOWN = Style("UBND thị trấn Bình Dương", leading_zero=True, reception_weekday=4)


def doc(visits: int = 0, handled: int | None = None, letters: int = 0, **sections: Any) -> dict[str, Any]:
    return {"visits": {"total": visits, "within_competence": 0,
                       "handled_correctly": visits if handled is None else handled},
            "letters": {"received": letters},
            "sessions": sections.pop("sessions", {}), "sections": sections}


EXAMPLE_000 = doc(
    8, letters=8,
    land_mediation={"received": 6, "succeeded": 5, "failed": 1},
    transferred_in={"received": 2, "resolved": 2, "from_bodies": ["Thị xã"], "groups": [
        {"kind": "petition", "mediation_type": None, "subject": "site_clearance", "count": 1},
        {"kind": "mediation", "mediation_type": "land_dispute", "subject": "land", "count": 1}]},
)
EXAMPLE_002 = doc(letters=11, petition={"received": 11, "answered_mediated": 9, "sent_up_mediated": 2})


# -- which visits were handled correctly (domain.md §1.7) ----------------------------------------------

@pytest.mark.parametrize(("handling", "within", "ok"), [
    ("letter_received", True, True), ("answered", True, True), ("guided", True, True),
    ("guided", False, True), ("referred", False, True),
    ("declined", True, False), ("declined", False, False), (None, True, False),
    ("letter_received", False, False),
])
def test_a_visit_guided_or_transferred_elsewhere_is_handled_correctly(handling: str | None, within: bool,
                                                                     ok: bool) -> None:
    assert reporting.handled_correctly(handling, within) is ok


def test_the_share_counts_visits_handled_correctly_not_only_within_competence() -> None:
    text = narrative(doc(10, handled=9), WARD, "năm 2023")
    assert "kết quả đã kịp thời xử lý đúng thẩm quyền 09 lượt, đạt 90%." in text
    # All outside competence but all guided or transferred: 100%.
    assert "đúng thẩm quyền, đạt 100%." in narrative(doc(3, handled=3), WARD, "năm 2023")


def test_a_frozen_document_without_the_new_count_keeps_its_within_competence_figure() -> None:
    old = {"visits": {"total": 4, "within_competence": 2}, "sessions": {}, "sections": {}}
    assert "đúng thẩm quyền 02 lượt, đạt 50%." in narrative(old, WARD, "năm 2023")
    row = next(r for r in reporting.visits_table(typed(old)).rows if r.number == "5")
    assert row.cells[0].value == 2


# -- what the examples say ------------------------------------------------------------------------------

def test_example_000_names_the_higher_level_and_lists_the_subjects() -> None:
    text = narrative(EXAMPLE_000, WARD, "năm 2023")
    assert ("tiếp nhận 02 đơn đề nghị Thị xã chuyển về; trong đó: 01 đơn về giải phóng mặt bằng, "
            "01 đơn đề nghị hòa giải tranh chấp đất đai; đã tổ chức giải quyết 02 đơn") in text
    assert "hòa giải thành 05 đơn, không thành 01 đơn" in text
    assert "Tổng số đơn thư tiếp nhận trong năm 2023: 08 đơn." in text


def test_example_002_says_the_total_once() -> None:
    text = narrative(EXAMPLE_002, TOWN, "6 tháng đầu năm 2024")
    assert "Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị của công dân." in text
    assert "Đã hòa giải thành và trả lời bằng văn bản 09 đơn, còn 02 đơn hòa giải không thành chuyển lên cấp trên." \
        in text
    assert "Tổng số đơn thư" not in text  # the petition sentence already gave the total
    assert "vào thứ Năm hàng tuần" in text


def test_one_transferred_letter_names_the_sender() -> None:
    one = doc(letters=1, transferred_in={"received": 1, "from_bodies": ["UBND tỉnh"], "groups": [
        {"kind": "complaint", "mediation_type": None, "subject": "land", "count": 1}]},
        complaint={"received_transferred": 1})
    assert "tiếp nhận 01 đơn khiếu nại về đất đai do UBND tỉnh chuyển về" in narrative(one, WARD, "năm 2025")
    unnamed = doc(letters=1, transferred_in={"received": 1, "groups": [
        {"kind": "petition", "mediation_type": None, "subject": "land", "count": 1}]})
    assert "do cấp trên chuyển về" in narrative(unnamed, WARD, "năm 2025")


def test_nothing_succeeded_in_mediation_and_what_happened_next() -> None:
    d = doc(letters=2, mediation={"received": 2, "failed": 2, "failed_sent_up": 1})
    text = narrative(d, WARD, "quý I năm 2026")
    assert "đã tổ chức hòa giải 02 đơn nhưng không thành, trong đó đã chuyển lên cấp trên 01 đơn" in text
    assert "hòa giải không thành 02 đơn" not in text and "thành 0" not in text
    both = narrative(doc(letters=3, mediation={"received": 3, "failed": 3, "failed_sent_up": 1,
                                               "failed_to_court": 2}), WARD, "năm 2026")
    assert "không thành, trong đó đã chuyển lên cấp trên 01 đơn, hướng dẫn các bên khởi kiện tại Tòa án 02 đơn" in both


def test_overdue_open_cases_are_said() -> None:
    text = narrative(doc(letters=3, complaint={"received": 3, "open": 3, "open_overdue": 1},
                         petition={"received": 0, "pending": 2, "open_overdue": 2, "answered": 1}), WARD, "năm 2026")
    assert "03 vụ việc đang giải quyết (trong đó 01 vụ việc quá hạn)" in text
    assert "02 đơn đang giải quyết (trong đó 02 đơn quá hạn)" in text
    assert "quá hạn" not in narrative(doc(letters=1, complaint={"received": 1, "open": 1}), WARD, "năm 2026")


def test_a_unit_without_weekday_names_no_day() -> None:
    text = narrative(doc(2), WARD, "năm 2023")
    assert "hàng tuần" not in text and "thứ " not in text
    assert "theo lịch tiếp công dân định kỳ và đột xuất" in text


def test_zero_says_nothing_received() -> None:
    text = narrative(doc(), WARD, "năm 2023")
    assert "không có lượt công dân đến trình bày" in text and "không tiếp nhận đơn thư nào" in text
    assert "Tổng số đơn thư" not in text


# -- assessment sentences --------------------------------------------------------------------------------

def test_assessment_sentences_are_off_by_default_and_appear_when_enabled() -> None:
    assert reporting.assessment_sentences(None) == ()
    assert reporting.assessment_sentences("not json") == ()
    raw = '{"routine": {"enabled": true}, "no_beyond_level": {"enabled": true, "text": "Không có đơn vượt cấp."}}'
    chosen = reporting.assessment_sentences(raw)
    assert chosen == (reporting.ASSESSMENT_SENTENCES["routine"], "Không có đơn vượt cấp.")
    style = Style("UBND phường Bình Minh", sentences=chosen)
    text = narrative(EXAMPLE_002, style, "năm 2024").split("\n")[1]
    assert text.startswith("Công tác tiếp công dân được duy trì nề nếp;")
    assert "Không có đơn vượt cấp." in text and "điểm nóng" not in text
    assert "nề nếp" not in narrative(EXAMPLE_002, WARD, "năm 2024")


# -- the opening line --------------------------------------------------------------------------------------

def test_opening_line_with_and_without_a_basis() -> None:
    assert reporting.opening_line("Kế hoạch số 28/KH-UBND ngày 13/3/2024 của UBND thị trấn",
                                  "UBND thị trấn Bình Dương", "6 tháng đầu năm 2024") == (
        "Thực hiện Kế hoạch số 28/KH-UBND ngày 13/3/2024 của UBND thị trấn, UBND thị trấn Bình Dương báo cáo "
        "kết quả công tác tiếp công dân, xử lý đơn thư, giải quyết khiếu nại, tố cáo 6 tháng đầu năm 2024 như sau:")
    plain = reporting.opening_line("  ", "Ủy ban nhân dân xã Tân Lập", "năm 2026")
    assert plain.startswith("UBND xã Tân Lập báo cáo kết quả công tác") and "Thực hiện" not in plain
    assert plain.endswith("năm 2026 như sau:")


# -- the sending deadline ----------------------------------------------------------------------------------

def test_the_17th_belongs_to_official_periods_only() -> None:
    official = periods.span("2026-H1", "official", CUTOFF_RULES)
    due, rule = periods.deadline("2026-H1", "commune", DEADLINE_RULES, convention="official",
                                 period_end=official.date_to)
    assert due == date(2026, 6, 17) and "TT 06/2025" in rule.legal_basis
    calendar = periods.span("2026-H1", "calendar", CUTOFF_RULES)
    due, rule = periods.deadline("2026-H1", "commune", DEADLINE_RULES, convention="calendar",
                                 period_end=calendar.date_to)
    assert calendar.date_to == date(2026, 6, 30)
    assert due > calendar.date_to and rule.convention == "calendar"


@pytest.mark.parametrize("code", ["2025", "2026-Q1", "2026-Q4", "2026-9M", "2026-03"])
def test_a_calendar_deadline_is_never_before_the_period_ends(code: str) -> None:
    s = periods.span(code, "calendar", CUTOFF_RULES)
    for level in ("commune", "province"):
        due = periods.deadline(code, level, DEADLINE_RULES, convention="calendar", period_end=s.date_to)
        assert due is not None and due[0] > s.date_to


# -- every number in the narrative is a number of the tables --------------------------------------------

def _numbers(text: str) -> list[int]:
    text = re.sub(r"\d+,\d+%|\d+%", "", text)  # percentages
    text = re.sub(r"(năm|tháng|quý) \d+", "", text)
    return [int(n.replace(".", "")) for n in re.findall(r"\d[\d.]*\d|\d", text)]


@pytest.mark.parametrize("d", [EXAMPLE_000, EXAMPLE_002, doc(5, handled=4, letters=3, complaint={
    "received": 3, "resolved": 1, "right": 1, "open": 2, "open_overdue": 1})])
def test_every_number_in_the_narrative_is_in_the_document(d: dict[str, Any]) -> None:
    figures: set[int] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, int):
            figures.add(value)
    walk(d)
    for n in _numbers(narrative(d, WARD, "năm 2023")):
        assert n in figures


def test_letters_received_and_cases_accepted_are_both_said_when_they_differ() -> None:
    style = Style(unit_name="UBND xã A")
    base = {"received": 3, "resolved": 0, "open": 2}
    differ = narrative({"sections": {"complaint": {**base, "accepted": 2}}}, style, "năm 2023")
    same = narrative({"sections": {"complaint": {**base, "accepted": 3}}}, style, "năm 2023")
    assert "tiếp nhận 03 đơn khiếu nại, thụ lý giải quyết 02 vụ việc" in differ
    assert "tiếp nhận và thụ lý giải quyết 03 đơn khiếu nại" in same


def test_the_outcomes_table_splits_the_resolved_cases_of_the_cases_table() -> None:
    doc = typed({
        "cases": {"by_kind": {"complaint": {"resolved": 4}, "mediation": {"resolved": 2},
                              "land_mediation": {"resolved": 1}}},
        "outcomes": {"complaints": {"right": 1, "wrong": 1}, "withdrawn_by_kind": {"complaint": 1},
                     "terminated_by_kind": {"complaint": 1, "land_mediation": 1}, "withdrawn": 1, "terminated": 2,
                     "mediations": {"failed": 1, "failed_sent_up": 1, "sent_up_before_result": 1}},
    })
    rows = {r.number: r.cells[0].value for r in reporting.outcomes_table(doc).rows}
    assert rows["1"] == 4 == sum(rows[f"1.{i}"] for i in range(1, 5))
    assert rows["3"] == 3 and rows["3.2.1"] == 1 and rows["3.3"] == 1 and rows["3.4"] == 1
    assert rows["3"] == rows["3.1"] + rows["3.2"] + rows["3.3"] + rows["3.4"]  # a partition
