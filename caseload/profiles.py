"""Caseload profiles: the figures a generated year must hit exactly, as data.

A profile is one council's year as its annual report gives it. ``reference-2023-24`` is
the reference council's annual report, financial year 2023-24: statutory complaints
in the body of the report, corporate ones in appendix 1, compliments in appendix 3. A
new profile is a new ``Profile(...)`` in ``PROFILES``; the generator reads nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class StatutoryFigures:
    """The children's statutory procedure (``children-statutory``): exact counts."""

    by_month: tuple[int, ...]                   # complaints received, April first; a seed moves a few
    complainants: tuple[tuple[str, int], ...]   # report group -> complaints ("family_member" is the family)
    special_guardians: int                      # of the family group
    family_members: tuple[int, int]             # of the family group, a range; the rest are parents
    outcomes: tuple[tuple[str, int], ...]       # stage 1 outcomes of the answered complaints
    no_response: int                            # left unanswered at stage 1, escalated (reason no_response)
    final_stage: tuple[int, int, int]           # resolved at stage 1, went to 2 but not 3, reached 3
    on_time: int                                # answered within 10 working days, never extended
    extended_on_time: int                       # extended, answered within 20
    learning_forms: int                         # complaints with a lessons-learnt form
    ombudsman: tuple[tuple[str, float | None], ...]  # one per referral: result, remedy in pounds
    costs_pence: tuple[int, int, int, int]      # stage 2 and 3 costs incurred in Q1..Q4
    reassigned: int                             # officer changed at stage 1
    suspended: int                              # suspended for court proceedings and resumed

    @property
    def received(self) -> int:
        return sum(self.by_month)

    @property
    def late(self) -> int:
        """Answered more than 20 working days after the start day (the no-responses apart)."""
        return self.received - self.no_response - self.on_time - self.extended_on_time


@dataclass(frozen=True)
class CorporateFigures:
    """The corporate procedure (``corporate``)."""

    by_month: tuple[int, ...]
    on_time: int                                # answered within 15 working days, never extended
    extended_on_time: int                       # extended, answered within 25
    escalated: tuple[int, int]                  # to corporate stage 2, a range
    learning_forms: int

    @property
    def received(self) -> int:
        return sum(self.by_month)

    @property
    def late(self) -> int:
        return self.received - self.on_time - self.extended_on_time


@dataclass(frozen=True)
class Profile:
    name: str
    year: int                                   # the financial year starts on 1 April of it
    until: date                                 # simulate to here: every stage, decision and cost is in
    statutory: StatutoryFigures
    corporate: CorporateFigures
    compliments: tuple[int, int]                # how many, a range

    @property
    def first_day(self) -> date:
        return date(self.year, 4, 1)

    @property
    def last_day(self) -> date:
        return date(self.year + 1, 3, 31)


REFERENCE_2023_24 = Profile(
    name="reference-2023-24",
    year=2023,
    until=date(2024, 9, 30),
    statutory=StatutoryFigures(
        # A rising year, as the report's chart shows (102 in all; 55 the year before).
        by_month=(6, 7, 7, 8, 7, 8, 9, 9, 7, 10, 11, 13),
        complainants=(("child", 1), ("child_with_advocate", 13), ("family_member", 80), ("professional", 8)),
        special_guardians=2,
        family_members=(8, 14),
        outcomes=(("upheld", 19), ("partially_upheld", 41), ("not_upheld", 34)),
        no_response=8,
        final_stage=(79, 19, 4),
        on_time=54,
        extended_on_time=6,
        learning_forms=15,
        ombudsman=(
            ("premature", None), ("premature", None), ("premature", None), ("premature", None),
            ("premature", None),
            ("upheld_fault_and_injustice", None), ("upheld_fault_and_injustice", None),
            ("upheld_fault_and_injustice", None),
            ("not_upheld", None),
            ("upheld_fault_and_injustice", 250.0),
            ("upheld_remedied_already", None),
            ("not_upheld", None),
        ),
        costs_pence=(1_221_590, 1_021_405, 2_582_900, 2_384_870),
        reassigned=8,
        suspended=4,
    ),
    corporate=CorporateFigures(
        by_month=(10, 9, 9, 8, 7, 9, 9, 8, 6, 9, 8, 8),
        on_time=80,
        extended_on_time=6,
        escalated=(4, 6),
        learning_forms=9,
    ),
    compliments=(35, 45),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (REFERENCE_2023_24,)}
