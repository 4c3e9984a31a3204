"""Nothing personal in plain text, and encryption that fails closed (issue 8).

With a payload key, Temporal holds ciphertext only: payloads and failures (a refusal's
text, an activity's error). A payload sent without the key (the plain ``temporal``
command line, a client without the codec) is refused, and the complaint stays as it was
and goes on answering. The ``complaints`` commands refuse to talk to an engine without a
key unless told it runs without one (``COMPLAINTS_PAYLOAD_KEY=none``), and say in one
line that a complaint cannot be read without its key. The records, the dev server's
database and the saved mail are their owner's alone.

A real local Temporal dev server (real time), real workers (in-process, and one run as
``python worker.py`` in a subprocess, logging to a file), the real ``complaints``
command in subprocesses, a real SQLite record store and a real SMTP server.
"""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import sqlite3
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from models.actions import Assign, Extend, Registration, Withdraw
from models.complaint import Complainant, Officer
from notifications.sink import MailSink
from rules.complaint import LONDON
from simulation.runner import stdout_to_stderr, temporal_binary
from store.record_store import RecordStore
from tests.test_cli_engine import DIRECTORY
from worker import build_worker
from workflows.complaint import ComplaintWorkflow
from workflows.engine import DATA_CONVERTER, complaint_input, data_converter

ROOT = Path(__file__).resolve().parent.parent
COMPLAINTS = ROOT / ".venv" / "bin" / "complaints"
NAME, EMAIL = "Zebedee Quixote-Marlowe", "zq.marlowe@example.org"
# The forms a name takes in JSON, in logs and in base64-encoded payloads.
PERSONAL = (NAME, EMAIL, "Quixote", "zq.marlowe")


def _key_file(folder: Path) -> tuple[bytes, Path]:
    key = secrets.token_bytes(32)
    path = folder / "payload.key"
    path.write_text(base64.b64encode(key).decode() + "\n")
    return key, path


def registration(ref: str) -> Registration:
    """A complaint from the Quixote-Marlowe family, to be searched for afterwards."""
    return Registration(
        ref=ref, policy="children-statutory", received=datetime.now(LONDON),
        complainant=Complainant(NAME, EMAIL, "parent"),
        officers=[Officer("io-1", "Investigating Officer", "io1@council.example")],
        complaints_team_email="complaints@council.example",
    )


def _address(dev_server_env) -> str:
    return dev_server_env.client.service_client.config.target_host


def _no_personal_data(text: str, where: str) -> None:
    for personal in PERSONAL:
        assert personal.lower() not in text.lower(), f"{personal!r} in {where}"
        encoded = base64.b64encode(personal.encode()).decode()
        assert encoded[:-4] not in text, f"{personal!r}, base64-encoded, in {where}"


# ------------------------------------------------------------------ a payload without the key


async def test_an_unencrypted_update_is_refused_and_the_complaint_goes_on(dev_server_env, store, smtp, task_queue,
                                                                          mail_sink):
    address = _address(dev_server_env)
    encrypting = await Client.connect(address, data_converter=data_converter(secrets.token_bytes(32)))
    keyless = await Client.connect(address, data_converter=DATA_CONVERTER)
    ref = f"PLAIN-{uuid.uuid4().hex[:8]}"
    async with build_worker(encrypting, store, smtp, task_queue):
        handle = await encrypting.start_workflow(ComplaintWorkflow.run, complaint_input(registration(ref)), id=ref,
                                                 task_queue=task_queue)
        await handle.execute_update("assign", Assign("io-1"))

        # A client without the codec: its payload is plain JSON.
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await asyncio.wait_for(keyless.get_workflow_handle(ref).execute_update("withdraw", Withdraw("resolved")), 20)
        # The refusal itself is encrypted: a client without the key reads only that.
        assert "cannot be read" in refused.value.cause.message

        # The plain `temporal` command line, with a payload and with none at all (which
        # carries nothing for the codec to refuse).
        for given in (["--input", '{"reason": "resolved"}'], []):
            done = await asyncio.to_thread(
                subprocess.run,
                [temporal_binary(), "workflow", "update", "execute", "--address", address, "--workflow-id", ref,
                 "--name", "withdraw", *given],
                capture_output=True, text=True, timeout=60,
            )
            assert done.returncode != 0, done.stdout

        # Unchanged, and still answering: a proper encrypted Update is taken at once.
        state = await handle.query(ComplaintWorkflow.state)
        assert state.status == "open" and state.withdrawn_on is None
        started = time.monotonic()
        with pytest.raises(WorkflowUpdateFailedError) as again:
            await asyncio.wait_for(handle.execute_update("assign", Assign("io-1")), 10)
        assert "already has an investigating officer" in again.value.cause.message
        await asyncio.wait_for(handle.execute_update("extend", Extend("complex")), 10)
        assert time.monotonic() - started < 10
        history = await handle.fetch_history()

    assert not [e for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED], \
        "a refused payload fails the Update, not the complaint's workflow task"
    kinds = [m["kind"] for m in store.sent_mail(ref)]
    assert "withdrawal_confirmation" not in kinds and kinds[:2] == ["acknowledgement", "assignment"]
    await asyncio.sleep(0.5)
    assert not [m for m in mail_sink.headers() if m["X-Notification-Kind"] == "withdrawal_confirmation"]


