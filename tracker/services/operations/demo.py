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
from typing import Any
from typing import cast

import holidays
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import select

from tracker.extensions import db
from tracker.id_protection import hash_id
from tracker.messages import MESSAGES
from tracker.models import Case
from tracker.models import Citizen
from tracker.models import Letter
from tracker.models import ReceptionSession
from tracker.models import Unit
from tracker.models import User
from tracker.models import Visit
from tracker.rules import lifecycle as lc
from tracker.rules.reception import CONFIDENTIAL_CLASSIFICATIONS
from tracker.rules.reception import GroupRule
from tracker.rules.reception import find_ground
from tracker.services.cases import actions as cases
from tracker.services.cases import clocks
from tracker.services.cases import instructions
from tracker.services.cases import mediation_groups
from tracker.services.errors import ConflictError
from tracker.services.errors import DomainError
from tracker.services.errors import NotFoundError
from tracker.services.errors import RuleError
from tracker.services.errors import ValidationError
from tracker.services.legal.rule_params import params_on
from tracker.services.letters import register as letters
from tracker.services.operations import demo_data as d
from tracker.services.operations.passwords import password_problem
from tracker.services.operations.units import create_unit
from tracker.services.operations.users import UserInput
from tracker.services.operations.users import create_user
from tracker.services.reception import bookings
from tracker.services.reception import visits as reception
from tracker.services.reception.citizens import CitizenInput
from tracker.services.reports import periodic as reports
from tracker.services.reports.reminders import send_reminders

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

    def visitor(self, representative: bool = False, confidential: bool = False) -> reception.VisitorInput:
        if self.citizen_id is not None and not confidential:
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
class HandedIn:
    """A visit handled as "letter received for acceptance": its letter is registered from it."""

    visit_id: int
    kind: str
    subject: str
    on: date
    content: str
    citizen_id: int


@dataclass
class DemoResult:
    unit: Unit
    seed: int
    visits: int
    citizens: int
    sessions: int
    users: list[tuple[str, str, bool]]  # username, role, created now
    units: list[Unit] = field(default_factory=list)  # the communes filled
    province: Unit | None = None


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
            handling=handling,
            visitors=[x.visitor(bool(p.reps), cls in CONFIDENTIAL_CLASSIFICATIONS) for x in p.people],
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


# -- letters and cases ----------------------------------------------------------------------------
# What becomes of a letter: not handled yet, handled without a case, or a case taken to a stage.
NOT_ACCEPTED = ("transfer", "guide", "return", "archive")
# Stages whose letter may take a visit's day instead of its planned one (the others are timed to show
# an extension, a suspension or a pending decision, and keep their dates).
MOVABLE_FATES = ("registered", "accepted", "working", "concluded", "terminated", "sent_up") + NOT_ACCEPTED
STAGES: dict[str, tuple[str, ...]] = {
    "complaint": ("accepted", "working", "awaiting", "suspended", "resumed", "concluded", "terminated"),
    "denunciation": ("accepted", "working", "awaiting", "extended", "concluded", "terminated"),
    "petition": ("accepted", "working", "awaiting", "mediating", "concluded", "sent_up", "terminated"),
    "feedback": ("accepted", "working", "awaiting", "concluded", "sent_up"),
    "mediation": ("accepted", "working", "awaiting", "concluded", "sent_up", "terminated"),
    "land_mediation": ("accepted", "working", "awaiting", "concluded", "sent_up", "dispute", "dispute_awaiting",
                       "dispute_concluded"),
}


