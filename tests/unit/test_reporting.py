"""The Vietnamese narrative of the period report, from its numbers (pure)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.unit.documents import narrative
from tracker.rules import reporting
from tracker.rules.reporting import Style

WARD = Style("UBND phường Bình Minh", leading_zero=True, reception_weekday=None)
TOWN = Style("UBND thị trấn Bình Dương", leading_zero=True, reception_weekday=4)


def doc(visits: int = 0, within: int | None = None, **sections: dict[str, Any]) -> dict[str, Any]:
    return {"visits": {"total": visits, "within_competence": visits if within is None else within},
            "sessions": sections.pop("sessions", {}), "sections": sections}


EXAMPLE_000 = doc(
    8,
    land_mediation={"received": 6, "succeeded": 5, "failed": 1},
    transferred_in={"received": 2, "resolved": 2, "groups": [
        {"kind": "petition", "mediation_type": None, "subject": "site_clearance", "count": 1},
        {"kind": "mediation", "mediation_type": "land_dispute", "subject": "land", "count": 1}]},
)
EXAMPLE_002 = doc(petition={"received": 11, "answered_mediated": 9, "sent_up_mediated": 2})


def test_example_000_a_wards_year() -> None:
    text = narrative(EXAMPLE_000, WARD, "năm 2023")
    assert text.split("\n") == [
        "Trong năm 2023 UBND phường đã tiếp 08 lượt người đến trình bày, kết quả đã kịp thời xử lý đúng thẩm quyền, "
        "đạt 100%. Chủ tịch UBND phường trực tiếp tiếp công dân theo lịch tiếp công dân định kỳ và đột xuất.",
        "Trong năm 2023, UBND phường tiếp nhận 06 đơn đề nghị về đất đai, đã tổ chức hòa giải thành 05 đơn, "
        "không thành 01 đơn; tiếp nhận 02 đơn đề nghị cấp trên chuyển về; trong đó: 01 đơn về giải phóng mặt bằng, "
        "01 đơn đề nghị hòa giải tranh chấp đất đai; đã tổ chức giải quyết 02 đơn; không có đơn thư khiếu nại, tố cáo.",
    ]


def test_example_002_a_towns_first_half_year() -> None:
    text = narrative(EXAMPLE_002, TOWN, "6 tháng đầu năm 2024")
    assert ("Trong 6 tháng đầu năm 2024 đã tiếp nhận 11 đơn thư kiến nghị của công dân. Đã hòa giải thành và trả "
            "lời bằng văn bản 09 đơn, còn 02 đơn hòa giải không thành chuyển lên cấp trên. "
            "Không có đơn thư khiếu nại, tố cáo.") in text
    assert "Chủ tịch UBND thị trấn tiếp công dân định kỳ vào thứ Năm hàng tuần." in text


def test_without_leading_zeros_numbers_are_plain() -> None:
    text = narrative(EXAMPLE_002, Style("UBND thị trấn Bình Dương", leading_zero=False), "6 tháng đầu năm 2024")
    assert "trả lời bằng văn bản 9 đơn, còn 2 đơn hòa giải không thành" in text
    text = narrative(EXAMPLE_000, Style("UBND phường Bình Minh", leading_zero=False), "năm 2023")
    assert "đã tiếp 8 lượt người" in text and "tiếp nhận 6 đơn đề nghị về đất đai" in text


def test_nothing_at_all_is_said_plainly() -> None:
    text = narrative(doc(), TOWN, "quý I năm 2025")
    assert text.split("\n") == [
        "Trong quý I năm 2025 UBND thị trấn không có lượt công dân đến trình bày. "
        "Chủ tịch UBND thị trấn tiếp công dân định kỳ vào thứ Năm hàng tuần.",
        "Trong quý I năm 2025, UBND thị trấn không tiếp nhận đơn thư nào; không có đơn thư khiếu nại, tố cáo.",
    ]


def test_one_complaint_and_many_denunciations_are_counted_with_their_outcomes() -> None:
    d = doc(3, complaint={"received": 1, "resolved": 1, "right": 1},
            denunciation={"received": 12, "resolved": 10, "true": 2, "partly_true": 3, "false": 5, "open": 2})
    text = narrative(d, WARD, "năm 2026")
    assert ("Trong năm 2026, UBND phường tiếp nhận 01 đơn khiếu nại, đã giải quyết 01 vụ việc (01 khiếu nại đúng); "
            "tiếp nhận 12 đơn tố cáo, đã giải quyết 10 vụ việc (02 tố cáo đúng, 03 tố cáo đúng một phần, "
            "05 tố cáo sai), 02 vụ việc đang giải quyết.") in text
    assert "không có đơn thư khiếu nại" not in text


def test_a_carried_over_complaint_is_mentioned_and_denies_the_no_complaints_sentence() -> None:
    d = doc(complaint={"carried_over": 1, "resolved": 1, "partly_right": 1})
    text = narrative(d, WARD, "năm 2026")
    assert "có 01 vụ việc khiếu nại kỳ trước chuyển sang, đã giải quyết 01 vụ việc (01 khiếu nại đúng một phần)" in text
    assert "không có đơn thư khiếu nại" not in text


def test_a_share_below_all_gives_the_count_and_a_vietnamese_percentage() -> None:
    text = narrative(doc(8, 7), WARD, "năm 2023")
    assert "kết quả đã kịp thời xử lý đúng thẩm quyền 07 lượt, đạt 87,5%." in text


def test_zero_parts_of_a_sentence_are_left_out() -> None:
    only_failed = doc(land_mediation={"received": 1, "failed": 1})
    # Nothing succeeded: not the awkward "hòa giải không thành 01 đơn" (issue 13).
    assert "tiếp nhận 01 đơn đề nghị về đất đai, đã tổ chức hòa giải 01 đơn nhưng không thành;" in narrative(
        only_failed, WARD, "năm 2023")
    pending = doc(petition={"received": 3, "pending": 3})
    text = narrative(pending, WARD, "năm 2023")
    assert "đã tiếp nhận 03 đơn thư kiến nghị của công dân. Còn 03 đơn đang giải quyết." in text
    answered = doc(petition={"received": 2, "answered": 2})
    assert "Đã trả lời bằng văn bản 02 đơn." in narrative(answered, WARD, "năm 2023")


def test_one_transferred_letter_is_named_in_one_clause() -> None:
    d = doc(transferred_in={"received": 1, "resolved": 0, "groups": [
        {"kind": "complaint", "mediation_type": None, "subject": "land", "count": 1}]},
        complaint={"received_transferred": 1})
    text = narrative(d, WARD, "năm 2024")
    assert "tiếp nhận 01 đơn khiếu nại về đất đai do cấp trên chuyển về." in text
    assert "không có đơn thư khiếu nại" not in text


def test_sessions_held_are_counted() -> None:
    d = doc(sessions={"scheduled": 24, "adhoc": 2})
    assert ("tiếp công dân định kỳ vào thứ Năm hàng tuần; đã tổ chức 24 buổi tiếp công dân định kỳ và 02 buổi "
            "tiếp công dân đột xuất.") in narrative(d, TOWN, "6 tháng đầu năm 2024")
    sunday = Style("UBND xã A", reception_weekday=7)
    assert "vào Chủ nhật hàng tuần" in narrative(doc(), sunday, "năm 2024")


@pytest.mark.parametrize(("n", "zero", "text"), [(0, True, "0"), (1, True, "01"), (9, True, "09"), (10, True, "10"),
                                                 (7, False, "7"), (1234, True, "1.234")])
def test_counts_are_written_as_reports_write_them(n: int, zero: bool, text: str) -> None:
    assert reporting.count(n, zero) == text


@pytest.mark.parametrize(("value", "text"), [(100.0, "100%"), (87.5, "87,5%"), (66.666, "66,7%"), (0.0, "0%")])
def test_percentages_are_in_vietnamese_format(value: float, text: str) -> None:
    assert reporting.percent(value) == text


@pytest.mark.parametrize(("name", "title"), [
    ("UBND phường Bình Minh", "UBND phường"), ("Ủy ban nhân dân thị trấn Bình Dương", "UBND thị trấn"),
    ("UBND xã Hòa An", "UBND xã"), ("UBND đặc khu Phú Quốc", "UBND đặc khu"), ("Tỉnh Lâm Đồng", "UBND tỉnh"),
    ("Văn phòng X", "Văn phòng X"),
])
def test_the_unit_is_named_by_its_type(name: str, title: str) -> None:
    assert reporting.unit_title(name) == title
