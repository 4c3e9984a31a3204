"""`complaints status REF`: where a complaint stands and what it has sent, as the
workflow holds it, with what the record store took after the workflow ended."""

from __future__ import annotations

import json
from datetime import date, datetime

from pydantic import TypeAdapter
from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client, WorkflowQueryFailedError, WorkflowQueryRejectedError

from cli.after_the_workflow import with_later_records
from cli.command_line import fail
from cli.engine_connection import EngineCommand, run, workflow_ended
from cli.letters import letter_lines
from cli.stores import StoreUnavailable, one_line, store_at, store_problem
from models.complaint import ComplaintState
from rules.complaint import LONDON
from workflows.complaint import ComplaintWorkflow
from workflows.engine import TemporalSettings


def add(commands) -> None:
    status = commands.add_parser("status", help="where a complaint stands and what it has sent")
    status.add_argument("ref")
    status.add_argument("--json", action="store_true", help="the complaint's whole state as JSON")
    status.add_argument("--database", help="the record store's URL, for what was recorded after the "
                                           "complaint's workflow ended (default DATABASE_URL)")
    status.set_defaults(run=run, engine=STATUS)


async def show_status(args, _prepared: None, client: Client, settings: TemporalSettings) -> int:
    handle = client.get_workflow_handle(args.ref)
    try:
        state: ComplaintState = await handle.query(ComplaintWorkflow.state)
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as problem:
        return fail(f"status {args.ref}: the engine could not read the complaint ({one_line(problem)})")
    if await workflow_ended(client, args.ref) == "completed":
        state = with_later_records(args, state)
    if args.json:
        print(json.dumps(TypeAdapter(ComplaintState).dump_python(state), indent=2, default=_json_value))
    else:
        print("\n".join(status_lines(state) + letters_of(args, state)))
    return 0


def letters_of(args, state: ComplaintState) -> list[str]:
    """How each letter went, from the record store's outbox (sent, waiting, failed); what
    the workflow decided to send when the store cannot be read."""
    try:
        store, _ = store_at(args.database, must_exist=True)
        lines = letter_lines(store, state.ref)
    except (StoreUnavailable, SQLAlchemyError) as problem:
        lines = None
        why = store_problem(problem) if isinstance(problem, SQLAlchemyError) else str(problem)
    if lines is not None:
        return ["letters"] + lines if lines else ["letters      none yet"]
    decided = [f"  {_when(n.at)}  {n.kind:<26} to {n.to:<16} due {n.due or '-'}" for n in state.sent]
    return [f"letters      (whether each has gone is not known: {why})"] + decided


STATUS = EngineCommand("status", lambda args: None, show_status, uses_record_store=True)


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
    return lines
