"""Issue 13: the commune admin sets the report's basis and chooses its assessment sentences on the unit form."""
from __future__ import annotations

import json

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import Unit
from tracker.rules import reporting


def test_the_admin_sets_the_report_basis_and_the_assessment_sentences(client) -> None:  # type: ignore[no-untyped-def]
    admin = make_user("quantri3", role="admin")
    unit = db.session.get(Unit, admin.unit_id)
    login(client, "quantri3")
    page = client.get(f"/admin/units/{unit.id}/edit").get_data(as_text=True)
    assert reporting.ASSESSMENT_SENTENCES["routine"] in page  # the shipped wording, ready to edit
    form = {"name": unit.name, "address": "", "reception_weekday": "", "active": "y", "reminder_days": "5",
            "snapshot_weekday": "2", "snapshot_time": "08:30", "report_convention": "official",
            "report_basis": "Kế hoạch số 28/KH-UBND ngày 13/3/2024",
            "sentence_routine": "y", "sentence_routine_text": reporting.ASSESSMENT_SENTENCES["routine"],
            "sentence_no_hot_spots_text": "", "sentence_no_beyond_level": "y",
            "sentence_no_beyond_level_text": "Không có đơn thư vượt cấp.",
            "version": str(unit.version)}
    assert post_form(client, f"/admin/units/{unit.id}/edit", form).status_code == 302
    db.session.expire_all()
    unit = db.session.get(Unit, admin.unit_id)
    assert unit.report_basis == "Kế hoạch số 28/KH-UBND ngày 13/3/2024"
    assert unit.reception_weekday is None
    stored = json.loads(unit.report_sentences)
    assert stored["routine"] == {"enabled": True, "text": ""}  # the default wording is not copied
    assert reporting.assessment_sentences(unit.report_sentences) == (
        reporting.ASSESSMENT_SENTENCES["routine"], "Không có đơn thư vượt cấp.")
    assert reporting.opening_line(unit.report_basis, unit.name, "năm 2026").startswith(
        "Thực hiện Kế hoạch số 28/KH-UBND ngày 13/3/2024, UBND")
