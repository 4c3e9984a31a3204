"""Bad data is refused at the door, never frozen inside (issue 8).

Each value here once left a complaint that `register` called registered stuck for good:
its record activity retried for ever (a NUL, an over-long reference or channel, or a
cost of £10,000,000,000 on PostgreSQL; a line break in a name or an address the mail
cannot carry anywhere; a 1 MB name past Temporal's payload limit). They are now refused
in one line naming the field, the same way on every path and on both databases: by the
rules' checks (so an Update from any client is refused by its validator), by the record
store's own ``record_*``, by `complaints register`, every action command, `compliment`
and `simulate`. Nothing is written: no workflow starts, no row is kept.
"""

from __future__ import annotations

import csv
import dataclasses
import math
from dataclasses import asdict, replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import create_engine, inspect
from temporalio.client import WorkflowUpdateFailedError

from cli import main as cli_main
from models import actions as a
from models.complaint import Complainant, Cost, Officer, OmbudsmanReferral
from models.field_checks import REQUESTS, registration_problem, request_problem
from policies import BUILT_IN, load_policy_file
from reports.annual_report import _csv_value
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON, RULES_VERSION, Complaint, Refused, registration_refusal
from store.record_store import RecordStore
from tests.test_cli_engine import (  # noqa: F401 - fixtures, used by name
    complaints,
    directory,
    new_ref,
    one_error_line,
    recorded,
    register,
    running_engine,
    state_of,
)
from tests.test_cli_shape import complaints as run  # the installed command, with no engine to reach
from tests.test_cli_shape import refusal as refused_line
from tests.test_store import archived, the_rules_say
from workflows.engine import complaint_input

POLICY = load_policy_file(BUILT_IN / "children-statutory.yaml")
MB = 1024 * 1024
TODAY = datetime.now(LONDON).date()

DIRECTORY = [
    Officer("tm-1", "Team Manager", "tm1@council.example"),
    Officer("io-1", "Investigating Officer One", "io1@council.example", manager="tm-1"),
    Officer("io-2", "Investigating Officer Two", "io2@council.example", manager="tm-1"),
]


def at(day: date | str, hour: int = 10) -> datetime:
    day = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime.combine(day, time(hour), LONDON)


def registration(**extra) -> a.Registration:
    complainant = extra.pop("complainant", {})
    fields = dict(
        ref="CS-2024-001", policy="children-statutory", received=at("2024-03-27"),
        complainant=Complainant(**{"name": "A Parent", "email": "parent@example.org", "type": "parent",
                                   **complainant}),
        officers=list(DIRECTORY), complaints_team_email="complaints@council.example",
        reasons=["communication"], channel="email",
    )
    fields.update(extra)
    return a.Registration(**fields)


def main(capsys, *argv: str) -> tuple[int, str, str]:
    """`complaints ARGS` in this process (an argument of 1 MB is past what exec takes)."""
    capsys.readouterr()
    code = cli_main.main([str(x) for x in argv])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------ the checks themselves


def test_every_field_of_every_action_has_a_check():
    for name, kind in a.ACTIONS.items():
        fields = {f.name for f in dataclasses.fields(kind)}
        checked = set(REQUESTS[kind]) | ({"officers"} if kind is a.Assign else set())
        assert fields == checked, name


