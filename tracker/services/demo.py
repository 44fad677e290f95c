"""Demo data: a year of a commune's reception log book, written through the services so every rule holds.

The whole year is planned first from one seeded random generator (so a seed always gives the same
book), then each visit is logged in date order with ``log_visit``: register numbers, repeat
visitors, group representatives and refusal grounds are checked exactly as at the desk.
"""
from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.id_protection import hash_id
from tracker.messages import MESSAGES
from tracker.models import Citizen
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.rules.reception import GroupRule
from tracker.rules.reception import find_ground
from tracker.services import demo_data as d
from tracker.services import reception
from tracker.services.citizens import CitizenInput
from tracker.services.errors import ConflictError
from tracker.services.errors import NotFoundError
from tracker.services.errors import ValidationError
from tracker.services.passwords import password_problem
from tracker.services.rule_params import params_on
from tracker.services.units import create_unit
from tracker.services.users import UserInput
from tracker.services.users import create_user

MESSAGES.update({"demo_unit_has_visits": _l(
    "The unit %(unit)s already has %(count)s visits, so no demo data was loaded. Add --force to load it anyway.")})

DEFAULT_PASSWORD = "demo-password-2026"
ONLINE_FROM = date(2026, 7, 1)  # online reception exists from 1 July 2026 (Luật TCD Điều 3a)


@dataclass
class Person:
    full_name: str
    id_number: str
    birth_year: int
    gender: str
    phone: str | None
    address: str
    neighbourhood: str
    topic: tuple[str, str, str] | None = None  # classification, subject, content
    times_on_topic: int = 0
    last_day: date | None = None
    citizen_id: int | None = None

    def visitor(self, representative: bool = False) -> reception.VisitorInput:
        if self.citizen_id is not None:
            return reception.VisitorInput(citizen_id=self.citizen_id, is_representative=representative)
        return reception.VisitorInput(citizen=CitizenInput(
            self.full_name, self.id_number, self.birth_year, self.gender, self.phone, self.address,
            self.neighbourhood), is_representative=representative)


@dataclass
class Plan:
    day: date
    at: time
    kind: str
    people_count: int = 1
    reps: int = 0  # group visits: how many representatives come in
    people: list[Person] = field(default_factory=list)


@dataclass
class DemoResult:
    unit: Unit
    seed: int
    visits: int
    citizens: int
    sessions: int
    users: list[tuple[str, str, bool]]  # username, role, created now


def _weighted(rng: random.Random, table: tuple[tuple[str, float], ...] | dict[str, float]) -> str:
    items = list(table.items()) if isinstance(table, dict) else list(table)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _lower_first(text: str) -> str:
    """"Thôn Tây" inside a sentence is written "thôn Tây"."""
    return text[:1].lower() + text[1:]


