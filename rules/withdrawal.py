"""The complainant withdraws the complaint: nothing more is done to it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from models import actions as a
from models.complaint import COMPLAINANT, Notice
from rules.moments import london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def refuse_withdraw(c: Complaint, req: a.Withdraw, now: datetime) -> str | None:
    return c.general_refusal("withdraw")


def withdraw(c: Complaint, req: a.Withdraw, now: datetime) -> list[Notice]:
    c.state.status = "withdrawn"
    c.state.withdrawn_on = london(now).date()
    c.state.withdrawal_reason = req.reason
    c.log(now, "withdraw")
    return c.notices(now, [("withdrawal_confirmation", COMPLAINANT, {})])