BAD_REGISTRATIONS = [
    # (what, the registration's fields, the one line the rules give)
    ("a 1 MB name", dict(complainant={"name": "N" * MB}),
     "field complainant.name: is 1,048,576 characters long; at most 200"),
    ("a NUL in the name", dict(complainant={"name": "A\x00Parent"}),
     "field complainant.name: has a NUL character; take it out"),
    ("a line break in the name", dict(complainant={"name": "A Parent\nBcc: someone"}),
     "field complainant.name: has a line break; write it on one line"),
    ("a carriage return in the name", dict(complainant={"name": "A Parent\r"}),
     "field complainant.name: has a line break; write it on one line"),
    ("a blank name", dict(complainant={"name": "  "}),
     "field complainant.name: is empty; a name is needed"),
    ("a bell in the name", dict(complainant={"name": "A\x07Parent"}),
     "field complainant.name: has a control character (U+0007); take it out"),
    ("a lone surrogate", dict(complainant={"name": "A\ud800"}),
     "field complainant.name: has a broken character (a lone surrogate); type it again"),
    ("a 65-character reference", dict(ref="R" * 65),
     "field ref: is 65 characters long; at most 64"),
    ("a non-ASCII reference", dict(ref="CS-2024-ü"),
     "field ref: has characters other than ASCII letters, digits and punctuation"),
    ("a 65-character channel", dict(channel="c" * 65),
     "field channel: is 65 characters long; at most 64"),
    ("an email without @", dict(complainant={"email": "parent.example.org"}),
     "field complainant.email: is not an email address: it has no @"),
    ("an email with two @", dict(complainant={"email": "parent@home@example.org"}),
     "field complainant.email: is not an email address: it has more than one @"),
    ("an email with non-ASCII", dict(complainant={"email": "zoë@example.org"}),
     "field complainant.email: has characters other than ASCII, which the council's mail cannot send to; "
     "ask for an address without them"),
    ("an email without a domain", dict(complainant={"email": "parent@localhost"}),
     "field complainant.email: is not an email address: the part after the @ is not a domain such as "
     "example.org"),
    ("an email with a space", dict(complainant={"email": "a parent@example.org"}),
     "field complainant.email: is not an email address: it has a space"),
    ("received in 1900", dict(received=at("1900-03-27")),
     "field received: 1900-03-27 is before 2000; is the year right?"),
    ("a matter in 1900", dict(matter_date=date(1900, 1, 1)),
     "field matter_date: 1900-01-01 is before 2000; is the year right?"),
    ("a reason over two lines", dict(reasons=["communication", "staff\nattitude"]),
     "field reasons.1: has a line break; write it on one line"),
    ("51 reasons", dict(reasons=["communication"] * 51), "field reasons: has 51 reasons; at most 50"),
    ("a 10,001-character late reason", dict(late_accepted=True, late_reason="x" * 10_001),
     "field late_reason: is 10,001 characters long; at most 10,000"),
    ("an officer's email", dict(officers=[*DIRECTORY, Officer("io-9", "New", "io9.council.example")]),
     "field officers.3.email: is not an email address: it has no @"),
    ("an officer's name over two lines", dict(officers=[Officer("io-9", "New\nStarter", "io9@council.example")]),
     "field officers.0.name: has a line break; write it on one line"),
    ("the team's address", dict(complaints_team_email="complaints"),
     "field complaints_team.email: is not an email address: it has no @"),
    ("a directory of 2 MB", dict(officers=[Officer(f"io-{i}", "N" * 200, f"io{i}@council.example")
                                         for i in range(8000)]),
     "field officers: the council's directory is 2,"),
]


@pytest.mark.parametrize("extra, line", [case[1:] for case in BAD_REGISTRATIONS],
                         ids=[case[0] for case in BAD_REGISTRATIONS])
def test_the_rules_refuse_a_registration_no_record_could_hold(extra, line):
    reg = registration(**extra)
    reason = registration_refusal(reg, POLICY)
    assert reason is not None and reason.startswith(line), reason
    assert "\n" not in reason and len(reason) < 300
    # complaint_input, which starts every workflow, refuses it: nothing reaches Temporal.
    with pytest.raises(Refused, match="^field "):
        complaint_input(reg)


def test_values_at_the_limits_are_registered():
    reg = registration(ref="R" * 64, channel="c" * 64, complainant={"name": "Zoë Ó'Brien-Łukasz " * 10,
                                                                    "email": "a" * 64 + "@" + "b" * 60 + ".org"},
                       reasons=["r" * 200] * 50, late_accepted=True, late_reason="line one\nline two\t" * 500,
                       matter_date=date(2024, 1, 1), service_area="s" * 200, child="c" * 200)
    assert registration_problem(reg, TODAY) is None
    assert registration_refusal(reg, POLICY) is None


