"""The report's figures in the words and forms a reader expects.

The CSV files keep the short column names scripts read (``share_pct``, ``remedies_gbp``):
what a person reads, in the HTML and the PDF, says "Share of complaints" and "£1,234.50",
"April 2023" and "41%", as the reference report writes them.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from models.words import LABELS
from reports.suppression import HIDDEN

# Which of the engine's lists a column's codes come from, and the order to look a code up
# in when the column does not say (a chart's categories).
KINDS = {"outcome": "outcome", "result": "ombudsman_result", "channel": "channel", "reason": "reason",
         "escalation_reason": "escalation_reason"}

# Column names in words. A column not named here is read from its name (underscores to spaces).
COLUMNS = {
    "month": "Month",
    "year": "Year",
    "complaints": "Complaints",
    "previous_year": "The year before",
    "share_pct": "Share of complaints",
    "service_area": "Service area",
    "complainant": "Who complained",
    "reason": "Reason",
    "escalation_reason": "Reason",
    "requests": "Requests",
    "responses": "Responses",
    "channel": "How the complaint arrived",
    "recommendation": "Recommendation",
    "final_stage": "Stage",
    "description": "How far it went",
    "resolved_at_stage1": "Resolved at stage 1",
    "resolved_at_stage1_pct": "Share resolved at stage 1",
    "source": "Figures from",
    "outcome": "Outcome",
    "category": "Response",
    "out_of_timescale": "Out of timescale",
    "out_of_timescale_pct": "Share out of timescale",
    "late": "Out of timescale",
    "late_pct": "Share out of timescale",
    "previous_year_late": "Out of timescale, the year before",
    "previous_year_late_pct": "Share out of timescale, the year before",
    "stage": "Stage",
    "reached": "Complaints reaching the stage",
    "on_time": "On time",
    "extended": "On time, after an extension",
    "awaiting": "Not yet due",
    "withdrawn": "Withdrawn",
    "discontinued": "Discontinued",
    "result": "The Ombudsman's decision",
    "referrals": "Referrals",
    "remedies_gbp": "Remedies paid",
    "forms_returned": "Lessons-learnt forms returned",
    "lesson": "Lesson",
    "quarter": "Quarter",
    "spent_gbp": "Spent in the quarter",
    "cumulative_gbp": "Spent in the year so far",
    "previous_year_gbp": "Spent in the quarter, the year before",
    "previous_cumulative_gbp": "The year before, so far",
    "change_pct": "Change on the year before",
    "beyond_timescale": "Later than the timescale",
    "beyond_timescale_pct": "Share later than the timescale",
    "team": "Team",
    "officer": "Member of staff",
    "compliment": "Compliment",
    "compliments": "Compliments",
    "received": "Received",
    "late_responses": "Responses late",
    "not_answered": "Of which not answered",
}

# Columns of what people wrote or named (a team, a member of staff, a lesson): printed as written.
WRITTEN = {"team", "officer", "service_area", "lesson", "compliment", "recommendation"}

# The report's own categories in words (its groups of complainants, how a response stood,
# where a figure comes from); the engine's codes are models.words' (KINDS).
CATEGORIES = {
    "child": "Child or young person",
    "child_with_advocate": "Child or young person, with an advocate",
    "family_member": "Parent or family member",
    "foster_carer": "Foster carer",
    "adopter": "Adopter",
    "professional": "Professional",
    "other": "Other",
    "awaiting": "Not yet answered",
    "on_time": "On time",
    "extended": "On time, after an extension",
    "late": "Late, or not answered",
    "awaiting_decision": "Awaiting decision",
    "records": "The record store",
    "history": "The council's published figures",
    "not recorded": "Not recorded",
}


def column(name: str) -> str:
    """A column's heading in words."""
    if name in COLUMNS:
        return COLUMNS[name]
    if name in CATEGORIES:
        return CATEGORIES[name]
    if name in LABELS["ombudsman_result"]:       # the decisions, as columns of the table by year
        return LABELS["ombudsman_result"][name]
    if name.startswith("within_"):
        return f"Within {name.removeprefix('within_')} working days"
    return name.replace("_", " ").capitalize()


def category(value: str, kind: str | None = None) -> str:
    """A category code in words (from the engine's list ``kind`` when given); text that is
    already words is left as written."""
    if value in CATEGORIES:
        return CATEGORIES[value]
    for each in ([kind] if kind else KINDS.values()):
        if value in LABELS.get(each, {}):
            return LABELS[each][value]
    if value.startswith("within_") and value.removeprefix("within_").isdigit():
        return f"Within {value.removeprefix('within_')} working days"
    if " " not in value and (value.islower() or "_" in value):
        return value.replace("_", " ").capitalize()
    return value


def month(value: str) -> str:
    """'2023-04' as 'April 2023'."""
    year, number = value.split("-")
    return f"{date(int(year), int(number), 1):%B %Y}"


def money(value: float) -> str:
    return f"£{value:,.2f}"


def percent(value: float) -> str:
    """A share as a whole number, as the reference report gives them (a half rounds up)."""
    return f"{Decimal(str(value)).quantize(Decimal('1'), rounding=ROUND_HALF_UP)}%"


def day(value: str | date) -> str:
    d = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{d:%-d %B %Y}"


def cell(name: str, value: Any) -> str:
    """One table cell as the report prints it."""
    if value is None or value == "":
        return "–"
    if value == HIDDEN:
        return HIDDEN
    if isinstance(value, bool):
        return "yes" if value else "no"
    if name.endswith("_pct") and isinstance(value, (int, float)):
        return percent(value)
    if name.endswith("_gbp") and isinstance(value, (int, float)):
        return money(value)
    if name == "month" and isinstance(value, str) and len(value) == 7:
        return month(value)
    if name == "received" and isinstance(value, str) and len(value) == 10:
        return day(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, str):
        return value if name in WRITTEN else category(value, KINDS.get(name))
    return str(value)


def is_number(name: str, value: Any) -> bool:
    """Right-aligned in a table: numbers, money, shares and hidden counts."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) or value == HIDDEN
