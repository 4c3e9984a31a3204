"""The web app's only way to change a complaint: the complaint's workflow, through its
Updates, exactly as the command line sends them. The workflow's validator runs the rules;
a refusal comes back as the rule's own reason and changes nothing. What may come after a
complaint's workflow has ended (the Ombudsman, costs, a late lessons-learnt form, why a
response was late) goes to the record store, as ``complaints`` does it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from temporalio.client import Client, RPCTimeoutOrCancelledError, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cli import after_the_workflow as later
from cli.directory import DirectoryError, load_directory
from cli.engine_connection import workflow_ended
from models import actions as a
from policies import PolicyError
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON, Complaint, Refused
from store.record_store import NotAfterTheWorkflow, RecordStore
from workflows.complaint import ComplaintWorkflow
from web.labels import in_words
from workflows.engine import complaint_input

# How long a page waits for the engine before saying it did not answer.
ENGINE_TIMEOUT = 30.0

# Once a complaint's workflow has ended, these go to the record store itself.
AFTER_THE_WORKFLOW = {
    "refer_to_ombudsman": later.referral,
    "ombudsman_decision": later.decision,
    "record_cost": later.cost,
    "submit_learning": later.learning,
    "late_reason": later.late_reason,
}


@dataclass(frozen=True)
class Outcome:
    """What came of an action: done (with the engine's one-line description), or refused
    with a reason to show the person (the rule's own words)."""

    done: bool
    message: str

    @classmethod
    def refused(cls, reason: str) -> Outcome:
        """A refusal, in the words a person reads (the rules write ids and codes for the command line)."""
        try:
            officers = load_directory().officers
        except DirectoryError:
            officers = []
        return cls(False, in_words(reason.strip(), officers))


def _reason(problem: BaseException) -> str:
    cause = getattr(problem, "cause", None)
    if isinstance(cause, ApplicationError):
        return cause.message
    return "the engine refused the action"


async def act(client: Client, store: RecordStore, ref: str, update: str, request: object) -> Outcome:
    """Send one action to the complaint's workflow; its validator decides."""
    handle = client.get_workflow_handle(ref)
    try:
        description = await asyncio.wait_for(
            handle.execute_update(update, request, result_type=str), ENGINE_TIMEOUT)
    except WorkflowUpdateFailedError as problem:
        return Outcome.refused(_reason(problem))
    except (TimeoutError, RPCTimeoutOrCancelledError):
        return Outcome.refused("The engine did not answer in time. The action may still be applied: "
                               "look at the complaint again in a minute before trying again.")
    except RPCError as problem:
        if problem.status != RPCStatusCode.NOT_FOUND:
            return Outcome.refused("The engine could not be reached. Nothing was changed; try again later.")
        recorder = AFTER_THE_WORKFLOW.get(update)
        if recorder is not None and await workflow_ended(client, ref):
            return await asyncio.to_thread(_after_the_workflow, store, ref, recorder, request)
        return Outcome.refused("This complaint has ended and takes no more actions.")
    return Outcome(True, description)


def _after_the_workflow(store: RecordStore, ref: str, recorder, request: object) -> Outcome:
    try:
        return Outcome(True, recorder(store, ref, request, datetime.now(LONDON)))
    except NotAfterTheWorkflow as problem:
        return Outcome.refused(str(problem))
    except (ValueError, IntegrityError) as problem:
        return Outcome.refused(str(problem))


@dataclass(frozen=True)
class Registered:
    ref: str
    due: object


async def register(client: Client, task_queue: str, reg: a.Registration) -> Registered | Outcome:
    """Start the complaint's workflow (as ``complaints register``); a refusal says why."""
    try:
        inp = complaint_input(reg)
    except (Refused, PolicyError) as problem:
        return Outcome.refused(str(problem))
    try:
        await client.start_workflow(ComplaintWorkflow.run, inp, id=reg.ref, task_queue=task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        return Outcome.refused(f"There is already a complaint {reg.ref}.")
    complaint, _ = Complaint.register(reg, inp.policy, WorkingCalendar(inp.days_off), datetime.now(LONDON))
    return Registered(reg.ref, complaint.state.current.due)