def complaint_on(day: str) -> Complaint:
    """A complaint at stage 2 with an officer, as the workflow holds it."""
    complaint, _ = Complaint.register(registration(), POLICY, WorkingCalendar([]), at("2024-03-27"))
    complaint.apply("assign", a.Assign("io-1"), at("2024-03-28"))
    complaint.apply("respond", a.Respond("not_upheld"), at("2024-04-05"))
    complaint.apply("escalate", a.Escalate("disagree"), at("2024-04-08"))
    complaint.apply("assign", a.Assign("io-2"), at("2024-04-08"))
    return complaint


BAD_ACTIONS = [
    ("record_cost", a.RecordCost(2, "investigator", math.inf), "field amount_gbp: inf is not an amount of money; "
     "give a number of pounds"),
    ("record_cost", a.RecordCost(2, "investigator", math.nan), "field amount_gbp: nan is not an amount of money; "
     "give a number of pounds"),
    ("record_cost", a.RecordCost(2, "investigator", 1e308), "field amount_gbp: £1e+308 is more than £1,000,000.00, "
     "too much to be right"),
    ("record_cost", a.RecordCost(2, "investigator", 10_000_000_000.0), "field amount_gbp: £10,000,000,000.00 is "
     "more than £1,000,000.00, too much to be right"),
    ("record_cost", a.RecordCost(2, "investigator", 1_000_000.01), "field amount_gbp: £1,000,000.01 is more than"),
    ("record_cost", a.RecordCost(2, "investigator", -5.0), "a cost must be more than nothing (-5.0)"),
    ("record_cost", a.RecordCost(2, "investigator", 100.0, on=date(1900, 1, 1)),
     "field on: 1900-01-01 is before 2000; is the year right?"),
    ("record_cost", a.RecordCost(2, "x" * MB, 100.0), "field item: is 1,048,576 characters long; at most 64"),
    ("ombudsman_decision", a.OmbudsmanDecision("not_upheld", remedy_gbp=-math.inf),
     "field remedy_gbp: -inf is not an amount of money; give a number of pounds"),
    ("refer_to_ombudsman", a.ReferToOmbudsman(on=date(1900, 1, 1)),
     "field on: 1900-01-01 is before 2000; is the year right?"),
    ("extend", a.Extend("complex", new_due=date(2300, 1, 1)),
     "field new_due: 2300-01-01 is more than 10 years ahead; is the year right?"),
    ("extend", a.Extend("complex\x00"), "field reason: has a NUL character; take it out"),
    ("suspend", a.Suspend("court_proceedings", detail="d" * 10_001),
     "field detail: is 10,001 characters long; at most 10,000"),
    ("appoint_independent_person", a.AppointIndependentPerson("Ida\nPerson"),
     "field name: has a line break; write it on one line"),
    ("reassign", a.Assign("io 1"), "field officer: has a space; write it without spaces"),
    ("reassign", a.Assign("io-1", officers=[Officer("io-1", "One", "one@council.example"),
                                           Officer("io-3", "Three", "thrée@council.example")]),
     "field officers.1.email: has characters other than ASCII"),
    ("withdraw", a.Withdraw("moved\x00away"), "field reason: has a NUL character; take it out"),
    ("escalate", a.Escalate("disagree", late_accepted=True, late_reason="x" * MB),
     "field late_reason: is 1,048,576 characters long; at most 10,000"),
    ("proceedings_ended", a.ProceedingsEnded(on=date(1999, 12, 31)),
     "field on: 1999-12-31 is before 2000; is the year right?"),
]


@pytest.mark.parametrize("action, req, line", BAD_ACTIONS,
                         ids=[f"{x[0]}-{i}" for i, x in enumerate(BAD_ACTIONS)])
def test_the_rules_refuse_an_action_no_record_could_hold_and_change_nothing(action, req, line):
    complaint = complaint_on("2024-04-10")
    before = asdict(complaint.state)
    reason = complaint.refusal(action, req, at("2024-04-10"))
    assert reason is not None and reason.startswith(line), reason
    assert "\n" not in reason and len(reason) < 300
    assert asdict(complaint.state) == before


