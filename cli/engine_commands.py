"""Commands that act on a running engine: register, the actions, status and list.

The Temporal address, namespace and task queue come from the environment
(``TEMPORAL_ADDRESS``, ``TEMPORAL_NAMESPACE``, ``TEMPORAL_TASK_QUEUE``); the council's
directory from ``COMPLAINTS_DIRECTORY`` (see ``cli.directory``); ``list`` reads the record
store (``--database URL``, else ``DATABASE_URL``), where ``register`` also records a
refused registration, and where the Ombudsman, costs and late lessons-learnt forms go
once a complaint's workflow has ended (a year after it closed).

Every user error (a refused action, an unknown reference, a malformed date, an engine
that cannot be reached) is one line on stderr and exit status 2, never a traceback.

Each command can also be run in-process with a client of one's own::

    args = cli.main.parser().parse_args(["assign", "CS-1", "io-1"])
    status = await execute(args, client, settings)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WorkflowExecutionStatus,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from cli.directory import DirectoryError, load_directory
from cli.stores import StoreUnavailable, has_complaints, one_line, open_existing_store, store_at, store_problem
from models import actions as a
from models.complaint import COST_ITEMS, OMBUDSMAN_RESULTS, ComplaintState, Cost, OmbudsmanReferral
from policies import PolicyError
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON, Complaint, Refused, london
from models.yaml_files import YamlFileError, read_yaml_file
from simulation.scenario import ComplaintIn
from workflows.complaint import ComplaintWorkflow
from workflows.engine import TemporalSettings, complaint_input, connect
from models.validation import field_errors

# How long to wait for the engine to answer before saying so (a worker that is not
# running leaves an action waiting). COMPLAINTS_TIMEOUT overrides it, in seconds.
DEFAULT_TIMEOUT = 60.0
CONNECT_TIMEOUT = 10.0
SETTLE_SECONDS = 0.2


class UserError(Exception):
    """Something the user can fix: printed as one line on stderr, exit 2."""


def fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2


def _timeout() -> float:
    try:
        return float(os.environ.get("COMPLAINTS_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


def _date(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


# ---------------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class Action:
    command: str                       # as typed: submit-learning
    update: str                        # the workflow Update: submit_learning
    help: str
    arguments: Callable[[Any], None]   # adds the command's own arguments to its parser
    request: Callable[[Any], object]   # builds the Update's input record from the parsed args


def _officer_args(p) -> None:
    p.add_argument("officer", help="the officer's id in the council's directory")


def _assign_request(args) -> a.Assign:
    directory = load_directory()
    # Pass the council's directory as it is now, so staff who joined after registration
    # can be assigned; the shipped example is never pushed over a complaint's own copy.
    return a.Assign(officer=args.officer, officers=None if directory.example else directory.officers)


def _reason_args(p, required: bool = True, detail: bool = False) -> None:
    p.add_argument("--reason", required=required)
    if detail:
        p.add_argument("--detail", help="which proceedings, or more about the reason")


def _on_arg(p) -> None:
    p.add_argument("--on", metavar="YYYY-MM-DD", help="the date (default today)")


def _decision_args(p) -> None:
    p.add_argument("--result", required=True, choices=OMBUDSMAN_RESULTS)
    p.add_argument("--remedy", type=float, metavar="POUNDS", help="a financial remedy, in pounds")
    _on_arg(p)


def _cost_args(p) -> None:
    p.add_argument("--stage", type=int, required=True, choices=(2, 3))
    p.add_argument("--item", required=True, choices=COST_ITEMS)
    p.add_argument("--amount", type=float, required=True, metavar="POUNDS")
    _on_arg(p)


ACTION_LIST: tuple[Action, ...] = (
    Action("assign", "assign", "name the investigating officer for the current stage",
           _officer_args, _assign_request),
    Action("reassign", "reassign", "hand the current stage to another officer (same deadline)",
           _officer_args, _assign_request),
    Action("extend", "extend", "extend the current stage's deadline (once per stage)",
           lambda p: (_reason_args(p), p.add_argument("--new-due", metavar="YYYY-MM-DD",
                                                      help="an earlier new due date than the maximum")),
           lambda args: a.Extend(reason=args.reason, new_due=_date("--new-due", args.new_due))),
    Action("suspend", "suspend", "stop the clock (court proceedings, police investigation, other)",
           lambda p: _reason_args(p, detail=True),
           lambda args: a.Suspend(reason=args.reason, detail=args.detail)),
    Action("resume", "resume", "restart a suspended clock",
           lambda p: None, lambda args: a.Resume()),
    Action("respond", "respond", "record the stage's response",
           lambda p: p.add_argument("--outcome", required=True,
                                    help="upheld, partially_upheld, not_upheld or no_finding"),
           lambda args: a.Respond(outcome=args.outcome)),
    Action("submit-learning", "submit_learning", "record the lessons-learnt form",
           lambda p: p.add_argument("--text"),
           lambda args: a.SubmitLearning(text=args.text)),
    Action("escalate", "escalate", "the complainant asks for the next stage",
           lambda p: (_reason_args(p), p.add_argument(
               "--late-reason", help="accept a request after the window, for this reason")),
           lambda args: a.Escalate(reason=args.reason, late_accepted=args.late_reason is not None,
                                   late_reason=args.late_reason)),
    Action("appoint-independent-person", "appoint_independent_person",
           "record the stage 2 independent person",
           lambda p: p.add_argument("name", help="the independent person's name"),
           lambda args: a.AppointIndependentPerson(name=args.name)),
    Action("panel-held", "panel_held", "the stage 3 review panel has met",
           lambda p: None, lambda args: a.PanelHeld()),
    Action("panel-report", "panel_report", "the panel's recommendations are in",
           lambda p: None, lambda args: a.PanelReport()),
    Action("discontinue", "discontinue", "stop considering the complaint while proceedings run",
           lambda p: _reason_args(p, detail=True),
           lambda args: a.Discontinue(reason=args.reason, detail=args.detail)),
    Action("proceedings-ended", "proceedings_ended", "the proceedings ended (starts the resubmission year)",
           lambda p: p.add_argument("--on", required=True, metavar="YYYY-MM-DD"),
           lambda args: a.ProceedingsEnded(on=_date("--on", args.on))),
    Action("resubmit", "resubmit", "reopen a discontinued complaint",
           lambda p: p.add_argument("--late-reason", help="accept a resubmission after the window"),
           lambda args: a.Resubmit(late_accepted=args.late_reason is not None, late_reason=args.late_reason)),
    Action("withdraw", "withdraw", "the complainant withdraws the complaint",
           lambda p: p.add_argument("--reason"),
           lambda args: a.Withdraw(reason=args.reason)),
    Action("refer-to-ombudsman", "refer_to_ombudsman", "the complainant has gone to the Ombudsman (LGSCO)",
           _on_arg, lambda args: a.ReferToOmbudsman(on=_date("--on", args.on))),
    Action("ombudsman-decision", "ombudsman_decision", "what the Ombudsman decided, and any remedy",
           _decision_args,
           lambda args: a.OmbudsmanDecision(result=args.result, remedy_gbp=args.remedy, on=_date("--on", args.on))),
    Action("record-cost", "record_cost", "a stage 2 or 3 cost (investigator, independent person, panel)",
           _cost_args,
           lambda args: a.RecordCost(stage=args.stage, item=args.item, amount_gbp=args.amount,
                                     on=_date("--on", args.on))),
)
assert {x.update for x in ACTION_LIST} == set(a.ACTIONS), "every action of the catalogue has a command"

# What still comes after a complaint's workflow has ended, a year after it closed (the
# Ombudsman takes months; invoices and late forms arrive when they do): the record store
# takes these itself, under the same rules.
AFTER_THE_WORKFLOW = ("refer_to_ombudsman", "ombudsman_decision", "record_cost", "submit_learning")


# ---------------------------------------------------------------------------------- the parser


def add(commands) -> None:
    reg = commands.add_parser("register", help="register a complaint (from a YAML file or flags)")
    reg.add_argument("file", nargs="?", type=Path, metavar="FILE.yaml",
                     help="one complaint, in a scenario's complaint format, without actions")
    reg.add_argument("--ref")
    reg.add_argument("--policy", help="children-statutory, corporate or complaint-handling-code")
    reg.add_argument("--received", help="YYYY-MM-DD (10:00 that day) or an ISO datetime; default now")
    reg.add_argument("--name", help="the complainant's name")
    reg.add_argument("--email", help="the complainant's email")
    reg.add_argument("--type", dest="complainant_type", help="complainant type (parent, child, ...)")
    reg.add_argument("--service-area")
    reg.add_argument("--reason", dest="reasons", action="append", default=None,
                     help="a reason for the complaint (repeatable)")
    reg.add_argument("--channel")
    reg.add_argument("--child", help="an anonymous child reference")
    reg.add_argument("--matter-date", metavar="YYYY-MM-DD")
    reg.add_argument("--late-reason", help="accept a matter more than a year old, for this reason")
    reg.add_argument("--database", help="the record store's URL, where a refusal is recorded (default DATABASE_URL)")
    reg.set_defaults(run=run, engine=_register)

    for action in ACTION_LIST:
        p = commands.add_parser(action.command, help=action.help)
        p.add_argument("ref", help="the complaint's reference")
        action.arguments(p)
        if action.update in AFTER_THE_WORKFLOW:
            p.add_argument("--database", help="the record store's URL, used once the complaint's workflow "
                                              "has ended (default DATABASE_URL)")
        p.set_defaults(run=run, engine=_act, action=action)

    status = commands.add_parser("status", help="where a complaint stands and what it has sent")
    status.add_argument("ref")
    status.add_argument("--json", action="store_true", help="the complaint's whole state as JSON")
    status.add_argument("--database", help="the record store's URL, for what was recorded after the "
                                           "complaint's workflow ended (default DATABASE_URL)")
    status.set_defaults(run=run, engine=_status)

    compliment = commands.add_parser("compliment", help="record a compliment about staff (annual report)")
    compliment.add_argument("--team", required=True)
    compliment.add_argument("--officer", help="the officer complimented, if one")
    compliment.add_argument("--on", metavar="YYYY-MM-DD", help="the date received (default today)")
    compliment.add_argument("--text", required=True)
    compliment.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    compliment.set_defaults(run=run_compliment)

    listing = commands.add_parser("list", help="open complaints, overdue first, then by due date")
    listing.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)


# ---------------------------------------------------------------------------------- running


def run(args) -> int:
    """Entry point for the commands that talk to the engine (called by cli.main)."""
    try:
        prepared = _prepare(args)
    except UserError as problem:
        return fail(str(problem))
    return asyncio.run(_connect_and_execute(args, prepared, TemporalSettings.from_env()))


async def _connect_and_execute(args, prepared: object, settings: TemporalSettings) -> int:
    try:
        try:
            client = await asyncio.wait_for(connect(settings), CONNECT_TIMEOUT)
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
    """Run a parsed engine command with the given client; returns the exit status."""
    if args.run is run_list:
        return await asyncio.to_thread(run_list, args)
    try:
        prepared = _prepare(args)
    except UserError as problem:
        return fail(str(problem))
    return await _execute(args, prepared, client, settings)


def _prepare(args) -> object:
    """Check the command line before anything is sent (raises UserError)."""
    if args.engine is _register:
        return _registration(args)
    if args.engine is _act:
        try:
            return args.action.request(args)
        except DirectoryError as problem:
            raise UserError(str(problem)) from None
    return None


async def _execute(args, prepared: object, client: Client, settings: TemporalSettings) -> int:
    what = args.action.command if args.engine is _act else args.command
    try:
        return await asyncio.wait_for(args.engine(args, prepared, client, settings), _timeout())
    except UserError as problem:
        return fail(str(problem))
    except (TimeoutError, RPCTimeoutOrCancelledError):
        # (An Update cut short by the timeout surfaces as RPCTimeoutOrCancelledError.)
        if args.engine is _act and (waiting := await _mail_waiting(client, args.ref)):
            return fail(f"{what} {args.ref}: recorded, but its letters are waiting: {waiting}")
        later = "; the action may still be applied when one is" if args.engine is _act else ""
        return fail(
            f"{what} {getattr(args, 'ref', None) or ''}: the engine at {settings.address} did not answer "
            f"within {_timeout():g}s (is a worker running on task queue {settings.task_queue}?){later}"
        )
    except RPCError as problem:
        return fail(_rpc_problem(what, getattr(args, "ref", None), problem, settings))


async def _mail_waiting(client: Client, ref: str) -> str | None:
    """Why the complaint's record-and-mail step keeps failing, if it does (the mail
    server down, say): the action was applied, only its letters have not gone yet."""
    try:
        description = await asyncio.wait_for(client.get_workflow_handle(ref).describe(), 10)
    except (TimeoutError, RPCError):
        return None
    for pending in description.raw_description.pending_activities:
        if pending.activity_type.name == "record_and_notify" and pending.attempt > 1:
            last = one_line(pending.last_failure.message)[:300] or "no detail"
            return (f"sending has failed {pending.attempt - 1} time(s), last: {last}; "
                    "they go as soon as it succeeds")
    return None


def _rpc_problem(what: str, ref: str | None, problem: RPCError, settings: TemporalSettings) -> str:
    message = one_line(problem.message)
    if problem.status == RPCStatusCode.NOT_FOUND:
        if "namespace" in message.lower():
            return f"namespace {settings.namespace} is not known to the engine at {settings.address}"
        return f"no complaint with reference {ref}"
    if problem.status in (RPCStatusCode.UNAVAILABLE, RPCStatusCode.DEADLINE_EXCEEDED):
        return f"{what}: the engine at {settings.address} is not answering ({message})"
    return f"{what}: the engine at {settings.address} said: {message}"


# ---------------------------------------------------------------------------------- register


def _received(text: str | None) -> date | datetime:
    """A date (10:00 that day, as in a scenario) or an ISO datetime; now when not given."""
    if text is None:
        return datetime.now(LONDON).replace(microsecond=0)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UserError(f"--received {text!r} is not a date (YYYY-MM-DD) or a date and time") from None


def _complaint_from_file(path: Path) -> dict[str, Any]:
    try:
        data = read_yaml_file(path)
    except YamlFileError as exc:
        raise UserError(f"register: {exc}") from None
    if not isinstance(data, dict):
        raise UserError(f"register: {path}: expected one complaint (ref, policy, received, complainant, ...)")
    if "actions" in data:
        raise UserError(f"register: {path}: a complaint to register has no actions; "
                        f"run them as commands (complaints assign ...)")
    # A file without a date received is a complaint received now, as with the flags.
    data.setdefault("received", _received(None))
    return data


def _complaint_from_flags(args) -> dict[str, Any]:
    missing = [flag for flag, value in (("--ref", args.ref), ("--policy", args.policy), ("--name", args.name),
                                        ("--email", args.email), ("--type", args.complainant_type))
               if value is None]
    if missing:
        raise UserError(f"register: give a FILE.yaml, or {', '.join(missing)}")
    data: dict[str, Any] = {
        "ref": args.ref,
        "policy": args.policy,
        "received": _received(args.received),
        "complainant": {"name": args.name, "email": args.email, "type": args.complainant_type},
        "service_area": args.service_area,
        "reasons": args.reasons or [],
        "channel": args.channel,
        "child": args.child,
        "matter_date": _date("--matter-date", args.matter_date),
    }
    if args.late_reason is not None:
        data.update(late_accepted=True, late_reason=args.late_reason)
    return data


_FLAGS = ("ref", "policy", "received", "name", "email", "complainant_type", "service_area", "reasons",
          "channel", "child", "matter_date", "late_reason")


def _registration(args) -> a.Registration:
    if args.file is not None:
        given = [name for name in _FLAGS if getattr(args, name) is not None]
        if given:
            raise UserError("register: give a FILE.yaml or the flags, not both")
        data = _complaint_from_file(args.file)
    else:
        data = _complaint_from_flags(args)
    try:
        complaint = ComplaintIn.model_validate(data)
    except ValidationError as exc:
        raise UserError(f"register: {field_errors(exc, '(complaint)')}") from None
    try:
        directory = load_directory()
    except DirectoryError as problem:
        raise UserError(str(problem)) from None
    reg = complaint.registration(directory.officers, directory.complaints_team_email)
    now = datetime.now(LONDON)
    if reg.received > now:
        if reg.received.date() != now.date() or isinstance(complaint.received, datetime):
            raise UserError(f"register refused: the complaint cannot be received in the future "
                            f"({reg.received.isoformat()})")
        # Today's date, registered before 10:00: received now, not later today.
        reg.received = now.replace(microsecond=0)
    return reg


async def _register(args, reg: a.Registration, client: Client, settings: TemporalSettings) -> int:
    try:
        inp = complaint_input(reg)
    except Refused as problem:
        unrecorded = await asyncio.to_thread(_record_refusal, args, reg, str(problem))
        return fail(f"register refused: {problem}{unrecorded}")
    except PolicyError as problem:
        return fail(f"register refused: {problem}")
    try:
        await client.start_workflow(
            ComplaintWorkflow.run, inp, id=reg.ref, task_queue=settings.task_queue,
            # A reference names one complaint for good, even after its workflow ended.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        return fail(f"register refused: complaint {reg.ref} already exists")
    # The same rules the workflow runs, for the due date to print (the engine need not
    # have picked the complaint up yet).
    complaint, _ = Complaint.register(reg, inp.policy, WorkingCalendar(inp.days_off), datetime.now(LONDON))
    st = complaint.state
    print(f"{st.ref}: registered ({st.policy}), stage {st.stage}, due {st.current.due}")
    return 0


def _record_refusal(args, reg: a.Registration, reason: str) -> str:
    """Keep the refusal for the annual report; what to add to the refusal's line if it could not be."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store, shown = _store_at(args)
    except UserError as problem:
        return f" (not recorded: {problem})"
    try:
        store.create_schema()
        store.add_refusal(reg.ref, reg.policy, london(reg.received).date(), datetime.now(LONDON), reason)
    except (SQLAlchemyError, OSError) as problem:
        return f" (not recorded in the record store at {shown}: {store_problem(problem)})"
    return ""


