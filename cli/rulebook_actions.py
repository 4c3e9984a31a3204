"""The actions of the rulebook as commands: `assign`, `extend`, `suspend`, `respond`, ...,
and what comes after the council (`refer-to-ombudsman`, `ombudsman-decision`,
`record-cost`).

``ACTION_LIST`` is the table of them. For each: the command as typed, the workflow
Update it sends and that Update's input record (the catalogue's, ``models.actions``), the
command's own arguments, how the record is built from them (the command line's check: a
malformed date or an unknown directory is refused before anything is sent), and, for
what may come after the complaint's workflow has ended, how the record store takes it
itself. The rules' own check is the workflow's: a refused action is one line saying why.
"""

from __future__ import annotations

import argparse
import asyncio
import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from cli import after_the_workflow as later
from cli.command_line import BY_HELP, UserError, fail, given_date, who_did_it
from cli.directory import DirectoryError, load_directory
from cli.engine_connection import EngineCommand, closed_status, run, workflow_ended
from cli.letters import trouble
from council import late_reasons
from cli.stores import StoreUnavailable, one_line, store_at
from models import actions as a
from rules.complaint import DATED_ACTIONS
from models.complaint import COST_ITEMS, ESCALATION_REASONS, OMBUDSMAN_RESULTS, OUTCOMES, SUSPENSION_REASONS
from models.field_checks import identifier_problem, request_problem
from rules.moments import LONDON
from workflows.engine import TemporalSettings


@dataclass(frozen=True)
class Action:
    command: str                        # as typed: submit-learning
    update: str                         # the workflow Update it sends: submit_learning
    request_type: type                  # that Update's input record: a.SubmitLearning
    help: str
    arguments: Callable[[Any], None]    # adds the command's own arguments to its parser
    request: Callable[[Any], object]    # builds request_type from the parsed args (raises UserError)
    # Once the complaint's workflow has ended, the record store takes it itself (else None).
    after_the_workflow: later.Recorder | None = None


# ---------------------------------------------------------------------- their arguments


def _no_arguments(p) -> None:
    pass


def _officer(p) -> None:
    p.add_argument("officer", help="the officer's id in the council's directory")


def _choice(p, option: str, values: tuple, metavar: str, what: str, **more) -> None:
    """An option that takes one of ``values``: --help lists them, and a wrong one is one
    line naming them (argparse's "invalid choice ... (choose from ...)")."""
    p.add_argument(option, choices=values, metavar=metavar, help=f"{what}, one of: {', '.join(values)}", **more)


def _stopping(p) -> None:
    _choice(p, "--reason", SUSPENSION_REASONS, "REASON", "why the complaint waits", required=True)
    p.add_argument("--detail", help="which proceedings, or more about the reason")


def _extension(p) -> None:
    p.add_argument("--reason", required=True, help="why the stage needs longer (free text)")
    p.add_argument("--new-due", metavar="YYYY-MM-DD", help="an earlier new due date than the maximum")


def _outcome(p) -> None:
    _choice(p, "--outcome", OUTCOMES, "OUTCOME", "the stage's finding", required=True)
    p.add_argument("--late-reason", metavar="CODE",
                   help=f"a late response: why, from the council's list ({_listed_codes()})")
    p.add_argument("--late-note", metavar="TEXT", help="a late response: more about why (free text)")
    p.add_argument("--recommendation", metavar="TEXT", action="append", default=[],
                   help="at stage 2: one of the investigating officer's recommendations (repeat for each)")


def _lateness(p) -> None:
    p.add_argument("--reason", required=True, metavar="CODE",
                   help=f"why the response was late, from the council's list ({_listed_codes()})")
    p.add_argument("--note", metavar="TEXT", help="more about why (free text)")
    p.add_argument("--stage", type=int, metavar="STAGE", help="the stage whose response was late (default: "
                                                               "the current stage)")


def _listed_codes() -> str:
    try:
        return ", ".join(late_reasons.current().codes)
    except late_reasons.LateReasonsError:
        return "its file cannot be read: see the command's message"


def _text(p) -> None:
    p.add_argument("--text", help="what was learnt (free text)")


