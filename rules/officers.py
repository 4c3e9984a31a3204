"""Who investigates: assigning and reassigning the officer for the current stage.

The clock is the complainant's, not the officer's: a new officer takes over the same
deadline. Stage 2 goes to someone new to the complaint where the procedure says so.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import Assignment, Notice
from rules.moments import london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def refuse_assign(c: Complaint, req: a.Assign, now: datetime, reassign: bool = False) -> str | None:
    verb = "reassign" if reassign else "assign"
    if (r := c.general_refusal(verb)) is not None:
        return r
    s = c.stage
    if not c.stage_policy().has_officer:
        return f"stage {s.stage} is run by the complaints team and the review panel; it has no investigating officer"
    directory = {o.id: o for o in req.officers} if req.officers else c.officers
    if req.officer not in directory:
        return f"officer {req.officer!r} is not in the council's directory{_did_you_mean(req.officer, directory)}"
    if s.responded is not None:
        return f"stage {s.stage} was answered on {s.responded}; there is nothing left to investigate"
    if not reassign and s.officer is not None:
        return f"stage {s.stage} already has an investigating officer ({s.officer}); use reassign to change officer"
    if reassign and s.officer is None:
        return f"stage {s.stage} has no investigating officer yet; use assign"
    if reassign and s.officer == req.officer:
        return f"{req.officer} is already the investigating officer for stage {s.stage}"
    if c.stage_policy().officer_new_to_the_complaint:
        earlier = sorted({x.stage for x in c.state.assignments if x.officer == req.officer and x.stage < s.stage})
        if earlier:
            return (
                f"{req.officer} was assigned to this complaint at stage {earlier[0]}; stage {s.stage} of the "
                f"{c.policy.name} procedure needs someone other than the stage {earlier[0]} officer"
            )
    elif c.stage_policy().officer_must_differ_from_previous_stage and s.stage > 1:
        previous = c.state.stages[-2]
        if req.officer in (previous.officer, previous.responding_officer):
            return (
                f"the {c.policy.name} procedure needs someone other than the stage {previous.stage} "
                f"officer ({req.officer}) to handle stage {s.stage}"
            )
    return None


def _did_you_mean(officer: str, directory: dict) -> str:
    """The directory's closest ids to a mistyped one, closest first, ignoring case (only
    ever in a refusal, so it changes nothing a complaint records)."""
    typed = str(officer).lower()
    by_lower = {str(x).lower(): str(x) for x in directory}
    close = difflib.get_close_matches(typed, list(by_lower), n=3)
    close.sort(key=lambda x: (-difflib.SequenceMatcher(None, typed, x).ratio(), x))
    return f" (did you mean {', '.join(by_lower[x] for x in close)}?)" if close else ""


def refuse_reassign(c: Complaint, req: a.Assign, now: datetime) -> str | None:
    return refuse_assign(c, req, now, reassign=True)


def assign(c: Complaint, req: a.Assign, now: datetime) -> list[Notice]:
    c.refresh_directory(req.officers)
    s = c.stage
    s.officer = req.officer
    c.state.assignments.append(Assignment(stage=s.stage, officer=req.officer, at=london(now)))
    c.log(now, "assign", req.officer)
    return c.notices(now, [("assignment", req.officer, {})])


def reassign(c: Complaint, req: a.Assign, now: datetime) -> list[Notice]:
    c.refresh_directory(req.officers)
    s = c.stage
    previous = s.officer
    s.officer = req.officer
    c.state.assignments.append(
        Assignment(stage=s.stage, officer=req.officer, at=london(now), replaced_officer=previous)
    )
    c.log(now, "reassign", f"{previous} -> {req.officer}")
    extra = {"previous_officer_name": c.officer_name(previous)}
    return c.notices(now, [("handover", req.officer, extra), ("reassignment_notice", previous, extra)])
