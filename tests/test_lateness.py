"""Why a late response was late, and the stage 2 investigating officer's recommendations:
the rules (no Temporal), as an officer or a clerk meets them."""

from __future__ import annotations

import pytest

from council.late_reasons import SHIPPED
from models import actions as a
from tests.test_rules import act, assigned, d, refused

LISTED = ", ".join(SHIPPED.codes)


def test_a_late_response_takes_a_reason_from_the_list_and_a_note_and_says_who():
    complaint = assigned()                                   # due Friday 12 April 2024
    act(complaint, "respond", a.Respond("upheld", late_reason="staff_capacity", late_note="two officers off sick",
                                        by="io-1"), "2024-04-16")
    s = complaint.stage
    assert (s.on_time, s.late_reason, s.late_note) == (False, "staff_capacity", "two officers off sick")
    assert complaint.state.history[-1].by == "io-1"


def test_a_late_response_without_a_reason_is_taken_and_not_recorded():
    complaint = assigned()
    act(complaint, "respond", a.Respond("upheld"), "2024-04-16")
    assert (complaint.stage.on_time, complaint.stage.late_reason) == (False, None)


def test_a_reason_not_on_the_list_is_refused_naming_the_list():
    complaint = assigned()
    why = refused(complaint, "respond", a.Respond("upheld", late_reason="holidays"), "2024-04-16")
    assert why == f"the reason for lateness 'holidays' is not on the council's list of reasons for lateness: {LISTED}"


def test_the_list_the_request_carries_is_the_one_checked():
    complaint = assigned()
    own = ["holidays", "sickness"]
    why = refused(complaint, "respond", a.Respond("upheld", late_reason="staff_capacity", late_reasons=own),
                  "2024-04-16")
    assert why.endswith("list of reasons for lateness: holidays, sickness")
    act(complaint, "respond", a.Respond("upheld", late_reason="holidays", late_reasons=own), "2024-04-16")
    assert complaint.stage.late_reason == "holidays"


def test_a_reason_for_a_response_in_time_is_refused_with_its_due_date():
    complaint = assigned()
    why = refused(complaint, "respond", a.Respond("upheld", late_reason="complexity"), "2024-04-12")
    assert why.startswith("the response is not late: due 2024-04-12")


def test_a_response_dated_in_time_is_not_late_though_recorded_late():
    complaint = assigned()
    why = refused(complaint, "respond", a.Respond("upheld", on=d("2024-04-11"), late_reason="complexity"),
                  "2024-04-17")
    assert "not late: due 2024-04-12" in why


def test_an_extended_stage_is_late_only_after_its_extended_due_date():
    complaint = assigned()
    act(complaint, "extend", a.Extend("complex"), "2024-04-08")   # due 26 April 2024
    due = complaint.stage.due
    assert "not late" in refused(complaint, "respond", a.Respond("upheld", late_reason="complexity"), "2024-04-16")
    act(complaint, "respond", a.Respond("upheld", late_reason="complexity"), str(due.replace(day=due.day + 3)))
    assert complaint.stage.late_reason == "complexity"


def test_a_note_needs_its_reason():
    why = refused(assigned(), "respond", a.Respond("upheld", late_note="busy"), "2024-04-16")
    assert why == "a note on why the response is late needs the reason, from the council's list"


def test_the_reason_can_be_said_afterwards_by_a_clerk_and_changed():
    complaint = assigned()
    act(complaint, "respond", a.Respond("upheld"), "2024-04-16")
    act(complaint, "late_reason", a.LateReason("officer_left_or_changed", note="left in March", by="clerk.amina"),
        "2024-04-18")
    s = complaint.stage
    assert (s.late_reason, s.late_note) == ("officer_left_or_changed", "left in March")
    entry = complaint.state.history[-1]
    assert (entry.action, entry.detail, entry.by) == ("late_reason", "stage 1: officer_left_or_changed",
                                                      "clerk.amina")
    act(complaint, "late_reason", a.LateReason("staff_capacity", by="manager.bo"), "2024-04-19")
    assert (s.late_reason, s.late_note, complaint.state.history[-1].by) == ("staff_capacity", None, "manager.bo")


def test_the_reason_afterwards_is_refused_before_a_response_and_for_one_in_time():
    complaint = assigned()
    why = refused(complaint, "late_reason", a.LateReason("complexity"), "2024-04-16")
    assert why.startswith("stage 1 has no response yet")
    act(complaint, "respond", a.Respond("upheld"), "2024-04-10")
    why = refused(complaint, "late_reason", a.LateReason("complexity"), "2024-04-16")
    assert why == "the response is not late: due 2024-04-12, answered on 2024-04-10"
    assert refused(complaint, "late_reason", a.LateReason("holidays"), "2024-04-16").startswith(
        "the reason for lateness 'holidays' is not on")
    assert refused(complaint, "late_reason", a.LateReason("complexity", stage=2), "2024-04-16") == \
        "the complaint has no stage 2"


def test_a_stage_1_reason_can_be_said_once_the_complaint_is_at_stage_2():
    complaint = assigned()
    act(complaint, "respond", a.Respond("upheld"), "2024-04-16")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-22")
    act(complaint, "late_reason", a.LateReason("staff_capacity", stage=1), "2024-04-23")
    assert complaint.state.stages[0].late_reason == "staff_capacity"


def stage2() -> object:
    complaint = assigned()
    act(complaint, "respond", a.Respond("upheld"), "2024-04-10")
    act(complaint, "escalate", a.Escalate("disagree"), "2024-04-15")
    act(complaint, "assign", a.Assign("io-2"), "2024-04-15")
    return complaint


def test_the_stage_2_response_keeps_the_investigating_officers_recommendations():
    complaint = stage2()
    act(complaint, "respond", a.Respond("partially_upheld", recommendations=[
        "Write to the family within five days of a meeting ", "Use an interpreter when asked"]), "2024-05-10")
    assert complaint.stage.recommendations == [
        "Write to the family within five days of a meeting", "Use an interpreter when asked"]


def test_recommendations_are_refused_at_stage_1_and_when_one_is_empty():
    why = refused(assigned(), "respond", a.Respond("upheld", recommendations=["Call back"]), "2024-04-10")
    assert why == ("the investigating officer's recommendations are recorded with the stage 2 response; "
                   "this is stage 1")
    why = refused(stage2(), "respond", a.Respond("upheld", recommendations=["Call back", " "]), "2024-05-10")
    assert why == "recommendation 2 is empty; leave it out, or write it"


@pytest.mark.parametrize("request_, field", [
    (a.Respond("upheld", late_reason="staff_capacity", late_note="x\x00"), "late_note"),
    (a.Respond("upheld", recommendations=["a" * 1001]), "recommendations"),
    (a.Respond("upheld", recommendations="Call back"), "recommendations"),
    (a.LateReason("staff_capacity", note="\x07"), "note"),
])
def test_a_value_no_record_could_hold_is_refused_naming_its_field(request_, field):
    action = "respond" if isinstance(request_, a.Respond) else "late_reason"
    why = refused(stage2(), action, request_, "2024-05-10")
    assert why.startswith(f"field {field}:")
