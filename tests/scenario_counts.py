"""An independent count of a scenario's annual-report tables (reports/definitions.md).

The tests' oracle: it reads a scenario (docs/contracts.md) and counts, for one
financial year, what the report must say, without the engine's code. It imports nothing
from the project: its working days come from the ``holidays`` package directly, its
clocks are written below, and its deadline counting is its own reading of
docs/procedures.md section 2.

It counts what the scenario asks for, as if the engine accepted every action dated up to
the scenario's ``until`` (actions later than that are never run). Checking that the engine
does accept them is another test's job.

``count_year(scenario, "2023-24")`` returns table name -> {row label: value}, zero rows
left out; the tables are listed in ``count_year``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import yaml

LONDON = ZoneInfo("Europe/London")
PREFIXES = {"children-statutory": "statutory", "corporate": "corporate"}
# Stage 1 clocks, in working days: (the clock, the furthest an extension may take it).
STAGE_ONE = {"children-statutory": (10, 20), "corporate": (15, 25)}
# The report's complainant groups; parents and special guardians count as family members.
GROUPS = {"parent": "family_member", "family_member": "family_member", "special_guardian": "family_member"}
TIME_LIMIT_MONTHS = 12  # a complaint about a matter older than this is refused unless accepted late
ONE_DAY = timedelta(days=1)


# -- working days (procedures.md sections 1 and 2) ---------------------------------------------

class WorkingDays:
    """Weekdays that are not bank holidays in England (and Wales)."""

    def __init__(self) -> None:
        self._years: set[int] = set()
        self._off: set[date] = set()

    def is_working(self, day: date) -> bool:
        if day.year not in self._years:
            self._years.add(day.year)
            self._off |= set(holidays.country_holidays("GB", subdiv="ENG", years=[day.year]).keys())
        return day.weekday() < 5 and day not in self._off

    def start_day(self, day: date) -> date:
        """The day itself if a working day, else the next working day."""
        while not self.is_working(day):
            day += ONE_DAY
        return day

    def plus(self, day: date, n: int) -> date:
        """Working day ``n`` counted after ``day`` (day 1 is the first working day after it)."""
        while n > 0:
            day += ONE_DAY
            if self.is_working(day):
                n -= 1
        return day

    def count_after(self, after: date, through: date) -> int:
        """Working days strictly after ``after``, up to and including ``through``."""
        n, day = 0, after + ONE_DAY
        while day <= through:
            n += self.is_working(day)
            day += ONE_DAY
        return n

    def due(self, start: date, n: int) -> date:
        """The due date of an ``n``-working-day clock started on ``start``."""
        return self.plus(self.start_day(start), n)


DAYS = WorkingDays()


# -- reading a scenario ------------------------------------------------------------------------

def _day(value: Any) -> date:
    """A scenario's date or datetime as a date in Europe/London."""
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(LONDON)).date()
    if isinstance(value, date):
        return value
    text = str(value)
    return _day(datetime.fromisoformat(text)) if "T" in text or " " in text else date.fromisoformat(text)


def _action_day(action: dict[str, Any]) -> date:
    return _day(action["at"]) if action.get("at") is not None else _day(action["date"])


def _months_later(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - ONE_DAY).day
    return date(year, month, min(day.day, last))


def _refused_at_registration(c: dict[str, Any]) -> bool:
    """A matter more than a year old, not accepted late: never a complaint received."""
    matter = c.get("matter_date")
    if matter is None or c.get("late_accepted"):
        return False
    return _day(c["received"]) > _months_later(_day(matter), TIME_LIMIT_MONTHS)


@dataclass
class Referral:
    referred: date
    result: str | None = None
    remedy: float = 0.0


@dataclass
class Story:
    """What happened to one complaint, read from its actions."""

    received: date
    final_stage: int = 1
    due: date | None = None             # stage 1's due date (None while suspended)
    days_left: int | None = None        # while suspended
    extended: bool = False
    responded: date | None = None
    outcome: str | None = None          # stage 1 outcome, or no_response / withdrawn
    withdrawn: bool = False
    escalation_reason: str | None = None
    learning: bool = False
    referrals: list[Referral] = field(default_factory=list)
    costs: list[tuple[date, int]] = field(default_factory=list)   # (incurred, pence)


def read_story(c: dict[str, Any], until: date | None) -> Story:
    policy = c["policy"]
    clock, furthest = STAGE_ONE[policy]
    received = _day(c["received"])
    story = Story(received=received, due=DAYS.due(received, clock))
    for action in c.get("actions") or []:
        day, do = _action_day(action), action["do"]
        if until is not None and day > until:
            break
        if story.withdrawn:
            break
        stage_one_open = story.final_stage == 1 and story.responded is None and story.outcome is None
        if do == "extend" and stage_one_open:
            story.extended = True
            new_due = action.get("new_due")
            story.due = _day(new_due) if new_due is not None else DAYS.plus(story.due, furthest - clock)
        elif do == "suspend" and stage_one_open:
            story.days_left = DAYS.count_after(day, story.due)
            story.due = None
        elif do == "resume" and stage_one_open and story.days_left is not None:
            story.due = DAYS.due(day, story.days_left)
            story.days_left = None
        elif do == "respond" and stage_one_open:
            story.responded, story.outcome = day, action["outcome"]
        elif do == "escalate":
            if story.final_stage == 1:
                story.escalation_reason = action["reason"]
                if story.responded is None:
                    story.outcome = "no_response"
            story.final_stage = min(story.final_stage + 1, 3)
        elif do == "withdraw":
            story.withdrawn = True
            if story.responded is None and story.outcome is None:
                story.outcome = "withdrawn"
        elif do == "submit_learning":
            story.learning = True
        elif do == "refer_to_ombudsman":
            story.referrals.append(Referral(_day(action.get("on") or day)))
        elif do == "ombudsman_decision":
            open_referrals = [r for r in story.referrals if r.result is None]
            if open_referrals:
                open_referrals[0].result = action["result"]
                open_referrals[0].remedy = float(action.get("remedy_gbp") or 0)
        elif do == "record_cost":
            story.costs.append((_day(action.get("on") or day), round(float(action["amount_gbp"]) * 100)))
    return story


