"""`complaints deadline` as scripts and councils' tooling run it (contracts.md).

The installed command is run as a subprocess from the repository root: one JSON object on
stdout and exit 0, or one line on stderr and exit 2 with nothing on stdout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMPLAINTS = Path(sys.executable).parent / "complaints"
if not COMPLAINTS.exists():  # pragma: no cover - run outside the project's venv
    COMPLAINTS = ROOT / ".venv" / "bin" / "complaints"

CONTRACT_KEYS = ["policy", "stage", "from", "start_day", "working_days", "due", "max_working_days", "max_due"]


def complaints(*args: str, policy_dir: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "COMPLAINTS_POLICY_DIR"}
    if policy_dir is not None:
        env["COMPLAINTS_POLICY_DIR"] = str(policy_dir)
    return subprocess.run(
        [str(COMPLAINTS), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def deadline(policy: str, stage: int | str, start: str, **kw) -> dict:
    run = complaints("deadline", "--policy", policy, "--stage", str(stage), "--from", start, **kw)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    lines = run.stdout.splitlines()
    assert len(lines) == 1, run.stdout
    answer = json.loads(lines[0])
    assert list(answer) == CONTRACT_KEYS
    return answer


def refused(*args: str) -> str:
    run = complaints("deadline", *args)
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    return lines[0]


def test_the_contracts_example_exactly():
    run = complaints("deadline", "--policy", "children-statutory", "--stage", "1", "--from", "2024-03-27")
    assert run.returncode == 0 and run.stderr == ""
    assert json.loads(run.stdout) == {
        "policy": "children-statutory", "stage": 1, "from": "2024-03-27",
        "start_day": "2024-03-27", "working_days": 10, "due": "2024-04-12",
        "max_working_days": 20, "max_due": "2024-04-26",
    }
    assert run.stdout == (
        '{"policy": "children-statutory", "stage": 1, "from": "2024-03-27", '
        '"start_day": "2024-03-27", "working_days": 10, "due": "2024-04-12", '
        '"max_working_days": 20, "max_due": "2024-04-26"}\n'
    )


def test_received_at_the_weekend_before_christmas_starts_on_27_december():
    answer = deadline("children-statutory", 1, "2023-12-23")
    assert (answer["from"], answer["start_day"], answer["due"]) == ("2023-12-23", "2023-12-27", "2024-01-11")
    assert answer["max_due"] == "2024-01-25"


def test_statutory_stage_2_is_25_working_days_extendable_to_65():
    # contracts.md: stage 2 requested on 3 June 2024 is due on 8 July 2024.
    answer = deadline("children-statutory", 2, "2024-06-03")
    assert (answer["working_days"], answer["due"]) == (25, "2024-07-08")
    assert (answer["max_working_days"], answer["max_due"]) == (65, "2024-09-03")


def test_statutory_stage_3_is_the_panel_meeting_clock_with_no_extension():
    assert deadline("children-statutory", 3, "2024-03-27") == {
        "policy": "children-statutory", "stage": 3, "from": "2024-03-27",
        "start_day": "2024-03-27", "working_days": 30, "due": "2024-05-13",
        "max_working_days": None, "max_due": None,
    }


@pytest.mark.parametrize(
    "stage, working_days, due, max_working_days, max_due",
    [(1, 15, "2024-04-19", 25, "2024-05-03"), (2, 20, "2024-04-26", 40, "2024-05-28")],
)
def test_corporate_procedure(stage, working_days, due, max_working_days, max_due):
    answer = deadline("corporate", stage, "2024-03-27")
    assert answer["policy"] == "corporate" and answer["stage"] == stage
    assert (answer["working_days"], answer["due"]) == (working_days, due)
    assert (answer["max_working_days"], answer["max_due"]) == (max_working_days, max_due)


@pytest.mark.parametrize(
    "stage, working_days, due, max_working_days, max_due",
    [(1, 10, "2024-04-12", 20, "2024-04-26"), (2, 20, "2024-04-26", 40, "2024-05-28")],
)
def test_complaint_handling_code(stage, working_days, due, max_working_days, max_due):
    answer = deadline("complaint-handling-code", stage, "2024-03-27")
    assert answer["policy"] == "complaint-handling-code" and answer["stage"] == stage
    assert (answer["working_days"], answer["due"]) == (working_days, due)
    assert (answer["max_working_days"], answer["max_due"]) == (max_working_days, max_due)


def test_a_councils_own_policy_and_closure_days_are_used(tmp_path):
    (tmp_path / "corporate.yaml").write_text(textwrap.dedent("""\
        name: corporate
        version: 2
        title: Corporate complaints (with a Christmas shutdown)
        closure_days: [2024-12-27, 2024-12-30, 2024-12-31]
        stages:
          - {stage: 1, name: Response, working_days: 10, max_working_days: 20}
          - {stage: 2, name: Review, working_days: 20, max_working_days: 40}
        """))
    # Without the shutdown 10 working days from 23 December 2024 end on 9 January 2025.
    assert deadline("children-statutory", 1, "2024-12-23", policy_dir=tmp_path)["due"] == "2025-01-09"
    answer = deadline("corporate", 1, "2024-12-23", policy_dir=tmp_path)
    assert (answer["working_days"], answer["due"]) == (10, "2025-01-14")


def test_an_unknown_policy_is_one_line_naming_the_known_ones():
    line = refused("--policy", "scottish-statutory", "--stage", "1", "--from", "2024-03-27")
    assert "unknown policy 'scottish-statutory'" in line
    assert "children-statutory" in line and "corporate" in line and "complaint-handling-code" in line


@pytest.mark.parametrize("policy, stage", [("children-statutory", "4"), ("corporate", "3"), ("corporate", "0")])
def test_an_unknown_stage_is_one_line(policy, stage):
    line = refused("--policy", policy, "--stage", stage, "--from", "2024-03-27")
    assert f"{policy} procedure has no stage {stage}" in line


def test_a_stage_that_is_not_a_number_is_one_line():
    assert "--stage" in refused("--policy", "corporate", "--stage", "two", "--from", "2024-03-27")


@pytest.mark.parametrize("start", ["2024-02-30", "27/03/2024", "tomorrow"])
def test_a_malformed_date_is_one_line(start):
    line = refused("--policy", "children-statutory", "--stage", "1", "--from", start)
    assert "is not a date" in line and repr(start) in line


def test_a_missing_option_is_one_line():
    assert "--from" in refused("--policy", "children-statutory", "--stage", "1")
