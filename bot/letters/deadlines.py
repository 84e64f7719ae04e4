"""Reply deadlines: calendar days, business days and calendar months.

Every law counts differently (see shared/domain/laws.md): BIPA sets no
deadline (the sender picks one, ``[letters] deadline_days``), the CCPA wants an
acknowledgment within 10 business days and an answer within 45 calendar days,
the GDPR "one month". All counting starts at the date of the letter, which the
letters say, because the date of receipt is not known when they are written.

Business days skip Saturdays, Sundays and public holidays. The holiday
calendar is the ``holidays`` package's, for the region a rule names (e.g.
"US-CA": federal plus California state holidays). Counting more days off than
the law might is the safe side: the bot never claims a deadline passed early.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays

from ..errors import DataError

UNITS = ("days", "business-days", "months")


@dataclass(frozen=True)
class Period:
    count: int
    unit: str                   # one of UNITS
    calendar: str | None = None  # holiday calendar for business days, e.g. "US-CA"

    def after(self, start: date) -> date:
        if self.unit == "days":
            return start + timedelta(days=self.count)
        if self.unit == "months":
            return add_months(start, self.count)
        if self.unit == "business-days":
            return add_business_days(start, self.count, self.calendar)
        raise DataError(f"unknown deadline unit {self.unit!r} (known: {', '.join(UNITS)})")

    def describe(self) -> str:
        """'45 days', '10 business days', 'one month'."""
        words = {1: "one", 2: "two", 3: "three"}
        if self.unit == "months":
            n = words.get(self.count, str(self.count))
            return f"{n} month" + ("" if self.count == 1 else "s")
        label = "business day" if self.unit == "business-days" else "day"
        return f"{self.count} {label}" + ("" if self.count == 1 else "s")


def add_months(start: date, months: int) -> date:
    """The same day ``months`` calendar months later, clamped to the month's end
    (31 January + 1 month = 28 or 29 February)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_business_days(start: date, count: int, region: str | None = None) -> date:
    """The ``count``-th business day after ``start`` (``start`` itself not counted)."""
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_business_day(day, region):
            remaining -= 1
    return day


def next_business_day(day: date, regions: tuple[str, ...] = ()) -> date:
    """``day`` itself if it is a business day in every one of ``regions`` (weekends
    and public holidays excluded), else the first later day that is. A date a
    letter asks for never falls on a day its sender or recipient is off."""
    regions = tuple(r for r in regions if r)
    while day.weekday() >= 5 or not all(is_business_day(day, r) for r in regions):
        day += timedelta(days=1)
    return day


def is_business_day(day: date, region: str | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    return region is None or day not in _holidays(region, day.year)


@lru_cache(maxsize=64)
def _holidays(region: str, year: int) -> frozenset[date]:
    country, _, subdivision = region.partition("-")
    try:
        table = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        if subdivision:   # a subdivision the package does not know: the country's holidays
            return _holidays(country, year)
        raise DataError(f"no holiday calendar for {region!r}") from None
    return frozenset(table.keys())


def known_calendar(region: str) -> bool:
    """Whether the holidays package has a calendar for ``region``'s country."""
    try:
        _holidays(region.partition("-")[0], 2026)
    except DataError:
        return False
    return True
