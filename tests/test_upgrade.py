"""A council upgrading mid-year: a complaint started on the November 2026 workflow (whose
one activity also mailed) runs to its end on today's worker, with every letter sent
exactly once and the record current throughout. Delivery now sends its letters too.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from models.actions import Assign, Registration, Respond
from models.complaint import Complainant, Officer
from rules.complaint import LONDON
from tests.old_engine.complaint_workflow_2026_11 import ComplaintWorkflowNovember2026
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

OFFICERS = [
    Officer("tm-1", "Team Manager", "tm1@council.example"),
    Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1"),
]
RECEIVED = datetime(2026, 3, 2, 10, tzinfo=LONDON)  # corporate: due Monday 23 March 2026


async def on(env, handle: WorkflowHandle, day: date) -> None:
    offset = timedelta(seconds=await handle.query(ComplaintWorkflow.clock_offset_seconds))
    now = await env.get_current_time(handle) + offset
    await env.fast_forward(handle, datetime.combine(day, time(10), LONDON) - now)


def activity_types(history) -> list[str]:
    return [e.activity_task_scheduled_event_attributes.activity_type.name for e in history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED]


async def test_a_complaint_started_on_the_old_workflow_runs_to_its_end_on_the_new(
    time_skipping_env, store, smtp, mail_sink, task_queue
):
    env = time_skipping_env
    ref = f"UP-{uuid.uuid4().hex[:8]}"
    reg = Registration(ref=ref, policy="corporate", received=RECEIVED,
                       complainant=Complainant("A Parent", "parent@example.org", "parent"),
                       officers=OFFICERS, complaints_team_email="complaints@council.example")
    old = build_worker(env.client, store, smtp, task_queue, workflows=[ComplaintWorkflowNovember2026])
    async with old:
        handle = await env.client.start_workflow(
            ComplaintWorkflowNovember2026.run, complaint_input(reg, simulated_start=RECEIVED),
            id=ref, task_queue=task_queue,
        )
        await handle.execute_update("assign", Assign("io-1"))
        await on(env, handle, date(2026, 3, 18))            # due_soon on the 18th, at 09:00
        assert store.complaint(ref)["revision"] >= 3

    async with build_worker(env.client, store, smtp, task_queue):
        await on(env, handle, date(2026, 3, 20))
        await handle.execute_update("respond", Respond("upheld"))
        assert store.complaint(ref)["stages"][0]["responded"] == date(2026, 3, 20)
        await env.fast_forward(handle, None)
        assert await handle.result() == "closed"

    # It keeps the shape it started with (Temporal holds a patch's answer for the whole
    # run); its activity's name is the old one, which now only records, like the new.
    assert set(activity_types(await handle.fetch_history())) == {"record_and_notify"}
    assert mail_sink.wait_for(7, timeout=10)
    got = sorted(m["X-Notification-Kind"] for m in mail_sink.headers() if m["X-Complaint-Ref"] == ref)
    assert got == sorted(["acknowledgement", "assignment", "due_soon", "response_issued",
                          "learning_reminder", "learning_reminder", "learning_reminder"])
    assert set(mail_sink.received_by_message_id().values()) == {1}
    record = store.complaint(ref)
    assert (record["status"], record["archived"]) == ("closed", True)
    assert all(mail["sent_at"] is not None for mail in store.sent_mail(ref))