def _escalation(p) -> None:
    _choice(p, "--reason", ESCALATION_REASONS, "REASON", "why the complainant asks for the next stage",
            required=True)
    p.add_argument("--late-reason", help="accept a request after the window, for this reason")


def _independent_person(p) -> None:
    p.add_argument("name", help="the independent person's name")


def _proceedings_ended_on(p) -> None:
    p.add_argument("--on", required=True, metavar="YYYY-MM-DD")


def _late_resubmission(p) -> None:
    p.add_argument("--late-reason", help="accept a resubmission after the window")


def _optional_reason(p) -> None:
    p.add_argument("--reason", help="why, if the complainant said (free text)")


def _on(p) -> None:
    p.add_argument("--on", metavar="YYYY-MM-DD", help="the date (default today)")


def _decision(p) -> None:
    _choice(p, "--result", OMBUDSMAN_RESULTS, "RESULT", "what the Ombudsman decided", required=True)
    p.add_argument("--remedy", type=float, metavar="POUNDS", help="a financial remedy, in pounds")
    _on(p)


def _cost(p) -> None:
    p.add_argument("--stage", type=int, required=True, choices=(2, 3), metavar="STAGE", help="2 or 3")
    _choice(p, "--item", COST_ITEMS, "ITEM", "what it paid for", required=True)
    p.add_argument("--amount", type=float, required=True, metavar="POUNDS")
    _on(p)


# ---------------------------------------------------------------------- their requests


def _assign(args) -> a.Assign:
    try:
        directory = load_directory()
    except DirectoryError as problem:
        raise UserError(str(problem)) from None
    # Pass the council's directory as it is now, so staff who joined after registration
    # can be assigned; the shipped example is never pushed over a complaint's own copy.
    return a.Assign(officer=args.officer, officers=None if directory.example else directory.officers)


def _council_late_reasons(code: str | None, option: str) -> list[str] | None:
    """The council's list, sent with a reason so the workflow checks it against the same
    list; a code not on it is refused here, naming the list."""
    if code is None:
        return None
    try:
        codes = late_reasons.current().codes
    except late_reasons.LateReasonsError as problem:
        raise UserError(str(problem)) from None
    if code not in codes:
        # A clerk's typo ("stafcapacity") gets the code it is closest to first.
        near = difflib.get_close_matches(code.casefold(), codes, n=1, cutoff=0.6)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise UserError(f"{option}: {code!r} is not on the council's list of reasons for lateness{hint}: "
                        f"{', '.join(codes)}")
    return codes


def _respond(args) -> a.Respond:
    return a.Respond(outcome=args.outcome, late_reason=args.late_reason, late_note=args.late_note,
                     late_reasons=_council_late_reasons(args.late_reason, "--late-reason"),
                     recommendations=list(args.recommendation))


def _late_reason(args) -> a.LateReason:
    return a.LateReason(reason=args.reason, note=args.note, stage=args.stage,
                        late_reasons=_council_late_reasons(args.reason, "--reason"))


def _late(args) -> dict[str, object]:
    return {"late_accepted": args.late_reason is not None, "late_reason": args.late_reason}


