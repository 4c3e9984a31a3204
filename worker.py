"""Runs the complaint workflows and their activity.

Settings come from the environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_TASK_QUEUE, DATABASE_URL, SMTP_HOST, SMTP_PORT, SMTP_FROM (and SMTP_USERNAME,
SMTP_PASSWORD, SMTP_STARTTLS). ``python worker.py`` runs until interrupted.
"""

from __future__ import annotations

import asyncio
import logging

from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.bank_holidays import bank_holidays_for
from activities.record import ComplaintActivities
from notifications.delivery import Delivery
from notifications.mailer import SmtpSettings
from store.record_store import RecordStore, database_url
from workflows.complaint import ComplaintWorkflow
from workflows.engine import TemporalSettings, connect

# The rules, records and policies are deterministic, side-effect free modules: share
# them with the sandbox instead of re-importing them for every workflow run.
PASSED_THROUGH = ("rules", "models", "policies", "pydantic", "pydantic_core", "yaml", "holidays")


def workflow_runner() -> SandboxedWorkflowRunner:
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(*PASSED_THROUGH))


class ComplaintWorker(Worker):
    """The worker, with delivery of the outbox's letters running beside it."""

    def __init__(self, client: Client, store: RecordStore, smtp: SmtpSettings, **options) -> None:
        self.delivery = Delivery(store, smtp)
        activities = ComplaintActivities(store, recorded=self.delivery.recorded)
        super().__init__(
            client, activities=[activities.record, activities.record_and_notify, bank_holidays_for], **options
        )

    # `async with worker` runs this too.
    async def run(self) -> None:
        delivering = asyncio.create_task(self.delivery.run(), name="delivery")
        try:
            await super().run()
        finally:
            delivering.cancel()
            await asyncio.gather(delivering, return_exceptions=True)
            await self.delivery.close()


def build_worker(client: Client, store: RecordStore, smtp: SmtpSettings, task_queue: str, **options) -> Worker:
    return ComplaintWorker(
        client,
        store,
        smtp,
        task_queue=task_queue,
        workflow_runner=workflow_runner(),
        **{"workflows": [ComplaintWorkflow], **options},
    )


async def run() -> None:
    settings = TemporalSettings.from_env()
    store = RecordStore(database_url())
    store.create_schema()
    client = await connect(settings)
    worker = build_worker(client, store, SmtpSettings.from_env(), settings.task_queue)
    logging.getLogger(__name__).info("worker on task queue %s at %s", settings.task_queue, settings.address)
    await worker.run()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
