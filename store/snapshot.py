"""Turn the workflow's ComplaintState into the rows of the record store."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from models.complaint import ComplaintState

from store.outbox import OutboxMail

Row = dict[str, Any]


def asdict(record: Any) -> Row:
    """The record's fields, one level deep: every field here is a plain value (the
    lists inside are turned into rows of their own), so the deep copy that
    ``dataclasses.asdict`` makes would be thrown away."""
    return {f.name: getattr(record, f.name) for f in fields(record)}


def complaint_row(state: ComplaintState, now: datetime) -> Row:
    stopped = state.discontinuation
    return {
        "ref": state.ref,
        "policy": state.policy,
        "policy_version": state.policy_version,
        "received": state.received,
        "channel": state.channel,
        "complainant_type": state.complainant.type,
        "complainant_name": state.complainant.name,
        "complainant_email": state.complainant.email or "",
        "complainant_address": state.complainant.address,
        "complainant_write_by": "post" if state.complainant.by_post else "email",
        "service_area": state.service_area,
        "reasons": list(state.reasons),
        "child": state.child,
        "matter_date": state.matter_date,
        "late_accepted_reason": state.late_accepted_reason,
        "status": state.status,
        "stage": state.stage,
        "closed_on": state.closed_on,
        "withdrawn_on": state.withdrawn_on,
        "withdrawal_reason": state.withdrawal_reason,
        "discontinued_on": stopped.on if stopped else None,
        "discontinuation_reason": stopped.reason if stopped else None,
        "discontinued_stage": stopped.stage if stopped else None,
        "proceedings_ended": stopped.proceedings_ended if stopped else None,
        "resubmitted": stopped.resubmitted if stopped else None,
        "chased_through": state.chased_through,
        "archived": state.archived,
        "revision": state.revision,
        "updated_at": now,
    }


def stage_rows(state: ComplaintState) -> list[Row]:
    rows = []
    for record in state.stages:
        row = asdict(record)
        row.pop("suspensions")          # a table of their own
        row["ref"] = state.ref
        row["clocks_met"] = list(record.clocks_met)
        row["recommendations"] = list(record.recommendations)
        rows.append(row)
    return rows


def suspension_rows(state: ComplaintState) -> list[Row]:
    return [
        {"ref": state.ref, "stage": record.stage, "seq": seq, **asdict(suspension)}
        for record in state.stages
        for seq, suspension in enumerate(record.suspensions, start=1)
    ]


def assignment_rows(state: ComplaintState) -> list[Row]:
    return [
        {"ref": state.ref, "seq": seq, **asdict(assignment)}
        for seq, assignment in enumerate(state.assignments, start=1)
    ]


def history_rows(state: ComplaintState) -> list[Row]:
    return [
        {"ref": state.ref, "seq": seq, **asdict(entry)}
        for seq, entry in enumerate(state.history, start=1)
    ]


def ombudsman_rows(state: ComplaintState) -> list[Row]:
    return [{"ref": state.ref, "seq": seq, **asdict(r)} for seq, r in enumerate(state.ombudsman, start=1)]


def cost_rows(state: ComplaintState) -> list[Row]:
    return [{"ref": state.ref, "seq": seq, **asdict(c)} for seq, c in enumerate(state.costs, start=1)]


def outbox_row(mail: OutboxMail, now: datetime) -> Row:
    # A letter that could not be written is stored failed: delivery leaves it alone.
    failed_at = now if mail.failure else None
    return {**asdict(mail), "created_at": now, "sent_at": None, "failed_at": failed_at, "attempts": 0}


def mail_from_row(row: Any) -> OutboxMail:
    return OutboxMail(
        ref=row.ref, key=row.key, stage=row.stage, kind=row.kind, recipient=row.recipient,
        to_name=row.to_name, to_email=row.to_email, event_at=row.event_at, due=row.due,
        subject=row.subject, text_body=row.text_body, html_body=row.html_body,
        message_id=row.message_id, notice=row.notice, failure=row.failure, attempts=row.attempts or 0,
        channel=row.channel or "email", pdf=getattr(row, "pdf", None),
    )
