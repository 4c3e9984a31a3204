"""Days and moments as the rulebook reads them: Europe/London, with their UTC offset."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def london(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def at_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON)


def fmt(day: date | None) -> str:
    return day.isoformat() if day else ""


def dated(day: date | None, today: date, received: date, what: str) -> tuple[date, str | None]:
    """The day to record (``day``, else today), and why it cannot be that day, or None."""
    day = day or today
    if day > today:
        return day, f"{what} cannot be dated {day}, a day still to come"
    if day < received:
        return day, f"{what} cannot be dated {day}, before the complaint was received"
    return day, None
