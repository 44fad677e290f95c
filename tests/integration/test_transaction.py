"""One use case, one transaction (tracker/services/transaction.py): the outermost call commits, an error
anywhere rolls the whole use case back, and an inner error caught by the outer use case leaves it going."""
from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_unit
from tracker.extensions import db
from tracker.models import Unit
from tracker.services.errors import ValidationError
from tracker.services.transaction import atomic


def _units() -> int:
    return db.session.scalar(select(func.count()).select_from(Unit)) or 0


def _add(code: str) -> Unit:
    unit = Unit(code=code, name=f"UBND xã {code}", level="commune")
    db.session.add(unit)
    db.session.flush()
    return unit


def test_the_outermost_call_commits_once(app) -> None:  # type: ignore[no-untyped-def]
    make_unit("GOC", "UBND xã Gốc")
    seen: list[str] = []

    @atomic
    def inner() -> None:
        _add("TRONG")

    @atomic
    def outer() -> None:
        _add("NGOAI")
        inner()
        seen.append("inner returned")

    def listener(session: object) -> None:
        seen.append("commit")

    event.listen(db.session(), "after_commit", listener)
    try:
        outer()
    finally:
        event.remove(db.session(), "after_commit", listener)
    assert seen == ["inner returned", "commit"]
    db.session.expire_all()
    assert _units() == 3


def test_an_error_anywhere_rolls_the_use_case_back(app) -> None:  # type: ignore[no-untyped-def]
    make_unit("GOC", "UBND xã Gốc")

    @atomic
    def inner() -> None:
        _add("TRONG")
        raise ValidationError({"code": "required"})

    @atomic
    def outer() -> None:
        _add("NGOAI")
        inner()

    with pytest.raises(ValidationError):
        outer()
    assert _units() == 1
    # The session is usable at once: the edge shows the form again from a clean state.
    assert db.session.scalar(select(Unit.code)) == "GOC"


def test_an_inner_error_the_outer_use_case_handles_leaves_it_going(app) -> None:  # type: ignore[no-untyped-def]
    @atomic
    def inner() -> None:
        raise ValidationError({"code": "required"})

    @atomic
    def outer() -> None:
        _add("NGOAI")
        try:
            inner()
        except ValidationError:
            pass
        _add("SAU")

    outer()
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Unit.code))) == ["NGOAI", "SAU"]
