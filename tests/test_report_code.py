"""The Complaint Handling Code's part of the report: complaints refused and why, and
responses beyond the Code's timescales, from a small scenario run through the engine
into SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json

from cli.main import main

SCENARIO = """
officers:
  - {id: tm-1, name: Team Manager, email: tm1@council.example}
  - {id: io-1, name: Investigating Officer One, email: io1@council.example, manager: tm-1}
complaints_team: {email: complaints@council.example}
until: 2024-03-28
complaints:
  - ref: HC-01
    policy: complaint-handling-code
    received: 2024-01-08
    matter_date: 2022-06-01
    complainant: {name: A Parent, email: parent@example.org, type: parent}
  - ref: HC-02
    policy: complaint-handling-code
    received: 2024-01-08
    complainant: {name: A Parent, email: parent2@example.org, type: parent}
    actions:
      - {date: 2024-01-08, do: assign, officer: io-1}
      - {date: 2024-02-19, do: respond, outcome: upheld}
  - ref: HC-03
    policy: complaint-handling-code
    received: 2024-01-09
    complainant: {name: A Carer, email: carer@example.org, type: foster_carer}
    actions:
      - {date: 2024-01-09, do: assign, officer: io-1}
      - {date: 2024-01-15, do: respond, outcome: not_upheld}
"""


def _rows(path):
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_code_section_lists_refusals_and_late_responses(tmp_path, database):
    scenario = tmp_path / "code.yaml"
    scenario.write_text(SCENARIO)
    url = database
    assert main(["simulate", str(scenario), "--out", str(tmp_path / "timeline.jsonl"), "--database", url]) == 0
    out = tmp_path / "report"
    # The store holds 8 January to 15 January 2024 only: a part-year report.
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url, "--part-year"]) == 0

    # Counted by reason and by stage: a published report names no complaint.
    refused = _rows(out / "code_refusals.csv")
    assert len(refused) == 1 and "more than" in refused[0]["reason"] and refused[0]["complaints"] == "1"
    late = _rows(out / "code_non_compliance.csv")
    assert [(r["stage"], r["late_responses"], r["not_answered"]) for r in late] == [("1", "1", "0")]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complaint_handling_code"] == {"total": 2, "refused": 1, "stage1_late": 1}
    html = (out / "report.html").read_text()
    assert "Complaints refused, and why" in html
    assert "HC-01" not in html and "HC-02" not in html
