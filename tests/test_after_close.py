"""What comes after a complaint's workflow has ended: the Ombudsman, costs, late forms.

A complaint's workflow ends (archived) a year after the complaint closed. Here one really
runs to that end: the real workflow and activity on the dev server with per-workflow time
skipping, from March 2024, answered at stages 1 and 2, closed when the window for stage 3
ran out, archived a year later, its workflow COMPLETED. The `complaints` commands then
run as a council officer runs them (``cli.main.main``, against that server and the
worker's SQLite record store) and must record into the store, with the workflow's checks.
A workflow stopped by hand (terminated) and a running one must not take that path; one
the engine no longer knows (deleted after its retention period) still does, when the
store's own record says it was archived.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from models.actions import Assign, Escalate, Registration, Respond, Withdraw
from models.complaint import Complainant, Officer
from rules.complaint import LONDON
from store.record_store import RecordStore
from tests.test_cli_engine import complaints, one_error_line, recorded  # noqa: F401 - the fixture
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

OFFICERS = [
    Officer("hos-1", "Head of Service", "hos1@council.example"),
    Officer("tm-1", "Team Manager", "tm1@council.example", manager="hos-1"),
    Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1"),
    Officer("io-2", "Investigating Officer Two", "io2@council.example", manager="tm-1"),
]
RECEIVED = datetime(2024, 3, 4, 10, tzinfo=LONDON)  # a Monday
ENDED = "recorded in the record store, because the complaint's workflow has ended"


def today() -> date:
    return datetime.now(LONDON).date()


@pytest_asyncio.fixture
async def cli_on_engine(engine, store, task_queue, monkeypatch):
    """The time-skipping engine with a worker, and the environment the CLI reads to reach
    it and the worker's record store."""
    monkeypatch.setenv("TEMPORAL_ADDRESS", engine.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "default")
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("COMPLAINTS_TIMEOUT", "30")
    yield engine


async def start(env, task_queue):
    ref = f"AFTER-{uuid.uuid4().hex[:8]}"
    reg = Registration(
        ref=ref, policy="children-statutory", received=RECEIVED,
        complainant=Complainant("A Parent", "parent@example.org", "parent"),
        officers=OFFICERS, complaints_team_email="complaints@council.example",
    )
    inp = complaint_input(reg, simulated_start=RECEIVED)
    return await env.client.start_workflow(ComplaintWorkflow.run, inp, id=ref, task_queue=task_queue)


async def on(env, handle, day: date) -> None:
    """Move the complaint's clock to 10:00 on ``day``."""
    offset = timedelta(seconds=await handle.query(ComplaintWorkflow.clock_offset_seconds))
    now = await env.get_current_time(handle) + offset
    await env.fast_forward(handle, datetime.combine(day, time(10), LONDON) - now)


