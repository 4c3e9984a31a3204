"""Answering a stage, and moving on: the response, the request for the next stage, and
the independent person who joins a stage 2 investigation.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import COMPLAINANT, ESCALATION_REASONS, OUTCOMES, PANEL_MEETING, PANEL_REPORT, Notice
from rules.lateness import record_with_response, refuse_respond_extras
from rules.moments import fmt, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def refuse_respond(c: Complaint, req: a.Respond, now: datetime) -> str | None:
    if (r := c.general_refusal("respond")) is not None:
        return r
    if (r := c.needs_running_clock("respond")) is not None:
        return r
    s = c.stage
    if req.outcome not in OUTCOMES:
        return f"outcome {req.outcome!r} is not one of {', '.join(OUTCOMES)}"
    if c.stage_policy().has_officer and s.officer is None:
        return f"stage {s.stage} has no investigating officer; assign one before recording the response"
    if s.clock == PANEL_MEETING:
        return "the review panel has not met yet (record panel_held first)"
    if s.clock == PANEL_REPORT:
        return "the panel's recommendations have not been received yet (record panel_report first)"
    return refuse_respond_extras(c, req, london(now).date())


def respond(c: Complaint, req: a.Respond, now: datetime) -> list[Notice]:
    s, today = c.stage, london(now).date()
    s.responded, s.outcome, s.responding_officer = today, req.outcome, s.officer
    if s.clock is not None:
        s.clocks_met.append(today <= s.due)
        s.on_time = all(s.clocks_met)
    else:
        s.on_time = today <= s.due
    record_with_response(s, req)
    extra = {"outcome": req.outcome}
    window_end = c.window_end(s)
    if window_end:
        extra["escalate_by"] = fmt(window_end)
    else:
        c.close(today)
    c.log(now, "respond", req.outcome)
    return c.notices(now, [("response_issued", COMPLAINANT, extra)])


def refuse_escalate(c: Complaint, req: a.Escalate, now: datetime) -> str | None:
    st, s, today = c.state, c.stage, london(now).date()
    if st.status == "withdrawn":
        return c.general_refusal("escalate")
    if st.status in ("suspended", "discontinued"):
        return f"the complaint is {st.status}; it cannot move to the next stage now"
    if req.reason not in ESCALATION_REASONS:
        return f"escalation reason {req.reason!r} is not one of {', '.join(ESCALATION_REASONS)}"
    if s.stage >= c.policy.last_stage:
        return f"the {c.policy.name} procedure has no stage after stage {s.stage}"
    if req.late_accepted and not req.late_reason:
        return "a request accepted late needs the reason it was accepted"
    if st.status == "closed":
        if not req.late_accepted:
            return f"the complaint closed on {st.closed_on}; a later request must be accepted late, with a reason"
        if today > c.reopen_until():
            return f"the complaint closed on {st.closed_on}, more than a year ago; it cannot be reopened"
        return None
    if s.responded is None:
        if not c.is_overdue(today):
            return (
                f"stage {s.stage} has not been answered and is not overdue (due {s.due}); "
                "the complainant may ask for the next stage after the response or once it is late"
            )
        return None
    window_end = c.window_end(s)
    if today > window_end and not req.late_accepted:
        return (
            f"the window to ask for stage {s.stage + 1} closed on {window_end}; "
            "a later request must be accepted late, with a reason"
        )
    return None


def escalate(c: Complaint, req: a.Escalate, now: datetime) -> list[Notice]:
    s = c.stage
    if s.responded is None:
        # Left without a response: the stage shows no response and not on time.
        s.outcome, s.on_time = "no_response", False
    c.state.closed_on = None
    c.start_stage(s.stage + 1, london(now), req.reason, req.late_reason if req.late_accepted else None)
    c.log(now, "escalate", req.reason)
    kind = f"stage{c.state.stage}_acknowledgement"
    return c.notices(now, [(kind, COMPLAINANT, {"reason": req.reason})])


def refuse_appoint_independent_person(c: Complaint, req: a.AppointIndependentPerson, now: datetime) -> str | None:
    if (r := c.general_refusal("appoint")) is not None:
        return r
    rules = c.stage_policy()
    if not rules.independent_person:
        where = [str(s.stage) for s in c.policy.stages if s.independent_person]
        return (f"stage {rules.stage} ({rules.name}) of the {c.policy.name} procedure has no independent person; "
                + (f"one is appointed at stage {' or '.join(where)}" if where
                   else f"the {c.policy.name} procedure appoints none"))
    if not req.name:
        return "the independent person's name is needed"
    return None


def appoint_independent_person(c: Complaint, req: a.AppointIndependentPerson, now: datetime) -> list[Notice]:
    c.stage.independent_person = req.name
    c.log(now, "appoint_independent_person")
    if c.state.rules_version < 2:
        return []
    return c.notices(now, [("independent_person_letter", COMPLAINANT, {"independent_person": req.name})])
