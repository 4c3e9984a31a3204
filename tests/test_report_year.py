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
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.main import main
from reports import wording
from reports.year import month_name
from tests import disclosure
from tests.scenario_counts import count_year as count

ROOT = Path(__file__).parent.parent
HISTORY = ROOT / "reports/examples/reference-history.yaml"
ARTIFACTS = ROOT / "tests/artifacts/report"

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


# ---------------------------------------------------------------------------------- a final report

COMMENTARY = {
    "introduction": "A complaint is an expression of dissatisfaction about a child which needs a response.",
    "volume": "Complaints rose because the new online form made complaining easier.",
    "advocacy": "Every child who complains is offered an advocate from the Hear Me service.",
    "timeliness": "Responses were late mostly for want of staff; the team now chases from day 5.",
    "learning": "The themes were communication, and information shared late before meetings.",
    "effectiveness": "The procedure works better when officers meet complainants early.",
    "recommendations": "Investigating officers should be trained in the first quarter.",
    "next_steps": "The Complaints Team will report monthly to the leadership team.",
}


@pytest.fixture(scope="module")
def final(reference_year, reference_year_store, tmp_path_factory):
    """The reference year's final report: the council's commentary in every section that needs it."""
    work = tmp_path_factory.mktemp("final")
    commentary = work / "commentary.md"
    commentary.write_text("# Commentary, 2023-24\n\n" + "".join(
        f"## {key.replace('_', ' ').title()} {{#{key}}}\n\n{text}\n\n" for key, text in COMMENTARY.items()))
    out = work / "report"
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", reference_year_store[2],
                 "--history", str(HISTORY), "--commentary", str(commentary), "--pdf"]) == 0
    return out


def _section_text(out: Path, heading: str) -> str:
    """The words of the section under ``heading`` (its number left off), up to the next one."""
    page = (out / "report.html").read_text()
    body = re.sub(r'src="data:[^"]*"', "", page[page.index("<main>"):])
    text = markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))
    start = re.search(rf"\d+\.\d+ {re.escape(heading)} ", text)
    assert start, heading
    rest = text[start.end():]
    end = re.search(r" \d+\.\d+ [A-Z]", rest)
    return rest[:end.start()] if end else rest


def test_a_final_report_puts_the_councils_words_in_each_section(final):
    html = (final / "report.html").read_text()
    assert "Draft" not in html and "still to be written" not in html
    for key, heading in [("introduction", "Introduction"), ("volume", "Volume of complaints and representations"),
                         ("advocacy", "How children and young people are supported to raise concerns"),
                         ("timeliness", "How quickly we responded"),
                         ("learning", "Learning: what difference have complaints made?"),
                         ("effectiveness", "The effectiveness of the complaints procedure"),
                         ("recommendations", "Considerations and recommendations"),
                         ("next_steps", "What the Complaints Team is doing to support improvement")]:
        assert COMMENTARY[key] in _section_text(final, heading), key


