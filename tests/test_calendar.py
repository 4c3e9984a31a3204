"""Working days and counting a deadline (procedures.md sections 1 and 2).

Each test is one sentence of the rulebook: which days are working days, when a clock of
N working days falls due, and how extensions and suspensions move it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.bank_holidays import bank_holidays, days_off
from rules.calendar import WorkingCalendar
from rules.deadlines import (
    due_after_resumption,
    due_date,
    extended_due,
    on_time,
    working_days_left,
)

# England and Wales bank holidays for every date the tests (and their properties) touch.
CALENDAR = WorkingCalendar(days_off(2019, 2032))


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- 1. Which days are working days ---------------------------------------------------


@pytest.mark.parametrize(
    "day, why",
    [
        ("2024-03-30", "a Saturday"),
        ("2024-03-31", "a Sunday"),
        ("2024-12-25", "Christmas Day"),
        ("2024-12-26", "Boxing Day"),
        ("2024-03-29", "Good Friday"),
        ("2024-04-01", "Easter Monday"),
        ("2024-05-06", "the early May bank holiday"),
        ("2024-05-27", "the spring bank holiday"),
        ("2024-08-26", "the summer bank holiday"),
        ("2025-01-01", "New Year's Day"),
    ],
)
def test_weekends_and_bank_holidays_are_not_working_days(day, why):
    assert not CALENDAR.is_working_day(d(day)), why


def test_an_ordinary_weekday_is_a_working_day():
    assert CALENDAR.is_working_day(d("2024-03-27"))  # Wednesday
    assert CALENDAR.is_working_day(d("2024-03-28"))  # Maundy Thursday is not a holiday


def test_boxing_day_on_a_saturday_gives_monday_28_december_2026_off():
    assert d("2026-12-26").strftime("%A") == "Saturday"
    assert not CALENDAR.is_working_day(d("2026-12-28"))
    assert CALENDAR.is_working_day(d("2026-12-29"))


def test_christmas_on_a_sunday_gives_tuesday_27_december_2022_off():
    assert d("2022-12-25").strftime("%A") == "Sunday"
    assert not CALENDAR.is_working_day(d("2022-12-26"))  # Boxing Day, Monday
    assert not CALENDAR.is_working_day(d("2022-12-27"))  # Christmas Day (substitute)
    assert CALENDAR.is_working_day(d("2022-12-28"))


def test_new_years_day_on_a_sunday_gives_monday_2_january_2023_off():
    assert not CALENDAR.is_working_day(d("2023-01-02"))


@pytest.mark.parametrize(
    "day, occasion",
    [
        ("2023-05-08", "the coronation of King Charles III"),
        ("2022-09-19", "the state funeral of Queen Elizabeth II"),
        ("2022-06-03", "the Platinum Jubilee"),
    ],
)
def test_one_off_bank_holidays_are_not_working_days(day, occasion):
    assert not CALENDAR.is_working_day(d(day)), occasion


def test_bank_holidays_come_from_the_england_and_wales_table():
    holidays_2024 = bank_holidays([2024])
    assert holidays_2024 == [
        d("2024-01-01"), d("2024-03-29"), d("2024-04-01"), d("2024-05-06"),
        d("2024-05-27"), d("2024-08-26"), d("2024-12-25"), d("2024-12-26"),
    ]
    # Scotland's extra days (2 January, St Andrew's Day) are not England's.
    assert d("2024-01-02") not in holidays_2024
    assert d("2024-11-29") not in holidays_2024


def test_a_councils_closure_days_are_not_working_days():
    shutdown = [d("2024-12-27"), d("2024-12-30"), d("2024-12-31")]
    with_closure = WorkingCalendar(days_off(2024, 2025, closure_days=shutdown))
    without = WorkingCalendar(days_off(2024, 2025))
    for day in shutdown:
        assert without.is_working_day(day)
        assert not with_closure.is_working_day(day)
    # Received on the Monday before Christmas. Without the shutdown, day 1 is 24 December
    # and day 10 is 9 January (24, 27, 30, 31 Dec, 2, 3, 6, 7, 8, 9 Jan); with three
    # closure days it is 14 January (24 Dec, 2, 3, 6, 7, 8, 9, 10, 13, 14 Jan).
    assert due_date(without, d("2024-12-23"), 10) == d("2025-01-09")
    assert due_date(with_closure, d("2024-12-23"), 10) == d("2025-01-14")


def test_closure_days_are_off_by_default():
    assert days_off(2024, 2024) == bank_holidays([2024])


# -- 2. Counting a deadline ------------------------------------------------------------


def test_worked_example_received_wednesday_27_march_2024_is_due_friday_12_april():
    received = d("2024-03-27")
    assert CALENDAR.start_day(received) == received
    # Day 1 is the next working day; Good Friday and Easter Monday are skipped.
    assert CALENDAR.add_working_days(received, 1) == d("2024-03-28")
    assert CALENDAR.add_working_days(received, 2) == d("2024-04-02")
    assert due_date(CALENDAR, received, 10) == d("2024-04-12")


def test_worked_example_received_saturday_23_december_2023_starts_27_december():
    received = d("2023-12-23")
    assert CALENDAR.start_day(received) == d("2023-12-27")
    assert CALENDAR.add_working_days(d("2023-12-27"), 1) == d("2023-12-28")
    assert due_date(CALENDAR, received, 10) == d("2024-01-11")


def test_received_on_a_non_working_day_counts_from_the_next_working_day():
    # Good Friday 2024: the start day is Tuesday 2 April, day 1 is Wednesday 3 April.
    assert CALENDAR.start_day(d("2024-03-29")) == d("2024-04-02")
    assert due_date(CALENDAR, d("2024-03-29"), 1) == d("2024-04-03")


def test_on_time_means_on_or_before_the_due_date():
    due = d("2024-04-12")
    assert on_time(d("2024-04-11"), due)
    assert on_time(due, due)
    assert not on_time(d("2024-04-15"), due)


def test_working_days_before_a_due_date_skip_weekends_and_holidays():
    # Three working days before Friday 12 April 2024 is Tuesday 9 April (due_soon).
    assert CALENDAR.working_days_before(d("2024-04-12"), 3) == d("2024-04-09")
    # Three working days before Wednesday 3 April 2024: 2 April, 28 March, 27 March.
    assert CALENDAR.working_days_before(d("2024-04-03"), 3) == d("2024-03-27")


# -- Extension -------------------------------------------------------------------------


def test_extension_counts_from_the_current_due_date_statutory_stage_1_becomes_day_20():
    received = d("2024-03-27")
    due = due_date(CALENDAR, received, 10)
    extended = extended_due(CALENDAR, due, 10)
    assert extended == d("2024-04-26")
    assert extended == due_date(CALENDAR, received, 20)


def test_extension_is_not_counted_from_the_day_it_was_granted():
    due = d("2024-04-12")
    granted_on = d("2024-04-08")
    assert extended_due(CALENDAR, due, 10) == d("2024-04-26")
    assert extended_due(CALENDAR, due, 10) != due_date(CALENDAR, granted_on, 10)


# -- Suspension ------------------------------------------------------------------------


def test_suspension_contract_example_stage_1_resumed_13_may_is_due_30_may_2024():
    """contracts.md: received 27 March, extended to 26 April, suspended 10 April with 12
    working days left, resumed 13 May: due 30 May (27 May is a bank holiday)."""
    due = extended_due(CALENDAR, due_date(CALENDAR, d("2024-03-27"), 10), 10)
    assert due == d("2024-04-26")
    left = working_days_left(CALENDAR, d("2024-04-10"), due)
    assert left == 12
    assert due_after_resumption(CALENDAR, d("2024-05-13"), left) == d("2024-05-30")
    assert not CALENDAR.is_working_day(d("2024-05-27"))


def test_days_left_are_those_strictly_after_the_suspension_up_to_the_due_date():
    due = d("2024-04-12")
    assert working_days_left(CALENDAR, d("2024-04-11"), due) == 1
    assert working_days_left(CALENDAR, d("2024-04-12"), due) == 0
    # Suspended on Good Friday: 2 April to 12 April are 9 working days.
    assert working_days_left(CALENDAR, d("2024-03-29"), due) == 9


def test_days_left_are_never_fewer_than_zero():
    due = d("2024-04-12")
    assert working_days_left(CALENDAR, d("2024-04-19"), due) == 0
    assert working_days_left(CALENDAR, d("2025-01-01"), due) == 0
    # Resumed with nothing left: due on the start day of the resumption.
    assert due_after_resumption(CALENDAR, d("2024-05-13"), 0) == d("2024-05-13")
    assert due_after_resumption(CALENDAR, d("2024-05-11"), 0) == d("2024-05-13")


def test_several_suspensions_add_up():
    # Stage 1 received 27 March 2024: due 12 April.
    due = due_date(CALENDAR, d("2024-03-27"), 10)
    # First suspension: 3 April to 8 April. Left after 3 April: 4,5,8,9,10,11,12 = 7.
    left = working_days_left(CALENDAR, d("2024-04-03"), due)
    assert left == 7
    due = due_after_resumption(CALENDAR, d("2024-04-08"), left)
    assert due == d("2024-04-17")
    # Second suspension: 10 April to 15 April. Left after 10 April: 11,12,15,16,17 = 5.
    left = working_days_left(CALENDAR, d("2024-04-10"), due)
    assert left == 5
    due = due_after_resumption(CALENDAR, d("2024-04-15"), left)
    assert due == d("2024-04-22")
    # Ten working days were counted in all: 28 Mar, 2, 3 | 9, 10 | 16, 17, 18, 19, 22 April.
    counted = [
        d("2024-03-28"), d("2024-04-02"), d("2024-04-03"),
        d("2024-04-09"), d("2024-04-10"),
        d("2024-04-16"), d("2024-04-17"), d("2024-04-18"), d("2024-04-19"), d("2024-04-22"),
    ]
    assert all(CALENDAR.is_working_day(x) for x in counted) and len(counted) == 10
    assert counted[-1] == due


def test_resumption_on_a_non_working_day_starts_from_the_next_working_day():
    # Resumed on Saturday 11 May 2024 with 3 days left: start day Monday 13 May, due 16 May.
    assert due_after_resumption(CALENDAR, d("2024-05-11"), 3) == d("2024-05-16")


# -- Properties ------------------------------------------------------------------------

any_day = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
clock_length = st.integers(min_value=1, max_value=65)


@settings(max_examples=300, deadline=None)
@given(received=any_day, n=clock_length)
def test_a_due_date_is_always_a_working_day_after_the_start_day(received, n):
    due = due_date(CALENDAR, received, n)
    start = CALENDAR.start_day(received)
    assert CALENDAR.is_working_day(due)
    assert due > start >= received
    # Exactly N working days lie strictly after the start day, up to the due date.
    assert CALENDAR.working_days_after_until(start, due) == n


@settings(max_examples=300, deadline=None)
@given(received=any_day, n=clock_length)
def test_due_date_is_monotonic_in_the_number_of_working_days(received, n):
    assert due_date(CALENDAR, received, n) < due_date(CALENDAR, received, n + 1)


@settings(max_examples=300, deadline=None)
@given(first=any_day, second=any_day, n=clock_length)
def test_due_date_is_monotonic_in_the_date_received(first, second, n):
    early, late = sorted([first, second])
    assert due_date(CALENDAR, early, n) <= due_date(CALENDAR, late, n)


@settings(max_examples=300, deadline=None)
@given(day=any_day)
def test_start_day_is_idempotent_and_a_working_day(day):
    start = CALENDAR.start_day(day)
    assert CALENDAR.start_day(start) == start
    assert CALENDAR.is_working_day(start)
    # No working day is skipped on the way.
    assert all(not CALENDAR.is_working_day(day + timedelta(days=i)) for i in range((start - day).days))


@settings(max_examples=300, deadline=None)
@given(received=any_day, n=clock_length, offset=st.integers(min_value=0, max_value=70))
def test_a_suspension_of_zero_days_changes_nothing(received, n, offset):
    due = due_date(CALENDAR, received, n)
    # Suspend and resume on the same working day, anywhere from the start day to the due date.
    suspended = CALENDAR.add_working_days(CALENDAR.start_day(received), min(offset, n))
    left = working_days_left(CALENDAR, suspended, due)
    assert due_after_resumption(CALENDAR, suspended, left) == due


@settings(max_examples=300, deadline=None)
@given(received=any_day, n=clock_length, extra=st.integers(min_value=1, max_value=40))
def test_an_extension_adds_exactly_its_working_days(received, n, extra):
    assert extended_due(CALENDAR, due_date(CALENDAR, received, n), extra) == due_date(CALENDAR, received, n + extra)


@settings(max_examples=300, deadline=None)
@given(received=any_day, n=clock_length, when=any_day)
def test_days_left_are_never_negative_nor_more_than_the_clock(received, n, when):
    due = due_date(CALENDAR, received, n)
    left = working_days_left(CALENDAR, when, due)
    assert 0 <= left
    if when >= CALENDAR.start_day(received):
        assert left <= n


@settings(max_examples=300, deadline=None)
@given(after=st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)),
       span=st.integers(min_value=-30, max_value=900),
       closures=st.lists(st.dates(min_value=date(2019, 1, 1), max_value=date(2033, 12, 31)), max_size=12))
def test_working_days_counted_by_arithmetic_agree_with_walking_the_days(after, span, closures):
    """The count is arithmetic (the web app counts it for every row it lists): it must agree
    with walking day by day, bank holidays and a council's closure days (weekend ones too) included."""
    calendar = WorkingCalendar([*bank_holidays(range(2019, 2034)), *closures])
    until = after + timedelta(days=span)
    walked = sum(1 for n in range(1, span + 1) if calendar.is_working_day(after + timedelta(days=n)))
    assert calendar.working_days_after_until(after, until) == walked
