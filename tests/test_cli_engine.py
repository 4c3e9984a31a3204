"""The `complaints` commands that act on a running engine, as a council officer uses them.

A real local Temporal dev server (real time), a real worker with the real workflow and
activity, a real SQLite record store and a real SMTP server. The commands run through
``cli.main.main`` exactly as the installed ``complaints`` does, in a thread (it calls
``asyncio.run``), with the engine's address and task queue in the environment.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio

from cli import main as cli_main
from rules.complaint import LONDON
from worker import build_worker

DIRECTORY = """\
officers:
  - {id: hos-1, name: Head of Service, email: hos1@council.example}
  - {id: tm-1, name: Team Manager, email: tm1@council.example, manager: hos-1}
  - {id: io-1, name: Investigating Officer One, email: io1@council.example, manager: tm-1}
  - {id: io-2, name: Investigating Officer Two, email: io2@council.example, manager: tm-1}
complaints_team: {email: complaints@council.example}
"""

# A new member of staff, added to the directory after complaints were registered.
NEW_STARTER = "  - {id: io-9, name: New Starter, email: io9@council.example, manager: tm-1}\n"


def new_ref(prefix: str = "CLI") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def today() -> date:
    return datetime.now(LONDON).date()


@pytest.fixture
def directory(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "directory.yaml"
    path.write_text(DIRECTORY)
    monkeypatch.setenv("COMPLAINTS_DIRECTORY", str(path))
    return path


@pytest_asyncio.fixture
async def running_engine(dev_server_env, store, smtp, task_queue, directory, monkeypatch):
    """A worker on its own task queue, and the environment the CLI reads to reach it."""
    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_NAMESPACE", "default")
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    monkeypatch.setenv("COMPLAINTS_TIMEOUT", "30")
    # The worker's record store, as under `make up`: the CLI records refusals there.
    monkeypatch.setenv("DATABASE_URL", store.url)
    async with build_worker(dev_server_env.client, store, smtp, task_queue):
        yield dev_server_env


@pytest.fixture
def complaints(capsys):
    """Run `complaints ARGS...`; returns (exit status, stdout, stderr)."""

    async def run(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = await asyncio.to_thread(cli_main.main, [str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


async def register(complaints, ref: str, received: date | None = None, type_: str = "parent") -> str:
    code, out, err = await complaints(
        "register", "--ref", ref, "--policy", "children-statutory",
        "--received", (received or today()).isoformat(),
        "--name", "Pat Parent", "--email", "pat@example.org", "--type", type_,
    )
    assert code == 0, err
    return out


async def state_of(complaints, ref: str) -> dict:
    code, out, err = await complaints("status", ref, "--json")
    assert code == 0, err
    return json.loads(out)


async def recorded(store, ref: str, timeout: float = 15.0) -> None:
    """Wait until the worker has saved the complaint to the record store."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(store.exists, ref):
        assert time.monotonic() < deadline, f"{ref} never reached the record store"
        await asyncio.sleep(0.1)


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("complaints: ")
    return lines[0]


# ------------------------------------------------------------------------------ register