ACTION_LIST: tuple[Action, ...] = (
    Action("assign", "assign", a.Assign, "name the investigating officer for the current stage",
           _officer, _assign),
    Action("reassign", "reassign", a.Assign, "hand the current stage to another officer (same deadline)",
           _officer, _assign),
    Action("extend", "extend", a.Extend, "extend the current stage's deadline (once per stage)",
           _extension, lambda args: a.Extend(reason=args.reason, new_due=given_date("--new-due", args.new_due))),
    Action("suspend", "suspend", a.Suspend, "stop the clock (court proceedings, police investigation, other)",
           _stopping, lambda args: a.Suspend(reason=args.reason, detail=args.detail)),
    Action("resume", "resume", a.Resume, "restart a suspended clock",
           _no_arguments, lambda args: a.Resume()),
    Action("respond", "respond", a.Respond, "record the stage's response",
           _outcome, _respond),
    Action("late-reason", "late_reason", a.LateReason, "say why a stage's late response was late",
           _lateness, _late_reason, later.late_reason),
    Action("submit-learning", "submit_learning", a.SubmitLearning, "record the lessons-learnt form",
           _text, lambda args: a.SubmitLearning(text=args.text), later.learning),
    Action("escalate", "escalate", a.Escalate, "the complainant asks for the next stage",
           _escalation, lambda args: a.Escalate(reason=args.reason, **_late(args))),
    Action("appoint-independent-person", "appoint_independent_person", a.AppointIndependentPerson,
           "record the stage 2 independent person",
           _independent_person, lambda args: a.AppointIndependentPerson(name=args.name)),
    Action("panel-held", "panel_held", a.PanelHeld, "the stage 3 review panel has met",
           _no_arguments, lambda args: a.PanelHeld()),
    Action("panel-report", "panel_report", a.PanelReport, "the panel's recommendations are in",
           _no_arguments, lambda args: a.PanelReport()),
    Action("discontinue", "discontinue", a.Discontinue, "stop considering the complaint while proceedings run",
           _stopping, lambda args: a.Discontinue(reason=args.reason, detail=args.detail)),
    Action("proceedings-ended", "proceedings_ended", a.ProceedingsEnded,
           "the proceedings ended (starts the resubmission year)",
           _proceedings_ended_on, lambda args: a.ProceedingsEnded(on=given_date("--on", args.on))),
    Action("resubmit", "resubmit", a.Resubmit, "reopen a discontinued complaint",
           _late_resubmission, lambda args: a.Resubmit(**_late(args))),
    Action("withdraw", "withdraw", a.Withdraw, "the complainant withdraws the complaint",
           _optional_reason, lambda args: a.Withdraw(reason=args.reason)),
    Action("refer-to-ombudsman", "refer_to_ombudsman", a.ReferToOmbudsman,
           "the complainant has gone to the Ombudsman (LGSCO)",
           _on, lambda args: a.ReferToOmbudsman(on=given_date("--on", args.on)), later.referral),
    Action("ombudsman-decision", "ombudsman_decision", a.OmbudsmanDecision,
           "what the Ombudsman decided, and any remedy",
           _decision, lambda args: a.OmbudsmanDecision(result=args.result, remedy_gbp=args.remedy,
                                                       on=given_date("--on", args.on)),
           later.decision),
    Action("record-cost", "record_cost", a.RecordCost,
           "a stage 2 or 3 cost (investigator, independent person, panel)",
           _cost, lambda args: a.RecordCost(stage=args.stage, item=args.item, amount_gbp=args.amount,
                                            on=given_date("--on", args.on)),
           later.cost),
)
assert {x.update: x.request_type for x in ACTION_LIST} == a.ACTIONS, \
    "every action of the catalogue has a command, with the catalogue's input record"


# One example of each command, shown by its --help.
EXAMPLES: dict[str, str] = {
    "assign": "complaints assign CS-2026-014 io-1",
    "reassign": "complaints reassign CS-2026-014 io-2 --by 'Sam Clerk'",
    "extend": "complaints extend CS-2026-014 --reason 'waiting for records from the school' --new-due 2026-12-18",
    "suspend": "complaints suspend CS-2026-014 --reason court_proceedings --detail 'care proceedings, Family Court'",
    "resume": "complaints resume CS-2026-014",
    "respond": "complaints respond CS-2026-014 --outcome partially_upheld",
    "late-reason": "complaints late-reason CS-2026-014 --reason staff_capacity --note 'two officers off sick'",
    "submit-learning": "complaints submit-learning CS-2026-014 --text 'Call the family back the same day.'",
    "escalate": "complaints escalate CS-2026-014 --reason disagree",
    "appoint-independent-person": "complaints appoint-independent-person CS-2026-014 'Ida Person'",
    "panel-held": "complaints panel-held CS-2026-014",
    "panel-report": "complaints panel-report CS-2026-014",
    "discontinue": "complaints discontinue CS-2026-014 --reason court_proceedings --detail 'care proceedings, "
                   "Family Court'",
    "proceedings-ended": "complaints proceedings-ended CS-2026-014 --on 2027-03-01",
    "resubmit": "complaints resubmit CS-2026-014",
    "withdraw": "complaints withdraw CS-2026-014 --reason 'resolved informally'",
    "refer-to-ombudsman": "complaints refer-to-ombudsman CS-2026-014 --on 2027-02-01",
    "ombudsman-decision": "complaints ombudsman-decision CS-2026-014 --result upheld_fault_and_injustice "
                          "--remedy 250",
    "record-cost": "complaints record-cost CS-2026-014 --stage 2 --item investigator --amount 1200.50",
}
assert set(EXAMPLES) == {x.command for x in ACTION_LIST}, "every action command has its example"


