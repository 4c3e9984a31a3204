"""A command line a clerk can use (issue 9): values shown, not guessed; a status that tells
the truth; lists a team works from; and who did each thing.

The help and the refusals of a wrong value need no engine. `status` runs against a real
engine (tests/test_cli_engine.py's fixtures: a real dev server, worker, record store and
SMTP server). `list` reads a real record store, on SQLite and on PostgreSQL, filled by the
record store's own writes from complaints the rules drove; it must stay one query on
10,000 complaints.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import time
from datetime import date, datetime, timedelta

import holidays
import pytest
from sqlalchemy import event, insert

from cli import main as cli_main
from cli.complaint_status import status_lines
from cli.rulebook_actions import ACTION_LIST
from models import actions as a
from models.complaint import (
    COMPLAINANT_TYPES,
    COST_ITEMS,
    ESCALATION_REASONS,
    OMBUDSMAN_RESULTS,
    OUTCOMES,
    SUSPENSION_REASONS,
    Complainant,
    Officer,
)
from policies import load_policy
from rules.bank_holidays import complaint_days_off
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON, Complaint
from rules.moments import at_hour
from store.record_store import RecordStore, complaints as complaints_table, stages as stages_table
from tests.test_cli_engine import (  # noqa: F401 - fixtures
    complaints,
    directory,
    new_ref,
    one_error_line,
    register,
    running_engine,
    state_of,
    today,
)

# ------------------------------------------------------------------ values shown, not guessed

HELP_VALUES = {
    "suspend": SUSPENSION_REASONS,
    "discontinue": SUSPENSION_REASONS,
    "escalate": ESCALATION_REASONS,
    "respond": OUTCOMES,
    "register": COMPLAINANT_TYPES,
    "ombudsman-decision": OMBUDSMAN_RESULTS,
    "record-cost": COST_ITEMS,
}


def help_of(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as exited:
        cli_main.parser().parse_args([command, "--help"])
    assert exited.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", HELP_VALUES)
def test_help_lists_the_values_and_an_example(command, capsys):
    shown = help_of(command, capsys)
    flat = " ".join(shown.split())
    for value in HELP_VALUES[command]:
        assert value in flat.replace(",", " ").split(), (command, value)
    example = shown.split("example", 1)[1]
    assert f"complaints {command} " in example
    assert "--by NAME" in shown


def test_the_examples_use_the_values_the_commands_take(capsys):
    shown = help_of("suspend", capsys)
    assert "complaints suspend CS-2026-014 --reason court_proceedings --detail 'care proceedings, Family Court'" \
        in shown
    # Each action's example parses as its command.
    from cli.rulebook_actions import EXAMPLES
    import shlex

    for command, example in EXAMPLES.items():
        args = cli_main.parser().parse_args(shlex.split(example)[1:])
        assert args.engine.name == command


@pytest.mark.parametrize("argv, option, values", [
    (["suspend", "CS-1", "--reason", "court"], "--reason", SUSPENSION_REASONS),
    (["discontinue", "CS-1", "--reason", "courts"], "--reason", SUSPENSION_REASONS),
    (["escalate", "CS-1", "--reason", "unhappy"], "--reason", ESCALATION_REASONS),
    (["respond", "CS-1", "--outcome", "yes"], "--outcome", OUTCOMES),
    (["register", "--ref", "CS-1", "--type", "aunt"], "--type", COMPLAINANT_TYPES),
    (["record-cost", "CS-1", "--stage", "2", "--item", "lunch", "--amount", "1"], "--item", COST_ITEMS),
    (["ombudsman-decision", "CS-1", "--result", "won"], "--result", OMBUDSMAN_RESULTS),
], ids=lambda x: x[0] if isinstance(x, list) else None)
def test_a_wrong_value_is_one_line_naming_the_values(argv, option, values, capsys):
    assert cli_main.main(argv) == 2
    out, err = capsys.readouterr()
    line = one_error_line(err)
    assert out == ""
    assert line.startswith(f"complaints: argument {option}: invalid choice: ")
    assert all(repr(value) in line for value in values)


async def test_an_unknown_officer_is_refused_naming_the_closest_ids(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    code, out, err = await complaints("assign", ref, "io-9")
    assert code == 2 and out == ""
    assert one_error_line(err) == ("complaints: assign refused: officer 'io-9' is not in the council's "
                                   "directory (did you mean io-1, io-2?)")
    code, _, err = await complaints("assign", ref, "TM-1")
    assert one_error_line(err).endswith("is not in the council's directory (did you mean tm-1?)")
    # Nothing like any id: nothing to suggest.
    code, _, err = await complaints("assign", ref, "zzzzzz")
    assert one_error_line(err).endswith("'zzzzzz' is not in the council's directory")


# ------------------------------------------------------------------ a status that tells the truth


def working_days_late(due: date, answered: date) -> int:
    """Working days from the day after ``due`` to ``answered``, counted here from the
    holidays package directly (England's bank holidays), not with the rulebook's calendar."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(due.year, answered.year + 1))
    return sum(1 for n in range(1, (answered - due).days + 1)
               if (day := due + timedelta(days=n)).weekday() < 5 and day not in bank)


def row(out: str, label: str) -> str:
    return next(line for line in out.splitlines() if line.startswith(f"  {label} "))[15:]


async def test_a_late_response_says_how_many_working_days_late(running_engine, complaints):
    ref = new_ref("LATE")
    received = today() - timedelta(days=45)
    await register(complaints, ref, received=received)
    assert (await complaints("assign", ref, "io-1"))[0] == 0
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    due = date.fromisoformat((await state_of(complaints, ref))["stages"][0]["due"])
    late = working_days_late(due, today())
    assert late >= 15
    assert row(out, "overdue") == f"{late} working days past its due date"

    assert (await complaints("respond", ref, "--outcome", "partially_upheld"))[0] == 0
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert row(out, "status") == f"open, stage 1: answered on {today()} ({late} working days late), partially upheld"
    # Not the old due date as if it were still to be met.
    assert not any(line.startswith(("  due ", "  overdue ")) for line in out.splitlines())
    assert f"answered on {today()} ({late} working days late), partially upheld  officer io-1" in out


async def test_an_on_time_response_says_on_time(running_engine, complaints):
    ref = new_ref("ONTIME")
    await register(complaints, ref)
    assert (await complaints("assign", ref, "io-1"))[0] == 0
    assert (await complaints("respond", ref, "--outcome", "upheld"))[0] == 0
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert row(out, "status") == f"open, stage 1: answered on {today()} (on time), upheld"


async def test_a_closed_complaint_says_closed_when_and_why(running_engine, complaints):
    ref = new_ref("CLOSED")
    code, _, err = await complaints(
        "register", "--ref", ref, "--policy", "corporate", "--name", "Cory Porate", "--email", "cory@example.org",
        "--type", "parent")
    assert code == 0, err
    for argv in (("assign", ref, "io-1"), ("respond", ref, "--outcome", "not_upheld"),
                 ("escalate", ref, "--reason", "disagree"), ("assign", ref, "io-2"),
                 ("respond", ref, "--outcome", "upheld")):
        code, _, err = await complaints(*argv)
        assert code == 0, (argv, err)
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert row(out, "status") == f"closed, stage 2: closed on {today()}, answered at its last stage (stage 2)"
    assert f"  2  from {today()}" in out and f"answered on {today()} (on time), upheld  officer io-2" in out


async def test_a_withdrawn_complaint_says_so(running_engine, complaints):
    ref = new_ref("WD")
    await register(complaints, ref)
    assert (await complaints("withdraw", ref, "--reason", "sorted out\nover the phone"))[0] == 0
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert row(out, "status") == f"withdrawn, stage 1: withdrawn on {today()} (sorted out over the phone)"


def test_a_complaint_whose_window_to_escalate_ran_out_says_so():
    received = date(2024, 3, 27)
    complaint = _complaint("CS-W", received, "Win Dow")
    _act(complaint, "assign", a.Assign("io-1"), date(2024, 3, 28))
    _act(complaint, "respond", a.Respond("upheld"), date(2024, 4, 5))
    complaint.advance(at_hour(date(2024, 6, 1), 10))
    st = complaint.state
    assert st.status == "closed"
    lines = status_lines(st, today=date(2024, 6, 1))
    assert f"  status       closed, stage 1: closed on {st.closed_on}, the window to ask for stage 2 ran out" in lines
    history = lines[lines.index("history") + 1:]
    assert history[-1].split()[2:] == ["window_closed", "by", "the", "engine"]


async def test_status_shows_the_complainant_how_they_are_written_to_and_who_did_what(
        running_engine, complaints, store):
    ref = new_ref("WHO")
    code, _, err = await complaints(
        "register", "--ref", ref, "--policy", "children-statutory", "--name", "Robin  Example",
        "--email", "robin@example.org", "--type", "special_guardian", "--by", "Clerk One")
    assert code == 0, err
    assert (await complaints("assign", ref, "io-1", "--by", "Sam Clerk"))[0] == 0
    assert (await complaints("suspend", ref, "--reason", "police_investigation", "--detail", "the police\nasked"))[0] == 0
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert row(out, "complainant") == "special_guardian: Robin Example"
    assert row(out, "written to") == "by email, to robin@example.org"
    history = [line.split() for line in out.split("\nhistory\n", 1)[1].split("\nletters")[0].splitlines()]
    assert [(words[2], words[-2:]) for words in history] == [
        ("register", ["Clerk", "One"]), ("assign", ["Sam", "Clerk"]), ("suspend", ["by", getpass.getuser()])]
    assert history[0][0] == today().isoformat() and history[1][3] == "io-1"

    # The record store keeps who did it, beside each line of the history.
    deadline = time.monotonic() + 15
    while [h["by"] for h in (store.complaint(ref) or {"history": []})["history"]] != [
            "Clerk One", "Sam Clerk", getpass.getuser()]:
        assert time.monotonic() < deadline, store.complaint(ref)
        await asyncio.sleep(0.2)

    # --by is one line of at most 200 characters, refused in one line before anything is sent.
    code, _, err = await complaints("resume", ref, "--by", "x" * 201)
    assert code == 2 and one_error_line(err) == "complaints: resume refused: --by: is 201 characters long; at most 200"
    code, _, err = await complaints("resume", ref, "--by", "Sam\nClerk")
    assert code == 2 and "--by: has a line break" in one_error_line(err)
    code, _, err = await complaints("resume", ref, "--by", "  ")
    assert code == 2 and one_error_line(err) == "complaints: --by: give the name of who did it"
    assert (await state_of(complaints, ref))["status"] == "suspended"


# ------------------------------------------------------------------ lists a team works from

DIRECTORY = [Officer("tm-1", "Team Manager", "tm1@council.example"),
             Officer("io-1", "Officer One", "io1@council.example", manager="tm-1"),
             Officer("io-2", "Officer Two", "io2@council.example", manager="tm-1")]


def _at(day: date) -> datetime:
    return at_hour(day, 10)


def _complaint(ref: str, received: date, name: str, policy: str = "children-statutory") -> Complaint:
    reg = a.Registration(ref=ref, policy=policy, received=_at(received),
                         complainant=Complainant(name, "someone@example.org", "parent"), officers=list(DIRECTORY),
                         complaints_team_email="complaints@council.example", by="clerk")
    complaint, _ = Complaint.register(reg, load_policy(policy), WorkingCalendar(complaint_days_off(received)),
                                      _at(received))
    return complaint


def _act(complaint: Complaint, action: str, req: object, day: date) -> None:
    complaint.advance(_at(day))
    refused = complaint.refusal(action, req, _at(day))
    assert refused is None, refused
    complaint.apply(action, req, _at(day))


@pytest.fixture
def caseload(database):
    """A record store with a team's complaints, as the worker would have written them."""
    now = today()
    calendar = WorkingCalendar(complaint_days_off(now))
    made = {}

    def complaint(key, ref, received, name, policy="children-statutory"):
        made[key] = _complaint(ref, received, name, policy)
        return made[key]

    overdue = complaint("overdue", "CS-2026-001", now - timedelta(days=60), "Jane Smith")
    _act(overdue, "assign", a.Assign("io-1"), now - timedelta(days=59))
    complaint("fresh", "CS-2026-002", now, "Bob Jones")
    answered = complaint("answered", "XY-2026-003", now - timedelta(days=40), "Ann Smithers")
    _act(answered, "assign", a.Assign("io-2"), now - timedelta(days=39))
    _act(answered, "respond", a.Respond("upheld"), now)
    suspended = complaint("suspended", "CS-2026-004", now - timedelta(days=3), "Éva Kovács", policy="corporate")
    _act(suspended, "assign", a.Assign("io-1"), now - timedelta(days=2))
    _act(suspended, "suspend", a.Suspend("court_proceedings"), now - timedelta(days=1))
    closed = complaint("closed", "CS-2025-005", now - timedelta(days=400), "Old Smith")
    _act(closed, "assign", a.Assign("io-1"), now - timedelta(days=399))
    _act(closed, "respond", a.Respond("not_upheld"), now - timedelta(days=390))
    closed.advance(_at(now))
    withdrawn = complaint("withdrawn", "CS-2026-006", now - timedelta(days=10), "Wendy Drawn", policy="corporate")
    _act(withdrawn, "withdraw", a.Withdraw(), now - timedelta(days=2))
    stage2 = complaint("stage2", "cs-2026-007", now - timedelta(days=30), "Stan Two")
    _act(stage2, "assign", a.Assign("io-1"), now - timedelta(days=29))
    _act(stage2, "respond", a.Respond("not_upheld"), now - timedelta(days=20))
    _act(stage2, "escalate", a.Escalate("disagree"), now - timedelta(days=10))
    _act(stage2, "assign", a.Assign("io-2"), now - timedelta(days=9))

    store = RecordStore(database)
    store.create_schema()
    for c in made.values():
        store.save(c.state, [])
    assert (closed.state.status, withdrawn.state.status, suspended.state.status) == ("closed", "withdrawn", "suspended")
    refs = {key: c.state.ref for key, c in made.items()}
    names = [c.state.complainant.name for c in made.values()]
    yield store, refs, names, calendar
    store.close()


def listing(store, *argv: str, capsys, names: list[str] = ()) -> tuple[list[dict], str]:
    """`complaints list ... --json` and the same as text: the rows, and the text, which list
    the same complaints and never a complainant's name (``names``), whatever found them."""
    assert cli_main.main(["list", "--database", store.url, *argv, "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert cli_main.main(["list", "--database", store.url, *argv]) == 0
    text = capsys.readouterr().out
    for name in names:
        assert name not in text and name not in json.dumps(rows, ensure_ascii=False)
    assert [line.split()[0] for line in text.splitlines()[1:]] == [r["ref"] for r in rows]
    return rows, text


def test_list_filters_each_and_combined(caseload, capsys):
    store, ref, names, calendar = caseload

    def refs(*argv: str) -> list[str]:
        return [r["ref"] for r in listing(store, *argv, capsys=capsys, names=names)[0]]

    # Open ones: overdue first, then running clocks by due date, then the rest by reference.
    open_rows, text = listing(store, capsys=capsys)
    running = sorted((r for r in open_rows if r["status"] == "open" and not r["answered"] and not r["overdue"]),
                     key=lambda r: r["due"])
    assert sorted(r["ref"] for r in running) == sorted([ref["fresh"], ref["stage2"]])
    assert [r["ref"] for r in open_rows] == [ref["overdue"], *[r["ref"] for r in running],
                                             ref["suspended"], ref["answered"]]
    assert refs() == [r["ref"] for r in open_rows]
    answered = next(r for r in open_rows if r["ref"] == ref["answered"])
    assert (answered["answered"], answered["overdue"]) == (today().isoformat(), False)
    assert f"answered {today()}" in next(line for line in text.splitlines() if line.startswith(ref["answered"]))

    assert refs("--overdue") == [ref["overdue"]]
    assert refs("--officer", "io-2") == [ref["stage2"], ref["answered"]]
    assert refs("--officer", "io-1") == [ref["overdue"], ref["suspended"]]
    assert refs("--stage", "2") == [ref["stage2"]]
    assert refs("--policy", "corporate") == [ref["suspended"]]
    assert refs("--policy", "corporate", "--closed") == [ref["withdrawn"]]
    assert refs("--closed") == [ref["withdrawn"], ref["closed"]]          # latest first
    assert set(refs("--all")) == set(ref.values())

    # --due-within N counts working days with the calendar: the fresh complaint is due on
    # working day `n` from today, so it is within n and not within n - 1.
    fresh_due = date.fromisoformat(next(r["due"] for r in open_rows if r["ref"] == ref["fresh"]))
    n = calendar.working_days_after_until(today(), fresh_due)
    assert ref["fresh"] in refs("--due-within", str(n))
    assert ref["fresh"] not in refs("--due-within", str(n - 1))
    assert ref["overdue"] in refs("--due-within", "0")           # overdue ones are due already
    assert ref["answered"] not in refs("--due-within", "1000") and ref["suspended"] not in refs("--due-within", "1000")

    # Combined: each filter narrows the others.
    assert refs("--officer", "io-1", "--overdue") == [ref["overdue"]]
    assert refs("--officer", "io-2", "--overdue") == []
    assert refs("--stage", "1", "--officer", "io-1", "--policy", "children-statutory") == [ref["overdue"]]
    assert refs("smith", "--all") == [ref["overdue"], ref["answered"], ref["closed"]]
    assert refs("smith", "--closed") == [ref["closed"]]
    assert refs("smi", "--officer", "io-2") == [ref["answered"]]
    _, text = listing(store, "--officer", "nobody", capsys=capsys)
    assert text.strip() == "no complaints match"


def test_list_searches_by_reference_prefix_and_part_of_a_name(caseload, capsys):
    store, ref, names, _ = caseload

    def refs(*argv: str) -> list[str]:
        return sorted(r["ref"] for r in listing(store, *argv, capsys=capsys, names=names)[0])

    # A reference's beginning, ignoring case.
    assert refs("cs-2026-00") == sorted([ref["overdue"], ref["fresh"], ref["suspended"], ref["stage2"]])
    assert refs("XY-") == [ref["answered"]]
    assert refs("xy-2026-003") == [ref["answered"]]
    assert refs("2026-003") == []                       # the middle of a reference is no beginning
    # Part of the complainant's name, ignoring case.
    assert refs("SMITH") == sorted([ref["overdue"], ref["answered"]])
    assert refs("jones") == [ref["fresh"]]
    assert refs("ann smi") == [ref["answered"]]
    assert refs("Kovács") == [ref["suspended"]] == refs("éVA KOV")
    # LIKE's wildcards are only characters here.
    assert refs("%") == [] and refs("_") == []
    assert refs("nobody-at-all") == []


def test_list_json_has_each_complaint_without_personal_details(caseload, capsys):
    store, ref, names, _ = caseload
    rows, _ = listing(store, "--all", capsys=capsys)
    by_ref = {r["ref"]: r for r in rows}
    assert set(by_ref[ref["overdue"]]) == {"ref", "policy", "stage", "status", "officer", "due", "overdue", "answered",
                                           "closed_on", "withdrawn_on", "letters_waiting", "letters_failed"}
    assert by_ref[ref["withdrawn"]]["withdrawn_on"] == (today() - timedelta(days=2)).isoformat()
    assert by_ref[ref["closed"]]["status"] == "closed" and by_ref[ref["closed"]]["closed_on"] is not None
    assert by_ref[ref["overdue"]]["overdue"] is True and by_ref[ref["overdue"]]["officer"] == "io-1"
    assert "someone@example.org" not in json.dumps(rows)


@pytest.mark.parametrize("argv, words", [
    (["--due-within", "soon"], "argument --due-within: 'soon' is not a number of working days"),
    (["--due-within", "-1"], "argument --due-within: -1 is not a number of working days from 0 to 1000"),
    (["--stage", "0"], "argument --stage: 0 is not a stage number"),
    (["--closed", "--all"], "argument --all: not allowed with argument --closed"),
])
def test_list_refuses_a_wrong_filter_in_one_line(argv, words, capsys):
    assert cli_main.main(["list", *argv]) == 2
    assert one_error_line(capsys.readouterr().err) == f"complaints: {words}"


def test_list_is_one_query_on_ten_thousand_complaints(database):
    store = RecordStore(database)
    store.create_schema()
    now, at = today(), datetime.now(LONDON)
    rows, stage_rows = [], []
    for i in range(10_000):
        ref = f"BULK-{i:05d}"
        received = at - timedelta(days=i % 90)
        rows.append(dict(ref=ref, policy=("children-statutory", "corporate")[i % 2], policy_version=1,
                         received=received, complainant_type="parent", complainant_name=f"Person {i} Smith{i % 7}",
                         complainant_email=f"p{i}@example.org", status=("open", "suspended", "closed")[i % 3],
                         stage=1 + i % 2, reasons=[], updated_at=at))
        stage_rows.append(dict(ref=ref, stage=1 + i % 2, start_day=received.date(), working_days=10,
                               due=received.date() + timedelta(days=14), original_due=received.date(),
                               officer=f"io-{i % 5}", clocks_met=[]))
    with store.engine.begin() as conn:
        conn.execute(insert(complaints_table), rows)
        conn.execute(insert(stages_table), stage_rows)
    statements = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        began = time.monotonic()
        everything = store.find_complaints(now, which="all")
        found = store.find_complaints(now, overdue=True, officer="io-1", stage=1, policy="children-statutory",
                                      search="smith3", due_by=now + timedelta(days=30),
                                      due_by_policy={"corporate": now + timedelta(days=31)})
        took = time.monotonic() - began
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    assert len(everything) == 10_000
    assert found and all(r["overdue"] and r["officer"] == "io-1" and r["stage"] == 1 for r in found)
    assert len(statements) == 2, "one query for each list, whatever its filters"
    assert took < 5, f"two lists of 10,000 complaints took {took:.1f}s"
    store.close()


def test_status_says_how_a_family_without_email_is_written_to():
    complaint = _complaint("CS-P", date(2024, 3, 27), "Pat Post")
    st = complaint.state
    st.complainant = Complainant("Pat Post", None, "parent", address="1 High Street\nTowne\nAB1 2CD", write_by="post")
    lines = status_lines(st, today=date(2024, 3, 27))
    assert "  written to   by post, to 1 High Street, Towne, AB1 2CD" in lines
    st.complainant = Complainant("Pat Post", "pat@example.org", "parent", address="1 High Street\nAB1 2CD")
    assert "  written to   by email, to pat@example.org; postal address 1 High Street, AB1 2CD" in status_lines(st)


@pytest.mark.parametrize("command", [x.command for x in ACTION_LIST] + ["register"])
def test_every_action_and_register_take_by_defaulting_to_the_user(command, monkeypatch, tmp_path):
    monkeypatch.delenv("COMPLAINTS_DIRECTORY", raising=False)      # the shipped example
    from tests.test_cli_shape import ACTION_ARGUMENTS, WITH_A_DATABASE

    least = ACTION_ARGUMENTS.get(command) if command != "register" else WITH_A_DATABASE["register"][2:]
    argv = [command, "REF-1", *least] if command != "register" else [command, "--ref", "REF-1", *least]
    prepared = cli_main.parser().parse_args(argv).engine.prepare
    assert prepared(cli_main.parser().parse_args(argv)).by == getpass.getuser()
    assert prepared(cli_main.parser().parse_args([*argv, "--by", "Sam Clerk"])).by == "Sam Clerk"
