"""The activity that gives a long-lived complaint the bank holidays of the years ahead.

A complaint is started with a calendar (a year before it was received to four after), so
its dates never change under it on replay. One discontinued for years of proceedings can
outlive that; the workflow then asks for more years here, and the answer is kept in its
history, so a later change of the ``holidays`` table does not change a running complaint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from temporalio import activity

from rules.bank_holidays import bank_holidays


@dataclass
class Years:
    first: int
    last: int


@activity.defn(name="bank_holidays")
async def bank_holidays_for(years: Years) -> list[date]:
    return bank_holidays(range(years.first, years.last + 1))
