"""Histories of real runs replay under the current code, and do the same things.

A complaint lives for a year, so a deploy meets complaints started on older code. Temporal's
replay alone checks only the workflow's shape (one activity per wake, whatever it carries):
deleting a reminder or sending every escalation to the same manager would still replay.
So each replay here also collects what today's code hands the activity at every step (the
complaint's state and the notices to send) and compares it with what the saved history
recorded. A change of behaviour fails these tests until it is gated (a rules version
carried in the complaint's state, or ``workflow.patched``) so that old complaints keep the
old behaviour, and a new folder of histories is recorded (``python -m tests.record_histories``).

A council's own histories are encrypted (``workflows.encryption``): they replay through the
codec, with their key. ``COMPLAINTS_REPLAY_HISTORIES`` names a folder of them (exported with
``temporal workflow show --output json``, or ``WorkflowHistory.to_json``), and
``COMPLAINTS_REPLAY_KEY_FILE`` its key (else the usual ``COMPLAINTS_PAYLOAD_KEY`` or
``COMPLAINTS_PAYLOAD_KEY_FILE``, read when the tests are collected)::

    COMPLAINTS_REPLAY_HISTORIES=exported/ COMPLAINTS_REPLAY_KEY_FILE=var/payload.key \
        .venv/bin/pytest tests/test_replay.py -k councils
"""

from __future__ import annotations

import asyncio
import base64
import copy
import dataclasses
import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHistory
from temporalio.converter import DataConverter
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from models.actions import Assign, Extend, Respond
from models.workflow_io import RecordAndNotify
from tests.test_privacy import EMAIL, NAME, registration
from worker import build_worker, workflow_runner
from workflows.complaint import ComplaintWorkflow
from workflows.encryption import PayloadRefused, payload_key, read_key_file
from workflows.engine import DATA_CONVERTER, complaint_input, data_converter

# The activity that records a complaint: its name before, and since, delivery became its own.
RECORDS = ("record_and_notify", "record")
HISTORIES = sorted((Path(__file__).parent / "histories").rglob("*.json"))


def _councils_histories() -> tuple[list[Path], bytes | None]:
    """The folder of a council's own (encrypted) histories, and their key, from the
    environment as it is when the tests are collected (conftest empties the engine's
    settings before any test runs)."""
    folder = os.environ.get("COMPLAINTS_REPLAY_HISTORIES")
    if not folder:
        return [], None
    named = os.environ.get("COMPLAINTS_REPLAY_KEY_FILE")
    key = read_key_file(Path(named)) if named else payload_key()
    return sorted(Path(folder).rglob("*.json")), key


COUNCILS_HISTORIES, COUNCILS_KEY = _councils_histories()


