"""Statements of the annual report that were wrong (issue 11): a year only the history file
holds, a store that holds part of the year, the corporate appendix's late responses, and
the previous year's costs. Small scenarios run through the engine into SQLite."""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest

from cli.main import main

HISTORY = Path(__file__).parent.parent / "reports/examples/reference-history.yaml"

OFFICERS = """
officers:
  - {id: tm-1, name: Team Manager, email: tm1@council.example}
  - {id: io-1, name: Investigating Officer One, email: io1@council.example, manager: tm-1}
complaints_team: {email: complaints@council.example}
"""

# A year the store holds from its first days to after its end (a complaint of the next
# year): two statutory complaints and three corporate ones, one corporate answered on time, one after an extension, one late.
WHOLE_YEAR = OFFICERS + """
until: 2024-04-10
complaints:
  - ref: CS-01
    policy: children-statutory
    received: 2023-04-04
    complainant: {name: A Parent, email: p1@example.org, type: parent}
    actions:
      - {date: 2023-04-04, do: assign, officer: io-1}
      - {date: 2023-04-12, do: respond, outcome: upheld}
  - ref: CS-02
    policy: children-statutory
    received: 2024-03-20
    complainant: {name: A Parent, email: p2@example.org, type: parent}
    actions:
      - {date: 2024-03-20, do: assign, officer: io-1}
      - {date: 2024-03-26, do: respond, outcome: not_upheld}
  - ref: CS-03
    policy: children-statutory
    received: 2024-04-03
    complainant: {name: A Parent, email: p6@example.org, type: parent}
  - ref: CC-01
    policy: corporate
    received: 2023-06-05
    complainant: {name: A Parent, email: p3@example.org, type: parent}
    actions:
      - {date: 2023-06-05, do: assign, officer: io-1}
      - {date: 2023-06-12, do: respond, outcome: upheld}
  - ref: CC-02
    policy: corporate
    received: 2023-06-05
    complainant: {name: A Parent, email: p4@example.org, type: parent}
    actions:
      - {date: 2023-06-05, do: assign, officer: io-1}
      - {date: 2023-06-20, do: extend, reason: complex}
      - {date: 2023-07-03, do: respond, outcome: partially_upheld}
  - ref: CC-03
    policy: corporate
    received: 2023-07-03
    complainant: {name: A Parent, email: p5@example.org, type: parent}
    actions:
      - {date: 2023-07-03, do: assign, officer: io-1}
      - {date: 2023-09-01, do: respond, outcome: not_upheld}
"""

# Records up to December only: the last thing recorded is the response of 8 December.
TO_DECEMBER = OFFICERS + """
until: 2023-12-15
complaints:
  - ref: CS-01
    policy: children-statutory
    received: 2023-04-04
    complainant: {name: A Parent, email: p1@example.org, type: parent}
    actions:
      - {date: 2023-04-04, do: assign, officer: io-1}
      - {date: 2023-04-12, do: respond, outcome: upheld}
  - ref: CS-02
    policy: children-statutory
    received: 2023-12-01
    complainant: {name: A Parent, email: p2@example.org, type: parent}
    actions:
      - {date: 2023-12-01, do: assign, officer: io-1}
      - {date: 2023-12-08, do: respond, outcome: not_upheld}
"""


def _store(tmp_path: Path, scenario: str) -> str:
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario)
    url = f"sqlite:///{tmp_path / 'records.db'}"
    assert main(["simulate", str(path), "--out", str(tmp_path / "timeline.jsonl"), "--database", url]) == 0
    return url


def _text(out: Path) -> str:
    """The report's words, without its markup (and without its charts' data)."""
    page = (out / "report.html").read_text()
    page = re.sub(r'src="data:[^"]*"', "", page)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture(scope="module")
def whole_year(tmp_path_factory) -> str:
    return _store(tmp_path_factory.mktemp("whole-year"), WHOLE_YEAR)


def test_a_year_only_the_history_file_holds_says_what_the_history_does(whole_year, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2019-20", "--out", str(out), "--database", whole_year,
                 "--history", str(HISTORY), "--as-of", "2024-04-10"]) == 0
    text = _text(out)
    assert "There were 30 complaints under the Children's statutory complaints procedure in 2019-20" in text
    assert "against 36 in 2018-19 (a decrease of 17%)" in text
    assert "There were 111 complaints under the Corporate complaints procedure in 2019-20" in text
    assert "15 of 111 complaints" in text
    assert "There were 0 complaints" not in text and "decrease of 100%" not in text
    assert "not known of" not in text
    assert "How many complaints were resolved at stage 1 in 2019-20 is not known" in text
    assert "holds no complaints of 2019-20" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["statutory"]["total"] == 30 and summary["corporate"]["total"] == 111