def _steps(kind: str, stage: str, rng: random.Random) -> list[tuple[str, str | None]]:
    """The actions, in order, that take a new case of ``kind`` to ``stage``."""
    work = "mediate" if kind in ("mediation", "land_mediation") else "verify"
    outcome = rng.choice(lc.OUTCOMES[kind])
    steps: list[tuple[str, str | None]] = {  # type: ignore[assignment]
        "accepted": [], "working": [(work, None)], "awaiting": [(work, None), ("submit", None)],
        "suspended": [(work, None), ("suspend", None)],
        "resumed": [(work, None), ("suspend", None), ("resume", None)],
        "extended": [(work, None), ("extend", None)], "mediating": [("verify", None), ("mediate", None)],
        "concluded": [(work, None), ("submit", None), ("conclude", outcome)],
        "terminated": [(work, None), ("withdraw", None)],
    }.get(stage, [])
    if stage == "sent_up":
        steps = ([("mediate", None), ("conclude", "failed"), ("send_up", None)] if kind != "petition"
                 and kind != "feedback" else [(work, None), ("send_up", None)])
        if kind == "mediation":
            steps = [("mediate", None), ("send_up", None)]
    elif stage.startswith("dispute"):
        steps = [("mediate", None), ("conclude", "failed"), ("open_dispute", None)]
    return steps


