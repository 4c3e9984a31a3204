"""The complaint domain model, without Temporal (procedures.md sections 2 to 6).

A complaint is registered with ``Complaint.register`` and driven the way the workflow
drives it: at each moment, whatever fell due first (``advance``), then the action if the
rules allow it (``refusal`` / ``apply``). Actions are taken at 10:00 Europe/London;
chasing happens at 09:00 on working days.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest

from models import actions as a
from models.complaint import COMPLAINANT, COMPLAINTS_TEAM, Complainant, Notice, Officer
from policies import BUILT_IN, load_policy_file
from rules.bank_holidays import days_off
from rules.calendar import WorkingCalendar
from notifications.render import render
from rules import chasing
from rules.complaint import LONDON, RULES_VERSION, Complaint, registration_refusal
from rules.deadlines import due_date

CALENDAR = WorkingCalendar(days_off(2022, 2028))
POLICIES = {name: load_policy_file(BUILT_IN / f"{name}.yaml")
            for name in ("children-statutory", "corporate", "complaint-handling-code")}

# The council's directory: two teams under one head of service; io-3 has no manager.
DIRECTORY = [
    Officer("hos-1", "Head of Service", "hos1@council.example"),
    Officer("tm-1", "Team Manager One", "tm1@council.example", manager="hos-1"),
    Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1"),
    Officer("tm-2", "Team Manager Two", "tm2@council.example", manager="hos-1"),
    Officer("io-2", "Investigating Officer Two", "io2@council.example", manager="tm-2"),
    Officer("io-3", "Investigating Officer Three", "io3@council.example"),
]


def d(text: str) -> date:
    return date.fromisoformat(text)


def at(day: str | date, hour: int = 10) -> datetime:
    """A moment on ``day`` in Europe/London (10:00 unless told)."""
    return datetime.combine(d(day) if isinstance(day, str) else day, time(hour), LONDON)


def registration(received: str = "2024-03-27", policy: str = "children-statutory", **extra) -> a.Registration:
    fields = dict(
        ref="CS-2024-001",
        policy=policy,
        received=at(received),
        complainant=Complainant("A Parent", "parent@example.org", "parent"),
        officers=list(DIRECTORY),
        complaints_team_email="complaints@council.example",
        reasons=["communication"],
    )
    fields.update(extra)
    return a.Registration(**fields)


def register(received: str = "2024-03-27", policy: str = "children-statutory", rules_version: int = RULES_VERSION,
             **extra) -> Complaint:
    complaint, notices = Complaint.register(
        registration(received, policy, **extra), POLICIES[policy], CALENDAR, at(received), rules_version=rules_version
    )
    assert [(n.kind, n.to) for n in notices] == [("acknowledgement", COMPLAINANT)]
    return complaint


def act(complaint: Complaint, action: str, req: object, day: str) -> list[Notice]:
    """As the workflow does it: what fell due before 10:00 on ``day``, then the action."""
    notices = complaint.advance(at(day))
    reason = complaint.refusal(action, req, at(day))
    assert reason is None, f"{action} on {day} was refused: {reason}"
    return notices + complaint.apply(action, req, at(day))


def refused(complaint: Complaint, action: str, req: object, day: str) -> str:
    """The reason ``action`` is refused on ``day``; the complaint is left exactly as it was."""
    complaint.advance(at(day))
    before = asdict(complaint.state)
    reason = complaint.refusal(action, req, at(day))
    assert reason, f"{action} on {day} was allowed"
    assert asdict(complaint.state) == before
    return reason


def sent(notices: list[Notice]) -> list[tuple[str, str, str]]:
    """(day, kind, to) of each notice, in the order sent."""
    return [(n.at.date().isoformat(), n.kind, n.to) for n in notices]


def assigned(received: str = "2024-03-27", officer: str = "io-1", on: str | None = None, **kw) -> Complaint:
    """A stage 1 complaint with an officer assigned on the day it was received (or ``on``)."""
    complaint = register(received, **kw)
    act(complaint, "assign", a.Assign(officer), on or received)
    return complaint


def answered_at_stage_1(responded: str = "2024-04-05", **kw) -> Complaint:
    complaint = assigned(**kw)
    act(complaint, "respond", a.Respond("not_upheld"), responded)
    return complaint


def at_stage_3() -> Complaint:
    """Statutory complaint answered at stages 1 and 2, stage 3 requested on 2 May 2024."""
    complaint = answered_at_stage_1()
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-08")
    act(complaint, "assign", a.Assign("io-2"), "2024-04-08")
    act(complaint, "submit_learning", a.SubmitLearning("stage 1"), "2024-04-08")
    act(complaint, "respond", a.Respond("partially_upheld"), "2024-05-01")
    act(complaint, "submit_learning", a.SubmitLearning("stage 2"), "2024-05-01")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-05-02")
    return complaint


# -- registration -------------------------------------------------------------------------


def test_a_complaint_starts_at_stage_1_with_its_clock_from_the_day_received():
    complaint = register("2024-03-27")
    st = complaint.state
    assert (st.status, st.stage, st.policy, st.policy_version) == ("open", 1, "children-statutory", 1)
    assert st.received.utcoffset() == timedelta(0)  # 27 March 2024 is still GMT
    stage = complaint.stage
    assert (stage.start_day, stage.working_days, stage.due, stage.original_due) == (
        d("2024-03-27"), 10, d("2024-04-12"), d("2024-04-12"))


def test_a_complaint_received_at_the_weekend_before_christmas_is_due_11_january():
    stage = register("2023-12-23").stage
    assert (stage.start_day, stage.due) == (d("2023-12-27"), d("2024-01-11"))


@pytest.mark.parametrize("policy, due", [("corporate", "2024-04-19"), ("complaint-handling-code", "2024-04-12")])
def test_other_procedures_start_their_own_stage_1_clock(policy, due):
    assert register("2024-03-27", policy).stage.due == d(due)


def test_registration_more_than_a_year_after_the_matter_is_refused_unless_accepted_late():
    policy = POLICIES["children-statutory"]
    late = registration("2024-03-27", matter_date=d("2023-02-01"))
    reason = registration_refusal(late, policy)
    assert reason is not None
    assert "2023-02-01" in reason and "more than 12 months" in reason and "late_accepted" in reason

    accepted = registration("2024-03-27", matter_date=d("2023-02-01"), late_accepted=True,
                            late_reason="the child was in hospital")
    assert registration_refusal(accepted, policy) is None
    complaint, _ = Complaint.register(accepted, policy, CALENDAR, at("2024-03-27"))
    assert complaint.state.late_accepted_reason == "the child was in hospital"


def test_accepting_a_complaint_late_needs_the_reason():
    reg = registration("2024-03-27", matter_date=d("2023-02-01"), late_accepted=True)
    assert "needs the reason" in registration_refusal(reg, POLICIES["children-statutory"])


def test_a_matter_within_the_year_is_registered():
    policy = POLICIES["children-statutory"]
    assert registration_refusal(registration("2024-03-27", matter_date=d("2023-03-28")), policy) is None
    assert registration_refusal(registration("2024-03-27", matter_date=d("2024-03-27")), policy) is None


@pytest.mark.parametrize(
    "extra, words",
    [
        (dict(matter_date=date(2024, 4, 1)), "after the complaint was received"),
        (dict(ref="CS 2024 001"), "without spaces"),
        (dict(ref=""), "reference must be given"),
        (dict(received=datetime(2024, 3, 27, 10)), "time zone"),
        (dict(complainant=Complainant("X", "x@example.org", "neighbour")), "complainant type 'neighbour'"),
    ],
)
def test_registration_refusals_say_why(extra, words):
    reg = registration("2024-03-27")
    for key, value in extra.items():
        setattr(reg, key, value)
    assert words in registration_refusal(reg, POLICIES["children-statutory"])


# -- assign and reassign --------------------------------------------------------------------


def test_assign_when_an_officer_is_already_assigned_is_refused():
    complaint = assigned()
    reason = refused(complaint, "assign", a.Assign("io-2"), "2024-03-28")
    assert "already has an investigating officer (io-1)" in reason and "reassign" in reason


def test_reassign_after_the_old_officer_left_the_directory_still_tells_them():
    complaint = assigned()
    newcomer = Officer("io-9", "New Officer", "io9@council.example", manager="tm-1")
    directory_now = [o for o in DIRECTORY if o.id != "io-1"] + [newcomer]
    notices = act(complaint, "reassign", a.Assign("io-9", officers=directory_now), "2024-04-02")
    assert [(n.kind, n.to, n.to_email) for n in notices] == [
        ("handover", "io-9", "io9@council.example"),
        ("reassignment_notice", "io-1", "io1@council.example"),
    ]


def test_reassign_when_no_officer_is_assigned_is_refused():
    reason = refused(register(), "reassign", a.Assign("io-2"), "2024-03-28")
    assert "no investigating officer yet" in reason and "use assign" in reason


@pytest.mark.parametrize("action", ["assign", "reassign"])
def test_an_officer_not_in_the_directory_is_refused(action):
    complaint = register() if action == "assign" else assigned()
    reason = refused(complaint, action, a.Assign("io-99"), "2024-03-28")
    assert "'io-99' is not in the council's directory" in reason


def test_an_officer_who_joined_after_registration_can_be_assigned_with_the_new_directory():
    complaint = register()
    newcomer = Officer("io-9", "New Officer", "io9@council.example", manager="tm-1")
    notices = act(complaint, "assign", a.Assign("io-9", officers=DIRECTORY + [newcomer]), "2024-03-28")
    assert ("2024-03-28", "assignment", "io-9") in sent(notices)
    assert complaint.stage.officer == "io-9"


def test_reassigning_to_the_same_officer_is_refused():
    assert "already the investigating officer" in refused(assigned(), "reassign", a.Assign("io-1"), "2024-03-28")


def test_code_stage_2_needs_someone_other_than_the_stage_1_officer():
    complaint = answered_at_stage_1(policy="complaint-handling-code")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-08")
    reason = refused(complaint, "assign", a.Assign("io-1"), "2024-04-08")
    assert "someone other than the stage 1 officer" in reason
    act(complaint, "assign", a.Assign("io-2"), "2024-04-08")


# -- extend -------------------------------------------------------------------------------------


def test_an_extension_moves_the_due_date_to_day_20_and_writes_to_the_complainant():
    complaint = assigned()
    notices = act(complaint, "extend", a.Extend("complex"), "2024-04-08")
    stage = complaint.stage
    assert (stage.due, stage.extended_due, stage.original_due) == (d("2024-04-26"), d("2024-04-26"), d("2024-04-12"))
    assert stage.extension_reason == "complex"
    letter = notices[-1]
    assert (letter.kind, letter.to, letter.due) == ("extension_letter", COMPLAINANT, d("2024-04-26"))
    assert letter.details["new_due"] == "2024-04-26" and letter.details["reason"] == "complex"


def test_a_council_may_name_an_earlier_new_due_date():
    complaint = assigned()
    act(complaint, "extend", a.Extend("advocate needed", new_due=d("2024-04-19")), "2024-04-08")
    assert complaint.stage.due == d("2024-04-19")


def test_a_second_extension_is_refused():
    complaint = assigned()
    act(complaint, "extend", a.Extend("complex", new_due=d("2024-04-19")), "2024-04-08")
    reason = refused(complaint, "extend", a.Extend("still complex"), "2024-04-10")
    assert "already extended (to 2024-04-19)" in reason and "extended once" in reason


def test_an_extension_beyond_the_maximum_is_refused():
    reason = refused(assigned(), "extend", a.Extend("complex", new_due=d("2024-04-29")), "2024-04-08")
    assert "2024-04-29" in reason and "beyond the furthest" in reason and "2024-04-26" in reason


@pytest.mark.parametrize(
    "new_due, words",
    [("2024-04-12", "not after the current due date"), ("2024-04-20", "not a working day")],
)
def test_an_extension_to_an_impossible_date_is_refused(new_due, words):
    assert words in refused(assigned(), "extend", a.Extend("complex", new_due=d(new_due)), "2024-04-08")


def test_an_extension_needs_a_reason():
    assert "needs a reason" in refused(assigned(), "extend", a.Extend(""), "2024-04-08")


def test_stage_3_cannot_be_extended():
    reason = refused(at_stage_3(), "extend", a.Extend("panel unavailable"), "2024-05-03")
    assert "stage 3" in reason and "cannot be extended" in reason


# -- suspend and resume ---------------------------------------------------------------------------


def test_resume_when_not_suspended_is_refused():
    assert refused(assigned(), "resume", a.Resume(), "2024-04-10") == "the complaint is not suspended"


def test_suspending_twice_is_refused():
    complaint = assigned()
    act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-10")
    reason = refused(complaint, "suspend", a.Suspend("police_investigation"), "2024-04-11")
    assert "already suspended (since 2024-04-10)" in reason


def test_the_complaint_handling_code_refuses_suspension():
    complaint = assigned(policy="complaint-handling-code")
    reason = refused(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-10")
    assert "complaint-handling-code" in reason and "does not allow" in reason and "paused" in reason


def test_a_suspension_reason_must_be_one_of_the_known_reasons():
    assert "not one of" in refused(assigned(), "suspend", a.Suspend("holiday"), "2024-04-10")


def test_suspension_keeps_the_working_days_left_and_resumption_restarts_the_clock():
    """contracts.md: extended to 26 April, suspended 10 April with 12 working days left,
    resumed 13 May: due 30 May (27 May is a bank holiday)."""
    complaint = assigned(on="2024-03-28")
    act(complaint, "extend", a.Extend("complex"), "2024-04-08")
    notices = act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-10")
    stage = complaint.stage
    assert complaint.state.status == "suspended"
    assert (stage.suspended_on, stage.days_left, stage.due) == (d("2024-04-10"), 12, None)
    assert sent(notices)[-1] == ("2024-04-10", "suspension_letter", COMPLAINANT)
    assert notices[-1].details["days_left"] == "12"

    notices = act(complaint, "resume", a.Resume(), "2024-05-13")
    assert complaint.state.status == "open"
    assert complaint.stage.due == d("2024-05-30")
    assert sent(notices) == [("2024-05-13", "resumption_letter", COMPLAINANT)]
    assert notices[0].details["new_due"] == "2024-05-30"
    record = complaint.stage.suspensions
    assert [(s.on, s.resumed, s.days_left, s.reason) for s in record] == [
        (d("2024-04-10"), d("2024-05-13"), 12, "court_proceedings")]


def test_several_suspensions_add_up():
    complaint = assigned()  # due 12 April
    act(complaint, "suspend", a.Suspend("police_investigation"), "2024-04-03")  # 7 left
    act(complaint, "resume", a.Resume(), "2024-04-08")
    assert complaint.stage.due == d("2024-04-17")
    act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-10")  # 5 left
    act(complaint, "resume", a.Resume(), "2024-04-15")
    assert complaint.stage.due == d("2024-04-22")
    assert [s.days_left for s in complaint.stage.suspensions] == [7, 5]


def test_a_suspension_never_erases_lateness():
    complaint = assigned()  # due Friday 12 April 2024
    letter, = act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-17")[-1:]
    # 15, 16 and 17 April: three working days late when the clock stopped.
    assert letter.details["days_late"] == "3" and "days_left" not in letter.details
    letter, = act(complaint, "resume", a.Resume(), "2024-05-13")[-1:]
    # Stopped for the 17 working days from 18 April to 13 May (6 May is a bank holiday):
    # the due date moves from 12 April to 8 May, and on 13 May it is three days late still.
    assert complaint.stage.due == d("2024-05-08")
    assert chasing.overdue_day_number(CALENDAR, complaint.stage.due, d("2024-05-13")) == 3
    assert letter.details["late"] == "yes"


def test_the_rulebooks_example_of_an_overdue_suspension():
    """Due Monday 23 November 2026, suspended Monday 30 November (5 working days late),
    resumed Friday 4 December: due Friday 27 November, still 5 working days late."""
    complaint = assigned(received="2026-11-02", policy="corporate", on="2026-11-02")
    assert complaint.stage.due == d("2026-11-23")
    letter, = act(complaint, "suspend", a.Suspend("police_investigation"), "2026-11-30")[-1:]
    assert letter.details["days_late"] == "5"
    act(complaint, "resume", a.Resume(), "2026-12-04")
    assert complaint.stage.due == d("2026-11-27")
    assert chasing.overdue_day_number(CALENDAR, complaint.stage.due, d("2026-12-04")) == 5


def test_an_overdue_complaint_suspended_resumed_and_extended_is_still_late():
    complaint = assigned()  # due 12 April; extended it could run to 26 April
    act(complaint, "suspend", a.Suspend("other"), "2024-04-17")
    act(complaint, "resume", a.Resume(), "2024-04-19")
    act(complaint, "extend", a.Extend("complex"), "2024-04-19")
    act(complaint, "respond", a.Respond("upheld"), "2024-05-10")
    # 12 April + 2 stopped days (18, 19 April) = 16 April; + 10 = 30 April: 10 May is late.
    assert complaint.stage.due == d("2024-04-30")
    assert complaint.stage.on_time is False


def test_several_suspensions_add_up():
    complaint = assigned()  # due 12 April
    act(complaint, "suspend", a.Suspend("other"), "2024-04-03")
    act(complaint, "resume", a.Resume(), "2024-04-05")   # stopped 4, 5 April
    act(complaint, "suspend", a.Suspend("other"), "2024-04-08")
    act(complaint, "resume", a.Resume(), "2024-04-10")   # stopped 9, 10 April
    assert complaint.stage.due == d("2024-04-18")


def test_a_complaint_registered_under_the_first_rulebook_keeps_it():
    """A complaint started before December 2026 runs on under the rules it began with:
    its suspension restarts the days that were left, and no new letters appear."""
    complaint = register(rules_version=1)
    act(complaint, "assign", a.Assign("io-1"), "2024-03-27")
    act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-17")
    act(complaint, "resume", a.Resume(), "2024-05-13")
    assert complaint.stage.due == d("2024-05-13")


def test_a_complaint_registered_after_its_first_due_date_is_told_it_is_late():
    # Received Wednesday 27 March 2024 (due 12 April), entered only on Monday 15 April.
    reg = registration("2024-03-27")
    complaint, (ack,) = Complaint.register(reg, POLICIES["children-statutory"], CALENDAR, at("2024-04-15"))
    assert ack.kind == "acknowledgement" and ack.due == d("2024-04-12")
    assert ack.details["late"] == "yes" and ack.details["was_due"] == "2024-04-12"
    assert ack.details["reply_by"] == "2024-04-22"      # five working days on
    mail = render(ack)
    assert "late" in mail.text and "sorry" in mail.text.lower()
    assert "We will send you our response by Friday 12 April 2024" not in " ".join(mail.text.split())
    # Chasing goes on as for any overdue complaint: the team is told it has no officer.
    kinds = {n.kind for n in complaint.advance(at("2024-04-16", 18))}
    assert "unassigned_alert" in kinds


def test_a_complaint_entered_on_time_is_given_its_due_date():
    complaint, (ack,) = Complaint.register(registration("2024-03-27"), POLICIES["children-statutory"], CALENDAR,
                                           at("2024-04-12"))
    assert "late" not in ack.details


@pytest.mark.parametrize("action", ["assign", "reassign"])
def test_stage_2_goes_to_someone_not_assigned_at_stage_1(action):
    complaint = assigned()                                           # io-1 at stage 1 ...
    act(complaint, "reassign", a.Assign("io-2"), "2024-04-02")      # ... then io-2 answers
    act(complaint, "respond", a.Respond("not_upheld"), "2024-04-05")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-08")
    if action == "reassign":
        act(complaint, "assign", a.Assign("io-3"), "2024-04-08")
    for officer in ("io-1", "io-2"):
        reason = refused(complaint, action, a.Assign(officer), "2024-04-09")
        assert f"{officer} was assigned to this complaint at stage 1" in reason
        assert "someone other than the stage 1 officer" in reason


def test_letters_at_stages_2_and_3():
    complaint = at_stage_3()
    stage2 = [n for n in complaint.state.sent if n.stage == 2]
    assert "independent_person_letter" not in {n.kind for n in stage2}  # none was appointed on the way
    held, = act(complaint, "panel_held", a.PanelHeld(), "2024-06-10")[-1:]
    assert (held.kind, held.to, held.due) == ("panel_held_letter", COMPLAINANT, d("2024-06-17"))
    report, = act(complaint, "panel_report", a.PanelReport(), "2024-06-14")[-1:]
    assert (report.kind, report.to, report.due) == ("panel_report_letter", COMPLAINANT, d("2024-07-05"))
    assert "Friday 5 July 2024" in " ".join(render(report).text.split())


def test_suspending_and_resuming_on_the_same_working_day_changes_nothing():
    complaint = assigned()
    act(complaint, "suspend", a.Suspend("other"), "2024-04-05")
    act(complaint, "resume", a.Resume(), "2024-04-05")
    assert complaint.stage.due == d("2024-04-12")


def test_nothing_chases_anybody_while_suspended():
    complaint = assigned()
    act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-08")
    assert complaint.stage.days_left == 4  # 9, 10, 11 and 12 April
    assert complaint.next_wake() is None
    assert complaint.advance(at("2024-07-31", 18)) == []
    # On resumption, chasing starts again against the new due date.
    act(complaint, "resume", a.Resume(), "2024-08-01")
    assert complaint.stage.due == d("2024-08-07")
    assert sent(complaint.advance(at("2024-08-08", 18))) == [
        ("2024-08-02", "due_soon", "io-1"),
        ("2024-08-07", "due_today", "io-1"),
        ("2024-08-08", "overdue", "io-1"),
        ("2024-08-08", "delay_letter", COMPLAINANT),
        ("2024-08-08", "escalation", "tm-1"),
    ]


# -- respond --------------------------------------------------------------------------------------


def test_respond_with_no_officer_is_refused():
    reason = refused(register(), "respond", a.Respond("upheld"), "2024-04-05")
    assert "no investigating officer" in reason and "assign one" in reason


def test_respond_while_suspended_is_refused():
    complaint = assigned()
    act(complaint, "suspend", a.Suspend("court_proceedings"), "2024-04-03")
    reason = refused(complaint, "respond", a.Respond("upheld"), "2024-04-05")
    assert "suspended (since 2024-04-03)" in reason and "resume it before you respond" in reason


def test_respond_twice_is_refused():
    reason = refused(answered_at_stage_1(), "respond", a.Respond("upheld"), "2024-04-08")
    assert "stage 1 was answered on 2024-04-05" in reason


def test_an_unknown_outcome_is_refused():
    assert "not one of" in refused(assigned(), "respond", a.Respond("sort_of"), "2024-04-05")


@pytest.mark.parametrize("day, on_time", [("2024-04-11", True), ("2024-04-12", True), ("2024-04-15", False)])
def test_a_response_is_on_time_on_or_before_the_due_date(day, on_time):
    complaint = assigned()
    notices = act(complaint, "respond", a.Respond("upheld"), day)
    stage = complaint.stage
    assert (stage.responded, stage.on_time, stage.outcome, stage.responding_officer) == (d(day), on_time, "upheld", "io-1")
    letter = notices[-1]
    assert (letter.kind, letter.to) == ("response_issued", COMPLAINANT)
    assert letter.details["outcome"] == "upheld" and "escalate_by" in letter.details


# -- escalate -------------------------------------------------------------------------------------


def test_escalate_before_a_response_and_before_the_stage_is_overdue_is_refused():
    reason = refused(assigned(), "escalate", a.Escalate("disagree"), "2024-04-12")
    assert "not been answered and is not overdue (due 2024-04-12)" in reason


def test_escalate_within_the_window_starts_stage_2_from_the_request():
    complaint = answered_at_stage_1("2024-04-05")
    notices = act(complaint, "escalate", a.Escalate("disagree"), "2024-05-03")  # last day of the window
    assert complaint.state.stage == 2
    stage = complaint.stage
    assert (stage.start_day, stage.working_days, stage.due) == (d("2024-05-03"), 25, d("2024-06-11"))
    assert stage.request_reason == "disagree"
    assert sent(notices)[-1] == ("2024-05-03", "stage2_acknowledgement", COMPLAINANT)


def test_escalate_after_the_window_is_refused_unless_accepted_late_with_a_reason():
    complaint = answered_at_stage_1("2024-04-05")  # window: 20 working days, to 3 May
    reason = refused(complaint, "escalate", a.Escalate("disagree"), "2024-05-07")
    assert "accepted late, with a reason" in reason
    reason = refused(complaint, "escalate", a.Escalate("disagree", late_accepted=True), "2024-05-07")
    assert "needs the reason" in reason
    act(complaint, "escalate", a.Escalate("disagree", late_accepted=True, late_reason="letter lost in post"),
        "2024-05-07")
    assert complaint.state.stage == 2 and complaint.state.status == "open"
    assert complaint.stage.late_accepted_reason == "letter lost in post"
    assert complaint.state.closed_on is None


def test_escalate_beyond_the_last_stage_is_refused():
    complaint = answered_at_stage_1(policy="corporate")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-08")
    act(complaint, "assign", a.Assign("io-2"), "2024-04-08")
    reason = refused(complaint, "escalate", a.Escalate("disagree"), "2024-06-28")  # stage 2 overdue
    assert "corporate procedure has no stage after stage 2" in reason


def test_a_stage_left_by_escalation_without_a_response_shows_no_response():
    complaint = assigned()  # due 12 April
    act(complaint, "escalate", a.Escalate("no_response"), "2024-04-15")
    first, second = complaint.state.stages
    assert (first.responded, first.outcome, first.on_time) == (None, "no_response", False)
    assert (second.stage, second.start_day, second.due) == (2, d("2024-04-15"), d("2024-05-21"))
    assert second.officer is None
    # No response, so no lessons-learnt form is chased for stage 1.
    assert "learning_reminder" not in {k for _, k, _ in sent(complaint.advance(at("2024-05-31", 18)))}


def test_the_escalation_window_closing_closes_the_complaint():
    complaint = answered_at_stage_1("2024-04-05")
    complaint.advance(at("2024-05-03", 23))
    assert complaint.state.status == "open"
    complaint.advance(at("2024-05-04", 0))
    assert (complaint.state.status, complaint.state.closed_on) == ("closed", d("2024-05-03"))
    assert complaint.state.history[-1].action == "window_closed"


def test_a_closed_complaint_refuses_everything_but_a_late_escalation():
    complaint = answered_at_stage_1("2024-04-05")
    complaint.advance(at("2024-05-10"))
    for action, req in [
        ("assign", a.Assign("io-2")),
        ("extend", a.Extend("complex")),
        ("suspend", a.Suspend("other")),
        ("respond", a.Respond("upheld")),
        ("withdraw", a.Withdraw()),
    ]:
        assert "closed on 2024-05-03" in refused(complaint, action, req, "2024-05-10")
    assert "accepted late" in refused(complaint, "escalate", a.Escalate("disagree"), "2024-05-10")
    act(complaint, "escalate", a.Escalate("disagree", late_accepted=True, late_reason="advocate delayed"),
        "2024-05-10")
    assert (complaint.state.status, complaint.state.stage) == ("open", 2)
    assert complaint.stage.due == due_date(CALENDAR, d("2024-05-10"), 25)


def test_a_closed_complaint_cannot_be_reopened_more_than_a_year_after_it_closed():
    complaint = answered_at_stage_1("2024-04-05")
    late = a.Escalate("disagree", late_accepted=True, late_reason="found the letter")
    complaint.advance(at("2025-05-02"))
    assert complaint.refusal("escalate", late, at("2025-05-02")) is None
    reason = refused(complaint, "escalate", late, "2025-05-05")
    assert "more than a year ago" in reason


def test_a_closed_complaint_stays_open_to_a_late_request_for_the_whole_year():
    complaint = answered_at_stage_1("2024-04-05")  # closes on 3 May 2024
    late = a.Escalate("disagree", late_accepted=True, late_reason="found the letter")
    complaint.advance(at("2024-05-04", 0))  # the workflow wakes when the window closes
    assert complaint.state.closed_on == d("2024-05-03")
    complaint.advance(at("2025-05-03"))  # a year on, "up to a year after it closed"
    assert complaint.refusal("escalate", late, at("2025-05-03")) is None
    assert not complaint.is_finished()


def test_advance_does_everything_that_has_fallen_due_by_then():
    complaint = answered_at_stage_1("2024-04-05")  # window closes 3 May 2024
    complaint.advance(at("2025-06-02"))
    assert complaint.state.status == "closed" and complaint.state.archived
    wake = complaint.next_wake()
    assert wake is None or wake > at("2025-06-02")


# -- stage 3: the review panel ---------------------------------------------------------------


@pytest.mark.parametrize("action, req", [("panel_held", a.PanelHeld()), ("panel_report", a.PanelReport())])
def test_panel_actions_outside_stage_3_are_refused(action, req):
    reason = refused(assigned(), action, req, "2024-04-05")
    assert f"{action} is for a stage 3 review panel; the complaint is at stage 1" == reason


def test_panel_actions_out_of_order_are_refused():
    complaint = at_stage_3()
    assert "out of order: the panel has not met yet" in refused(complaint, "panel_report", a.PanelReport(), "2024-05-03")
    assert "panel_held first" in refused(complaint, "respond", a.Respond("upheld"), "2024-05-03")
    act(complaint, "panel_held", a.PanelHeld(), "2024-06-10")
    assert "out of order: the panel has already met" in refused(complaint, "panel_held", a.PanelHeld(), "2024-06-11")
    assert "panel_report first" in refused(complaint, "respond", a.Respond("upheld"), "2024-06-11")
    act(complaint, "panel_report", a.PanelReport(), "2024-06-14")
    assert "recommendations are already in" in refused(complaint, "panel_report", a.PanelReport(), "2024-06-17")
    assert "recommendations are already in" in refused(complaint, "panel_held", a.PanelHeld(), "2024-06-17")


def test_stage_3_has_no_investigating_officer():
    assert "no investigating officer" in refused(at_stage_3(), "assign", a.Assign("io-1"), "2024-05-03")


def test_stage_3_runs_three_clocks_in_turn_and_the_final_response_closes_it():
    complaint = at_stage_3()
    stage = complaint.stage
    assert (stage.start_day, stage.due, stage.clock) == (d("2024-05-02"), d("2024-06-17"), "panel_meeting")
    act(complaint, "panel_held", a.PanelHeld(), "2024-06-10")
    assert (stage.panel_held, stage.clock, stage.due) == (d("2024-06-10"), "panel_report", d("2024-06-17"))
    act(complaint, "panel_report", a.PanelReport(), "2024-06-14")
    assert (stage.panel_report, stage.clock, stage.due) == (d("2024-06-14"), "final_response", d("2024-07-05"))
    act(complaint, "respond", a.Respond("upheld"), "2024-07-05")
    assert stage.clocks_met == [True, True, True] and stage.on_time is True
    assert (complaint.state.status, complaint.state.closed_on) == ("closed", d("2024-07-05"))


def test_stage_3_is_late_if_any_of_its_clocks_was_missed():
    complaint = at_stage_3()  # panel to meet by 17 June
    act(complaint, "panel_held", a.PanelHeld(), "2024-06-18")
    act(complaint, "panel_report", a.PanelReport(), "2024-06-20")
    act(complaint, "respond", a.Respond("upheld"), "2024-06-21")
    assert complaint.stage.clocks_met == [False, True, True]
    assert complaint.stage.on_time is False


def test_stage_3_clocks_are_chased_to_the_complaints_team_without_escalation():
    complaint = at_stage_3()  # panel meeting due Monday 17 June 2024
    notices = complaint.advance(at("2024-06-25", 18))
    assert sent(notices) == [
        ("2024-06-12", "due_soon", COMPLAINTS_TEAM),
        ("2024-06-17", "due_today", COMPLAINTS_TEAM),
        ("2024-06-18", "overdue", COMPLAINTS_TEAM),
        ("2024-06-18", "delay_letter", COMPLAINANT),
        ("2024-06-25", "overdue", COMPLAINTS_TEAM),
    ]
    # Once the panel has met, its recommendations are chased the same way (due 3 July).
    act(complaint, "panel_held", a.PanelHeld(), "2024-06-26")
    assert complaint.stage.due == d("2024-07-03")
    assert sent(complaint.advance(at("2024-07-04", 18))) == [
        ("2024-06-28", "due_soon", COMPLAINTS_TEAM),
        ("2024-07-03", "due_today", COMPLAINTS_TEAM),
        ("2024-07-04", "overdue", COMPLAINTS_TEAM),
        ("2024-07-04", "delay_letter", COMPLAINANT),
    ]


# -- withdrawn ----------------------------------------------------------------------------------


EVERY_ACTION = [
    ("assign", a.Assign("io-2")),
    ("reassign", a.Assign("io-2")),
    ("extend", a.Extend("complex")),
    ("suspend", a.Suspend("court_proceedings")),
    ("resume", a.Resume()),
    ("respond", a.Respond("upheld")),
    ("submit_learning", a.SubmitLearning("text")),
    ("escalate", a.Escalate("no_response", late_accepted=True, late_reason="any")),
    ("appoint_independent_person", a.AppointIndependentPerson("I Person")),
    ("panel_held", a.PanelHeld()),
    ("panel_report", a.PanelReport()),
    ("discontinue", a.Discontinue("court_proceedings")),
    ("proceedings_ended", a.ProceedingsEnded(date(2024, 4, 10))),
    ("resubmit", a.Resubmit(late_accepted=True, late_reason="any")),
    ("withdraw", a.Withdraw()),
]


@pytest.mark.parametrize("action, req", EVERY_ACTION, ids=[name for name, _ in EVERY_ACTION])
def test_nothing_can_be_done_to_a_withdrawn_complaint(action, req):
    complaint = answered_at_stage_1("2024-04-05")
    notices = act(complaint, "withdraw", a.Withdraw("resolved informally"), "2024-04-08")
    assert sent(notices)[-1] == ("2024-04-08", "withdrawal_confirmation", COMPLAINANT)
    assert complaint.is_finished()
    reason = refused(complaint, action, req, "2024-04-15")
    assert "withdrawn on 2024-04-08" in reason and "nothing more can be done" in reason


def test_a_withdrawn_complaint_is_chased_no_more():
    complaint = answered_at_stage_1("2024-04-05")
    act(complaint, "withdraw", a.Withdraw(), "2024-04-08")
    assert complaint.advance(at("2024-06-28")) == []
    assert complaint.next_wake() is None


# -- chasing ---------------------------------------------------------------------------------------


def test_chasing_an_assigned_officer_from_due_soon_to_escalation():
    complaint = assigned()  # io-1 (manager tm-1, then hos-1); due Friday 12 April 2024
    notices = complaint.advance(at("2024-04-29", 18))
    assert sent(notices) == [
        ("2024-04-09", "due_soon", "io-1"),          # 3 working days before
        ("2024-04-12", "due_today", "io-1"),
        ("2024-04-15", "overdue", "io-1"),           # first working day after
        ("2024-04-15", "delay_letter", COMPLAINANT),
        ("2024-04-15", "escalation", "tm-1"),        # level 1: the officer's manager
        ("2024-04-22", "overdue", "io-1"),           # 5 working days later
        ("2024-04-22", "escalation", "hos-1"),       # level 2: the next manager up
        ("2024-04-29", "overdue", "io-1"),
        ("2024-04-29", "escalation", "hos-1"),       # level 3: the top one again
    ]
    escalations = [n for n in notices if n.kind == "escalation"]
    assert [n.details["level"] for n in escalations] == ["1", "2", "3"]
    for n in notices:
        assert n.at.time() == time(9) and n.at.utcoffset() == timedelta(hours=1)  # 09:00 BST
        assert n.due == d("2024-04-12") and n.ref == "CS-2024-001"


def test_each_chase_is_sent_once():
    complaint = assigned()
    first = complaint.advance(at("2024-04-15", 18))
    assert complaint.advance(at("2024-04-15", 18)) == []
    assert complaint.advance(at("2024-04-15", 20)) == []
    assert len({n.key for n in first}) == len(first)


def test_an_officer_without_a_manager_is_chased_without_escalation():
    complaint = assigned(officer="io-3")
    kinds = {k for _, k, _ in sent(complaint.advance(at("2024-04-29", 18)))}
    assert "overdue" in kinds and "escalation" not in kinds


def test_chasing_waits_for_nine_oclock():
    complaint = assigned()
    assert complaint.advance(at("2024-04-09", 8)) == []
    assert complaint.next_wake() == at("2024-04-09", 9)
    assert sent(complaint.advance(at("2024-04-09", 9))) == [("2024-04-09", "due_soon", "io-1")]


def test_an_unassigned_complaint_alerts_the_team_daily_from_one_working_day_after_the_start():
    complaint = register("2024-03-27")  # Wednesday before Easter
    assert complaint.next_wake() == at("2024-03-28", 9)
    notices = complaint.advance(at("2024-04-04", 9, ))
    assert sent(notices) == [
        ("2024-03-28", "unassigned_alert", COMPLAINTS_TEAM),
        # Good Friday, the weekend and Easter Monday are skipped.
        ("2024-04-02", "unassigned_alert", COMPLAINTS_TEAM),
        ("2024-04-03", "unassigned_alert", COMPLAINTS_TEAM),
        ("2024-04-04", "unassigned_alert", COMPLAINTS_TEAM),
    ]
    assert notices[0].at == at("2024-03-28", 9) and notices[0].at.utcoffset() == timedelta(0)
    notices = act(complaint, "assign", a.Assign("io-1"), "2024-04-04")
    assert sent(notices) == [("2024-04-04", "assignment", "io-1")]
    kinds = {k for _, k, _ in sent(complaint.advance(at("2024-04-12", 18)))}
    assert "unassigned_alert" not in kinds


def test_an_unassigned_complaint_past_its_due_date_is_chased_to_the_team():
    complaint = register("2024-03-27")
    notices = [x for x in sent(complaint.advance(at("2024-04-15", 18))) if x[1] != "unassigned_alert"]
    assert notices == [
        ("2024-04-09", "due_soon", COMPLAINTS_TEAM),
        ("2024-04-12", "due_today", COMPLAINTS_TEAM),
        ("2024-04-15", "overdue", COMPLAINTS_TEAM),
        ("2024-04-15", "delay_letter", COMPLAINANT),
    ]


def test_reassignment_keeps_the_due_date_and_later_chasing_goes_to_the_new_officer():
    complaint = assigned()
    notices = act(complaint, "reassign", a.Assign("io-2"), "2024-04-08")
    assert sent(notices) == [("2024-04-08", "handover", "io-2"), ("2024-04-08", "reassignment_notice", "io-1")]
    assert all(n.due == d("2024-04-12") for n in notices)
    assert notices[0].details["previous_officer_name"] == "Investigating Officer One"
    assert complaint.stage.due == d("2024-04-12")
    assert [(x.officer, x.replaced_officer) for x in complaint.state.assignments] == [("io-1", None), ("io-2", "io-1")]
    assert sent(complaint.advance(at("2024-04-15", 18))) == [
        ("2024-04-09", "due_soon", "io-2"),
        ("2024-04-12", "due_today", "io-2"),
        ("2024-04-15", "overdue", "io-2"),
        ("2024-04-15", "delay_letter", COMPLAINANT),
        ("2024-04-15", "escalation", "tm-2"),  # the new officer's manager
    ]


def test_lessons_learnt_reminders_at_5_10_and_15_working_days_then_none():
    complaint = answered_at_stage_1("2024-04-05")
    notices = complaint.advance(at("2024-07-31", 18))
    assert sent(notices) == [
        ("2024-04-12", "learning_reminder", "io-1"),
        ("2024-04-19", "learning_reminder", "io-1"),
        ("2024-04-26", "learning_reminder", "io-1"),
    ]
    assert complaint.state.stages[0].learning_reminders_sent == 3
    assert notices[0].details["learning_stage"] == "1"


def test_no_lessons_learnt_reminders_once_the_form_is_in():
    complaint = answered_at_stage_1("2024-04-05")
    act(complaint, "submit_learning", a.SubmitLearning("we will reply sooner"), "2024-04-15")
    assert complaint.state.stages[0].learning_submitted == d("2024-04-15")
    assert sent(complaint.advance(at("2024-07-31", 18))) == []
    reason = refused(complaint, "submit_learning", a.SubmitLearning("again"), "2024-04-16")
    assert "no lessons-learnt form is awaited" in reason


def test_nothing_is_chased_after_the_response_but_the_lessons_learnt_form():
    complaint = assigned()
    act(complaint, "respond", a.Respond("upheld"), "2024-04-15")  # a day late, after that morning's chasing
    later = {k for _, k, _ in sent(complaint.advance(at("2024-05-31", 18)))}
    assert later == {"learning_reminder"}


# -- the contract's example complaint, step by step ------------------------------------------


def test_the_contracts_example_complaint_notices_and_record():
    complaint = register("2024-03-27")
    steps = [
        ("assign", a.Assign("io-1"), "2024-03-28"),
        ("extend", a.Extend("complex"), "2024-04-08"),
        ("reassign", a.Assign("io-2"), "2024-04-09"),
        ("suspend", a.Suspend("court_proceedings"), "2024-04-10"),
        ("resume", a.Resume(), "2024-05-13"),
        ("respond", a.Respond("partially_upheld"), "2024-05-20"),
        ("submit_learning", a.SubmitLearning(), "2024-05-22"),
        ("escalate", a.Escalate("disagree"), "2024-06-03"),
        ("appoint_independent_person", a.AppointIndependentPerson("I Person"), "2024-06-04"),
    ]
    notices = []
    for action, req, day in steps:
        notices += act(complaint, action, req, day)
    notices += complaint.advance(at("2024-06-04", 18))
    assert sent(notices) == [
        ("2024-03-28", "unassigned_alert", COMPLAINTS_TEAM),  # 09:00, before the 10:00 assignment
        ("2024-03-28", "assignment", "io-1"),
        ("2024-04-08", "extension_letter", COMPLAINANT),
        ("2024-04-09", "handover", "io-2"),
        ("2024-04-09", "reassignment_notice", "io-1"),
        ("2024-04-10", "suspension_letter", COMPLAINANT),
        ("2024-05-13", "resumption_letter", COMPLAINANT),
        ("2024-05-20", "response_issued", COMPLAINANT),
        ("2024-06-03", "stage2_acknowledgement", COMPLAINANT),
        ("2024-06-04", "unassigned_alert", COMPLAINTS_TEAM),
        ("2024-06-04", "independent_person_letter", COMPLAINANT),
    ]
    first, second = complaint.state.stages
    assert (first.start_day, first.due, first.responded, first.on_time, first.outcome) == (
        d("2024-03-27"), d("2024-05-30"), d("2024-05-20"), True, "partially_upheld")
    assert (first.responding_officer, first.learning_submitted) == ("io-2", d("2024-05-22"))
    assert (second.start_day, second.due, second.responded) == (d("2024-06-03"), d("2024-07-08"), None)
    assert second.independent_person == "I Person"
    assert (complaint.state.status, complaint.state.stage) == ("open", 2)


# -- proceedings: discontinue, proceedings_ended, resubmit -----------------------------------------


def discontinued() -> Complaint:
    complaint = assigned(on="2024-03-28")
    notices = act(complaint, "discontinue", a.Discontinue("court_proceedings", detail="care proceedings"), "2024-04-02")
    assert sent(notices)[-1] == ("2024-04-02", "discontinuation_letter", COMPLAINANT)
    assert notices[-1].details["proceedings"] == "care proceedings"
    return complaint


def test_a_discontinued_complaint_waits_and_is_not_chased():
    complaint = discontinued()
    assert complaint.state.status == "discontinued" and complaint.stage.due is None
    assert complaint.advance(at("2025-01-31", 18)) == []
    assert "only be resubmitted" in refused(complaint, "respond", a.Respond("upheld"), "2024-05-01")
    assert "record proceedings_ended first" in refused(complaint, "resubmit", a.Resubmit(), "2024-05-01")
    assert "a date still to come" in refused(
        complaint, "proceedings_ended", a.ProceedingsEnded(d("2024-05-02")), "2024-05-01")
    assert "before the complaint was discontinued" in refused(
        complaint, "proceedings_ended", a.ProceedingsEnded(d("2024-03-01")), "2024-05-01")


def test_resubmission_restarts_the_stages_full_clock_from_the_resubmission_date():
    complaint = discontinued()
    act(complaint, "proceedings_ended", a.ProceedingsEnded(d("2025-01-31")), "2025-02-03")
    notices = act(complaint, "resubmit", a.Resubmit(), "2025-03-03")
    assert sent(notices) == [("2025-03-03", "acknowledgement", COMPLAINANT)]
    assert notices[0].due == d("2025-03-17")
    stage = complaint.stage
    assert (complaint.state.status, complaint.state.stage) == ("open", 1)
    assert (stage.start_day, stage.working_days, stage.due) == (d("2025-03-03"), 10, d("2025-03-17"))
    assert stage.officer == "io-1"
    assert complaint.state.discontinuation.resubmitted == d("2025-03-03")
    assert sent(complaint.advance(at("2025-03-17", 18))) == [
        ("2025-03-12", "due_soon", "io-1"), ("2025-03-17", "due_today", "io-1")]


def test_resubmission_within_a_year_of_the_proceedings_ending_is_accepted():
    complaint = discontinued()
    act(complaint, "proceedings_ended", a.ProceedingsEnded(d("2025-01-31")), "2025-02-03")
    complaint.advance(at("2026-01-31", 23))
    assert complaint.state.status == "discontinued"
    assert complaint.refusal("resubmit", a.Resubmit(), at("2026-01-30")) is None


def test_the_resubmission_window_running_out_closes_the_complaint():
    complaint = discontinued()
    act(complaint, "proceedings_ended", a.ProceedingsEnded(d("2025-01-31")), "2025-02-03")
    complaint.advance(at("2026-02-01", 0))
    assert (complaint.state.status, complaint.state.closed_on) == ("closed", d("2026-01-31"))


def test_a_late_resubmission_is_refused_unless_accepted_late():
    complaint = discontinued()
    act(complaint, "proceedings_ended", a.ProceedingsEnded(d("2025-01-31")), "2025-02-03")
    reason = refused(complaint, "resubmit", a.Resubmit(), "2026-02-02")
    assert "accepted" in reason and "reason" in reason
    reason = refused(complaint, "resubmit", a.Resubmit(late_accepted=True), "2026-02-02")
    assert "reason" in reason


def test_a_late_resubmission_accepted_late_restarts_the_stage():
    complaint = discontinued()
    act(complaint, "proceedings_ended", a.ProceedingsEnded(d("2025-01-31")), "2025-02-03")
    act(complaint, "resubmit", a.Resubmit(late_accepted=True, late_reason="parent was in hospital"), "2026-02-02")
    assert complaint.state.status == "open"
    assert complaint.stage.due == due_date(CALENDAR, d("2026-02-02"), 10)


def test_the_complaint_handling_code_does_not_discontinue():
    reason = refused(assigned(policy="complaint-handling-code"), "discontinue",
                     a.Discontinue("court_proceedings"), "2024-04-02")
    assert "does not allow" in reason


# -- the independent person (stage 2 of the statutory procedure) -------------------------------------


def test_an_independent_person_is_appointed_at_statutory_stage_2_only():
    reason = refused(assigned(), "appoint_independent_person", a.AppointIndependentPerson("I Person"), "2024-04-02")
    assert reason == ("stage 1 (Local resolution) of the children-statutory procedure has no independent person; "
                      "one is appointed at stage 2")


# -- after the council: the Ombudsman, and what stages 2 and 3 cost ---------------------------------


def test_an_ombudsman_referral_is_recorded_even_on_a_closed_complaint():
    complaint = answered_at_stage_1("2024-04-05")
    complaint.advance(at("2024-06-03"))
    assert complaint.state.status == "closed"
    act(complaint, "refer_to_ombudsman", a.ReferToOmbudsman(), "2024-06-03")
    reason = refused(complaint, "refer_to_ombudsman", a.ReferToOmbudsman(), "2024-06-04")
    assert "already with the Ombudsman" in reason
    act(complaint, "ombudsman_decision", a.OmbudsmanDecision("upheld_fault_and_injustice", remedy_gbp=250.0), "2024-09-02")
    referral = complaint.state.ombudsman[0]
    assert (referral.referred, referral.decided, referral.result, referral.remedy_gbp) == (
        d("2024-06-03"), d("2024-09-02"), "upheld_fault_and_injustice", 250.0)


def test_an_ombudsman_decision_needs_a_referral_and_a_known_result():
    complaint = answered_at_stage_1("2024-04-05")
    assert "not with the Ombudsman" in refused(complaint, "ombudsman_decision", a.OmbudsmanDecision("upheld"), "2024-04-08")
    act(complaint, "refer_to_ombudsman", a.ReferToOmbudsman(on=d("2024-04-08")), "2024-04-08")
    assert "is not one of" in refused(complaint, "ombudsman_decision", a.OmbudsmanDecision("upheld"), "2024-04-09")
    future = a.ReferToOmbudsman(on=d("2030-01-01"))
    assert "still to come" in refused(answered_at_stage_1("2024-04-05"), "refer_to_ombudsman", future, "2024-04-08")


def test_costs_are_recorded_for_stages_reached():
    complaint = answered_at_stage_1("2024-04-05")
    cost = a.RecordCost(stage=2, item="investigator", amount_gbp=1200.0)
    assert "not reached stage 2" in refused(complaint, "record_cost", cost, "2024-04-08")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-08")
    act(complaint, "record_cost", cost, "2024-05-01")
    assert "more than nothing" in refused(complaint, "record_cost", a.RecordCost(2, "panel", 0), "2024-05-02")
    assert "not one of" in refused(complaint, "record_cost", a.RecordCost(2, "lunch", 10.0), "2024-05-02")
    assert [(c.stage, c.on, c.item, c.amount_gbp) for c in complaint.state.costs] == [
        (2, d("2024-05-01"), "investigator", 1200.0)]


def test_every_action_of_the_catalogue_has_its_check_and_effect():
    from rules.complaint import ACTIONS

    assert set(ACTIONS) == set(a.ACTIONS)
    for name, action in ACTIONS.items():
        assert action.request is a.ACTIONS[name], name
        assert callable(action.check) and callable(action.effect)


def test_the_history_says_who_did_each_action():
    complaint, _ = Complaint.register(registration("2024-03-27", by="clerk.amina"), POLICIES["children-statutory"],
                                      CALENDAR, at("2024-03-27"))
    act(complaint, "assign", a.Assign("io-1", by="clerk.amina"), "2024-03-27")
    act(complaint, "extend", a.Extend("complex", by="io-1"), "2024-04-08")
    act(complaint, "suspend", a.Suspend("other"), "2024-04-09")
    assert [(e.action, e.by) for e in complaint.state.history] == [
        ("register", "clerk.amina"), ("assign", "clerk.amina"), ("extend", "io-1"), ("suspend", None)]


# -- actions dated on the day they happened (rulebook 4) -------------------------------------------


def test_a_complaint_entered_late_has_its_assignment_and_response_on_the_days_they_happened():
    # Received Wednesday 27 March 2024 (due 12 April), entered only on Monday 22 April.
    complaint, _ = Complaint.register(registration("2024-03-27"), POLICIES["children-statutory"], CALENDAR,
                                      at("2024-04-22"))
    act(complaint, "assign", a.Assign("io-1", on=d("2024-03-28")), "2024-04-22")
    letter, = act(complaint, "respond", a.Respond("upheld", on=d("2024-04-11")), "2024-04-22")
    s = complaint.stage
    assert (s.responded, s.on_time) == (d("2024-04-11"), True)     # in time, though recorded late
    assert complaint.state.assignments[0].at.date() == d("2024-03-28")
    assert letter.at.date() == d("2024-04-22"), "the letter goes today"
    assert [(e.action, e.at.date()) for e in complaint.state.history][1:] == [
        ("assign", d("2024-03-28")), ("respond", d("2024-04-11"))]


def test_a_response_recorded_late_but_dated_in_time_keeps_the_chasing_already_sent():
    complaint = assigned()                                   # due Friday 12 April 2024
    chased = complaint.advance(at("2024-04-16", 18))         # overdue, escalation, delay letter sent
    assert {"overdue", "escalation", "delay_letter"} <= {n.kind for n in chased}
    act(complaint, "respond", a.Respond("not_upheld", on=d("2024-04-12")), "2024-04-17")
    assert (complaint.stage.responded, complaint.stage.on_time) == (d("2024-04-12"), True)
    assert {"overdue", "escalation", "delay_letter"} <= {n.kind for n in complaint.state.sent}


@pytest.mark.parametrize("on, why", [
    ("2024-04-09", "a day still to come"),
    ("2024-03-26", "before the complaint was received (2024-03-27)"),
    ("2024-03-29", "before the complaint's previous action (2024-04-02): dated actions stay in order"),
])
def test_a_dated_action_is_refused_on_an_impossible_day(on, why):
    complaint = assigned(on="2024-04-02")
    reason = refused(complaint, "extend", a.Extend("complex", on=d(on)), "2024-04-08")
    assert reason.endswith(why), reason


def test_a_dated_suspension_stops_the_clock_from_that_day():
    complaint = assigned()                                   # due 12 April
    act(complaint, "suspend", a.Suspend("court_proceedings", on=d("2024-04-03")), "2024-04-05")
    act(complaint, "resume", a.Resume(on=d("2024-04-05")), "2024-04-05")
    # Stopped 4 and 5 April: due two working days later, 16 April.
    assert complaint.stage.due == d("2024-04-16")


def test_a_complaint_registered_under_rulebook_3_cannot_be_dated():
    complaint = register(rules_version=3)
    reason = refused(complaint, "assign", a.Assign("io-1", on=d("2024-03-27")), "2024-03-28")
    assert "registered before actions could be dated" in reason
