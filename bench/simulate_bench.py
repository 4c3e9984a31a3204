"""Benchmark 1: `simulate` on a generated year of complaints, against bare workflows.

The engine figure is ``simulation.runner.simulate(scenario)`` itself, timed from call to
return (dev server start-up, the run, the timeline). To know how many timers and
activities the engine's complaints really used, the dev server's shutdown is wrapped
(for this run only) so that, before it stops, every complaint's history is fetched and
counted; that counting is timed and taken out of the engine's time.

The baseline is, in the same run, on a fresh time-skipping dev server started the same
way (``start_simulated_temporal``): one bare workflow per complaint, with exactly as
many timers (``workflow.sleep``) and no-op activities as that complaint's history had,
driven by ``env.fast_forward`` per workflow, as many at a time as the simulation runs
complaints (``CONCURRENT_COMPLAINTS``). Its time also includes its server's start-up.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.worker import Worker

import simulation.runner as runner
from bench.bare import BareTimersInput, BareTimersWorkflow, noop
from bench.caseload import generate_year_with_facts
from bench.common import CpuSnapshot, Row, cpu_between, cpu_snapshot, say
from simulation.scenario import parse_scenario

TARGET_SECONDS = 60.0

COUNTED = {
    "timers_started": EventType.EVENT_TYPE_TIMER_STARTED,
    "timers_fired": EventType.EVENT_TYPE_TIMER_FIRED,
    "timers_cancelled": EventType.EVENT_TYPE_TIMER_CANCELED,
    "activities": EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    "updates": EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
    "workflow_tasks": EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
    "workflow_task_timeouts": EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
    "workflow_task_failures": EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
}


@dataclass
class Capture:
    """What the wrapped dev server saw of the engine's run."""

    counts: dict[str, Counter] = field(default_factory=dict)   # ref -> event kind -> n
    events: int = 0
    count_seconds: float = 0.0
    started: CpuSnapshot | None = None
    stopping: CpuSnapshot | None = None
    startup_seconds: float = 0.0


async def count_histories(client: Client, refs: list[str]) -> tuple[dict[str, Counter], int]:
    counts: dict[str, Counter] = {}
    total = 0
    limit = asyncio.Semaphore(20)

    async def one(ref: str) -> None:
        nonlocal total
        async with limit:
            try:
                history = await client.get_workflow_handle(ref).fetch_history()
            except Exception:  # a complaint refused at registration has no workflow
                return
        c: Counter = Counter()
        for event in history.events:
            for name, kind in COUNTED.items():
                if event.event_type == kind:
                    c[name] += 1
        counts[ref] = c
        total += len(history.events)

    await asyncio.gather(*(one(r) for r in refs))
    return counts, total


async def run_engine(scenario_dict: dict[str, Any]) -> tuple[float, list[dict[str, Any]], Capture]:
    scenario = parse_scenario(scenario_dict)
    refs = [c.ref for c in scenario.complaints]
    cap = Capture()
    original = runner.start_simulated_temporal

    async def capturing_start():
        t0 = time.perf_counter()
        env = await original()
        cap.startup_seconds = time.perf_counter() - t0
        cap.started = cpu_snapshot()
        real_shutdown = env.shutdown

        async def shutdown() -> None:
            cap.stopping = cpu_snapshot()
            t = time.perf_counter()
            cap.counts, cap.events = await count_histories(env.client, refs)
            cap.count_seconds = time.perf_counter() - t
            await real_shutdown()

        env.shutdown = shutdown  # type: ignore[method-assign]
        return env

    runner.start_simulated_temporal = capturing_start
    try:
        t0 = time.perf_counter()
        lines = await runner.simulate(scenario)
        elapsed = time.perf_counter() - t0 - cap.count_seconds
    finally:
        runner.start_simulated_temporal = original
    return elapsed, lines, cap


async def run_bare(shapes: list[tuple[int, int]]) -> tuple[float, float, str, float]:
    """One bare workflow per (timers, activities); returns (seconds, startup seconds, CPU note,
    Python CPU seconds)."""
    t0 = time.perf_counter()
    env = await runner.start_simulated_temporal()
    startup = time.perf_counter() - t0
    async with env:
        a = cpu_snapshot()
        task_queue = f"bench-bare-{uuid.uuid4()}"
        limit = asyncio.Semaphore(runner.CONCURRENT_COMPLAINTS)

        async def one(i: int, timers: int, activities: int) -> None:
            async with limit:
                inp = BareTimersInput(timers=timers, activities=activities)
                handle = await env.client.start_workflow(
                    BareTimersWorkflow.run, inp, id=f"bare-{i}-{uuid.uuid4()}", task_queue=task_queue
                )
                span = timedelta(seconds=inp.interval_seconds * (timers + 1))
                await env.fast_forward(handle, span)
                await handle.result()

        async with Worker(env.client, task_queue=task_queue, workflows=[BareTimersWorkflow], activities=[noop]):
            await asyncio.gather(*(one(i, t, n) for i, (t, n) in enumerate(shapes)))
        b = cpu_snapshot()
    return time.perf_counter() - t0, startup, cpu_between(a, b), b.own - a.own