# ---------------------------------------------------------------------------------- actions


async def _act(args, request: object, client: Client, settings: TemporalSettings) -> int:
    action: Action = args.action
    handle = client.get_workflow_handle(args.ref)
    try:
        description = await handle.execute_update(action.update, request, result_type=str)
    except WorkflowUpdateFailedError as problem:
        cause = problem.cause
        reason = cause.message if isinstance(cause, ApplicationError) else one_line(cause or problem)
        return fail(f"{action.command} refused: {one_line(reason)}")
    except RPCError as problem:
        if problem.status == RPCStatusCode.NOT_FOUND and "namespace" not in problem.message.lower():
            if action.update in AFTER_THE_WORKFLOW and (ended := await _workflow_ended(client, args.ref)):
                status = await asyncio.to_thread(_record_after_the_workflow, args, request, ended)
                if status is not None:
                    return status
            closed = await _closed_status(client, args.ref)
            if closed is not None:
                return fail(f"{action.command} refused: complaint {args.ref} is {closed} and takes no more actions")
            return fail(f"{action.command} refused: no complaint with reference {args.ref}")
        raise
    print(description)
    return 0


async def _workflow_ended(client: Client, ref: str) -> str | None:
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


def _record_after_the_workflow(args, request: object, ended: str) -> int | None:
    """Record one of AFTER_THE_WORKFLOW straight into the record store; None when the store
    does not hold the complaint as ended either, for a workflow the engine no longer knows."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.record_store import NotAfterTheWorkflow

    action: Action = args.action
    gone = ended == "gone"
    try:
        store, shown = _store_at(args, must_exist=True)
    except UserError as problem:
        return None if gone else fail(f"{action.command} refused: complaint {args.ref}'s workflow has ended, "
                                      f"and {problem}")
    try:
        record = store.complaint(args.ref) if has_complaints(store) else None
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store at {shown}: {store_problem(problem)}")
    if record is None:
        return None if gone else fail(f"{action.command} refused: complaint {args.ref}'s workflow has ended, and "
                                      f"the record store at {shown} does not hold it")
    if not (record["archived"] or record["status"] == "withdrawn"):
        # A workflow ends only archived or withdrawn: this is the wrong store, or the wrong engine.
        return None if gone else fail(
            f"{action.command} refused: complaint {args.ref}'s workflow has ended, but the record store at "
            f"{shown} has it {record['status']} and not archived (is it the worker's?)")
    try:
        what = _RECORDERS[action.update](store, args.ref, request, datetime.now(LONDON))
    except (Refused, NotAfterTheWorkflow, PolicyError) as problem:
        return fail(f"{action.command} refused: {one_line(problem)}")
    except SQLAlchemyError as problem:
        return fail(f"cannot write to the record store at {shown}: {store_problem(problem)}")
    print(f"{args.ref}: {what}: recorded in the record store, because the complaint's workflow has ended")
    return 0


def _pounds(amount: float) -> str:
    return f"£{amount:,.2f}"


def _referral(store, ref: str, req: a.ReferToOmbudsman, now: datetime) -> str:
    return f"referred to the Ombudsman on {store.record_ombudsman_referral(ref, req, now)}"


def _decision(store, ref: str, req: a.OmbudsmanDecision, now: datetime) -> str:
    day = store.record_ombudsman_decision(ref, req, now)
    remedy = f", remedy {_pounds(req.remedy_gbp)}" if req.remedy_gbp is not None else ""
    return f"the Ombudsman's decision of {day}: {req.result}{remedy}"


def _cost(store, ref: str, req: a.RecordCost, now: datetime) -> str:
    day = store.record_cost(ref, req, now)
    return f"stage {req.stage} {req.item} cost of {_pounds(req.amount_gbp)} on {day}"


def _learning(store, ref: str, req: a.SubmitLearning, now: datetime) -> str:
    return f"lessons-learnt form for stage {store.record_learning(ref, req, now)}"


_RECORDERS: dict[str, Callable[..., str]] = {
    "refer_to_ombudsman": _referral,
    "ombudsman_decision": _decision,
    "record_cost": _cost,
    "submit_learning": _learning,
}
assert set(_RECORDERS) == set(AFTER_THE_WORKFLOW)


async def _closed_status(client: Client, ref: str) -> str | None:
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


# ---------------------------------------------------------------------------------- status


async def _status(args, _prepared: None, client: Client, settings: TemporalSettings) -> int:
    handle = client.get_workflow_handle(args.ref)
    try:
        state: ComplaintState = await handle.query(ComplaintWorkflow.state)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as problem:
        return fail(f"status {args.ref}: the engine could not read the complaint ({one_line(problem)})")
    if await _workflow_ended(client, args.ref) == "completed":
        state = _with_later_records(args, state)
    if args.json:
        print(json.dumps(TypeAdapter(ComplaintState).dump_python(state), indent=2, default=_json_value))
    else:
        print("\n".join(status_lines(state)))
    return 0


def _with_later_records(args, state: ComplaintState) -> ComplaintState:
    """The state as the workflow ended, with what the record store took after it: the
    Ombudsman, costs and lessons-learnt forms (see _record_after_the_workflow)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store, _ = _store_at(args, must_exist=True)
        record = store.complaint(state.ref) if has_complaints(store) else None
    except (UserError, SQLAlchemyError):
        return state            # the workflow's own account still stands
    if record is None:
        return state
    forms = {r["stage"]: (r["learning_submitted"], r["learning_text"]) for r in record["stages"]}
    return replace(
        state,
        ombudsman=[OmbudsmanReferral(r["referred"], r["decided"], r["result"], r["remedy_gbp"])
                   for r in record["ombudsman"]],
        costs=[Cost(r["stage"], r["on"], r["item"], r["amount_gbp"]) for r in record["costs"]],
        stages=[replace(s, learning_submitted=forms.get(s.stage, (None, None))[0] or s.learning_submitted,
                        learning_text=forms.get(s.stage, (None, None))[1] or s.learning_text)
                for s in state.stages],
    )


