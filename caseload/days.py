"""Placing a generated caseload's actions on working days, with the engine's own calendar.

Shared by the caseload generator (``caseload.year``) and the benchmark's generic year
(``bench.caseload``): a seeded random source and a ``rules.calendar.WorkingCalendar``.
"""

from __future__ import annotations

import random
from datetime import date

from rules.calendar import WorkingCalendar


class WorkingDayPlacer:
    """Working-day arithmetic with a seeded random choice of day."""

    def __init__(self, calendar: WorkingCalendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng

    def wd(self, day: date, n: int) -> date:
        """``n`` working days after ``day`` (0: the day itself if a working day, else the next)."""
        return self.calendar.add_working_days(self.calendar.start_day(day), n)

    def between(self, first: date, last: date) -> date:
        """A random working day from ``first`` to ``last`` (``first`` if the range is empty)."""
        first = self.calendar.start_day(first)
        if last <= first:
            return first
        return self.rng.choice(self.working_days(first, last))

    def working_days(self, first: date, last: date) -> list[date]:
        """Every working day from ``first`` to ``last`` inclusive (none if the range is empty)."""
        days: list[date] = []
        day = self.calendar.start_day(first)
        while day <= last:
            days.append(day)
            day = self.calendar.next_working_day(day)
        return days
