"""The success banner after an action, in words, read from the complaint as the record
store holds it once the action is done: "Sam Patel is investigating. We emailed them.",
"The new due date is Monday 14 December 2026.", "The clock has stopped.", "on time".

The banner is HTML (it may link to the next thing to do): every name in it is escaped.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from markupsafe import Markup, escape

from cli.complaint_status import calendar_of, timeliness
from models.complaint import Officer
from policies import PolicyError, load_policy
from rules.calendar import months_later
from web.actions_open import current_stage
from web.formats import long_date, pounds
from web.labels import label, late_reason_words

TOLD = "We have written to the complainant to tell them."


def _name(officer_id: str | None, officers: list[Officer]) -> str:
    for o in officers:
        if o.id == officer_id:
            return o.name
    return officer_id or "The officer"


def _due(record: dict) -> str:
    due = current_stage(record).get("due")
    return f"It is due {long_date(due)}." if due else ""


def _answered(record: dict) -> str:
    """How the stage just answered was answered: "on time" or "N working days late"."""
    stage = current_stage(record)
    if stage.get("responded") is None:
        return ""
    st = SimpleNamespace(received=record["received"], policy=record["policy"],
                         policy_version=record["policy_version"])
    return timeliness(SimpleNamespace(**stage), calendar_of(st, until=stage["responded"]))


def _resubmit_by(record: dict) -> str:
    ended = record.get("proceedings_ended")
    try:
        months = load_policy(record["policy"]).resubmission_window_months
    except PolicyError:
        return ""
    return f" The complainant may resubmit it until {long_date(months_later(ended, months))}." if ended else ""


def _cost(record: dict, request: Any) -> str:
    total = sum(c["amount_gbp"] or 0 for c in record.get("costs", []) if c["stage"] == request.stage)
    return (f"Cost of {pounds(request.amount_gbp)} recorded. Stage {request.stage} has cost "
            f"{pounds(total)} so far.")


def banner(action: str, record: dict, request: Any, officers: list[Officer]) -> Markup:
    """The words for the banner after ``action``, from the complaint as it now stands."""
    ref = record["ref"]
    stage = current_stage(record)
    match action:
        case "assign":
            words = f"{_name(request.officer, officers)} is investigating. We emailed them."
        case "reassign":
            words = (f"{_name(request.officer, officers)} takes over. Due date unchanged"
                     + (f": {long_date(stage.get('due'))}." if stage.get("due") else "."))
        case "extend":
            words = f"The new due date is {long_date(stage.get('due'))}. {TOLD}"
        case "suspend":
            words = f"The clock has stopped. {TOLD}"
        case "resume":
            words = f"The clock has restarted. The new due date is {long_date(stage.get('due'))}. {TOLD}"
        case "respond":
            words = f"Response recorded for stage {stage['stage']}: {_answered(record)}."
            if stage.get("responding_officer") and stage.get("learning_submitted") is None:
                # The officer who answered owes the lessons-learnt form: offer it now.
                link = Markup('<a class="govuk-notification-banner__link" href="/complaints/{}/submit-learning">'
                              'Fill in the lessons-learnt form</a>').format(ref)
                return Markup("{} {}").format(words, link)
        case "late-reason":
            said = request.stage or record["stage"]
            words = f"Why the stage {said} response was late is recorded: {late_reason_words(request.reason)}."
        case "submit-learning":
            words = "The lessons-learnt form is in. The complaint is off the list of forms awaited."
        case "escalate":
            words = f"Stage {record['stage']} has started. {_due(record)} {TOLD}".replace("  ", " ")
        case "appoint-independent-person":
            words = f"{stage.get('independent_person') or request.name} is the independent person. {TOLD}"
        case "panel-held":
            words = f"Panel meeting recorded. Its recommendations are due {long_date(stage.get('due'))}."
        case "panel-report":
            words = f"The panel's recommendations are in. The final response is due {long_date(stage.get('due'))}."
        case "discontinue":
            words = ("The complaint is discontinued. "
                     "We have written to the complainant about their right to resubmit it.")
        case "proceedings-ended":
            words = f"The proceedings ended on {long_date(record.get('proceedings_ended'))}.{_resubmit_by(record)}"
        case "resubmit":
            words = f"The complaint is open again at stage {record['stage']}. {_due(record)}"
        case "withdraw":
            words = "The complaint is withdrawn. We have sent the complainant a confirmation."
        case "refer-to-ombudsman":
            words = "The referral to the Ombudsman is recorded."
        case "ombudsman-decision":
            words = f"The Ombudsman's decision is recorded: {label('ombudsman_result', request.result)}."
        case "record-cost":
            words = _cost(record, request)
        case _:
            words = "Done."
    return escape(words.strip())
