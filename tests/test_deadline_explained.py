"""The deadline, explained (web.md section 4): computed with the rules' own functions, and
checked against the due dates the rules themselves set, driving ``Complaint`` through
register, extend, suspend and resume as the workflow does."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from models import actions as a
from rules.deadline_explained import complaint_calendar, explain
from tests.test_rules import CALENDAR, act, d, register


def explained(complaint, today: str):
    return explain(asdict(complaint.stage), CALENDAR, d(today),
                   history=[asdict(h) for h in complaint.state.history], status=complaint.state.status)


def test_the_specs_example_easter_is_skipped():
    c = register("2024-03-27")
    e = explained(c, "2024-04-02")
    assert c.stage.due == date(2024, 4, 12)
    assert e.headline == "Due Friday 12 April 2024 (stage 1)"
    assert e.lines == [
        "Received Wednesday 27 March 2024, a working day, so counting starts there.",
        "Stage 1 allows 10 working days; weekends and bank holidays do not count "
        "(Good Friday and Easter Monday were skipped): due Friday 12 April 2024.",
    ]
    assert e.standing == "8 working days left"
    assert e.bank_holidays == [(date(2024, 3, 29), "Good Friday"), (date(2024, 4, 1), "Easter Monday")]


def test_extended_suspended_and_resumed_as_the_spec_tells_it():
    c = register("2024-03-27")
    act(c, "assign", a.Assign("io-1"), "2024-03-28")
    act(c, "extend", a.Extend("complex"), "2024-04-08")
    assert explained(c, "2024-04-08").headline == "Due Friday 26 April 2024 (stage 1)"
    act(c, "suspend", a.Suspend("court_proceedings"), "2024-04-10")
    stopped = explained(c, "2024-04-20")
    assert stopped.headline == "Clock stopped since Wednesday 10 April 2024 (stage 1)"
    assert stopped.standing == "12 working days will be left when the clock restarts"
    assert stopped.due is None
    act(c, "resume", a.Resume(), "2024-05-13")
    e = explained(c, "2024-05-20")
    assert e.due == c.stage.due == date(2024, 5, 30)
    assert e.headline == "Due Thursday 30 May 2024 (stage 1)"
    assert e.lines[2:] == [
        "Extended on Monday 8 April 2024 by 10 working days, as the complaint is complex: due Friday 26 April 2024.",
        "Clock stopped Wednesday 10 April 2024 for court proceedings, restarted Monday 13 May 2024: "
        "22 working days paused, 12 working days were left. "
        "Now due Thursday 30 May 2024 (bank holiday Monday 27 May 2024 skipped).",
    ]
    assert e.standing == "7 working days left"       # 27 May is a bank holiday
    assert [name for _, name in e.bank_holidays] == ["Good Friday", "Easter Monday", "May Day",
                                                     "Spring Bank Holiday"]


def test_late_when_the_clock_stopped_is_still_late_and_never_time_left():
    c = register("2024-03-27")
    act(c, "assign", a.Assign("io-1"), "2024-03-28")
    act(c, "suspend", a.Suspend("police_investigation"), "2024-04-19")   # due 12 April: 5 working days late
    stopped = explained(c, "2024-05-01")
    assert stopped.standing == "5 working days late when the clock stopped; still 5 working days late"
    assert "left" not in stopped.standing and "left" not in " ".join(stopped.lines)
    assert stopped.days_late == 5 and stopped.days_left is None
    act(c, "resume", a.Resume(), "2024-05-13")
    e = explained(c, "2024-05-13")
    assert e.due == c.stage.due
    assert "5 working days late when the clock stopped; still 5 working days late" in e.lines[-1]
    assert e.lines[-1].endswith("The due date moves to Friday 3 May 2024.")
    assert e.standing == "5 working days late"
    assert "left" not in " ".join(e.lines) + e.standing


def test_every_due_date_matches_the_rules_through_a_year_of_dates():
    """Whatever the days, the explanation lands on the due date the rules set."""
    for received in ("2023-12-20", "2024-03-28", "2024-05-24", "2024-08-23", "2025-04-17"):
        c = register(received)
        start = c.stage.start_day
        act(c, "assign", a.Assign("io-1"), received)
        extend_on = CALENDAR.add_working_days(start, 3)
        act(c, "extend", a.Extend("waiting for records from the school"), extend_on.isoformat())
        for stop_after, pause in ((2, 9), (25, 4)):
            stop = CALENDAR.add_working_days(extend_on, stop_after)
            act(c, "suspend", a.Suspend("other"), stop.isoformat())
            act(c, "resume", a.Resume(), CALENDAR.add_working_days(stop, pause).isoformat())
            e = explained(c, stop.isoformat())
            assert e.due == c.stage.due, (received, e.lines)
            assert not any(line.startswith("Now due") for line in e.lines[-1:]), e.lines


def test_a_free_text_reason_and_a_weekend_start():
    c = register("2024-06-01")            # a Saturday
    act(c, "extend", a.Extend("waiting for records from the school"), "2024-06-05")
    e = explained(c, "2024-06-05")
    assert e.lines[0] == ("Received Saturday 1 June 2024 (a weekend), so counting starts on the next working day, "
                          "Monday 3 June 2024.")
    assert "(the reason given: waiting for records from the school)" in e.lines[2]
    assert e.due == c.stage.due


def test_answered_says_on_time_or_how_late():
    c = register("2024-03-27")
    act(c, "assign", a.Assign("io-1"), "2024-03-28")
    act(c, "respond", a.Respond("upheld"), "2024-04-16")
    e = explained(c, "2024-05-01")
    assert e.headline == "Answered Tuesday 16 April 2024 (stage 1)"
    assert e.standing == "Answered 2 working days late"


def test_the_complaints_calendar_reaches_later_years():
    calendar = complaint_calendar(date(2024, 3, 27), [date(2024, 12, 24)], until=date(2030, 1, 1))
    assert date(2029, 12, 25) in calendar.days_off and date(2024, 12, 24) in calendar.days_off