class _Office:
    """Registers one commune's letters of the year and takes each to a stage of its handling."""

    def __init__(self, year: _Year, unit: Unit, staff: dict[str, User], today: date) -> None:
        self.year, self.rng, self.unit, self.staff, self.today = year, year.rng, unit, staff, today
        self.doc = 0
        self.groups: list[int] = []

    def _doc(self, prefix: str) -> str:
        self.doc += self.rng.randint(1, 3)
        return f"{self.doc}/{prefix}-UBND"

    def _day(self, after: date, low: int, high: int) -> date:
        return min(after + timedelta(days=self.rng.randint(low, high)), self.today)

    def mediation_groups(self) -> None:
        chair = self.staff["chair"]
        for members, hood in zip(d.MEDIATORS, self.rng.sample(d.NEIGHBOURHOODS, 2), strict=True):
            group = mediation_groups.create_group(chair, mediation_groups.GroupInput(
                f"Tổ hòa giải {_lower_first(hood)}", hood, True,
                [mediation_groups.MemberInput(n, g, lead) for n, g, lead in members]))
            self.groups.append(group.id)

    def _letter_input(self, kind: str, received: date, land: bool, visit: HandedIn | None = None,
                      fate: str = "registered") -> letters.LetterInput:
        rng, year = self.rng, self.year
        person = year.person()
        ctx = year._context(person, received)
        mediation_type = None
        if kind == "mediation":
            mediation_type = "land_dispute" if land else "grassroots"
            subject, text = ("land", rng.choice(d.LAND_MEDIATION_TOPICS)) if land else rng.choice(d.MEDIATION_TOPICS)
        elif kind == "denunciation":
            subject, text = rng.choice(d.DENUNCIATION_TOPICS)
        else:
            table = [t for t in d.TOPICS if t[0] == kind] or [t for t in d.GROUP_TOPICS if t[0] == kind]
            _cls, subject, _w, text = rng.choices(table, weights=[t[2] for t in table])[0]
        channel = _weighted(rng, d.LETTER_CHANNELS)
        if channel == "online" and received < ONLINE_FROM:
            channel = "post"
        # Only a letter meant to stay unhandled or be filed may be anonymous (an anonymous denunciation is filed,
        # Luật TC Điều 25), so every planned stage is still shown whatever the random draw.
        anonymous = kind == "denunciation" and (fate == "registered" or fate in NOT_ACCEPTED) and rng.random() < 0.2
        from_body = rng.choice(d.TRANSFER_BODIES) if channel == "transferred_in" else None
        if visit is not None:  # handed in at the desk: the visit's day, content and person
            return letters.LetterInput(
                received_on=visit.on, channel="visit", kind=kind, summary=visit.content, subject=visit.subject,
                mediation_type=mediation_type, visit_id=visit.visit_id,
                senders=[reception.VisitorInput(citizen_id=visit.citizen_id)], complex=rng.random() < 0.1)
        return letters.LetterInput(
            received_on=received, channel=channel, kind=kind, summary=text.format(**ctx), subject=subject,
            mediation_type=mediation_type, anonymous=anonymous,
            senders=[] if anonymous else [person.visitor()], from_body=from_body,
            from_document_no=f"{rng.randint(10, 900)}/CV-TCD" if from_body else None,
            from_document_date=received - timedelta(days=rng.randint(1, 5)) if from_body else None,
            complex=rng.random() < 0.1)

    def plan(self, count: int) -> list[tuple[str, bool, str, date]]:
        """(letter kind, land mediation, fate, received on): every kind and stage once, then by weight."""
        rng, today = self.rng, self.today
        plans: list[tuple[str, bool, str, date]] = []

        def received(fate: str) -> date:
            if fate == "registered":
                return today - timedelta(days=rng.randint(0, 18))
            if fate in ("suspended", "resumed"):  # suspensions of the rules in force lately
                return today - timedelta(days=rng.randint(30, 70))
            if fate in ("accepted", "working", "awaiting", "extended", "mediating"):
                return today - timedelta(days=rng.randint(20, 150))
            return today - timedelta(days=rng.randint(40, 360))

        for kind, stages in STAGES.items():
            letter_kind, land = ("mediation", kind == "land_mediation") if kind.endswith("mediation") else (kind, False)
            for stage in stages:
                plans.append((letter_kind, land, stage, received(stage)))
        for kind in ("petition", "complaint", "feedback", "mediation", "denunciation"):
            plans.append((kind, False, "registered", received("registered")))
        for fate in NOT_ACCEPTED:
            plans.append(("petition", False, fate, received(fate)))
        while len(plans) < count:
            kind = _weighted(rng, d.LETTER_KINDS)
            land = kind == "mediation" and rng.random() < 0.4
            case_kind = lc.case_kind_for(kind, "land_dispute" if land else "grassroots")
            fate = rng.choice(("registered",) + NOT_ACCEPTED * 1 + STAGES[case_kind] * 2)
            plans.append((kind, land, fate, received(fate)))
        plans.sort(key=lambda p: p[3])
        return plans

    def _hand_in(self, plans: list[tuple[str, bool, str, date]], handed: list[HandedIn]
                 ) -> list[tuple[str, bool, str, date, HandedIn | None]]:
        """Each visit that received a letter gets its letter: a planned one of its kind received within a
        month of it, or a new one whose stage fits its age. The last two days' stay to be registered (the
        weekly list's "visits whose letter is not registered yet")."""
        out: list[tuple[str, bool, str, date, HandedIn | None]] = [(*p, None) for p in plans]
        used: set[int] = set()
        for v in sorted(handed, key=lambda h: h.on):
            if (self.today - v.on).days <= 2:
                continue
            land = v.kind == "mediation" and v.subject == "land"  # a fate is one of its case kind's stages
            match = next((i for i, p in enumerate(out) if i not in used and p[4] is None and p[0] == v.kind
                          and p[1] == land and p[2] in MOVABLE_FATES and abs((p[3] - v.on).days) <= 30), None)
            if match is None:
                age = (self.today - v.on).days
                fate = "registered" if age <= 5 else "accepted" if age <= 30 else "working" if age <= 120 else \
                    "concluded"
                out.append((v.kind, land, fate, v.on, v))
                used.add(len(out) - 1)
            else:
                kind, _land, fate, _received, _v = out[match]
                out[match] = (kind, land, fate, v.on, v)
                used.add(match)
        return sorted(out, key=lambda p: p[3])

    def write(self, count: int, handed: list[HandedIn] | None = None) -> None:
        for kind, land, fate, received, visit in self._hand_in(self.plan(count), handed or []):
            letter = letters.register_letter(self.staff["receptionist"], self.unit,
                                             self._letter_input(kind, received, land, visit, fate), self.today)
            if fate == "registered":
                continue
            if letter.anonymous and fate not in NOT_ACCEPTED:
                fate = "archive"
            self._handle(letter, fate)

    def _handle(self, letter: Letter, fate: str) -> None:
        rng, handler = self.rng, self.staff["handler"]
        on = self._day(letter.received_on, 1, 8)
        if fate in NOT_ACCEPTED:
            data = letters.HandlingInput(fate, on, letter.version, eligible=fate != "return",
                                         within_competence=fate not in ("transfer", "guide"))
            if fate in ("transfer", "guide"):
                data.to_body = rng.choice(d.BODIES["land"] if letter.subject == "land" else d.TRANSFER_BODIES)
                data.document_no = self._doc("PC" if fate == "transfer" else "HD")
            else:
                data.reason = ("Đơn trùng nội dung đã được giải quyết" if fate == "archive"
                               else "Đơn không thuộc thẩm quyền, trả lại và hướng dẫn công dân")
            letters.decide_handling(None, letter, data, self.today)
            return
        case = letters.decide_handling(None, letter, letters.HandlingInput(
            "accept", on, letter.version, eligible=True, within_competence=True, handler_id=handler.id,
            complexity=1 if fate == "extended" else 0,
            document_no=self._doc("TL"), document_date=on, signer=self.staff["chair"].full_name), self.today)
        assert case is not None
        self._advance(case, fate)

    def _act(self, case: Case, action: str, outcome: str | None, on: date, **extra: object) -> Case:
        needs_doc = action in lc.DOCUMENT_REQUIRED or action in ("conclude", "send_up", "open_dispute")
        data = cases.ActionInput(action, on, case.version, outcome=outcome,
                                 document_no=self._doc("QĐ" if action != "send_up" else "CV") if needs_doc else None,
                                 document_date=on if needs_doc else None,
                                 signer=self.staff["chair"].full_name if needs_doc else None,
                                 note=extra.pop("note", None), minutes=extra.pop("minutes", None),  # type: ignore[arg-type]
                                 mediation_group_id=extra.pop("group", None))  # type: ignore[arg-type]
        return cases.apply_case_action(None, case, data, self.today)

    def _advance(self, case: Case, fate: str) -> None:
        rng = self.rng
        on = case.accepted_on
        if case.kind in ("mediation", "land_mediation") and self.groups:
            case = self._act(case, "assign", None, on, group=rng.choice(self.groups))
        for action, outcome in _steps(case.kind, fate, rng):
            on = self._day(on, 3, 20)
            note = minutes = None
            if action == "mediate":
                minutes = "Biên bản hòa giải: các bên trình bày ý kiến, tổ hòa giải phân tích, giải thích pháp luật"
            elif action == "submit":
                note = "Trình dự thảo văn bản để Chủ tịch UBND xã xem xét, ký ban hành"
            elif action in ("suspend", "extend"):
                note = rng.choice(list(d.DELAY_NOTES.values()))
            try:
                result = self._act(case, action, outcome, on, note=note, minutes=minutes)
            except RuleError:  # a step the rules in force then did not know: the case stays where it is
                db.session.rollback()
                break
            if action == "open_dispute":
                case = result
                if fate != "dispute":
                    case = self._act(case, "verify", None, self._day(on, 2, 10))
                    case = self._act(case, "submit", None, self._day(on, 11, 20))
                if fate == "dispute_concluded":
                    case = self._act(case, "conclude", rng.choice(lc.OUTCOMES["land_dispute"]),
                                     self._day(on, 21, 30))
        if case.is_open:
            for clock in clocks.open_clocks(case_id=case.id):
                if clock.due_on is not None and clock.due_on < self.today and rng.random() < 0.7:
                    reason = rng.choice(list(d.DELAY_NOTES))
                    case = cases.record_delay(case, clock.id, reason, d.DELAY_NOTES[reason], version=case.version,
                                              on=self.today)

    def instructions(self) -> None:
        chair = self.staff["chair"]
        open_cases = list(db.session.scalars(select(Case).where(Case.unit_id == self.unit.id, Case.is_open.is_(True))
                                             .order_by(Case.id)))
        for case in self.rng.sample(open_cases, min(4, len(open_cases))):
            instructions.give_instruction(chair, case, self.rng.choice(d.INSTRUCTIONS),
                                          self.today + timedelta(days=self.rng.randint(3, 12)), self.today)

    def bookings(self) -> int:
        """The chair's next reception days, with citizens booked for the first ones."""
        weekday = self.unit.reception_weekday or 4
        ahead = [self.today + timedelta(days=i) for i in range(0, 29)]
        days = [x for x in ahead if x.isoweekday() == weekday]
        count = 0
        for n, day in enumerate(days):
            session = reception.ensure_session(self.unit.id, day, "scheduled", "chair", self.staff["chair"].full_name)
            db.session.commit()
            for _ in range(max(0, 4 - n * 2)):
                cls, topic = self.rng.choice(d.BOOKING_TOPICS)
                bookings.book(self.staff["receptionist"], session, self.year.person().visitor(), topic, cls,
                              1, self.today)
                count += 1
        return count

    def reports(self) -> None:
        """Past months and quarters final, the current month's report a draft."""
        for months_back in (3, 2, 1):
            y, m = self.today.year, self.today.month - months_back
            while m < 1:
                y, m = y - 1, m + 12
            for code in (f"{y}-{m:02d}",) + ((f"{y}-Q{(m - 1) // 3 + 1}",) if m % 3 == 0 else ()):
                try:
                    reports.build_report(self.unit, code, today=self.today, final=True, user=self.staff["chair"])
                except DomainError:
                    db.session.rollback()
        reports.build_report(self.unit, f"{self.today.year}-{self.today.month:02d}", today=self.today)


