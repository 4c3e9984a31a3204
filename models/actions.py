"""One small input record per action (each is a workflow Update named as the action).

The names follow the contracts' catalogue (docs/contracts.md), so a scenario's
``do: extend`` and ``complaints extend`` reach the same Update, ``extend``. Each record
ends with ``by``: who did it (the signed-in person, or the user who ran the command;
None where nobody said), kept in the complaint's history beside the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from models.complaint import Complainant, Officer


@dataclass
class Registration:
    """Everything needed to start a complaint's workflow (its id is ``ref``)."""

    ref: str
    policy: str
    received: datetime                       # timezone-aware
    complainant: Complainant
    officers: list[Officer]                  # the council's directory at registration
    complaints_team_email: str
    channel: str | None = None
    service_area: str | None = None
    reasons: list[str] = field(default_factory=list)
    child: str | None = None
    matter_date: date | None = None
    late_accepted: bool = False
    late_reason: str | None = None
    by: str | None = None


@dataclass
class Assign:
    officer: str
    # The council's directory as the caller knows it now, so an officer who joined
    # after registration can be assigned. None keeps the complaint's copy.
    officers: list[Officer] | None = None
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class Extend:
    reason: str
    new_due: date | None = None
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class Suspend:
    reason: str
    detail: str | None = None
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class Resume:
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class Respond:
    outcome: str
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None
    # Why a late response was late: a code from the council's list (council/late_reasons.py),
    # and a note. A late response given without one is taken, and kept as "not recorded".
    late_reason: str | None = None
    late_note: str | None = None
    # The council's list of codes as the sender read it (None: the list shipped with the engine).
    late_reasons: list[str] | None = None
    # The stage 2 investigating officer's recommendations, one short text each.
    recommendations: list[str] = field(default_factory=list)


@dataclass
class LateReason:
    """Why a stage's late response was late, said after the response was recorded."""

    reason: str
    note: str | None = None
    stage: int | None = None                 # None: the current stage
    late_reasons: list[str] | None = None    # as on Respond
    by: str | None = None


@dataclass
class SubmitLearning:
    text: str | None = None
    by: str | None = None


@dataclass
class Escalate:
    reason: str
    late_accepted: bool = False
    late_reason: str | None = None
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class AppointIndependentPerson:
    name: str
    by: str | None = None


@dataclass
class PanelHeld:
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class PanelReport:
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class Discontinue:
    reason: str
    detail: str | None = None
    by: str | None = None


@dataclass
class ProceedingsEnded:
    on: date
    by: str | None = None


@dataclass
class Resubmit:
    late_accepted: bool = False
    late_reason: str | None = None
    by: str | None = None


@dataclass
class Withdraw:
    reason: str | None = None
    on: date | None = None                   # the day it happened (default: today)
    by: str | None = None


@dataclass
class ReferToOmbudsman:
    on: date | None = None                   # default: today
    by: str | None = None


@dataclass
class OmbudsmanDecision:
    result: str
    remedy_gbp: float | None = None
    on: date | None = None
    by: str | None = None


@dataclass
class RecordCost:
    stage: int
    item: str
    amount_gbp: float
    on: date | None = None
    by: str | None = None


# The action name (as in scenarios and on the command line) -> its input record.
ACTIONS: dict[str, type] = {
    "assign": Assign,
    "reassign": Assign,
    "extend": Extend,
    "suspend": Suspend,
    "resume": Resume,
    "respond": Respond,
    "late_reason": LateReason,
    "submit_learning": SubmitLearning,
    "escalate": Escalate,
    "appoint_independent_person": AppointIndependentPerson,
    "panel_held": PanelHeld,
    "panel_report": PanelReport,
    "discontinue": Discontinue,
    "proceedings_ended": ProceedingsEnded,
    "resubmit": Resubmit,
    "withdraw": Withdraw,
    "refer_to_ombudsman": ReferToOmbudsman,
    "ombudsman_decision": OmbudsmanDecision,
    "record_cost": RecordCost,
}
