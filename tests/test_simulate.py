"""`complaints simulate` on the shared example scenarios gives exactly their expected timelines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from simulation.runner import simulate
from models.yaml_files import read_yaml
from simulation.scenario import load_scenario
from tests.conftest import EXAMPLES

SCENARIOS = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
COMPLAINTS = [str(Path(sys.executable).parent / "complaints")]


def expected(name: str) -> list[dict]:
    return [json.loads(line) for line in (EXAMPLES / f"{name}.expected.jsonl").read_text().splitlines() if line]


def as_expected(got: list[dict], want: list[dict]) -> list[dict]:
    """Each line cut down to the fields its expected line names (the timeline has more)."""
    return [{k: line.get(k) for k in ref} for line, ref in zip(got, want)]


def test_the_shared_examples_are_there():
    assert {"winter-2025", "review-panel-2026"} <= set(SCENARIOS), f"no example scenarios under {EXAMPLES}"


@pytest.mark.parametrize("name", SCENARIOS)
async def test_example_scenario_gives_its_expected_timeline(name):
    want = expected(name)
    got = await simulate(load_scenario(EXAMPLES / f"{name}.yaml"))
    assert len(got) == len(want)
    assert as_expected(got, want) == want
    for line in got:
        if line["event"] == "notification":
            assert line["at"].endswith(("+00:00", "+01:00")), "every timestamp carries its UTC offset"
        if line["event"] == "rejected":
            assert line["error"], "a refusal says why"


def test_command_writes_only_the_timeline_on_stdout(tmp_path):
    run = subprocess.run(
        [*COMPLAINTS, "simulate", str(EXAMPLES / "winter-2025.yaml")], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    want = expected("winter-2025")
    assert as_expected(lines, want) == want


def test_invalid_scenario_is_refused_before_anything_runs(tmp_path):
    data = read_yaml((EXAMPLES / "winter-2025.yaml").read_text())
    data["complaints"][1]["actions"][3]["new_due"] = "2026-02-30"
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps(data, default=str))
    out = tmp_path / "timeline.jsonl"
    run = subprocess.run(
        [*COMPLAINTS, "simulate", str(bad), "--out", str(out)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 2
    assert "EX-02" in run.stderr and "action 4 (extend)" in run.stderr and "new_due" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()


async def test_registration_refused_gives_one_rejected_line():
    data = read_yaml((EXAMPLES / "winter-2025.yaml").read_text())
    late = dict(data["complaints"][0], ref="EX-LATE", matter_date="2024-06-01", actions=[])
    data["complaints"] = [late]
    from simulation.scenario import parse_scenario

    got = await simulate(parse_scenario(data))
    assert [(line["event"], line["do"]) for line in got] == [("rejected", "register")]
    assert "more than 12 months" in got[0]["error"]