def test_a_complaint_registered_under_earlier_rules_takes_what_it_took_when_replayed():
    """An Update its workflow accepted before the checks (a cost of £2,500,000, a date in
    1999) is in its history: replayed, the rules must accept it again, or the complaint's
    workflow would stop on a history it no longer matches. The commands still refuse it."""
    complaint_v2, _ = Complaint.register(registration(), POLICY, WorkingCalendar([]), at("2024-03-27"),
                                         rules_version=2)
    complaint_v3 = complaint_on("2024-04-10")
    for c in (complaint_v2,):
        c.apply("assign", a.Assign("io-1"), at("2024-03-28"))
        c.apply("respond", a.Respond("not_upheld"), at("2024-04-05"))
        c.apply("escalate", a.Escalate("disagree"), at("2024-04-08"))
    costly = a.RecordCost(2, "investigator", 2_500_000.0)
    assert complaint_v2.refusal("record_cost", costly, at("2024-04-10")) is None
    assert complaint_v2.refusal("withdraw", a.Withdraw("moved\x00away"), at("2024-04-10")) is None
    assert complaint_v3.refusal("record_cost", costly, at("2024-04-10")).startswith("field amount_gbp: ")
    assert request_problem("record_cost", costly, TODAY) is not None


def test_free_text_may_run_over_lines():
    complaint = complaint_on("2024-04-10")
    notes = "What went wrong:\r\n\t- we were slow\n- we did not call back\n" * 100
    assert request_problem("extend", a.Extend(notes), TODAY) is None
    assert request_problem("withdraw", a.Withdraw(notes), TODAY) is None
    assert complaint.refusal("extend", a.Extend(notes), at("2024-04-10")) is None


# ------------------------------------------------------------------ the record store, on both databases


def frozen_on_postgresql() -> list[tuple[str, object]]:
    """What worked on SQLite and froze a complaint on PostgreSQL, as the workflow's snapshot."""
    base = archived()
    return [
        ("a NUL in a name", replace(base, complainant=replace(base.complainant, name="A\x00Parent"))),
        ("a 65-character reference", replace(base, ref="R" * 65)),
        ("a 65-character channel", replace(base, channel="c" * 65)),
        ("a cost of £10,000,000,000", replace(base, costs=[Cost(2, date(2024, 5, 1), "panel", 1e10)])),
    ]


@pytest.mark.parametrize("case", range(4), ids=[c[0] for c in frozen_on_postgresql()])
def test_what_froze_postgresql_is_refused_by_the_checks_on_every_database(case, database):
    what, state = frozen_on_postgresql()[case]
    reg = registration(ref=state.ref, channel=state.channel, complainant=asdict(state.complainant))
    cost = state.costs[-1] if state.costs else None
    problem = (request_problem("record_cost", a.RecordCost(2, "panel", cost.amount_gbp), TODAY) if cost
               else registration_problem(reg, TODAY))
    assert problem is not None, what
    # And why it had to be refused: PostgreSQL will not keep it (SQLite would, silently).
    store = RecordStore(database)
    try:
        store.create_schema()
        if database.startswith("postgresql"):
            with pytest.raises(Exception):
                store.save(state, [])
        else:
            store.save(state, [])
    finally:
        store.close()


def test_what_the_checks_let_through_at_their_limits_both_databases_keep(database):
    base = archived()
    state = replace(
        base, ref="R" * 64, channel="c" * 64, service_area="s" * 200, child="c" * 200, reasons=["r" * 200] * 50,
        complainant=Complainant("Zoë Ó'Brien " * 16, "a" * 64 + "@" + "b" * 60 + ".org", "parent"),
        late_accepted_reason="why\n" * 2500, withdrawal_reason="w" * 10_000,
        costs=[Cost(2, date(2024, 5, 1), "panel", 1_000_000.0)],
        ombudsman=[OmbudsmanReferral(date(2024, 7, 1), date(2024, 9, 1), "upheld_fault_and_injustice", 1_000_000.0)],
    )
    reg = registration(ref=state.ref, channel=state.channel, service_area=state.service_area, child=state.child,
                       reasons=state.reasons, complainant=asdict(state.complainant))
    assert registration_problem(reg, TODAY) is None
    assert request_problem("record_cost", a.RecordCost(2, "panel", 1_000_000.0), TODAY) is None
    store = RecordStore(database)
    try:
        store.create_schema()
        store.save(state, [])
        record = store.complaint(state.ref)
        assert (record["ref"], record["channel"], record["complainant_name"]) == (
            state.ref, state.channel, state.complainant.name)
        assert [c["amount_gbp"] for c in record["costs"]] == [1_000_000.0]
    finally:
        store.close()


