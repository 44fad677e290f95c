"""The prints a commune files, as HTML: the receipt's place-and-date line, leading zeros, addresses said
once, and the "why this date" sheet as a document without the rules' internal codes."""
from __future__ import annotations

import re
from datetime import date

from flask import Flask

from tests.web.test_cases import open_case
from tests.web.test_cases import staff  # noqa: F401  (fixture)
from tests.web.test_letters import client_for
from tests.web.test_letters import desk  # noqa: F401  (fixture)
from tests.web.test_letters import newest
from tests.web.test_letters import page
from tests.web.test_letters import register
from tracker.extensions import db


def test_the_receipt_has_the_place_and_date_line_leading_zeros_and_the_neighbourhood_once(
        app: Flask, desk) -> None:  # noqa: F811
    app.config["FIXED_TODAY"] = date(2026, 12, 5)
    clerk = client_for(app, "letan")
    register(clerk, received_on="05/12/2026", address="Số 12 đường Lê Lợi, Khu phố 8, xã Thử Nghiệm",
             neighbourhood="Khu phố 8")
    letter = newest()
    assert letter.register_no < 10
    text = page(clerk.get(f"/letters/{letter.id}/receipt"))
    assert "Thử Nghiệm, ngày 05 tháng 12 năm 2026" in text
    assert f"0{letter.register_no}/2026/BN" in text
    assert f"số vào sổ 0{letter.register_no}/2026" in text
    assert "Mẫu số 02/TCD" in text
    assert text.index("Mẫu số 02/TCD") < text.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert "Số 12 đường Lê Lợi, Khu phố 8, xã Thử Nghiệm" in text
    assert len(re.findall("Khu phố 8", text)) == 1


def test_the_why_this_date_sheet_reads_as_a_document_without_rule_codes(client, staff) -> None:  # type: ignore[no-untyped-def]  # noqa: F811, E501
    from sqlalchemy import select

    from tests.conftest import login
    from tracker.models import Clock
    from tracker.services.legal import deadlines as engine

    case = open_case(staff["chair"])
    clock = db.session.scalar(select(Clock).where(Clock.case_id == case.id))
    login(client, "chutich")
    text = page(client.get(f"/cases/{case.id}/clocks/{clock.id}/why"))
    assert "BẢNG TÍNH THỜI HẠN" in text
    assert f"Vụ việc số {case.register_no}/{case.register_year}" in text
    assert case.unit.name.upper() in text
    codes = {r.code for r in engine.deadline_rules()}
    assert clock.clock in codes or any(code.startswith(clock.clock) for code in codes)
    body = re.sub(r"<title>.*?</title>", "", text, flags=re.S)
    shown = [code for code in codes if re.search(r"(?<![\w.])" + re.escape(code) + r"(?![\w.])", body)]
    assert shown == []


def test_an_answer_on_the_spot_is_in_column_12_of_form_03_tcd_not_column_10(app: Flask) -> None:
    from tests.factories import make_user
    from tests.factories import make_visit
    from tracker.rules.reception import layout_for
    from tracker.services.reception import logbook

    visit = make_visit(make_user(), visited_on=date(2026, 9, 3), handling="answered")
    layout = layout_for(visit.visited_on)
    assert layout.code == "ND154_2026_M03TCD"
    row = logbook.cells(visit, layout)
    assert layout.columns.index("guided_document") == 9 and row["guided_document"] == ""  # column (10)
    assert layout.columns.index("result_followup") == 11 and row["result_followup"]  # column (12)
    assert row["within_competence"] == "x"
