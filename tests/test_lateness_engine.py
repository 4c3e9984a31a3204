"""Reasons for lateness through the real engine: Updates on the Temporal test server, the
refusal in the rules' words, and what the record store keeps (who said it, too)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from models.actions import Assign, LateReason, Respond
from workflows.complaint import ComplaintWorkflow
from tests.test_workflow import RECEIVED, register, test_server, until, worker  # noqa: F401 (fixtures)


async def test_a_late_response_and_its_reason_said_afterwards_are_kept(worker, task_queue, store):  # noqa: F811
    handle = await register(worker, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await handle.execute_update("respond", Respond("upheld", late_reason="staff_capacity"))
    assert early.value.cause.message.startswith("the response is not late: due 2026-03-16")
    await until(worker, handle, RECEIVED.date() + timedelta(days=22))            # past its due date
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update("respond", Respond("upheld", late_reason="holidays", late_reasons=["capacity"]))
    assert unknown.value.cause.message == ("the reason for lateness 'holidays' is not on the council's list of "
                                           "reasons for lateness: capacity")
    await handle.execute_update("respond", Respond("upheld", by="io-1"))           # late, no reason: taken
    assert store.complaint(handle.id)["stages"][0]["late_reason"] is None
    await handle.execute_update("late_reason", LateReason("capacity", note="two officers off sick",
                                                          late_reasons=["capacity"], by="Sam Clerk"))
    state = await handle.query(ComplaintWorkflow.state)
    assert (state.stages[0].late_reason, state.stages[0].late_note) == ("capacity", "two officers off sick")
    record = store.complaint(handle.id)
    assert (record["stages"][0]["late_reason"], record["stages"][0]["late_note"]) == (
        "capacity", "two officers off sick")
    assert [(h["action"], h["by"]) for h in record["history"]][-2:] == [("respond", "io-1"),
                                                                        ("late_reason", "Sam Clerk")]
    events = [e.event_type async for e in handle.fetch_history_events()]
    assert events.count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED) == 3
