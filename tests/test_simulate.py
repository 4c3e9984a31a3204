"""`complaints simulate` on the shared example scenarios gives exactly their expected timelines."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from simulation.runner import simulate
from models.yaml_files import read_yaml
from simulation.scenario import load_scenario
from store.record_store import RecordStore
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


# -- what the annual report reads besides complaints: compliments, refused registrations --

COMPLIMENTS = [
    {"date": "2026-01-05", "team": "Fostering", "officer": "io-1", "text": "Kind, and quick to call back."},
    {"date": "2026-02-10", "team": "Children in care", "text": "The team listened."},
    {"date": "2026-02-10", "team": "Children in care", "text": "The team listened."},  # two alike are two
]


def with_compliments_and_a_late_complaint() -> dict:
    data = read_yaml((EXAMPLES / "winter-2025.yaml").read_text())
    data["complaints"].append(dict(data["complaints"][0], ref="EX-LATE", matter_date="2024-06-01", actions=[]))
    data["compliments"] = COMPLIMENTS
    return data


async def test_a_scenario_s_compliments_and_refused_registrations_go_into_its_store(database):
    from simulation.scenario import parse_scenario

    data = with_compliments_and_a_late_complaint()
    got = await simulate(parse_scenario(data), database)
    want = expected("winter-2025")
    *timeline, refused = got
    assert as_expected(timeline, want) == want, "the timeline is the example's, whatever else the store keeps"
    assert (refused["event"], refused["ref"], refused["do"]) == ("rejected", "EX-LATE", "register")

    store = RecordStore(database)
    assert [(c["received"], c["team"], c["officer"], c["text"]) for c in store.compliments()] == [
        (date(2026, 1, 5), "Fostering", "io-1", "Kind, and quick to call back."),
        (date(2026, 2, 10), "Children in care", None, "The team listened."),
        (date(2026, 2, 10), "Children in care", None, "The team listened.")]
    [refusal] = store.refusals()
    assert (refusal["ref"], refusal["policy"], refusal["received"], refusal["action"], refusal["reason"]) == (
        "EX-LATE", "children-statutory", date(2025, 12, 19), "register", refused["error"])
    # Refused at the simulated moment of registration, not by the machine's clock.
    assert refusal["refused_at"] == datetime(2025, 12, 19, 10, tzinfo=ZoneInfo("Europe/London"))
    assert {r["ref"] for r in store.refusals(since=date(2026, 1, 1))} == set()

    # The same scenario again on the kept database: nothing twice.
    data["complaints"] = data["complaints"][-1:]
    assert [line["event"] for line in await simulate(parse_scenario(data), database)] == ["rejected"]
    assert len(store.compliments()) == 3 and len(store.refusals()) == 1


def test_compliments_are_checked_like_the_rest():
    from simulation.scenario import ScenarioError, parse_scenario

    def refused(*compliments: dict) -> str:
        data = read_yaml((EXAMPLES / "winter-2025.yaml").read_text())
        data["compliments"] = list(compliments)
        with pytest.raises(ScenarioError) as error:
            parse_scenario(data)
        return str(error.value)

    fine = COMPLIMENTS[0]
    assert refused(fine, dict(fine, officer="io-9")) == (
        "compliment 2, field officer: 'io-9' is not one of the scenario's officers")
    assert refused(dict(fine, date="2026-02-30")).startswith("compliment 1, field date: ")
    assert refused(fine, fine, {"date": "2026-01-05", "text": "x"}) == "compliment 3, field team: Field required"
    assert refused(dict(fine, text="")) == "compliment 1, field text: String should have at least 1 character"
    assert refused(dict(fine, stars=5)) == "compliment 1, field stars: Extra inputs are not permitted"
    data = read_yaml((EXAMPLES / "winter-2025.yaml").read_text())
    assert parse_scenario(data).compliments == []
