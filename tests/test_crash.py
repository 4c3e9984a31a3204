"""A worker killed in the middle of sending, and a mail server that is down: nothing lost,
nothing sent twice but in SMTP's own window, and that one told apart by its Message-ID.

The worker runs as its own process (`python worker.py`) against a real dev server; the
mail server answers slowly so the kill lands while mail is mid-conversation. Its SMTP
timeout is 5 s, so a letter held by the killed worker is free again within 20 s.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from models.actions import Registration
from models.complaint import Complainant, Officer
from notifications.sink import MailSink, free_port
from rules.complaint import LONDON
from store.record_store import RecordStore
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

ROOT = Path(__file__).resolve().parents[1]
OFFICERS = [Officer("io-1", "Investigating Officer", "io1@council.example")]


def start_worker(env, task_queue: str, database: str, smtp_port: int) -> subprocess.Popen:
    settings = {
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "TEMPORAL_TASK_QUEUE": task_queue,
        "DATABASE_URL": database,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "SMTP_TIMEOUT": "5",
    }
    return subprocess.Popen(
        [sys.executable, "worker.py"], cwd=ROOT, env={**os.environ, **settings},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


async def register(env, task_queue: str, count: int) -> list[str]:
    refs = []
    for _ in range(count):
        ref = f"CR-{uuid.uuid4().hex[:8]}"
        reg = Registration(
            ref=ref, policy="corporate", received=datetime.now(LONDON),
            complainant=Complainant("A Parent", "parent@example.org", "parent"),
            officers=OFFICERS, complaints_team_email="complaints@council.example",
        )
        await env.client.start_workflow(ComplaintWorkflow.run, complaint_input(reg), id=ref, task_queue=task_queue)
        refs.append(ref)
    return refs


async def wait_until(check, timeout: float) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if check():
            return True
        await asyncio.sleep(0.2)
    return check()


def all_marked_sent(database: str, refs: list[str]) -> bool:
    store = RecordStore(database)
    try:
        return all(mail["sent_at"] is not None for ref in refs for mail in store.sent_mail(ref))
    finally:
        store.close()


def stop(worker: subprocess.Popen, sink: MailSink) -> None:
    worker.kill()
    worker.wait(timeout=10)
    sink.stop()


def acknowledgements(sink: MailSink, refs: list[str]) -> list[str]:
    return [m["X-Complaint-Ref"] for m in sink.messages if m["X-Complaint-Ref"] in refs]


async def test_worker_killed_before_the_server_accepted_a_letter_sends_it_once_after_restart(
    dev_server_env, task_queue, tmp_path
):
    database = f"sqlite:///{tmp_path / 'records.db'}"
    sink = MailSink(port=0, pause_before_accepting=0.5).start()
    worker = start_worker(dev_server_env, task_queue, database, sink.port)
    try:
        refs = await register(dev_server_env, task_queue, 6)
        # Kill the worker once some mail has arrived and the rest is mid-conversation.
        assert await wait_until(lambda: len(acknowledgements(sink, refs)) >= 2, timeout=60)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        assert len(acknowledgements(sink, refs)) < 6, "the kill should land before all mail has gone"

        worker = start_worker(dev_server_env, task_queue, database, sink.port)
        assert await wait_until(lambda: len(acknowledgements(sink, refs)) >= 6, timeout=90)
        await asyncio.sleep(3)  # anything sent twice would arrive now
        assert sorted(acknowledgements(sink, refs)) == sorted(refs)
        assert set(sink.received_by_message_id().values()) == {1}
        assert all_marked_sent(database, refs)
    finally:
        stop(worker, sink)


async def test_mail_server_down_then_up_loses_nothing(dev_server_env, task_queue, tmp_path):
    database = f"sqlite:///{tmp_path / 'records.db'}"
    port = free_port()
    worker = start_worker(dev_server_env, task_queue, database, port)
    sink = MailSink(port=port)
    try:
        refs = await register(dev_server_env, task_queue, 2)
        await asyncio.sleep(4)  # the activity fails and retries while nothing listens
        handle = dev_server_env.client.get_workflow_handle(refs[0])
        state = await handle.query(ComplaintWorkflow.state)
        assert state.status == "open", "the complaint carries on while the mail waits"
        sink.start()
        assert await wait_until(lambda: len(acknowledgements(sink, refs)) >= 2, timeout=60)
        await asyncio.sleep(2)
        assert sorted(acknowledgements(sink, refs)) == sorted(refs)
    finally:
        stop(worker, sink)


async def test_worker_killed_after_the_server_accepted_a_letter_sends_it_again_with_the_same_message_id(
    dev_server_env, task_queue, tmp_path
):
    """SMTP's own window (RFC 1047): the server has the letter, the worker dies before it
    marks it sent. On restart the letter goes again; the copy carries the same Message-ID,
    so a receiver (or a council's mail filter) can tell it is the same letter. Every other
    letter arrives once."""
    records = tmp_path / "records.db"
    database = f"sqlite:///{records}"
    lock: list[sqlite3.Connection] = []

    def hold_the_store_once_accepted() -> None:
        # The first letter accepted: lock the record store so its "sent" cannot be written.
        if not lock:
            conn = sqlite3.connect(records, timeout=30, isolation_level=None, check_same_thread=False)
            conn.execute("BEGIN EXCLUSIVE")
            lock.append(conn)

    sink = MailSink(port=0, on_accepting=hold_the_store_once_accepted).start()
    worker = start_worker(dev_server_env, task_queue, database, sink.port)
    try:
        refs = await register(dev_server_env, task_queue, 3)
        assert await wait_until(lambda: len(acknowledgements(sink, refs)) >= 1, timeout=60)
        await asyncio.sleep(1)          # the worker waits on the locked store
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        first = sink.headers()[0]["Message-ID"]
        lock[0].rollback()
        lock[0].close()

        worker = start_worker(dev_server_env, task_queue, database, sink.port)
        assert await wait_until(lambda: len(acknowledgements(sink, refs)) >= 4, timeout=90)
        await asyncio.sleep(3)
        counts = sink.received_by_message_id()
        assert counts[first] == 2, "the letter in the window went again, under its own Message-ID"
        assert sorted(n for mid, n in counts.items() if mid != first) == [1, 1]
        assert sorted(set(acknowledgements(sink, refs))) == sorted(refs)
        assert all_marked_sent(database, refs)
    finally:
        stop(worker, sink)