def _unit(code: str | None) -> Unit:
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
        if unit is None:
            raise NotFoundError("unit_not_found")
        return unit
    unit = db.session.scalar(select(Unit).where(Unit.level == "commune").order_by(Unit.id).limit(1))
    return unit or create_unit(*d.DEFAULT_UNIT)


def _account(username: str, role: str, unit: Unit, password: str, full_name: str,
             result: list[tuple[str, str, bool]]) -> User:
    """The unit's demo account of ``role``: the one named ``username`` if it is the unit's, else the unit's
    first of that role, else a new one (``username``, or ``username.unitcode`` when another unit has it)."""
    user = db.session.scalar(select(User).where(User.username == username, User.unit_id == unit.id))
    user = user or db.session.scalar(select(User).where(User.unit_id == unit.id, User.role == role,
                                                         User.active.is_(True)).order_by(User.id).limit(1))
    if user is not None:
        result.append((user.username, role, False))
        return cast(User, user)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        username = f"{username}.{unit.code.lower().replace('-', '_')}"
    user = create_user(UserInput(username, role, unit.code, password, full_name))
    result.append((username, role, True))
    return user


def _staff(unit: Unit, password: str, suffix: str = "", names: tuple[str, ...] | None = None
           ) -> tuple[list[tuple[str, str, bool]], dict[str, User]]:
    result: list[tuple[str, str, bool]] = []
    staff: dict[str, User] = {}
    for i, (username, role, full_name) in enumerate(d.STAFF):
        staff[role] = _account(username + suffix, role, unit, password, names[i] if names else full_name, result)
    return result, staff


