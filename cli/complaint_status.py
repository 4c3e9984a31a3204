"""`complaints status REF`: where a complaint stands, who complains and how they are
written to, what has been done (and by whom) and what it has sent, as the workflow holds
it, with what the record store took after the workflow ended.

It is for the complaints team: it is the one command that shows the complainant's name
and address (`list` never does, and neither do the logs).
"""

from __future__ import annotations

import argparse
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
from models.complaint import ComplaintState, HistoryEntry, StageRecord
from policies import PolicyError, load_policy
from rules.bank_holidays import complaint_days_off, complaint_days_off_until, days_off
from rules.calendar import WorkingCalendar
from rules.chasing import overdue_day_number
from rules.complaint import LONDON
from workflows.complaint import ComplaintWorkflow
from workflows.engine import TemporalSettings


def add(commands) -> None:
    status = commands.add_parser(
        "status", help="where a complaint stands, its history and what it has sent",
        description="Where a complaint stands: its stage and due date, or when it was answered (on time, "
                    "or how many working days late), closed or withdrawn; the complainant and how they are "
                    "written to; its history (each action, when, and who did it); and its letters.",
        epilog="example:\n  complaints status CS-2026-014", formatter_class=argparse.RawDescriptionHelpFormatter)
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


def calendar_of(st: ComplaintState, until: date | None = None) -> WorkingCalendar:
    """The working days the complaint's own clock counts: the bank holidays of its years
    (``complaint_days_off`` from the day it was received, and any later year it reached,
    as the workflow adds them) and its policy's closure days, when the policy file is
    still the version the complaint started with."""
    received = st.received.astimezone(LONDON).date()
    closure: list[date] = []
    try:
        policy = load_policy(st.policy)
        if policy.version == st.policy_version:
            closure = list(policy.closure_days)
    except PolicyError:
        pass
    off = complaint_days_off(received, closure)
    covered = complaint_days_off_until(received)
    if until is not None and until > covered:
        off = sorted({*off, *days_off(covered.year + 1, until.year)})
    return WorkingCalendar(off)


def timeliness(record: StageRecord, calendar: WorkingCalendar) -> str:
    """How an answered stage was answered: "on time", or "N working days late"."""
    late = overdue_day_number(calendar, record.due, record.responded) if record.due is not None else 0
    if late:
        return f"{late} working day{'' if late == 1 else 's'} late"
    if record.on_time is False:
        return "late: an earlier clock of the stage was missed"
    return "on time"


def answered(record: StageRecord, calendar: WorkingCalendar) -> str:
    return f"answered on {record.responded} ({timeliness(record, calendar)})"


# What the engine does by itself, as days pass: nobody did it.
BY_THE_ENGINE = {"window_closed", "resubmission_window_closed", "archived"}


def why_closed(st: ComplaintState) -> str:
    """Why a closed complaint closed: answered at its last stage, or a window ran out."""
    for entry in reversed(st.history):
        if entry.action == "window_closed":
            return f"the window to ask for stage {st.stage + 1} ran out"
        if entry.action == "resubmission_window_closed":
            return "the time to resubmit it after the proceedings ran out"
        if entry.action in ("respond", "escalate", "resubmit", "register"):
            break
    if st.current.responded is not None:
        return f"answered at its last stage (stage {st.stage})"
    return "closed"


def written_to(st: ComplaintState) -> str:
    """How the council writes to the complainant, and where (with the other way it has)."""
    who = st.complainant
    address = ", ".join(line.strip() for line in (who.address or "").splitlines() if line.strip())
    if who.by_post:
        return f"by post, to {address or '(no address given)'}" + (f"; email {who.email}" if who.email else "")
    return f"by email, to {who.email}" + (f"; postal address {address}" if address else "")