# ------------------------------------------------------------------ the command line without the key


def complaints(folder: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMPLAINTS), *argv], cwd=folder, env=env, capture_output=True, text=True, timeout=120)


def one_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr and "KeyError" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("complaints: ")
    return lines[0]


def _cli_environment(dev_server_env, task_queue: str, folder: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("COMPLAINTS_", "TEMPORAL_", "SMTP_")) and k != "DATABASE_URL"}
    directory = folder / "directory.yaml"
    directory.write_text(DIRECTORY)
    env.update(TEMPORAL_ADDRESS=_address(dev_server_env), TEMPORAL_TASK_QUEUE=task_queue, COMPLAINTS_TIMEOUT="30",
               COMPLAINTS_DIRECTORY=str(directory), DATABASE_URL=f"sqlite:///{folder / 'records.db'}", **more)
    return env


async def test_the_command_line_without_a_key_refuses_and_sends_nothing(dev_server_env, task_queue, tmp_path):
    """Run from another folder, or after var/ moved: no var/payload.key, nothing set."""
    env = _cli_environment(dev_server_env, task_queue, tmp_path)
    ref = f"NOKEY-{uuid.uuid4().hex[:8]}"
    register = ("register", "--ref", ref, "--policy", "children-statutory", "--name", NAME, "--email", EMAIL,
                "--type", "parent")
    for argv in (register, ("status", ref), ("assign", ref, "io-1")):
        done = await asyncio.to_thread(complaints, tmp_path, env, *argv)
        line = one_line(done)
        assert line.startswith(f"complaints: {argv[0]}: no payload key") and "COMPLAINTS_PAYLOAD_KEY=none" in line
        _no_personal_data(done.stdout + done.stderr, "the refusal")
    with pytest.raises(RPCError) as unknown:
        await dev_server_env.client.get_workflow_handle(ref).describe()
    assert unknown.value.status == RPCStatusCode.NOT_FOUND, "nothing was registered"


async def test_an_encrypted_complaint_read_without_its_key_is_one_line(dev_server_env, store, smtp, task_queue,
                                                                       tmp_path):
    key, key_file = _key_file(tmp_path)
    encrypting = await Client.connect(_address(dev_server_env), data_converter=data_converter(key))
    ref = f"KEYED-{uuid.uuid4().hex[:8]}"
    async with build_worker(encrypting, store, smtp, task_queue):
        handle = await encrypting.start_workflow(ComplaintWorkflow.run, complaint_input(registration(ref)), id=ref,
                                                 task_queue=task_queue)
        await handle.execute_update("assign", Assign("io-1"))

        plaintext = _cli_environment(dev_server_env, task_queue, tmp_path, COMPLAINTS_PAYLOAD_KEY="none")
        line = one_line(await asyncio.to_thread(complaints, tmp_path, plaintext, "status", ref))
        assert line.startswith(f"complaints: status {ref}: the complaint is encrypted, and no payload key is configured")
        # An action sent without the key is refused by the engine, in words.
        line = one_line(await asyncio.to_thread(complaints, tmp_path, plaintext, "withdraw", ref))
        assert line.startswith("complaints: withdraw refused: the engine's answer cannot be read: ")

        another = base64.b64encode(secrets.token_bytes(32)).decode()
        rotated = _cli_environment(dev_server_env, task_queue, tmp_path, COMPLAINTS_PAYLOAD_KEY=another)
        line = one_line(await asyncio.to_thread(complaints, tmp_path, rotated, "status", ref))
        assert line == f"complaints: status {ref}: a payload was encrypted with another key than the one configured"

        # With its key, all is there; and nothing was withdrawn.
        keyed = _cli_environment(dev_server_env, task_queue, tmp_path, COMPLAINTS_PAYLOAD_KEY_FILE=str(key_file))
        done = await asyncio.to_thread(complaints, tmp_path, keyed, "status", ref)
        assert done.returncode == 0, done.stderr
        assert "status       open, stage 1" in done.stdout and "officer      io-1" in done.stdout