def _fill(unit: Unit, staff: dict[str, User], now: datetime, visits: int, letter_count: int, rng: random.Random
          ) -> None:
    taken = {str(h) for h in db.session.scalars(select(Citizen.id_number_hash).where(
        Citizen.unit_id == unit.id, Citizen.id_number_hash.is_not(None)))}
    year = _Year(unit, rng, now, taken)
    chair_name = staff["chair"].full_name
    for day in year.reception_days:
        reception.ensure_session(unit.id, day, "scheduled", "chair", chair_name)
    db.session.commit()
    clerk = staff["receptionist"]
    handed: list[HandedIn] = []
    for plan in year.plan(visits):
        visit = reception.log_visit(clerk, unit, year.visit_input(plan), year.today)
        if visit.handling == "letter_received" and visit.classification in lc.LETTER_KINDS:
            primary = next(row for row in visit.visitors if not row.is_representative) if any(
                not row.is_representative for row in visit.visitors) else visit.visitors[0]
            handed.append(HandedIn(visit.id, visit.classification, visit.subject, visit.visited_on, visit.content,
                                   primary.citizen_id))
        if visit.classification in CONFIDENTIAL_CLASSIFICATIONS:
            continue  # a denouncer's entry is sealed: later visits name her again by what is typed
        for person, row in zip(plan.people, visit.visitors, strict=True):
            person.citizen_id = row.citizen_id
    if letter_count:
        office = _Office(year, unit, staff, year.today)
        office.mediation_groups()
        office.write(letter_count, handed)
        office.instructions()
        office.bookings()
        office.reports()
        send_reminders(unit, year.today)
        db.session.commit()


