"""Histories of real runs replay under the current code: a running complaint survives a deploy."""

from __future__ import annotations

from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from workflows.engine import DATA_CONVERTER
from temporalio.worker import Replayer

from worker import workflow_runner
from workflows.complaint import ComplaintWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").rglob("*.json"))


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 6


@pytest.mark.parametrize("path", HISTORIES, ids=lambda p: f"{p.parent.name}/{p.stem}")
async def test_history_replays(path):
    history = WorkflowHistory.from_json(path.stem, path.read_text())
    replayer = Replayer(
        workflows=[ComplaintWorkflow], data_converter=DATA_CONVERTER, workflow_runner=workflow_runner()
    )
    await replayer.replay_workflow(history)
