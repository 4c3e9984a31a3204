"""Why a late response was late, said after the complaint's workflow has ended.

The annual report counts why stage responses were late, and that is often said only when
the report is drawn up, long after the complaint was archived. Here a complaint really runs
to that end on the time-skipping server (the real workflow and activity, its records in
SQLite or PostgreSQL): stage 1 answered a week late without a reason, stage 2 in time,
closed, archived a year later, its workflow COMPLETED. Then `complaints late-reason` (run
as an officer runs it, ``cli.main.main``) and the web app's form must record the reason in
the record store, under the workflow's own checks, or refuse it and change nothing.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest_asyncio
from temporalio.client import WorkflowExecutionStatus

from cli.directory import load_directory
from models.actions import Assign, Escalate, LateReason, Registration, Respond, Withdraw
from models.complaint import Complainant
from rules.complaint import LONDON
from store.record_store import RecordStore
from tests.test_cli_engine import complaints, one_error_line  # noqa: F401 - the fixture
from tests.test_web_actions import audited, done, error_summary, people, send
from tests.web_harness import WebHarness
from web import engine as web_engine
from web.app import create_app
from web.settings import WebSettings
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

RECEIVED = datetime(2024, 3, 4, 10, tzinfo=LONDON)     # a Monday: stage 1 is due on 18 March
STAGE_1_DUE, STAGE_1_ANSWERED = date(2024, 3, 18), date(2024, 3, 25)
STAGE_2_ANSWERED = date(2024, 4, 15)
ENDED = "recorded in the record store, because the complaint's workflow has ended"


@pytest_asyncio.fixture
async def ended_engine(time_skipping_env, database, smtp, task_queue, monkeypatch):
    """The time-skipping engine with a worker keeping its records in ``database`` (SQLite or
    PostgreSQL), and the environment the command line reads to reach both."""
    store = RecordStore(database)
    store.create_schema()
    monkeypatch.setenv("TEMPORAL_ADDRESS", time_skipping_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "default")
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("COMPLAINTS_TIMEOUT", "30")
    async with build_worker(time_skipping_env.client, store, smtp, task_queue):
        yield time_skipping_env, store
    store.close()


async def start(env, task_queue):
    ref = f"LATE-{uuid.uuid4().hex[:8]}"
    directory = load_directory()
    reg = Registration(
        ref=ref, policy="children-statutory", received=RECEIVED,
        complainant=Complainant("A Parent", "parent@example.org", "parent"),
        officers=directory.officers, complaints_team_email=directory.complaints_team_email,
    )
    return await env.client.start_workflow(ComplaintWorkflow.run, complaint_input(reg, simulated_start=RECEIVED),
                                           id=ref, task_queue=task_queue)


async def on(env, handle, day: date) -> None:
    """Move the complaint's clock to 10:00 on ``day``."""
    offset = timedelta(seconds=await handle.query(ComplaintWorkflow.clock_offset_seconds))
    now = await env.get_current_time(handle) + offset
    await env.fast_forward(handle, datetime.combine(day, time(10), LONDON) - now)


