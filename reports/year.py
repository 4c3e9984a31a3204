"""A council's financial year, 1 April to 31 March, named like "2023-24"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

QUARTERS = ("Q1", "Q2", "Q3", "Q4")


@dataclass(frozen=True, order=True)
class FinancialYear:
    first: int          # the calendar year in which it starts

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        """'2023-24' (or '2023/24', '2023-2024'); anything else is refused with the form expected."""
        found = re.fullmatch(r"(\d{4})[-/](\d{2}|\d{4})", text.strip())
        if not found:
            raise ValueError(f"{text!r} is not a financial year; write it like 2023-24")
        first, second = int(found.group(1)), int(found.group(2))
        if second % 100 != (first + 1) % 100 or (second >= 1000 and second != first + 1):
            raise ValueError(f"{text!r} is not a financial year: it must end the year after it starts, like 2023-24")
        return cls(first)

    @classmethod
    def of(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def label(self) -> str:
        return f"{self.first}-{(self.first + 1) % 100:02d}"

    # Cached: a report asks whether each of a few hundred thousand dates falls in the year.
    @cached_property
    def start(self) -> date:
        return date(self.first, 4, 1)

    @cached_property
    def end(self) -> date:
        return date(self.first + 1, 3, 31)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.first - 1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def months(self) -> list[str]:
        """'2023-04' .. '2024-03'."""
        return [f"{self.first + (m < 4)}-{m:02d}" for m in (*range(4, 13), 1, 2, 3)]

    @staticmethod
    def month_of(day: date) -> str:
        return f"{day.year}-{day.month:02d}"

    @staticmethod
    def quarter_of(day: date) -> str:
        return QUARTERS[((day.month - 4) % 12) // 3]

    def __str__(self) -> str:
        return self.label


def month_name(month: str) -> str:
    """'2023-04' -> 'Apr 2023' (chart labels)."""
    year, number = month.split("-")
    return f"{date(int(year), int(number), 1):%b} {year}"