def timeliness(story: Story, until: date | None, policy: str) -> str:
    """Stage 1: within_10/within_20 (corporate within_15/within_25), late, awaiting, withdrawn."""
    clock, furthest = STAGE_ONE[policy]
    if story.outcome == "withdrawn":
        return "withdrawn"
    if story.outcome == "no_response":
        return "late"
    if story.responded is not None:
        if story.responded > story.due:
            return "late"
        return f"within_{furthest}" if story.extended else f"within_{clock}"
    if story.due is None:  # suspended: the clock is stopped
        return "awaiting"
    # Still unanswered. With no `until` the simulation runs on until the stage is overdue.
    return "late" if until is None or until > story.due else "awaiting"


def outcome(story: Story) -> str:
    return story.outcome or "awaiting"


# -- the year ----------------------------------------------------------------------------------

def _year_bounds(year: str) -> tuple[date, date]:
    first = int(year.split("-")[0])
    return date(first, 4, 1), date(first + 1, 3, 31)


def _quarter(day: date) -> str:
    return f"Q{((day.month - 4) % 12) // 3 + 1}"


def load(scenario: dict[str, Any] | str | Path) -> dict[str, Any]:
    if isinstance(scenario, dict):
        return scenario
    return yaml.safe_load(Path(scenario).read_text(encoding="utf-8"))


def count_year(scenario: dict[str, Any] | str | Path, year: str) -> dict[str, dict[str, int | float]]:
    """The report's tables for financial year ``year`` ("2023-24"), for each procedure
    prefix ``statutory`` and ``corporate``: ``{p}_by_month``, ``{p}_by_service_area``,
    ``{p}_complainants``, ``{p}_reasons``, ``{p}_escalation_reasons``, ``{p}_stages``,
    ``{p}_outcomes``, ``{p}_timeliness``, ``{p}_learning``, ``{p}_ombudsman`` (with
    ``remedies_gbp``), ``{p}_costs``; and ``compliments_by_team``."""
    data = load(scenario)
    first, last = _year_bounds(year)
    until = _day(data["until"]) if data.get("until") is not None else None
    tables: dict[str, Counter] = {}

    def table(name: str) -> Counter:
        return tables.setdefault(name, Counter())

    for p in PREFIXES.values():
        for name in ("by_month", "by_service_area", "complainants", "reasons", "escalation_reasons", "stages",
                     "outcomes", "timeliness", "learning", "ombudsman", "costs"):
            table(f"{p}_{name}")
    table("compliments_by_team")
    for c in data.get("complaints") or []:
        p = PREFIXES.get(c["policy"])
        if p is None or _refused_at_registration(c):
            continue
        story = read_story(c, until)
        # Referrals and costs belong to the year they were made or incurred.
        for referral in story.referrals:
            if first <= referral.referred <= last:
                table(f"{p}_ombudsman")[referral.result or "awaiting"] += 1
                table(f"{p}_ombudsman")["remedies_gbp"] += referral.remedy
        for incurred, pence in story.costs:
            if first <= incurred <= last:
                table(f"{p}_costs")[_quarter(incurred)] += pence
        if not first <= story.received <= last:
            continue
        month = story.received.strftime("%Y-%m")
        table(f"{p}_by_month")[month] += 1
        if c.get("service_area"):
            table(f"{p}_by_service_area")[c["service_area"]] += 1
        kind = c["complainant"]["type"]
        table(f"{p}_complainants")[GROUPS.get(kind, kind)] += 1
        for reason in set(c.get("reasons") or []):
            table(f"{p}_reasons")[reason] += 1
        if story.escalation_reason is not None:
            table(f"{p}_escalation_reasons")[story.escalation_reason] += 1
        table(f"{p}_stages")[str(story.final_stage)] += 1
        table(f"{p}_outcomes")[outcome(story)] += 1
        table(f"{p}_timeliness")[timeliness(story, until, c["policy"])] += 1
        if story.learning:
            table(f"{p}_learning")[month] += 1
    for compliment in data.get("compliments") or []:
        if first <= _day(compliment["date"]) <= last:
            table("compliments_by_team")[compliment["team"]] += 1

    out: dict[str, dict[str, int | float]] = {}
    for name, counts in tables.items():
        rows: dict[str, int | float] = {}
        for label, value in counts.items():
            if name.endswith("_costs"):
                value = round(value / 100, 2)
            elif label == "remedies_gbp":
                value = round(value, 2)
            if value:
                rows[label] = value
        out[name] = rows
    return out
