"""The state of one complaint, as the workflow holds it and the record store keeps it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

COMPLAINANT_TYPES = (
    "child", "child_with_advocate", "parent", "family_member", "foster_carer",
    "special_guardian", "adopter", "professional", "other",
)
OUTCOMES = ("upheld", "partially_upheld", "not_upheld", "no_finding")
ESCALATION_REASONS = ("late_response", "no_response", "no_actions", "disagree")
SUSPENSION_REASONS = ("court_proceedings", "police_investigation", "other")
STATUSES = ("open", "suspended", "closed", "withdrawn", "discontinued")
# The Ombudsman's decisions, in the seed report's categories.
OMBUDSMAN_RESULTS = (
    "premature", "closed_after_initial_enquiries", "not_upheld",
    "upheld_fault_and_injustice", "upheld_fault_no_injustice", "upheld_remedied_already",
)
WRITE_BY = ("email", "post")
COST_ITEMS = ("investigator", "independent_person", "panel", "other")

# Who a notification is for, besides an officer id.
COMPLAINANT = "complainant"
COMPLAINTS_TEAM = "complaints_team"



class NoticeKind(StrEnum):
    """Every letter and notice the rules can send (docs/procedures.md, section 4).

    Each has a subject and templates (notifications/render.py, notifications/templates/);
    the tests render every kind for every procedure and complainant, so a kind added here
    without its templates fails there, not in a complainant's letter.
    """

    ACKNOWLEDGEMENT = "acknowledgement"
    UNASSIGNED_ALERT = "unassigned_alert"
    ASSIGNMENT = "assignment"
    HANDOVER = "handover"
    REASSIGNMENT_NOTICE = "reassignment_notice"
    DUE_SOON = "due_soon"
    DUE_TODAY = "due_today"
    OVERDUE = "overdue"
    ESCALATION = "escalation"
    DELAY_LETTER = "delay_letter"
    EXTENSION_LETTER = "extension_letter"
    SUSPENSION_LETTER = "suspension_letter"
    RESUMPTION_LETTER = "resumption_letter"
    DISCONTINUATION_LETTER = "discontinuation_letter"
    RESPONSE_ISSUED = "response_issued"
    STAGE2_ACKNOWLEDGEMENT = "stage2_acknowledgement"
    STAGE3_ACKNOWLEDGEMENT = "stage3_acknowledgement"
    INDEPENDENT_PERSON_LETTER = "independent_person_letter"
    PANEL_HELD_LETTER = "panel_held_letter"
    PANEL_REPORT_LETTER = "panel_report_letter"
    LEARNING_REMINDER = "learning_reminder"
    WITHDRAWAL_CONFIRMATION = "withdrawal_confirmation"


# Stage 3's three clocks, in the order they run.
PANEL_MEETING, PANEL_REPORT, FINAL_RESPONSE = "panel_meeting", "panel_report", "final_response"


@dataclass
class Officer:
    id: str
    name: str
    email: str
    manager: str | None = None


@dataclass
class Complainant:
    name: str
    email: str | None       # None (or empty) for someone who complained by letter or telephone
    type: str
    # A postal address, one line per line of the envelope, the postcode last.
    address: str | None = None
    # How the council writes to them: "email" or "post" (None: by email when there is one).
    write_by: str | None = None

    @property
    def by_post(self) -> bool:
        return self.write_by == "post" or not self.email


@dataclass
class Suspension:
    on: date
    reason: str
    days_left: int                # working days left when it stopped (0 when already overdue)
    resumed: date | None = None
    # The due date when the clock stopped (rulebook 2): resuming moves it later by the
    # working days the clock was stopped, so a suspension never erases lateness.
    due: date | None = None


@dataclass
class Assignment:
    stage: int
    officer: str
    at: datetime
    replaced_officer: str | None = None


@dataclass
class StageRecord:
    """One stage of the complaint: its clock, who handles it and how it ended."""

    stage: int
    requested_at: datetime
    start_day: date
    working_days: int
    due: date | None                 # None while the clock is suspended
    original_due: date
    officer: str | None = None
    request_reason: str | None = None          # why the complainant asked for this stage
    late_accepted_reason: str | None = None
    extended_due: date | None = None
    extension_reason: str | None = None
    suspended_on: date | None = None
    days_left: int | None = None
    suspensions: list[Suspension] = field(default_factory=list)
    responded: date | None = None
    responding_officer: str | None = None
    outcome: str | None = None                 # an OUTCOMES value, or "no_response"
    on_time: bool | None = None
    # A late response: why (a code of the council's list; None: not recorded), and a note.
    late_reason: str | None = None
    late_note: str | None = None
    # The investigating officer's recommendations, with the stage 2 response.
    recommendations: list[str] = field(default_factory=list)
    independent_person: str | None = None
    # Stage 3: which clock runs, and whether each clock reached so far was met.
    clock: str | None = None
    clocks_met: list[bool] = field(default_factory=list)
    panel_held: date | None = None
    panel_report: date | None = None
    # Lessons learnt (stages with an officer).
    learning_submitted: date | None = None
    learning_text: str | None = None
    learning_reminders_sent: int = 0


@dataclass
class Discontinuation:
    on: date
    reason: str
    stage: int
    proceedings_ended: date | None = None
    resubmitted: date | None = None


@dataclass
class OmbudsmanReferral:
    referred: date
    decided: date | None = None
    result: str | None = None               # an OMBUDSMAN_RESULTS value
    remedy_gbp: float | None = None


@dataclass
class Cost:
    """What stage 2 or 3 cost the council: investigator and panel fees, by date."""

    stage: int
    on: date
    item: str                               # a COST_ITEMS value
    amount_gbp: float


@dataclass
class SentNotice:
    """What the complaint has sent (for `complaints status`); the mail itself is in the outbox."""

    key: str
    stage: int
    kind: str
    to: str
    at: datetime
    due: date | None


@dataclass
class HistoryEntry:
    at: datetime
    action: str
    detail: str = ""
    by: str | None = None           # who did it (None: the engine itself, or not said)


@dataclass
class ComplaintState:
    ref: str
    policy: str
    policy_version: int
    received: datetime
    complainant: Complainant
    channel: str | None = None
    service_area: str | None = None
    reasons: list[str] = field(default_factory=list)
    child: str | None = None
    matter_date: date | None = None
    late_accepted_reason: str | None = None
    status: str = "open"
    stage: int = 1
    stages: list[StageRecord] = field(default_factory=list)
    assignments: list[Assignment] = field(default_factory=list)
    discontinuation: Discontinuation | None = None
    closed_on: date | None = None
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = None
    ombudsman: list[OmbudsmanReferral] = field(default_factory=list)
    costs: list[Cost] = field(default_factory=list)
    sent: list[SentNotice] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    # Chasing already done up to and including this day (so nothing is sent twice).
    chased_through: date | None = None
    # Closed and past the window in which a late request could reopen it.
    archived: bool = False
    # Raised by each write to the record store, so an older snapshot never overwrites a newer one.
    revision: int = 0
    # The version of the rulebook the complaint was registered under (rules.complaint.RULES_VERSION):
    # a complaint keeps the rules it started with, as it keeps its policy and calendar.
    rules_version: int = 1

    @property
    def current(self) -> StageRecord:
        return self.stages[-1]


@dataclass
class Notice:
    """A notification the complaint decided to send; the activity renders and mails it.

    ``key`` is unique within the complaint and is the outbox's idempotency key together
    with the reference: the same notice is never mailed twice.
    """

    key: str
    ref: str
    stage: int
    kind: NoticeKind
    to: str                 # an officer id, COMPLAINANT or COMPLAINTS_TEAM
    to_name: str
    to_email: str
    at: datetime            # Europe/London, with its UTC offset
    due: date | None
    details: dict[str, str] = field(default_factory=dict)