# ---------------------------------------------------------------------- the commands


def add(commands) -> None:
    for action in ACTION_LIST:
        p = commands.add_parser(action.command, help=action.help, description=action.help,
                                epilog=f"example:\n  {EXAMPLES[action.command]}",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("ref", help="the complaint's reference")
        action.arguments(p)
        p.add_argument("--by", metavar="NAME", help=BY_HELP)
        if action.update in DATED_ACTIONS:
            p.add_argument("--on", metavar="YYYY-MM-DD",
                           help="the day it happened, when not today (not a day to come, not before the "
                                "complaint was received or its previous action); the rules judge it by that day")
        if action.after_the_workflow is not None:
            p.add_argument("--database", help="the record store's URL, used once the complaint's workflow "
                                              "has ended (default DATABASE_URL)")
        p.set_defaults(run=run, engine=EngineCommand(
            action.command, partial(checked_request, action), partial(act, action),
            acts=True, uses_record_store=action.after_the_workflow is not None))


# The fields of the input records that the commands take under another name.
TYPED_AS = {"amount_gbp": "--amount", "remedy_gbp": "--remedy", "officer": "OFFICER", "name": "NAME",
            "officers": "the council's directory", "late_reasons": "the council's list of reasons for lateness",
            "recommendations": "--recommendation"}


def checked_request(action: Action, args) -> object:
    """The action's input record from the command line, every field checked as the rules
    check it (models.field_checks): a value no record could hold is refused here, in one
    line naming the option, before anything is sent."""
    if (why := identifier_problem(args.ref)) is not None:
        raise UserError(f"{action.command} refused: REF: {why}")
    request = action.request(args)
    request.by = who_did_it(args.by)
    if action.update in DATED_ACTIONS:
        request.on = given_date("--on", args.on)
    problem = request_problem(action.update, request, datetime.now(LONDON).date())
    if problem is not None:
        field = problem.field.split(".")[0]
        typed = TYPED_AS.get(field, "--" + field.replace("_", "-"))
        if field == "by" and args.by is None:
            typed = "--by (not given: the user running the command)"
        raise UserError(f"{action.command} refused: {typed}: {problem.reason}")
    return request


async def act(action: Action, args, request: object, client: Client, settings: TemporalSettings) -> int:
    """Send the action to the complaint's workflow, or once that has ended, to the record store."""
    handle = client.get_workflow_handle(args.ref)
    try:
        description = await handle.execute_update(action.update, request, result_type=str)
    except WorkflowUpdateFailedError as problem:
        cause = problem.cause
        reason = cause.message if isinstance(cause, ApplicationError) else one_line(cause or problem)
        return fail(f"{action.command} refused: {one_line(reason)}")
    except RPCError as problem:
        if problem.status == RPCStatusCode.NOT_FOUND and "namespace" not in problem.message.lower():
            if action.after_the_workflow is not None and (ended := await workflow_ended(client, args.ref)):
                status = await asyncio.to_thread(later.record_after_the_workflow, args, action.command,
                                                 action.after_the_workflow, request, ended)
                if status is not None:
                    return status
            closed = await closed_status(client, args.ref)
            if closed is not None:
                return fail(f"{action.command} refused: complaint {args.ref} is {closed} and takes no more actions")
            return fail(f"{action.command} refused: no complaint with reference {args.ref}")
        raise
    print(description)
    if (note := await asyncio.to_thread(letters_in_trouble, args)) is not None:
        print(f"{args.ref}: {note}")
    return 0


def letters_in_trouble(args) -> str | None:
    """The action is recorded; say so if the complaint's letters are stuck or failed."""
    try:
        store, _ = store_at(vars(args).get("database"), must_exist=True)
        return trouble(store, args.ref)
    except (StoreUnavailable, SQLAlchemyError):
        return None