async def run_to_archive(env, task_queue):
    """Answered at stage 1 (io-1) and stage 2 (io-2), no lessons-learnt forms; closed in
    May 2024 when the window for stage 3 ran out, archived a year later, workflow ended."""
    handle = await start(env, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await on(env, handle, date(2024, 3, 11))
    await handle.execute_update("respond", Respond("not_upheld"))
    await on(env, handle, date(2024, 3, 18))
    await handle.execute_update("escalate", Escalate("disagree"))
    await handle.execute_update("assign", Assign("io-2"))
    await on(env, handle, date(2024, 4, 15))
    await handle.execute_update("respond", Respond("partially_upheld"))
    await env.fast_forward(handle, None)
    assert await handle.result() == "closed"
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    return handle


async def test_after_its_workflow_has_ended_the_record_store_takes_what_comes_later(
    cli_on_engine, dev_server_env, task_queue, store, complaints, monkeypatch
):
    handle = await run_to_archive(cli_on_engine, task_queue)
    ref = handle.id
    before = store.complaint(ref)
    assert before["status"] == "closed" and before["archived"] and before["closed_on"] < date(2024, 6, 1)
    revision = before["revision"]

    async def refused(*argv: str) -> str:
        code, out, err = await complaints(*argv)
        assert code == 2 and out == "", (out, err)
        return one_error_line(err)

    async def ok(*argv: str) -> str:
        code, out, err = await complaints(*argv)
        assert code == 0, err
        return out.strip()

    assert await ok("refer-to-ombudsman", ref, "--on", "2025-07-01") == (
        f"{ref}: referred to the Ombudsman on 2025-07-01: {ENDED}")
    assert await refused("refer-to-ombudsman", ref) == (
        "complaints: refer-to-ombudsman refused: the complaint is already with the Ombudsman "
        "(referred 2025-07-01), awaiting a decision")
    assert await refused("ombudsman-decision", ref, "--result", "not_upheld", "--remedy", "-10") == (
        "complaints: ombudsman-decision refused: a remedy cannot be negative (-10.0)")
    tomorrow = today() + timedelta(days=1)
    assert await refused("ombudsman-decision", ref, "--result", "not_upheld", "--on", tomorrow.isoformat()) == (
        f"complaints: ombudsman-decision refused: a decision cannot be dated {tomorrow}, a day still to come")
    assert await ok("ombudsman-decision", ref, "--result", "upheld_fault_and_injustice", "--remedy", "250",
                    "--on", "2025-11-03") == (
        f"{ref}: the Ombudsman's decision of 2025-11-03: upheld_fault_and_injustice, remedy £250.00: {ENDED}")
    assert await refused("ombudsman-decision", ref, "--result", "not_upheld") == (
        "complaints: ombudsman-decision refused: the complaint is not with the Ombudsman "
        "(record refer_to_ombudsman first)")
    assert await refused("refer-to-ombudsman", ref, "--on", "2024-03-01") == (
        "complaints: refer-to-ombudsman refused: a referral cannot be dated 2024-03-01, "
        "before the complaint was received")

    assert await refused("record-cost", ref, "--stage", "3", "--item", "panel", "--amount", "500") == (
        "complaints: record-cost refused: the complaint has not reached stage 3")
    assert await refused("record-cost", ref, "--stage", "2", "--item", "investigator", "--amount", "0") == (
        "complaints: record-cost refused: a cost must be more than nothing (0.0)")
    assert await ok("record-cost", ref, "--stage", "2", "--item", "investigator", "--amount", "1200.5",
                    "--on", "2024-04-30") == (
        f"{ref}: stage 2 investigator cost of £1,200.50 on 2024-04-30: {ENDED}")

    assert await ok("submit-learning", ref, "--text", "Call the family back the same day.") == (
        f"{ref}: lessons-learnt form for stage 2: {ENDED}")
    assert await ok("submit-learning", ref) == f"{ref}: lessons-learnt form for stage 1: {ENDED}"
    assert await refused("submit-learning", ref) == (
        "complaints: submit-learning refused: no lessons-learnt form is awaited: "
        "no stage has been answered by an officer without one")

    after = store.complaint(ref)
    assert [(o["referred"], o["decided"], o["result"], o["remedy_gbp"]) for o in after["ombudsman"]] == [
        (date(2025, 7, 1), date(2025, 11, 3), "upheld_fault_and_injustice", 250.0)]
    assert [(c["stage"], c["on"], c["item"], c["amount_gbp"]) for c in after["costs"]] == [
        (2, date(2024, 4, 30), "investigator", 1200.5)]
    assert [(s["stage"], s["learning_submitted"], s["learning_text"]) for s in after["stages"]] == [
        (1, today(), None), (2, today(), "Call the family back the same day.")]
    assert [h["action"] for h in after["history"][-5:]] == [
        "refer_to_ombudsman", "ombudsman_decision", "record_cost", "submit_learning", "submit_learning"]
    assert after["revision"] == revision + 5, "each recorded action once; refusals leave it as it was"
    assert (after["status"], after["archived"], after["stages"][1]["outcome"]) == ("closed", True, "partially_upheld")

    # `status` shows what the store took after the workflow, beside the workflow's own account.
    shown = await ok("status", ref)
    assert "ombudsman    referred 2025-07-01, decided 2025-11-03: upheld fault and injustice, remedy GBP 250.00" in shown
    assert "costs        stage 2 GBP 1,200.50" in shown
    assert f"officer io-2  lessons-learnt form {today()}" in shown
    assert "status       closed, stage 2" in shown
    assert shown.index("  ombudsman") < shown.index("  costs") < shown.index("\nstages\n"), "with the complaint, not a stage"

    # Other actions still get the engine's answer: the complaint takes no more.
    line = await refused("assign", ref, "io-1")
    assert line == f"complaints: assign refused: complaint {ref} is closed and takes no more actions"

    # The engine deletes a closed workflow after its retention period (days, not the year an
    # archived complaint has been closed), and then knows it no more than a reference it never
    # had: as another engine that never ran it does here (the dev server takes its time to
    # delete). The store's own record says the workflow has ended.
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server_env.client.service_client.config.target_host)
    with pytest.raises(RPCError) as unknown:
        await dev_server_env.client.get_workflow_handle(ref).describe()
    assert unknown.value.status == RPCStatusCode.NOT_FOUND
    assert await ok("refer-to-ombudsman", ref) == f"{ref}: referred to the Ombudsman on {today()}: {ENDED}"
    assert len(store.complaint(ref)["ombudsman"]) == 2
    # A complaint the store holds but has not archived is one the engine should know.
    running = await start(cli_on_engine, task_queue)
    await recorded(store, running.id)
    assert await refused("refer-to-ombudsman", running.id) == (
        f"complaints: refer-to-ombudsman refused: no complaint with reference {running.id}")
    assert store.complaint(running.id)["ombudsman"] == []


