"""The engine's worker as a process of its own, for the memory benchmark to measure.

    TEMPORAL_ADDRESS=... TEMPORAL_TASK_QUEUE=... DATABASE_URL=... SMTP_HOST=... SMTP_PORT=... \\
        python -m bench.worker_process

It is ``worker.py``'s worker (``build_worker``: the complaint workflow, its activity, the
sandbox settings), configured from the same environment variables. It prints ``ready``
once it polls its task queue, and runs until it is terminated. ``BENCH_MAX_CACHED``, if
set, overrides the worker's ``max_cached_workflows`` (the SDK's default is 1,000).
"""

from __future__ import annotations

import asyncio
import os
import signal

from notifications.mailer import SmtpSettings
from store.record_store import RecordStore, database_url
from worker import build_worker
from workflows.engine import TemporalSettings, connect


async def main() -> None:
    settings = TemporalSettings.from_env()
    store = RecordStore(database_url())
    store.create_schema()
    client = await connect(settings)
    options = {}
    if os.environ.get("BENCH_MAX_CACHED"):
        options["max_cached_workflows"] = int(os.environ["BENCH_MAX_CACHED"])
    worker = build_worker(client, store, SmtpSettings.from_env(), settings.task_queue, **options)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    async with worker:
        print("ready", flush=True)
        await stop.wait()
    store.close()


if __name__ == "__main__":
    asyncio.run(main())
