"""Recording never waits on mail: the record store is current at once, whatever the mail
server does, and every letter arrives exactly once when it can.

Each test runs the real worker (workflows, the record activity and delivery) on a dev
server, with mail to aiosmtpd on loopback, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import uuid
from datetime import date, datetime, timedelta

import pytest

from cli import main as cli_main
from models.actions import Assign, Extend, Registration, Respond, Resume, Suspend
from models.complaint import Complainant, Officer
from notifications import render as rendering
from notifications.mailer import SmtpSettings
from notifications.sink import MailSink, free_port
from rules.complaint import LONDON
from store.record_store import RecordStore
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import complaint_input

OFFICERS = [Officer("tm-1", "Team Manager", "tm1@council.example"),
            Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1")]


@pytest.fixture
def records(database):
    store = RecordStore(database)
    store.create_schema()
    yield store
    store.close()


@pytest.fixture
def cli_env(dev_server_env, task_queue, database, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("COMPLAINTS_TIMEOUT", "20")


async def complaints(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(cli_main.main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def start(env, task_queue: str, email: str = "parent@example.org"):
    ref = f"DL-{uuid.uuid4().hex[:8]}"
    reg = Registration(ref=ref, policy="children-statutory", received=datetime.now(LONDON),
                       complainant=Complainant("A Parent", email, "parent"),
                       officers=OFFICERS, complaints_team_email="complaints@council.example")
    return await env.client.start_workflow(ComplaintWorkflow.run, complaint_input(reg), id=ref, task_queue=task_queue)


async def eventually(check, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return True
        await asyncio.sleep(0.2)
    return await asyncio.to_thread(check)


def kinds(sink: MailSink, ref: str) -> list[str]:
    return sorted(m["X-Notification-Kind"] for m in sink.headers() if m["X-Complaint-Ref"] == ref)


async def test_mail_down_five_actions_are_recorded_at_once_and_every_letter_goes_once_when_it_is_back(
    dev_server_env, task_queue, records, cli_env, capsys
):
    port = free_port()
    smtp = SmtpSettings(host="127.0.0.1", port=port, timeout=2)
    sink = MailSink(port=port)
    async with build_worker(dev_server_env.client, records, smtp, task_queue):
        handle = await start(dev_server_env, task_queue)
        began = time.monotonic()
        for action, request in (("assign", Assign("io-1")), ("extend", Extend("complex")),
                                ("suspend", Suspend("court_proceedings")), ("resume", Resume()),
                                ("respond", Respond("upheld"))):
            await handle.execute_update(action, request)
        took = time.monotonic() - began
        record = records.complaint(handle.id)
        # The store shows all five at once: no action waited for the mail server.
        assert record["revision"] == 6, record["revision"]
        stage = record["stages"][0]
        assert (stage["officer"], stage["extension_reason"], stage["outcome"]) == ("io-1", "complex", "upheld")
        assert record["status"] == "open"      # answered; the window to ask for stage 2 is open
        assert took < 20, f"five actions took {took:.1f}s with the mail server down"
        # status says what is waiting; nothing is called sent.
        assert await eventually(lambda: any(m["attempts"] for m in records.sent_mail(handle.id)), 20)
        code, out, _ = await complaints(capsys, "status", handle.id)
        assert code == 0
        letters = out.split("\nletters\n", 1)[1]
        assert "sent 20" not in letters and "waiting" in letters
        code, out, _ = await complaints(capsys, "list", "--json")
        listed = next(row for row in json.loads(out) if row["ref"] == handle.id)
        assert code == 0 and listed["letters_waiting"] >= 1 and listed["letters_failed"] == 0
        sink.start()
        try:
            want = sorted(["acknowledgement", "assignment", "extension_letter", "suspension_letter",
                           "resumption_letter", "response_issued"])
            assert await eventually(lambda: kinds(sink, handle.id) == want, 60), kinds(sink, handle.id)
            await asyncio.sleep(2)          # anything sent twice would arrive now
            assert kinds(sink, handle.id) == want
            assert set(sink.received_by_message_id().values()) == {1}
            assert all(m["sent_at"] is not None for m in records.sent_mail(handle.id))
        finally:
            sink.stop()


async def test_a_server_that_pauses_20_seconds_before_accepting_each_letter_gets_each_once(
    dev_server_env, task_queue, records
):
    sink = MailSink(port=0, pause_before_accepting=20).start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=sink.port)
        async with build_worker(dev_server_env.client, records, smtp, task_queue):
            handle = await start(dev_server_env, task_queue)
            began = time.monotonic()
            await handle.execute_update("assign", Assign("io-1"))
            assert time.monotonic() - began < 10, "the action did not wait for the slow server"
            assert records.complaint(handle.id)["stages"][0]["officer"] == "io-1"
            assert await eventually(lambda: len(kinds(sink, handle.id)) >= 2, 120)
            await asyncio.sleep(1)
            assert kinds(sink, handle.id) == ["acknowledgement", "assignment"]
            assert set(sink.received_by_message_id().values()) == {1}
    finally:
        sink.stop()


async def test_a_broken_template_fails_its_letter_not_the_complaint_and_retry_sends_it_once_mended(
    dev_server_env, task_queue, records, cli_env, capsys, tmp_path, monkeypatch
):
    templates = tmp_path / "templates"
    shutil.copytree(rendering.TEMPLATES, templates)
    good = (templates / "assignment.txt").read_text()
    (templates / "assignment.txt").write_text(good.replace("{% block body %}", "{% block body %}{{ oops(", 1))
    monkeypatch.setattr(rendering, "TEMPLATES", templates)
    rendering.environment.cache_clear()
    sink = MailSink(port=0).start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=sink.port)
        async with build_worker(dev_server_env.client, records, smtp, task_queue):
            handle = await start(dev_server_env, task_queue)
            await handle.execute_update("assign", Assign("io-1"))
            await handle.execute_update("extend", Extend("complex"))
            # The record is current; the assignment letter failed, with its reason.
            record = records.complaint(handle.id)
            assert record["revision"] == 3 and record["stages"][0]["officer"] == "io-1"
            assert await eventually(lambda: kinds(sink, handle.id) == ["acknowledgement", "extension_letter"], 30)
            code, out, _ = await complaints(capsys, "status", handle.id)
            failed = [line for line in out.splitlines() if "FAILED" in line]
            assert len(failed) == 1 and "assignment" in failed[0] and "could not be written" in failed[0]
            code, out, _ = await complaints(capsys, "list")
            assert code == 0 and "1 FAILED" in out
            # Mended, and tried again: it goes, once.
            (templates / "assignment.txt").write_text(good)
            rendering.environment.cache_clear()
            code, out, err = await complaints(capsys, "retry-letters", handle.id)
            assert code == 0 and "1 letter(s) handed back to delivery" in out, err
            assert await eventually(lambda: "assignment" in kinds(sink, handle.id), 30)
            await asyncio.sleep(1)
            assert kinds(sink, handle.id) == ["acknowledgement", "assignment", "extension_letter"]
            assert set(sink.received_by_message_id().values()) == {1}
            code, out, _ = await complaints(capsys, "retry-letters", handle.id)
            assert "no failed letters" in out
    finally:
        sink.stop()
        rendering.environment.cache_clear()


async def test_a_recipient_refused_for_good_is_marked_failed_and_the_complaint_goes_on(
    dev_server_env, task_queue, records
):
    sink = MailSink(port=0, refuse={"nobody@example.org"}).start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=sink.port)
        async with build_worker(dev_server_env.client, records, smtp, task_queue):
            handle = await start(dev_server_env, task_queue, email="nobody@example.org")
            await handle.execute_update("assign", Assign("io-1"))
            assert await eventually(lambda: kinds(sink, handle.id) == ["assignment"], 30)
            assert await eventually(
                lambda: any(m["failed_at"] for m in records.sent_mail(handle.id)), 30)
            ack = next(m for m in records.sent_mail(handle.id) if m["kind"] == "acknowledgement")
            assert "550" in ack["failure"] and "nobody@example.org" not in ack["failure"]
            assert records.complaint(handle.id)["stages"][0]["officer"] == "io-1"
    finally:
        sink.stop()


async def test_a_worker_stopped_mid_delivery_lets_go_of_its_letters_for_the_next_one(
    dev_server_env, task_queue, records
):
    """Letters taken by a worker that stops (a deploy) are not held for the two minutes of
    their hold: the next worker sends them at once, each once."""
    sink = MailSink(port=0, pause_before_accepting=0.3).start()
    try:
        smtp = SmtpSettings(host="127.0.0.1", port=sink.port)      # a hold of 130 s
        async with build_worker(dev_server_env.client, records, smtp, task_queue):
            handles = [await start(dev_server_env, task_queue) for _ in range(6)]
            await eventually(lambda: len(sink.headers()) >= 1, 20)
        stopped_with = len(sink.headers())
        assert stopped_with < 6, "the worker should stop with letters still to send"
        async with build_worker(dev_server_env.client, records, smtp, task_queue):
            assert await eventually(lambda: len(sink.headers()) >= 6, 30), len(sink.headers())
        assert sorted(m["X-Complaint-Ref"] for m in sink.headers()) == sorted(h.id for h in handles)
        assert set(sink.received_by_message_id().values()) == {1}
    finally:
        sink.stop()
