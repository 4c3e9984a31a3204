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
from workflows.encryption import (
    EncryptionCodec,
    NoPayloadKey,
    PayloadKeyError,
    PayloadRefused,
    payload_key,
    required_payload_key,
)
from workflows.engine import DATA_CONVERTER, TemporalSettings, complaint_input, connect, data_converter

NAME, EMAIL = "Zoë Complainant", "zoe.family@example.org"


def new_key() -> bytes:
    return secrets.token_bytes(32)


async def test_a_payload_round_trips_and_is_unreadable_in_between():
    codec = EncryptionCodec(new_key())
    plain = Payload(metadata={"encoding": b"json/plain"}, data=f'{{"name": "{NAME}"}}'.encode())
    [sealed] = await codec.encode([plain])
    assert NAME.encode() not in sealed.data and sealed.metadata["encoding"] == b"binary/encrypted"
    assert await codec.decode([sealed]) == [plain]


async def test_with_a_key_an_unencrypted_payload_or_another_keys_is_refused():
    key = new_key()
    converter = data_converter(key)
    plain = Payload(metadata={"encoding": b"json/plain"}, data=f'{{"name": "{NAME}"}}'.encode())
    with pytest.raises(PayloadRefused, match="unencrypted payload was refused") as refused:
        await converter.decode([plain])
    assert NAME not in str(refused.value), "a refusal never quotes the payload"
    # The codec itself hands on nothing of it: what it leaves is empty, and says why.
    [left] = await EncryptionCodec(key).decode([plain])
    assert left.data == b"" and left.metadata["refused"] == b"unencrypted"

    [sealed] = await EncryptionCodec(new_key()).encode([plain])
    with pytest.raises(PayloadRefused, match="another key"):
        await converter.decode([sealed])
    [mine] = await EncryptionCodec(key).encode([plain])
    altered = Payload(metadata=mine.metadata, data=mine.data[:-1] + bytes([mine.data[-1] ^ 1]))
    with pytest.raises(PayloadRefused, match="does not decrypt"):
        await converter.decode([altered])
    # Without a key, an encrypted payload is refused in words (not an unknown encoding).
    with pytest.raises(PayloadRefused, match="encrypted, and no payload key is configured"):
        await DATA_CONVERTER.decode([mine])
    assert await converter.decode([mine]) == [{"name": NAME}]


async def test_failures_travel_encrypted_and_read_back_with_the_key():
    """A failure's message and stack trace (a refusal, an activity's error) are an encoded
    attribute: ciphertext on the way, the text again for a client with the key."""
    from temporalio.api.failure.v1 import Failure
    from temporalio.exceptions import ApplicationError

    converter = data_converter(new_key())
    failure = Failure()
    try:
        raise ApplicationError(f"no such family {NAME} <{EMAIL}>", type="Refused", non_retryable=True)
    except ApplicationError as error:
        await converter.encode_failure(error, failure)
    assert failure.message == "Encoded failure" and failure.stack_trace == ""
    assert NAME.encode() not in failure.SerializeToString() and EMAIL.encode() not in failure.SerializeToString()
    back = await converter.decode_failure(failure)
    assert isinstance(back, ApplicationError) and back.type == "Refused"
    assert back.message == f"no such family {NAME} <{EMAIL}>"


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

    # The command line needs a key, or to be told the engine runs without one.
    monkeypatch.delenv("COMPLAINTS_PAYLOAD_KEY_FILE")
    with pytest.raises(NoPayloadKey, match="COMPLAINTS_PAYLOAD_KEY=none"):
        required_payload_key()
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY", "none")
    assert required_payload_key() is None and payload_key() is None
    # "none" wins over a key file named beside it (make up's own environment names one).
    monkeypatch.setenv("COMPLAINTS_PAYLOAD_KEY_FILE", str(tmp_path / "k"))
    assert required_payload_key() is None


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
