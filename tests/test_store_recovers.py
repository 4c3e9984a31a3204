"""A record store that was read-only for a moment: the worker carries on by itself.

SQLite opens a file it cannot write read-only, silently, and such a connection stays
read-only after the file is writable again. The worker runs here as its own process
without the root's power to ignore file permissions (setpriv drops CAP_DAC_OVERRIDE), so
a file made read-only really is read-only to it, as to a council's service account.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from models.actions import Assign, Registration
from models.complaint import Complainant, Officer
from notifications.sink import MailSink
from rules.complaint import LONDON
from store.record_store import RecordStore
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

ROOT = Path(__file__).resolve().parents[1]
SETPRIV = shutil.which("setpriv")
DROP = "-dac_override,-dac_read_search,-fowner"


def worker_without_root_powers(env, task_queue: str, database: str, smtp_port: int) -> subprocess.Popen:
    settings = {"TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
                "TEMPORAL_TASK_QUEUE": task_queue, "DATABASE_URL": database,
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)}
    return subprocess.Popen(
        [SETPRIV, f"--inh-caps={DROP}", f"--bounding-set={DROP}", sys.executable, "worker.py"],
        cwd=ROOT, env={**os.environ, **settings}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


async def eventually(check, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.3)
    return await asyncio.to_thread(check)


def files_of(db: Path) -> list[Path]:
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()]


@pytest.mark.skipif(SETPRIV is None or os.geteuid() != 0, reason="needs root and util-linux's setpriv")
async def test_a_worker_whose_store_was_read_only_for_a_moment_recovers_by_itself(
    dev_server_env, task_queue, tmp_path
):
    db = tmp_path / "records.db"
    database = f"sqlite:///{db}"
    store = RecordStore(database)
    store.create_schema()
    sink = MailSink(port=0).start()
    for path in files_of(db):
        path.chmod(0o444)
    worker = worker_without_root_powers(dev_server_env, task_queue, database, sink.port)
    try:
        ref = f"RO-{uuid.uuid4().hex[:8]}"
        reg = Registration(ref=ref, policy="corporate", received=datetime.now(LONDON),
                           complainant=Complainant("A Parent", "parent@example.org", "parent"),
                           officers=[Officer("io-1", "Investigating Officer", "io1@council.example")],
                           complaints_team_email="complaints@council.example")
        handle = await dev_server_env.client.start_workflow(
            ComplaintWorkflow.run, complaint_input(reg), id=ref, task_queue=task_queue)
        await asyncio.sleep(3)                      # the record is tried, and refused
        assert store.complaint(ref) is None
        for path in files_of(db):
            path.chmod(0o644)
        # Writable again: the next try writes, without a restart.
        assert await eventually(lambda: store.complaint(ref) is not None, timeout=30)
        await handle.execute_update("assign", Assign("io-1"))
        assert await eventually(lambda: store.complaint(ref)["stages"][0]["officer"] == "io-1", timeout=10)
        assert await asyncio.to_thread(sink.wait_for, 2, 30)
    finally:
        worker.kill()
        worker.wait(timeout=10)
        sink.stop()
        store.close()
