"""What still comes after a complaint's workflow has ended, a year after it closed: the
Ombudsman takes months; invoices and late lessons-learnt forms arrive when they do; why a
response was late may be said only when the annual report is drawn up. The
record store (``--database URL``, else ``DATABASE_URL``) takes these itself, under the
same rules, and ``status`` shows them with the workflow's own account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from cli.command_line import UserError, fail
from cli.stores import has_complaints, one_line, store_at, store_problem
from council.late_reasons import LateReasonsError, current
from models import actions as a
from models.complaint import ComplaintState, Cost, HistoryEntry, OmbudsmanReferral, StageRecord
from policies import PolicyError
from rules.complaint import LONDON, Refused
from store.record_store import RecordStore

# Records one action straight into the record store; returns what was recorded, to print.
Recorder = Callable[[RecordStore, str, object, datetime], str]


def record_after_the_workflow(args, command: str, record_it: Recorder, request: object, ended: str) -> int | None:
    """Record an action into the record store, its workflow having ``ended``; None when the
    store does not hold the complaint as ended either, for a workflow the engine no longer knows."""
    from sqlalchemy.exc import SQLAlchemyError

    from store.record_store import NotAfterTheWorkflow

    gone = ended == "gone"
    try:
        store, shown = store_at(args.database, must_exist=True)
    except UserError as problem:
        return None if gone else fail(f"{command} refused: complaint {args.ref}'s workflow has ended, "
                                      f"and {problem}")
    try:
        record = store.complaint(args.ref) if has_complaints(store) else None
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store at {shown}: {store_problem(problem)}")
    if record is None:
        return None if gone else fail(f"{command} refused: complaint {args.ref}'s workflow has ended, and "
                                      f"the record store at {shown} does not hold it")
    if not (record["archived"] or record["status"] == "withdrawn"):
        # A workflow ends only archived or withdrawn: this is the wrong store, or the wrong engine.
        return None if gone else fail(
            f"{command} refused: complaint {args.ref}'s workflow has ended, but the record store at "
            f"{shown} has it {record['status']} and not archived (is it the worker's?)")
    try:
        what = record_it(store, args.ref, request, datetime.now(LONDON))
    except (Refused, NotAfterTheWorkflow, PolicyError, LateReasonsError) as problem:
        return fail(f"{command} refused: {one_line(problem)}")
    except SQLAlchemyError as problem:
        return fail(f"cannot write to the record store at {shown}: {store_problem(problem)}")
    print(f"{args.ref}: {what}: recorded in the record store, because the complaint's workflow has ended")
    return 0


def _pounds(amount: float) -> str:
    return f"£{amount:,.2f}"


def referral(store: RecordStore, ref: str, req: a.ReferToOmbudsman, now: datetime) -> str:
    return f"referred to the Ombudsman on {store.record_ombudsman_referral(ref, req, now)}"


def decision(store: RecordStore, ref: str, req: a.OmbudsmanDecision, now: datetime) -> str:
    day = store.record_ombudsman_decision(ref, req, now)
    remedy = f", remedy {_pounds(req.remedy_gbp)}" if req.remedy_gbp is not None else ""
    return f"the Ombudsman's decision of {day}: {req.result}{remedy}"


def cost(store: RecordStore, ref: str, req: a.RecordCost, now: datetime) -> str:
    day = store.record_cost(ref, req, now)
    return f"stage {req.stage} {req.item} cost of {_pounds(req.amount_gbp)} on {day}"


def learning(store: RecordStore, ref: str, req: a.SubmitLearning, now: datetime) -> str:
    return f"lessons-learnt form for stage {store.record_learning(ref, req, now)}"


def late_reason(store: RecordStore, ref: str, req: a.LateReason, now: datetime) -> str:
    # No workflow replays this: a request without the council's list is checked against
    # the list as it is now, not the one shipped with the engine.
    if req.late_reasons is None:
        req = replace(req, late_reasons=current().codes)
    return f"why the stage {store.record_late_reason(ref, req, now)} response was late: {req.reason}"


def with_later_records(args, state: ComplaintState) -> ComplaintState:
    """The state as the workflow ended, with what the record store took after it: the
    Ombudsman, costs, lessons-learnt forms and why a response was late, and their lines of
    the history, with who did them (see record_after_the_workflow)."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store, _ = store_at(args.database, must_exist=True)
        record = store.complaint(state.ref) if has_complaints(store) else None
    except (UserError, SQLAlchemyError):
        return state            # the workflow's own account still stands
    if record is None:
        return state
    kept = {r["stage"]: r for r in record["stages"]}
    # The store's history is the workflow's, then what it took itself.
    later_history = [HistoryEntry(r["at"], r["action"], r["detail"] or "", r.get("by"))
                     for r in record["history"][len(state.history):]]
    return replace(
        state,
        ombudsman=[OmbudsmanReferral(r["referred"], r["decided"], r["result"], r["remedy_gbp"])
                   for r in record["ombudsman"]],
        costs=[Cost(r["stage"], r["on"], r["item"], r["amount_gbp"]) for r in record["costs"]],
        stages=[_with_later(s, kept.get(s.stage, {})) for s in state.stages],
        history=[*state.history, *later_history],
    )


def _with_later(s: StageRecord, row: dict) -> StageRecord:
    """A stage as the workflow ended it, with what the store took for it afterwards (the
    store's row began as the workflow's last snapshot, so a reason it holds is the latest)."""
    said = row.get("late_reason") is not None
    return replace(s, learning_submitted=row.get("learning_submitted") or s.learning_submitted,
                   learning_text=row.get("learning_text") or s.learning_text,
                   late_reason=row["late_reason"] if said else s.late_reason,
                   late_note=row.get("late_note") if said else s.late_note)
