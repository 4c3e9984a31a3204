"""What happens to a complaint by itself as days pass: chasing at the chasing hour of
each working day, and windows running out (to ask for the next stage, to resubmit,
to reopen a closed complaint).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from models.complaint import Notice
from rules import chasing
from rules.moments import LONDON, at_hour, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def chases_on(c: Complaint, day: date) -> list[chasing.Chase]:
    """Everything chasing sends at the chasing hour of ``day``."""
    st, s = c.state, c.stage
    if st.status in ("suspended", "discontinued", "withdrawn") or not c.calendar.is_working_day(day):
        return []
    found: list[chasing.Chase] = []
    if st.status == "open" and s.responded is None and s.due is not None:
        needs_officer = c.stage_policy().has_officer
        chain = chasing.escalation_chain(c.officers, s.officer) if s.officer else []
        found += chasing.clock_chases(
            c.calendar, c.policy.chasing, day, start_day=s.start_day, due=s.due,
            officer=s.officer, needs_officer=needs_officer, chain=chain,
        )
    for record in st.stages:
        if record.responding_officer and record.learning_submitted is None:
            nxt = chasing.next_learning_reminder(
                c.calendar, c.policy.chasing, record.responded, record.learning_reminders_sent
            )
            if nxt is not None and nxt <= day:
                found.append(chasing.Chase("learning_reminder", record.responding_officer, level=record.stage))
    return found


def _transitions(c: Complaint) -> list[tuple[datetime, str]]:
    """Moments when the complaint changes by itself: a window runs out."""
    st, s = c.state, c.stage
    out: list[tuple[datetime, str]] = []
    midnight = lambda day: datetime.combine(day + timedelta(days=1), time(0), LONDON)  # noqa: E731
    if st.status == "open" and (end := c.window_end(s)) is not None:
        out.append((midnight(end), "window_closed"))
    if st.status == "discontinued" and (end := c.resubmission_deadline()) is not None:
        out.append((midnight(end), "resubmission_window_closed"))
    if st.status == "closed" and not st.archived:
        out.append((midnight(c.reopen_until()), "archived"))
    return out


def next_wake(c: Complaint, horizon_days: int = 400) -> datetime | None:
    """The next moment something is due to happen on its own, or None."""
    candidates = [when for when, _ in _transitions(c)]
    day = c.state.chased_through + timedelta(days=1)
    for _ in range(horizon_days):
        if chases_on(c, day):
            candidates.append(at_hour(day, c.policy.chasing.hour))
            break
        day += timedelta(days=1)
    return min(candidates) if candidates else None


def advance(c: Complaint, now: datetime) -> list[Notice]:
    """Do everything that has fallen due by ``now``: chasing days, then windows running out."""
    now = london(now)
    notices: list[Notice] = []
    hour = c.policy.chasing.hour
    while True:
        day = c.state.chased_through + timedelta(days=1)
        chased_at = at_hour(day, hour)
        if chased_at > now:
            break
        notices += _send_chases(c, day, chased_at)
        c.state.chased_through = day
    # One window running out can open the next (closing starts the reopen window).
    while due := sorted(t for t in _transitions(c) if t[0] <= now):
        when, what = due[0]
        if what == "archived":
            c.state.archived = True
        else:
            c.close(when.date() - timedelta(days=1))
        c.log(when, what)
    return notices


def _send_chases(c: Complaint, day: date, at: datetime) -> list[Notice]:
    items = []
    for chase in chases_on(c, day):
        extra: dict[str, str] = {}
        if chase.kind == "escalation":
            extra = {"level": str(chase.level), "officer_name": c.officer_name(c.stage.officer)}
        if chase.kind == "learning_reminder":
            record = c.state.stages[chase.level - 1]
            record.learning_reminders_sent += 1
            extra = {"officer_name": c.officer_name(record.responding_officer),
                     "learning_stage": str(record.stage)}
        items.append((chase.kind, chase.to, extra))
    return c.notices(at, items)


def is_finished(c: Complaint) -> bool:
    """Whether the workflow can end: withdrawn, or closed past its reopen window with nothing left to chase."""
    st = c.state
    if st.status == "withdrawn":
        return True
    return st.status == "closed" and st.archived and next_wake(c, horizon_days=30) is None
