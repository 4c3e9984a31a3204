"""The record store's service: save a complaint's snapshot with its mail, and read it back.

Every method is synchronous; activities call it through ``asyncio.to_thread`` (or as
sync activities) so the event loop never waits on the database.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Connection, Table, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from models.complaint import ComplaintState
from store import snapshot
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
    StageRow,
    SuspensionRow,
    metadata,
)

__all__ = ["OutboxMail", "RecordStore", "database_url"]

log = logging.getLogger(__name__)

OPEN_STATUSES = ("open", "suspended", "discontinued")

complaints: Table = ComplaintRow.__table__  # type: ignore[assignment]
stages: Table = StageRow.__table__  # type: ignore[assignment]
assignments: Table = AssignmentRow.__table__  # type: ignore[assignment]
suspensions: Table = SuspensionRow.__table__  # type: ignore[assignment]
history: Table = HistoryRow.__table__  # type: ignore[assignment]
outbox: Table = OutboxRow.__table__  # type: ignore[assignment]
compliments: Table = ComplimentRow.__table__  # type: ignore[assignment]
ombudsman: Table = OmbudsmanRow.__table__  # type: ignore[assignment]
costs: Table = CostRow.__table__  # type: ignore[assignment]

# Replaced wholesale from each snapshot; the order matters only for readability.
CHILD_TABLES = (
    (stages, snapshot.stage_rows),
    (assignments, snapshot.assignment_rows),
    (suspensions, snapshot.suspension_rows),
    (history, snapshot.history_rows),
    (ombudsman, snapshot.ombudsman_rows),
    (costs, snapshot.cost_rows),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _as_dict(row: Any) -> dict[str, Any]:
    return dict(row._mapping)


class RecordStore:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = engine_for(self.url)

    def create_schema(self) -> None:
        """Create any missing table; safe to run on every start."""
        metadata.create_all(self.engine)

    def close(self) -> None:
        dispose_engine(self.url)

    # -- writing ------------------------------------------------------------------

    def save(self, state: ComplaintState, mails: list[OutboxMail]) -> None:
        """Record the complaint as the snapshot has it, and queue its new mail, atomically.

        A retried activity calls this again with the same snapshot: the rows come out the
        same and each mail is queued once. Mail already in the outbox is never rewritten,
        so what was (or is about to be) sent stays what the record says was sent.
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
            stored = conn.execute(select(complaints.c.revision).where(complaints.c.ref == state.ref)).scalar_one()
            # A slow earlier attempt finishing after a newer save must not roll the record
            # back; its mail is still queued (each mail once).
            if stored == state.revision:
                for table, rows_of in CHILD_TABLES:
                    conn.execute(delete(table).where(table.c.ref == state.ref))
                    rows = rows_of(state)
                    if rows:
                        conn.execute(insert(table), rows)
            queued = self._queue_mail(conn, [snapshot.outbox_row(m, now) for m in mails])
        log.debug("saved complaint %s (status %s, stage %s), %d new mail(s) queued",
                 state.ref, state.status, state.stage, queued)

    def _upsert_complaint(self, conn: Connection, row: dict[str, Any]) -> None:
        dialect = conn.dialect.name
        if dialect in ("postgresql", "sqlite"):
            module = postgresql if dialect == "postgresql" else sqlite
            statement = module.insert(complaints).values(row)
            changes = {name: statement.excluded[name] for name in row if name != "ref"}
            newer = complaints.c.revision <= statement.excluded["revision"]
            conn.execute(statement.on_conflict_do_update(index_elements=["ref"], set_=changes, where=newer))
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
                module = postgresql if dialect == "postgresql" else sqlite
                # Conflict on (ref, key) only: a clash of message ids between two different
                # notices is a bug and must fail loudly, not drop a letter.
                statement = module.insert(outbox).values(row).on_conflict_do_nothing(
                    index_elements=["ref", "key"]
                )
                queued += conn.execute(statement).rowcount
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
            conn.execute(
                update(outbox)
                .where(outbox.c.ref == ref, outbox.c.key == key, outbox.c.sent_at.is_(None))
                .values(sent_at=at)
            )

    def add_compliment(self, received: date, team: str, officer: str | None, text: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(insert(compliments).values(
                received=received, team=team, officer=officer, text=text))

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

    def unsent(self, ref: str, keys: list[str]) -> list[OutboxMail]:
        """The mail among ``keys`` not yet delivered, in the order of ``keys``."""
        if not keys:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox).where(outbox.c.ref == ref, outbox.c.key.in_(keys),
                                     outbox.c.sent_at.is_(None))
            ).all()
        by_key = {row.key: snapshot.mail_from_row(row) for row in rows}
        return [by_key[key] for key in dict.fromkeys(keys) if key in by_key]

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
