"""The lessons-learnt form the officer who answered a stage owes the council.

The checks are plain functions over stage records (the workflow's, or the record store's
rows once the workflow has ended): only the attributes named are read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from models import actions as a
from models.complaint import Notice
from rules.moments import london

if TYPE_CHECKING:
    from rules.complaint import Complaint


def awaiting_learning(stages: Sequence[Any]) -> Any | None:
    """The latest stage (``stage``, ``responding_officer``, ``learning_submitted``)
    answered by an officer whose lessons-learnt form has not come in."""
    for record in reversed(stages):
        if record.responding_officer and record.learning_submitted is None:
            return record
    return None


def learning_refusal(stages: Sequence[Any]) -> str | None:
    if awaiting_learning(stages) is None:
        return "no lessons-learnt form is awaited: no stage has been answered by an officer without one"
    return None


def refuse_submit_learning(c: Complaint, req: a.SubmitLearning, now: datetime) -> str | None:
    if c.state.status == "withdrawn":
        return c.general_refusal("submit_learning")
    return learning_refusal(c.state.stages)


def submit_learning(c: Complaint, req: a.SubmitLearning, now: datetime) -> list[Notice]:
    record = awaiting_learning(c.state.stages)
    record.learning_submitted = london(now).date()
    record.learning_text = req.text
    c.log(now, "submit_learning", f"stage {record.stage}")
    return []