class ActivityInputs(Interceptor):
    """Collects the input of every activity the workflow schedules while it replays."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput):
        seen = self.seen

        class Outbound(WorkflowOutboundInterceptor):
            def start_activity(self, input: StartActivityInput):
                if input.activity in RECORDS:
                    # A copy: the snapshot shares its lists with the live state, which moves on.
                    seen.append(copy.deepcopy(input.args[0]))
                return super().start_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound


async def recorded_inputs(history: WorkflowHistory, converter: DataConverter = DATA_CONVERTER) -> list[RecordAndNotify]:
    """What the saved history's record activities were given, read with today's types
    (decoded through the converter's codec: an encrypted history needs its key)."""
    scheduled = [
        event.activity_task_scheduled_event_attributes
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    ]
    return [
        (await converter.decode(attributes.input.payloads[:1], [RecordAndNotify]))[0]
        for attributes in scheduled
        if attributes.activity_type.name in RECORDS
    ]


async def replay(history: WorkflowHistory, converter: DataConverter = DATA_CONVERTER) -> list[Any]:
    inputs = ActivityInputs()
    replayer = Replayer(
        workflows=[ComplaintWorkflow],
        data_converter=converter,
        workflow_runner=workflow_runner(),
        interceptors=[inputs],
    )
    await replayer.replay_workflow(history)
    return inputs.seen


def behaviour(state: Any) -> Any:
    """The complaint's state without the bookkeeping of its snapshot: the first engine
    sent the list of notices with every snapshot (the outbox now keeps it) and had no
    revision counter. Everything the rules decide stays in."""
    return dataclasses.replace(state, sent=[], revision=0)


def load(path: Path) -> WorkflowHistory:
    return WorkflowHistory.from_json(path.stem, path.read_text())


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 6
    assert len({p.parent.name for p in HISTORIES}) >= 2, "histories of more than one version of the code"


async def replays_and_does_what_it_recorded(history: WorkflowHistory, converter: DataConverter = DATA_CONVERTER) -> None:
    want = await recorded_inputs(history, converter)
    got = await replay(history, converter)
    assert want, "the history ran its activity"
    assert len(got) == len(want)
    for step, (g, w) in enumerate(zip(got, want)):
        assert g.notices == w.notices, f"step {step}: the notices differ from what the history sent"
        assert behaviour(g.state) == behaviour(w.state), f"step {step}: the complaint's state differs from what the history recorded"


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays_and_does_what_it_recorded(path):
    await replays_and_does_what_it_recorded(load(path))


@pytest.mark.parametrize("path", COUNCILS_HISTORIES, ids=lambda p: p.stem)
async def test_a_councils_histories_replay_through_their_key(path):
    """COMPLAINTS_REPLAY_HISTORIES: a council's own histories, encrypted, replayed with
    their key (none given: they are read unencrypted; no folder: nothing to run)."""
    await replays_and_does_what_it_recorded(load(path), data_converter(COUNCILS_KEY))


async def test_a_changed_rule_fails_the_replay(monkeypatch):
    """The guard itself: with one chase quietly dropped, replaying a history that sent it fails."""
    from rules import chasing

    path = await _first(HISTORIES, lambda kinds, _levels: "due_today" in kinds)
    original = chasing.clock_chases

    def without_due_today(*args, **kwargs):
        return [c for c in original(*args, **kwargs) if c.kind != "due_today"]

    monkeypatch.setattr(chasing, "clock_chases", without_due_today)
    with pytest.raises(AssertionError, match="differ"):
        await _compare(path)


async def test_escalating_to_the_wrong_manager_fails_the_replay(monkeypatch):
    from rules import chasing

    path = await _first(HISTORIES, lambda _kinds, levels: levels > 1)
    original = chasing.escalation_chain

    def first_manager_only(officers, officer_id):
        chain = original(officers, officer_id)
        return chain[:1]

    monkeypatch.setattr(chasing, "escalation_chain", first_manager_only)
    with pytest.raises(AssertionError, match="differ"):
        await _compare(path)


async def _compare(path: Path) -> None:
    history = load(path)
    want, got = await recorded_inputs(history), await replay(history)
    assert len(got) == len(want), "the number of steps differ"
    for g, w in zip(got, want):
        assert g.notices == w.notices, "the notices differ"
        assert behaviour(g.state) == behaviour(w.state), "the states differ"


async def _first(paths: list[Path], wanted) -> Path:
    """The first history whose notices' kinds and escalation levels are ``wanted``."""
    for path in paths:
        steps = await recorded_inputs(load(path))
        kinds = [n.kind for step in steps for n in step.notices]
        levels = len({n.to for step in steps for n in step.notices if n.kind == "escalation"})
        if wanted(kinds, levels):
            return path
    raise AssertionError("no history fits")


# ------------------------------------------------------------------ encrypted histories

async def _record_encrypted_history(client: Client, store, smtp, task_queue: str) -> WorkflowHistory:
    """A short real complaint on an encrypting engine: registered, assigned, extended,
    answered; its history as Temporal keeps it."""
    reg = registration(f"ENC-{uuid.uuid4().hex[:8]}")
    async with build_worker(client, store, smtp, task_queue):
        handle = await client.start_workflow(ComplaintWorkflow.run, complaint_input(reg), id=reg.ref, task_queue=task_queue)
        for name, request in (("assign", Assign("io-1")), ("extend", Extend("complex")), ("respond", Respond("upheld"))):
            await handle.execute_update(name, request)
        return await handle.fetch_history()


async def test_an_encrypted_history_replays_through_the_codec_with_its_key(dev_server_env, store, smtp, task_queue, tmp_path):
    key = secrets.token_bytes(32)
    encrypting = data_converter(key)
    client = await Client.connect(dev_server_env.client.service_client.config.target_host, data_converter=encrypting)
    recorded = await _record_encrypted_history(client, store, smtp, task_queue)
    folder = tmp_path / "histories"
    folder.mkdir()
    path = folder / f"{recorded.workflow_id}.json"
    path.write_text(recorded.to_json())
    key_file = tmp_path / "payload.key"
    key_file.write_text(base64.b64encode(key).decode())

    # Saved as Temporal keeps it: nothing of the family in it, in any form.
    raw = b"".join(event.SerializeToString() for event in recorded.events)
    for personal in (NAME, EMAIL):
        assert personal.encode() not in raw and personal not in path.read_text()
        assert base64.b64encode(personal.encode()).decode()[:12] not in path.read_text()

    # Through the codec, with its key, it replays and does again what it recorded.
    history = load(path)
    steps = await recorded_inputs(history, encrypting)
    assert len(steps) >= 3 and steps[0].state.complainant.email == EMAIL
    assert steps[0].notices[0].kind == "acknowledgement" and steps[-1].state.stages[0].outcome == "upheld"
    await replays_and_does_what_it_recorded(history, encrypting)

    # Without its key, or with another, it cannot be read.
    with pytest.raises(PayloadRefused, match="encrypted, and no payload key"):
        await recorded_inputs(history)
    with pytest.raises(PayloadRefused, match="another key"):
        await recorded_inputs(history, data_converter(secrets.token_bytes(32)))
    with pytest.raises(Exception):
        await replay(history)

    # And as a council replays its own: a folder and a key file named in the environment.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPLAINTS_")}
    environment.update(COMPLAINTS_REPLAY_HISTORIES=str(folder), COMPLAINTS_REPLAY_KEY_FILE=str(key_file))
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::test_a_councils_histories_replay_through_their_key"],
        env=environment, cwd=Path(__file__).parent.parent, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
