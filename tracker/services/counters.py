"""Register numbers (số vào sổ), sequential per unit, book and year, without gaps.

The counter row is bumped with one UPDATE inside the caller's transaction: PostgreSQL locks the row
until commit, SQLite serialises writers, and a rollback gives the number back.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import RegisterCounter


def next_number(unit_id: int, book: str, year: int) -> int:
    stmt = (
        update(RegisterCounter)
        .where(RegisterCounter.unit_id == unit_id, RegisterCounter.book == book, RegisterCounter.year == year)
        .values(last_no=RegisterCounter.last_no + 1)
        .returning(RegisterCounter.last_no)
    )
    number = db.session.execute(stmt).scalar()
    if number is not None:
        return int(number)
    try:
        with db.session.begin_nested():
            db.session.add(RegisterCounter(unit_id=unit_id, book=book, year=year, last_no=0))
    except IntegrityError:
        pass  # another writer created it first
    return int(db.session.execute(stmt).scalar_one())


def raise_to(unit_id: int, book: str, year: int, number: int) -> None:
    """After a number was given by hand (back-entry, import), keep the counter at or above it."""
    current = db.session.scalar(
        select(RegisterCounter.last_no).where(
            RegisterCounter.unit_id == unit_id, RegisterCounter.book == book, RegisterCounter.year == year
        )
    )
    if current is None:
        db.session.add(RegisterCounter(unit_id=unit_id, book=book, year=year, last_no=number))
    elif current < number:
        db.session.execute(
            update(RegisterCounter)
            .where(
                RegisterCounter.unit_id == unit_id,
                RegisterCounter.book == book,
                RegisterCounter.year == year,
                RegisterCounter.last_no < number,
            )
            .values(last_no=number)
        )