class _Year:
    """Plans and writes one year of visits for one unit."""

    def __init__(self, unit: Unit, rng: random.Random, now: datetime, taken_ids: set[str]) -> None:
        """:param taken_ids: keyed hashes of the ID numbers already in the unit (never the numbers)."""
        self.unit, self.rng, self.now, self.today = unit, rng, now, now.date()
        self.taken = taken_ids
        self.numbers: dict[tuple[str, int], int] = {}
        start = self.today - timedelta(days=364)
        off = holidays.country_holidays("VN", years=range(start.year, self.today.year + 1))
        days = [start + timedelta(days=i) for i in range(365)]
        if now.time() < time(8, 0):
            days = days[:-1]
        self.work_days = [x for x in days if x.isoweekday() <= 5 and x not in off]
        weekday = unit.reception_weekday or 4
        self.reception_days = [x for x in days if x.isoweekday() == weekday and x not in off]

    # -- people ---------------------------------------------------------------------------------
    def person(self) -> Person:
        rng = self.rng
        gender = "male" if rng.random() < 0.56 else "female"
        birth_year = min(max(int(rng.gauss(1970, 13)), 1938), self.today.year - 19)
        middle, given = (d.MIDDLE_MALE, d.GIVEN_MALE) if gender == "male" else (d.MIDDLE_FEMALE, d.GIVEN_FEMALE)
        name = f"{_weighted(rng, d.FAMILY_NAMES)} {rng.choice(middle)} {rng.choice(given)}"
        province = d.HOME_PROVINCE if rng.random() < 0.85 else rng.choice(d.OTHER_PROVINCES)
        century_sex = (birth_year // 100 - 19) * 2 + (gender == "female")
        while True:
            number = f"{province}{century_sex}{birth_year % 100:02d}{rng.randrange(10 ** 6):06d}"
            digest = hash_id(number)
            if digest not in self.taken:
                self.taken.add(digest)
                break
        phone = f"{rng.choice(d.PHONE_PREFIXES)}{rng.randrange(10 ** 7):07d}" if rng.random() < 0.9 else None
        hood = rng.choice(d.NEIGHBOURHOODS)
        place = self.unit.name.removeprefix("UBND ").strip()
        if hood.startswith("Thôn"):
            address = f"{rng.choice(d.HAMLET_PARTS)}, {hood}, {place}"
        else:
            address = f"Số {rng.randint(1, 250)} đường {rng.choice(d.STREETS)}, {hood}, {place}"
        return Person(name, number, birth_year, gender, phone, address, hood)

    def _context(self, person: Person, day: date) -> dict[str, object]:
        rng = self.rng
        return {"kp": _lower_first(person.neighbourhood),
                "street": rng.choice(d.STREETS), "thua": rng.randint(12, 480), "to": rng.randint(1, 42),
                "area": rng.choice((50, 80, 100, 120, 150, 200)), "small": rng.randint(2, 25), "year": day.year,
                "neighbour": f"{_weighted(rng, d.FAMILY_NAMES)} {rng.choice(d.MIDDLE_MALE)} "
                             f"{rng.choice(d.GIVEN_MALE)}",
                "project": rng.choice(d.PROJECTS), "factory": rng.choice(d.FACTORIES)}

    def _topic(self, table: tuple[tuple[str, str, float, str], ...], person: Person,
               day: date) -> tuple[str, str, str]:
        cls, subject, _w, text = self.rng.choices(table, weights=[t[2] for t in table])[0]
        return cls, subject, text.format(**self._context(person, day))

    # -- the plan -------------------------------------------------------------------------------
    def _time(self, day: date, morning_only: bool) -> time:
        slots = [time(h, m) for h in (7, 8, 9, 10, 11, 13, 14, 15, 16) for m in range(0, 60, 5)
                 if (7, 30) <= (h, m) <= (11, 15) or (not morning_only and (13, 30) <= (h, m) <= (16, 45))]
        if day == self.today:
            slots = [s for s in slots if s < self.now.time()] or slots[:1]
        return self.rng.choice(slots)

    def plan(self, count: int) -> list[Plan]:
        rng = self.rng
        adhoc = max(1, count // 100) if count >= 20 else 0
        groups = max(1, round(count * 0.04)) if count >= 10 else 0
        scheduled = round(count * 0.25) if self.reception_days else 0
        kinds = ["adhoc"] * adhoc + ["scheduled"] * scheduled + ["regular"] * (count - adhoc - scheduled)
        plans = []
        for kind in kinds:
            day = rng.choice(self.reception_days if kind == "scheduled" else self.work_days)
            plans.append(Plan(day, self._time(day, kind != "regular"), kind))
        group_slots = plans[:adhoc] + rng.sample(plans[adhoc:], max(groups - adhoc, 0)) if groups else []
        for p in group_slots:
            p.people_count = rng.randint(5, 15)
            limit = GroupRule.from_params(params_on(p.day)).max_representatives(p.people_count) or 1
            p.reps = rng.randint(1, limit)
        plans.sort(key=lambda p: (p.day, p.at))
        self._assign_people(plans)
        return plans

    def _assign_people(self, plans: list[Plan]) -> None:
        rng = self.rng
        needed = sum(p.reps or 1 for p in plans)
        tickets: list[Person] = []
        while len(tickets) < needed:
            person = self.person()
            tickets += [person] * (1 if rng.random() < 0.72 else rng.randint(2, 6))
        del tickets[needed:]
        rng.shuffle(tickets)
        if needed >= 3 and len(set(map(id, tickets))) == needed:
            tickets[-1] = tickets[0]  # at least one repeat visitor, even in a tiny demo
        queue = deque(tickets)
        for p in plans:
            for _ in range(p.reps or 1):
                for _attempt in range(len(queue)):
                    person = queue.popleft()
                    if person not in p.people:
                        break
                    queue.append(person)
                else:
                    person = self.person()
                p.people.append(person)

    # -- one visit ------------------------------------------------------------------------------
    def _number(self, series: str, year: int) -> int:
        # Numbers of a series grow by a few between demo visits: other letters use them too.
        self.numbers[series, year] = self.numbers.get((series, year), 0) + self.rng.randint(1, 4)
        return self.numbers[series, year]

    def visit_input(self, p: Plan) -> reception.VisitInput:
        rng, first = self.rng, p.people[0]
        notes: list[str] = []
        previously = None
        repeat = False
        if p.reps:
            cls, subject, content = self._topic(d.GROUP_TOPICS, first, p.day)
            notes.append(f"Đoàn {p.people_count} người, cử {p.reps} người đại diện")
        elif first.topic is not None and rng.random() < 0.65:
            cls, subject, content = first.topic
            first.times_on_topic += 1
            repeat = True
            notes.append(f"Công dân đến lần thứ {first.times_on_topic} về cùng nội dung")
            if first.last_day and (p.day - first.last_day).days > 20:
                answered_on = first.last_day + timedelta(days=15)
                previously = (f"Tổ hòa giải {_lower_first(first.neighbourhood)} (hòa giải không thành ngày "
                              f"{answered_on:%d/%m/%Y})" if cls == "mediation" else
                              f"UBND xã (Văn bản số {self._number('UBND', answered_on.year)}/UBND ngày "
                              f"{answered_on:%d/%m/%Y})")
        else:
            first.topic = self._topic(d.TOPICS, first, p.day)
            cls, subject, content = first.topic
            first.times_on_topic = 1
        first.last_day = p.day
        host = "chair" if p.kind != "regular" else ("vice_chair" if rng.random() < 0.05 else "officer")
        host_name = {"chair": d.STAFF[0][2], "vice_chair": d.STAFF[1][2], "officer": d.STAFF[2][2]}[host]
        handling = _weighted(rng, d.HANDLING_WEIGHTS[cls])
        if p.kind != "regular" and cls in ("petition", "feedback", "other") and rng.random() < 0.4:
            handling = "answered"
        ground = self._decline_ground(p.day, repeat) if rng.random() < 0.02 else None
        if ground:
            handling = "declined"
            notes.append(d.DECLINE_NOTES[ground])
            rule = find_ground(ground)
            if rule is not None and rule.needs_notice:
                notes.append(f"Thông báo từ chối tiếp công dân số {self._number('TB', p.day.year)}/TB-UBND")
        # A guided mediation request goes to the grassroots mediation team, which is the commune's own.
        within = handling != "referred" and not (handling == "guided" and cls != "mediation" and rng.random() < 0.6)
        body = rng.choice(d.BODIES[subject])
        referred_to = doc_no = None
        if handling == "referred":
            referred_to, doc_no = body, f"{self._number('PCĐ', p.day.year)}/PCĐ-UBND"
        elif handling == "guided":
            referred_to = body if not within else (
                f"Tổ hòa giải {_lower_first(first.neighbourhood)}" if cls == "mediation" else None)
            doc_no = f"{self._number('GHD', p.day.year)}/GHD-UBND" if rng.random() < 0.75 else None
        return reception.VisitInput(
            visited_on=p.day, visited_time=p.at, content=content, classification=cls, subject=subject,
            handling=handling, visitors=[x.visitor(bool(p.reps)) for x in p.people],
            channel="online" if p.kind == "regular" and p.day >= ONLINE_FROM and rng.random() < 0.04 else "in_person",
            kind=p.kind, host=host, host_name=host_name, people_count=p.people_count,
            previously_handled_by=previously, within_competence=within, handling_document_no=doc_no,
            referred_to=referred_to, decline_ground=ground, note="; ".join(notes) or None,
            result_followup=self._followup(cls, handling, p.day, body))

    def _decline_ground(self, day: date, repeat: bool) -> str | None:
        codes = [c for c in d.DEMO_DECLINE_GROUNDS if (rule := find_ground(c)) and rule.in_force_on(day)
                 and (repeat or not rule.needs_notice)]
        return self.rng.choice(codes) if codes else None

    def _followup(self, cls: str, handling: str, day: date, body: str) -> str | None:
        rng = self.rng
        if handling == "answered":
            return rng.choice(d.FOLLOWUPS["answered"]) if rng.random() < 0.6 else None
        if handling not in ("letter_received", "referred"):
            return None
        done = day + timedelta(days=rng.randint(10, 45))
        if done >= self.today:
            return rng.choice(d.FOLLOWUPS["pending"])
        key = "referred" if handling == "referred" else (cls if cls in d.FOLLOWUPS else "default")
        return rng.choice(d.FOLLOWUPS[key]).format(d=f"{done:%d/%m/%Y}", body=body,
                                                   n=self._number("UBND", done.year))


def _unit(code: str | None) -> Unit:
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise NotFoundError("unit_not_found")
        return unit
    unit = db.session.scalar(select(Unit).where(Unit.level == "commune").order_by(Unit.id).limit(1))
    return unit or create_unit(*d.DEFAULT_UNIT)


def _staff(unit: Unit, password: str) -> list[tuple[str, str, bool]]:
    result = []
    for username, role, full_name in d.STAFF:
        if db.session.scalar(select(User.id).where(User.username == username)) is not None:
            result.append((username, role, False))
            continue
        create_user(UserInput(username, role, unit.code, password, full_name))
        result.append((username, role, True))
    return result


def load_demo(*, now: datetime, unit_code: str | None = None, visits: int = 300, seed: int | None = None,
              password: str = DEFAULT_PASSWORD, force: bool = False) -> DemoResult:
    """Fill a unit (by default the first commune) with a year of visits ending ``now`` (local time).

    :raises ConflictError: the unit already has visits and ``force`` is not set.
    :raises ValidationError: the password is too weak or ``visits`` is below 1.
    """
    problem = password_problem(password)
    if problem or visits < 1:
        raise ValidationError({"password": problem} if problem else {"visits": "number_min"})
    unit = _unit(unit_code)
    existing = db.session.scalar(select(func.count()).select_from(Visit).where(Visit.unit_id == unit.id)) or 0
    if existing and not force:
        raise ConflictError("demo_unit_has_visits", unit=unit.code, count=existing)
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 10 ** 6)
    users = _staff(unit, password)
    clerk = db.session.scalar(select(User).where(User.unit_id == unit.id, User.role == "receptionist")
                              .order_by(User.id).limit(1))
    taken = {str(h) for h in db.session.scalars(select(Citizen.id_number_hash).where(
        Citizen.unit_id == unit.id, Citizen.id_number_hash.is_not(None)))}
    year = _Year(unit, random.Random(seed), now, taken)
    for day in year.reception_days:
        reception.ensure_session(unit.id, day, "scheduled", "chair", d.STAFF[0][2])
    db.session.commit()
    for plan in year.plan(visits):
        visit = reception.log_visit(clerk, unit, year.visit_input(plan), year.today)
        for person, row in zip(plan.people, visit.visitors, strict=True):
            person.citizen_id = row.citizen_id
    return DemoResult(unit, seed, _count(Visit, unit) - existing, _count(Citizen, unit),
                      _count(ReceptionSession, unit), users)


def _count(model: type[Visit] | type[Citizen] | type[ReceptionSession], unit: Unit) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.unit_id == unit.id)) or 0
