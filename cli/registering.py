"""`complaints register`: a new complaint, from a YAML file or flags, starts its workflow.

The council's directory comes from ``COMPLAINTS_DIRECTORY`` (see ``cli.directory``). A
registration the rules refuse is kept in the record store (``--database URL``, else
``DATABASE_URL``) for the annual report.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from cli.command_line import BY_HELP, UserError, fail, given_date, who_did_it
from cli.directory import DirectoryError, load_directory
from cli.engine_connection import EngineCommand, run
from cli.stores import store_at, store_problem
from models import actions as a
from models.complaint import COMPLAINANT_TYPES
from models.field_checks import FieldProblem, registration_problem
from models.validation import field_errors
from models.yaml_files import YamlFileError, read_yaml_file
from policies import PolicyError
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON, Complaint, Refused, london
from simulation.scenario import ComplaintIn
from workflows.complaint import ComplaintWorkflow
from workflows.engine import TemporalSettings, complaint_input


def add(commands) -> None:
    reg = commands.add_parser(
        "register", help="register a complaint (from a YAML file or flags)",
        description="Register a complaint, from a YAML file or flags: its workflow starts.",
        epilog="examples:\n"
               "  complaints register CS-2026-014.yaml\n"
               "  complaints register --ref CS-2026-014 --policy children-statutory --received 2026-11-30 \\\n"
               "      --name 'Pat Parent' --email pat@example.org --type parent --reason communication\n"
               "  complaints register --ref CS-2026-015 --policy corporate --channel letter \\\n"
               "      --name 'Sam Jones' --address '12 Mill Lane, Exampletown, ZZ1 2AB' --type parent",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    reg.add_argument("file", nargs="?", type=Path, metavar="FILE.yaml",
                     help="one complaint, in a scenario's complaint format, without actions")
    reg.add_argument("--ref")
    reg.add_argument("--policy", help="children-statutory, corporate or complaint-handling-code")
    reg.add_argument("--received", help="YYYY-MM-DD (10:00 that day) or an ISO datetime; default now")
    reg.add_argument("--name", help="the complainant's name")
    reg.add_argument("--email", help="the complainant's email address (or --address, or both)")
    reg.add_argument("--address", help="the complainant's postal address, one line of the envelope a line "
                                       "(separated by commas or new lines), the UK postcode last")
    reg.add_argument("--write-by", choices=("email", "post"),
                     help="how to write to them (default: by email where there is an address, else post)")
    reg.add_argument("--type", dest="complainant_type", choices=COMPLAINANT_TYPES, metavar="TYPE",
                     help=f"who complains, one of: {', '.join(COMPLAINANT_TYPES)}")
    reg.add_argument("--service-area")
    reg.add_argument("--reason", dest="reasons", action="append", default=None,
                     help="a reason for the complaint (repeatable)")
    reg.add_argument("--channel")
    reg.add_argument("--child", help="an anonymous child reference")
    reg.add_argument("--matter-date", metavar="YYYY-MM-DD")
    reg.add_argument("--late-reason", help="accept a matter more than a year old, for this reason")
    reg.add_argument("--by", metavar="NAME", help=BY_HELP)
    reg.add_argument("--database", help="the record store's URL, where a refusal is recorded (default DATABASE_URL)")
    reg.set_defaults(run=run, engine=REGISTER)


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


def _flags(args) -> dict[str, object]:
    """The complaint's flags as typed (None where not given)."""
    return {"--ref": args.ref, "--policy": args.policy, "--received": args.received, "--name": args.name,
            "--email": args.email, "--address": args.address, "--write-by": args.write_by,
            "--type": args.complainant_type, "--service-area": args.service_area,
            "--reason": args.reasons, "--channel": args.channel, "--child": args.child,
            "--matter-date": args.matter_date, "--late-reason": args.late_reason}


def _address(text: str | None) -> str | None:
    """An address typed on one line, its lines separated by commas, as the envelope's lines."""
    if text is None:
        return None
    return "\n".join(part.strip() for part in text.replace("\n", ",").split(",") if part.strip())


def _complaint_from_flags(args) -> dict[str, Any]:
    flags = _flags(args)
    missing = [flag for flag in ("--ref", "--policy", "--name", "--type") if flags[flag] is None]
    if flags["--email"] is None and flags["--address"] is None:
        missing.append("--email or --address")
    if missing:
        raise UserError(f"register: give a FILE.yaml, or {', '.join(missing)}")
    data: dict[str, Any] = {
        "ref": args.ref,
        "policy": args.policy,
        "received": _received(args.received),
        "complainant": {"name": args.name, "email": args.email, "type": args.complainant_type,
                        "address": _address(args.address), "write_by": args.write_by},
        "service_area": args.service_area,
        "reasons": args.reasons or [],
        "channel": args.channel,
        "child": args.child,
        "matter_date": given_date("--matter-date", args.matter_date),
    }
    if args.late_reason is not None:
        data.update(late_accepted=True, late_reason=args.late_reason)
    return data


def registration(args) -> a.Registration:
    """The registration the command line describes, checked (raises UserError)."""
    if args.file is not None:
        if any(value is not None for value in _flags(args).values()):
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
    reg.by = who_did_it(args.by)
    now = datetime.now(LONDON)
    if reg.received > now:
        if reg.received.date() != now.date() or isinstance(complaint.received, datetime):
            raise UserError(f"register refused: the complaint cannot be received in the future "
                            f"({reg.received.isoformat()})")
        # Today's date, registered before 10:00: received now, not later today.
        reg.received = now.replace(microsecond=0)
    # A field no record could hold is the clerk's to mend, not a complaint refused: it is
    # not kept in the record store, and no workflow starts.
    problem = registration_problem(reg, now.date())
    if problem is not None:
        raise UserError(f"register: {_as_typed(problem, args.file is None, args.by is not None)}")
    return reg


# The flags of `register`, by the field each sets.
FLAGS = {"ref": "--ref", "policy": "--policy", "received": "--received", "complainant.name": "--name",
         "complainant.email": "--email", "complainant.address": "--address", "complainant.write_by": "--write-by", "complainant.type": "--type", "service_area": "--service-area",
         "reasons": "--reason", "channel": "--channel", "child": "--child", "matter_date": "--matter-date",
         "late_reason": "--late-reason"}


def _as_typed(problem: FieldProblem, from_flags: bool, given_by: bool) -> str:
    """The problem as the clerk typed it: the flag, or the file's field. (The directory's
    own fields were checked when it was read: cli.directory.)"""
    if problem.field == "by":
        return f"--by{'' if given_by else ' (not given: the user running the command)'}: {problem.reason}"
    if from_flags:
        field = problem.field.split(".")[0] if problem.field.startswith("reasons.") else problem.field
        if field in FLAGS:
            return f"{FLAGS[field]}: {problem.reason}"
    return str(problem)


async def register(args, reg: a.Registration, client: Client, settings: TemporalSettings) -> int:
    """Start the complaint's workflow; a refusal is kept in the record store."""
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
        store, shown = store_at(args.database)
    except UserError as problem:
        return f" (not recorded: {problem})"
    try:
        store.create_schema()
        store.add_refusal(reg.ref, reg.policy, london(reg.received).date(), datetime.now(LONDON), reason)
    except (SQLAlchemyError, OSError) as problem:
        return f" (not recorded in the record store at {shown}: {store_problem(problem)})"
    return ""


REGISTER = EngineCommand("register", registration, register, uses_record_store=True)