def load_demo(*, now: datetime, unit_code: str | None = None, visits: int = 300, seed: int | None = None,
              password: str = DEFAULT_PASSWORD, force: bool = False, letters_per_unit: int | None = None
              ) -> DemoResult:
    """Fill the demo province's three communes (or, with ``unit_code``, that one unit) with a year of
    visits, letters and cases ending ``now`` (local time), through the services.

    :raises ConflictError: a unit to fill already has visits and ``force`` is not set.
    :raises ValidationError: the password is too weak or ``visits`` is below 1.
    """
    problem = password_problem(password)
    if problem or visits < 1:
        raise ValidationError({"password": problem} if problem else {"visits": "number_min"})
    letter_count = letters_per_unit if letters_per_unit is not None else max(60, visits // 4)
    if unit_code:
        targets: list[tuple[Any, str, str | None]] = [(_unit(unit_code), "", None)]
    else:
        targets = [(db.session.scalar(select(Unit).where(Unit.code == code)), suffix, code)
                   for code, _n, _w, _r, suffix in d.COMMUNES]
    for unit, _s, _c in targets:
        existing = _count(Visit, unit) if unit is not None else 0
        if existing and not force:
            raise ConflictError("demo_unit_has_visits", unit=unit.code, count=existing)
    seed = seed if seed is not None else random.SystemRandom().randrange(1, 10 ** 6)
    rng = random.Random(seed)
    users: list[tuple[str, str, bool]] = []
    if unit_code:
        unit = targets[0][0]
        accounts, staff = _staff(unit, password)
        users += accounts
        before = _count(Visit, unit)
        _fill(unit, staff, now, visits, letter_count, rng)
        return DemoResult(unit, seed, _count(Visit, unit) - before, _count(Citizen, unit),
                          _count(ReceptionSession, unit), users, [unit])
    code, name = d.PROVINCE
    province = db.session.scalar(select(Unit).where(Unit.code == code)) or create_unit(code, name, level="province",
                                                                                        reception_weekday=None)
    for username, role, full_name in d.PROVINCE_STAFF:
        _account(username, role, province, password, full_name, users)
    communes: list[Unit] = []
    total = 0
    for i, (code, name, weekday, remote, suffix) in enumerate(d.COMMUNES):
        unit = db.session.scalar(select(Unit).where(Unit.code == code)) or create_unit(
            code, name, parent_code=province.code, remote_area=remote, reception_weekday=weekday)
        accounts, staff = _staff(unit, password, suffix, d.OTHER_STAFF_NAMES[i - 1] if i else None)
        users += accounts
        before = _count(Visit, unit)
        share = visits if i == 0 else max(1, visits * 2 // 3)
        _fill(unit, staff, now, share, letter_count if i == 0 else max(1, letter_count * 2 // 3), rng)
        total += _count(Visit, unit) - before
        communes.append(unit)
    first = communes[0]
    return DemoResult(first, seed, total, sum(_count(Citizen, u) for u in communes),
                      sum(_count(ReceptionSession, u) for u in communes), users, communes, province)


def _count(model: type[Visit] | type[Citizen] | type[ReceptionSession], unit: Unit) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.unit_id == unit.id)) or 0
