"""Test data builders: plain functions that write through the services where the rules matter."""
from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.models import Citizen
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.services.operations.units import create_unit
from tracker.services.operations.users import UserInput
from tracker.services.operations.users import create_user
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput

PASSWORD = "correct horse battery"


def make_unit(code: str = "XA-01", name: str = "UBND xã Thử Nghiệm", **kw: object) -> Unit:
    existing = db.session.query(Unit).filter_by(code=code).one_or_none()
    return existing or create_unit(code, name, **kw)  # type: ignore[arg-type]


def make_user(username: str = "letan", role: str = "receptionist", unit: Unit | None = None,
              full_name: str = "Trần Thị Bình") -> User:
    unit = unit or make_unit()
    return create_user(UserInput(username, role, unit.code, PASSWORD, full_name))


def make_visit(user: User, *, visited_on: date = date(2026, 3, 5), full_name: str = "Nguyễn Văn An",
               citizen_id: int | None = None, today: date = date(2026, 11, 23), **kw: object) -> Visit:
    visitors = ([reception.VisitorInput(citizen_id=citizen_id)] if citizen_id else
                [reception.VisitorInput(citizen=CitizenInput(full_name=full_name,
                                                             id_number=kw.pop("id_number", None),  # type: ignore[arg-type]
                                                             birth_year=kw.pop("birth_year", None)))])  # type: ignore[arg-type]
    data = reception.VisitInput(
        visited_on=visited_on,
        content=str(kw.pop("content", "Đề nghị xem xét việc cấp giấy chứng nhận quyền sử dụng đất")),
        classification=str(kw.pop("classification", "petition")),
        handling=str(kw.pop("handling", "guided")),
        visitors=visitors,
        **kw,  # type: ignore[arg-type]
    )
    return reception.log_visit(user, user.unit, data, today)


def citizen_count() -> int:
    return db.session.query(Citizen).count()


def with_authority(user: User, record: object | None = None) -> User | None:
    """For set-up steps (not the behaviour under test): ``user`` when they may take the step on ``record``
    (a case: its handler or a leader; anything else: a leader), else the unit's chairperson — since issue 12
    only the chair or a vice-chair assigns, and only the assigned handler or a leader moves a case on."""
    from sqlalchemy import select

    from tracker.models import Case
    from tracker.services import access

    if isinstance(record, Case) and access.may_move_case(user, record):
        return user
    if user.role in ("chair", "vice_chair"):
        return user
    chair = db.session.scalar(select(User).where(User.unit_id == user.unit_id, User.role == "chair",
                                                 User.active.is_(True)).order_by(User.id).limit(1))
    return chair  # None when the unit has no chairperson yet: the step is the system's (as a job's would be)
