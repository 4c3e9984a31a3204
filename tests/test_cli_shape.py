"""The shape of the `complaints` command: every command is there or the command fails
loudly, each action of the rulebook is one row of a table, and every command that takes
a record store refuses one it cannot use in one line.

These run the installed ``.venv/bin/complaints`` in a subprocess, as a council officer
does, with no engine running (``TEMPORAL_ADDRESS`` points where nothing answers).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli import main as cli_main
from cli.rulebook_actions import ACTION_LIST
from models import actions as a

ROOT = Path(__file__).resolve().parent.parent
COMPLAINTS = ROOT / ".venv" / "bin" / "complaints"
SCENARIO = ROOT / "tests" / "examples" / "winter-2025.yaml"

# The commands of README.md's table, in the order `complaints --help` lists them.
EXPECTED_COMMANDS = [
    "deadline", "simulate", "report", "caseload", "register",
    "assign", "reassign", "extend", "suspend", "resume", "respond", "late-reason", "submit-learning",
    "escalate", "appoint-independent-person", "panel-held", "panel-report", "discontinue", "proceedings-ended",
    "resubmit", "withdraw", "refer-to-ombudsman", "ombudsman-decision", "record-cost",
    "status", "compliment", "list", "retry-letters", "post",
]

# Each command that opens the record store, with the least it needs besides --database.
WITH_A_DATABASE = {
    "simulate": [str(SCENARIO), "--out", "{tmp}/timeline.jsonl"],
    "report": ["--year", "2023-24", "--out", "{tmp}/report", "--draft"],
    "register": ["--ref", "SHAPE-1", "--policy", "corporate", "--name", "Jane Smith",
                 "--email", "jane.smith@example.org", "--type", "parent"],
    "submit-learning": ["SHAPE-1", "--text", "Jane Smith's case taught us"],
    "late-reason": ["SHAPE-1", "--reason", "staff_capacity"],
    "refer-to-ombudsman": ["SHAPE-1"],
    "ombudsman-decision": ["SHAPE-1", "--result", "not_upheld"],
    "record-cost": ["SHAPE-1", "--stage", "2", "--item", "investigator", "--amount", "100"],
    "status": ["SHAPE-1"],
    "compliment": ["--team", "Fostering", "--text", "Jane Smith was kind"],
    "list": [],
    "retry-letters": ["SHAPE-1"],
    "post": [],
}


def complaints(*argv: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(TEMPORAL_ADDRESS="127.0.0.1:1", COMPLAINTS_TIMEOUT="5", **env)
    return subprocess.run([str(COMPLAINTS), *argv], capture_output=True, text=True, timeout=120,
                          env=environment, cwd=ROOT)


def refusal(done: subprocess.CompletedProcess) -> str:
    """The one line a refused command prints: exit 2, nothing on stdout, no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("complaints: ")
    return lines[0]


# ------------------------------------------------------------------ every command is there


def test_help_lists_every_command():
    done = complaints("--help")
    assert done.returncode == 0, done.stderr
    listed = done.stdout.split("{", 1)[1].split("}", 1)[0].split(",")
    assert listed == EXPECTED_COMMANDS


