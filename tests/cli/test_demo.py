"""demo load: a realistic year of visits through the services, staff accounts, refusal to load twice, seeds."""
from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from tests.factories import make_unit
from tracker.cli.demo import demo_cli
from tracker.extensions import db
from tracker.models import Citizen
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.models import VisitCitizen
from tracker.rules.identity import parse_id_number
from tracker.rules.reception import GroupRule
from tracker.rules.text import fold_diacritics
from tracker.services.legal.rule_params import params_on
from tracker.services.operations.passwords import verify_password


def load(runner, *args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """One unit's year of visits only (the demo province, letters and cases: tests/integration/test_demo.py)."""
    if "--unit" not in args:
        if db.session.scalar(select(Unit.id).where(Unit.level == "commune")) is None:
            make_unit("XA-TANPHU", "UBND xã Tân Phú")
        args = ("--unit", db.session.scalar(select(Unit.code).where(Unit.level == "commune").order_by(Unit.id)), *args)
    return runner.invoke(demo_cli, ["load", "--letters", "0", *args], env=env)


def book(unit: Unit) -> list[tuple[object, ...]]:
    visits = db.session.scalars(select(Visit).where(Visit.unit_id == unit.id)
                                .order_by(Visit.register_year, Visit.register_no)).all()
    return [(v.visited_on, v.register_no, v.kind, v.content, v.classification, v.handling, v.people_count,
             tuple((vc.citizen.full_name, vc.citizen.id_number) for vc in v.visitors)) for v in visits]


def test_demo_load_fills_a_new_commune_with_a_year_of_visits_by_citizens_with_vietnamese_names(runner) -> None:
    result = load(runner, "--visits", "60", "--seed", "3", env={"TRACKER_DEMO_PASSWORD": "mat-khau-demo-2026"})
    assert result.exit_code == 0, result.output
    unit = db.session.scalar(select(Unit))
    assert unit.level == "commune"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 60
    citizens = db.session.scalars(select(Citizen)).all()
    assert len(citizens) < 60
    assert sum(not c.full_name.isascii() for c in citizens) > len(citizens) // 2
    assert any(fold_diacritics(c.full_name) == "nguyen " + fold_diacritics(c.full_name)[7:] for c in citizens)
    assert all(not v.content.isascii() for v in db.session.scalars(select(Visit)))
    for citizen in citizens:
        facts = parse_id_number(citizen.id_number)
        assert (facts.birth_year, facts.gender) == (citizen.birth_year, citizen.gender), citizen.full_name
    per_citizen = db.session.execute(select(VisitCitizen.citizen_id, func.count()).group_by(VisitCitizen.citizen_id))
    assert max(n for _id, n in per_citizen) >= 2
    for year in {v.register_year for v in db.session.scalars(select(Visit))}:
        numbers = sorted(db.session.scalars(select(Visit.register_no).where(Visit.register_year == year)))
        assert numbers == list(range(1, len(numbers) + 1))


def test_demo_visits_respect_the_group_rule_and_the_chairs_sessions(runner) -> None:
    assert load(runner, "--visits", "120", "--seed", "5").exit_code == 0
    visits = db.session.scalars(select(Visit)).all()
    groups = [v for v in visits if v.people_count >= 5]
    assert groups
    for v in groups:
        limit = GroupRule.from_params(params_on(v.visited_on)).max_representatives(v.people_count)
        assert 1 <= sum(vc.is_representative for vc in v.visitors) <= limit
    scheduled = [v for v in visits if v.kind == "scheduled"]
    assert scheduled and all(v.host == "chair" and v.session_id and v.visited_on.isoweekday() == 4
                             for v in scheduled)
    assert {v.classification for v in visits} >= {"petition", "feedback", "mediation", "complaint"}
    assert max({v.subject for v in visits}, key=lambda s: sum(v.subject == s for v in visits)) == "land"


def test_demo_load_creates_the_staff_accounts_with_the_given_password(runner) -> None:
    make_unit("XA-DEMO", "UBND xã Thử Nghiệm")
    result = load(runner, "--visits", "5", "--seed", "1", "--password", "mat-khau-rieng-2026")
    assert result.exit_code == 0, result.output
    assert "mat-khau-rieng-2026" in result.output
    users = {u.username: u for u in db.session.scalars(select(User))}
    assert {name: u.role for name, u in users.items()} == {
        "chutich": "chair", "phochutich": "vice_chair", "tiepdan": "receptionist", "canbo": "handler"}
    assert all(u.unit.code == "XA-DEMO" for u in users.values())
    assert verify_password(users["tiepdan"].password_hash, "mat-khau-rieng-2026")


def test_loading_demo_data_twice_without_force_fails_and_writes_nothing(runner) -> None:
    assert load(runner, "--visits", "10", "--seed", "2").exit_code == 0
    again = load(runner, "--visits", "10", "--seed", "2")
    assert again.exit_code != 0
    assert "--force" in again.output
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 10
    forced = load(runner, "--visits", "10", "--seed", "8", "--force")
    assert forced.exit_code == 0, forced.output
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 20


def test_an_unknown_unit_is_refused(runner) -> None:
    result = load(runner, "--unit", "NOPE")
    assert result.exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_the_same_seed_gives_the_same_log_book(runner) -> None:
    first, second = make_unit("XA-A", "UBND xã A"), make_unit("XA-B", "UBND xã B")
    assert load(runner, "--unit", "XA-A", "--visits", "30", "--seed", "42").exit_code == 0
    assert load(runner, "--unit", "XA-B", "--visits", "30", "--seed", "42").exit_code == 0
    assert load(runner, "--unit", "XA-C", "--visits", "30", "--seed", "43").exit_code != 0
    assert book(first) == book(second)
    third = make_unit("XA-C", "UBND xã C")
    assert load(runner, "--unit", "XA-C", "--visits", "30", "--seed", "43").exit_code == 0
    assert book(third) != book(first)
