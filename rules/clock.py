"""The stage's clock: extending it, and stopping and restarting it (suspension).

An extension counts from the current due date; a suspension moves the due date later by
the working days the clock was stopped, so it never erases lateness (rulebook 2).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import COMPLAINANT, SUSPENSION_REASONS, Notice, Suspension
from rules import chasing
from rules.deadlines import due_after_resumption, due_after_suspension, extended_due, working_days_left
from rules.moments import fmt, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def refuse_extend(c: Complaint, req: a.Extend, now: datetime) -> str | None:
    if (r := c.general_refusal("extend")) is not None:
        return r
    if (r := c.needs_running_clock("extend")) is not None:
        return r
    s = c.stage
    extra = c.stage_policy().extra_working_days
    if extra is None:
        return f"stage {s.stage} of the {c.policy.name} procedure cannot be extended"
    if s.extended_due is not None:
        return f"stage {s.stage} was already extended (to {s.extended_due}); a stage is extended once"
    if not req.reason:
        return "an extension needs a reason"
    furthest = extended_due(c.calendar, s.due, extra)
    if req.new_due is not None:
        if req.new_due <= s.due:
            return f"the new due date {req.new_due} is not after the current due date {s.due}"
        if req.new_due > furthest:
            return f"the new due date {req.new_due} is beyond the furthest this stage may be extended to ({furthest})"
        if not c.calendar.is_working_day(req.new_due):
            return f"the new due date {req.new_due} is not a working day"
    return None


def extend(c: Complaint, req: a.Extend, now: datetime) -> list[Notice]:
    s = c.stage
    s.due = req.new_due or extended_due(c.calendar, s.due, c.stage_policy().extra_working_days)
    s.extended_due = s.due
    s.extension_reason = req.reason
    c.log(now, "extend", f"{req.reason}; due {s.due}")
    return c.notices(now, [("extension_letter", COMPLAINANT, {"reason": req.reason, "new_due": fmt(s.due)})])


def refuse_suspend(c: Complaint, req: a.Suspend, now: datetime) -> str | None:
    if (r := c.general_refusal("suspend")) is not None:
        return r
    if not c.policy.suspension_allowed:
        return f"the {c.policy.name} procedure does not allow a complaint to be paused"
    if c.state.status == "suspended":
        return f"the complaint is already suspended (since {c.stage.suspended_on})"
    if (r := c.needs_running_clock("suspend")) is not None:
        return r
    if req.reason not in SUSPENSION_REASONS:
        return f"suspension reason {req.reason!r} is not one of {', '.join(SUSPENSION_REASONS)}"
    return None


def suspend(c: Complaint, req: a.Suspend, now: datetime) -> list[Notice]:
    s, today = c.stage, london(now).date()
    left = working_days_left(c.calendar, today, s.due)
    late = chasing.overdue_day_number(c.calendar, s.due, today)
    extra = {"reason": req.reason, "days_left": str(left)}
    if c.state.rules_version >= 2:
        s.suspensions.append(Suspension(on=today, reason=req.reason, days_left=left, due=s.due))
        if late:
            # Already late: the letter says so, and never that time is left.
            extra = {"reason": req.reason, "days_late": str(late), "was_due": fmt(s.due)}
    else:
        s.suspensions.append(Suspension(on=today, reason=req.reason, days_left=left))
    s.suspended_on, s.days_left, s.due = today, left, None
    c.state.status = "suspended"
    note = f"{late} working days late" if late and c.state.rules_version >= 2 else f"{left} working days left"
    c.log(now, "suspend", f"{req.reason}; {note}")
    return c.notices(now, [("suspension_letter", COMPLAINANT, extra)])


def refuse_resume(c: Complaint, req: a.Resume, now: datetime) -> str | None:
    if (r := c.general_refusal("resume")) is not None:
        return r
    if c.state.status != "suspended":
        return "the complaint is not suspended"
    return None


def resume(c: Complaint, req: a.Resume, now: datetime) -> list[Notice]:
    s, today = c.stage, london(now).date()
    suspension = s.suspensions[-1]
    if c.state.rules_version >= 2:
        s.due = due_after_suspension(c.calendar, suspension.due, suspension.on, today)
    else:
        s.due = due_after_resumption(c.calendar, today, s.days_left)
    suspension.resumed = today
    s.suspended_on, s.days_left = None, None
    c.state.status = "open"
    c.log(now, "resume", f"due {s.due}")
    extra = {"new_due": fmt(s.due)}
    if c.state.rules_version >= 2 and today > s.due:
        extra["late"] = "yes"
    return c.notices(now, [("resumption_letter", COMPLAINANT, extra)])
