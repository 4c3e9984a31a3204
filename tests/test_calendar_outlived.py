"""A complaint that outlives the calendar it started with still counts bank holidays.

Received in March 2026, a complaint starts with the bank holidays of 2025 to 2030. Set
aside for court proceedings that end only in 2031, it is resubmitted on Monday 7 April
2031: its stage 1 clock runs over Good Friday (11 April) and Easter Monday (14 April)
2031, so it is due on Wednesday 23 April 2031, not Monday 21 April as a calendar without
2031's holidays would say.
"""

from __future__ import annotations

from datetime import date

from rules.bank_holidays import complaint_days_off_until
from rules.calendar import WorkingCalendar
from simulation.runner import simulate
from simulation.scenario import parse_scenario
from tests.test_replay import load, recorded_inputs, replay

OFFICERS = [
    {"id": "tm-1", "name": "Team Manager", "email": "tm1@council.example"},
    {"id": "io-1", "name": "Investigating Officer", "email": "io1@council.example", "manager": "tm-1"},
]


def scenario() -> dict:
    return {
        "officers": OFFICERS,
        "complaints_team": {"email": "complaints@council.example"},
        "until": "2031-06-30",
        "complaints": [{
            "ref": "CAL-01",
            "policy": "children-statutory",
            "received": "2026-03-02",
            "complainant": {"name": "A Parent", "email": "parent@example.org", "type": "parent"},
            "actions": [
                {"date": "2026-03-02", "do": "assign", "officer": "io-1"},
                {"date": "2026-03-05", "do": "discontinue", "reason": "court_proceedings"},
                {"date": "2031-04-01", "do": "proceedings_ended", "on": "2031-03-31"},
                {"date": "2031-04-07", "do": "resubmit"},
                {"date": "2031-04-22", "do": "respond", "outcome": "upheld"},
            ],
        }],
    }


def test_the_calendar_a_complaint_starts_with_ends_in_2030():
    assert complaint_days_off_until(date(2026, 3, 2)) == date(2030, 12, 31)
    # Without 2031's bank holidays, ten working days from 7 April 2031 end on the 21st.
    assert WorkingCalendar([]).add_working_days(date(2031, 4, 7), 10) == date(2031, 4, 21)


async def test_a_complaint_resubmitted_years_later_counts_that_years_bank_holidays(tmp_path):
    lines = await simulate(parse_scenario(scenario()), histories=tmp_path)
    summary = next(line for line in lines if line["event"] == "summary")
    assert not [line for line in lines if line["event"] == "rejected"]
    assert summary["stages"] == [{"stage": 1, "start_day": "2031-04-07", "due": "2031-04-23",
                                  "responded": "2031-04-22", "on_time": True, "outcome": "upheld"}]
    acknowledgement = [line for line in lines if line.get("kind") == "acknowledgement"][-1]
    assert (acknowledgement["date"], acknowledgement["due"]) == ("2031-04-07", "2031-04-23")
    # The holidays fetched are kept in the history: replaying it does the same again.
    history = load(tmp_path / "CAL-01.json")
    assert "bank_holidays" in history.to_json()
    want, got = await recorded_inputs(history), await replay(history)
    assert [g.notices for g in got] == [w.notices for w in want]
