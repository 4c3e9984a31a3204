"""Procedures wholly as data (issue 7, part 4): a fourth procedure added as a policy file
runs end to end with no code changes. What it needs (an independent person at a stage,
which part of the annual report it belongs to) is in its file; the engine refuses an
independent person where the file has none, and the annual report lists every procedure
the record store holds, even one whose policy file has since gone.
"""

from __future__ import annotations

import csv
import json
import sqlite3
import textwrap

import pytest

from cli.main import main
from policies import BUILT_IN, Policy, PolicyError, load_policy

ADULT_CARE = """\
    # A council's own procedure for adult social care complaints.
    name: adult-social-care
    version: 1
    title: Adult social care complaints procedure
    suspension_allowed: true
    stages:
      - stage: 1
        name: Local response
        working_days: 20
        max_working_days: 40
      - stage: 2
        name: Independent investigation
        working_days: 30
        max_working_days: 65
        independent_person: true
    report:
      title: Adult social care complaints
      appendix: false
      order: 5
      sections: full
"""

SCENARIO = """\
officers:
  - {id: tm-1, name: Team Manager, email: tm1@council.example}
  - {id: io-1, name: Investigating Officer One, email: io1@council.example, manager: tm-1}
  - {id: io-2, name: Investigating Officer Two, email: io2@council.example, manager: tm-1}
complaints_team: {email: complaints@council.example}
until: 2024-03-28
complaints:
  - ref: AS-01
    policy: adult-social-care
    received: 2024-01-08
    service_area: Home care
    complainant: {name: A Daughter, email: daughter@example.org, type: family_member}
    actions:
      - {date: 2024-01-08, do: assign, officer: io-1}
      - {date: 2024-01-09, do: appoint_independent_person, name: Too Early}
      - {date: 2024-01-15, do: respond, outcome: not_upheld}
      - {date: 2024-01-22, do: escalate, reason: disagree}
      - {date: 2024-01-22, do: assign, officer: io-2}
      - {date: 2024-01-23, do: appoint_independent_person, name: An Independent Person}
      - {date: 2024-02-20, do: respond, outcome: partially_upheld}
  - ref: AS-02
    policy: adult-social-care
    received: 2024-01-10
    service_area: Residential care
    complainant: {name: A Resident, email: resident@example.org, type: other}
    actions:
      - {date: 2024-01-10, do: assign, officer: io-1}
      - {date: 2024-01-12, do: respond, outcome: upheld}
  - ref: AS-03
    policy: adult-social-care
    received: 2024-02-01
    service_area: Home care
    complainant: {name: A Son, email: son@example.org, type: family_member}
    actions:
      - {date: 2024-02-01, do: assign, officer: io-2}
      - {date: 2024-03-25, do: respond, outcome: not_upheld}
  - ref: CC-01
    policy: corporate
    received: 2024-01-08
    complainant: {name: A Professional, email: pro@example.org, type: professional}
    actions:
      - {date: 2024-01-08, do: assign, officer: io-1}
      - {date: 2024-01-10, do: respond, outcome: upheld}
      - {date: 2024-01-15, do: escalate, reason: disagree}
      - {date: 2024-01-15, do: assign, officer: io-2}
      - {date: 2024-01-16, do: appoint_independent_person, name: Not Here}
"""


def _rows(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _write_policy(folder, name: str, text: str):
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text))
    return path


@pytest.fixture
def council_dir(tmp_path, monkeypatch):
    folder = tmp_path / "council-policies"
    folder.mkdir()
    monkeypatch.setenv("COMPLAINTS_POLICY_DIR", str(folder))
    return folder


@pytest.fixture
def adult_care_year(tmp_path, council_dir):
    """The scenario through the real engine (`complaints simulate`), its store kept."""
    _write_policy(council_dir, "adult-social-care", ADULT_CARE)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    db = tmp_path / "records.db"
    timeline = tmp_path / "timeline.jsonl"
    assert main(["simulate", str(scenario), "--out", str(timeline), "--database", f"sqlite:///{db}"]) == 0
    lines = [json.loads(line) for line in timeline.read_text().splitlines()]
    return db, lines


