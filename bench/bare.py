"""Bare Temporal workflows: the baselines the engine's figures are divided by.

Kept trivial on purpose, and free of heavy imports (the workflow sandbox re-imports
this module for every workflow run): no domain code, no pydantic models, no database.

- ``BareTimersWorkflow``: N timers (``workflow.sleep``) and M no-op activities,
  interleaved, as a complaint's history has them (the simulate baseline).
- ``BareLifecycleWorkflow``: started with one no-op activity (the engine records the
  registration and acknowledges it), then three Updates, each running one no-op
  activity, then done (the stage-1 lifecycle baseline).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from temporalio import activity, workflow

ACTIVITY_TIMEOUT = timedelta(minutes=2)


@activity.defn(name="bench_noop")
async def noop() -> None:
    return None


@dataclass
class BareTimersInput:
    timers: int
    activities: int
    interval_seconds: float = 86_400.0   # a day between timers, like a chasing clock


@workflow.defn(name="BenchBareTimers")
class BareTimersWorkflow:
    @workflow.run
    async def run(self, inp: BareTimersInput) -> int:
        steps = max(inp.timers, inp.activities)
        for i in range(steps):
            if i < inp.activities:
                await workflow.execute_activity(noop, start_to_close_timeout=ACTIVITY_TIMEOUT)
            if i < inp.timers:
                await workflow.sleep(inp.interval_seconds)
        return steps


@workflow.defn(name="BenchBareLifecycle")
class BareLifecycleWorkflow:
    STEPS = 3

    def __init__(self) -> None:
        self.done = 0

    @workflow.run
    async def run(self) -> int:
        await workflow.execute_activity(noop, start_to_close_timeout=ACTIVITY_TIMEOUT)
        await workflow.wait_condition(lambda: self.done >= self.STEPS and workflow.all_handlers_finished())
        return self.done

    @workflow.update
    async def step(self, name: str) -> str:
        await workflow.execute_activity(noop, start_to_close_timeout=ACTIVITY_TIMEOUT)
        self.done += 1
        return name
