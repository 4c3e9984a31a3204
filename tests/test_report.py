"""The annual report's counting rules (reports/definitions.md) and the `complaints report` command."""

from __future__ import annotations

import csv
import html
import json
from datetime import date
from pathlib import Path

import pytest

from cli.main import main
from reports.suppression import HIDDEN, shown_rows
from reports.figures import (
    Table,
    final_stage,
    open_at_stage2,
    quarter_costs,
    stage1_outcome,
    standing,
)
from reports.history import HistoryError, load_history
from reports.records import ComplaintFacts, CostFacts, StageFacts
from reports.year import FinancialYear

AS_OF = date(2024, 9, 30)


def stage(number=1, requested=date(2023, 5, 2), due=date(2023, 5, 16), extended=False, responded=None,
          outcome=None, on_time=None, reason=None, learning=None) -> StageFacts:
    return StageFacts(number, requested, due, extended, responded, outcome, on_time, reason, learning,
                      "a lesson" if learning else None)


def complaint(*stages: StageFacts, status="closed", closed_on=None, withdrawn_on=None,
              received=date(2023, 5, 2)) -> ComplaintFacts:
    return ComplaintFacts("CS-1", "children-statutory", received, "parent", "Children in care",
                          ["communication"], status, closed_on, withdrawn_on, list(stages))


# ---------------------------------------------------------------------------------- the year


def test_financial_year_runs_april_to_march():
    year = FinancialYear.parse("2023-24")
    assert (year.start, year.end, year.label) == (date(2023, 4, 1), date(2024, 3, 31), "2023-24")
    assert date(2024, 3, 31) in year and date(2024, 4, 1) not in year
    assert year.months()[0] == "2023-04" and year.months()[-1] == "2024-03"
    assert FinancialYear.of(date(2024, 1, 15)) == year
    assert [FinancialYear.quarter_of(date(2023, m, 1)) for m in (4, 7, 10)] == ["Q1", "Q2", "Q3"]
    assert FinancialYear.quarter_of(date(2024, 3, 31)) == "Q4"
    assert FinancialYear.parse("2023/2024") == year


@pytest.mark.parametrize("text", ["2023", "2023-25", "23-24", "April 2023", "2023-2025"])
def test_a_year_that_is_not_a_financial_year_is_refused(text):
    with pytest.raises(ValueError, match="2023-24|financial year"):
        FinancialYear.parse(text)


# ---------------------------------------------------------------------------------- per complaint


def test_stage1_answered_on_time_without_extension_is_within_the_timescale():
    c = complaint(stage(responded=date(2023, 5, 10), outcome="upheld", on_time=True))
    assert standing(c, c.stages[0], AS_OF) == "on_time"
    assert stage1_outcome(c, AS_OF) == "upheld"
    assert final_stage(c) == 1


def test_extended_and_answered_on_time_counts_apart_from_late():
    c = complaint(stage(extended=True, responded=date(2023, 5, 25), outcome="not_upheld", on_time=True))
    assert standing(c, c.stages[0], AS_OF) == "extended"


def test_escalated_without_a_response_is_late_with_no_response():
    c = complaint(stage(outcome="no_response", on_time=False),
                  stage(2, requested=date(2023, 6, 1), due=date(2023, 7, 6)), status="open")
    assert standing(c, c.stages[0], AS_OF) == "late"
    assert stage1_outcome(c, AS_OF) == "no_response"
    assert final_stage(c) == 2


def test_unanswered_stage_is_late_once_due_and_awaiting_before():
    c = complaint(stage(due=date(2024, 10, 10)), status="open")
    assert standing(c, c.stages[0], AS_OF) == "awaiting"
    assert standing(c, c.stages[0], date(2024, 10, 11)) == "late"
    assert stage1_outcome(c, AS_OF) == "awaiting"


def test_withdrawn_before_a_response_is_neither_late_nor_answered():
    c = complaint(stage(due=date(2023, 5, 16)), status="withdrawn", withdrawn_on=date(2023, 5, 9))
    assert standing(c, c.stages[0], AS_OF) == "withdrawn"
    assert stage1_outcome(c, AS_OF) == "withdrawn"