# ------------------------------------------------------------------ a whole complaint, end to end


class WorkerProcess:
    """``python worker.py`` with a key, its log (stdout and stderr: Python's logging and
    the SDK core's) in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = open(log, "wb")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "worker.py")], cwd=log.parent, env=env,
                                        stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT)

    def wait_polling(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "worker on task queue" not in self.log.read_text(errors="replace"):
            assert self.process.poll() is None, f"the worker stopped:\n{self.log.read_text(errors='replace')}"
            assert time.monotonic() < deadline, "the worker never started"
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._out.close()


MAINTENANCE = ("CREATE TRIGGER maintenance_{0} BEFORE {0} ON complaints "
               "BEGIN SELECT RAISE(ABORT, 'records closed for maintenance'); END")


def _records_closed(database: Path, closed: bool) -> None:
    """Every write of a complaint fails (the record activity's error), or no longer."""
    with sqlite3.connect(database, timeout=30) as conn:
        for what in ("INSERT", "UPDATE"):
            conn.execute(MAINTENANCE.format(what) if closed else f"DROP TRIGGER maintenance_{what}")


async def _record_failing(client: Client, ref: str, timeout: float = 30) -> str:
    """Wait until the record activity has failed; its last failure, read with the key."""
    deadline = time.monotonic() + timeout
    while True:
        description = await client.get_workflow_handle(ref).describe()
        for pending in description.raw_description.pending_activities:
            if pending.attempt > 1 and pending.HasField("last_failure"):
                raw = pending.last_failure.SerializeToString()
                assert b"records closed" not in raw, "a pending activity's failure is encrypted too"
                return (await client.data_converter.decode_failure(pending.last_failure)).message
        assert time.monotonic() < deadline, "the record activity never failed"
        await asyncio.sleep(0.2)


@pytest_asyncio.fixture
async def roomy_dev_server():
    """A dev server that keeps an activity's whole failure. Temporal keeps 4 KB of a
    retried activity's last failure by default and puts "Failure exceeds size limit." in
    place of a longer one (an SQL error with its stack traces is longer): here the whole
    failure reaches the history, as a shorter one would, to show it is encrypted."""
    limit = "limit.mutableStateActivityFailureSize.{}=1048576"
    with stdout_to_stderr():
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(), data_converter=DATA_CONVERTER,
            dev_server_extra_args=["--dynamic-config-value", limit.format("error"),
                                   "--dynamic-config-value", limit.format("warn")],
        )
    yield env
    await env.shutdown()


