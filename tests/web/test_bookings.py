"""Booking citizens for the chairperson's scheduled reception, shown in the weekly list."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import login
from tests.conftest import post_form
from tests.factories import make_user
from tracker.extensions import db
from tracker.messages import message
from tracker.models import SessionBooking
from tracker.services.reception.visits import ensure_session
from tracker.services.reports import weekly


def _session(unit_id: int, day: date):  # type: ignore[no-untyped-def]
    session = ensure_session(unit_id, day, "scheduled", "chair", "Lê Văn Chủ")
    db.session.commit()
    return session


def test_a_receptionist_books_a_citizen_and_the_weekly_list_shows_who_comes(client, app) -> None:
    app.config["FIXED_TODAY"] = date(2026, 11, 23)
    user = make_user()
    session = _session(user.unit_id, date(2026, 11, 26))
    login(client, "letan")
    response = post_form(client, f"/visits/sessions/{session.id}", {
        "full_name": "Trần Văn Đến", "phone": "0912345678", "topic": "Hỏi về cấp sổ đỏ",
        "classification": "petition", "people_count": "1"})
    assert response.status_code == 302
    booking = db.session.scalar(select(SessionBooking))
    assert booking.citizen.full_name == "Trần Văn Đến"
    data = weekly.build_weekly(user.unit, "2026-W48", date(2026, 11, 23))
    assert data["sessions"][0]["bookings"][0]["name"] == "Trần Văn Đến"


def test_a_booking_to_denounce_never_shows_the_name_in_the_weekly_list(client, app) -> None:
    app.config["FIXED_TODAY"] = date(2026, 11, 23)
    user = make_user()
    session = _session(user.unit_id, date(2026, 11, 26))
    login(client, "letan")
    post_form(client, f"/visits/sessions/{session.id}", {
        "full_name": "Bí Mật Người Tố", "topic": "Tố cáo", "classification": "denunciation", "people_count": "1"})
    data = weekly.build_weekly(user.unit, "2026-W48", date(2026, 11, 23))
    item = data["sessions"][0]["bookings"][0]
    assert item["identity_hidden"] and item["name"] is None and "Bí Mật" not in str(data)


def test_a_past_session_cannot_be_booked(client, app) -> None:
    app.config["FIXED_TODAY"] = date(2026, 11, 23)
    user = make_user()
    session = _session(user.unit_id, date(2026, 11, 19))
    login(client, "letan")
    response = post_form(client, f"/visits/sessions/{session.id}", {
        "full_name": "Trễ Hẹn", "topic": "Hỏi", "classification": "petition", "people_count": "1"})
    assert response.status_code == 400 and message("session_past") in response.get_data(as_text=True)
    assert db.session.scalar(select(SessionBooking)) is None
