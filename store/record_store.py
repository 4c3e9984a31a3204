"""The record store's service: save a complaint's snapshot with its mail, and read it back.

Every method is synchronous; activities call it through ``asyncio.to_thread`` (or as
sync activities) so the event loop never waits on the database.

A complaint's workflow ends a year after the complaint closed, but the Ombudsman, costs,
late lessons-learnt forms and why a response was late often come later still: ``record_*``
write those straight into the complaint's rows, under the same checks the workflow applies
(``rules.complaint``, ``rules.lateness``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import functools
from types import SimpleNamespace

from sqlalchemy import Connection, Date, Table, bindparam, case, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from models import actions as a
from models.complaint import ComplaintState
from models.field_checks import compliment_problem, request_problem
from policies import load_policy
from rules.complaint import (
    Refused,
    awaiting_learning,
    cost_refusal,
    dated,
    decision_refusal,
    fmt,
    learning_refusal,
    london,
    open_referral,
    referral_refusal,
    withdrawn_refusal,
)
from rules.lateness import refuse_late_reason
from store import snapshot
from store.migrate import add_missing_columns
from store.engine import database_url, dispose_engine, engine_for, normalise_url
from store.outbox import OutboxMail
from store.schema import (
    AssignmentRow,
    ComplaintRow,
    ComplimentRow,
    CostRow,
    HistoryRow,
    OmbudsmanRow,
    OutboxRow,
    RefusalRow,
    StageRow,
    SuspensionRow,
    metadata,
)

__all__ = ["AFTER_THE_WORKFLOW", "NotAfterTheWorkflow", "OutboxMail", "RecordStore", "database_url"]

log = logging.getLogger(__name__)

OPEN_STATUSES = ("open", "suspended", "discontinued")
CLOSED_STATUSES = ("closed", "withdrawn")

complaints: Table = ComplaintRow.__table__  # type: ignore[assignment]
stages: Table = StageRow.__table__  # type: ignore[assignment]
assignments: Table = AssignmentRow.__table__  # type: ignore[assignment]
suspensions: Table = SuspensionRow.__table__  # type: ignore[assignment]
history: Table = HistoryRow.__table__  # type: ignore[assignment]
outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
compliments: Table = ComplimentRow.__table__  # type: ignore[assignment]
ombudsman: Table = OmbudsmanRow.__table__  # type: ignore[assignment]
costs: Table = CostRow.__table__  # type: ignore[assignment]
refusals: Table = RefusalRow.__table__  # type: ignore[assignment]

# Replaced wholesale from each snapshot; the order matters only for readability.
CHILD_TABLES = (
    (stages, snapshot.stage_rows),
    (assignments, snapshot.assignment_rows),
    (suspensions, snapshot.suspension_rows),
    (history, snapshot.history_rows),
    (ombudsman, snapshot.ombudsman_rows),
    (costs, snapshot.cost_rows),
)


# Statements built once and run with parameters: a save runs a dozen of them, and
# building each from its values again cost more than SQLite took to run it.
_REVISION_OF = select(complaints.c.revision).where(complaints.c.ref == bindparam("ref"))
_UNSENT_OF = select(outbox).where(outbox.c.ref == bindparam("ref"),
                                  outbox.c.key.in_(bindparam("keys", expanding=True)), outbox.c.sent_at.is_(None))
_MARK_SENT = (update(outbox)
              .where(outbox.c.ref == bindparam("of_ref"), outbox.c.key == bindparam("of_key"),
                     outbox.c.sent_at.is_(None))
              .values(sent_at=bindparam("at"), claimed_until=None, last_error=None))
# Mail delivery may take now: not sent, not failed, its time to try come, nobody holding it.
_DELIVERABLE = (outbox.c.channel == "email", outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None),
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= bindparam("now")),
                or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < bindparam("now")))
_DUE_MAIL = (select(outbox.c.ref, outbox.c.key).where(*_DELIVERABLE)
             .order_by(outbox.c.created_at, outbox.c.ref, outbox.c.event_at, outbox.c.key)
             .limit(bindparam("limit")))
_CLAIM_DUE = (update(outbox)
              .where(tuple_(outbox.c.ref, outbox.c.key).in_(_DUE_MAIL), *_DELIVERABLE)
              .values(claimed_until=bindparam("until"))
              .returning(*outbox.c))
_DELETE_CHILDREN = {table.name: delete(table).where(table.c.ref == bindparam("ref")) for table, _ in CHILD_TABLES}


def _unsent(conn: Connection, ref: str, keys: list[str]) -> list[OutboxMail]:
    if not keys:
        return []
    rows = conn.execute(_UNSENT_OF, {"ref": ref, "keys": list(keys)}).all()
    by_key = {row.key: snapshot.mail_from_row(row) for row in rows}
    return [by_key[key] for key in dict.fromkeys(keys) if key in by_key]


def _dialect_module(dialect: str):
    return postgresql if dialect == "postgresql" else sqlite


@functools.cache
def _complaint_upsert(dialect: str):
    """Insert the complaint, or update it unless the stored revision is newer."""
    statement = _dialect_module(dialect).insert(complaints)
    changes = {c.name: statement.excluded[c.name] for c in complaints.columns if c.name != "ref"}
    newer = complaints.c.revision <= statement.excluded["revision"]
    return statement.on_conflict_do_update(index_elements=["ref"], set_=changes, where=newer)


@functools.cache
def _outbox_insert(dialect: str):
    # Conflict on (ref, key) only: a clash of message ids between two different
    # notices is a bug and must fail loudly, not drop a letter.
    return _dialect_module(dialect).insert(outbox).on_conflict_do_nothing(index_elements=["ref", "key"])


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _as_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


@dataclass(frozen=True)
class _Ended:
    policy: str
    received: date      # in Europe/London, as the workflow reads it
    today: date


class NotAfterTheWorkflow(Exception):
    """The store cannot take an action itself: it does not hold the complaint, or the
    complaint is not archived, so its workflow (which would overwrite the rows) may be alive."""


class RecordStore:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = engine_for(self.url)

    def create_schema(self) -> None:
        """Create any missing table, and add any missing column; safe to run on every start."""
        metadata.create_all(self.engine)
        add_missing_columns(self.engine)

    def close(self) -> None:
        dispose_engine(self.url)

    # -- writing ------------------------------------------------------------------

    def save(self, state: ComplaintState, mails: list[OutboxMail]) -> list[OutboxMail]:
        """Record the complaint as the snapshot has it, and queue its new mail, atomically.

        A retried activity calls this again with the same snapshot: the rows come out the
        same and each mail is queued once. Mail already in the outbox is never rewritten,
        so what was (or is about to be) sent stays what the record says was sent.

        Returns the mail of this batch still to be sent, as the outbox holds it (read in
        the same transaction: the activity's next step needs it every time).
        """
        for mail in mails:
            if mail.ref != state.ref:
                raise ValueError(f"mail {mail.key} belongs to {mail.ref}, not {state.ref}")
        now = _now()
        with self.engine.begin() as conn:
            # The upsert comes first: on PostgreSQL it locks this complaint's row, so two
            # saves of one complaint run one after the other instead of colliding on the
            # children's keys.
            self._upsert_complaint(conn, snapshot.complaint_row(state, now))
            stored = conn.execute(_REVISION_OF, {"ref": state.ref}).scalar_one()
            # A slow earlier attempt finishing after a newer save must not roll the record
            # back; its mail is still queued (each mail once).
            if stored == state.revision:
                for table, rows_of in CHILD_TABLES:
                    conn.execute(_DELETE_CHILDREN[table.name], {"ref": state.ref})
                    rows = rows_of(state)
                    if rows:
                        conn.execute(insert(table), rows)
            queued = self._queue_mail(conn, [snapshot.outbox_row(m, now) for m in mails])
            unsent = _unsent(conn, state.ref, [m.key for m in mails])
        log.debug("saved complaint %s (status %s, stage %s), %d new mail(s) queued",
                 state.ref, state.status, state.stage, queued)
        return unsent

    def _upsert_complaint(self, conn: Connection, row: dict[str, Any]) -> None:
        dialect = conn.dialect.name
        if dialect in ("postgresql", "sqlite"):
            conn.execute(_complaint_upsert(dialect), row)
            return
        found = conn.execute(
            select(complaints.c.ref).where(complaints.c.ref == row["ref"]).with_for_update()
        ).first()
        if found:
            conn.execute(
                update(complaints)
                .where(complaints.c.ref == row["ref"], complaints.c.revision <= row["revision"])
                .values(row)
            )
        else:
            conn.execute(insert(complaints).values(row))

    def _queue_mail(self, conn: Connection, rows: list[dict[str, Any]]) -> int:
        """Insert the mail not yet in the outbox; return how many were new."""
        queued = 0
        dialect = conn.dialect.name
        for row in rows:
            if dialect in ("postgresql", "sqlite"):
                queued += conn.execute(_outbox_insert(dialect), row).rowcount
            else:
                present = conn.execute(
                    select(outbox.c.key).where(outbox.c.ref == row["ref"],
                                               outbox.c.key == row["key"])
                ).first()
                if not present:
                    conn.execute(insert(outbox).values(row))
                    queued += 1
        return queued

    def mark_sent(self, ref: str, key: str, at: datetime) -> None:
        """Record delivery; the first delivery time stands if the step runs twice."""
        with self.engine.begin() as conn:
            conn.execute(_MARK_SENT, {"of_ref": ref, "of_key": key, "at": at})

    # -- delivery (notifications.delivery) -----------------------------------------

    def claim_mail(self, now: datetime, hold_until: datetime, limit: int = 20) -> list[OutboxMail]:
        """Take up to ``limit`` letters due to be sent, oldest first, holding each until
        ``hold_until`` so no other delivery sends it meanwhile (one statement: the outer
        condition is checked again on each row, so two deliveries never take the same)."""
        with self.engine.begin() as conn:
            rows = conn.execute(_CLAIM_DUE, {"now": now, "until": hold_until, "limit": limit}).all()
        rows.sort(key=lambda r: (r.created_at, r.ref, r.event_at, r.key))
        return [snapshot.mail_from_row(row) for row in rows]

    def release(self, ref: str, key: str) -> None:
        """Let go of a letter taken and not sent (delivery stopping): due again at once."""
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.ref == ref, outbox.c.key == key, outbox.c.sent_at.is_(None))
                         .values(claimed_until=None))

    def postpone(self, ref: str, key: str, until: datetime, error: str) -> None:
        """A try that failed for now (the server down, busy, or slow): try again at ``until``."""
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.ref == ref, outbox.c.key == key, outbox.c.sent_at.is_(None))
                         .values(attempts=outbox.c.attempts + 1, next_attempt_at=until, last_error=error,
                                 claimed_until=None))

    def mark_failed(self, ref: str, key: str, at: datetime, reason: str) -> None:
        """A letter that cannot go (refused for good): kept, with why, and not tried again."""
        with self.engine.begin() as conn:
            conn.execute(update(outbox).where(outbox.c.ref == ref, outbox.c.key == key, outbox.c.sent_at.is_(None))
                         .values(attempts=outbox.c.attempts + 1, failed_at=at, failure=reason, claimed_until=None))

    def failed_mail(self, ref: str) -> list[OutboxMail]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.ref == ref, outbox.c.sent_at.is_(None),
                                                     outbox.c.failed_at.is_not(None))
                                .order_by(outbox.c.event_at, outbox.c.key)).all()
        return [snapshot.mail_from_row(row) for row in rows]

    def requeue(self, mail: OutboxMail) -> bool:
        """A failed letter to be tried again, written afresh (its template mended); False
        if it is no longer failed. A letter still unwritable stays failed, with the new reason."""
        values = dict(subject=mail.subject, text_body=mail.text_body, html_body=mail.html_body, pdf=mail.pdf,
                      attempts=0, next_attempt_at=None, last_error=None, claimed_until=None,
                      failed_at=_now() if mail.failure else None, failure=mail.failure)
        with self.engine.begin() as conn:
            return bool(conn.execute(update(outbox).where(
                outbox.c.ref == mail.ref, outbox.c.key == mail.key, outbox.c.sent_at.is_(None),
                outbox.c.failed_at.is_not(None)).values(**values)).rowcount)

    def next_delivery_at(self) -> datetime | None:
        """When the earliest letter waiting for another try is due (None: none waits)."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.min(outbox.c.next_attempt_at)).where(
                outbox.c.channel == "email", outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None))).scalar()

    def letters_in_trouble(self) -> dict[str, tuple[int, int]]:
        """For each complaint with any: (letters waiting after a failed try, letters failed)."""
        stuck = func.sum(case((outbox.c.failed_at.is_(None) & (outbox.c.attempts > 0), 1), else_=0))
        failed = func.sum(case((outbox.c.failed_at.is_not(None), 1), else_=0))
        query = (select(outbox.c.ref, stuck, failed)
                 .where(outbox.c.sent_at.is_(None), or_(outbox.c.attempts > 0, outbox.c.failed_at.is_not(None)))
                 .group_by(outbox.c.ref))
        with self.engine.connect() as conn:
            return {ref: (int(w), int(f)) for ref, w, f in conn.execute(query)}

    def undelivered(self) -> int:
        """How many letters to go by email are neither sent nor failed."""
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(outbox).where(
                outbox.c.channel == "email", outbox.c.sent_at.is_(None), outbox.c.failed_at.is_(None))).scalar_one()

    # -- the print queue (letters by post) ------------------------------------------

    def print_queue(self) -> list[dict[str, Any]]:
        """Letters by post not yet printed (with their batch, once taken), oldest first; no PDFs."""
        query = (select(outbox.c.ref, outbox.c.key, outbox.c.kind, outbox.c.stage, outbox.c.event_at,
                        outbox.c.print_batch)
                 .where(outbox.c.channel == "post", outbox.c.printed_at.is_(None), outbox.c.failed_at.is_(None))
                 .order_by(outbox.c.created_at, outbox.c.ref, outbox.c.event_at, outbox.c.key))
        with self.engine.connect() as conn:
            return [_as_dict(r) for r in conn.execute(query)]

    def take_print_batch(self) -> tuple[int, list[OutboxMail]]:
        """Every letter waiting to be printed and in no batch yet, numbered as the next batch
        (0 and nothing when none waits); a batch taken again gives the same letters."""
        waiting = (outbox.c.channel == "post", outbox.c.printed_at.is_(None), outbox.c.failed_at.is_(None),
                   outbox.c.print_batch.is_(None))
        with self.engine.begin() as conn:
            number = (conn.execute(select(func.max(outbox.c.print_batch))).scalar() or 0) + 1
            taken = conn.execute(update(outbox).where(*waiting).values(print_batch=number)).rowcount
        return (number, self.print_batch(number)) if taken else (0, [])

    def print_batch(self, number: int) -> list[OutboxMail]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(outbox).where(outbox.c.print_batch == number)
                                .order_by(outbox.c.ref, outbox.c.event_at, outbox.c.key)).all()
        return [snapshot.mail_from_row(row) for row in rows]

    def mark_printed(self, number: int, at: datetime) -> int:
        """The batch is printed (and posted): its letters count as sent; returns how many."""
        with self.engine.begin() as conn:
            return conn.execute(update(outbox).where(outbox.c.print_batch == number, outbox.c.printed_at.is_(None))
                                .values(printed_at=at, sent_at=at)).rowcount

    def add_compliment(self, received: date, team: str, officer: str | None, text: str) -> None:
        """A compliment about staff; refused (``Refused``) when a field cannot be kept."""
        _refuse_field(compliment_problem(received, team, officer, text, None, future=True))
        with self.engine.begin() as conn:
            conn.execute(insert(compliments).values(
                received=received, team=team, officer=officer, text=text))

    def add_refusal(self, ref: str, policy: str, received: date, refused_at: datetime, reason: str,
                    action: str = "register") -> bool:
        """Record a refused registration; False when this very refusal is already on record.

        Asking again with the same refused complaint, or running a scenario again on a
        kept database, is still one refused complaint, not two.
        """
        key = {"ref": ref, "policy": policy, "received": received, "action": action, "reason": reason}
        with self.engine.begin() as conn:
            same = conn.execute(
                select(refusals.c.id).where(*(refusals.c[name] == value for name, value in key.items()))
            ).first()
            if same is not None:
                return False
            conn.execute(insert(refusals).values(**key, refused_at=refused_at))
        return True

    # -- after the complaint's workflow has ended ----------------------------------
    #
    # Each runs in one transaction that first raises the complaint's revision: that locks
    # its row (two clerks cannot both pass "no open referral"), and the higher revision
    # keeps any older snapshot of the workflow from rolling the record back. A refusal
    # (``Refused``, in the workflow's words) rolls everything back. A field no row could
    # hold (models.field_checks) is refused before the transaction, as the rules refuse it.

    def record_ombudsman_referral(self, ref: str, req: a.ReferToOmbudsman, now: datetime) -> date:
        """Returns the day recorded as referred."""
        _refuse_field(request_problem("refer_to_ombudsman", req, london(now).date()))
        with self.engine.begin() as conn:
            it = self._ended_complaint(conn, ref, now)
            referrals = _rows(conn, ombudsman, ref, ombudsman.c.seq)
            _refuse(referral_refusal(req, referrals, it.received, it.today))
            day, _ = dated(req.on, it.today, it.received, "a referral")
            conn.execute(insert(ombudsman).values(ref=ref, seq=_next_seq(conn, ombudsman, ref), referred=day))
            _log(conn, ref, now, "refer_to_ombudsman", fmt(day), by=req.by)
        return day

    def record_ombudsman_decision(self, ref: str, req: a.OmbudsmanDecision, now: datetime) -> date:
        """Returns the day recorded as decided."""
        _refuse_field(request_problem("ombudsman_decision", req, london(now).date()))
        with self.engine.begin() as conn:
            it = self._ended_complaint(conn, ref, now)
            referrals = _rows(conn, ombudsman, ref, ombudsman.c.seq)
            _refuse(decision_refusal(req, referrals, it.received, it.today))
            day, _ = dated(req.on, it.today, it.received, "a decision")
            waiting = open_referral(referrals)
            conn.execute(
                update(ombudsman)
                .where(ombudsman.c.ref == ref, ombudsman.c.seq == waiting.seq)
                .values(decided=day, result=req.result, remedy_gbp=req.remedy_gbp)
            )
            _log(conn, ref, now, "ombudsman_decision", req.result, by=req.by)
        return day

    def record_cost(self, ref: str, req: a.RecordCost, now: datetime) -> date:
        """Returns the day the cost was recorded as incurred.

        Whether the procedure has the stage is read from its policy file as it is now
        (the version the complaint started with is in its workflow's history, which
        Temporal no longer keeps once it has ended); the stages the complaint reached
        are in the record.
        """
        _refuse_field(request_problem("record_cost", req, london(now).date()))
        with self.engine.begin() as conn:
            it = self._ended_complaint(conn, ref, now)
            reached = set(conn.execute(select(stages.c.stage).where(stages.c.ref == ref)).scalars())
            _refuse(cost_refusal(req, reached, load_policy(it.policy).last_stage, it.received, it.today))
            day, _ = dated(req.on, it.today, it.received, "a cost")
            conn.execute(insert(costs).values(ref=ref, seq=_next_seq(conn, costs, ref), stage=req.stage, on=day,
                                              item=req.item, amount_gbp=req.amount_gbp))
            _log(conn, ref, now, "record_cost", f"stage {req.stage} {req.item}", by=req.by)
        return day

    def record_learning(self, ref: str, req: a.SubmitLearning, now: datetime) -> int:
        """A lessons-learnt form for the latest stage awaiting one; returns that stage."""
        _refuse_field(request_problem("submit_learning", req, london(now).date()))
        with self.engine.begin() as conn:
            it = self._ended_complaint(conn, ref, now)
            answered = _rows(conn, stages, ref, stages.c.stage)
            _refuse(learning_refusal(answered))
            stage = awaiting_learning(answered).stage
            conn.execute(
                update(stages)
                .where(stages.c.ref == ref, stages.c.stage == stage)
                .values(learning_submitted=it.today, learning_text=req.text)
            )
            _log(conn, ref, now, "submit_learning", f"stage {stage}", by=req.by)
        return stage

    def record_late_reason(self, ref: str, req: a.LateReason, now: datetime) -> int:
        """Why a stage's late response was late (a second one replaces the first); returns
        the stage. Unlike the others, taken for a withdrawn complaint too: the rule allows
        it, as the annual report counts why responses were late whatever came after."""
        _refuse_field(request_problem("late_reason", req, london(now).date()))
        with self.engine.begin() as conn:
            self._ended_complaint(conn, ref, now, withdrawn_too=True)
            current = conn.execute(select(complaints.c.stage).where(complaints.c.ref == ref)).scalar_one()
            kept = [SimpleNamespace(stage=s.stage, responded=s.responded, on_time=s.on_time, due=s.due)
                    for s in _rows(conn, stages, ref, stages.c.stage)]
            # The workflow's own check, on the stages as the store keeps them (it reads nothing else).
            as_kept: Any = SimpleNamespace(state=SimpleNamespace(stage=current, stages=kept))
            _refuse(refuse_late_reason(as_kept, req, now))
            stage = req.stage if req.stage is not None else current
            conn.execute(update(stages).where(stages.c.ref == ref, stages.c.stage == stage)
                         .values(late_reason=req.reason, late_note=req.note))
            _log(conn, ref, now, "late_reason", f"stage {stage}: {req.reason}", by=req.by)
        return stage

    def _ended_complaint(self, conn: Connection, ref: str, now: datetime, *, withdrawn_too: bool = False) -> _Ended:
        """Lock the complaint for an action after its workflow; what the checks need of it."""
        raised = conn.execute(
            update(complaints).where(complaints.c.ref == ref)
            .values(revision=complaints.c.revision + 1, updated_at=now)
        ).rowcount
        if not raised:
            raise NotAfterTheWorkflow(f"the record store holds no complaint {ref}")
        record = conn.execute(
            select(complaints.c.policy, complaints.c.status, complaints.c.withdrawn_on,
                   complaints.c.archived, complaints.c.received).where(complaints.c.ref == ref)
        ).one()
        if record.status == "withdrawn":
            if not withdrawn_too:
                raise Refused(withdrawn_refusal(record.withdrawn_on))
        elif not record.archived:
            raise NotAfterTheWorkflow(
                f"complaint {ref} is {record.status} and not archived in the record store: "
                "its workflow keeps the record, so act through the engine")
        return _Ended(record.policy, london(record.received).date(), london(now).date())

    # -- reading ------------------------------------------------------------------

    def exists(self, ref: str) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(
                select(complaints.c.ref).where(complaints.c.ref == ref)
            ).first() is not None

    def complaint(self, ref: str) -> dict[str, Any] | None:
        """The complaint's record with its stages (each with its suspensions),
        assignments and history, oldest first."""
        with self.engine.connect() as conn:
            found = conn.execute(select(complaints).where(complaints.c.ref == ref)).first()
            if found is None:
                return None
            record = _as_dict(found)

            def children(table: Table, *order: Any) -> list[dict[str, Any]]:
                rows = conn.execute(select(table).where(table.c.ref == ref).order_by(*order))
                return [_as_dict(r) for r in rows]

            held = children(suspensions, suspensions.c.stage, suspensions.c.seq)
            record["stages"] = children(stages, stages.c.stage)
            for stage in record["stages"]:
                stage["suspensions"] = [s for s in held if s["stage"] == stage["stage"]]
            record["assignments"] = children(assignments, assignments.c.seq)
            record["history"] = children(history, history.c.seq)
            record["ombudsman"] = children(ombudsman, ombudsman.c.seq)
            record["costs"] = children(costs, costs.c.seq)
        return record

    def open_complaints(self, today: date) -> list[dict[str, Any]]:
        """Complaints still being handled, with the current stage's due date.

        Overdue ones come first, then by due date; a suspended clock has no due date
        and comes last. Only a running clock can be overdue: a complaint discontinued
        for proceedings waits on the court, not on the officer. ``today`` is passed in
        because simulated time is not the machine's clock.
        """
        query = (
            select(
                complaints.c.ref, complaints.c.policy, complaints.c.status,
                complaints.c.stage, complaints.c.received, complaints.c.service_area,
                stages.c.officer, stages.c.due, stages.c.extended_due,
            )
            .select_from(complaints)
            .outerjoin(stages, (stages.c.ref == complaints.c.ref)
                       & (stages.c.stage == complaints.c.stage))
            .where(complaints.c.status.in_(OPEN_STATUSES))
        )
        with self.engine.connect() as conn:
            rows = [_as_dict(r) for r in conn.execute(query)]
        for row in rows:
            row["overdue"] = (row["status"] == "open" and row["due"] is not None
                              and row["due"] < today)
        rows.sort(key=lambda r: (not r["overdue"], r["due"] is None, r["due"] or date.max,
                                 r["ref"]))
        return rows

    def find_complaints(
        self,
        today: date,
        *,
        which: str = "open",
        overdue: bool = False,
        due_by: date | None = None,
        due_by_policy: Mapping[str, date] | None = None,
        officer: str | None = None,
        stage: int | None = None,
        policy: str | None = None,
        search: str | None = None,
    ) -> list[dict[str, Any]]:
        """The complaints a team works from, in one query whatever the filters (they combine).

        ``which``: "open" (still being handled: open, suspended, discontinued), "closed"
        (closed and withdrawn) or "all". ``overdue``: only a running clock (open, not
        answered) past its due date. ``due_by``: only a running clock due on or before that
        day, overdue ones included; ``due_by_policy`` gives another day for the complaints of
        a named policy (its own closure days move the Nth working day). ``officer``: the
        current stage's officer. ``search``: a reference starting with it, or a complainant's
        name holding it, either ignoring case; the name is only looked in, never returned.

        Each row has the complaint's ref, policy, status, stage, received, closed_on,
        withdrawn_on, and its current stage's officer, due, responded and outcome, with
        ``overdue`` and ``answered`` (the response's day while the complaint stays open).
        Overdue ones come first, then running clocks by due date, then the rest (suspended,
        answered, discontinued), then closed ones latest first; ties by reference.
        ``today`` is passed in because simulated time is not the machine's clock.
        """
        if which not in ("open", "closed", "all"):
            raise ValueError(f"which: {which!r} is not open, closed or all")
        running = (complaints.c.status == "open") & stages.c.responded.is_(None) & stages.c.due.is_not(None)
        late = running & (stages.c.due < bindparam("today", type_=Date()))
        ended = func.coalesce(complaints.c.closed_on, complaints.c.withdrawn_on)
        query = (
            select(
                complaints.c.ref, complaints.c.policy, complaints.c.status, complaints.c.stage,
                complaints.c.received, complaints.c.closed_on, complaints.c.withdrawn_on,
                stages.c.officer, stages.c.due, stages.c.responded, stages.c.outcome,
                case((late, 1), else_=0).label("late"),
            )
            .select_from(complaints)
            .outerjoin(stages, (stages.c.ref == complaints.c.ref) & (stages.c.stage == complaints.c.stage))
            .order_by(case((late, 0), (running, 1), else_=2), case((running, stages.c.due), else_=None),
                      case((ended.is_(None), 0), else_=1), ended.desc(), complaints.c.ref)
        )
        if which == "open":
            query = query.where(complaints.c.status.in_(OPEN_STATUSES))
        elif which == "closed":
            query = query.where(complaints.c.status.in_(CLOSED_STATUSES))
        if overdue:
            query = query.where(late)
        if due_by is not None:
            limit: Any = bindparam("due_by", due_by, type_=Date())
            if due_by_policy:
                limit = case(*((complaints.c.policy == name, bindparam(f"due_by_{i}", day, type_=Date()))
                               for i, (name, day) in enumerate(sorted(due_by_policy.items()))), else_=limit)
            query = query.where(running, stages.c.due <= limit)
        if officer is not None:
            query = query.where(stages.c.officer == officer)
        if stage is not None:
            query = query.where(complaints.c.stage == stage)
        if policy is not None:
            query = query.where(complaints.c.policy == policy)
        words = (search or "").strip()
        with self.engine.connect() as conn:
            if words and conn.dialect.name == "sqlite":
                # SQLite's own lower() knows only ASCII: fold case as Python does (Éva, éva).
                conn.connection.driver_connection.create_function(
                    "complaints_casefold", 1, _casefold, deterministic=True)
                folded, ref, name = words.casefold(), func.complaints_casefold(complaints.c.ref), \
                    func.complaints_casefold(complaints.c.complainant_name)
                query = query.where(or_(ref.startswith(folded, autoescape=True),
                                        name.contains(folded, autoescape=True)))
            elif words:
                query = query.where(or_(complaints.c.ref.istartswith(words, autoescape=True),
                                        complaints.c.complainant_name.icontains(words, autoescape=True)))
            rows = [_as_dict(r) for r in conn.execute(query, {"today": today})]
        for row in rows:
            row["overdue"] = bool(row.pop("late"))
            row["answered"] = row["responded"] if row["status"] == "open" else None
        return rows

    def unsent(self, ref: str, keys: list[str]) -> list[OutboxMail]:
        """The mail among ``keys`` not yet delivered, in the order of ``keys``."""
        with self.engine.connect() as conn:
            return _unsent(conn, ref, keys)

    def all_unsent(self) -> list[OutboxMail]:
        """Every undelivered mail, oldest queued first (for a sweep after a crash)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox).where(outbox.c.sent_at.is_(None)).order_by(
                    outbox.c.created_at, outbox.c.ref, outbox.c.event_at, outbox.c.key)
            ).all()
        return [snapshot.mail_from_row(row) for row in rows]

    def sent_mail(self, ref: str) -> list[dict[str, Any]]:
        """All of the complaint's mail, by the time of the event it reports, with sent_at."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox).where(outbox.c.ref == ref).order_by(
                    outbox.c.event_at, outbox.c.created_at, outbox.c.key)
            )
            return [_as_dict(r) for r in rows]

    def compliments(self, since: date | None = None, until: date | None = None
                    ) -> list[dict[str, Any]]:
        """Compliments received in [since, until], oldest first (for the annual report)."""
        query = select(compliments).order_by(compliments.c.received, compliments.c.id)
        if since is not None:
            query = query.where(compliments.c.received >= since)
        if until is not None:
            query = query.where(compliments.c.received <= until)
        with self.engine.connect() as conn:
            return [_as_dict(r) for r in conn.execute(query)]

    def refusals(self, since: date | None = None, until: date | None = None) -> list[dict[str, Any]]:
        """Refused registrations of complaints received in [since, until], oldest first."""
        query = select(refusals).order_by(refusals.c.received, refusals.c.id)
        if since is not None:
            query = query.where(refusals.c.received >= since)
        if until is not None:
            query = query.where(refusals.c.received <= until)
        with self.engine.connect() as conn:
            return [_as_dict(r) for r in conn.execute(query)]


