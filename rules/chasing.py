"""Who is chased, and when (procedures section 4).

Pure functions over a stage's clock: given a working day, which reminders, overdue
notices and escalations fall due at the chasing hour. The workflow asks for the next
day with anything to send, sleeps until then, and sends what these functions return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.complaint import COMPLAINANT, COMPLAINTS_TEAM, Officer
from policies import Chasing
from rules.calendar import WorkingCalendar


@dataclass(frozen=True)
class Chase:
    """One notice due on a chasing day: its kind, who it is for, and for an escalation its level."""

    kind: str
    to: str
    level: int | None = None


def escalation_chain(officers: dict[str, Officer], officer_id: str) -> list[str]:
    """The officer's managers, nearest first, up to the top of the directory."""
    chain: list[str] = []
    manager = officers[officer_id].manager if officer_id in officers else None
    while manager and manager in officers and manager not in chain:
        chain.append(manager)
        manager = officers[manager].manager
    return chain


def overdue_day_number(calendar: WorkingCalendar, due: date, day: date) -> int:
    """1 on the first working day after the due date, 2 on the next, ...; 0 on or before it."""
    return calendar.working_days_after_until(due, day) if day > due else 0


def clock_chases(
    calendar: WorkingCalendar,
    rules: Chasing,
    day: date,
    *,
    start_day: date,
    due: date,
    officer: str | None,
    needs_officer: bool,
    chain: list[str],
) -> list[Chase]:
    """What a running clock sends on a working day.

    ``needs_officer`` is false for a stage the complaints team runs itself (stage 3):
    its reminders go to the team and nobody is escalated to. While a stage that needs
    an officer has none, the team is alerted daily and takes the officer's notices.
    """
    if not calendar.is_working_day(day):
        return []
    chases: list[Chase] = []
    handler = officer if (needs_officer and officer) else COMPLAINTS_TEAM
    if needs_officer and officer is None:
        if day >= calendar.add_working_days(start_day, rules.unassigned_after_working_days):
            chases.append(Chase("unassigned_alert", COMPLAINTS_TEAM))
    if day == calendar.working_days_before(due, rules.due_soon_working_days_before) and day >= start_day:
        chases.append(Chase("due_soon", handler))
    if day == due:
        chases.append(Chase("due_today", handler))
    n = overdue_day_number(calendar, due, day)
    if n and (n - 1) % rules.overdue_repeat_working_days == 0:
        level = (n - 1) // rules.overdue_repeat_working_days + 1
        chases.append(Chase("overdue", handler))
        if level == 1:
            chases.append(Chase("delay_letter", COMPLAINANT))
        if needs_officer and officer and chain:
            chases.append(Chase("escalation", chain[min(level, len(chain)) - 1], level))
    return chases


def next_learning_reminder(
    calendar: WorkingCalendar, rules: Chasing, responded: date, reminders_sent: int
) -> date | None:
    """The day the next lessons-learnt reminder is due, or None once the last has gone."""
    if reminders_sent >= rules.learning_reminders_at_most:
        return None
    offset = rules.learning_first_after_working_days + rules.learning_repeat_working_days * reminders_sent
    return calendar.add_working_days(responded, offset)
