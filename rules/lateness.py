"""Why a late response was late, and what the stage 2 investigating officer recommends.

A stage's response is late when it is given after the stage's due date (its extended due
date, once extended; at stage 3, when any of its clocks was missed). Its reason is a code
from the council's list (``council/late_reasons.py``) with a note, given with the
response or afterwards (``late_reason``). A late response given without one is taken, as
old scripts and histories give it, and stays "not recorded" until someone says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING

from council.late_reasons import SHIPPED
from models import actions as a
from models.complaint import Notice, StageRecord

if TYPE_CHECKING:
    from rules.complaint import Complaint

# The stage whose response the investigating officer's recommendations come with.
RECOMMENDATIONS_STAGE = 2


def reason_refusal(code: str, listed: Sequence[str] | None) -> str | None:
    """Why ``code`` cannot be taken as the reason: it must be on the council's list (the
    one the request carries, else the list shipped with the engine)."""
    codes = list(listed) if listed is not None else SHIPPED.codes
    if not code or code not in codes:
        return (f"the reason for lateness {code!r} is not on the council's list of reasons for lateness: "
                f"{', '.join(codes)}")
    return None


def late_if_answered(c: Complaint, s: StageRecord, today: date) -> bool:
    """Whether a response given on ``today`` would be late (the rules of ``answering.respond``)."""
    missed_a_clock = s.clock is not None and not all(s.clocks_met)
    return missed_a_clock or (s.due is not None and today > s.due)


def refuse_respond_extras(c: Complaint, req: a.Respond, today: date) -> str | None:
    """The reason for lateness and the recommendations a response may come with."""
    s = c.stage
    if req.late_note and not req.late_reason:
        return "a note on why the response is late needs the reason, from the council's list"
    if req.late_reason is not None:
        if (why := reason_refusal(req.late_reason, req.late_reasons)) is not None:
            return why
        if not late_if_answered(c, s, today):
            return f"the response is not late: due {s.due}; a reason for lateness is only for a late response"
    if req.recommendations:
        if s.stage != RECOMMENDATIONS_STAGE:
            return (f"the investigating officer's recommendations are recorded with the stage "
                    f"{RECOMMENDATIONS_STAGE} response; this is stage {s.stage}")
        for i, text in enumerate(req.recommendations, start=1):
            if not text.strip():
                return f"recommendation {i} is empty; leave it out, or write it"
    return None


def record_with_response(s: StageRecord, req: a.Respond) -> None:
    """Keep what came with the response (called by ``answering.respond``)."""
    if req.late_reason is not None and s.on_time is False:
        s.late_reason, s.late_note = req.late_reason, req.late_note
    s.recommendations = [text.strip() for text in req.recommendations]


def _stage_of(c: Complaint, req: a.LateReason) -> StageRecord | None:
    number = req.stage if req.stage is not None else c.state.stage
    return next((s for s in c.state.stages if s.stage == number), None)


def refuse_late_reason(c: Complaint, req: a.LateReason, now: datetime) -> str | None:
    # Unlike other actions, this may be said after the complaint has closed or been
    # withdrawn: it changes nothing for the complainant, and the annual report needs it.
    if (why := reason_refusal(req.reason, req.late_reasons)) is not None:
        return why
    s = _stage_of(c, req)
    if s is None:
        return f"the complaint has no stage {req.stage}"
    if s.responded is None:
        return (f"stage {s.stage} has no response yet; say why it was late when the late response is recorded "
                "(respond --late-reason)")
    if s.on_time is not False:
        return f"the response is not late: due {s.due}, answered on {s.responded}"
    return None


def late_reason(c: Complaint, req: a.LateReason, now: datetime) -> list[Notice]:
    s = _stage_of(c, req)
    s.late_reason, s.late_note = req.reason, req.note
    c.log(now, "late_reason", f"stage {s.stage}: {req.reason}")
    return []

