"""The dashboard's numbers: every one an SQL aggregate (GROUP BY), never a loop over cases.

``unit_ids`` is one unit or an inspector's whole subtree (summed). Case clocks only: a letter's
clocks belong to the letters' own lists. The reception desk's side (visits, letters) has its own
monthly counts and the letters still waiting for a handling decision.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta

from sqlalchemy import Date
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import exists
from sqlalchemy import extract
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all

from tracker.extensions import db
from tracker.models import Case
from tracker.models import Clock
from tracker.models import Letter
from tracker.models import Visit
from tracker.rules.weeks import week_code

WEEKS = 12
MONTHS = 12


@dataclass
class WeekPoint:
    week: str
    end: date
    overdue: int


@dataclass
class _Month:
    year: int
    month: int

    @property
    def code(self) -> str:
        return f"{self.year}-{self.month:02d}"

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        nxt = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return nxt - timedelta(days=1)


@dataclass
class MonthPoint(_Month):
    received: int
    resolved: int


@dataclass
class DeskMonth(_Month):
    visits: int  # lượt tiếp
    people: int  # người (a group visit counts its people)
    letters: int  # đơn tiếp nhận


@dataclass
class LettersWaiting:
    pending: int  # registered, no handling decision yet
    overdue: int  # of those, the notice to the sender is past due


def open_by_kind_status(unit_ids: list[int]) -> dict[tuple[str, str], int]:
    rows = db.session.execute(
        select(Case.kind, Case.status, func.count()).where(Case.unit_id.in_(unit_ids), Case.is_open.is_(True))
        .group_by(Case.kind, Case.status)).all()
    return {(kind, status): int(n) for kind, status, n in rows}


def overdue_now(unit_ids: list[int], today: date) -> int:
    """Open cases whose nearest clock is past due (the same rule as the case list's "overdue")."""
    return int(db.session.scalar(select(func.count()).select_from(Case).where(
        Case.unit_id.in_(unit_ids), Case.is_open.is_(True), Case.next_due_on < today)) or 0)


def week_ends(today: date, weeks: int = WEEKS) -> list[tuple[str, date]]:
    """The last ``weeks`` ISO weeks up to today's, each with the day its count is taken:
    its Sunday, or today for the current week."""
    monday = today - timedelta(days=today.weekday())
    result = []
    for back in range(weeks - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        result.append((week_code(start), min(start + timedelta(days=6), today)))
    return result


def overdue_trend(unit_ids: list[int], today: date, weeks: int = WEEKS) -> list[WeekPoint]:
    """Cases with a clock overdue at each week's end, in ONE query over clocks joined to the week ends.

    A clock was overdue at day E when it had started by E, its due date was before E, and it was
    still open at E (open now, or met only after E)."""
    ends = week_ends(today, weeks)
    buckets = union_all(*[select(literal(end, Date).label("end")) for _, end in ends]).subquery("ends")
    rows = db.session.execute(
        select(buckets.c.end, func.count(func.distinct(Clock.case_id)))
        .select_from(buckets)
        .join(Clock, and_(Clock.case_id.is_not(None), Clock.unit_id.in_(unit_ids), Clock.start_on <= buckets.c.end,
                          Clock.due_on < buckets.c.end,
                          or_(Clock.status == "open", and_(Clock.status == "met", Clock.met_on > buckets.c.end))))
        .group_by(buckets.c.end)).all()
    counts = {_as_date(end): int(n) for end, n in rows}
    return [WeekPoint(week, end, counts.get(end, 0)) for week, end in ends]


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def months_back(today: date, months: int = MONTHS) -> list[tuple[int, int]]:
    year, month = today.year, today.month
    result = []
    for _ in range(months):
        result.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(result))


def monthly(unit_ids: list[int], today: date, months: int = MONTHS) -> list[MonthPoint]:
    """Cases received (accepted) and resolved (concluded) per month: two GROUP BY queries."""
    span = months_back(today, months)
    since = date(span[0][0], span[0][1], 1)
    received = db.session.execute(
        select(extract("year", Case.accepted_on), extract("month", Case.accepted_on), func.count())
        .where(Case.unit_id.in_(unit_ids), Case.accepted_on >= since, Case.accepted_on <= today)
        .group_by(extract("year", Case.accepted_on), extract("month", Case.accepted_on))).all()
    resolved = db.session.execute(
        select(extract("year", Case.closed_on), extract("month", Case.closed_on), func.count())
        .where(Case.unit_id.in_(unit_ids), Case.status == "concluded", Case.closed_on >= since,
               Case.closed_on <= today)
        .group_by(extract("year", Case.closed_on), extract("month", Case.closed_on))).all()
    got = {(int(y), int(m)): int(n) for y, m, n in received}
    done = {(int(y), int(m)): int(n) for y, m, n in resolved}
    return [MonthPoint(y, m, got.get((y, m), 0), done.get((y, m), 0)) for y, m in span]


@dataclass
class OnTime:
    met: int
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.met if self.met else None


def on_time(unit_ids: list[int], today: date, months: int = MONTHS) -> OnTime:
    """Case clocks met in the last ``months`` months, and how many on or before their due date."""
    y, m = months_back(today, months)[0]
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((Clock.met_on <= Clock.due_on, 1), else_=0)), 0))
        .where(Clock.case_id.is_not(None), Clock.unit_id.in_(unit_ids), Clock.status == "met",
               Clock.met_on >= date(y, m, 1), Clock.met_on <= today)).one()
    return OnTime(int(row[0]), int(row[1]))


def desk_monthly(unit_ids: list[int], today: date, months: int = MONTHS) -> list[DeskMonth]:
    """Visits (and their people) and letters received per month: two GROUP BY queries."""
    span = months_back(today, months)
    since = date(span[0][0], span[0][1], 1)
    visits = db.session.execute(
        select(extract("year", Visit.visited_on), extract("month", Visit.visited_on), func.count(),
               func.coalesce(func.sum(Visit.people_count), 0))
        .where(Visit.unit_id.in_(unit_ids), Visit.visited_on >= since, Visit.visited_on <= today)
        .group_by(extract("year", Visit.visited_on), extract("month", Visit.visited_on))).all()
    letters = db.session.execute(
        select(extract("year", Letter.received_on), extract("month", Letter.received_on), func.count())
        .where(Letter.unit_id.in_(unit_ids), Letter.received_on >= since, Letter.received_on <= today)
        .group_by(extract("year", Letter.received_on), extract("month", Letter.received_on))).all()
    seen = {(int(y), int(m)): (int(n), int(p)) for y, m, n, p in visits}
    got = {(int(y), int(m)): int(n) for y, m, n in letters}
    return [DeskMonth(y, m, *seen.get((y, m), (0, 0)), got.get((y, m), 0)) for y, m in span]


def letters_waiting(unit_ids: list[int], today: date) -> LettersWaiting:
    """Letters without a handling decision, and how many of them are past the notice's due date."""
    late = exists(select(Clock.id).where(Clock.letter_id == Letter.id, Clock.status == "open",
                                         Clock.due_on < today))
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(case((late, 1), else_=0)), 0))
        .where(Letter.unit_id.in_(unit_ids), Letter.status == "registered")).one()
    return LettersWaiting(int(row[0]), int(row[1]))
