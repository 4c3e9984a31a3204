"""Benchmark 3: the worker's resident memory with 2,000 open complaints.

A dev server (in memory, real time) and one worker process (``python -m bench.worker_process``:
``worker.py``'s worker, SQLite record store in a temporary directory, mail to a
``MailSink`` in a third process). The baseline is that same worker process's RSS once it
is polling, idle, before any complaint exists. Then 2,000 complaints are registered and
assigned (start workflow + ``assign`` Update, at most 50 at a time); each then waits on
its clock (its next chasing day, tomorrow at 09:00). When the worker has gone quiet its
RSS is read again (and the peak, VmHWM, over the whole run).

The worker keeps at most ``max_cached_workflows`` workflows in memory (the SDK's default,
1,000, unless ``--max-cached`` says otherwise); the others are evicted and replayed from
history when something happens to them. The figure printed says which setting was used.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

import psutil

from bench.common import ExternalMailSink, Row, say
from bench.lifecycle import OFFICERS, start_dev_server
from models.actions import Assign, Registration
from models.complaint import Complainant
from rules.complaint import LONDON
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

TARGET_MB = 300
SDK_DEFAULT_CACHE = 1000   # temporalio.worker.Worker(max_cached_workflows=1000)
MB = 1024 * 1024
REPO = Path(__file__).resolve().parent.parent


def rss(proc: psutil.Process) -> int:
    return proc.memory_info().rss


def peak_rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


async def settle(proc: psutil.Process, quiet_percent: float = 3.0, longest: float = 60.0) -> float:
    """Wait until the process uses under ``quiet_percent`` of a core for 2 s in a row; returns seconds waited."""
    t0 = time.perf_counter()
    proc.cpu_percent(None)
    calm = 0
    while time.perf_counter() - t0 < longest:
        await asyncio.sleep(1.0)
        calm = calm + 1 if proc.cpu_percent(None) < quiet_percent else 0
        if calm >= 2:
            break
    return time.perf_counter() - t0


async def sample_rss(proc: psutil.Process, n: int = 5) -> int:
    values = []
    for _ in range(n):
        values.append(rss(proc))
        await asyncio.sleep(0.5)
    return sorted(values)[len(values) // 2]


async def open_many(client, task_queue: str, count: int, concurrency: int = 50) -> float:
    limit = asyncio.Semaphore(concurrency)
    run = uuid.uuid4().hex[:8]
    done = 0

    async def one(i: int) -> None:
        nonlocal done
        async with limit:
            ref = f"MEM-{run}-{i:05d}"
            reg = Registration(
                ref=ref, policy=("children-statutory", "corporate", "complaint-handling-code")[i % 3],
                received=datetime.now(LONDON),
                complainant=Complainant(name=f"Complainant {i}", email=f"c{i}@example.org", type="parent"),
                officers=OFFICERS, complaints_team_email="complaints@council.example",
            )
            handle = await client.start_workflow(ComplaintWorkflow.run, complaint_input(reg), id=ref,
                                                 task_queue=task_queue)
            await handle.execute_update("assign", Assign(officer="io-1"))
            done += 1
            if done % 500 == 0:
                say(f"[memory] {done} complaints open")

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(count)))
    return time.perf_counter() - t0


async def bench_memory(open_complaints: int = 2000, max_cached: int | None = None,
                       worker_module: str = "bench.worker_process") -> list[Row]:
    count = open_complaints
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        worker: asyncio.subprocess.Process | None = None
        sink = ExternalMailSink(str(Path(tmp) / "mail"))
        await sink.__aenter__()
        try:
            env = await start_dev_server()
            async with env:
                task_queue = f"bench-memory-{uuid.uuid4()}"
                child_env = {
                    **os.environ,
                    "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                    "TEMPORAL_NAMESPACE": env.client.namespace,
                    "TEMPORAL_TASK_QUEUE": task_queue,
                    "DATABASE_URL": f"sqlite:///{Path(tmp) / 'records.db'}",
                    "SMTP_HOST": "127.0.0.1",
                    "SMTP_PORT": str(sink.port),
                }
                if max_cached is not None:
                    child_env["BENCH_MAX_CACHED"] = str(max_cached)
                worker = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", worker_module, cwd=str(REPO), env=child_env,
                    stdout=asyncio.subprocess.PIPE,
                )
                line = await asyncio.wait_for(worker.stdout.readline(), timeout=120)
                if line.strip() != b"ready":
                    raise RuntimeError(f"the worker process did not start: {line!r}")
                proc = psutil.Process(worker.pid)
                await settle(proc)
                idle = await sample_rss(proc)
                say(f"[memory] worker process {worker.pid} idle (polling, no complaints): RSS {idle / MB:.0f} MB")

                took = await open_many(env.client, task_queue, count)
                say(f"[memory] {count} complaints registered and assigned in {took:.1f} s "
                    f"({count / took:.1f}/s)")
                waited = await settle(proc)
                loaded = await sample_rss(proc)
                peak = peak_rss(worker.pid)
                mails = sink.count()
                cache = max_cached if max_cached is not None else SDK_DEFAULT_CACHE
                in_cache = min(count, cache)
                say(f"[memory] after {waited:.0f} s settling: RSS {loaded / MB:.0f} MB, peak {peak / MB:.0f} MB; "
                    f"max_cached_workflows {cache}{' (SDK default)' if max_cached is None else ''}, so at most "
                    f"{in_cache} of the {count} in memory: +{(loaded - idle) / in_cache / 1024:.0f} KB per cached "
                    f"complaint; mails {mails}")
        finally:
            if worker is not None and worker.returncode is None:
                worker.terminate()
                try:
                    await asyncio.wait_for(worker.wait(), timeout=30)
                except asyncio.TimeoutError:
                    worker.kill()
                    await worker.wait()
            await sink.__aexit__(None, None, None)
    label = f"worker RSS, {count} open" + (f" (cache {max_cached})" if max_cached is not None else "")
    return [
        Row(label, loaded / MB, "MB", idle / MB, "same worker idle", loaded / idle,
            f"<= {TARGET_MB} MB", loaded / MB <= TARGET_MB),
    ]
