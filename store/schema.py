"""The record store's tables: a projection of `models.complaint.ComplaintState`.

They hold what procedures.md section 5 asks councils to record for the annual report,
plus the outbox of mail. The workflow's snapshot is the truth; these rows are rewritten
from it on every save, so the columns mirror the dataclasses' field names. Once a
complaint's workflow has ended, what still comes later (the Ombudsman, costs, a late
lessons-learnt form) is written to its rows directly (``RecordStore.record_*``).
Compliments and refused registrations are not complaints: they have tables of their own.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """A moment in time, always timezone-aware when read back, on every backend.

    PostgreSQL keeps the instant in a ``timestamptz``; SQLite has no such type and
    SQLAlchemy would silently drop the offset, so we store naive UTC there and put the
    UTC zone back on the way out. Naive datetimes are refused: a complaint received at
    "10:00" without a zone could be either side of midnight in UTC, which moves a deadline.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"timestamp without a time zone: {value.isoformat()}")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSONB on PostgreSQL so reports can query inside lists (reasons) with an index later.
JSONList = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class ComplaintRow(Base):
    __tablename__ = "complaints"

    ref: Mapped[str] = mapped_column(String(64), primary_key=True)
    policy: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    # Indexed: the web app's lists page through complaints newest first.
    received: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    complainant_type: Mapped[str] = mapped_column(String(32))
    complainant_name: Mapped[str] = mapped_column(Text)
    complainant_email: Mapped[str] = mapped_column(Text)
    complainant_address: Mapped[str | None] = mapped_column(Text)          # a postal address, if given
    complainant_write_by: Mapped[str | None] = mapped_column(String(16))   # "email" or "post"
    service_area: Mapped[str | None] = mapped_column(Text)
    reasons: Mapped[list[str]] = mapped_column(JSONList, default=list)
    child: Mapped[str | None] = mapped_column(Text)
    matter_date: Mapped[date | None] = mapped_column(Date)
    late_accepted_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    closed_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)
    discontinued_on: Mapped[date | None] = mapped_column(Date)
    discontinuation_reason: Mapped[str | None] = mapped_column(Text)
    discontinued_stage: Mapped[int | None] = mapped_column(Integer)
    proceedings_ended: Mapped[date | None] = mapped_column(Date)
    resubmitted: Mapped[date | None] = mapped_column(Date)
    # Kept so a complaint can be rebuilt from the store without chasing anyone twice.
    chased_through: Mapped[date | None] = mapped_column(Date)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def _complaint_ref() -> Mapped[str]:
    # Children go when the complaint goes; save() replaces them itself.
    return mapped_column(
        String(64), ForeignKey("complaints.ref", ondelete="CASCADE"), primary_key=True
    )


class StageRow(Base):
    __tablename__ = "stages"
    # The web app's queues: unanswered stages by due date (overdue, due soon), without
    # reading every stage ever recorded.
    __table_args__ = (Index("ix_stages_responded_due", "responded", "due"),)

    ref: Mapped[str] = _complaint_ref()
    stage: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    start_day: Mapped[date] = mapped_column(Date)
    working_days: Mapped[int] = mapped_column(Integer)
    due: Mapped[date | None] = mapped_column(Date)      # NULL while suspended
    original_due: Mapped[date] = mapped_column(Date)
    extended_due: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    officer: Mapped[str | None] = mapped_column(String(64))
    request_reason: Mapped[str | None] = mapped_column(String(64))  # the escalation reason
    late_accepted_reason: Mapped[str | None] = mapped_column(Text)
    suspended_on: Mapped[date | None] = mapped_column(Date)
    days_left: Mapped[int | None] = mapped_column(Integer)
    responded: Mapped[date | None] = mapped_column(Date)
    responding_officer: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str | None] = mapped_column(String(32))
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    # A late response: why (a code of the council's list; NULL: not recorded), and a note.
    late_reason: Mapped[str | None] = mapped_column(String(64))
    late_note: Mapped[str | None] = mapped_column(Text)
    # The stage 2 investigating officer's recommendations (NULL in a store made before them).
    recommendations: Mapped[list[str] | None] = mapped_column(JSONList, default=list)
    independent_person: Mapped[str | None] = mapped_column(Text)
    clock: Mapped[str | None] = mapped_column(String(32))
    clocks_met: Mapped[list[bool]] = mapped_column(JSONList, default=list)
    panel_held: Mapped[date | None] = mapped_column(Date)
    panel_report: Mapped[date | None] = mapped_column(Date)
    learning_submitted: Mapped[date | None] = mapped_column(Date)
    learning_text: Mapped[str | None] = mapped_column(Text)
    learning_reminders_sent: Mapped[int] = mapped_column(Integer, default=0)


