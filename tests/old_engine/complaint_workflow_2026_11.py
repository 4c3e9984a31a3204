# The complaint workflow as released in November 2026 (git d5dc029), kept to test that a
# complaint started on it runs to its end on today's workflow (tests/test_upgrade.py).
# Do not change it: it stands for code already running at councils.
"""The complaint workflow: one per complaint, its id the complaint's reference.

It registers the complaint, then waits: for the chasing hour of the next day with
something to send, for a window to run out, or for an action (an Update). Every change
is written to the record store together with the notices it causes, in one activity,
so the record and the mail never disagree. The rules themselves live in
``rules.complaint``; this module only supplies time, durability and messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.complaint import ComplaintState, Notice
    from models.workflow_io import Carried, ComplaintInput, RecordAndNotify
    from rules.calendar import WorkingCalendar
    from rules.complaint import Complaint

REFUSED = "Refused"

# Mail may be down for hours; the workflow keeps trying, and the outbox makes each
# retry send only what has not gone yet.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5)
)


@workflow.defn(name="Complaint")
class ComplaintWorkflowNovember2026:
    @workflow.init
    def __init__(self, inp: ComplaintInput) -> None:
        self._lock = asyncio.Lock()
        self._queued: list[Notice] = []
        self._changes = 0
        calendar = WorkingCalendar(inp.days_off)
        reg = inp.registration
        if inp.carried is not None:
            self._offset = timedelta(seconds=inp.carried.clock_offset_seconds)
            self.complaint = Complaint(
                inp.carried.state, inp.policy, calendar,
                {o.id: o for o in inp.carried.officers}, reg.complaints_team_email,
            )
        else:
            start = inp.simulated_start
            self._offset = (start - workflow.now()) if start is not None else timedelta(0)
            self.complaint, notices = Complaint.register(reg, inp.policy, calendar, self.now())
            self._queued += notices
        self._input = inp

    def now(self) -> datetime:
        return workflow.now() + self._offset

    # ------------------------------------------------------------------ the life of a complaint

    @workflow.run
    async def run(self, inp: ComplaintInput) -> str:
        await self._commit()
        while not self.complaint.is_finished():
            info = workflow.info()
            if info.is_continue_as_new_suggested() or info.get_current_history_length() > inp.continue_after_events:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carry_over())
            seen = self._changes
            wake = self.complaint.next_wake()
            timeout = None if wake is None else (wake - self.now()).total_seconds()
            if timeout is None or timeout > 0:
                try:
                    await workflow.wait_condition(lambda: self._changes != seen, timeout=timeout)
                    if self._queued:  # caught up by an action that was then refused
                        await self._commit()
                    continue
                except asyncio.TimeoutError:
                    pass
            self._queued += self.complaint.advance(self.now())
            await self._commit()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.complaint.state.status

    def _carry_over(self) -> ComplaintInput:
        return ComplaintInput(
            registration=self._input.registration,
            policy=self._input.policy,
            days_off=self._input.days_off,
            continue_after_events=self._input.continue_after_events,
            carried=Carried(
                state=self.complaint.state,
                officers=list(self.complaint.officers.values()),
                clock_offset_seconds=self._offset.total_seconds(),
            ),
        )

    async def _commit(self) -> None:
        """Write the complaint as it stands, and mail what is queued, in order."""
        async with self._lock:
            notices, self._queued = self._queued, []
            self.complaint.state.revision += 1
            # The record store keeps what was sent in its outbox: the list stays here.
            snapshot = replace(self.complaint.state, sent=[])
            await workflow.execute_activity(
                "record_and_notify",
                RecordAndNotify(state=snapshot, notices=notices),
                start_to_close_timeout=timedelta(minutes=10),
                # The activity beats before each mail: a worker that dies mid-send is
                # noticed in seconds and the batch goes to another attempt.
                heartbeat_timeout=timedelta(seconds=15),
                retry_policy=DELIVERY_RETRY,
            )

    async def _act(self, action: str, req: object) -> str:
        now = self.now()
        # Anything that fell due before this moment happens first (a 09:00 reminder
        # before a 10:00 response), then the action is checked again on that state.
        caught_up = self.complaint.advance(now)
        if caught_up:
            self._queued += caught_up
            self._changes += 1
        refusal = self.complaint.refusal(action, req, now)
        if refusal is not None:
            raise ApplicationError(refusal, type=REFUSED, non_retryable=True)
        self._queued += self.complaint.apply(action, req, now)
        self._changes += 1
        await self._commit()
        return self._describe()

    def _validate(self, action: str, req: object) -> None:
        refusal = self.complaint.refusal(action, req, self.now())
        if refusal is not None:
            raise ApplicationError(refusal, type=REFUSED, non_retryable=True)

    def _describe(self) -> str:
        st = self.complaint.state
        due = st.current.due
        return f"{st.ref}: {st.status}, stage {st.stage}" + (f", due {due}" if due else "")

    # ------------------------------------------------------------------ reading it

    @workflow.query
    def state(self) -> ComplaintState:
        return self.complaint.state

    @workflow.query
    def clock_offset_seconds(self) -> float:
        return self._offset.total_seconds()

    # ------------------------------------------------------------------ actions

    # Every action of the catalogue (models.actions.ACTIONS) is an Update of its own
    # name; one dynamic handler decodes its input record and runs it through the rules.
    @workflow.update(dynamic=True)
    async def action(self, name: str, args: Sequence[RawValue]) -> str:
        return await self._act(name, self._decode(name, args))

    @action.validator
    def _check_action(self, name: str, args: Sequence[RawValue]) -> None:
        if name not in a.ACTIONS:
            raise ApplicationError(f"{name!r} is not an action the engine knows", type=REFUSED, non_retryable=True)
        self._validate(name, self._decode(name, args))

    def _decode(self, name: str, args: Sequence[RawValue]) -> object:
        kind = a.ACTIONS[name]
        if not args:
            return kind()
        return workflow.payload_converter().from_payload(args[0].payload, kind)
