"""Counting a deadline (procedures section 2).

For a clock of N working days starting on date D: the start day is D if it is a working
day, else the next one; day 1 is the first working day after the start day; the due
date is day N. Extensions count from the current due date; a suspension keeps the
working days left and restarts the clock from the day it is resumed.
"""

from __future__ import annotations

from datetime import date

from rules.calendar import WorkingCalendar


def due_date(calendar: WorkingCalendar, received: date, working_days: int) -> date:
    """The due date of an N-working-day clock started on ``received``."""
    return calendar.add_working_days(calendar.start_day(received), working_days)


def extended_due(calendar: WorkingCalendar, current_due: date, extra_working_days: int) -> date:
    """The due date after an extension of ``extra_working_days``, counted from the current due date."""
    return calendar.add_working_days(current_due, extra_working_days)


def working_days_left(calendar: WorkingCalendar, suspended_on: date, due: date) -> int:
    """Working days left when a clock stops: those strictly after the suspension, up to the due date."""
    return calendar.working_days_after_until(suspended_on, due)


def due_after_resumption(calendar: WorkingCalendar, resumed_on: date, days_left: int) -> date:
    """The new due date when a suspended clock restarts on ``resumed_on`` with ``days_left``."""
    return due_date(calendar, resumed_on, days_left)


def due_after_suspension(calendar: WorkingCalendar, due: date, suspended_on: date, resumed_on: date) -> date:
    """The due date once a clock stopped on ``suspended_on`` restarts on ``resumed_on``.

    It moves later by the working days the clock was stopped: those strictly after the
    suspension, up to and including the resumption's start day. While the suspension
    fell on or before the due date this is the same as restarting with the working days
    that were left; a complaint already overdue stays exactly as overdue as it was.
    """
    stopped = calendar.working_days_after_until(suspended_on, calendar.start_day(resumed_on))
    return calendar.add_working_days(due, stopped)


def on_time(responded: date, due: date) -> bool:
    """A response is on time if recorded on or before the due date."""
    return responded <= due
