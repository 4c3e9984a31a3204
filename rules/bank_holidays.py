"""Bank holidays in England and Wales, from the pinned ``holidays`` package."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from datetime import date

import holidays


def bank_holidays(years: Iterable[int]) -> list[date]:
    """Every bank holiday in England and Wales in the given years, substitute days included.

    ``holidays`` also lists some observed dates that fall at weekends; the calendar's
    weekday test makes those harmless.
    """
    return sorted(day for year in years for day in _one_year(year))


@functools.lru_cache(maxsize=64)
def _one_year(year: int) -> tuple[date, ...]:
    # Worked out once per year and process: a complaint's page explains its deadline with
    # its calendar on every view, and the holidays package takes milliseconds a year.
    return tuple(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def days_off(first_year: int, last_year: int, closure_days: Iterable[date] = ()) -> list[date]:
    """Bank holidays from ``first_year`` to ``last_year`` inclusive, plus council closure days."""
    return sorted(set(bank_holidays(range(first_year, last_year + 1))) | set(closure_days))


YEARS_AHEAD = 4


def complaint_days_off(received: date, closure_days: Iterable[date] = ()) -> list[date]:
    """The days off a complaint received on ``received`` can meet in most lives: a year back
    (when the matter arose) to four years on (three stages, proceedings, a year to resubmit).
    The workflow asks for more years when a complaint outlives them."""
    return days_off(received.year - 1, received.year + YEARS_AHEAD, closure_days)


def complaint_days_off_until(received: date) -> date:
    """The last day ``complaint_days_off`` covers."""
    return date(received.year + YEARS_AHEAD, 12, 31)
