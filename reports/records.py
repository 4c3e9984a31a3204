"""What the report reads from the record store, and nothing more.

Only the columns the report counts are read (no names, no addresses), a table at a
time, and joined here by reference: five years of a large county is a few hundred
thousand small rows, which Python counts faster than the round trips of a query per
figure would take.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, inspect, literal, select

from rules.complaint import LONDON
from store.record_store import RecordStore, complaints, compliments, costs, history, ombudsman, refusals, stages


@dataclass(slots=True)
class StageFacts:
    stage: int
    requested: date | None
    due: date | None
    extended: bool
    responded: date | None
    outcome: str | None
    on_time: bool | None
    request_reason: str | None
    learning_submitted: date | None
    learning_text: str | None
    # A late response: the council's reason (None: not recorded) and the officer's note.
    late_reason: str | None = None
    late_note: str | None = None
    recommendations: list[str] = field(default_factory=list)   # stage 2's investigating officer's


@dataclass(slots=True)
class ComplaintFacts:
    ref: str
    policy: str
    received: date                 # the day in Europe/London
    complainant_type: str
    service_area: str | None
    reasons: list[str]
    status: str
    closed_on: date | None
    withdrawn_on: date | None
    stages: list[StageFacts] = field(default_factory=list)
    channel: str | None = None     # how the complaint arrived (email, letter, phone, ...)

    def stage(self, number: int) -> StageFacts | None:
        for s in self.stages:
            if s.stage == number:
                return s
        return None


@dataclass(slots=True)
class Referral:
    ref: str
    policy: str
    referred: date
    decided: date | None
    result: str | None
    remedy_gbp: float | None


@dataclass(slots=True)
class CostFacts:
    ref: str
    policy: str
    stage: int
    on: date
    item: str
    amount_gbp: float


@dataclass(slots=True)
class Compliment:
    received: date
    team: str
    officer: str | None
    text: str


@dataclass(slots=True)
class Refusal:
    ref: str
    policy: str
    received: date
    reason: str


@dataclass(frozen=True)
class Coverage:
    """The dates the record store holds: from the first complaint it received to the last day
    anything was recorded (a complaint received or any step of one), whatever the report's year."""

    first: date | None = None
    last: date | None = None

    @property
    def empty(self) -> bool:
        return self.first is None


@dataclass
class Records:
    complaints: list[ComplaintFacts]
    referrals: list[Referral]
    costs: list[CostFacts]
    compliments: list[Compliment]
    refusals: list[Refusal]
    coverage: Coverage = field(default_factory=Coverage)


def _day(moment: datetime | None) -> date | None:
    return None if moment is None else moment.astimezone(LONDON).date()


def read_records(store: RecordStore, until: date) -> Records:
    """Everything received (or referred, incurred, refused) up to ``until``."""
    # Hundreds of thousands of small objects that all live until the report is written:
    # the cyclic collector would walk them again and again for nothing.
    gc.disable()
    try:
        return _read(store, until)
    finally:
        gc.enable()


def _kept(conn, table, *names: str) -> list:
    """The columns ``names`` of ``table``, or NULL for those a store made before them lacks
    (the report reads a store as it is: only a worker or a command that writes adds them)."""
    have = {c["name"] for c in inspect(conn).get_columns(table.name)}
    return [table.c[name] if name in have else literal(None).label(name) for name in names]


def _read(store: RecordStore, until: date) -> Records:
    with store.engine.connect() as conn:
        by_ref: dict[str, ComplaintFacts] = {}
        rows = conn.execute(select(
            complaints.c.ref, complaints.c.policy, complaints.c.received,
            complaints.c.complainant_type, complaints.c.service_area, complaints.c.reasons,
            complaints.c.status, complaints.c.closed_on, complaints.c.withdrawn_on,
            *_kept(conn, complaints, "channel"),
        ).order_by(complaints.c.ref))
        for ref, policy, received_at, kind, area, reasons, status, closed_on, withdrawn_on, channel in rows:
            received = _day(received_at)
            if received is None or received > until:
                continue
            by_ref[ref] = ComplaintFacts(ref, policy, received, kind, area, list(reasons or []), status,
                                         closed_on, withdrawn_on, channel=channel)
        rows = conn.execute(select(
            stages.c.ref, stages.c.stage, stages.c.requested_at, stages.c.start_day, stages.c.due,
            stages.c.extended_due, stages.c.responded, stages.c.outcome, stages.c.on_time,
            stages.c.request_reason, stages.c.learning_submitted, stages.c.learning_text,
            *_kept(conn, stages, "late_reason", "late_note", "recommendations"),
        ).order_by(stages.c.ref, stages.c.stage))
        for (ref, number, requested_at, start_day, due, extended_due, responded, outcome, on_time,
             request_reason, learning_submitted, learning_text, late_reason, late_note, recommended) in rows:
            owner = by_ref.get(ref)
            if owner is None:
                continue
            owner.stages.append(StageFacts(
                number, _day(requested_at) or start_day, due, extended_due is not None, responded,
                outcome, on_time, request_reason, learning_submitted, learning_text,
                late_reason, late_note, list(recommended or [])))
        policy_of = {ref: c.policy for ref, c in by_ref.items()}
        referrals = [
            Referral(r.ref, policy_of[r.ref], r.referred, r.decided, r.result, r.remedy_gbp)
            for r in conn.execute(select(ombudsman).order_by(ombudsman.c.referred, ombudsman.c.ref))
            if r.ref in policy_of and r.referred <= until
        ]
        spent = [
            CostFacts(r.ref, policy_of[r.ref], r.stage, r.on, r.item, float(r.amount_gbp))
            for r in conn.execute(select(costs).order_by(costs.c.on, costs.c.ref, costs.c.seq))
            if r.ref in policy_of and r.on <= until
        ]
        praised = [
            Compliment(r.received, r.team, r.officer, r.text)
            for r in conn.execute(select(compliments).where(compliments.c.received <= until)
                                  .order_by(compliments.c.received, compliments.c.id))
        ]
        refused = _refusals(conn, until)
        covered = _coverage(conn)
    return Records(list(by_ref.values()), referrals, spent, praised, refused, covered)


def _coverage(conn) -> Coverage:
    first, last_received = conn.execute(select(func.min(complaints.c.received), func.max(complaints.c.received))).one()
    if first is None:
        return Coverage()
    last_step = conn.execute(select(func.max(history.c.at))).scalar()
    last = max(d for d in (_day(last_received), _day(last_step)) if d is not None)
    return Coverage(_day(first), last)


def _refusals(conn, until: date) -> list[Refusal]:
    # A store made before refusals were recorded has no such table: nothing was recorded.
    if not inspect(conn).has_table(refusals.name):
        return []
    return [
        Refusal(r.ref, r.policy, r.received, r.reason)
        for r in conn.execute(select(refusals.c.ref, refusals.c.policy, refusals.c.received, refusals.c.reason)
                              .where(refusals.c.received <= until).order_by(refusals.c.received, refusals.c.ref))
    ]
