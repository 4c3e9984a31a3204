"""After the council: the Ombudsman (LGSCO) and what stages 2 and 3 cost.

The checks are plain functions: the workflow runs them on its state, and the record store
on its rows once a complaint's workflow has ended (a year after it closed), so both refuse
for the same reasons in the same words. Records are the workflow's dataclasses or the
store's rows: only the attributes named are read.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from models import actions as a
from models.complaint import COST_ITEMS, OMBUDSMAN_RESULTS, Cost, Notice, OmbudsmanReferral
from rules.moments import dated, fmt, london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def withdrawn_refusal(withdrawn_on: date | None) -> str:
    return f"the complaint was withdrawn on {withdrawn_on}; nothing more can be done to it"


def open_referral(referrals: Iterable[Any]) -> Any | None:
    """The referral (``referred``, ``decided``) still awaiting the Ombudsman's decision."""
    return next((r for r in referrals if r.decided is None), None)


def referral_refusal(req: a.ReferToOmbudsman, referrals: Iterable[Any], received: date, today: date) -> str | None:
    waiting = open_referral(referrals)
    if waiting is not None:
        return f"the complaint is already with the Ombudsman (referred {waiting.referred}), awaiting a decision"
    return dated(req.on, today, received, "a referral")[1]


def decision_refusal(req: a.OmbudsmanDecision, referrals: Iterable[Any], received: date, today: date) -> str | None:
    if open_referral(referrals) is None:
        return "the complaint is not with the Ombudsman (record refer_to_ombudsman first)"
    if req.result not in OMBUDSMAN_RESULTS:
        return f"Ombudsman result {req.result!r} is not one of {', '.join(OMBUDSMAN_RESULTS)}"
    if req.remedy_gbp is not None and req.remedy_gbp < 0:
        return f"a remedy cannot be negative ({req.remedy_gbp})"
    return dated(req.on, today, received, "a decision")[1]


def cost_refusal(
    req: a.RecordCost, stages_reached: Collection[int], last_stage: int, received: date, today: date
) -> str | None:
    if req.stage not in (2, 3) or req.stage > last_stage:
        return f"costs are recorded for stages 2 and 3 of a procedure that has them; not stage {req.stage}"
    if req.stage not in stages_reached:
        return f"the complaint has not reached stage {req.stage}"
    if req.item not in COST_ITEMS:
        return f"cost item {req.item!r} is not one of {', '.join(COST_ITEMS)}"
    if not req.amount_gbp > 0:
        return f"a cost must be more than nothing ({req.amount_gbp})"
    return dated(req.on, today, received, "a cost")[1]


def refuse_refer_to_ombudsman(c: Complaint, req: a.ReferToOmbudsman, now: datetime) -> str | None:
    if c.state.status == "withdrawn":
        return c.general_refusal("refer_to_ombudsman")
    return referral_refusal(req, c.state.ombudsman, c.state.received.date(), london(now).date())


def refer_to_ombudsman(c: Complaint, req: a.ReferToOmbudsman, now: datetime) -> list[Notice]:
    day, _ = c.on_or_today(req.on, now, "a referral")
    c.state.ombudsman.append(OmbudsmanReferral(referred=day))
    c.log(now, "refer_to_ombudsman", fmt(day))
    return []


def refuse_ombudsman_decision(c: Complaint, req: a.OmbudsmanDecision, now: datetime) -> str | None:
    return decision_refusal(req, c.state.ombudsman, c.state.received.date(), london(now).date())


def ombudsman_decision(c: Complaint, req: a.OmbudsmanDecision, now: datetime) -> list[Notice]:
    referral = open_referral(c.state.ombudsman)
    referral.decided, _ = c.on_or_today(req.on, now, "a decision")
    referral.result, referral.remedy_gbp = req.result, req.remedy_gbp
    c.log(now, "ombudsman_decision", req.result)
    return []


def refuse_record_cost(c: Complaint, req: a.RecordCost, now: datetime) -> str | None:
    return cost_refusal(
        req, {s.stage for s in c.state.stages}, c.policy.last_stage,
        c.state.received.date(), london(now).date(),
    )


def record_cost(c: Complaint, req: a.RecordCost, now: datetime) -> list[Notice]:
    day, _ = c.on_or_today(req.on, now, "a cost")
    c.state.costs.append(Cost(stage=req.stage, on=day, item=req.item, amount_gbp=req.amount_gbp))
    c.log(now, "record_cost", f"stage {req.stage} {req.item}")
    return []
