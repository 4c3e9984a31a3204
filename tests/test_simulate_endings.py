"""`complaints simulate` when complaints end before the scenario does (issue 7).

A complaint withdrawn at any point, or closed and past the year it could be reopened,
ends its workflow; the run goes on for the others and reports it: its summary line, and
a `rejected` line for each later action, saying the complaint has ended. The scenarios
are tests/scenarios/withdrawals.yaml and endings.yaml.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from models.yaml_files import read_yaml
from simulation.runner import simulate
from simulation.scenario import parse_scenario
from store.record_store import RecordStore

SCENARIOS = Path(__file__).resolve().parent / "scenarios"
COMPLAINTS = [str(Path(sys.executable).parent / "complaints")]

# When each complaint of withdrawals.yaml is withdrawn, and at which stage.
WITHDRAWN = {
    "WD-1-UNASSIGNED": ("2026-03-03", 1),
    "WD-1-ASSIGNED": ("2026-03-05", 1),
    "WD-2": ("2026-03-16", 2),
    "WD-3": ("2026-03-30", 3),
    "WD-SUSPENDED": ("2026-03-10", 1),
    "WD-DISCONTINUED": ("2026-03-10", 1),
}
# The actions that come after each withdrawal, as (date, do).
AFTER_WITHDRAWAL = {
    "WD-1-UNASSIGNED": [("2026-03-04", "assign")],
    "WD-1-ASSIGNED": [("2026-03-05", "withdraw"), ("2026-03-06", "respond"), ("2026-03-09", "submit_learning")],
    "WD-2": [],
    "WD-3": [("2026-04-10", "panel_held")],
    "WD-SUSPENDED": [("2026-03-11", "resume")],
    "WD-DISCONTINUED": [("2026-03-20", "proceedings_ended"), ("2026-03-23", "resubmit")],
}


def scenario_data(name: str, *, until: bool = True) -> dict:
    data = read_yaml((SCENARIOS / f"{name}.yaml").read_text())
    if not until:
        del data["until"]
    return data


_runs: dict[tuple[str, bool], list[dict]] = {}


async def timeline(name: str, *, until: bool = True) -> list[dict]:
    """The scenario's timeline, run once for the module (each run takes seconds)."""
    if (name, until) not in _runs:
        _runs[(name, until)] = await simulate(parse_scenario(scenario_data(name, until=until)))
    return _runs[(name, until)]


def of(lines: list[dict], ref: str, event: str) -> list[dict]:
    return [line for line in lines if line["ref"] == ref and line["event"] == event]


def summaries(lines: list[dict]) -> dict[str, tuple[str, int]]:
    """Each complaint's (status, stage), checking it has exactly one summary line."""
    found = [line for line in lines if line["event"] == "summary"]
    refs = [line["ref"] for line in found]
    assert len(refs) == len(set(refs)), f"a complaint with two summary lines: {refs}"
    return {line["ref"]: (line["status"], line["stage"]) for line in found}


def rejected(lines: list[dict], ref: str) -> list[tuple[str, str, str]]:
    return [(line["date"], line["do"], line["error"]) for line in of(lines, ref, "rejected")]


def kinds(lines: list[dict], ref: str) -> list[tuple[str, str, str]]:
    return [(line["date"], line["kind"], line["to"]) for line in of(lines, ref, "notification")]


def withdrawn_on(day: str) -> str:
    return f"the complaint was withdrawn on {day}; nothing more can be done to it"


def closed_for_good(day: str) -> str:
    return (f"the complaint closed on {day} and the year in which it could be reopened is over; "
            "nothing more can be done to it")


# -- withdrawals at each stage ------------------------------------------------------------


async def test_each_complaint_withdrawn_at_any_stage_is_reported_withdrawn_at_that_stage():
    lines = await timeline("withdrawals")
    assert summaries(lines) == {
        **{ref: ("withdrawn", stage) for ref, (_, stage) in WITHDRAWN.items()},
        "OK-ANSWERED": ("closed", 1),
    }
    assert [line["ref"] for line in lines if line["event"] == "summary"] == [
        *WITHDRAWN, "OK-ANSWERED"], "one summary a complaint, in the scenario's order"
    wd3 = of(lines, "WD-3", "summary")[0]["stages"]
    assert [(s["stage"], s["responded"], s["outcome"]) for s in wd3] == [
        (1, "2026-03-06", "not_upheld"), (2, "2026-03-20", "partially_upheld"), (3, None, None)]