def _json_value(value: object) -> str:
    # Timestamps in Europe/London with their UTC offset, as the timeline prints them.
    if isinstance(value, datetime):
        return value.astimezone(LONDON).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _when(moment: datetime) -> str:
    return moment.astimezone(LONDON).isoformat(sep=" ", timespec="minutes")


def status_lines(st: ComplaintState) -> list[str]:
    """The complaint for a person to read; no complainant name or address."""
    s = st.current
    lines = [f"{st.ref}  {st.policy} (policy version {st.policy_version})"]

    def row(label: str, value: object) -> None:
        lines.append(f"  {label:<13}{value}")

    row("received", _when(st.received) + (f" by {st.channel}" if st.channel else ""))
    row("complainant", st.complainant.type)
    if st.service_area or st.reasons:
        row("about", "; ".join(x for x in (st.service_area, ", ".join(st.reasons)) if x))
    row("status", f"{st.status}, stage {st.stage}" + (f" ({s.clock.replace('_', ' ')} clock)" if s.clock else ""))
    if st.status in ("open", "suspended"):
        if s.due is not None and s.due == s.original_due:
            row("due", f"{s.due} ({s.working_days} working days from {s.start_day})")
        elif s.due is not None:
            moved = "extended" if s.due == s.extended_due else "moved since"
            row("due", f"{s.due} ({moved}; first due {s.original_due})")
        elif s.suspended_on is not None:
            row("due", f"none while suspended ({s.days_left} working days left)")
    if s.clock is not None:
        row("officer", "none at this stage (complaints team and review panel)")
    else:
        row("officer", s.officer or "not assigned")
    if s.extension_reason is not None:
        row("extension", f"to {s.extended_due or s.due} ({s.extension_reason}); first due {s.original_due}")
    for held in s.suspensions:
        row("suspension", f"{held.on} ({held.reason}), {held.days_left} working days left, "
                          + (f"resumed {held.resumed}" if held.resumed else "not resumed"))
    if st.discontinuation is not None:
        d = st.discontinuation
        row("discontinued", f"{d.on} at stage {d.stage} ({d.reason})"
            + (f"; proceedings ended {d.proceedings_ended}" if d.proceedings_ended else "")
            + (f"; resubmitted {d.resubmitted}" if d.resubmitted else ""))
    if st.withdrawn_on is not None:
        row("withdrawn", f"{st.withdrawn_on}" + (f" ({st.withdrawal_reason})" if st.withdrawal_reason else ""))
    if st.closed_on is not None:
        row("closed", st.closed_on)
    for referral in st.ombudsman:
        decision = "awaiting its decision"
        if referral.decided is not None:
            decision = f"decided {referral.decided}: {(referral.result or '').replace('_', ' ')}"
            decision += f", remedy GBP {referral.remedy_gbp:,.2f}" if referral.remedy_gbp else ""
        row("ombudsman", f"referred {referral.referred}, {decision}")
    if st.costs:
        by_stage = {n: sum(c.amount_gbp for c in st.costs if c.stage == n) for n in sorted({c.stage for c in st.costs})}
        row("costs", "; ".join(f"stage {n} GBP {total:,.2f}" for n, total in by_stage.items()))
    lines.append("stages")
    for record in st.stages:
        answer = "no response yet"
        if record.outcome is not None:
            timing = {True: "on time", False: "late", None: ""}[record.on_time]
            answer = (f"responded {record.responded}, " if record.responded else "") + record.outcome.replace("_", " ")
            answer += f", {timing}" if timing else ""
        handled = record.responding_officer or record.officer
        lines.append(f"  {record.stage}  from {record.start_day}  due {record.due or '-'}  {answer}"
                     + (f"  officer {handled}" if handled else "")
                     + (f"  lessons-learnt form {record.learning_submitted}" if record.learning_submitted else ""))
    lines.append("sent" if st.sent else "sent         nothing yet")
    for notice in st.sent:
        lines.append(f"  {_when(notice.at)}  {notice.kind:<24} to {notice.to:<16} due {notice.due or '-'}")
    return lines


