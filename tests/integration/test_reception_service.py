"""Logging visits: register numbers, repeat visitors, validation that writes nothing, audit rows."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import citizen_count
from tests.factories import make_unit
from tests.factories import make_user
from tests.factories import make_visit
from tracker.extensions import db
from tracker.models import AuditEntry
from tracker.models import Visit
from tracker.services.errors import ConflictError
from tracker.services.errors import ValidationError
from tracker.services.reception import citizens
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput


def test_register_numbers_run_from_one_each_year_and_unit(app) -> None:
    user = make_user()
    other = make_user("khac", unit=make_unit("XA-02", "UBND xã Khác"))
    numbers = [make_visit(user, visited_on=date(2025, 12, 30)).register_no,
               make_visit(user, visited_on=date(2026, 1, 2)).register_no,
               make_visit(user, visited_on=date(2026, 1, 3)).register_no,
               make_visit(other, visited_on=date(2026, 1, 3)).register_no]
    assert numbers == [1, 1, 2, 1]


def test_a_repeat_visitor_with_the_same_id_number_is_linked_not_duplicated(app) -> None:
    user = make_user()
    first = make_visit(user, id_number="001085012345", birth_year=1985)
    second = make_visit(user, full_name="Nguyen Van An", id_number="001085012345", birth_year=1985)
    assert citizen_count() == 1
    assert first.visitors[0].citizen_id == second.visitors[0].citizen_id


def test_likely_matches_find_the_same_folded_name_and_birth_year(app) -> None:
    user = make_user()
    make_visit(user, full_name="Đặng Thị Đào", birth_year=1970)
    make_visit(user, full_name="Đặng Thị Đào", birth_year=1990)
    found = citizens.likely_matches(user.unit_id, full_name="dang thi dao", id_number=None, birth_year=1970)
    assert [c.birth_year for c in found] == [1970]
    assert len(citizens.likely_matches(user.unit_id, full_name="DANG THI DAO", id_number=None, birth_year=None)) == 2


def test_search_ignores_diacritics_and_case_and_finds_by_id_number(app) -> None:
    unit = make_unit()
    citizens.register_citizen(unit.id, CitizenInput("Nguyễn Văn An", "001085012345", 1985), date(2026, 1, 1))
    citizens.register_citizen(unit.id, CitizenInput("Nguyễn Thị Bình"), date(2026, 1, 1))

    def names(q: str) -> list[str]:
        return [c.full_name for c in db.session.scalars(citizens.search_query([unit.id], q))]

    assert names("nguyen van an") == ["Nguyễn Văn An"]
    assert names("AN NGUYEN") == ["Nguyễn Văn An"]
    assert names("Nguyễn") == ["Nguyễn Thị Bình", "Nguyễn Văn An"]
    assert names("001085012345") == ["Nguyễn Văn An"]
    assert names("001.085.012.345") == ["Nguyễn Văn An"]
    assert names("001085") == []  # a whole ID number only: it is stored as a keyed hash (issue 8)
    assert names("100%_") == []


@pytest.mark.parametrize(("over", "field", "code"), [
    ({"id_number": "00108501234"}, "visitors.0.id_number", "id_number_length"),
    ({"visited_on": date(2026, 11, 24)}, "visited_on", "date_in_future"),
    ({"people_count": 0}, "people_count", "people_count_min"),
    ({"classification": "gossip"}, "classification", "choice_invalid"),
])
def test_bad_input_is_refused_with_a_code_and_nothing_is_written(app, over, field, code) -> None:
    user = make_user()
    before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    with pytest.raises(ValidationError) as err:
        make_visit(user, **over)
    assert err.value.fields[field] == code
    assert db.session.scalar(select(db.func.count()).select_from(Visit)) == 0
    assert citizen_count() == 0
    assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == before


def test_a_duplicate_register_number_is_refused(app) -> None:
    user = make_user()
    make_visit(user, register_no=7)
    with pytest.raises(ValidationError) as err:
        make_visit(user, register_no=7)
    assert err.value.fields == {"register_no": "register_no_taken"}
    # The counter moved past the number given by hand, so the next one does not collide.
    assert make_visit(user).register_no == 8


def test_a_stale_version_is_refused_and_the_visit_keeps_its_values(app) -> None:
    user = make_user()
    visit = make_visit(user)
    data = reception.VisitInput(visited_on=visit.visited_on, content="Nội dung mới", classification="feedback",
                                handling="answered",
                                visitors=[reception.VisitorInput(citizen_id=visit.visitors[0].citizen_id)])
    with pytest.raises(ConflictError):
        reception.update_visit(visit, data, version=visit.version - 1 if visit.version > 1 else 99,
                               today=date(2026, 11, 23))
    db.session.expire_all()
    assert db.session.get(Visit, visit.id).classification == "petition"


def test_every_change_is_audited_with_who_and_what(app) -> None:
    user = make_user()
    visit = make_visit(user)
    data = reception.VisitInput(visited_on=visit.visited_on, content="Đã sửa", classification="feedback",
                                handling="answered",
                                visitors=[reception.VisitorInput(citizen_id=visit.visitors[0].citizen_id)])
    reception.update_visit(visit, data, version=visit.version, today=date(2026, 11, 23))
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "visits").order_by(AuditEntry.id)).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert json.loads(rows[1].changes)["classification"] == ["petition", "feedback"]
    user_rows = db.session.scalars(select(AuditEntry).where(AuditEntry.entity == "users")).all()
    assert all("argon2" not in (r.changes or "") for r in user_rows)


def test_the_audit_log_cannot_be_changed_through_the_application(app) -> None:
    make_user()
    entry = db.session.scalars(select(AuditEntry)).first()
    entry.actor = "someone else"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_a_scheduled_visit_belongs_to_the_chairs_session_of_that_day(app) -> None:
    user = make_user()
    a = make_visit(user, kind="scheduled", host="chair", visited_on=date(2026, 3, 5))
    b = make_visit(user, kind="scheduled", host="chair", visited_on=date(2026, 3, 5))
    assert a.session_id is not None and a.session_id == b.session_id
    with pytest.raises(ValidationError) as err:
        make_visit(user, kind="scheduled", host="officer")
    assert err.value.fields["host"] == "session_needs_leader"


def test_a_group_of_twelve_is_marked_as_a_group(app) -> None:
    user = make_user()
    visit = make_visit(user, people_count=12)
    assert visit.is_group
    assert not make_visit(user, people_count=2).is_group