async def test_register_from_yaml_assign_and_status(running_engine, complaints, tmp_path, store, mail_sink):
    ref = new_ref()
    received = today() - timedelta(days=1)
    file = tmp_path / "complaint.yaml"
    file.write_text(
        f"ref: {ref}\n"
        f"policy: children-statutory\n"
        f"received: {received.isoformat()}\n"
        f"complainant: {{name: Alex Example, email: alex@example.org, type: foster_carer}}\n"
        f"service_area: Fostering\n"
        f"reasons: [communication, staff_attitude]\n"
        f"channel: email\n"
    )
    code, out, err = await complaints("register", file)
    assert code == 0, err
    assert out.startswith(f"{ref}: registered (children-statutory), stage 1, due ")

    code, out, err = await complaints("assign", ref, "io-1")
    assert code == 0, err
    assert out.strip().startswith(f"{ref}: open, stage 1, due ")

    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert "officer      io-1" in out
    assert "complainant  foster_carer" in out
    assert "Fostering" in out
    letters = [line.split() for line in out.split("\nletters\n", 1)[1].splitlines()]
    kinds = [(words[2], words[4]) for words in letters]
    assert kinds == [("acknowledgement", "complainant"), ("assignment", "io-1")]
    assert all(" ".join(words[7:]).startswith(("sent 20", "waiting to be sent")) for words in letters)
    # status is for the complaints team: who complains, and how they are written to.
    assert "complainant  foster_carer: Alex Example" in out
    assert "written to   by email, to alex@example.org" in out

    st = await state_of(complaints, ref)
    assert {k: st["complainant"][k] for k in ("name", "email", "type")} == {
        "name": "Alex Example", "email": "alex@example.org", "type": "foster_carer"}
    assert st["reasons"] == ["communication", "staff_attitude"]
    assert st["channel"] == "email"
    assert st["stages"][0]["officer"] == "io-1"
    assert st["received"].startswith(f"{received.isoformat()}T10:00:00+0")  # London, with its offset

    # The two letters really went out over SMTP, to the right people.
    assert mail_sink.wait_for(2, timeout=15)
    mine = [m for m in mail_sink.messages if m["X-Complaint-Ref"] == ref]
    assert sorted(m["X-Notification-Kind"] for m in mine) == ["acknowledgement", "assignment"]
    to = {m["X-Notification-Kind"]: str(m["To"]) for m in mine}
    assert "alex@example.org" in to["acknowledgement"]
    assert "io1@council.example" in to["assignment"]


async def test_register_from_flags(running_engine, complaints):
    ref = new_ref()
    received = today() - timedelta(days=3)
    code, out, err = await complaints(
        "register", "--ref", ref, "--policy", "corporate", "--received", received.isoformat(),
        "--name", "Sam Example", "--email", "sam@example.org", "--type", "professional",
        "--service-area", "Child protection", "--reason", "placement", "--reason", "communication",
        "--matter-date", (received - timedelta(days=30)).isoformat(),
    )
    assert code == 0, err
    assert out.startswith(f"{ref}: registered (corporate), stage 1, due ")
    st = await state_of(complaints, ref)
    assert st["policy"] == "corporate"
    assert st["service_area"] == "Child protection"
    assert st["reasons"] == ["placement", "communication"]
    assert st["matter_date"] == (received - timedelta(days=30)).isoformat()
    assert st["status"] == "open" and st["stage"] == 1
    assert st["stages"][0]["officer"] is None