async def run_to_archive(env, task_queue) -> str:
    """Stage 1 answered a week late, with no reason given; stage 2 answered in time; closed
    when the window for stage 3 ran out, archived a year later, the workflow ended."""
    handle = await start(env, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await on(env, handle, STAGE_1_ANSWERED)
    await handle.execute_update("respond", Respond("not_upheld"))
    await on(env, handle, date(2024, 4, 1))
    await handle.execute_update("escalate", Escalate("disagree"))
    await handle.execute_update("assign", Assign("io-2"))
    await on(env, handle, STAGE_2_ANSWERED)
    await handle.execute_update("respond", Respond("partially_upheld"))
    await env.fast_forward(handle, None)
    assert await handle.result() == "closed"
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    return handle.id


def stage(record: dict, number: int) -> dict:
    return next(s for s in record["stages"] if s["stage"] == number)


def late_reasons_of(store: RecordStore, ref: str) -> list[tuple]:
    return [(s["stage"], s["on_time"], s["late_reason"], s["late_note"]) for s in store.complaint(ref)["stages"]]


async def test_an_ended_complaints_late_response_takes_its_reason_from_the_command_line(
    ended_engine, task_queue, complaints, tmp_path, monkeypatch
):
    env, store = ended_engine
    ref = await run_to_archive(env, task_queue)
    before = store.complaint(ref)
    assert (before["status"], before["archived"]) == ("closed", True)
    assert late_reasons_of(store, ref) == [(1, False, None, None), (2, True, None, None)]
    revision, logged = before["revision"], len(before["history"])

    async def refused(*argv: str) -> str:
        code, out, err = await complaints("late-reason", ref, *argv)
        assert code == 2 and out == "", (out, err)
        return one_error_line(err)

    async def ok(*argv: str) -> str:
        code, out, err = await complaints("late-reason", ref, *argv)
        assert code == 0, err
        return out.strip()

    # Stage 2 was answered in time: refused in the workflow's words, and nothing changes.
    in_time = ("complaints: late-reason refused: the response is not late: "
               f"due {stage(before, 2)['due']}, answered on {STAGE_2_ANSWERED}")
    assert await refused("--reason", "staff_capacity", "--stage", "2") == in_time
    assert await refused("--reason", "staff_capacity") == in_time, "the current stage, 2, unless told"
    assert (await refused("--reason", "holidays", "--stage", "1")).startswith(
        "complaints: --reason: 'holidays' is not on the council's list of reasons "
        "for lateness: staff_capacity, ")
    assert await refused("--reason", "staff_capacity", "--stage", "3") == (
        "complaints: late-reason refused: the complaint has no stage 3")
    after_refusals = store.complaint(ref)
    assert after_refusals["revision"] == revision and len(after_refusals["history"]) == logged
    assert late_reasons_of(store, ref) == [(1, False, None, None), (2, True, None, None)]

    assert await ok("--reason", "staff_capacity", "--note", "Two officers off sick in March", "--stage", "1",
                    "--by", "Sam Clerk") == f"{ref}: why the stage 1 response was late: staff_capacity: {ENDED}"
    assert late_reasons_of(store, ref) == [(1, False, "staff_capacity", "Two officers off sick in March"),
                                           (2, True, None, None)]
    said = store.complaint(ref)["history"][-1]
    assert (said["action"], said["detail"], said["by"]) == ("late_reason", "stage 1: staff_capacity", "Sam Clerk")

    # Said again, it replaces the reason (and its note); the history keeps both.
    assert await ok("--reason", "waiting_for_information", "--stage", "1", "--by", "Pat Manager") == (
        f"{ref}: why the stage 1 response was late: waiting_for_information: {ENDED}")
    after = store.complaint(ref)
    assert late_reasons_of(store, ref) == [(1, False, "waiting_for_information", None), (2, True, None, None)]
    assert [(h["detail"], h["by"]) for h in after["history"][logged:]] == [
        ("stage 1: staff_capacity", "Sam Clerk"), ("stage 1: waiting_for_information", "Pat Manager")]
    assert after["revision"] == revision + 2, "each reason recorded once; refusals leave it as it was"
    assert (after["status"], after["archived"], stage(after, 1)["outcome"]) == ("closed", True, "not_upheld")

    code, shown, err = await complaints("status", ref)
    assert code == 0, err
    assert "late_reason" in shown and "stage 1: waiting_for_information" in shown and "Pat Manager" in shown

    # The council's own list is the one checked: a code only it has is taken, one only the
    # shipped list has is refused, and a list that cannot be read is said in one line.
    own = tmp_path / "late-reasons.yaml"
    own.write_text("reasons:\n  annual_leave: Staff on annual leave\n  other: Another reason\n")
    monkeypatch.setenv("COMPLAINTS_LATE_REASONS_FILE", str(own))
    assert await refused("--reason", "staff_capacity", "--stage", "1") == (
        "complaints: --reason: 'staff_capacity' is not on the council's list of reasons "
        "for lateness: annual_leave, other")
    assert await ok("--reason", "annual_leave", "--stage", "1") == (
        f"{ref}: why the stage 1 response was late: annual_leave: {ENDED}")
    own.write_text("reasons: [not, a, list]\n")
    assert str(own) in await refused("--reason", "annual_leave", "--stage", "1")
    assert late_reasons_of(store, ref)[0] == (1, False, "annual_leave", None)
    assert store.complaint(ref)["revision"] == revision + 3


async def test_a_request_without_a_list_is_checked_against_the_councils_list_as_it_is_now(
    ended_engine, task_queue, tmp_path, monkeypatch
):
    """As the web app sends it (web.engine.act): a request that carries no list, after the
    workflow, is checked against the council's list as it is now, in the rule's words."""
    env, store = ended_engine
    ref = await run_to_archive(env, task_queue)
    revision = store.complaint(ref)["revision"]
    refused = await web_engine.act(env.client, store, ref, "late_reason", LateReason(reason="holidays", stage=1))
    assert not refused.done
    assert refused.message.startswith("The reason for lateness 'holidays' is not on the council's list of reasons "
                                      "for lateness: staff capacity, ")
    own = tmp_path / "late-reasons.yaml"
    own.write_text("reasons:\n  annual_leave: Staff on annual leave\n")
    monkeypatch.setenv("COMPLAINTS_LATE_REASONS_FILE", str(own))
    refused = await web_engine.act(env.client, store, ref, "late_reason", LateReason(reason="complexity", stage=1))
    assert not refused.done and refused.message.startswith("The reason for lateness 'complexity' is not on")
    assert "annual" in refused.message and "staff capacity" not in refused.message
    assert store.complaint(ref)["revision"] == revision
    assert late_reasons_of(store, ref)[0] == (1, False, None, None)

    taken = await web_engine.act(env.client, store, ref, "late_reason",
                                 LateReason(reason="annual_leave", stage=1, by="Sam Clerk"))
    assert taken.done, taken.message
    assert late_reasons_of(store, ref)[0] == (1, False, "annual_leave", None)


async def test_a_withdrawn_complaints_late_response_takes_its_reason_after_its_workflow(
    ended_engine, task_queue, complaints
):
    """The rules take a reason after a withdrawal too (the report counts the late response
    all the same), though nothing else is done to a withdrawn complaint."""
    env, store = ended_engine
    handle = await start(env, task_queue)
    await handle.execute_update("assign", Assign("io-1"))
    await on(env, handle, STAGE_1_ANSWERED)
    await handle.execute_update("respond", Respond("not_upheld"))
    await handle.execute_update("withdraw", Withdraw("resolved"))
    assert await handle.result() == "withdrawn"
    code, out, err = await complaints("late-reason", handle.id, "--reason", "complexity", "--by", "Sam Clerk")
    assert code == 0, err
    assert out.strip() == f"{handle.id}: why the stage 1 response was late: complexity: {ENDED}"
    assert late_reasons_of(store, handle.id) == [(1, False, "complexity", None)]
    code, _, err = await complaints("record-cost", handle.id, "--stage", "2", "--item", "investigator",
                                    "--amount", "10")
    assert code == 2 and "withdrawn" in one_error_line(err)


@pytest_asyncio.fixture
async def web_on_ended(engine, store, mail_sink, task_queue):
    """The web app on the time-skipping engine, whose worker keeps the SQLite records."""
    settings = WebSettings()
    app = create_app(settings, store, engine.client, task_queue)
    yield WebHarness(app, store, engine.client, task_queue, mail_sink, settings)


async def test_the_late_reason_form_records_the_reason_of_an_ended_complaint(web_on_ended, engine, task_queue):
    web = web_on_ended
    ref = await run_to_archive(engine, task_queue)
    clerk, _, _, _ = await people(web)
    page = (await clerk.get(f"/complaints/{ref}")).text
    assert f'href="/complaints/{ref}/late-reason"' in page, "offered on the ended complaint's page"
    revision = web.store.complaint(ref)["revision"]

    forged = await send(clerk, ref, "late-reason", {"reason": "holidays"})
    assert forged.status_code == 422 and error_summary(forged.text) == "Select why the response was late"
    assert web.store.complaint(ref)["revision"] == revision

    words = await done(clerk, ref, "late-reason", {"reason": "officer_left_or_changed",
                                                   "note": "The officer moved to another team"})
    assert words.startswith("Why the stage 1 response was late is recorded: ")
    record = web.store.complaint(ref)
    assert (stage(record, 1)["late_reason"], stage(record, 1)["late_note"]) == (
        "officer_left_or_changed", "The officer moved to another team")
    assert (record["history"][-1]["action"], record["history"][-1]["by"]) == ("late_reason", "Sam Clerk")
    assert (record["status"], record["archived"], record["revision"]) == ("closed", True, revision + 1)
    assert (ref, "late-reason stage-1 officer_left_or_changed") in audited(web, "action")


async def test_simulate_with_a_list_that_cannot_be_read_is_refused_in_one_line(complaints, tmp_path, monkeypatch):
    """`complaints simulate` reads the council's list before the run: one it cannot read is
    one line naming the file, and nothing is run or written."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        "officers:\n  - {id: io-1, name: Investigating Officer One, email: io1@council.example}\n"
        "complaints_team: {email: complaints@council.example}\nuntil: 2024-06-28\ncomplaints:\n"
        "  - ref: SIM-LATE\n    policy: children-statutory\n    received: 2024-03-04\n"
        "    complainant: {name: A Parent, email: parent@example.org, type: parent}\n    actions:\n"
        "      - {date: 2024-03-04, do: assign, officer: io-1}\n"
        "      - {date: 2024-03-25, do: respond, outcome: upheld, late_reason: staff_capacity}\n")
    own = tmp_path / "late-reasons.yaml"
    own.write_text("reasons: [not, a, list]\n")
    monkeypatch.setenv("COMPLAINTS_LATE_REASONS_FILE", str(own))
    timeline = tmp_path / "timeline.jsonl"
    code, out, err = await complaints("simulate", scenario, "--out", timeline)
    assert code == 2 and out == ""
    assert one_error_line(err) == (
        f"complaints: reasons for lateness file {own}: field reasons: Input should be a valid dictionary")
    assert not timeline.exists()
