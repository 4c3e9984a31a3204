"""The example scenarios kept under tests/examples are the reference ones, unchanged.

They and their expected timelines come from an independent model of the rulebook. A
council's clone has only the project's copy; a developer's checkout may have the
reference folder (../shared/examples) beside it, and then the two must be identical.
"""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, SHARED_EXAMPLES


def test_the_project_keeps_its_example_scenarios():
    names = {p.name for p in EXAMPLES.iterdir()}
    for scenario in ("winter-2025", "review-panel-2026"):
        assert f"{scenario}.yaml" in names and f"{scenario}.expected.jsonl" in names


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="no ../shared/examples beside this checkout")
def test_the_kept_examples_equal_the_reference_ones():
    reference = {p.name: p.read_bytes() for p in SHARED_EXAMPLES.iterdir() if p.is_file()}
    kept = {p.name: p.read_bytes() for p in EXAMPLES.iterdir() if p.is_file()}
    assert kept == reference