async def test_each_withdrawal_is_confirmed_to_the_complainant_and_nothing_is_sent_after_it():
    lines = await timeline("withdrawals")
    for ref, (day, stage) in WITHDRAWN.items():
        confirmations = [line for line in of(lines, ref, "notification") if line["kind"] == "withdrawal_confirmation"]
        assert [(c["date"], c["to"], c["stage"]) for c in confirmations] == [(day, "complainant", stage)], ref
        assert all(line["date"] <= day for line in of(lines, ref, "notification")), (
            f"{ref}: no reminder or escalation once withdrawn")


async def test_actions_after_a_withdrawal_are_rejected_lines_saying_it_was_withdrawn():
    lines = await timeline("withdrawals")
    for ref, (day, _) in WITHDRAWN.items():
        assert rejected(lines, ref) == [(on, do, withdrawn_on(day)) for on, do in AFTER_WITHDRAWAL[ref]], ref


async def test_a_complaint_beside_the_withdrawn_ones_runs_to_its_end_unaffected():
    lines = await timeline("withdrawals")
    assert kinds(lines, "OK-ANSWERED") == [
        ("2026-03-02", "acknowledgement", "complainant"),
        ("2026-03-02", "assignment", "io-2"),
        ("2026-03-10", "response_issued", "complainant"),
    ]
    assert rejected(lines, "OK-ANSWERED") == []
    [summary] = of(lines, "OK-ANSWERED", "summary")
    assert [(s["stage"], s["responded"], s["on_time"], s["outcome"]) for s in summary["stages"]] == [
        (1, "2026-03-10", True, "upheld")]


# -- complaints that close, and whose workflows end a year later --------------------------


@pytest.mark.parametrize("until", [True, False], ids=["until", "no-until"])
async def test_closed_complaints_report_actions_after_their_workflow_ended(until, tmp_path):
    database = f"sqlite:///{tmp_path / 'kept.db'}"
    lines = await simulate(parse_scenario(scenario_data("endings", until=until)), database)
    assert summaries(lines) == {"CL-LAST-STAGE": ("closed", 2), "CL-WINDOW": ("closed", 1), "OK-LATER": ("closed", 1)}

    # Closed but within its year: the rulebook's own refusal. Past it: the workflow has ended.
    assert rejected(lines, "CL-LAST-STAGE") == [
        ("2026-04-15", "extend",
         "the complaint closed on 2026-04-14; only a late request accepted with a reason can reopen it"),
        ("2027-06-01", "respond", closed_for_good("2026-04-14")),
    ]
    # The window ran out after 20 working days (Good Friday and Easter Monday 2026 not counted).
    after_until = [("2028-01-10", "withdraw", closed_for_good("2026-04-07"))] if not until else []
    assert rejected(lines, "CL-WINDOW") == [
        ("2027-05-04", "escalate", closed_for_good("2026-04-07")),
        ("2027-05-05", "withdraw", closed_for_good("2026-04-07")),
        *after_until,
    ]
    # The Ombudsman and the invoice come after the workflow: the record store takes them,
    # as the `complaints` command does.
    record = RecordStore(database).complaint("CL-LAST-STAGE")
    assert [r["referred"] for r in record["ombudsman"]] == [date(2027, 6, 1)]
    assert [(c["stage"], c["item"], c["amount_gbp"]) for c in record["costs"]] == [(2, "investigator", 1200)]

    assert ("2027-01-20", "response_issued", "complainant") in kinds(lines, "OK-LATER")
    assert rejected(lines, "OK-LATER") == []


# -- the command ----------------------------------------------------------------------------


def test_the_command_runs_withdrawals_to_the_end_and_exits_0(tmp_path):
    """Without `until`, every complaint runs until its workflow ends, the withdrawn ones
    long before the rest."""
    scenario = tmp_path / "withdrawals.yaml"
    scenario.write_text(json.dumps(scenario_data("withdrawals", until=False), default=str))
    run = subprocess.run([*COMPLAINTS, "simulate", str(scenario)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert summaries(lines) == {
        **{ref: ("withdrawn", stage) for ref, (_, stage) in WITHDRAWN.items()},
        "OK-ANSWERED": ("closed", 1),
    }
    for ref, (day, _) in WITHDRAWN.items():
        assert rejected(lines, ref) == [(on, do, withdrawn_on(day)) for on, do in AFTER_WITHDRAWAL[ref]], ref
    assert ("2026-03-10", "response_issued", "complainant") in kinds(lines, "OK-ANSWERED")
