"""How the command line, the worker and the simulator reach Temporal."""

from __future__ import annotations

import os
import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from temporalio.client import Client
from temporalio.contrib.pydantic import PydanticPayloadConverter
from temporalio.converter import DataConverter

from models.actions import Registration
from policies import load_policy
from rules.bank_holidays import complaint_days_off, complaint_days_off_until
from models.workflow_io import ComplaintInput
from rules.complaint import RULES_VERSION, Refused, london, registration_refusal
from workflows.encryption import EncryptionCodec, payload_key

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

    @classmethod
    def _adapter(cls, kind: Any) -> TypeAdapter:
        try:
            return cls._adapters[kind]
        except (KeyError, TypeError):
            adapter = TypeAdapter(kind)
            try:
                cls._adapters[kind] = adapter
            except TypeError:  # an unhashable type hint: not cached
                pass
            return adapter


# Dates travel as ISO strings: the pydantic converter handles the dataclasses' dates.
DATA_CONVERTER = DataConverter(payload_converter_class=_SharedAdapters)


def data_converter(key: bytes | None) -> DataConverter:
    """The converter, with complaints' payloads encrypted when a key is configured."""
    if key is None:
        return DATA_CONVERTER
    return dataclasses.replace(DATA_CONVERTER, payload_codec=EncryptionCodec(key))


async def connect(settings: TemporalSettings) -> Client:
    converter = data_converter(payload_key())
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
