"""A denouncer's identity: hidden from those who do not handle the denunciation, every sight audited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.models import AuditEntry

SECRET = "Võ Thị Tố Giác"


@pytest.fixture
def denunciation(app):  # type: ignore[no-untyped-def]
    unit = make_unit()
    receptionist = make_user(unit=unit)
    for username, role in (("canbo", "handler"), ("quantri", "admin"), ("chutich", "chair")):
        make_user(username, role=role, unit=unit)
    return make_visit(receptionist, full_name=SECRET, id_number="079301000123", birth_year=2001,
                      classification="denunciation", content="Tố cáo cán bộ địa chính nhận tiền")


@pytest.mark.parametrize("username", ["canbo", "quantri"])
def test_people_who_do_not_handle_denunciations_never_see_the_denouncer(client, denunciation, username) -> None:
    login(client, username)
    urls = ["/visits/", f"/visits/{denunciation.id}", "/visits/?q=vo thi to giac", "/visits/?q=079301000123",
            f"/citizens/{denunciation.visitors[0].citizen_id}", "/citizens/?q=vo", "/admin/audit"]
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert SECRET not in page, url
        if "079301000123" not in url:  # a search page echoes what was typed
            assert "079301000123" not in page, url


def test_the_search_by_name_does_not_reveal_that_a_person_denounced(client, denunciation) -> None:
    login(client, "canbo")
    page = client.get("/visits/?q=vo thi to giac").get_data(as_text=True)
    assert "Tố cáo cán bộ" not in page


def test_the_chair_sees_the_denouncer_and_the_sight_is_audited(client, denunciation) -> None:
    login(client, "chutich")
    assert SECRET in client.get(f"/visits/{denunciation.id}").get_data(as_text=True)
    events = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "view_confidential")).all()
    assert [(e.entity, e.entity_id, e.actor) for e in events] == [("visits", denunciation.id, "chutich")]


def test_the_audit_log_keeps_no_personal_data(app, denunciation) -> None:
    for entry in db.session.scalars(select(AuditEntry)):
        assert SECRET not in (entry.changes or "") and "079301000123" not in (entry.changes or "")