async def test_register_same_reference_twice_is_refused(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    code, out, err = await complaints(
        "register", "--ref", ref, "--policy", "corporate",
        "--name", "Someone Else", "--email", "else@example.org", "--type", "other",
    )
    assert code == 2
    assert one_error_line(err) == f"complaints: register refused: complaint {ref} already exists"
    assert (await state_of(complaints, ref))["policy"] == "children-statutory"


async def test_register_refusals_are_one_line(running_engine, complaints, tmp_path):
    ref = new_ref()
    # A matter more than a year old, not accepted late.
    code, _, err = await complaints(
        "register", "--ref", ref, "--policy", "children-statutory",
        "--name", "N", "--email", "n@example.org", "--type", "parent",
        "--matter-date", (today() - timedelta(days=500)).isoformat(),
    )
    assert code == 2
    assert "register refused: the matter arose on" in one_error_line(err)
    # Accepted late, with a reason, it registers.
    code, _, err = await complaints(
        "register", "--ref", ref, "--policy", "children-statutory",
        "--name", "N", "--email", "n@example.org", "--type", "parent",
        "--matter-date", (today() - timedelta(days=500)).isoformat(), "--late-reason", "new evidence",
    )
    assert code == 0, err

    code, _, err = await complaints("register", "--ref", new_ref(), "--policy", "no-such-policy",
                                    "--name", "N", "--email", "n@example.org", "--type", "parent")
    assert code == 2 and "unknown policy 'no-such-policy'" in one_error_line(err)

    code, _, err = await complaints("register", "--ref", new_ref(), "--policy", "corporate",
                                    "--name", "N", "--email", "n@example.org", "--type", "aunt")
    assert code == 2 and "argument --type: invalid choice: 'aunt' (choose from 'child'," in one_error_line(err)

    code, _, err = await complaints("register", "--ref", new_ref(), "--policy", "corporate",
                                    "--received", "2024-02-30",
                                    "--name", "N", "--email", "n@example.org", "--type", "parent")
    assert code == 2 and "--received '2024-02-30' is not a date" in one_error_line(err)

    with_actions = tmp_path / "with-actions.yaml"
    with_actions.write_text(
        f"ref: {new_ref()}\npolicy: corporate\nreceived: {today()}\n"
        "complainant: {name: N, email: n@example.org, type: parent}\n"
        f"actions: [{{date: {today()}, do: assign, officer: io-1}}]\n"
    )
    code, _, err = await complaints("register", with_actions)
    assert code == 2 and "has no actions" in one_error_line(err)

    code, _, err = await complaints("register", tmp_path / "missing.yaml")
    assert code == 2 and "cannot be read" in one_error_line(err)


async def test_a_refused_registration_is_recorded_and_a_duplicate_is_not(running_engine, complaints, store):
    late, accepted = new_ref("LATE"), new_ref("ACCEPTED")
    matter = today() - timedelta(days=500)
    flags = ("--policy", "complaint-handling-code", "--name", "Nia Private", "--email", "nia@example.org",
             "--type", "parent", "--matter-date", matter.isoformat())
    code, _, err = await complaints("register", "--ref", late, *flags)
    assert code == 2
    line = one_error_line(err)
    assert line.startswith(f"complaints: register refused: the matter arose on {matter}, more than 12 months")
    # Tried again as it was: still one refused complaint.
    assert (await complaints("register", "--ref", late, *flags))[0] == 2
    [refusal] = store.refusals(since=today(), until=today())
    assert (refusal["ref"], refusal["policy"], refusal["received"], refusal["action"]) == (
        late, "complaint-handling-code", today(), "register")
    assert line == f"complaints: register refused: {refusal['reason']}"
    assert "Nia" not in str(refusal) and "example.org" not in str(refusal)

    # Accepted late it is a complaint, and a reference that exists is no new complaint refused.
    assert (await complaints("register", "--ref", accepted, *flags, "--late-reason", "new evidence"))[0] == 0
    code, _, err = await complaints("register", "--ref", accepted, *flags, "--late-reason", "new evidence")
    assert code == 2 and "already exists" in one_error_line(err)
    assert [r["ref"] for r in store.refusals()] == [late]


async def test_a_refusal_the_store_cannot_take_still_says_why(running_engine, complaints):
    code, _, err = await complaints(
        "register", "--ref", new_ref(), "--policy", "corporate", "--name", "N", "--email", "n@example.org",
        "--type", "parent", "--matter-date", (today() - timedelta(days=500)).isoformat(),
        "--database", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2
    line = one_error_line(err)
    assert "register refused: the matter arose on" in line
    assert "(not recorded in the record store at postgresql://nobody@127.0.0.1:1/none:" in line
    assert "Connection refused" in line and line.endswith(")") and "Background on" not in line


# ------------------------------------------------------------------------------ actions


async def test_assign_unknown_officer_is_refused_and_changes_nothing(running_engine, complaints, store):
    ref = new_ref()
    await register(complaints, ref)
    before = await state_of(complaints, ref)

    code, out, err = await complaints("assign", ref, "nobody")
    assert code == 2
    assert out == ""
    assert one_error_line(err) == (
        "complaints: assign refused: officer 'nobody' is not in the council's directory"
    )
    after = await state_of(complaints, ref)
    assert after == before
    assert after["assignments"] == [] and after["stages"][0]["officer"] is None


async def test_resume_when_not_suspended_is_refused(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    code, out, err = await complaints("resume", ref)
    assert code == 2 and out == ""
    line = one_error_line(err)
    assert line.startswith("complaints: resume refused: ")
    assert "not suspended" in line


async def test_suspend_resume_extend_and_respond(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    assert (await complaints("assign", ref, "io-1"))[0] == 0

    code, out, err = await complaints("suspend", ref, "--reason", "court_proceedings", "--detail", "care case")
    assert code == 0, err
    assert out.strip() == f"{ref}: suspended, stage 1"
    code, out, _ = await complaints("status", ref)
    assert "none while suspended" in out and "suspension" in out

    code, out, err = await complaints("resume", ref)
    assert code == 0, err
    assert out.startswith(f"{ref}: open, stage 1, due ")

    code, out, err = await complaints("extend", ref, "--reason", "complex")
    assert code == 0, err
    code, _, err = await complaints("extend", ref, "--reason", "complex")
    assert code == 2 and one_error_line(err).startswith("complaints: extend refused: ")
    code, out, err = await complaints("status", ref)
    due_line = next(line for line in out.splitlines() if line.strip().startswith("due"))
    assert "extended; first due" in due_line and "working days from" not in due_line

    code, out, err = await complaints("respond", ref, "--outcome", "upheld")
    assert code == 0, err
    st = await state_of(complaints, ref)
    assert st["stages"][0]["outcome"] == "upheld" and st["stages"][0]["on_time"] is True
    kinds = [n["kind"] for n in st["sent"]]
    assert kinds == ["acknowledgement", "assignment", "suspension_letter", "resumption_letter",
                     "extension_letter", "response_issued"]


async def test_reassign_to_officer_added_to_the_directory_later(running_engine, complaints, directory):
    ref = new_ref()
    await register(complaints, ref)
    assert (await complaints("assign", ref, "io-1"))[0] == 0
    code, _, err = await complaints("reassign", ref, "io-9")
    assert code == 2 and "'io-9' is not in the council's directory" in one_error_line(err)

    directory.write_text(DIRECTORY.replace("complaints_team", NEW_STARTER + "complaints_team"))
    code, out, err = await complaints("reassign", ref, "io-9")
    assert code == 0, err
    st = await state_of(complaints, ref)
    assert st["stages"][0]["officer"] == "io-9"
    assert [(n["kind"], n["to"]) for n in st["sent"][-2:]] == [("handover", "io-9"), ("reassignment_notice", "io-1")]


async def test_withdrawn_complaint_refuses_further_actions(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    code, out, err = await complaints("withdraw", ref, "--reason", "resolved informally")
    assert code == 0, err
    assert out.startswith(f"{ref}: withdrawn, stage 1")

    code, _, err = await complaints("assign", ref, "io-1")
    assert code == 2
    assert one_error_line(err).startswith("complaints: assign refused: ")
    assert "withdrawn" in err
    # The closed complaint can still be looked at.
    code, out, err = await complaints("status", ref)
    assert code == 0, err
    assert "withdrawn" in out and "withdrawal_confirmation" in out


async def test_unknown_reference(running_engine, complaints):
    ref = new_ref("NOPE")
    for argv in (("assign", ref, "io-1"), ("resume", ref), ("status", ref), ("status", ref, "--json")):
        code, out, err = await complaints(*argv)
        assert code == 2 and out == ""
        assert f"no complaint with reference {ref}" in one_error_line(err)


async def test_bad_dates_on_the_command_line(running_engine, complaints):
    ref = new_ref()
    await register(complaints, ref)
    code, _, err = await complaints("extend", ref, "--reason", "complex", "--new-due", "2024-02-30")
    assert code == 2
    assert one_error_line(err) == "complaints: --new-due '2024-02-30' is not a date (YYYY-MM-DD)"
    code, _, err = await complaints("proceedings-ended", ref, "--on", "soon")
    assert code == 2
    assert one_error_line(err) == "complaints: --on 'soon' is not a date (YYYY-MM-DD)"
    assert (await state_of(complaints, ref))["stages"][0]["extended_due"] is None


async def test_missing_argument_is_one_line(complaints):
    code, _, err = await complaints("assign", "X")
    assert code == 2
    assert "officer" in one_error_line(err)


async def test_engine_not_reachable(complaints, monkeypatch, directory):
    monkeypatch.setenv("TEMPORAL_ADDRESS", "127.0.0.1:1")
    for argv in (("assign", "X-1", "io-1"), ("status", "X-1"),
                 ("register", "--ref", "X-1", "--policy", "corporate",
                  "--name", "N", "--email", "n@example.org", "--type", "parent")):
        code, out, err = await complaints(*argv)
        assert code == 2 and out == ""
        line = one_error_line(err)
        assert line.startswith("complaints: cannot reach the Temporal engine at 127.0.0.1:1")


# ------------------------------------------------------------------------------ list


async def test_list_shows_overdue_first(running_engine, complaints, store):
    late, fresh, suspended = new_ref("LATE"), new_ref("FRESH"), new_ref("SUSP")
    await register(complaints, fresh)
    await register(complaints, late, received=today() - timedelta(days=60))
    await register(complaints, suspended)
    assert (await complaints("assign", late, "io-2"))[0] == 0
    assert (await complaints("suspend", suspended, "--reason", "police_investigation"))[0] == 0
    for ref in (late, fresh, suspended):
        await recorded(store, ref)

    # The worker saves after each action; wait for the suspension to be on record.
    deadline = time.monotonic() + 15
    while True:
        code, out, err = await complaints("list", "--database", store.url, "--json")
        assert code == 0, err
        rows = json.loads(out)
        if {r["ref"]: r["status"] for r in rows}.get(suspended) == "suspended" and \
                {r["ref"]: r["officer"] for r in rows}.get(late) == "io-2":
            break
        assert time.monotonic() < deadline, rows
        await asyncio.sleep(0.2)
    assert [r["ref"] for r in rows] == [late, fresh, suspended]
    assert [r["overdue"] for r in rows] == [True, False, False]
    assert rows[0]["due"] < today().isoformat() < rows[1]["due"]

    code, out, err = await complaints("list", "--database", store.url)
    assert code == 0, err
    header, *lines = out.strip().splitlines()
    assert header.split() == ["REF", "POLICY", "STAGE", "STATUS", "OFFICER", "DUE"]
    assert lines[0].split()[0] == late and lines[0].split()[-1] == "OVERDUE"
    assert lines[0].split()[4] == "io-2"
    assert lines[1].split()[0] == fresh and "OVERDUE" not in lines[1]
    assert lines[2].split()[:4] == [suspended, "children-statutory", "1", "suspended"]
    assert "Pat" not in out and "example.org" not in out


async def test_list_without_a_record_store(complaints, tmp_path):
    code, _, err = await complaints("list", "--database", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 2
    assert "there is no record store at" in one_error_line(err)
    assert not (tmp_path / "none.db").exists()


def test_a_compliment_goes_into_the_record_store(tmp_path):
    from cli.main import main
    from store.record_store import RecordStore

    url = f"sqlite:///{tmp_path / 'records.db'}"
    assert main(["compliment", "--team", "Fostering", "--officer", "io-1", "--on", "2024-05-02",
                 "--text", "Kind and quick", "--database", url]) == 0
    assert [(c["team"], c["officer"]) for c in RecordStore(url).compliments()] == [("Fostering", "io-1")]


async def test_an_action_while_the_mail_server_is_down_is_recorded_and_says_its_letters_wait(
    dev_server_env, store, task_queue, directory, monkeypatch, complaints
):
    from notifications.mailer import SmtpSettings
    from notifications.sink import free_port

    monkeypatch.setenv("TEMPORAL_ADDRESS", dev_server_env.client.service_client.config.target_host)
    monkeypatch.setenv("TEMPORAL_TASK_QUEUE", task_queue)
    monkeypatch.setenv("DATABASE_URL", store.url)
    monkeypatch.setenv("COMPLAINTS_TIMEOUT", "8")
    nobody_listens = SmtpSettings(host="127.0.0.1", port=free_port(), timeout=2)
    async with build_worker(dev_server_env.client, store, nobody_listens, task_queue):
        ref = f"CLI-{uuid.uuid4().hex[:8]}"
        await register(complaints, ref)
        deadline = time.monotonic() + 20
        while not any(m["attempts"] for m in store.sent_mail(ref)):
            assert time.monotonic() < deadline, "delivery never tried the acknowledgement"
            await asyncio.sleep(0.2)
        code, out, err = await complaints("assign", ref, "io-1")
        assert code == 0, err
        assert out.splitlines()[0].startswith(f"{ref}: open, stage 1, due ")
        assert "waiting for the mail server" in out.splitlines()[1]
        assert store.complaint(ref)["stages"][0]["officer"] == "io-1"
        code, out, err = await complaints("list")
        assert code == 0 and "waiting" in next(line for line in out.splitlines() if line.startswith(ref))