# ---------------------------------------------------------------------------------- list


def run_compliment(args) -> int:
    """Compliments are not complaints: no workflow, straight into the record store."""
    from store.record_store import RecordStore, database_url

    try:
        received = _date("--on", args.on) or datetime.now(LONDON).date()
    except UserError as problem:
        return fail(str(problem))
    store = RecordStore(args.database or database_url())
    store.create_schema()
    store.add_compliment(received, args.team, args.officer, args.text)
    print(f"compliment for {args.team} recorded ({received})")
    return 0


def _store_at(args, must_exist: bool = False):
    """The record store ``--database`` names, else ``DATABASE_URL``, and its URL to show."""
    try:
        return store_at(args.database, must_exist)
    except StoreUnavailable as problem:
        raise UserError(str(problem)) from None


def run_list(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store = open_existing_store(args.database)
        rows = store.open_complaints(datetime.now(LONDON).date())
    except StoreUnavailable as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    listed = [
        {"ref": r["ref"], "policy": r["policy"], "stage": r["stage"], "status": r["status"],
         "officer": r["officer"], "due": r["due"].isoformat() if r["due"] else None,
         "overdue": r["overdue"]}
        for r in rows
    ]
    if args.json:
        print(json.dumps(listed))
        return 0
    if not listed:
        print("no open complaints")
        return 0
    header = ("REF", "POLICY", "STAGE", "STATUS", "OFFICER", "DUE", "")
    table = [header] + [
        (r["ref"], r["policy"], str(r["stage"]), r["status"], r["officer"] or "-", r["due"] or "-",
         "OVERDUE" if r["overdue"] else "")
        for r in listed
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return 0