async def test_a_whole_complaint_leaves_nothing_personal_in_temporal_the_logs_or_the_output(
    roomy_dev_server, task_queue, tmp_path
):
    dev_server_env = roomy_dev_server
    key, key_file = _key_file(tmp_path)
    database = tmp_path / "records.db"
    sink = MailSink(port=0)
    await asyncio.to_thread(sink.start)
    env = _cli_environment(dev_server_env, task_queue, tmp_path, COMPLAINTS_PAYLOAD_KEY_FILE=str(key_file),
                           SMTP_HOST="127.0.0.1", SMTP_PORT=str(sink.port), PYTHONUNBUFFERED="1")
    worker = WorkerProcess(env, tmp_path / "worker.log")
    encrypting = await Client.connect(_address(dev_server_env), data_converter=data_converter(key))
    ref = f"ZQ-{uuid.uuid4().hex[:8]}"
    said: list[str] = []

    async def run(*argv: str, status: int = 0, shows_the_family: bool = False) -> str:
        done = await asyncio.to_thread(complaints, tmp_path, env, *argv)
        if not shows_the_family:
            said.append(done.stdout + done.stderr)
        assert done.returncode == status, (argv, done.stdout, done.stderr)
        return done.stdout + done.stderr

    try:
        await asyncio.to_thread(worker.wait_polling)
        received = (datetime.now(LONDON) - timedelta(days=1)).date().isoformat()
        await run("register", "--ref", ref, "--policy", "children-statutory", "--received", received,
                  "--name", NAME, "--email", EMAIL, "--type", "parent", "--service-area", "Fostering")
        await run("assign", ref, "io-1")
        await run("extend", ref, "--reason", "complex")
        # A refusal: its text travels encrypted, and the command line (with the key) reads it.
        refusal = await run("extend", ref, "--reason", "complex", status=2)
        assert refusal.startswith("complaints: extend refused: ") and "Encoded failure" not in refusal
        assert "cannot be read" not in refusal

        # An activity failure: the record store refuses writes for a while.
        _records_closed(database, True)
        responding = asyncio.create_task(run("respond", ref, "--outcome", "not_upheld"))
        last_failure = await _record_failing(encrypting, ref)
        assert "records closed for maintenance" in last_failure, "read with the key, the failure says what it was"
        _records_closed(database, False)
        await responding

        await run("escalate", ref, "--reason", "disagree")
        await run("assign", ref, "io-2")
        # `status` is for the complaints team: the one command that shows the family.
        shown = await run("status", ref, shows_the_family=True)
        assert "status       open, stage 2" in shown
        assert NAME in shown and EMAIL in shown
        await run("list")
        # A search finds the complaint by part of the family's name, and never shows it.
        assert (await run("list", NAME.split()[-1][:6].lower())).splitlines()[1].split()[0] == ref
        assert sink.wait_for(5, timeout=30), "the letters went out"
        assert any(EMAIL in str(m["To"]) for m in sink.messages), "the family was written to"
    finally:
        worker.stop()
        await asyncio.to_thread(sink.stop)

    # What Temporal keeps, read without the key: raw events, and as JSON (what its web UI
    # and `temporal workflow show` give), failures included.
    keyless = await Client.connect(_address(dev_server_env), data_converter=DATA_CONVERTER)
    history = await keyless.get_workflow_handle(ref).fetch_history()
    as_json = history.to_json()
    raw = b"".join(event.SerializeToString() for event in history.events)
    assert ref in as_json
    assert "Encoded failure" in as_json and "records closed for maintenance" not in as_json, \
        "the activity's failure is in the history, encrypted"
    _no_personal_data(as_json, "Temporal's history")
    for personal in PERSONAL:
        assert personal.encode() not in raw
    _no_personal_data(worker.log.read_text(errors="replace"), "the worker's log")
    _no_personal_data("\n".join(said), "the command line's output")
    # The records hold the family, for the council: kept with the key, its owner's alone.
    assert RecordStore(f"sqlite:///{database}").complaint(ref)["complainant_email"] == EMAIL


# ------------------------------------------------------------------ files for the owner only


def test_a_new_record_store_and_saved_mail_are_the_owners_alone(tmp_path):
    previous = os.umask(0o022)          # a shell's usual umask: files readable by all
    try:
        records = tmp_path / "var" / "complaints.db"
        store = RecordStore(f"sqlite:///{records}")
        store.create_schema()
        store.close()
        assert (tmp_path / "var").stat().st_mode & 0o777 == 0o700
        for path in tmp_path.glob("var/complaints.db*"):
            assert path.stat().st_mode & 0o777 == 0o600, f"{path.name} is {path.stat().st_mode & 0o777:o}"

        mail = tmp_path / "var" / "mail"
        with MailSink(port=0, save_dir=mail) as sink:
            import smtplib

            with smtplib.SMTP(sink.host, sink.port) as client:
                client.sendmail("a@council.example", [EMAIL], f"To: {EMAIL}\r\nSubject: x\r\n\r\nDear {NAME}\r\n")
            assert sink.wait_for(1)
        assert mail.stat().st_mode & 0o777 == 0o700
        [saved] = mail.glob("*.eml")
        assert saved.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(previous)


async def test_a_payload_that_does_not_fit_is_refused_without_quoting_it():
    """Pydantic's errors repeat their input; the engine's never do (they reach the
    worker's log and a failure's text)."""
    from temporalio.api.common.v1 import Payload

    from workflows.engine import PayloadInvalid

    misfit = Payload(metadata={"encoding": b"json/plain"}, data=f'{{"officer": ["{NAME}", "{EMAIL}"]}}'.encode())
    with pytest.raises(PayloadInvalid) as invalid:
        await DATA_CONVERTER.decode([misfit], [Assign])
    assert str(invalid.value) == "a payload does not fit Assign: officer: Input should be a valid string"
    _no_personal_data(str(invalid.value), "the error")
