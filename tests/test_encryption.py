"""Complaints' payloads are encrypted before they reach Temporal, when a key is configured."""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime

import pytest
from temporalio.api.common.v1 import Payload
from temporalio.client import Client

from models.actions import Assign, Registration
from models.complaint import Complainant, Officer
from rules.complaint import LONDON
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.encryption import EncryptionCodec, PayloadKeyError, payload_key
from workflows.engine import DATA_CONVERTER, TemporalSettings, complaint_input, connect

NAME, EMAIL = "Zoë Complainant", "zoe.family@example.org"


def new_key() -> bytes:
    return secrets.token_bytes(32)


async def test_a_payload_round_trips_and_is_unreadable_in_between():
    codec = EncryptionCodec(new_key())
    plain = Payload(metadata={"encoding": b"json/plain"}, data=f'{{"name": "{NAME}"}}'.encode())
    [sealed] = await codec.encode([plain])
    assert NAME.encode() not in sealed.data and sealed.metadata["encoding"] == b"binary/encrypted"
    assert await codec.decode([sealed]) == [plain]


async def test_payloads_written_before_encryption_still_read_and_another_key_is_refused():
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'"old"')
    assert await EncryptionCodec(new_key()).decode([plain]) == [plain]
    [sealed] = await EncryptionCodec(new_key()).encode([plain])
    with pytest.raises(PayloadKeyError, match="another key"):
        await EncryptionCodec(new_key()).decode([sealed])


def test_the_key_comes_from_the_environment_or_a_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COMPLAINTS_PAYLOAD_KEY", raising=False)
    monkeypatch.delenv("COMPLAINTS_PAYLOAD_KEY_FILE", raising=False)
    assert payload_key() is None
    key = new_key()
    (tmp_path / "k").write_text(base64.b64encode(key).decode())
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY_FILE", str(tmp_path / "k"))
    assert payload_key() == key
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY", "not base64!")
    with pytest.raises(PayloadKeyError, match="not base64"):
        payload_key()
    monkeypatch.delenv("COMPLAINTS_PAYLOAD_KEY")
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(PayloadKeyError, match="does not exist"):
        payload_key()


async def test_temporal_holds_no_name_or_address_of_a_complainant(dev_server_env, store, smtp, task_queue, monkeypatch):
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY", base64.b64encode(new_key()).decode())
    settings = TemporalSettings(address=dev_server_env.client.service_client.config.target_host, task_queue=task_queue)
    client = await connect(settings)
    ref = f"ENC-{uuid.uuid4().hex[:8]}"
    reg = Registration(
        ref=ref, policy="children-statutory", received=datetime.now(LONDON),
        complainant=Complainant(NAME, EMAIL, "parent"),
        officers=[Officer("io-1", "Investigating Officer", "io1@council.example")],
        complaints_team_email="complaints@council.example",
    )
    async with build_worker(client, store, smtp, task_queue):
        handle = await client.start_workflow(ComplaintWorkflow.run, complaint_input(reg), id=ref, task_queue=task_queue)
        await handle.execute_update("assign", Assign("io-1"))
        assert (await handle.query(ComplaintWorkflow.state)).complainant.name == NAME
        # What Temporal itself stores, read without the key:
        keyless = await Client.connect(settings.address, data_converter=DATA_CONVERTER)
        history = await keyless.get_workflow_handle(ref).fetch_history()
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert ref.encode() in raw, "the reference is the workflow id, readable on purpose"
    for personal in (NAME, EMAIL, "io1@council.example"):
        assert personal.encode() not in raw
    assert store.complaint(ref)["complainant_email"] == EMAIL
