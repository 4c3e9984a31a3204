"""A clerk records what already happened on the day it happened, and registers a family
that complained by letter: through the real `complaints` command against a running engine.
"""

from __future__ import annotations

from datetime import timedelta

from rules.bank_holidays import complaint_days_off
from rules.calendar import WorkingCalendar
from tests.test_cli_engine import (  # noqa: F401 - fixtures
    complaints,
    directory,
    new_ref,
    one_error_line,
    recorded,
    running_engine,
    today,
)


def working_day_before(day, n=0):
    calendar = WorkingCalendar(complaint_days_off(day))
    day = calendar.start_day(day - timedelta(days=14))
    return calendar.add_working_days(day, n)


async def test_a_complaint_entered_late_has_its_officer_and_response_on_the_days_they_happened(
    running_engine, complaints, store
):
    ref = new_ref()
    received = working_day_before(today())                     # about two weeks ago
    assigned = working_day_before(today(), 1)
    answered = working_day_before(today(), 5)                   # well inside its 10 working days
    code, out, err = await complaints("register", "--ref", ref, "--policy", "children-statutory",
                                      "--received", received.isoformat(), "--name", "Pat Parent",
                                      "--email", "pat@example.org", "--type", "parent")
    assert code == 0, err
    code, out, err = await complaints("assign", ref, "io-1", "--on", assigned.isoformat(), "--by", "Sam Clerk")
    assert code == 0, err
    code, out, err = await complaints("respond", ref, "--outcome", "upheld", "--on", answered.isoformat())
    assert code == 0, err
    code, out, err = await complaints("status", ref)
    assert f"answered on {answered} (on time)" in out, out
    record = store.complaint(ref)
    assert record["stages"][0]["responded"] == answered and record["stages"][0]["on_time"] is True
    assert [(h["action"], h["at"].date()) for h in record["history"][1:3]] == [
        ("assign", assigned), ("respond", answered)]


async def test_a_date_still_to_come_or_out_of_order_is_refused_in_one_line(running_engine, complaints):
    ref = new_ref()
    code, _, err = await complaints("register", "--ref", ref, "--policy", "corporate", "--name", "Pat Parent",
                                    "--email", "pat@example.org", "--type", "parent")
    assert code == 0, err
    tomorrow = today() + timedelta(days=1)
    code, _, err = await complaints("assign", ref, "io-1", "--on", tomorrow.isoformat())
    assert code == 2 and one_error_line(err).endswith(f"cannot be dated {tomorrow}, a day still to come")
    code, _, err = await complaints("assign", ref, "io-1", "--on", "01/12/2026")
    assert code == 2 and "--on '01/12/2026' is not a date (YYYY-MM-DD)" in one_error_line(err)


async def test_a_family_that_complained_by_letter_is_registered_with_its_postal_address(
    running_engine, complaints, store
):
    ref = new_ref()
    code, out, err = await complaints("register", "--ref", ref, "--policy", "corporate", "--channel", "letter",
                                      "--name", "Sam Jones", "--address", "12 Mill Lane, Exampletown, ZZ1 2AB",
                                      "--type", "parent")
    assert code == 0, err
    await recorded(store, ref)
    record = store.complaint(ref)
    assert (record["complainant_address"], record["complainant_write_by"]) == (
        "12 Mill Lane\nExampletown\nZZ1 2AB", "post")
    code, _, err = await complaints("register", "--ref", new_ref(), "--policy", "corporate",
                                    "--name", "Sam Jones", "--type", "parent")
    assert code == 2 and "--email or --address" in one_error_line(err)
    code, _, err = await complaints("register", "--ref", new_ref(), "--policy", "corporate", "--name", "Sam Jones",
                                    "--address", "12 Mill Lane, Exampletown", "--type", "parent")
    assert code == 2 and "--address: ends with 'Exampletown', not a UK postcode" in one_error_line(err)


def test_a_date_written_day_first_is_refused_with_the_date_it_should_be(tmp_path, capsys):
    from cli.main import main

    for written, told in (("03/11/2026", "03/11/2026 is not a date; write 2026-11-03"),
                          ("3.11.26", "3.11.26 is not a date; write 2026-11-03"),
                          ("next Tuesday", "next Tuesday is not a date; write it as YYYY-MM-DD")):
        file = tmp_path / "complaint.yaml"
        file.write_text(f"ref: CS-DATE-1\npolicy: corporate\nreceived: '{written}'\n"
                        "complainant: {name: A Parent, email: a@example.org, type: parent}\n")
        capsys.readouterr()
        assert main(["register", str(file)]) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"complaints: register: field received: {told}", err
