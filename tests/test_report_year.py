"""A generated reference year through the real engine, then the annual report on its record store.

`complaints caseload` writes a year shaped like the reference council's 2023-24,
`complaints simulate` runs it through the real workflows (Temporal, SMTP, SQLite) and
keeps the record store, and `complaints report` reads it back. The report's tables are
held against counts made straight from the scenario file by tests/scenario_counts.py,
which shares no code with the report (nor with the engine).
"""

from __future__ import annotations

import csv
import html as markup
import json
import re
from pathlib import Path

import pytest

from cli.main import main
from reports import wording
from reports.year import month_name
from tests import disclosure
from tests.scenario_counts import count_year as count

ROOT = Path(__file__).parent.parent
HISTORY = ROOT / "reports/examples/reference-history.yaml"

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
def reference_year(reference_year_store, tmp_path_factory):
    scenario, timeline, url = reference_year_store
    out = tmp_path_factory.mktemp("reference-year-report") / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url,
                 "--history", str(HISTORY)]) == 0
    return scenario, timeline, out


def _csv(out: Path, name: str) -> list[dict[str, str]]:
    with (out / f"{name}.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _text(out: Path) -> str:
    """The report's words, without its markup and its charts."""
    page = re.sub(r'src="data:[^"]*"', "", (out / "report.html").read_text())
    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


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


# Opened in chromium, checked by axe-core and printed: tests/test_report_browser.py.


@pytest.fixture(scope="module")
def published(reference_year, reference_year_store, tmp_path_factory):
    """The reference year's report as a council publishes it: counts below 5, and below 10, hidden."""
    _, _, out = reference_year
    url = reference_year_store[2]
    found = {}
    for below in (5, 10):
        folder = tmp_path_factory.mktemp(f"published-{below}")
        assert main(["report", "--draft", "--year", "2023-24", "--out", str(folder), "--database", url,
                     "--history", str(HISTORY), "--suppress-below", str(below)]) == 0
        found[below] = folder
    return found


def test_small_counts_are_suppressed_in_what_is_published_but_not_in_the_summary(reference_year, published):
    hidden = published[5]
    complainants = {r["complainant"]: r for r in _csv(hidden, "statutory_complainants")}
    assert complainants["child"]["complaints"] == "[c]"          # 1 child complained directly
    assert complainants["child"]["share_pct"] == "[c]"           # and its share would give it back
    # 80 + 13 of 102 would leave the professionals' 8 to give the child's 1 back: hidden too.
    assert complainants["professional"]["complaints"] == "[c]"
    assert complainants["family_member"]["complaints"] == "80"
    html = (hidden / "report.html").read_text()
    assert "[c] not shown, to protect privacy" in html
    assert json.loads((hidden / "summary.json").read_text()) == REFERENCE


@pytest.mark.parametrize("below", [5, 10])
def test_no_hidden_count_can_be_worked_out_from_the_tables(reference_year, published, below):
    _, _, out = reference_year
    hidden = sum(row[c] == disclosure.HIDDEN for rows in disclosure.read(published[below]).values()
                 for row in rows for c in row)
    assert hidden > 20, "the reference year has small counts to hide"
    assert disclosure.recovered(published[below], out) == []


def test_the_attack_finds_what_hiding_each_small_count_alone_gives_away(reference_year, tmp_path):
    _, _, out = reference_year
    disclosure.primary_only(out, tmp_path / "naive", 5)
    assert len(disclosure.recovered(tmp_path / "naive", out)) > 10


@pytest.mark.parametrize("below", [5, 10])
def test_the_charts_and_sentences_show_no_hidden_count(reference_year, published, below):
    _, _, out = reference_year
    html = (published[below] / "report.html").read_text()
    charts = disclosure.chart_texts(html)
    assert len(charts) >= 8
    # Every value a chart states (its tooltips read "<series>, <category>: <value>") is one a
    # table shows for that category: none is a hidden count.
    shown = disclosure.read(published[below])
    visible: dict[str, set[float]] = {}
    for rows in shown.values():
        for row in rows:
            label = list(row.values())[0]
            words = month_name(label) if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", label) else wording.category(label)
            for value in list(row.values())[1:]:
                if re.fullmatch(r"-?[\d.]+", value or ""):
                    visible.setdefault(words, set()).add(float(value))
    leaks = []
    stated = [found for svg in charts for found in re.findall(r"<title>[^<]*?, ([^<]+): ([£\d.,%-]+)</title>", svg)]
    assert len(stated) > 30, "the charts state their values"
    for category, value in stated:
        number = float(value.strip("£%").replace(",", ""))
        if not any(abs(number - v) < 0.51 for v in visible.get(markup.unescape(category), ())):
            leaks.append(f"{category}: {value}")
    assert leaks == []
    text = _text(published[below])
    assert "supported by an advocate" in text
    lessons = _csv(published[below], "statutory_lessons")
    areas = {r["service_area"]: r["complaints"] for r in _csv(published[below], "statutory_by_service_area")}
    assert all(areas.get(r["service_area"]) not in (None, "[c]") or r["service_area"] == "Another service area"
               for r in lessons)
    assert "CS-2023" not in text and "CC-2023" not in text
