"""Talking to the engine: reaching Temporal, waiting for its answer, and saying in one
line what went wrong (an engine that cannot be reached, does not answer, or does not
know the complaint).

The Temporal address, namespace and task queue come from the environment
(``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_TASK_QUEUE``), and so does the
key that encrypts complaints' payloads: a command refuses, in one line, to talk to an
engine without one, unless ``COMPLAINTS_PAYLOAD_KEY=none`` says the engine runs without
encryption (``workflows.encryption``). Each command
that talks to the engine is an ``EngineCommand`` (``register``, the actions of the
rulebook, ``status``); it can also be run in-process with a client of one's own::

    args = cli.main.parser().parse_args(["assign", "CS-1", "io-1"])
    status = await execute(args, client, settings)
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
)
from temporalio.service import RPCError, RPCStatusCode

from cli.command_line import UserError, fail
from cli.stores import checked_url, one_line
from workflows.complaint import ComplaintWorkflow
from workflows.encryption import PayloadKeyError, required_payload_key
from workflows.engine import TemporalSettings, connect

# How long to wait for the engine to answer before saying so (a worker that is not
# running leaves an action waiting). COMPLAINTS_TIMEOUT overrides it, in seconds.
DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0
SETTLE_SECONDS = 0.2


@dataclass(frozen=True)
class EngineCommand:
    """A command that talks to the engine: what it checks first, and what it then does."""

    name: str                                      # as typed: register, assign, status
    # Checks the command line before anything is sent, and returns what to send (raises UserError).
    prepare: Callable[[Any], object]
    # Does it, with what ``prepare`` returned; returns the exit status.
    effect: Callable[[Any, Any, Client, TemporalSettings], Awaitable[int]]
    acts: bool = False             # an action: it changes the complaint, its letters may wait
    uses_record_store: bool = False  # takes --database (else DATABASE_URL): refused at once if malformed


def _timeout() -> float:
    try:
        return float(os.environ.get("COMPLAINTS_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _prepare(args) -> object:
    """Check the command line before anything is sent (raises UserError)."""
    command: EngineCommand = args.engine
    if command.uses_record_store:
        checked_url(args.database)
    return command.prepare(args)


def run(args) -> int:
    """Entry point for the commands that talk to the engine (called by cli.main)."""
    try:
        prepared = _prepare(args)
    except UserError as problem:
        return fail(str(problem))
    try:
        # Before anything is sent: a complaint must not reach the engine in clear.
        required_payload_key()
    except PayloadKeyError as problem:
        return fail(f"{args.engine.name}: {one_line(problem)}")
    return asyncio.run(_connect_and_execute(args, prepared, TemporalSettings.from_env()))


async def _connect_and_execute(args, prepared: object, settings: TemporalSettings) -> int:
    try:
        try:
            client = await asyncio.wait_for(connect(settings, require_key=True), CONNECT_TIMEOUT)
        except Exception as problem:  # noqa: BLE001 - whatever it is, the user needs one line
            reason = "no answer" if isinstance(problem, TimeoutError) else _connect_reason(problem)
            return fail(f"cannot reach the Temporal engine at {settings.address} "
                        f"(namespace {settings.namespace}): {reason}")
        return await _execute(args, prepared, client, settings)
    finally:
        # Let the Temporal core's own threads let go of their last Python objects before
        # the interpreter exits: a short-lived client process can otherwise abort at exit
        # (PyGILState_Release during finalisation, temporalio/sdk-python#300).
        sys.stdout.flush()
        sys.stderr.flush()
        await asyncio.sleep(SETTLE_SECONDS)


def _connect_reason(problem: Exception) -> str:
    text = one_line(problem)
    for marker in ("Connection refused", "dns error", "timed out", "No route to host"):
        if marker.lower() in text.lower():
            return marker.lower()
    if "get_system_info" in text:
        return "something answers there, but not as a Temporal frontend"
    return text[:200]


async def execute(args, client: Client, settings: TemporalSettings) -> int:
    """Run a parsed command with the given client; returns the exit status. A command that
    needs no engine (``list``, ``compliment``) runs as it does on the command line."""
    if vars(args).get("engine") is None:
        return await asyncio.to_thread(args.run, args)
    try:
        prepared = _prepare(args)
    except UserError as problem:
        return fail(str(problem))
    return await _execute(args, prepared, client, settings)


async def _execute(args, prepared: object, client: Client, settings: TemporalSettings) -> int:
    command: EngineCommand = args.engine
    try:
        return await asyncio.wait_for(command.effect(args, prepared, client, settings), _timeout())
    except UserError as problem:
        return fail(str(problem))
    except (TimeoutError, RPCTimeoutOrCancelledError):
        # (An Update cut short by the timeout surfaces as RPCTimeoutOrCancelledError.)
        later = "; the action may still be applied when one is" if command.acts else ""
        return fail(
            f"{command.name} {args.ref or ''}: the engine at {settings.address} did not answer "
            f"within {_timeout():g}s (is a worker running on task queue {settings.task_queue}?){later}"
        )
    except RPCError as problem:
        return fail(_rpc_problem(command.name, args.ref, problem, settings))
    except PayloadKeyError as problem:
        # A complaint encrypted with a key this command has not (or has none), or one in
        # clear read with a key: said in one line, never read.
        ref = vars(args).get("ref")
        return fail(f"{command.name}{' ' + ref if ref else ''}: {one_line(problem)}")


def _rpc_problem(what: str, ref: str | None, problem: RPCError, settings: TemporalSettings) -> str:
    message = one_line(problem.message)
    if problem.status == RPCStatusCode.NOT_FOUND:
        if "namespace" in message.lower():
            return f"namespace {settings.namespace} is not known to the engine at {settings.address}"
        return f"no complaint with reference {ref}"
    if problem.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return f"{what}: the engine at {settings.address} is not answering ({message})"
    return f"{what}: the engine at {settings.address} said: {message}"


async def workflow_ended(client: Client, ref: str) -> str | None:
    """Whether the complaint's workflow has ended: "completed" when it ran to its end;
    "gone" when the engine no longer knows it (a closed workflow is deleted after the
    namespace's retention period, far less than the year an archived complaint has been
    closed); else None: running, or stopped by hand (terminated, failed), when its record
    may be anywhere."""
    try:
        described = await client.get_workflow_handle(ref).describe()
    except RPCError as problem:
        return "gone" if problem.status == RPCStatusCode.NOT_FOUND else None
    return "completed" if described.status == WorkflowExecutionStatus.COMPLETED else None


async def closed_status(client: Client, ref: str) -> str | None:
    """For an action the engine could not deliver: the complaint's status if its workflow has ended."""
    try:
        described = await client.get_workflow_handle(ref).describe()
    except RPCError:
        return None
    if described.status is None or described.close_time is None:
        return None
    try:
        state = await client.get_workflow_handle(ref).query(ComplaintWorkflow.state)
        return state.status
    except (RPCError, WorkflowQueryFailedError, WorkflowQueryRejectedError):
        return "finished"