def test_a_store_that_covers_the_year_says_which_dates_it_holds(whole_year, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", whole_year,
                 "--history", str(HISTORY), "--as-of", "2024-04-10"]) == 0
    text = _text(out)
    assert "holds records from 4 April 2023 to" in text
    assert "part of the year only" not in text
    assert "part_year" not in json.loads((out / "summary.json").read_text())


def test_the_corporate_appendix_counts_late_responses_once_for_text_chart_and_table(whole_year, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", whole_year,
                 "--history", str(HISTORY), "--as-of", "2024-04-10"]) == 0
    text = _text(out)
    # CC-02 (extended) and CC-03 (late): two of three answered after 15 working days.
    assert "Out of 3 complaints, 2 were answered later than 15 working days (67%), against 45% in 2022-23." in text
    assert "44.6154" not in (out / "report.html").read_text()
    rows = (out / "corporate_beyond_timescale_by_month.csv").read_text().splitlines()
    assert rows[0] == "month,complaints,beyond_timescale,beyond_timescale_pct"
    assert sum(int(r.split(",")[2]) for r in rows[1:]) == 2
    assert json.loads((out / "summary.json").read_text())["corporate"]["stage1_beyond_timescale"] == 2
    # The chart draws the same table, and says so.
    assert ("Stage 1 responses later than 15 working days, by month received. The figures are in the table "
            "“Stage 1 responses later than 15 working days, by month received”") in text


def test_the_previous_years_costs_are_said_once(whole_year, tmp_path):
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", whole_year,
                 "--history", str(HISTORY), "--as-of", "2024-04-10"]) == 0
    assert _text(out).count("The previous year's stage 2 and 3 costs came to £19,830.20") == 1


def test_a_store_that_holds_part_of_the_year_is_refused_unless_told_and_then_says_so(tmp_path, capsys):
    url = _store(tmp_path, TO_DECEMBER)
    capsys.readouterr()
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "not the whole of 2023-24" in err and "--part-year" in err
    assert not out.exists()

    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url, "--part-year"]) == 0
    text = _text(out)
    assert "part of the year only, 4 April 2023 to 8 December 2023" in text
    assert "This report covers only 4 April 2023 to 8 December 2023." in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["part_year"] == {"from": "2023-04-04", "to": "2023-12-08"}


def test_compliments_name_the_member_of_staff_and_are_printed_in_full(tmp_path):
    from store.record_store import RecordStore

    url = f"sqlite:///{tmp_path / 'records.db'}"
    RecordStore(url).create_schema()
    # A family's words, long and in their own hand (the example directory names io-1).
    words = ("Siobhán O'Brien-Ng wrote: our social worker listened, came back when she said she would, "
             "and explained every step. ") * 20
    assert main(["compliment", "--team", "Fostering", "--officer", "io-1", "--on", "2023-05-01",
                 "--text", words, "--database", url]) == 0
    assert main(["compliment", "--team", "Leaving care", "--officer", "io-99", "--on", "2023-06-01",
                 "--text", "Thank you.", "--database", url]) == 0
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", url]) == 0
    with (out / "compliments.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # The directory's name for io-1; an id it does not know, as recorded; the words whole.
    assert [(r["officer"], r["compliment"].strip()) for r in rows] == [
        ("Investigating Officer One", words.strip()), ("io-99", "Thank you.")]
    text = _text(out)
    assert "1 May 2023 Fostering Investigating Officer One Siobhán O'Brien-Ng wrote" in text
    assert text.count("explained every step") == 20


def test_months_are_compared_with_the_previous_years_published_months(whole_year, tmp_path):
    history = tmp_path / "history.yaml"
    months = [3, 4, 5, 2, 6, 4, 5, 7, 3, 6, 5, 5]
    history.write_text("years:\n  2022-23:\n    statutory: {total: 55, by_month: %s}\n" % months)
    out = tmp_path / "report"
    assert main(["report", "--draft", "--year", "2023-24", "--out", str(out), "--database", whole_year,
                 "--history", str(history), "--as-of", "2024-04-10"]) == 0
    with (out / "statutory_by_month.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["previous_year"]) for r in rows] == months
    text = _text(out)
    assert "Month Complaints The year before April 2023 1 3 May 2023 0 4" in text
    # The chart has both years, told apart in its legend and its alt text.
    assert re.search(r'alt="Bar chart of complaints received by month, against the previous year[^"]*2022-23',
                     (out / "report.html").read_text())