def test_the_record_store_refuses_what_no_row_could_hold_and_writes_nothing(database):
    store = RecordStore(database)
    try:
        store.create_schema()
        state = archived()
        store.save(state, [])
        now = at("2025-09-01")
        revision = store.complaint(state.ref)["revision"]
        cases = [
            (store.record_cost, "record_cost", a.RecordCost(2, "investigator", math.inf)),
            (store.record_cost, "record_cost", a.RecordCost(2, "investigator", 1e10)),
            (store.record_cost, "record_cost", a.RecordCost(2, "investigator", math.nan)),
            (store.record_cost, "record_cost", a.RecordCost(2, "investigator", 100.0, on=date(1900, 1, 1))),
            (store.record_ombudsman_referral, "refer_to_ombudsman", a.ReferToOmbudsman(on=date(1900, 1, 1))),
            (store.record_ombudsman_decision, "ombudsman_decision", a.OmbudsmanDecision("not_upheld", math.inf)),
            (store.record_learning, "submit_learning", a.SubmitLearning("slow\x00")),
            (store.record_learning, "submit_learning", a.SubmitLearning("x" * MB)),
        ]
        for record_it, action, req in cases:
            with pytest.raises(Refused) as why:
                record_it(state.ref, req, now)
            assert str(why.value).startswith("field "), why.value
            # In the words the workflow's rules use for the same request.
            assert str(why.value) == the_rules_say(replace(state, rules_version=RULES_VERSION), action, req, now)
        record = store.complaint(state.ref)
        assert record["revision"] == revision and record["costs"] == [] and record["ombudsman"] == []
        assert [s["learning_submitted"] for s in record["stages"]] == [None, None]

        for team, officer, body, field in (("Fost\nering", None, "kind", "team"), ("Fostering", "io 1", "kind", "officer"),
                                           ("Fostering", None, "k\x00ind", "text")):
            with pytest.raises(Refused, match=f"^field {field}: "):
                store.add_compliment(date(2024, 5, 1), team, officer, body)
        assert store.compliments() == []
    finally:
        store.close()


# ------------------------------------------------------------------ the commands, with no engine to reach


def test_register_refuses_bad_fields_at_once_and_keeps_nothing(tmp_path):
    """Refused before the engine is called (none answers here) and before the record store
    is opened: no workflow, no refusal kept (a typing mistake is no refused complaint)."""
    db = tmp_path / "records.db"
    flags = ["--policy", "children-statutory", "--type", "parent", "--database", f"sqlite:///{db}"]
    cases = [
        (["--ref", "R-1", "--name", "A Parent\nBcc: x", "--email", "p@example.org"],
         "complaints: register: --name: has a line break; write it on one line"),
        (["--ref", "R-1", "--name", "A Parent", "--email", "p.example.org"],
         "complaints: register: --email: is not an email address: it has no @"),
        (["--ref", "R-1", "--name", "A Parent", "--email", "zoë@example.org"],
         "complaints: register: --email: has characters other than ASCII, which the council's mail cannot send "
         "to; ask for an address without them"),
        (["--ref", "R" * 65, "--name", "A Parent", "--email", "p@example.org"],
         "complaints: register: --ref: is 65 characters long; at most 64"),
        (["--ref", "R-1", "--name", "A Parent", "--email", "p@example.org", "--received", "1900-03-27"],
         "complaints: register: --received: 1900-03-27 is before 2000; is the year right?"),
        (["--ref", "R-1", "--name", "A Parent", "--email", "p@example.org", "--channel", "c" * 65],
         "complaints: register: --channel: is 65 characters long; at most 64"),
        (["--ref", "R-1", "--name", "A Parent", "--email", "p@example.org", "--reason", "a", "--reason", "b\tc"],
         "complaints: register: --reason: has a control character (U+0009); take it out"),
    ]
    for argv, line in cases:
        assert refused_line(run("register", *argv, *flags)) == line
    assert not db.exists(), "nothing was written to the record store"


