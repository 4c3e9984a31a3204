"""Words for the engine's codes: one table, so a page never shows `court_proceedings`
where a person should read "Court proceedings" (a test fails on any code in a page).
"""

from __future__ import annotations

import re
from datetime import date

from models.complaint import (
    COMPLAINANT_TYPES, COST_ITEMS, ESCALATION_REASONS, OMBUDSMAN_RESULTS, OUTCOMES, STATUSES,
    SUSPENSION_REASONS, NoticeKind,
)

LABELS: dict[str, dict[str, str]] = {
    "complainant_type": {
        "child": "Child or young person", "child_with_advocate": "Child or young person, with an advocate",
        "parent": "Parent", "family_member": "Other family member", "foster_carer": "Foster carer",
        "special_guardian": "Special guardian", "adopter": "Adopter", "professional": "Professional",
        "other": "Someone else",
    },
    "outcome": {"upheld": "Upheld", "partially_upheld": "Partially upheld", "not_upheld": "Not upheld",
                "no_finding": "No finding", "no_response": "No response"},
    "escalation_reason": {
        "late_response": "The response was late", "no_response": "There was no response",
        "no_actions": "What was agreed was not done", "disagree": "They disagree with the response",
    },
    "suspension_reason": {"court_proceedings": "Court proceedings",
                          "police_investigation": "Police investigation", "other": "Other"},
    "status": {"open": "Open", "suspended": "Clock stopped", "closed": "Closed", "withdrawn": "Withdrawn",
               "discontinued": "Discontinued"},
    "ombudsman_result": {
        "premature": "Premature (sent back to the council)",
        "closed_after_initial_enquiries": "Closed after initial enquiries",
        "not_upheld": "Not upheld", "upheld_fault_and_injustice": "Upheld: fault and injustice",
        "upheld_fault_no_injustice": "Upheld: fault, no injustice",
        "upheld_remedied_already": "Upheld: the council had already put it right",
    },
    "cost_item": {"investigator": "Investigating officer", "independent_person": "Independent person",
                  "panel": "Review panel", "other": "Other"},
    "policy": {"children-statutory": "Children's statutory procedure", "corporate": "Corporate procedure",
               "complaint-handling-code": "Complaint Handling Code procedure"},
    "write_by": {"email": "By email", "post": "By post"},
    # How a complaint came (a registration's channel; caseload.texts.CHANNELS and the web forms).
    "channel": {"letter": "Letter", "phone": "Telephone", "email": "Email", "in_person": "In person",
                "online_form": "Online form", "online form": "Online form", "advocate": "Through an advocate"},
    # What a complaint is about (caseload.texts.REASONS; the annual report counts them).
    "reason": {"communication": "Communication", "service_failure": "Service failure",
               "staff_attitude": "Staff attitude", "placement": "Placement",
               "wrong_information": "Wrong information"},
    "notice": {
        NoticeKind.ACKNOWLEDGEMENT: "Acknowledgement", NoticeKind.UNASSIGNED_ALERT: "Not yet assigned",
        NoticeKind.ASSIGNMENT: "Assignment", NoticeKind.HANDOVER: "Handover",
        NoticeKind.REASSIGNMENT_NOTICE: "New investigating officer", NoticeKind.DUE_SOON: "Reminder: due soon",
        NoticeKind.DUE_TODAY: "Reminder: due today", NoticeKind.OVERDUE: "Overdue",
        NoticeKind.ESCALATION: "Escalated to a manager", NoticeKind.DELAY_LETTER: "Apology for the delay",
        NoticeKind.EXTENSION_LETTER: "More time needed", NoticeKind.SUSPENSION_LETTER: "Clock stopped",
        NoticeKind.RESUMPTION_LETTER: "Clock restarted", NoticeKind.DISCONTINUATION_LETTER: "Discontinued",
        NoticeKind.RESPONSE_ISSUED: "Response sent", NoticeKind.STAGE2_ACKNOWLEDGEMENT: "Stage 2 acknowledgement",
        NoticeKind.STAGE3_ACKNOWLEDGEMENT: "Stage 3 acknowledgement",
        NoticeKind.INDEPENDENT_PERSON_LETTER: "Independent person appointed",
        NoticeKind.PANEL_HELD_LETTER: "Review panel held", NoticeKind.PANEL_REPORT_LETTER: "Panel's report",
        NoticeKind.LEARNING_REMINDER: "Reminder: lessons-learnt form",
        NoticeKind.WITHDRAWAL_CONFIRMATION: "Withdrawal confirmed",
    },
}

for _name, _codes in (("complainant_type", COMPLAINANT_TYPES), ("outcome", OUTCOMES),
                      ("escalation_reason", ESCALATION_REASONS), ("suspension_reason", SUSPENSION_REASONS),
                      ("status", STATUSES), ("ombudsman_result", OMBUDSMAN_RESULTS), ("cost_item", COST_ITEMS),
                      ("notice", tuple(NoticeKind))):
    assert set(_codes) <= set(LABELS[_name]), f"every {_name} has its words"


def in_words(text: str, officers=()) -> str:
    """A sentence the rules wrote (for the command line: officer ids, ISO dates, procedure
    names and codes) as a person reads it: officers by name, days as "Tuesday 1 December
    2026", procedures and codes in words, the first letter a capital."""
    from web.formats import long_date

    names = {o.id: o.name for o in officers}
    if names:
        ids = "|".join(re.escape(i) for i in sorted(names, key=len, reverse=True))
        text = re.sub(rf"(?<![\w-])({ids})(?![\w-])", lambda m: names[m.group(1)], text)

    def day(found: re.Match) -> str:
        try:
            return long_date(date.fromisoformat(found.group(0)))
        except ValueError:
            return found.group(0)

    text = re.sub(r"\b\d{4}-\d{2}-\d{2}\b", day, text)
    for code, words in LABELS["policy"].items():
        text = text.replace(f"the {code} procedure", f"the {words}").replace(code, words)
    for kind in ("suspension_reason", "escalation_reason", "outcome", "complainant_type", "ombudsman_result",
                 "cost_item", "status"):
        for code, words in LABELS[kind].items():
            if "_" in code:
                text = re.sub(rf"\b{code}\b", words[:1].lower() + words[1:], text)
    # The council's own reasons for lateness ("staff_capacity": "Staff capacity"), and the
    # command a refusal names for saying why with the response.
    for code in late_reason_codes():
        if "_" in code:
            words = late_reason_words(code)
            text = re.sub(rf"\b{code}\b", words[:1].lower() + words[1:], text)
    text = text.replace(" (respond --late-reason)", "")
    text = text.replace("late_accepted", "accepted late").replace("late_reason", "the reason to accept it late")
    return text[:1].upper() + text[1:]


def _council_late_reasons():
    from council import late_reasons

    try:
        return late_reasons.current()
    except late_reasons.LateReasonsError:
        # A list the council broke is reported where a reason is asked; words for the
        # codes already kept still come from the list shipped with the engine.
        return late_reasons.SHIPPED


def late_reason_codes() -> list[str]:
    return _council_late_reasons().codes


def late_reason_words(code: str | None) -> str:
    """A reason for lateness in the council's words; a code since taken off its list made readable."""
    return _council_late_reasons().words(code)


def label(kind: str, code: str | None) -> str:
    """The words for ``code``; an unknown code is made readable rather than shown raw."""
    if code is None:
        return ""
    found = LABELS.get(kind, {}).get(code)
    if found is not None:
        return found
    return str(code).replace("_", " ").replace("-", " ").capitalize()


def choices(kind: str, codes) -> list[tuple[str, str]]:
    return [(code, label(kind, code)) for code in codes]