def realised(lines: list[dict[str, Any]]) -> str:
    summaries = [line for line in lines if line["event"] == "summary"]
    stages = [s for line in summaries for s in line["stages"] if s["responded"]]
    late = sum(1 for s in stages if s["on_time"] is False)
    late_complaints = sum(1 for line in summaries if any(s["on_time"] is False for s in line["stages"]))
    statuses = Counter(line["status"] for line in lines if line["event"] == "summary")
    top = Counter(line["stage"] for line in lines if line["event"] == "summary")
    mails = sum(1 for line in lines if line["event"] == "notification")
    rejected = [line for line in lines if line["event"] == "rejected"]
    out = (f"complaints answered late at some stage {late_complaints} ({late_complaints / max(len(summaries), 1):.0%}); "
           f"answered stages {len(stages)}, late {late} ({late / max(len(stages), 1):.0%}); "
           f"furthest stage {dict(sorted(top.items()))}; status {dict(statuses)}; "
           f"mails {mails}; rejected actions {len(rejected)}")
    for line in rejected[:5]:
        out += f"\n    rejected: {line['ref']} {line['do']} {line['date']}: {line['error']}"
    return out


async def bench_simulate(complaints: int = 200, seed: int = 2024) -> list[Row]:
    scenario, facts = generate_year_with_facts(complaints, seed)
    say(f"[simulate] generated year: {facts['complaints']} complaints {facts['policies']}, "
        f"{facts['actions']} actions {facts['by_action']}, until {facts['until']}")

    elapsed, lines, cap = await run_engine(scenario)
    n = len(cap.counts)
    totals: Counter = Counter()
    for c in cap.counts.values():
        totals.update(c)
    per = {k: totals[k] / max(n, 1) for k in COUNTED}
    say(f"[simulate] engine: simulate() {elapsed:.1f} s for {complaints} complaints "
        f"(dev server start-up {cap.startup_seconds:.1f} s; history counting {cap.count_seconds:.1f} s, excluded)")
    if cap.started and cap.stopping:
        say(f"[simulate] engine run (start-up to shutdown): {cpu_between(cap.started, cap.stopping)}")
    say(f"[simulate] outcome: {realised(lines)}")
    say("[simulate] per complaint (from {} histories, {} events): ".format(n, cap.events)
        + ", ".join(f"{k} {v:.1f}" for k, v in per.items()))
    say(f"[simulate] workflow tasks timed out (replayed after the worker took > 10 s): "
        f"{totals['workflow_task_timeouts']}, failed: {totals['workflow_task_failures']}")

    shapes = [(c["timers_started"], c["activities"]) for c in cap.counts.values()]
    bare_elapsed, bare_startup, bare_cpu, bare_python = await run_bare(shapes)
    say(f"[simulate] bare: {len(shapes)} workflows, {sum(t for t, _ in shapes)} timers, "
        f"{sum(a for _, a in shapes)} activities: {bare_elapsed:.1f} s (dev server start-up {bare_startup:.1f} s)")
    say(f"[simulate] bare run: {bare_cpu}")

    engine_rate = complaints / elapsed
    bare_rate = len(shapes) / bare_elapsed
    return [
        Row("simulate: 200-complaint year", elapsed, "s", None, "", None, f"< {TARGET_SECONDS:.0f} s",
            elapsed < TARGET_SECONDS),
        Row("simulate: complaints/s", engine_rate, "/s", bare_rate, "bare wf/s (same timers+activities)",
            engine_rate / bare_rate, "(reported)", None),
    ] + ([
        # The wall-clock ratio hides that the engine's Python does more: its CPU beside the bare run's.
        Row("simulate: Python CPU", engine_python, "s", bare_python, "bare run", engine_python / bare_python,
            "(reported)", None),
    ] if (engine_python := _python_cpu(cap)) is not None and bare_python > 0 else [])


def _python_cpu(cap) -> float | None:
    if cap.started and cap.stopping:
        return cap.stopping.own - cap.started.own
    return None
