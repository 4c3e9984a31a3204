"""How the command line, the worker and the simulator reach Temporal."""

from __future__ import annotations

import os
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import DataConverter

from models.actions import Registration
from policies import load_policy
from rules.bank_holidays import complaint_days_off, complaint_days_off_until
from models.workflow_io import ComplaintInput
from rules.complaint import RULES_VERSION, Refused, london, registration_refusal
from workflows.encryption import (
    EncryptedFailures,
    EncryptedWithoutKey,
    EncryptionCodec,
    RefusedPayloads,
    payload_key,
    required_payload_key,
)

TASK_QUEUE = "complaints"


@dataclass(frozen=True)
class TemporalSettings:
    address: str = "127.0.0.1:7233"
    namespace: str = "default"
    task_queue: str = TASK_QUEUE

    @classmethod
    def from_env(cls) -> TemporalSettings:
        return cls(
            address=os.environ.get("TEMPORAL_ADDRESS", cls.address),
            namespace=os.environ.get("TEMPORAL_NAMESPACE", cls.namespace),
            task_queue=os.environ.get("TEMPORAL_TASK_QUEUE", cls.task_queue),
        )


class _SharedAdapters(PydanticPayloadConverter):
    """The pydantic converter with one type-adapter cache for the whole process.

    The SDK makes a converter per workflow instance, and building the (de)serialiser for
    a complaint's input costs tens of milliseconds and a few hundred KB: shared, it is
    built once.
    """

    _adapters: dict[type, Any] = {}

    def __init__(self) -> None:
        super().__init__()
        for converter in self.converters.values():
            if hasattr(converter, "_type_adapter"):
                converter._type_adapter = self._adapter
        # Payloads that must not be read (workflows.encryption): reading one raises
        # PayloadRefused, saying why, so an Update carrying one is rejected.
        self._set_converters(*self.converters.values(), RefusedPayloads(), EncryptedWithoutKey())

    @classmethod
    def _adapter(cls, kind: Any) -> _InputHidden:
        try:
            return cls._adapters[kind]
        except (KeyError, TypeError):
            adapter = _InputHidden(TypeAdapter(kind))
            try:
                cls._adapters[kind] = adapter
            except TypeError:  # an unhashable type hint: not cached
                pass
            return adapter


class PayloadInvalid(ValueError):
    """A payload that does not fit its type: the fields at fault, never their values."""


class _InputHidden:
    """A type adapter whose errors never quote the payload. Pydantic's errors repeat the
    input they could not read (``input_value='...'``): a complaint's payload is a family's
    name and address, and a payload that does not fit (a client and a worker on different
    versions of the models) ends in the worker's log and a failure's text."""

    def __init__(self, adapter: TypeAdapter) -> None:
        self.adapter = adapter

    def validate_json(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.adapter.validate_json(data, *args, **kwargs)
        except ValidationError as error:
            faults = "; ".join(f"{'.'.join(str(part) for part in e['loc']) or 'value'}: {e['msg']}"
                               for e in error.errors(include_input=False, include_url=False))
            raise PayloadInvalid(f"a payload does not fit {error.title}: {faults}") from None


# Dates travel as ISO strings: the pydantic converter handles the dataclasses' dates.
# A failure's message and stack trace travel as an encoded attribute, through the codec:
# an error that quotes a complaint (a refusal, an activity's exception) is encrypted in
# Temporal's history, its web UI and a pending activity's last failure, like the payloads.
# A client decodes it (``DataConverter.decode_failure``) before it raises, so a refusal's
# text reaches the command line as ``WorkflowUpdateFailedError.cause.message``.
DATA_CONVERTER = DataConverter(
    payload_converter_class=_SharedAdapters,
    failure_converter_class=EncryptedFailures,
)


def data_converter(key: bytes | None) -> DataConverter:
    """The converter of an engine: complaints' payloads encrypted with the key, and only
    encrypted payloads accepted; without a key, unencrypted ones (an encrypted payload
    refused in words)."""
    if key is None:
        return DATA_CONVERTER
    return dataclasses.replace(DATA_CONVERTER, payload_codec=EncryptionCodec(key))


async def connect(settings: TemporalSettings, *, require_key: bool = False) -> Client:
    """A client with the configured payload key. ``require_key``: raise ``NoPayloadKey``
    unless there is a key or ``COMPLAINTS_PAYLOAD_KEY=none`` (the command line)."""
    converter = data_converter(required_payload_key() if require_key else payload_key())
    return await Client.connect(settings.address, namespace=settings.namespace, data_converter=converter)


def complaint_input(reg: Registration, simulated_start: datetime | None = None) -> ComplaintInput:
    """The workflow's input for a new complaint: its policy and calendar fixed at registration.

    Raises ``Refused`` when the registration breaks the procedure (a matter more than a
    year old not accepted late, say), and ``PolicyError`` for an unknown policy.
    """
    policy = load_policy(reg.policy)
    refusal = registration_refusal(reg, policy)
    if refusal is not None:
        raise Refused(refusal)
    received = london(reg.received).date()
    return ComplaintInput(
        registration=reg, policy=policy, simulated_start=simulated_start, rules_version=RULES_VERSION,
        days_off=complaint_days_off(received, policy.closure_days), days_off_until=complaint_days_off_until(received),
    )
