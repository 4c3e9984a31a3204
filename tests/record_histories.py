"""Records the histories the replay test keeps: `python -m tests.record_histories`.

Run it when a workflow change is meant to change histories: bump the folder name and
keep the old folders, so every history already written by running complaints still
replays. v1: the first engine; v2: policies with windows in months, Ombudsman and costs;
v3 (December 2026): the rulebook's version 2, recording apart from delivery, and
complaints withdrawn at every stage; v4: the rulebook's version 3 (every field checked
in the workflow too).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from simulation.runner import simulate
from simulation.scenario import load_scenario
from tests.conftest import EXAMPLES

HERE = Path(__file__).parent / "histories"
VERSION = "v4"
SCENARIOS = Path(__file__).parent / "scenarios"


def main() -> None:
    for scenario in [*sorted(EXAMPLES.glob("*.yaml")), SCENARIOS / "withdrawals.yaml"]:
        asyncio.run(simulate(load_scenario(scenario), histories=HERE / VERSION))


if __name__ == "__main__":
    main()
