"""Every letter and notice the rules can send is written, for every procedure and every
kind of complainant: the rules are driven through a complaint's whole life, and each
notice they emit is rendered as the family or officer would receive it.

A notice kind added to the rules without its templates fails here, not in a letter.
"""

from __future__ import annotations

from datetime import date

import pytest

from models import actions as a
from models.complaint import COMPLAINANT_TYPES, Complainant, NoticeKind
from notifications.render import SUBJECTS, TEMPLATES, render
from rules.complaint import Complaint
from tests.test_rules import CALENDAR, POLICIES, at, registration

# A life that reaches every kind the procedure allows; an action the procedure refuses
# at that point is skipped (the corporate procedure has no stage 3, the Code no pause).
LIFE = [
    ("2024-03-29", None, None),                                # unassigned alerts
    ("2024-04-02", "assign", a.Assign("io-1")),
    ("2024-04-03", "reassign", a.Assign("io-2")),
    ("2024-04-04", "suspend", a.Suspend("court_proceedings")),
    ("2024-04-05", "resume", a.Resume()),
    ("2024-04-22", "extend", a.Extend("complex")),             # after due_soon, due_today, overdue ...
    ("2024-05-30", "respond", a.Respond("partially_upheld")),  # ... and escalation, delay letter
    ("2024-06-27", "escalate", a.Escalate("disagree")),        # after the learning reminders
    ("2024-07-01", "assign", a.Assign("io-3")),
    ("2024-07-02", "appoint_independent_person", a.AppointIndependentPerson("I Person")),
    ("2024-08-05", "respond", a.Respond("upheld")),
    ("2024-08-06", "escalate", a.Escalate("disagree")),
    ("2024-08-20", "panel_held", a.PanelHeld()),
    ("2024-08-22", "panel_report", a.PanelReport()),
    ("2024-09-02", "respond", a.Respond("not_upheld")),
]
PROCEEDINGS = [
    ("2024-04-02", "assign", a.Assign("io-1")),
    ("2024-04-04", "discontinue", a.Discontinue("court_proceedings")),
    ("2024-06-03", "proceedings_ended", a.ProceedingsEnded(on=date(2024, 5, 31))),
    ("2024-06-04", "resubmit", a.Resubmit()),
    ("2024-06-05", "withdraw", a.Withdraw()),
]


def live(policy: str, complainant_type: str, life) -> list:
    reg = registration("2024-03-27", policy)
    reg.complainant = Complainant("Siân O'Brien-Ng", "sian@example.org", complainant_type)
    complaint, notices = Complaint.register(reg, POLICIES[policy], CALENDAR, at("2024-03-27"))
    for day, action, req in life:
        notices += complaint.advance(at(day))
        if action and complaint.refusal(action, req, at(day)) is None:
            notices += complaint.apply(action, req, at(day))
    return notices + complaint.advance(at("2024-12-31", 18))


def test_every_kind_has_a_subject_and_both_templates():
    assert set(SUBJECTS) == set(NoticeKind)
    for kind in NoticeKind:
        assert (TEMPLATES / f"{kind}.txt").is_file() and (TEMPLATES / f"{kind}.html").is_file(), kind


def test_the_statutory_procedure_can_send_every_kind():
    sent = {n.kind for life in (LIFE, PROCEEDINGS) for n in live("children-statutory", "child", life)}
    assert sent == set(NoticeKind)


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("complainant_type", COMPLAINANT_TYPES)
def test_every_notice_the_rules_send_is_written(policy, complainant_type):
    notices = live(policy, complainant_type, LIFE) + live(policy, complainant_type, PROCEEDINGS)
    assert len({n.kind for n in notices}) >= 10
    for notice in notices:
        mail = render(notice)
        assert notice.ref in mail.subject, notice.kind
        for body in (mail.text, mail.html):
            assert notice.ref in body and "{{" not in body and "None" not in body, notice.kind
        if notice.to == "complainant":
            assert "Siân O&#39;Brien-Ng" in mail.html or "Siân O&#x27;Brien-Ng" in mail.html, notice.kind
            assert "Siân O'Brien-Ng" in mail.text, notice.kind
