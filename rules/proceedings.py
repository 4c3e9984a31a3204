"""Court proceedings or a police investigation (reg 8): a complaint discontinued, the
proceedings ending, and the complaint resubmitted with its stage's full clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import COMPLAINANT, SUSPENSION_REASONS, Discontinuation, Notice
from rules.moments import fmt, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def refuse_discontinue(c: Complaint, req: a.Discontinue, now: datetime) -> str | None:
    if (r := c.general_refusal("discontinue")) is not None:
        return r
    if c.state.status == "discontinued":
        return f"the complaint is already discontinued (since {c.state.discontinuation.on})"
    if not c.policy.suspension_allowed:
        return f"the {c.policy.name} procedure does not allow a complaint to be set aside for proceedings"
    if c.stage.responded is not None:
        return f"stage {c.stage.stage} was answered on {c.stage.responded}; there is nothing to discontinue"
    if req.reason not in SUSPENSION_REASONS:
        return f"reason {req.reason!r} is not one of {', '.join(SUSPENSION_REASONS)}"
    return None


def discontinue(c: Complaint, req: a.Discontinue, now: datetime) -> list[Notice]:
    s, today = c.stage, london(now).date()
    c.state.discontinuation = Discontinuation(on=today, reason=req.reason, stage=s.stage)
    s.due, s.suspended_on, s.days_left = None, None, None
    c.state.status = "discontinued"
    c.log(now, "discontinue", req.reason)
    extra = {"reason": req.reason, "proceedings": req.detail or req.reason.replace("_", " ")}
    return c.notices(now, [("discontinuation_letter", COMPLAINANT, extra)])


def refuse_proceedings_ended(c: Complaint, req: a.ProceedingsEnded, now: datetime) -> str | None:
    if (r := c.general_refusal("proceedings_ended")) is not None:
        return r
    d = c.state.discontinuation
    if c.state.status != "discontinued":
        return "the complaint is not discontinued for proceedings"
    if req.on > london(now).date():
        return f"proceedings cannot be recorded as ended on {req.on}, a date still to come"
    if req.on < d.on:
        return f"the proceedings cannot have ended on {req.on}, before the complaint was discontinued ({d.on})"
    return None


def proceedings_ended(c: Complaint, req: a.ProceedingsEnded, now: datetime) -> list[Notice]:
    c.state.discontinuation.proceedings_ended = req.on
    c.log(now, "proceedings_ended", fmt(req.on))
    return []


def refuse_resubmit(c: Complaint, req: a.Resubmit, now: datetime) -> str | None:
    if (r := c.general_refusal("resubmit")) is not None:
        return r
    if not c.awaiting_resubmission():
        return "the complaint is not discontinued; only a discontinued complaint can be resubmitted"
    if c.state.status == "closed" and london(now).date() > c.reopen_until():
        return f"the complaint closed on {c.state.closed_on}, more than a year ago; it cannot be reopened"
    deadline = c.resubmission_deadline()
    if deadline is None:
        return "the proceedings have not been recorded as ended (record proceedings_ended first)"
    if req.late_accepted and not req.late_reason:
        return "a resubmission accepted late needs the reason it was accepted"
    if london(now).date() > deadline and not req.late_accepted:
        return f"the window to resubmit closed on {deadline}; a later resubmission must be accepted late, with a reason"
    return None


def resubmit(c: Complaint, req: a.Resubmit, now: datetime) -> list[Notice]:
    d, old = c.state.discontinuation, c.stage
    d.resubmitted = london(now).date()
    c.state.closed_on = None
    # The stage starts again with its full clock from the resubmission; the officer stays.
    c.state.stages.pop()
    c.start_stage(d.stage, london(now), old.request_reason, old.late_accepted_reason)
    c.stage.officer = old.officer
    c.log(now, "resubmit")
    return c.notices(now, [("acknowledgement", COMPLAINANT, {"resubmitted": "yes"})])