def test_a_fourth_procedure_runs_end_to_end_and_is_in_the_annual_report(tmp_path, adult_care_year, monkeypatch):
    db, lines = adult_care_year
    url = f"sqlite:///{db}"

    # The engine: an independent person is refused where the policy file has none...
    rejected = [(line["ref"], line["do"], line["error"]) for line in lines if line["event"] == "rejected"]
    assert rejected == [
        ("AS-01", "appoint_independent_person",
         "stage 1 (Local response) of the adult-social-care procedure has no independent person; "
         "one is appointed at stage 2"),
        ("CC-01", "appoint_independent_person",
         "stage 2 (Review) of the corporate procedure has no independent person; "
         "the corporate procedure appoints none"),
    ]
    # ... and accepted at stage 2, where it has one.
    with sqlite3.connect(db) as conn:
        appointed = conn.execute("SELECT ref, stage, independent_person FROM stages "
                                 "WHERE independent_person IS NOT NULL").fetchall()
    assert appointed == [("AS-01", 2, "An Independent Person")]
    summaries = {line["ref"]: line for line in lines if line["event"] == "summary"}
    assert (summaries["AS-01"]["policy"], summaries["AS-01"]["status"], summaries["AS-01"]["stage"]) == (
        "adult-social-care", "closed", 2)

    # The annual report: the procedure's own part, placed by its file, with its tables.
    out = tmp_path / "report"
    # The store holds January to March 2024 only: part of the year.
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", url, "--as-of", "2024-09-30",
                 "--part-year", "--draft"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["adult-social-care"] == {
        "title": "Adult social care complaints procedure",
        "total": 3,
        "final_stage": {"1": 2, "2": 1},
        "outcomes": {"upheld": 1, "not_upheld": 2},
        "complainants": {"family_member": 2, "other": 1},
        "stage1_within_20": 2, "stage1_within_40": 0, "stage1_late": 1,
        "ombudsman_referrals": 0,
        "costs_gbp": {"Q1": 0.0, "Q2": 0.0, "Q3": 0.0, "Q4": 0.0},
    }
    # The built-ins keep their keys, and nobody else's complaints are counted in them.
    assert summary["statutory"]["total"] == 0 and summary["corporate"]["total"] == 1
    assert "complaint_handling_code" not in summary

    stages = {r["final_stage"]: r["complaints"] for r in _rows(out / "adult-social-care_stages.csv")}
    assert stages == {"1": "2", "2": "1"}
    timeliness = {r["category"]: r["complaints"] for r in _rows(out / "adult-social-care_timeliness.csv")}
    assert timeliness == {"within_20": "2", "late": "1"}
    by_month = {r["month"]: r["complaints"] for r in _rows(out / "adult-social-care_by_month.csv")}
    assert (by_month["2024-01"], by_month["2024-02"], by_month["2024-03"]) == ("2", "1", "0")
    later = _rows(out / "adult-social-care_later_stages.csv")
    assert [(r["stage"], r["reached"], r["on_time"]) for r in later] == [("2", "1", "1")]
    areas = {r["service_area"]: r["complaints"] for r in _rows(out / "adult-social-care_by_service_area.csv")}
    assert areas == {"Home care": "2", "Residential care": "1"}

    html = (out / "report.html").read_text()
    headings = [
        "<h2>Children&#39;s statutory complaints and representations</h2>",
        "<h2>Adult social care complaints</h2>",
        "<h2>Appendix 1: complaints through the corporate procedure</h2>",
        "<h2>Appendix 2: compliments</h2>",
    ]
    assert all(h in html for h in headings)
    assert [html.index(h) for h in headings] == sorted(html.index(h) for h in headings)
    assert "There were 3 complaints under the Adult social care complaints procedure in 2023-24." in html

    # The policy file gone (the council removed its folder): the complaints are still reported.
    monkeypatch.delenv("COMPLAINTS_POLICY_DIR")
    with pytest.raises(PolicyError):
        load_policy("adult-social-care")
    gone = tmp_path / "report-without-the-file"
    assert main(["report", "--year", "2023-24", "--out", str(gone), "--database", url, "--as-of", "2024-09-30",  # January to March only
                 "--part-year", "--draft"]) == 0
    summary = json.loads((gone / "summary.json").read_text())
    kept = summary["adult-social-care"]
    assert (kept["total"], kept["final_stage"], kept["stage1_late"]) == (3, {"1": 2, "2": 1}, 1)
    assert "no longer available" in kept["note"]
    stages = {r["final_stage"]: r["complaints"] for r in _rows(gone / "adult-social-care_stages.csv")}
    assert stages == {"1": "2", "2": "1"}
    html = (gone / "report.html").read_text()
    assert "Appendix 2: complaints under the adult-social-care procedure" in html
    assert "The adult-social-care procedure&#39;s policy file is no longer available" in html


