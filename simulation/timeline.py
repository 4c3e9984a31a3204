"""The lines of a simulation's timeline (docs/contracts.md, "The timeline").

Notification lines are read from the mail the SMTP server received, through the
machine headers every message carries: each line is a mail that really arrived.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from email.message import Message
from typing import Any

from models.complaint import ComplaintState
from rules.complaint import london


def _moment(at: datetime) -> dict[str, str]:
    at = london(at)
    return {"at": at.isoformat(timespec="seconds"), "date": at.date().isoformat(), "time": at.strftime("%H:%M")}


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def notification_line(message: Message) -> dict[str, Any]:
    at = datetime.fromisoformat(message["X-Notification-At"])
    return {
        "event": "notification",
        **_moment(at),
        "ref": message["X-Complaint-Ref"],
        "stage": int(message["X-Complaint-Stage"]),
        "kind": message["X-Notification-Kind"],
        "to": message["X-Notification-Recipient"],
        "due": message["X-Notification-Due"] or None,
    }


def notification_lines(messages: list[Message]) -> dict[str, list[dict[str, Any]]]:
    """Each complaint's notifications in the order of their moments (ties by kind, then recipient)."""
    by_ref: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in messages:
        line = notification_line(message)
        by_ref[line["ref"]].append(line)
    for lines in by_ref.values():
        lines.sort(key=lambda line: (line["at"], line["kind"], line["to"]))
    return by_ref


def rejected_line(ref: str, at: datetime, action: str, error: str) -> dict[str, Any]:
    return {"event": "rejected", **_moment(at), "ref": ref, "do": action, "error": error}


def summary_line(state: ComplaintState) -> dict[str, Any]:
    return {
        "event": "summary",
        "ref": state.ref,
        "policy": state.policy,
        "status": state.status,
        "stage": state.stage,
        "stages": [
            {
                "stage": s.stage,
                "start_day": _day(s.start_day),
                "due": _day(s.due),
                "responded": _day(s.responded),
                "on_time": s.on_time,
                "outcome": s.outcome,
            }
            for s in state.stages
        ],
    }
