"""The complaint workflow: one per complaint, its id the complaint's reference.

It registers the complaint, then waits: for the chasing hour of the next day with
something to send, for a window to run out, or for an action (an Update). Every change
is written to the record store together with the letters it causes, in one short
activity, so the record and the mail never disagree; delivery sends the letters from
the store's outbox on its own, so the mail server's state never holds up a complaint. The rules themselves live in
``rules.complaint``; this module only supplies time, durability and messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from temporalio import workflow
from temporalio.common import RawValue, RetryPolicy
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from models import actions as a
    from models.complaint import ComplaintState, Notice
    from activities.bank_holidays import Years
    from models.workflow_io import Carried, ComplaintInput, RecordAndNotify
    from rules.calendar import WorkingCalendar
    from rules.complaint import Complaint

REFUSED = "Refused"

# The rules look up to about a year ahead (chasing, windows): the calendar is extended
# while it covers less than this, by whole years up to CALENDAR_YEARS_AHEAD.
CALENDAR_MARGIN = timedelta(days=800)
CALENDAR_YEARS_AHEAD = 4

# Recording and delivery became two things in December 2026: the record activity writes
# and returns; letters go from the outbox on their own.
RECORD_THEN_DELIVER = "record-then-deliver"
# The record store may be out of reach for a while (a restart, a full disk); keep trying.
RECORD_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=1)
)
# The first engine's activity also mailed, so it retried as long as mail was down.
DELIVERY_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), backoff_coefficient=2.0, maximum_interval=timedelta(minutes=5)
)


@workflow.defn(name="Complaint")
class ComplaintWorkflow:
    @workflow.init
    def __init__(self, inp: ComplaintInput) -> None:
        self._lock = asyncio.Lock()
        self._calendar_lock = asyncio.Lock()
        self._queued: list[Notice] = []
        self._changes = 0
        self._days_off, self._days_off_until = list(inp.days_off), inp.calendar_until()
        calendar = WorkingCalendar(self._days_off)
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
            self.complaint, notices = Complaint.register(
                reg, inp.policy, calendar, self.now(), rules_version=inp.rules_version
            )
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
            await self._keep_calendar_ahead()
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
            days_off=self._days_off,
            days_off_until=self._days_off_until,
            continue_after_events=self._input.continue_after_events,
            rules_version=self._input.rules_version,
            carried=Carried(
                state=self.complaint.state,
                officers=list(self.complaint.officers.values()),
                clock_offset_seconds=self._offset.total_seconds(),
            ),
        )

    async def _commit(self) -> None:
        """Write the complaint as it stands, with the letters queued, in order."""
        async with self._lock:
            notices, self._queued = self._queued, []
            self.complaint.state.revision += 1
            # The record store keeps what was sent in its outbox: the list stays here.
            snapshot = replace(self.complaint.state, sent=[])
            batch = RecordAndNotify(state=snapshot, notices=notices)
            if workflow.patched(RECORD_THEN_DELIVER):
                # A short write that never touches SMTP: delivery drains the outbox on its own.
                await workflow.execute_activity(
                    "record", batch, start_to_close_timeout=timedelta(minutes=1), retry_policy=RECORD_RETRY
                )
                return
            # Complaints started before recording and delivery were two things keep the
            # shape their histories have (the activity itself now only records).
            await workflow.execute_activity(
                "record_and_notify",
                batch,
                start_to_close_timeout=timedelta(minutes=10),
                heartbeat_timeout=timedelta(seconds=15),
                retry_policy=DELIVERY_RETRY,
            )

    async def _keep_calendar_ahead(self) -> None:
        """A complaint can outlive the calendar it started with (discontinued for years of
        proceedings): before the rules count in years it does not cover, fetch their bank
        holidays. The answer is kept in the history, so replays count the same days."""
        async with self._calendar_lock:
            if self.now().date() + CALENDAR_MARGIN <= self._days_off_until:
                return
            if not workflow.patched("calendar-extended-when-outlived"):
                return
            years = Years(first=self._days_off_until.year + 1, last=self.now().year + CALENDAR_YEARS_AHEAD)
            more = await workflow.execute_activity(
                "bank_holidays", years, result_type=list[date],
                start_to_close_timeout=timedelta(minutes=1), retry_policy=RECORD_RETRY,
            )
            self._days_off = sorted({*self._days_off, *more})
            self._days_off_until = date(years.last, 12, 31)
            self.complaint.calendar = WorkingCalendar(self._days_off)

    async def _act(self, action: str, req: object) -> str:
        await self._keep_calendar_ahead()
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
        if not args:
            # Every client of the engine sends the action's request, encrypted where the
            # engine encrypts. One sent without any (the plain `temporal` command line)
            # carries nothing for the codec to refuse: it is refused here. (Validators do
            # not run on replay: an old history with such an action still replays.)
            raise ApplicationError(f"{name!r} came without its request", type=REFUSED, non_retryable=True)
        self._validate(name, self._decode(name, args))

    def _decode(self, name: str, args: Sequence[RawValue]) -> object:
        kind = a.ACTIONS[name]
        if not args:
            return kind()
        return workflow.payload_converter().from_payload(args[0].payload, kind)
