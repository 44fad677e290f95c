"""Concurrent writers on PostgreSQL: register numbers stay unique and without gaps."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import Letter
from tracker.models import User
from tracker.models import Visit
from tracker.services.legal.deadlines import seed_calendar
from tracker.services.legal.deadlines import seed_deadline_rules
from tracker.services.letters import register as letters
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput

WRITERS, EACH = 6, 5
TODAY = date(2026, 11, 23)


def _run_in_threads(app, work) -> list[BaseException]:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def worker(n: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                for i in range(EACH):
                    work(n, i)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


@pytest.fixture
def pg_app(app, database):  # type: ignore[no-untyped-def]
    if database["name"] != "postgresql":
        pytest.skip("concurrent writers are a PostgreSQL guarantee")
    seed_deadline_rules()
    seed_calendar()
    return app


def test_concurrent_letters_get_unique_gap_free_register_numbers(pg_app) -> None:
    user_id = make_user().id
    db.session.commit()

    def work(n: int, i: int) -> None:
        user = db.session.get(User, user_id)
        data = letters.LetterInput(received_on=date(2026, 5, 4), channel="post", kind="petition",
                                   summary=f"Kiến nghị số {n}-{i}",
                                   senders=[reception.VisitorInput(citizen=CitizenInput(f"Người gửi {n} {i}"))])
        letters.register_letter(user, user.unit, data, TODAY)

    assert _run_in_threads(pg_app, work) == []
    numbers = sorted(db.session.scalars(select(Letter.register_no)))
    assert numbers == list(range(1, WRITERS * EACH + 1))


def test_concurrent_visits_get_unique_gap_free_register_numbers(pg_app) -> None:
    user_id = make_user().id
    db.session.commit()

    def work(n: int, i: int) -> None:
        user = db.session.get(User, user_id)
        data = reception.VisitInput(visited_on=date(2026, 5, 4), content=f"Nội dung {n}-{i}",
                                    classification="petition", handling="guided",
                                    visitors=[reception.VisitorInput(citizen=CitizenInput(f"Người đến {n} {i}"))])
        reception.log_visit(user, user.unit, data, TODAY)

    assert _run_in_threads(pg_app, work) == []
    numbers = sorted(db.session.scalars(select(Visit.register_no)))
    assert numbers == list(range(1, WRITERS * EACH + 1))