async def test_the_store_is_not_used_for_a_running_or_terminated_workflow(
    cli_on_engine, task_queue, store, complaints
):
    running = await start(cli_on_engine, task_queue)
    code, out, err = await complaints("refer-to-ombudsman", running.id, "--on", "2024-03-04")
    assert code == 0, err
    assert out.strip() == f"{running.id}: open, stage 1, due 2024-03-18" and "record store" not in out
    assert [r.referred for r in (await running.query(ComplaintWorkflow.state)).ombudsman] == [date(2024, 3, 4)]

    # Stopped by hand: its record may stand anywhere, so nothing is written behind it.
    stopped = await start(cli_on_engine, task_queue)
    await recorded(store, stopped.id)
    await stopped.terminate("test")
    revision = store.complaint(stopped.id)["revision"]
    code, out, err = await complaints("refer-to-ombudsman", stopped.id)
    assert code == 2 and out == ""
    assert one_error_line(err) == (
        f"complaints: refer-to-ombudsman refused: complaint {stopped.id} is open and takes no more actions")
    record = store.complaint(stopped.id)
    assert record["ombudsman"] == [] and record["revision"] == revision


async def test_a_withdrawn_complaint_refuses_everything_after_its_workflow(
    cli_on_engine, task_queue, store, complaints
):
    handle = await start(cli_on_engine, task_queue)
    await handle.execute_update("withdraw", Withdraw("resolved"))
    assert await handle.result() == "withdrawn"
    revision = store.complaint(handle.id)["revision"]
    for argv in (("refer-to-ombudsman",), ("ombudsman-decision", "--result", "not_upheld"),
                 ("record-cost", "--stage", "2", "--item", "investigator", "--amount", "10"),
                 ("submit-learning",)):
        code, out, err = await complaints(argv[0], handle.id, *argv[1:])
        assert code == 2 and out == ""
        assert one_error_line(err) == (
            f"complaints: {argv[0]} refused: the complaint was withdrawn on 2024-03-04; nothing more can be done to it")
    assert store.complaint(handle.id)["revision"] == revision


async def test_an_ended_workflow_whose_record_is_elsewhere_is_refused(
    cli_on_engine, task_queue, complaints, tmp_path
):
    handle = await start(cli_on_engine, task_queue)
    await handle.execute_update("withdraw", Withdraw())
    await handle.result()
    other = RecordStore(f"sqlite:///{tmp_path / 'other.db'}")
    other.create_schema()
    code, _, err = await complaints("refer-to-ombudsman", handle.id, "--database", other.url)
    assert code == 2
    assert one_error_line(err) == (
        f"complaints: refer-to-ombudsman refused: complaint {handle.id}'s workflow has ended, and the record "
        f"store at {other.url} does not hold it")
    code, _, err = await complaints("refer-to-ombudsman", handle.id, "--database", f"sqlite:///{tmp_path / 'no.db'}")
    assert code == 2 and "there is no record store at" in one_error_line(err)
    assert not (tmp_path / "no.db").exists()
    other.close()

    code, _, err = await complaints("refer-to-ombudsman", "AFTER-NOPE")
    assert code == 2
    assert one_error_line(err) == "complaints: refer-to-ombudsman refused: no complaint with reference AFTER-NOPE"
