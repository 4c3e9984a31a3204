"""How the command line, the worker and the simulator reach Temporal."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from models.actions import Registration
from policies import load_policy
from rules.bank_holidays import days_off
from rules.complaint import Refused, london, registration_refusal
from workflows.complaint import ComplaintInput

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


async def connect(settings: TemporalSettings) -> Client:
    # Dates travel as ISO strings: the pydantic converter handles the dataclasses' dates.
    return await Client.connect(settings.address, namespace=settings.namespace, data_converter=pydantic_data_converter)


def complaint_input(reg: Registration, simulated_start: datetime | None = None) -> ComplaintInput:
    """The workflow's input for a new complaint: its policy and calendar fixed at registration.

    Raises ``Refused`` when the registration breaks the procedure (a matter more than a
    year old not accepted late, say), and ``PolicyError`` for an unknown policy.
    """
    policy = load_policy(reg.policy)
    refusal = registration_refusal(reg, policy, {o.id: o for o in reg.officers})
    if refusal is not None:
        raise Refused(refusal)
    year = london(reg.received).year
    # Bank holidays for the life a complaint can have: a year back (the matter) to a few
    # years on (stages, proceedings and a year to resubmit).
    calendar = days_off(year - 1, year + 4, policy.closure_days)
    return ComplaintInput(registration=reg, policy=policy, days_off=calendar, simulated_start=simulated_start)
