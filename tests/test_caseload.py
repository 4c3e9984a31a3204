"""`complaints caseload`: a generated year shaped like the reference report's 2023-24.

Fast (no Temporal). The generated year is counted by ``tests/scenario_counts.py``, an
oracle that shares no code with the engine or the generator, and every action is run
through the engine's own rulebook (``rules.complaint``) to see that none is refused.
The oracle is tested on its own on small hand-written scenarios.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta

import pytest
import yaml

from caseload import generate
from cli.main import main
from policies import load_policy
from rules.bank_holidays import complaint_days_off, days_off
from rules.calendar import WorkingCalendar
from rules.complaint import Complaint, london
from rules.deadlines import due_date
from simulation.scenario import parse_scenario
from tests.scenario_counts import DAYS, count_year, read_story, timeliness

PROFILE = "reference-2023-24"
SEEDS = (1, 2, 2024)

# The reference council's 2023-24, written out (shared/reference/, sections 5 to 15 and
# appendices 1 and 3).
STATUTORY_COMPLAINANTS = {"child": 1, "child_with_advocate": 13, "family_member": 80, "professional": 8}
STATUTORY_STAGES = {"1": 79, "2": 19, "3": 4}
STATUTORY_OUTCOMES = {"upheld": 19, "partially_upheld": 41, "not_upheld": 34, "no_response": 8}
STATUTORY_TIMELINESS = {"within_10": 54, "within_20": 6, "late": 42}
STATUTORY_OMBUDSMAN = {"premature": 5, "upheld_fault_and_injustice": 4, "not_upheld": 2,
                       "upheld_remedied_already": 1, "remedies_gbp": 250.0}
STATUTORY_COSTS = {"Q1": 12215.90, "Q2": 10214.05, "Q3": 25829.00, "Q4": 23848.70}
CORPORATE_TIMELINESS = {"within_15": 80, "within_25": 6, "late": 14}
MONTHS = ["2023-04", "2023-05", "2023-06", "2023-07", "2023-08", "2023-09",
          "2023-10", "2023-11", "2023-12", "2024-01", "2024-02", "2024-03"]


@functools.cache
def year(seed: int) -> dict:
    return generate(PROFILE, seed)


# -- the generated year ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_the_year_is_a_valid_scenario(seed):
    scenario = parse_scenario(year(seed))
    assert scenario.until == date(2024, 9, 30)
    assert len(scenario.complaints) == 202 and 35 <= len(scenario.compliments) <= 45
    refs = [c.ref for c in scenario.complaints]
    assert refs[0] == "CS-2023-0001" and refs[101] == "CS-2023-0102"
    assert refs[102] == "CC-2023-0001" and refs[-1] == "CC-2023-0100"
    investigators = [o for o in scenario.officers if o.id.startswith("io-")]
    assert 12 <= len(investigators) <= 16
    assert all(o.email.endswith("@council.example") for o in scenario.officers)
    assert all(c.complainant.email.endswith("@example.org") for c in scenario.complaints)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_statutory_year_has_the_reference_figures(seed):
    t = count_year(year(seed), "2023-24")
    by_month = t["statutory_by_month"]
    assert list(by_month) == MONTHS and sum(by_month.values()) == 102  # every month has some
    assert t["statutory_complainants"] == STATUTORY_COMPLAINANTS
    assert t["statutory_stages"] == STATUTORY_STAGES
    assert t["statutory_outcomes"] == STATUTORY_OUTCOMES
    assert t["statutory_timeliness"] == STATUTORY_TIMELINESS
    reasons = t["statutory_escalation_reasons"]
    assert reasons["no_response"] == 8 and sum(reasons.values()) == 23
    assert set(reasons) <= {"no_response", "disagree", "late_response", "no_actions"}
    assert t["statutory_ombudsman"] == STATUTORY_OMBUDSMAN
    assert t["statutory_costs"] == STATUTORY_COSTS
    assert sum(t["statutory_learning"].values()) == 15
    areas = t["statutory_by_service_area"]
    assert sum(areas.values()) == 102 and len(areas) >= 6
    complaint_reasons = t["statutory_reasons"]
    assert set(complaint_reasons) <= {"service_failure", "communication", "staff_attitude", "placement",
                                      "wrong_information"}
    top_two = sorted(complaint_reasons, key=complaint_reasons.get)[-2:]
    assert set(top_two) == {"communication", "service_failure"}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_corporate_appendix_and_the_compliments(seed):
    t = count_year(year(seed), "2023-24")
    assert list(t["corporate_by_month"]) == MONTHS and sum(t["corporate_by_month"].values()) == 100
    assert t["corporate_timeliness"] == CORPORATE_TIMELINESS  # 20 beyond 15 working days
    assert 4 <= t["corporate_stages"].get("2", 0) <= 6 and "3" not in t["corporate_stages"]
    assert t["corporate_complainants"]["family_member"] > 60
    assert set(t["corporate_complainants"]) <= {"family_member", "professional", "foster_carer"}
    assert t["corporate_costs"] == {} and t["corporate_ombudsman"] == {}
    assert 35 <= sum(t["compliments_by_team"].values()) <= 45


@pytest.mark.parametrize("seed", SEEDS)
def test_the_actions_are_shaped_as_the_brief_says(seed):
    scenario = year(seed)
    statutory = [c for c in scenario["complaints"] if c["policy"] == "children-statutory"]
    kinds = [a["do"] for c in statutory for a in c["actions"]]
    assert 12 <= kinds.count("submit_learning") <= 18
    assert kinds.count("reassign") >= 3 and kinds.count("suspend") == kinds.count("resume") >= 3
    assert kinds.count("refer_to_ombudsman") == kinds.count("ombudsman_decision") == 12
    for c in statutory:
        actions = c["actions"]
        dates = [a["date"] for a in actions]
        assert dates == sorted(dates) and dates[0] >= c["received"]
        for a in actions:
            if a["do"] in ("record_cost", "refer_to_ombudsman", "ombudsman_decision"):
                assert a["on"] == a["date"] and a["date"] < scenario["until"]
            if a["do"] == "refer_to_ombudsman":
                responses = [b["date"] for b in actions if b["do"] == "respond"]
                assert max(responses) < a["on"] <= date(2024, 3, 31)
        if any(a["do"] == "escalate" for a in actions):
            stage_two = actions[[a["do"] for a in actions].index("escalate"):]
            assert {"assign", "appoint_independent_person"} <= {a["do"] for a in stage_two}
        stage_one = actions[:next((i for i, a in enumerate(actions) if a["do"] == "escalate"), len(actions))]
        if "suspend" not in [a["do"] for a in stage_one]:
            for a in stage_one:  # a late answer is clearly late, however one counts: day 22 or later
                if a["do"] == "respond":
                    assert DAYS.count_after(DAYS.start_day(c["received"]), a["date"]) != 21, c["ref"]
    for item in scenario["compliments"]:
        assert date(2023, 4, 1) <= item["date"] <= date(2024, 3, 31) and item["team"] and item["text"]


def replay(scenario: dict):
    """Every complaint through the engine's rulebook, as the workflow drives it: catch up
    to the action's moment, ask whether it is refused, apply it. Yields (ref, complaint,
    refusals)."""
    parsed = parse_scenario(scenario)
    directory = parsed.directory()
    for c in parsed.complaints:
        reg = c.registration(directory, parsed.complaints_team.email)
        policy = load_policy(reg.policy)
        calendar = WorkingCalendar(complaint_days_off(london(reg.received).date(), policy.closure_days))
        complaint, _ = Complaint.register(reg, policy, calendar, reg.received)
        refusals = []
        for act in c.actions:
            now = act.moment()
            complaint.advance(now)
            refusal = complaint.refusal(act.do, act.request(), now)
            if refusal is not None:
                refusals.append(f"{act.date} {act.do}: {refusal}")
                continue
            complaint.apply(act.do, act.request(), now)
        complaint.advance(parsed.end())
        yield c.ref, complaint, refusals


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_the_rulebook_accepts_every_action_and_agrees_with_the_oracle(seed):
    scenario = year(seed)
    by_ref = {c["ref"]: c for c in scenario["complaints"]}
    for ref, complaint, refusals in replay(scenario):
        assert refusals == [], ref
        st = complaint.state
        assert all(s.responded for s in st.stages[1:]), ref  # stages 2 and 3 done by `until`
        c = by_ref[ref]
        story = read_story(c, scenario["until"])
        one = st.stages[0]
        engine = ("late" if not one.on_time else
                  ("within_20" if c["policy"] == "children-statutory" else "within_25") if one.extended_due else
                  ("within_10" if c["policy"] == "children-statutory" else "within_15"))
        assert timeliness(story, scenario["until"], c["policy"]) == engine, ref
        assert story.final_stage == len(st.stages), ref
        assert (story.outcome, story.due) == (one.outcome, one.due), ref
        assert all(r.decided is not None for r in st.ombudsman), ref


def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path, capsys):
    files = []
    for seed in (5, 5, 6):
        out = tmp_path / f"year-{len(files)}.yaml"
        assert main(["caseload", "--like", PROFILE, "--seed", str(seed), "--out", str(out)]) == 0
        files.append(out.read_text())
    assert files[0] == files[1] != files[2]
    assert "&id" not in files[0] and "*id" not in files[0]  # no YAML aliases
    assert "received: 2023-04-" in files[0]
    data = yaml.safe_load(files[0])
    assert count_year(data, "2023-24")["statutory_costs"] == STATUTORY_COSTS
    parse_scenario(data)
    assert main(["caseload", "--like", PROFILE, "--seed", "5"]) == 0
    assert capsys.readouterr().out == files[0]


def test_an_unknown_profile_is_refused(capsys):
    assert main(["caseload", "--like", "reference-1999-00", "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert err == "complaints: unknown caseload profile 'reference-1999-00'; known: reference-2023-24\n"


# -- the oracle on its own -----------------------------------------------------------------------

OFFICERS = [{"id": "io-1", "name": "Investigating Officer 1", "email": "io1@council.example"}]


def tiny(*complaints, until="2024-12-31", compliments=()) -> dict:
    """A small scenario, read back through YAML as a file would be."""
    data = {"officers": OFFICERS, "complaints_team": {"email": "complaints@council.example"}, "until": until,
            "complaints": list(complaints), "compliments": list(compliments)}
    return yaml.safe_load(yaml.safe_dump(data))


def complaint(ref, received, *actions, policy="children-statutory", kind="parent", **extra) -> dict:
    return {"ref": ref, "policy": policy, "received": received,
            "complainant": {"name": "C", "email": "c@example.org", "type": kind},
            "actions": [dict(zip(("date", "do"), a[:2]), **(a[2] if len(a) > 2 else {})) for a in actions],
            **extra}


def test_oracle_bank_holidays_inside_a_deadline():
    # Saturday 23 December 2023: start day Wednesday 27th (25, 26 are bank holidays, and
    # 1 January); day 10 is Thursday 11 January 2024 (procedures.md section 2).
    on_time = complaint("A", "2023-12-23", ("2023-12-27", "assign", {"officer": "io-1"}),
                        ("2024-01-11", "respond", {"outcome": "upheld"}))
    late = complaint("B", "2023-12-23", ("2023-12-27", "assign", {"officer": "io-1"}),
                     ("2024-01-12", "respond", {"outcome": "not_upheld"}))
    # Wednesday 27 March 2024: Good Friday and Easter Monday skipped, due Friday 12 April.
    easter = complaint("C", "2024-03-27", ("2024-03-27", "assign", {"officer": "io-1"}),
                       ("2024-04-12", "respond", {"outcome": "partially_upheld"}))
    t = count_year(tiny(on_time, late, easter), "2023-24")
    assert t["statutory_timeliness"] == {"within_10": 2, "late": 1}
    assert t["statutory_outcomes"] == {"upheld": 1, "not_upheld": 1, "partially_upheld": 1}
    assert t["statutory_by_month"] == {"2023-12": 2, "2024-03": 1}
    assert t["statutory_stages"] == {"1": 3}
    assert t["statutory_complainants"] == {"family_member": 3}


def test_oracle_an_extension_counts_from_the_due_date():
    def extended(ref, responded, **extension):
        return complaint(ref, "2024-03-27", ("2024-03-27", "assign", {"officer": "io-1"}),
                         ("2024-04-08", "extend", {"reason": "complex", **extension}),
                         (responded, "respond", {"outcome": "upheld"}))
    t = count_year(tiny(extended("A", "2024-04-26"), extended("B", "2024-04-29"),
                        extended("C", "2024-04-19", new_due="2024-04-19"),
                        extended("D", "2024-04-22", new_due="2024-04-19")), "2023-24")
    # Day 20 is 26 April 2024 (contracts.md: max_due); a named date replaces it.
    assert t["statutory_timeliness"] == {"within_20": 2, "late": 2}
    corporate = complaint("E", "2024-03-27", ("2024-03-27", "assign", {"officer": "io-1"}),
                          ("2024-04-08", "extend", {"reason": "complex"}),
                          ("2024-05-03", "respond", {"outcome": "upheld"}), policy="corporate")
    # Corporate: 15 working days (19 April), extended by 10 to 3 May.
    assert count_year(tiny(corporate), "2023-24")["corporate_timeliness"] == {"within_25": 1}


def test_oracle_a_suspension_stops_and_restarts_the_clock():
    # contracts.md's example: extended to 26 April, suspended on 10 April with 12 working
    # days left, resumed on 13 May: due 30 May (27 May is a bank holiday).
    def suspended(ref, responded):
        return complaint(ref, "2024-03-27", ("2024-03-28", "assign", {"officer": "io-1"}),
                         ("2024-04-08", "extend", {"reason": "complex"}),
                         ("2024-04-10", "suspend", {"reason": "court_proceedings"}),
                         ("2024-05-13", "resume"), (responded, "respond", {"outcome": "upheld"}))
    unextended = complaint("C", "2024-03-27", ("2024-03-28", "assign", {"officer": "io-1"}),
                           ("2024-04-10", "suspend", {"reason": "court_proceedings"}),
                           ("2024-05-13", "resume"), ("2024-05-16", "respond", {"outcome": "upheld"}))
    # Without the extension: due 12 April, 2 days left after 10 April, due 15 May.
    t = count_year(tiny(suspended("A", "2024-05-30"), suspended("B", "2024-05-31"), unextended), "2023-24")
    assert t["statutory_timeliness"] == {"within_20": 1, "late": 2}
    still = complaint("D", "2024-03-27", ("2024-04-10", "suspend", {"reason": "court_proceedings"}))
    assert count_year(tiny(still, until="2024-06-30"), "2023-24")["statutory_timeliness"] == {"awaiting": 1}


def test_oracle_a_no_response_escalation():
    c = complaint("A", "2023-06-01", ("2023-06-01", "assign", {"officer": "io-1"}),
                  ("2023-06-19", "escalate", {"reason": "no_response"}),
                  ("2023-06-20", "assign", {"officer": "io-1"}),
                  ("2023-07-10", "respond", {"outcome": "upheld"}),
                  ("2023-07-12", "submit_learning", {"text": "Reply on time."}))
    t = count_year(tiny(c), "2023-24")
    assert t["statutory_outcomes"] == {"no_response": 1}
    assert t["statutory_timeliness"] == {"late": 1}
    assert t["statutory_stages"] == {"2": 1}
    assert t["statutory_escalation_reasons"] == {"no_response": 1}
    assert t["statutory_learning"] == {"2023-06": 1}


def test_oracle_unanswered_at_the_end_awaiting_or_late_and_withdrawn():
    open_one = complaint("A", "2024-03-20")                        # due 5 April 2024 (Easter skipped)
    withdrawn = complaint("B", "2024-03-20", ("2024-03-21", "withdraw"))
    after_until = complaint("C", "2024-03-20", ("2024-04-30", "respond", {"outcome": "upheld"}))
    t = count_year(tiny(open_one, withdrawn, after_until, until="2024-04-05"), "2023-24")
    assert t["statutory_timeliness"] == {"awaiting": 2, "withdrawn": 1}
    assert t["statutory_outcomes"] == {"awaiting": 2, "withdrawn": 1}
    t = count_year(tiny(open_one, withdrawn, until="2024-04-08"), "2023-24")
    assert t["statutory_timeliness"] == {"late": 1, "withdrawn": 1}


def test_oracle_ombudsman_costs_and_compliments_count_by_their_own_dates():
    c = complaint("A", "2023-01-10", ("2023-01-10", "assign", {"officer": "io-1"}),
                  ("2023-01-20", "respond", {"outcome": "upheld"}),
                  ("2023-01-25", "escalate", {"reason": "disagree"}),
                  ("2023-03-31", "record_cost", {"stage": 2, "item": "investigator", "amount_gbp": 99.99}),
                  ("2023-04-03", "record_cost", {"stage": 2, "item": "investigator", "amount_gbp": 1000.10}),
                  ("2023-06-30", "record_cost", {"stage": 2, "item": "independent_person", "amount_gbp": 0.2,
                                                 "on": "2023-06-30"}),
                  ("2023-07-03", "record_cost", {"stage": 2, "item": "investigator", "amount_gbp": 5.05,
                                                 "on": "2023-06-29"}),
                  ("2024-01-02", "record_cost", {"stage": 2, "item": "panel", "amount_gbp": 12.5}),
                  ("2024-03-28", "refer_to_ombudsman", {"on": "2024-03-28"}),
                  ("2024-05-01", "ombudsman_decision", {"result": "upheld_fault_and_injustice", "remedy_gbp": 250}),
                  ("2024-05-02", "refer_to_ombudsman"))
    other = complaint("B", "2023-05-02", ("2023-05-03", "refer_to_ombudsman", {"on": "2023-05-02"}))
    compliments = [{"date": "2023-04-01", "team": "Fostering", "text": "Thank you."},
                   {"date": "2024-03-31", "team": "Fostering", "text": "Thank you."},
                   {"date": "2024-04-01", "team": "Early help", "officer": "io-1", "text": "Thank you."}]
    t = count_year(tiny(c, other, compliments=compliments), "2023-24")
    # The complaint was received the year before; its referral and costs count by their dates.
    assert t["statutory_by_month"] == {"2023-05": 1}
    assert t["statutory_costs"] == {"Q1": 1005.35, "Q4": 12.5}
    assert t["statutory_ombudsman"] == {"upheld_fault_and_injustice": 1, "awaiting": 1, "remedies_gbp": 250.0}
    assert t["compliments_by_team"] == {"Fostering": 2}
    assert count_year(tiny(c), "2024-25")["statutory_ombudsman"] == {"awaiting": 1}
    assert count_year(tiny(c), "2022-23")["statutory_costs"] == {"Q4": 99.99}


def test_oracle_leaves_out_refused_registrations_and_other_procedures():
    old = complaint("A", "2023-06-01", matter_date="2022-05-31")
    accepted = complaint("B", "2023-06-01", matter_date="2022-05-31", late_accepted=True, late_reason="advocate")
    in_time = complaint("C", "2023-06-01", matter_date="2022-06-01", kind="special_guardian",
                        service_area="Fostering", reasons=["communication", "placement"])
    code = complaint("D", "2023-06-01", policy="complaint-handling-code")
    t = count_year(tiny(old, accepted, in_time, code), "2023-24")
    assert t["statutory_by_month"] == {"2023-06": 2}
    assert t["statutory_by_service_area"] == {"Fostering": 1}
    assert t["statutory_reasons"] == {"communication": 1, "placement": 1}
    assert t["corporate_by_month"] == {}


def test_oracle_due_dates_agree_with_the_engines_deadline_arithmetic():
    """Two independent readings of procedures.md section 2, over three years of start days."""
    calendar = WorkingCalendar(days_off(2022, 2027))
    day = date(2023, 1, 1)
    while day < date(2026, 1, 1):
        for n in (5, 10, 15, 20, 25, 30):
            assert DAYS.due(day, n) == due_date(calendar, day, n), (day, n)
        day += timedelta(days=1)