def history_line(entry: HistoryEntry) -> str:
    detail = " ".join(entry.detail.split())
    if len(detail) > 80:
        detail = detail[:79] + "…"
    who = entry.by if entry.by is not None else ("the engine" if entry.action in BY_THE_ENGINE else "(not recorded)")
    return f"  {_when(entry.at)}  {entry.action:<26} {detail:<30}  by {' '.join(who.split())}".rstrip()


def status_lines(st: ComplaintState, today: date | None = None) -> list[str]:
    """The complaint for a person on the complaints team to read, with the complainant's
    name and how they are written to."""
    s = st.current
    today = today or datetime.now(LONDON).date()
    calendar = calendar_of(st, max([today] + [r.responded for r in st.stages if r.responded]))
    lines = [f"{st.ref}  {st.policy} (policy version {st.policy_version})"]

    def row(label: str, value: object) -> None:
        lines.append(f"  {label:<13}{value}")

    row("received", _when(st.received) + (f" by {st.channel}" if st.channel else ""))
    row("complainant", f"{st.complainant.type}: {' '.join(st.complainant.name.split())}")
    row("written to", written_to(st))
    if st.service_area or st.reasons:
        row("about", "; ".join(x for x in (st.service_area, ", ".join(st.reasons)) if x))
    status = f"{st.status}, stage {st.stage}" + (f" ({s.clock.replace('_', ' ')} clock)" if s.clock else "")
    if st.status == "withdrawn":
        status += f": withdrawn on {st.withdrawn_on}" + (
            f" ({' '.join(st.withdrawal_reason.split())})" if st.withdrawal_reason else "")
    elif st.status == "closed":
        status += f": closed on {st.closed_on}, {why_closed(st)}"
    elif st.status == "open" and s.responded is not None:
        status += f": {answered(s, calendar)}, {(s.outcome or '').replace('_', ' ')}"
    row("status", status)
    if st.status in ("open", "suspended") and s.responded is None:
        if s.due is not None and s.due == s.original_due:
            row("due", f"{s.due} ({s.working_days} working days from {s.start_day})")
        elif s.due is not None:
            moved = "extended" if s.due == s.extended_due else "moved since"
            row("due", f"{s.due} ({moved}; first due {s.original_due})")
        elif s.suspended_on is not None:
            row("due", f"none while suspended ({s.days_left} working days left)")
        if s.due is not None and (late := overdue_day_number(calendar, s.due, today)):
            row("overdue", f"{late} working day{'' if late == 1 else 's'} past its due date")
    if s.clock is not None:
        row("officer", "none at this stage (complaints team and review panel)")
    else:
        row("officer", s.officer or "not assigned")
    if s.extension_reason is not None:
        row("extension", f"to {s.extended_due or s.due} ({' '.join(s.extension_reason.split())}); "
                         f"first due {s.original_due}")
    for held in s.suspensions:
        row("suspension", f"{held.on} ({held.reason}), {held.days_left} working days left, "
                          + (f"resumed {held.resumed}" if held.resumed else "not resumed"))
    if st.discontinuation is not None:
        d = st.discontinuation
        row("discontinued", f"{d.on} at stage {d.stage} ({d.reason})"
            + (f"; proceedings ended {d.proceedings_ended}" if d.proceedings_ended else "")
            + (f"; resubmitted {d.resubmitted}" if d.resubmitted else ""))
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
        if record.responded is not None:
            answer = f"{answered(record, calendar)}, {(record.outcome or '').replace('_', ' ')}"
        elif record.outcome == "no_response":
            answer = "left unanswered (the next stage was asked for)"
        else:
            answer = "no response yet"
        handled = record.responding_officer or record.officer
        lines.append(f"  {record.stage}  from {record.start_day}  due {record.due or '-'}  {answer}"
                     + (f"  officer {handled}" if handled else "")
                     + (f"  lessons-learnt form {record.learning_submitted}" if record.learning_submitted else ""))
    lines.append("history")
    lines += [history_line(entry) for entry in st.history] or ["  none"]
    return lines
