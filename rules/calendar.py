"""Working days (procedures section 1).

A working day is a weekday that is not a bank holiday in England and Wales (Christmas
Day, Boxing Day and Good Friday are among them) nor a closure day the council adds.
A ``WorkingCalendar`` is built once from a fixed list of days off, so that a running
complaint keeps the calendar it started with even if the holiday table changes later.
"""

from __future__ import annotations

import calendar as _months
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Which days are working days, and counting in working days."""

    def __init__(self, days_off: Iterable[date]) -> None:
        self.days_off = frozenset(days_off)
        # The days off that fall on weekdays, in order, for counting by arithmetic.
        self._weekdays_off = sorted(d.toordinal() for d in self.days_off if d.weekday() < 5)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.days_off

    def start_day(self, day: date) -> date:
        """The day itself if it is a working day, else the next working day."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self.start_day(day + ONE_DAY)

    def add_working_days(self, day: date, n: int) -> date:
        """Working day number ``n`` after ``day`` (``n`` = 0 gives ``day``)."""
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_before(self, day: date, n: int) -> date:
        """The working day ``n`` working days before ``day``."""
        for _ in range(n):
            day -= ONE_DAY
            while not self.is_working_day(day):
                day -= ONE_DAY
        return day

    def working_days_after_until(self, after: date, until: date) -> int:
        """How many working days lie strictly after ``after``, up to and including ``until``.

        Counted, not walked (the web app counts days late for every row it lists): the
        weekdays in the range less the weekday days off in it."""
        if until <= after:
            return 0
        first, last = after.toordinal(), until.toordinal()
        days_off = bisect_right(self._weekdays_off, last) - bisect_right(self._weekdays_off, first)
        return _weekdays_through(last) - _weekdays_through(first) - days_off


def _weekdays_through(ordinal: int) -> int:
    """Weekdays from 1 January of year 1 (a Monday, ordinal 1) to ``ordinal``, inclusive."""
    weeks, days = divmod(ordinal, 7)
    return 5 * weeks + min(days, 5)


def months_later(day: date, months: int) -> date:
    """The same day ``months`` calendar months on (29 February a year on is 28 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, _months.monthrange(year, month)[1]))