# The actions the record store takes itself once a complaint's workflow has ended (the
# Ombudsman, costs and late forms come when they come), with the workflow's own checks:
# `complaints` and `simulate` both send these here then, and nothing else.
AFTER_THE_WORKFLOW = {
    "refer_to_ombudsman": RecordStore.record_ombudsman_referral,
    "ombudsman_decision": RecordStore.record_ombudsman_decision,
    "record_cost": RecordStore.record_cost,
    "submit_learning": RecordStore.record_learning,
    "late_reason": RecordStore.record_late_reason,
}


def _casefold(text: str | None) -> str | None:
    return text.casefold() if isinstance(text, str) else text


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise Refused(reason)


def _refuse_field(problem: object | None) -> None:
    """A field no row could hold, refused before anything is written, in the rules' words."""
    if problem is not None:
        raise Refused(str(problem))


def _rows(conn: Connection, table: Table, ref: str, order: Any) -> list[Any]:
    return list(conn.execute(select(table).where(table.c.ref == ref).order_by(order)))


def _next_seq(conn: Connection, table: Table, ref: str) -> int:
    return (conn.execute(select(func.max(table.c.seq)).where(table.c.ref == ref)).scalar() or 0) + 1


def _log(conn: Connection, ref: str, now: datetime, action: str, detail: str, by: str | None = None) -> None:
    conn.execute(insert(history).values(ref=ref, seq=_next_seq(conn, history, ref), at=london(now),
                                        action=action, detail=detail, by=by))
