"""Words for the engine's codes, one table for every place a person reads them: the web
app's pages and the annual report say "Partially upheld", "Online form", "Upheld: fault
and injustice" alike, never `partially_upheld`.
"""

from __future__ import annotations

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