class AssignmentRow(Base):
    __tablename__ = "assignments"

    ref: Mapped[str] = _complaint_ref()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[int] = mapped_column(Integer)
    officer: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_officer: Mapped[str | None] = mapped_column(String(64))


class SuspensionRow(Base):
    __tablename__ = "suspensions"

    ref: Mapped[str] = _complaint_ref()
    stage: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(64))
    days_left: Mapped[int] = mapped_column(Integer)
    resumed: Mapped[date | None] = mapped_column(Date)


class HistoryRow(Base):
    __tablename__ = "history"

    ref: Mapped[str] = _complaint_ref()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")
    by: Mapped[str | None] = mapped_column(String(200))    # who did it (None: the engine, or not said)


class OmbudsmanRow(Base):
    """Referrals to the Local Government and Social Care Ombudsman, and what it decided."""

    __tablename__ = "ombudsman"

    ref: Mapped[str] = _complaint_ref()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    referred: Mapped[date] = mapped_column(Date)
    decided: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(64))
    remedy_gbp: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))


class CostRow(Base):
    """Stage 2 and 3 costs (investigator, independent person, panel), by date."""

    __tablename__ = "costs"

    ref: Mapped[str] = _complaint_ref()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    stage: Mapped[int] = mapped_column(Integer)
    on: Mapped[date] = mapped_column(Date, index=True)
    item: Mapped[str] = mapped_column(String(32))
    amount_gbp: Mapped[float] = mapped_column(Numeric(12, 2, asdecimal=False))


class OutboxRow(Base):
    """Mail written with the complaint in one transaction; a separate step delivers it."""

    __tablename__ = "outbox"

    ref: Mapped[str] = _complaint_ref()
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    stage: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(64))
    to_name: Mapped[str] = mapped_column(Text)
    to_email: Mapped[str] = mapped_column(Text)
    event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Indexed: delivery looks for unsent mail across all complaints.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Delivery's own bookkeeping (notifications.delivery): tries so far, when to try
    # again, the last error, and who holds the mail while sending it (a lease, so a
    # delivery that died mid-send lets go by itself).
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A letter that cannot go (it could not be written, or the server refused it for
    # good): when, and why. It is not tried again until someone asks (`retry-letters`).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failure: Mapped[str | None] = mapped_column(Text)
    # The notice itself (JSON), so a letter that could not be written can be written
    # again once its template is mended.
    notice: Mapped[str | None] = mapped_column(Text)
    # How the letter goes: "email" (delivery sends it), or "post": its PDF waits in the
    # print queue (`complaints post`) until it is printed, in a numbered batch.
    channel: Mapped[str] = mapped_column(String(16), default="email", server_default="email")
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    print_batch: Mapped[int | None] = mapped_column(Integer)
    printed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ComplimentRow(Base):
    """Compliments about staff, for the annual report (procedures.md section 5)."""

    __tablename__ = "compliments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received: Mapped[date] = mapped_column(Date, index=True)
    team: Mapped[str] = mapped_column(Text)
    officer: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)


class RefusalRow(Base):
    """Complaints whose registration was refused, and why (the Ombudsman's Complaint
    Handling Code asks councils to report them). No complaint exists for them, so the
    reference is the only link to the complainant: nothing personal is kept here."""

    __tablename__ = "refusals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)
    policy: Mapped[str] = mapped_column(String(64))
    received: Mapped[date] = mapped_column(Date, index=True)   # in Europe/London
    refused_at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)


metadata = Base.metadata