def test_open_at_stage2_at_the_years_end():
    year_end = date(2024, 3, 31)
    asked = stage(2, requested=date(2024, 3, 1), due=date(2024, 4, 8))
    first = stage(responded=date(2024, 2, 1), outcome="upheld", on_time=True)
    assert open_at_stage2(complaint(first, asked, status="open"), year_end)
    answered_after = stage(2, requested=date(2024, 3, 1), due=date(2024, 4, 8), responded=date(2024, 4, 2))
    assert open_at_stage2(complaint(first, answered_after), year_end)
    answered_before = stage(2, requested=date(2024, 3, 1), due=date(2024, 4, 8), responded=date(2024, 3, 20))
    assert not open_at_stage2(complaint(first, answered_before), year_end)
    asked_after = stage(2, requested=date(2024, 4, 2), due=date(2024, 5, 8))
    assert not open_at_stage2(complaint(first, asked_after, status="open"), year_end)
    assert not open_at_stage2(complaint(first, asked, status="withdrawn", withdrawn_on=date(2024, 3, 15)), year_end)


def test_costs_fall_in_the_quarter_they_were_incurred_to_the_penny():
    spent = [CostFacts("CS-1", "children-statutory", 2, date(2023, 6, 30), "investigator", 0.1),
             CostFacts("CS-1", "children-statutory", 2, date(2023, 6, 1), "investigator", 0.2),
             CostFacts("CS-1", "children-statutory", 3, date(2023, 7, 1), "panel", 100.0),
             CostFacts("CS-2", "children-statutory", 2, date(2023, 3, 31), "investigator", 999.0),
             CostFacts("CC-1", "corporate", 2, date(2023, 8, 1), "other", 5.0)]
    assert quarter_costs(spent, "children-statutory", FinancialYear(2023)) == {
        "Q1": 0.3, "Q2": 100.0, "Q3": 0.0, "Q4": 0.0}


def test_a_small_count_is_never_hidden_alone_where_its_column_adds_up():
    table = Table("t", "T", ["label", "complaints", "share_pct"],
                  [["a", 80, 78.4], ["b", 19, 18.6], ["c", 3, 2.9]], counts=(1,), derived={2: (1,)})
    # 80 + 19 of 102 would leave 3: the next smallest is hidden too, and its share with it.
    assert shown_rows(table, 5) == [["a", 80, 78.4], ["b", HIDDEN, HIDDEN], ["c", HIDDEN, HIDDEN]]
    assert shown_rows(table, 0) == table.rows


def test_hidden_cells_together_are_not_themselves_small():
    table = Table("t", "T", ["label", "complaints"], [["a", 1], ["b", 2], ["c", 3], ["d", 50]], counts=(1,))
    # 1 + 2 would still be fewer than 5 together: a third is hidden.
    assert [r[1] for r in shown_rows(table, 5)] == [HIDDEN, HIDDEN, HIDDEN, 50]


def test_a_row_that_sums_its_parts_hides_two_at_least():
    table = Table("t", "T", ["stage", "reached", "on_time", "late"], [[2, 23, 20, 3]], counts=(1, 2, 3),
                  not_additive=(1, 2, 3), row_sum=(1, (2, 3)))
    assert shown_rows(table, 5) == [[2, 23, HIDDEN, HIDDEN]]


def test_counts_the_council_already_published_are_shown_as_published():
    table = Table("t", "T", ["year", "referrals", "premature", "source"],
                  [["2019-20", 3, 1, "history"], ["2023-24", 3, 1, "records"]], counts=(1, 2),
                  not_additive=(1, 2))
    assert shown_rows(table, 5) == [["2019-20", 3, 1, "history"], ["2023-24", HIDDEN, HIDDEN, "records"]]


