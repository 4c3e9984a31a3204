"""The complaint workflow's own inputs: what starts it, what it carries over when it
continues as new, and what its activity is given.

They live here, outside the workflow module, because the sandbox shares this package
with every workflow: one class, and one cached (de)serialiser, for all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from models.actions import Registration
from models.complaint import ComplaintState, Notice, Officer
from policies import Policy


@dataclass
class Carried:
    state: ComplaintState
    officers: list[Officer]
    clock_offset_seconds: float


@dataclass
class ComplaintInput:
    registration: Registration
    policy: Policy
    days_off: list[date]
    # Simulation only: the moment the complaint's clock should read when it starts.
    # The engine's clock is then workflow time shifted by a fixed offset.
    simulated_start: datetime | None = None
    # Set when the workflow continues as new, carrying the complaint over.
    carried: Carried | None = None
    # Continue as new past this many history events, or when the server suggests it.
    # A year of chasing stays far below; tests set it low to exercise the hand-over.
    continue_after_events: int = 10_000
    # The rulebook's version for a new complaint. Inputs written before versions existed
    # read as 1, so a complaint started then replays, and runs on, under its own rules.
    rules_version: int = 1
    # The last day ``days_off`` covers. Inputs written before it was kept cover the year
    # of receipt and four more (rules.bank_holidays.complaint_days_off).
    days_off_until: date | None = None

    def calendar_until(self) -> date:
        if self.days_off_until is not None:
            return self.days_off_until
        return date(self.registration.received.year + 4, 12, 31)


@dataclass
class RecordAndNotify:
    """The activity's input: the complaint as it now stands, and the notices to mail."""

    state: ComplaintState
    notices: list[Notice] = field(default_factory=list)