def test_every_statement_agrees_with_its_tables_and_the_scenario(reference_year, final):
    scenario, _, _ = reference_year
    expected = count(scenario, "2023-24")
    total = sum(expected["statutory_by_month"].values())
    assert total == 102
    volume = _section_text(final, "Volume of complaints and representations")
    assert f"There were {total} complaints under the Children's statutory complaints procedure" in volume
    assert sum(int(r["complaints"]) for r in _csv(final, "statutory_by_month")) == total

    outcomes = {r["outcome"]: int(r["complaints"]) for r in _csv(final, "statutory_outcomes")}
    assert outcomes == expected["statutory_outcomes"]
    said = _section_text(final, "Outcomes from complaints")
    for outcome, n in outcomes.items():
        assert f"{n} {wording.category(outcome).lower()}" in said

    stages = {int(r["final_stage"]): int(r["complaints"]) for r in _csv(final, "statutory_stages")}
    assert f"{round(100 * stages[1] / total)}% of complaints were resolved at stage 1" in _text(final)

    timeliness = {r["category"]: int(r["complaints"]) for r in _csv(final, "statutory_timeliness")}
    assert timeliness == expected["statutory_timeliness"]
    said = _section_text(final, "How quickly we responded")
    assert f"Answered within the timescale (10 working days): {timeliness['within_10']} of the {total}" in said
    assert f"Extended, and answered within 20 working days: {timeliness['within_20']}." in said
    assert (f"Answered late, or not answered by the due date: {timeliness['late']}, "
            f"{round(100 * timeliness['late'] / total)}% of complaints") in said
    reasons = {r["reason"]: int(r["responses"]) for r in _csv(final, "statutory_late_reasons")}
    answered_late = sum(1 for _ in reasons) and sum(reasons.values())
    assert answered_late <= timeliness["late"] and "Not recorded" in reasons and len(reasons) > 2

    advocates = {r["complainant"]: int(r["complaints"]) for r in _csv(final, "statutory_complainants")}
    assert (f"Of the {total} complaints received in 2023-24, {advocates['child_with_advocate']} were made by a "
            f"child or young person supported by an advocate") in _text(final)

    forms = sum(int(r["forms_returned"]) for r in _csv(final, "statutory_learning"))
    assert forms == sum(expected["statutory_learning"].values())
    assert f"{forms} lessons-learnt forms were returned for the {total} complaints" in _text(final)

    referrals = _csv(final, "statutory_ombudsman")
    n = sum(int(r["referrals"]) for r in referrals)
    paid = sum(float(r["remedies_gbp"]) for r in referrals)
    assert f"{n} complainants took their complaint to the Local Government and Social Care Ombudsman" in _text(final)
    assert f"came to £{paid:,.2f}" in _text(final)

    costs = _csv(final, "statutory_costs")
    assert f"Stage 2 and 3 costs in 2023-24: £{float(costs[-1]['cumulative_gbp']):,.2f}." in _text(final)

    beyond = _csv(final, "corporate_beyond_timescale_by_month")
    late, received = sum(int(r["beyond_timescale"]) for r in beyond), sum(int(r["complaints"]) for r in beyond)
    summary = json.loads((final / "summary.json").read_text())
    assert late == summary["corporate"]["stage1_beyond_timescale"] and received == summary["corporate"]["total"]
    assert f"Out of {received} complaints, {late} were answered later than 15 working days" in _text(final)

    recommendations = _csv(final, "statutory_stage2_recommendations")
    assert recommendations and all(r["recommendation"] in _text(final) for r in recommendations)


def test_the_final_pdf_numbers_its_pages_and_holds_the_headline_figures(final):
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(final / "report.pdf").pages]
    assert len(pages) > 5
    for number, text in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in text
    whole = " ".join(pages)
    assert "There were 102 complaints" in whole and "42, 41% of complaints" in whole
    assert "£72,107.65" in whole
    # Every printed page as a picture, for a person to look at (tests/artifacts/report).
    if shutil.which("pdftoppm"):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in ARTIFACTS.glob("final-page-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "45", str(final / "report.pdf"), str(ARTIFACTS / "final-page")],
                       check=True, timeout=300)
        shutil.copy(final / "report.pdf", ARTIFACTS / "annual-report-final.pdf")


def test_a_final_report_without_the_councils_words_is_refused(reference_year_store, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", reference_year_store[2],
                 "--history", str(HISTORY)]) == 2
    err = capsys.readouterr().err
    assert "Introduction" in err and "What the Complaints Team is doing to support improvement" in err
    assert "--draft" in err and not out.exists()
    wrong = tmp_path / "wrong.md"
    wrong.write_text("## Introduction\n\nWords.\n\n## Our hopes for the future\n\nMore words.\n")
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", reference_year_store[2],
                 "--history", str(HISTORY), "--commentary", str(wrong), "--draft"]) == 2
    err = capsys.readouterr().err
    assert "wrong.md" in err and "line 5" in err and "Our hopes for the future" in err
