"""The civil-service working calendar: ``holidays.VN`` as the base, official overrides on top.

Pure (stdlib + ``holidays`` only). The overrides are plain data handed in by the caller (the
``calendar_days`` table, seeded from ``tracker/rules/data/calendar_vn.py``): an extra day off
("day_off"), a make-up working Saturday ("work_day"), or a package holiday that is not a day off
("not_off"). An override always wins over the package. Domain: domain.md §9.2–9.3; Bộ luật Lao
động 2019 Điều 111–112; Bộ luật Dân sự 2015 Điều 147–148 for the counting.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import holidays

OVERRIDE_KINDS = ("day_off", "work_day", "not_off")
# Names of the weekly rest days, as the law calls them (BLLĐ 2019 Điều 111).
WEEKEND_NAMES = {5: "Thứ Bảy", 6: "Chủ nhật"}
PACKAGE_SOURCE = f"holidays.VN {holidays.__version__}"  # type: ignore[attr-defined]
# What a reader is shown as the document behind a public holiday: the law, not the package that lists it.
HOLIDAY_BASIS = "Bộ luật Lao động 2019, Điều 112"
MAKE_UP_BASIS = f"Ngày làm bù theo lịch công bố (dữ liệu {PACKAGE_SOURCE}), chưa ghi số văn bản"
PACKAGE_CERTAINTY = "S"  # domain.md [S38]
# No run of days off in Vietnam is anywhere near this long; a longer run means broken data.
MAX_DAYS_OFF_IN_A_ROW = 60


@dataclass(frozen=True)
class DayOverride:
    """An official exception to the package calendar, with the document behind it."""

    day: date
    kind: str  # "day_off" | "work_day" | "not_off"
    name: str
    basis: str
    certainty: str = "C"

    def __post_init__(self) -> None:
        if self.kind not in OVERRIDE_KINDS:
            raise ValueError(f"unknown calendar override kind {self.kind!r}")


@dataclass(frozen=True)
class DayInfo:
    """What the calendar says about one day.

    ``kind``: "weekday" or "weekend" (ordinary days), "holiday" (from the package), or the kind of
    the override that decided the day ("day_off", "work_day", "not_off"); ``source`` is
    "package", "override" or "" for an ordinary day.
    """

    day: date
    working: bool
    kind: str
    name: str
    basis: str
    certainty: str
    source: str

    @property
    def make_up(self) -> bool:
        """A weekend day that is a working day (ngày làm bù)."""
        return self.working and self.day.weekday() in WEEKEND_NAMES


class WorkingCalendar:
    """Working days of the civil service: Monday to Friday, less public holidays and official
    days off, plus official make-up Saturdays. Each year is built once and cached."""

    def __init__(self, overrides: Iterable[DayOverride] = ()) -> None:
        self._overrides: dict[date, DayOverride] = {}
        for o in overrides:
            self._overrides[o.day] = o
        self._years: dict[int, dict[date, DayInfo]] = {}
        # The last year whose official civil-service schedule is known (some official notice entered);
        # a later year is only the package's estimate until its notice is published and entered.
        self.last_published_year = max((d.year for d in self._overrides), default=None)

    def is_estimate(self, year: int) -> bool:
        """Whether ``year``'s days off are only estimated: its official schedule (Tết, swaps) is not
        published yet, so a day off may still be added or moved."""
        return self.last_published_year is not None and year > self.last_published_year

    # -- building --------------------------------------------------------------------------
    def _year(self, year: int) -> dict[date, DayInfo]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        days: dict[date, DayInfo] = {}
        package = holidays.VN(years=year, language="vi")  # type: ignore[attr-defined]
        for day, name in package.items():
            days[day] = DayInfo(day, False, "holiday", name, HOLIDAY_BASIS, PACKAGE_CERTAINTY, "package")
        for day in getattr(package, "weekend_workdays", ()):
            if day.year == year and day not in days:
                days[day] = DayInfo(day, True, "work_day", "", MAKE_UP_BASIS, PACKAGE_CERTAINTY, "package")
        for day, o in self._overrides.items():
            if day.year != year:
                continue
            working = {"day_off": False, "work_day": True, "not_off": day.weekday() not in WEEKEND_NAMES}[o.kind]
            days[day] = DayInfo(day, working, o.kind, o.name, o.basis, o.certainty, "override")
        self._years[year] = days
        return days

    # -- questions about one day -------------------------------------------------------------
    def day_info(self, d: date) -> DayInfo:
        known = self._year(d.year).get(d)
        if known is not None:
            return known
        if d.weekday() in WEEKEND_NAMES:
            return DayInfo(d, False, "weekend", WEEKEND_NAMES[d.weekday()], "", "C", "")
        return DayInfo(d, True, "weekday", "", "", "C", "")

    def is_working_day(self, d: date) -> bool:
        return self.day_info(d).working

    def reason_off(self, d: date) -> str | None:
        """Why ``d`` is not a working day ("Thứ Bảy", "Chủ nhật", the holiday's name, or an
        override's name and document); None for a working day."""
        info = self.day_info(d)
        if info.working:
            return None
        if info.source == "override":
            return f"{info.name} ({info.basis})" if info.basis else info.name
        return info.name

    def off_reason(self, d: date) -> tuple[str, str] | None:
        """For a day that is not a working day, a reason code and its name: ("day_off", name) for
        an official day off, ("holiday", name) for a public holiday, ("weekend", "Thứ Bảy"/"Chủ
        nhật") for a weekly rest day; None for a working day."""
        info = self.day_info(d)
        if info.working:
            return None
        if info.kind in ("day_off", "holiday"):
            return info.kind, info.name
        return "weekend", WEEKEND_NAMES[d.weekday()]

    # -- counting ------------------------------------------------------------------------------
    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        day = d + timedelta(days=1)
        for _ in range(MAX_DAYS_OFF_IN_A_ROW):
            if self.is_working_day(day):
                return day
            day += timedelta(days=1)
        raise ValueError(f"no working day within {MAX_DAYS_OFF_IN_A_ROW} days after {d.isoformat()}")

    def roll_forward(self, d: date) -> date:
        """``d`` itself if it is a working day, else the next working day (BLDS 2015 Điều 148.5)."""
        return d if self.is_working_day(d) else self.next_working_day(d)

    def add_working_days(self, start: date, n: int) -> date:
        """The ``n``-th working day after ``start``; the start day itself is not counted (BLDS
        2015 Điều 147). Make-up Saturdays count. ``n == 0`` gives ``start``."""
        if n < 0:
            raise ValueError("n must not be negative")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    # -- listing -------------------------------------------------------------------------------
    def days_off(self, year: int) -> list[DayInfo]:
        """Public holidays, official days off, make-up working days and removed holidays of
        ``year``, each with its source, in date order (ordinary weekends are not listed)."""
        return [self._year(year)[d] for d in sorted(self._year(year))]