# -- the policy file: the new settings, validated like the others -------------------------------


@pytest.mark.parametrize(("change", "field"), [
    (("        independent_person: true", "        independent_person: maybe"), "stages.1.independent_person"),
    (("        independent_person: true", "        independent_person: 1"), "stages.1.independent_person"),
    (("      sections: full", "      sections: everything"), "report.sections"),
    (("      order: 5", "      order: -1"), "report.order"),
    (("      appendix: false", "      appendix: no"), "report.appendix"),
    (("      title: Adult social care complaints", "      title: ''"), "report.title"),
    (("      sections: full", "      sections: full\n      colour: blue"), "report.colour"),
])
def test_a_bad_value_in_the_new_settings_is_refused_naming_the_file_and_field(council_dir, change, field):
    old, new = change
    bad = ADULT_CARE.replace(old, new, 1)
    assert bad != ADULT_CARE
    _write_policy(council_dir, "adult-social-care", bad)
    with pytest.raises(PolicyError) as refused:
        load_policy("adult-social-care")
    message = str(refused.value)
    assert message.startswith("policy file adult-social-care.yaml: ")
    assert f"field {field}:" in message


def test_a_procedure_file_says_where_its_independent_person_and_report_part_are(council_dir):
    _write_policy(council_dir, "adult-social-care", ADULT_CARE)
    policy = load_policy("adult-social-care")
    assert [s.independent_person for s in policy.stages] == [False, True]
    assert (policy.report.title, policy.report.appendix, policy.report.order, policy.report.sections) == (
        "Adult social care complaints", False, 5, "full")
    # A file with no report setting is an appendix under its title.
    _write_policy(council_dir, "short", """\
        name: short
        version: 1
        title: A short procedure
        stages:
          - {stage: 1, name: Response, working_days: 10}
        """)
    short = load_policy("short")
    assert (short.report.title, short.report.appendix, short.report.sections, short.report.always) == (
        "A short procedure", True, "brief", False)
    assert not short.stage(1).independent_person


def test_the_built_in_files_carry_what_the_engine_once_knew_by_name():
    statutory = load_policy("children-statutory")
    assert [s.stage for s in statutory.stages if s.independent_person] == [2]
    assert not any(s.independent_person for name in ("corporate", "complaint-handling-code")
                   for s in load_policy(name).stages)
    parts = {name: load_policy(name).report for name in ("children-statutory", "corporate", "complaint-handling-code")}
    assert (parts["children-statutory"].appendix, parts["children-statutory"].sections) == (False, "full")
    assert (parts["corporate"].appendix, parts["corporate"].order, parts["corporate"].sections) == (True, 1, "brief")
    assert parts["complaint-handling-code"].sections == "code" and not parts["complaint-handling-code"].always


@pytest.mark.parametrize("name", ["children-statutory", "corporate", "complaint-handling-code"])
def test_a_policy_copy_from_before_these_settings_reads_as_it_behaved(name):
    """A running complaint carries the copy of its policy it started with: without
    ``independent_person`` or ``report``, it gets what the engine then knew by the name."""
    now = load_policy(name)
    old = now.model_dump(mode="json")
    old.pop("report")
    for stage in old["stages"]:
        stage.pop("independent_person")
    copy = Policy.model_validate(old)
    assert [s.independent_person for s in copy.stages] == [s.independent_person for s in now.stages]
    assert copy.report == now.report


def test_a_file_that_says_no_independent_person_is_taken_at_its_word(council_dir):
    """Only a copy silent on every stage is read as the old code behaved."""
    text = (BUILT_IN / "children-statutory.yaml").read_text()
    _write_policy(council_dir, "children-statutory",
                  text.replace("    independent_person: true", "    independent_person: false"))
    assert not any(s.independent_person for s in load_policy("children-statutory").stages)