def test_reasons_that_do_not_add_up_hide_only_the_small():
    table = Table("t", "T", ["reason", "complaints"], [["a", 50], ["b", 40], ["c", 2]], counts=(1,),
                  not_additive=(1,))
    assert [r[1] for r in shown_rows(table, 5)] == [50, 40, HIDDEN]


# ---------------------------------------------------------------------------------- the history file


def test_the_reference_history_reads(tmp_path):
    history = load_history(Path(__file__).parent.parent / "reports/examples/reference-history.yaml")
    before = history.year(FinancialYear(2022))
    assert before.statutory.total == 55 and before.corporate.total == 195
    assert before.corporate.late_share() == pytest.approx(100 * 87 / 195)
    assert before.costs_gbp == 19830.20
    assert [y.label for y in history.known_years()][0] == "2018-19"


def test_a_history_file_with_a_bad_field_names_the_file_and_field(tmp_path):
    bad = tmp_path / "history.yaml"
    bad.write_text("years:\n  2022-23:\n    statutory: {total: many}\n")
    with pytest.raises(HistoryError, match=r"history.yaml.*years.2022-23.statutory.total"):
        load_history(bad)


# ---------------------------------------------------------------------------------- the command


def test_report_refuses_a_bad_year_and_a_missing_store(tmp_path, capsys):
    assert main(["report", "--year", "2023", "--out", str(tmp_path / "r")]) == 2
    assert "2023-24" in capsys.readouterr().err
    missing = f"sqlite:///{tmp_path / 'nowhere.db'}"
    assert main(["report", "--year", "2023-24", "--out", str(tmp_path / "r"), "--database", missing]) == 2
    assert "no record store" in capsys.readouterr().err
    assert not (tmp_path / "nowhere.db").exists()
    assert not (tmp_path / "r").exists()


def test_report_of_an_empty_year_writes_every_file(tmp_path, capsys):
    from store.record_store import RecordStore

    url = f"sqlite:///{tmp_path / 'records.db'}"
    RecordStore(url).create_schema()
    out = tmp_path / "report"
    assert main(["report", "--year", "2023-24", "--out", str(out), "--database", url, "--draft"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["year"] == "2023-24" and summary["statutory"]["total"] == 0
    assert summary["costs_gbp"] == {"Q1": 0.0, "Q2": 0.0, "Q3": 0.0, "Q4": 0.0}
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html>")
    with (out / "statutory_by_month.csv").open() as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["month", "complaints", "previous_year"] and len(rows) == 13
    # True statements of a year with nothing in it: none received, none due; no "0 of the 0".
    page = html.unescape((out / "report.html").read_text())
    assert "No complaints under the Children's statutory complaints procedure were received in 2023-24." in page
    assert "No complaints were received in 2023-24, so no response was due." in page
    assert "0 of the 0" not in page and "decrease of 100%" not in page and " 0%" not in page


def test_a_years_decisions_are_hidden_alike_as_a_column_and_as_a_row():
    # 8 referrals: 5 premature, 3 not upheld. As this year's table (a column, no zeros) and as
    # the last row of the table by year (with a zero for every other decision).
    column = Table("o", "O", ["result", "referrals"], [["premature", 5], ["not_upheld", 3]], counts=(1,))
    row = Table("y", "Y", ["year", "referrals", "premature", "closed", "not_upheld", "source"],
                [["2023-24", 8, 5, 0, 3, "records"]], counts=(1, 2, 3, 4), not_additive=(1, 2, 3, 4),
                row_sum=(1, (2, 3, 4)))
    assert [r[1] for r in shown_rows(column, 5)] == [HIDDEN, HIDDEN]
    assert shown_rows(row, 5) == [["2023-24", 8, HIDDEN, 0, HIDDEN, "records"]]


def test_a_zero_is_hidden_when_nothing_else_can_protect_a_small_count():
    table = Table("t", "T", ["stage", "extended"], [[2, 1], [3, 0]], counts=(1,))
    assert [r[1] for r in shown_rows(table, 5)] == [HIDDEN, HIDDEN]
