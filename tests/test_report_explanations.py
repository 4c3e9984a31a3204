"""The report's tables that explain a year: why stage 1 responses were late, how
complaints arrived, and what stage 2 investigating officers recommended; read from a
record store the engine wrote, and from one made before these were recorded."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from council.late_reasons import SHIPPED
from models import actions as a
from reports.explanations import channels_table, late_reasons_table, recommendations_table
from reports.figures import ProcedureFigures
from reports.records import ComplaintFacts, StageFacts, read_records
from reports.year import FinancialYear
from tests.test_rules import act, assigned
# The record store on SQLite and on PostgreSQL, as the store's own tests have it.
from tests.test_store import store as records_store  # noqa: F401
from web.labels import label

YEAR = FinancialYear(2023)
REASONS = SHIPPED.reasons


def stage(number: int, responded: date | None, on_time: bool | None, late_reason: str | None = None,
          note: str | None = None, recommendations: list[str] | None = None, outcome: str | None = "upheld",
          due: date = date(2023, 5, 1)) -> StageFacts:
    return StageFacts(number, date(2023, 4, 3), due, False, responded, outcome if responded else None, on_time,
                      None, None, None, late_reason, note, recommendations or [])


def complaint(ref: str, *stages: StageFacts, channel: str | None = "email", received: date = date(2023, 4, 3),
              status: str = "closed") -> ComplaintFacts:
    return ComplaintFacts(ref, "children-statutory", received, "parent", "Children in care", [], status,
                          None, None, list(stages), channel=channel)


def figures(*complaints: ComplaintFacts) -> ProcedureFigures:
    return ProcedureFigures("children-statutory", "statutory", YEAR, list(complaints))


def test_late_stage_1_responses_are_counted_by_reason_in_words_not_recorded_last():
    fig = figures(
        complaint("A", stage(1, date(2023, 5, 9), False, "staff_capacity", "Ms Smith was off sick")),
        complaint("B", stage(1, date(2023, 5, 9), False, "staff_capacity")),
        complaint("C", stage(1, date(2023, 5, 9), False, None)),
        complaint("D", stage(1, date(2023, 5, 9), False, None)),
        complaint("E", stage(1, date(2023, 5, 9), False, None)),
        complaint("F", stage(1, date(2023, 5, 9), False, "officer_left_or_changed")),
        complaint("G", stage(1, date(2023, 4, 20), True)),                       # in time: not counted
        complaint("H", stage(1, None, None), status="open"),                    # no response: not one
        complaint("I", stage(1, date(2023, 4, 20), True),                       # a late stage 2 is not stage 1
                  stage(2, date(2023, 7, 1), False, "complexity")),
    )
    table = late_reasons_table(fig, REASONS)
    assert (table.name, table.title, table.columns, table.counts) == (
        "statutory_late_reasons", "Why stage 1 responses were late", ["reason", "responses"], (1,))
    assert table.rows == [["Staff capacity", 2], ["The investigating officer left or changed", 1],
                          ["Not recorded", 3]]
    assert "Ms Smith" not in repr(table), "the officer's note is never published"


def test_a_reason_no_longer_on_the_councils_list_is_still_counted_in_words():
    fig = figures(complaint("A", stage(1, date(2023, 5, 9), False, "bank_strike")))
    assert late_reasons_table(fig, REASONS).rows == [["Bank strike", 1]]


def test_no_late_response_gives_an_empty_table():
    assert late_reasons_table(figures(), REASONS).rows == []


def test_complaints_are_counted_by_how_they_arrived_in_words():
    fig = figures(complaint("A", stage(1, None, None)), complaint("B", stage(1, None, None)),
                  complaint("C", stage(1, None, None), channel="online_form"),
                  complaint("D", stage(1, None, None), channel=None))
    table = channels_table(fig, lambda code: label("channel", code))
    assert (table.name, table.title, table.columns, table.counts) == (
        "statutory_channels", "How complaints arrived", ["channel", "complaints"], (1,))
    assert table.rows == [["Email", 2], ["Online form", 1], ["Not recorded", 1]]


def test_stage_2_recommendations_are_listed_one_a_row_without_reference_or_name():
    fig = figures(
        complaint("CS-B", stage(1, date(2023, 5, 2), True), stage(2, date(2023, 7, 1), True, recommendations=[
            "Write to families within five days of a meeting"]), received=date(2023, 5, 1)),
        complaint("CS-A", stage(1, date(2023, 4, 20), True), stage(2, date(2023, 6, 1), True, recommendations=[
            "Use an interpreter when asked", "Add the complaint reference to the case file"])),
        complaint("CS-C", stage(1, date(2023, 4, 20), True)),
    )
    table = recommendations_table(fig)
    assert (table.name, table.title, table.columns) == (
        "statutory_stage2_recommendations", "Recommendations of stage 2 investigating officers", ["recommendation"])
    assert table.rows == [["Use an interpreter when asked"], ["Add the complaint reference to the case file"],
                          ["Write to families within five days of a meeting"]]
    assert "CS-" not in repr(table.rows)


# ------------------------------------------------------------------ from the record store


def answered_late_with_reason():
    complaint_ = assigned(received="2024-03-27", channel="phone")          # due Friday 12 April 2024
    act(complaint_, "respond", a.Respond("upheld", late_reason="complexity", late_note="records from the school"),
        "2024-04-16")
    act(complaint_, "escalate", a.Escalate("disagree"), "2024-04-22")
    act(complaint_, "assign", a.Assign("io-2"), "2024-04-22")
    act(complaint_, "respond", a.Respond("partially_upheld", recommendations=["Call the family back the same day"]),
        "2024-05-20")
    return complaint_.state


def test_the_store_keeps_the_reason_the_note_the_recommendations_and_the_channel(records_store):
    records_store.save(answered_late_with_reason(), [])
    found, = read_records(records_store, date(2025, 3, 31)).complaints
    assert found.channel == "phone"
    first, second = found.stages
    assert (first.on_time, first.late_reason, first.late_note) == (False, "complexity", "records from the school")
    assert second.recommendations == ["Call the family back the same day"]
    fig = ProcedureFigures("children-statutory", "statutory", FinancialYear(2023), [found])
    assert late_reasons_table(fig, REASONS).rows == [["The complaint was complex", 1]]
    assert recommendations_table(fig).rows == [["Call the family back the same day"]]


def test_a_store_made_before_these_were_recorded_is_still_read_and_then_brought_up_to_date(records_store):
    records_store.save(answered_late_with_reason(), [])
    with records_store.engine.begin() as conn:
        for table, column in (("stages", "late_reason"), ("stages", "late_note"), ("stages", "recommendations"),
                              ("complaints", "channel")):
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
    found, = read_records(records_store, date(2025, 3, 31)).complaints
    assert found.channel is None
    assert [(s.late_reason, s.late_note, s.recommendations) for s in found.stages] == [(None, None, [])] * 2
    fig = ProcedureFigures("children-statutory", "statutory", FinancialYear(2023), [found])
    assert late_reasons_table(fig, REASONS).rows == [["Not recorded", 1]]
    records_store.create_schema()                        # what a worker or a command that writes does
    found, = read_records(records_store, date(2025, 3, 31)).complaints
    assert [(s.late_reason, s.recommendations) for s in found.stages] == [(None, [])] * 2
    records_store.save(answered_late_with_reason(), [])
    found, = read_records(records_store, date(2025, 3, 31)).complaints
    assert (found.channel, found.stages[0].late_reason) == ("phone", "complexity")
