"""A generated reference year through the real engine, then the annual report on its record store.

`complaints caseload` writes a year shaped like the reference council's 2023-24,
`complaints simulate` runs it through the real workflows (Temporal, SMTP, SQLite) and
keeps the record store, and `complaints report` reads it back. The report's tables are
held against counts made straight from the scenario file by tests/scenario_counts.py,
which shares no code with the report (nor with the engine).
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from cli.main import main
from tests.scenario_counts import count_year as count

ROOT = Path(__file__).parent.parent
HISTORY = ROOT / "reports/examples/reference-history.yaml"
# Kept after the run, for a person (or CI) to look at.
ARTIFACTS = Path(os.environ.get("COMPLAINTS_TEST_ARTIFACTS", ROOT / "tests/artifacts"))

# The reference report's headline figures for 2023-24, as the issue gives them.
REFERENCE = {
    "year": "2023-24",
    "statutory": {"total": 102, "final_stage": {"1": 79, "2": 19, "3": 4},
                  "outcomes": {"upheld": 19, "partially_upheld": 41, "not_upheld": 34, "no_response": 8},
                  "complainants": {"child": 1, "child_with_advocate": 13, "family_member": 80, "professional": 8},
                  "stage1_within_10": 54, "stage1_within_20": 6, "stage1_late": 42},
    "corporate": {"total": 100, "stage1_beyond_timescale": 20},
    "ombudsman": {"referrals": 12, "remedies_gbp": 250.0},
    "costs_gbp": {"Q1": 12215.90, "Q2": 10214.05, "Q3": 25829.00, "Q4": 23848.70},
}


@pytest.fixture(scope="module")
def reference_year(tmp_path_factory):
    work = tmp_path_factory.mktemp("reference-year")
    scenario = work / "scenario.yaml"
    assert main(["caseload", "--like", "reference-2023-24", "--seed", "7", "--out", str(scenario)]) == 0
    url = f"sqlite:///{work / 'records.db'}"
    timeline = work / "timeline.jsonl"
    assert main(["simulate", str(scenario), "--out", str(timeline), "--database", url]) == 0
    out = work / "report"
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", url,
                 "--history", str(HISTORY)]) == 0
    return scenario, timeline, out


def _csv(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _column(out: Path, name: str, value: str) -> dict[str, float]:
    """{first column: ``value`` column} for the rows of a CSV, zero rows left out."""
    rows = _csv(out, name)
    found = {}
    for row in rows:
        label = next(iter(row.values()))
        number = float(row[value] or 0)
        if number:
            found[label] = number
    return found


def test_the_engine_accepted_every_action_of_the_generated_year(reference_year):
    _, timeline, _ = reference_year
    lines = [json.loads(line) for line in timeline.read_text().splitlines()]
    assert [line for line in lines if line["event"] == "rejected"] == []
    assert sum(line["event"] == "summary" for line in lines) == 202


def test_the_report_gives_the_reference_reports_headline_figures(reference_year):
    _, _, out = reference_year
    summary = json.loads((out / "summary.json").read_text())
    assert summary == REFERENCE


TABLES = {
    # table as scenario_counts names it: (CSV file, value column)
    "{p}_by_month": ("{p}_by_month", "complaints"),
    "{p}_by_service_area": ("{p}_by_service_area", "complaints"),
    "{p}_complainants": ("{p}_complainants", "complaints"),
    "{p}_reasons": ("{p}_reasons", "complaints"),
    "{p}_escalation_reasons": ("{p}_escalation_reasons", "requests"),
    "{p}_stages": ("{p}_stages", "complaints"),
    "{p}_outcomes": ("{p}_outcomes", "complaints"),
    "{p}_timeliness": ("{p}_timeliness", "complaints"),
    "{p}_learning": ("{p}_learning", "forms_returned"),
    "{p}_costs": ("{p}_costs", "spent_gbp"),
}


@pytest.mark.parametrize("procedure", ["statutory", "corporate"])
@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_matches_counts_made_from_the_scenario(reference_year, procedure, table):
    scenario, _, out = reference_year
    expected = count(scenario, "2023-24")
    name, column = (t.format(p=procedure) for t in TABLES[table])
    assert _column(out, name, column) == pytest.approx(expected.get(table.format(p=procedure), {}))


@pytest.mark.parametrize("procedure", ["statutory", "corporate"])
def test_ombudsman_table_matches_the_scenario(reference_year, procedure):
    scenario, _, out = reference_year
    expected = dict(count(scenario, "2023-24").get(f"{procedure}_ombudsman", {}))
    remedies = expected.pop("remedies_gbp", 0)
    rows = _csv(out, f"{procedure}_ombudsman")
    assert {r["result"]: int(r["referrals"]) for r in rows} == expected
    assert sum(float(r["remedies_gbp"]) for r in rows) == pytest.approx(remedies)


def test_compliments_by_team_match_the_scenario(reference_year):
    scenario, _, out = reference_year
    expected = count(scenario, "2023-24").get("compliments_by_team", {})
    assert _column(out, "compliments_by_team", "compliments") == expected
    assert expected, "the generated year has compliments"


def test_the_report_opens_in_chromium_without_errors(reference_year):
    from playwright.sync_api import sync_playwright

    _, _, out = reference_year
    assert Path("/usr/bin/chromium").exists(), "Debian's chromium is missing: `make test` installs it"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            # An A4 page at 96 dpi: the screenshot is what the first printed page shows.
            page = browser.new_page(viewport={"width": 794, "height": 1123})
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                    if m.type in ("error", "warning") else None)
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url[:80]}"))
            page.goto((out / "report.html").as_uri(), wait_until="load")
            broken = page.evaluate(
                "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length")
            images = page.evaluate("document.images.length")
            title = page.title()
            page.screenshot(path=str(ARTIFACTS / "annual-report-first-page.png"))
            page.pdf(path=str(ARTIFACTS / "annual-report.pdf"), format="A4", print_background=True)
        finally:
            browser.close()
    assert problems == []
    assert images >= 8 and broken == 0
    assert "2023-24" in title
    assert (ARTIFACTS / "annual-report-first-page.png").stat().st_size > 10_000


def test_small_counts_are_suppressed_in_what_is_published_but_not_in_the_summary(reference_year, tmp_path):
    scenario, _, out = reference_year
    url = f"sqlite:///{out.parent / 'records.db'}"
    hidden = tmp_path / "published"
    assert main(["report", "--year", "2023-24", "--out", str(hidden), "--database", url,
                 "--history", str(HISTORY), "--suppress-below", "5"]) == 0
    complainants = {r["complainant"]: r["complaints"] for r in _csv(hidden, "statutory_complainants")}
    assert complainants["child"] == "fewer than 5"          # 1 child complained directly
    assert complainants["family_member"] == "80"
    html = (hidden / "report.html").read_text()
    assert "fewer than 5" in html
    assert json.loads((hidden / "summary.json").read_text()) == REFERENCE