@pytest.mark.parametrize("command", EXPECTED_COMMANDS)
def test_every_command_has_its_help(command, capsys):
    with pytest.raises(SystemExit) as exited:
        cli_main.parser().parse_args([command, "--help"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: complaints {command} ")


def broken(module: str) -> subprocess.CompletedProcess:
    """`complaints --help` with ``module`` that cannot be imported (as if it, or something
    only it needs, were missing or broken), run by the installed script itself."""
    run_it = ("import runpy, sys\n"
              f"sys.modules[{module!r}] = None  # importing it now raises ImportError\n"
              "sys.argv = ['complaints', '--help']\n"
              f"runpy.run_path({str(COMPLAINTS)!r}, run_name='__main__')\n")
    return subprocess.run([sys.executable, "-c", run_it], capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.mark.parametrize("module", ["temporalio.client", "workflows.complaint"])
def test_a_dependency_of_the_engine_commands_that_cannot_be_imported_is_not_a_shorter_help(module):
    # Before, cli/main.py caught the ImportError and printed a help without register, the
    # actions, status, compliment and list, exiting 0.
    done = broken(module)
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"import of {module} halted" in done.stderr and "Traceback" in done.stderr


@pytest.mark.parametrize("module", [m.__name__ for m in cli_main.COMMAND_MODULES])
def test_a_command_module_that_cannot_be_imported_stops_the_command(module):
    done = broken(module)
    assert done.returncode != 0
    assert done.stdout == ""
    assert f"import of {module} halted" in done.stderr


# ------------------------------------------------------------------ the table of actions


# The least each action's command takes after its reference.
ACTION_ARGUMENTS = {
    "assign": ["io-1"], "reassign": ["io-2"], "extend": ["--reason", "complexity", "--new-due", "2024-05-01"],
    "suspend": ["--reason", "court_proceedings"], "resume": [], "respond": ["--outcome", "upheld"],
    "late-reason": ["--reason", "staff_capacity"],
    "submit-learning": ["--text", "learnt"], "escalate": ["--reason", "disagree", "--late-reason", "illness"],
    "appoint-independent-person": ["Ida Person"], "panel-held": [], "panel-report": [],
    "discontinue": ["--reason", "court_proceedings"], "proceedings-ended": ["--on", "2024-06-03"],
    "resubmit": [], "withdraw": [], "refer-to-ombudsman": ["--on", "2024-07-01"],
    "ombudsman-decision": ["--result", "upheld_fault_and_injustice", "--remedy", "250"],
    "record-cost": ["--stage", "3", "--item", "panel", "--amount", "12.5"],
}


def test_the_table_has_one_action_of_the_catalogue_a_command():
    assert sorted(x.update for x in ACTION_LIST) == sorted(a.ACTIONS)
    assert sorted(x.command for x in ACTION_LIST) == sorted(ACTION_ARGUMENTS)
    assert all(x.command.replace("-", "_") == x.update for x in ACTION_LIST)
    # What the record store takes itself once the workflow has ended, and no more.
    assert sorted(x.command for x in ACTION_LIST if x.after_the_workflow) == [
        "late-reason", "ombudsman-decision", "record-cost", "refer-to-ombudsman", "submit-learning"]
    # The same five the record store takes itself, and so `simulate` too.
    from store.record_store import AFTER_THE_WORKFLOW

    assert {x.update for x in ACTION_LIST if x.after_the_workflow} == set(AFTER_THE_WORKFLOW)


@pytest.mark.parametrize("action", ACTION_LIST, ids=lambda x: x.command)
def test_each_action_builds_its_request_from_its_arguments(action, monkeypatch):
    monkeypatch.delenv("COMPLAINTS_DIRECTORY", raising=False)     # the shipped example
    args = cli_main.parser().parse_args([action.command, "REF-1", *ACTION_ARGUMENTS[action.command]])
    assert args.engine.name == action.command and args.engine.acts
    request = args.engine.prepare(args)
    assert type(request) is action.request_type is a.ACTIONS[action.update]


# ------------------------------------------------------------------ a record store it cannot use


def test_compliment_with_a_database_that_is_not_a_url_is_one_line():
    line = refusal(complaints("compliment", "--team", "Fostering", "--text", "Jane Smith was kind",
                              "--database", "notaurl"))
    assert line == ("complaints: --database is not a database URL "
                    "(such as sqlite:///var/complaints.db or postgresql://HOST/NAME)")


def test_the_commands_that_take_a_database_are_these():
    subcommands = cli_main.parser()._subparsers._group_actions[0].choices
    taking = {name for name, sub in subcommands.items() if "--database" in sub._option_string_actions}
    assert taking == set(WITH_A_DATABASE)


@pytest.mark.parametrize("command", WITH_A_DATABASE)
def test_every_command_refuses_a_database_that_is_not_a_url(command, tmp_path):
    argv = [part.format(tmp=tmp_path) for part in WITH_A_DATABASE[command]]
    line = refusal(complaints(command, *argv, "--database", "postgresql://clerk:pa ss@host:port/db"))
    assert line.startswith("complaints: --database is not a database URL")
    assert "clerk" not in line and "pa ss" not in line and "Jane" not in line


@pytest.mark.parametrize("command", ["compliment", "list", "register"])
def test_a_malformed_database_url_in_the_environment_is_refused(command, tmp_path):
    argv = [part.format(tmp=tmp_path) for part in WITH_A_DATABASE[command]]
    line = refusal(complaints(command, *argv, DATABASE_URL="notaurl"))
    assert line.startswith("complaints: DATABASE_URL is not a database URL")


@pytest.mark.parametrize("command", ["compliment", "simulate"])
def test_a_database_of_a_kind_the_engine_cannot_use_is_refused(command, tmp_path):
    argv = [part.format(tmp=tmp_path) for part in WITH_A_DATABASE[command]]
    line = refusal(complaints(command, *argv, "--database", "mysql://clerk:secret@db.example/records"))
    assert line.startswith("complaints: --database names a kind of database the engine cannot use (mysql)")
    assert "secret" not in line


@pytest.mark.parametrize("command", ["compliment", "simulate", "list"])
def test_a_database_that_does_not_answer_is_one_line(command, tmp_path):
    argv = [part.format(tmp=tmp_path) for part in WITH_A_DATABASE[command]]
    line = refusal(complaints(command, *argv, "--database", "postgresql://clerk:secret@127.0.0.1:1/records"))
    assert "record store at postgresql://clerk:***@127.0.0.1:1/records" in line
    assert "Connection refused" in line and "secret" not in line and "Jane" not in line


@pytest.mark.parametrize("command", ["compliment", "simulate"])
def test_a_sqlite_file_that_cannot_be_made_is_one_line(command, tmp_path):
    (tmp_path / "a-file").write_text("")
    argv = [part.format(tmp=tmp_path) for part in WITH_A_DATABASE[command]]
    line = refusal(complaints(command, *argv, "--database", f"sqlite:///{tmp_path / 'a-file' / 'records.db'}"))
    assert "the record store at sqlite:///" in line and "Jane" not in line


# ------------------------------------------------------------------ reasons for lateness


def test_a_late_reason_not_on_the_councils_list_is_refused_naming_the_list():
    line = refusal(complaints("respond", "CS-1", "--outcome", "upheld", "--late-reason", "holidays"))
    assert line == ("complaints: --late-reason: 'holidays' is not on the council's list of reasons for lateness: "
                    "staff_capacity, officer_left_or_changed, officer_not_responding, complexity, "
                    "waiting_for_information, complainant_not_available, other")
    # A typo is shown the code it is closest to.
    line = refusal(complaints("respond", "CS-1", "--outcome", "upheld", "--late-reason", "stafcapacity"))
    assert "'stafcapacity' is not on the council's list of reasons for lateness (did you mean staff_capacity?)" in line
    line = refusal(complaints("late-reason", "CS-1", "--reason", "holidays"))
    assert "--reason: 'holidays' is not on the council's list" in line


def test_the_councils_own_list_of_reasons_for_lateness_is_the_one_checked(tmp_path, monkeypatch):
    own = tmp_path / "late-reasons.yaml"
    own.write_text("reasons:\n  holidays: Staff on leave\n")
    args = cli_main.parser().parse_args(["respond", "CS-1", "--outcome", "upheld", "--late-reason", "holidays",
                                         "--late-note", "the summer", "--recommendation", "Call back",
                                         "--recommendation", "Write sooner"])
    monkeypatch.setenv("COMPLAINTS_LATE_REASONS_FILE", str(own))
    request = args.engine.prepare(args)
    assert (request.late_reason, request.late_note, request.late_reasons) == ("holidays", "the summer", ["holidays"])
    assert request.recommendations == ["Call back", "Write sooner"]
    line = refusal(complaints("respond", "CS-1", "--outcome", "upheld", "--late-reason", "staff_capacity",
                              COMPLAINTS_LATE_REASONS_FILE=str(own)))
    assert line.endswith("is not on the council's list of reasons for lateness: holidays")
