"""Histories of real runs replay under the current code, and do the same things.

A complaint lives for a year, so a deploy meets complaints started on older code. Temporal's
replay alone checks only the workflow's shape (one activity per wake, whatever it carries):
deleting a reminder or sending every escalation to the same manager would still replay.
So each replay here also collects what today's code hands the activity at every step (the
complaint's state and the notices to send) and compares it with what the saved history
recorded. A change of behaviour fails these tests until it is gated (a rules version
carried in the complaint's state, or ``workflow.patched``) so that old complaints keep the
old behaviour, and a new folder of histories is recorded (``python -m tests.record_histories``).
"""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from models.workflow_io import RecordAndNotify
from worker import workflow_runner
from workflows.complaint import ComplaintWorkflow
from workflows.engine import DATA_CONVERTER

# The activity that records a complaint: its name before, and since, delivery became its own.
RECORDS = ("record_and_notify", "record")
HISTORIES = sorted((Path(__file__).parent / "histories").rglob("*.json"))


class ActivityInputs(Interceptor):
    """Collects the input of every activity the workflow schedules while it replays."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput):
        seen = self.seen

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput):
                if input.activity in RECORDS:
                    # A copy: the snapshot shares its lists with the live state, which moves on.
                    seen.append(copy.deepcopy(input.args[0]))
                return super().start_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound


def recorded_inputs(history: WorkflowHistory) -> list[RecordAndNotify]:
    """What the saved history's record activities were given, read with today's types."""
    converter = DATA_CONVERTER.payload_converter
    scheduled = [
        event.activity_task_scheduled_event_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    return [
        converter.from_payload(attributes.input.payloads[0], RecordAndNotify)
        for attributes in scheduled
        if attributes.activity_type.name in RECORDS
    ]


async def replay(history: WorkflowHistory) -> list[Any]:
    inputs = ActivityInputs()
    replayer = Replayer(
        workflows=[ComplaintWorkflow],
        data_converter=DATA_CONVERTER,
        workflow_runner=workflow_runner(),
        interceptors=[inputs],
    )
    await replayer.replay_workflow(history)
    return inputs.seen


def behaviour(state: Any) -> Any:
    """The complaint's state without the bookkeeping of its snapshot: the first engine
    sent the list of notices with every snapshot (the outbox now keeps it) and had no
    revision counter. Everything the rules decide stays in."""
    return dataclasses.replace(state, sent=[], revision=0)


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 6
    assert len({p.parent.name for p in HISTORIES}) >= 2, "histories of more than one version of the code"


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays_and_does_what_it_recorded(path):
    history = load(path)
    want = recorded_inputs(history)
    got = await replay(history)
    assert want, "the history ran its activity"
    assert len(got) == len(want)
    for step, (g, w) in enumerate(zip(got, want)):
        assert g.notices == w.notices, f"step {step}: the notices differ from what the history sent"
        assert behaviour(g.state) == behaviour(w.state), f"step {step}: the complaint's state differs from what the history recorded"


async def test_a_changed_rule_fails_the_replay(monkeypatch):
    """The guard itself: with one chase quietly dropped, replaying a history that sent it fails."""
    from rules import chasing

    path = next(p for p in HISTORIES if "due_today" in _notice_kinds(load(p)))
    original = chasing.clock_chases

    def without_due_today(*args, **kwargs):
        return [c for c in original(*args, **kwargs) if c.kind != "due_today"]

    monkeypatch.setattr(chasing, "clock_chases", without_due_today)
    with pytest.raises(AssertionError, match="differ"):
        await _compare(path)


async def test_escalating_to_the_wrong_manager_fails_the_replay(monkeypatch):
    from rules import chasing

    path = next(p for p in HISTORIES if _escalation_levels(load(p)) > 1)
    original = chasing.escalation_chain

    def first_manager_only(officers, officer_id):
        chain = original(officers, officer_id)
        return chain[:1]

    monkeypatch.setattr(chasing, "escalation_chain", first_manager_only)
    with pytest.raises(AssertionError, match="differ"):
        await _compare(path)


async def _compare(path: Path) -> None:
    history = load(path)
    want, got = recorded_inputs(history), await replay(history)
    assert len(got) == len(want), "the number of steps differ"
    for g, w in zip(got, want):
        assert g.notices == w.notices, "the notices differ"
        assert behaviour(g.state) == behaviour(w.state), "the states differ"


def _notice_kinds(history: WorkflowHistory) -> list[str]:
    return [n.kind for step in recorded_inputs(history) for n in step.notices]


def _escalation_levels(history: WorkflowHistory) -> int:
    return len({n.to for step in recorded_inputs(history) for n in step.notices if n.kind == "escalation"})