def test_register_from_a_file_names_the_field(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
    file = tmp_path / "complaint.yaml"
    file.write_text("ref: CS-1\npolicy: corporate\nreceived: 2023-02-30\n"
                    "complainant: {name: A Parent, email: p@example.org, type: parent}\n")
    assert refused_line(run("register", str(file))) == (
        f"complaints: register: {file}: received: 2023-02-30 is not a date; write it as YYYY-MM-DD (line 3)")

    # A NUL (YAML's "\0") and a 1 MB name, in this process: exec takes no 1 MB argument.
    for name, line in (('"A\\0Parent"', "has a NUL character; take it out"),
                       ("N" * MB, "is 1,048,576 characters long; at most 200")):
        file.write_text(f"ref: CS-1\npolicy: corporate\nreceived: 2024-03-27\n"
                        f"complainant: {{name: {name}, email: p@example.org, type: parent}}\n")
        code, out, err = main(capsys, "register", file)
        assert (code, out) == (2, "")
        assert err.strip() == f"complaints: register: field complainant.name: {line}"


def test_a_directory_with_a_field_no_letter_could_carry_is_refused(tmp_path):
    directory = tmp_path / "directory.yaml"
    directory.write_text("officers:\n  - {id: io-1, name: One, email: io1@council.example}\n"
                         "  - {id: io-2, name: Two, email: zoë@council.example}\n"
                         "complaints_team: {email: complaints@council.example}\n")
    line = refused_line(run("register", "--ref", "R-1", "--policy", "corporate", "--type", "parent",
                            "--name", "A Parent", "--email", "p@example.org", COMPLAINTS_DIRECTORY=str(directory)))
    assert line == (f"complaints: directory {directory}: field officers.1.email: has characters other than "
                    "ASCII, which the council's mail cannot send to; ask for an address without them")
    assert refused_line(run("assign", "R-1", "io-1", COMPLAINTS_DIRECTORY=str(directory))) == line


def test_actions_refuse_bad_fields_before_anything_is_sent():
    cases = [
        (["record-cost", "CS-1", "--stage", "2", "--item", "panel", "--amount", "inf"],
         "complaints: record-cost refused: --amount: inf is not an amount of money; give a number of pounds"),
        (["record-cost", "CS-1", "--stage", "2", "--item", "panel", "--amount", "1e308"],
         "complaints: record-cost refused: --amount: £1e+308 is more than £1,000,000.00, too much to be right"),
        (["record-cost", "CS-1", "--stage", "2", "--item", "panel", "--amount", "nan"],
         "complaints: record-cost refused: --amount: nan is not an amount of money; give a number of pounds"),
        (["record-cost", "CS-1", "--stage", "2", "--item", "panel", "--amount", "10000000000"],
         "complaints: record-cost refused: --amount: £10,000,000,000.00 is more than £1,000,000.00, "
         "too much to be right"),
        (["record-cost", "CS-1", "--stage", "2", "--item", "panel", "--amount", "5", "--on", "1900-01-01"],
         "complaints: record-cost refused: --on: 1900-01-01 is before 2000; is the year right?"),
        (["ombudsman-decision", "CS-1", "--result", "not_upheld", "--remedy", "inf"],
         "complaints: ombudsman-decision refused: --remedy: inf is not an amount of money; give a number of pounds"),
        (["appoint-independent-person", "CS-1", "Ida\nPerson"],
         "complaints: appoint-independent-person refused: NAME: has a line break; write it on one line"),
        (["withdraw", "CS-1", "--reason", "x" * 10_001],
         "complaints: withdraw refused: --reason: is 10,001 characters long; at most 10,000"),
        (["extend", "CS-1", "--reason", "complex", "--new-due", "2300-01-01"],
         "complaints: extend refused: --new-due: 2300-01-01 is more than 10 years ahead; is the year right?"),
        (["assign", "R" * 65, "io-1"],
         "complaints: assign refused: REF: is 65 characters long; at most 64"),
    ]
    for argv, line in cases:
        assert refused_line(run(*argv)) == line


def test_a_compliment_is_checked_and_a_formula_reaches_the_csv_as_text(tmp_path, database):
    refused = [
        (["--team", "Fost\nering", "--text", "kind"], "complaints: compliment refused: --team: has a line break; "
         "write it on one line"),
        (["--team", "Fostering", "--text", "kind", "--on", "1900-01-01"],
         "complaints: compliment refused: --on: 1900-01-01 is before 2000; is the year right?"),
        (["--team", "Fostering", "--text", "kind", "--on", (TODAY + timedelta(days=1)).isoformat()],
         f"complaints: compliment refused: --on: {TODAY + timedelta(days=1)} is a day still to come"),
        (["--team", "Fostering", "--text", "kind", "--officer", "io 1"],
         "complaints: compliment refused: --officer: has a space; write it without spaces"),
    ]
    for argv, line in refused:
        assert refused_line(run("compliment", *argv, "--database", database)) == line
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        assert not inspect(engine).has_table("compliments"), "nothing was written"
    finally:
        engine.dispose()

    formula = '=HYPERLINK("http://evil.example","click")'
    done = run("compliment", "--team", formula, "--text", "kind", "--on", "2023-05-01", "--database", database)
    assert done.returncode == 0, done.stderr
    done = run("report", "--year", "2023-24", "--out", str(tmp_path / "report"), "--database", database,
               "--draft")
    assert done.returncode == 0, done.stderr
    with (tmp_path / "report" / "compliments_by_team.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert ["'" + formula, "1"] in [row[:2] for row in rows], rows


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    for cell in ("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=1", "-cmd|' /C calc'!A0"):
        assert _csv_value(cell) == "'" + cell
    for cell in (-3, -2.5, 0, 1e9, "-3", "-2.50", "+4", "Fostering", "", "12 (fewer than 5)"):
        assert _csv_value(cell) == cell
    assert _csv_value(None) == ""


# ------------------------------------------------------------------ simulate: refused before anything runs

SCENARIO = """\
officers:
  - {{id: io-1, name: Investigating Officer, email: io1@council.example}}
complaints_team: {{email: complaints@council.example}}
complaints:
  - ref: {ref}
    policy: children-statutory
    received: {received}
    complainant: {{name: {name}, email: {email}, type: parent}}
    channel: {channel}
    actions:
      - {{date: 2024-03-28, do: assign, officer: io-1}}
      - {{date: 2024-04-05, do: respond, outcome: not_upheld}}
      - {{date: 2024-04-08, do: escalate, reason: disagree}}
      - {{date: 2024-04-10, do: record_cost, stage: 2, item: panel, amount_gbp: {amount}}}
compliments:
  - {{date: 2024-05-01, team: {team}, text: kind}}
"""
GOOD = dict(ref="CS-1", received="2024-03-27", name="A Parent", email="p@example.org", channel="email",
            amount="500", team="Fostering")
BAD_SCENARIOS = [
    (dict(name='"A\\0Parent"'), "complaint CS-1, field complainant.name: has a NUL character; take it out"),
    (dict(name='"A Parent\\nBcc: x"'), "complaint CS-1, field complainant.name: has a line break; "
                                       "write it on one line"),
    (dict(ref="R" * 65), "complaint #1, field ref: is 65 characters long; at most 64"),
    (dict(channel="c" * 65), "complaint CS-1, field channel: is 65 characters long; at most 64"),
    (dict(email="zoë@example.org"), "complaint CS-1, field complainant.email: has characters other than ASCII"),
    (dict(email="p.example.org"), "complaint CS-1, field complainant.email: is not an email address: it has no @"),
    (dict(received="1900-03-27"), "complaint CS-1, field received: 1900-03-27 is before 2000; is the year right?"),
    (dict(received="2023-02-30"), "received: 2023-02-30 is not a date; write it as YYYY-MM-DD (line 7)"),
    (dict(amount="10000000000"), "complaint CS-1, action 4 (record_cost), field amount_gbp: £10,000,000,000.00 "
                                 "is more than £1,000,000.00, too much to be right"),
    (dict(amount=".inf"), "complaint CS-1, action 4 (record_cost), field amount_gbp: inf is not an amount of "
                          "money; give a number of pounds"),
    (dict(amount="1e308"), "complaint CS-1, action 4 (record_cost), field amount_gbp: £1e+308 is more than"),
    (dict(team='"=1+2\\nx"'), "compliment 1, field team: has a line break; write it on one line"),
]


@pytest.mark.parametrize("case", range(len(BAD_SCENARIOS)), ids=[str(c[0]) for c in BAD_SCENARIOS])
def test_simulate_refuses_a_scenario_with_a_field_no_record_could_hold(case, tmp_path, database):
    fields, words = BAD_SCENARIOS[case]
    scenario = tmp_path / "bad.yaml"
    scenario.write_text(SCENARIO.format(**{**GOOD, **fields}))
    line = refused_line(run("simulate", str(scenario), "--database", database,
                            "--out", str(tmp_path / "timeline.jsonl")))
    assert line.startswith(f"complaints: {scenario}: {words}"), line
    assert not (tmp_path / "timeline.jsonl").exists()
    engine = create_engine(database.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        assert not inspect(engine).has_table("complaints"), "nothing ran, nothing was written"
    finally:
        engine.dispose()


def test_the_good_scenario_validates():
    from simulation.scenario import parse_scenario
    from models.yaml_files import read_yaml

    parse_scenario(read_yaml(SCENARIO.format(**GOOD)))


# ------------------------------------------------------------------ against a running engine


async def test_a_bad_registration_starts_no_workflow_and_a_bad_update_from_any_client_is_refused(
    running_engine, complaints, store, tmp_path
):
    # The 1 MB name that once passed Temporal's payload limit: refused, no complaint.
    ref = new_ref()
    file = tmp_path / "big.yaml"
    file.write_text(f"ref: {ref}\npolicy: corporate\nreceived: {TODAY}\n"
                    f"complainant: {{name: {'N' * MB}, email: p@example.org, type: parent}}\n")
    code, out, err = await complaints("register", file)
    assert (code, out) == (2, "")
    assert one_error_line(err) == "complaints: register: field complainant.name: is 1,048,576 characters long; " \
                                  "at most 200"
    code, _, err = await complaints("register", "--ref", ref, "--policy", "corporate", "--type", "parent",
                                    "--name", "A Parent\nBcc: x", "--email", "p@example.org")
    assert code == 2 and "--name: has a line break" in one_error_line(err)
    code, _, err = await complaints("status", ref)
    assert code == 2 and f"no complaint with reference {ref}" in one_error_line(err)
    assert not store.exists(ref) and store.refusals() == []

    # A complaint registered well; then Updates with bad fields straight from a client.
    ref = new_ref()
    await register(complaints, ref)
    await recorded(store, ref)
    before = await state_of(complaints, ref)
    handle = running_engine.client.get_workflow_handle(ref)
    for update, req, words in (
        ("record_cost", a.RecordCost(2, "panel", math.inf), "field amount_gbp: inf is not an amount of money"),
        ("appoint_independent_person", a.AppointIndependentPerson("Ida\nPerson"), "field name: has a line break"),
        ("assign", a.Assign("io-1", officers=[Officer("io-1", "One", "one.council.example")]),
         "field officers.0.email: is not an email address: it has no @"),
        ("withdraw", a.Withdraw("gone\x00"), "field reason: has a NUL character"),
    ):
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(update, req, result_type=str)
        assert failed.value.cause.message.startswith(words), failed.value.cause.message
    # And through the command: refused before it is sent; -5 by the rules, through the engine.
    code, _, err = await complaints("record-cost", ref, "--stage", "2", "--item", "panel", "--amount", "inf")
    assert code == 2 and one_error_line(err) == (
        "complaints: record-cost refused: --amount: inf is not an amount of money; give a number of pounds")
    code, _, err = await complaints("record-cost", ref, "--stage", "2", "--item", "panel", "--amount", "-5")
    assert code == 2 and one_error_line(err).startswith("complaints: record-cost refused: ")
    assert await state_of(complaints, ref) == before
    assert store.complaint(ref)["costs"] == [] and store.complaint(ref)["status"] == "open"
