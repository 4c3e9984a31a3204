"""How the pages write dates, times, money and counts: "Monday 14 December 2026",
"9:00am", "£1,234.50", "1 working day", "3 working days"."""

from __future__ import annotations

from datetime import date, datetime

from rules.moments import LONDON


def long_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return f"{day:%A} {day.day} {day:%B %Y}"


def short_date(day: date | datetime | None) -> str:
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(LONDON).date()
    return f"{day.day} {day:%b %Y}"


def time_of_day(moment: datetime | None) -> str:
    if moment is None:
        return ""
    local = moment.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def date_and_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return f"{long_date(moment)} at {time_of_day(moment)}"


def pounds(amount: float | None) -> str:
    if amount is None:
        return ""
    return f"£{amount:,.2f}"


def working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


FILTERS = {"long_date": long_date, "short_date": short_date, "time_of_day": time_of_day,
           "date_and_time": date_and_time, "pounds": pounds, "working_days": working_days}
