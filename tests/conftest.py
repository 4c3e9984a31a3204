"""Shared fixtures: a real mail server on loopback, a real record store, real Temporal."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import pytest_asyncio
from workflows.encryption import PLAINTEXT
from workflows.engine import DATA_CONVERTER
from temporalio.testing import WorkflowEnvironment

from notifications.mailer import SmtpSettings
from notifications.sink import MailSink
from simulation.runner import start_simulated_temporal, stdout_to_stderr, temporal_binary
from store.record_store import RecordStore
from worker import build_worker

# The web app on a real engine (tests/web_harness.py): the `web` fixture.
pytest_plugins = ["tests.web_harness"]

# The example scenarios and their expected timelines are the project's own test data.
# The expected lines come from an independent model of the rulebook: keep them as they
# are (tests/test_examples_data.py checks them against ../shared/examples when a
# developer's checkout has that folder beside it).
EXAMPLES = Path(__file__).resolve().parent / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session", autouse=True)
def no_local_engine_settings(tmp_path_factory):
    """Tests set up their own engines: a developer's `make up` key, records or exported
    settings must not leak in. Their engines run without encryption, and say so
    (COMPLAINTS_PAYLOAD_KEY=none: the command line refuses an engine without a key
    otherwise); a test of encryption sets a key of its own."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith(("COMPLAINTS_", "TEMPORAL_", "SMTP_"))
             or k == "DATABASE_URL"}
    os.environ["COMPLAINTS_VAR_DIR"] = str(tmp_path_factory.mktemp("var"))
    os.environ["COMPLAINTS_PAYLOAD_KEY"] = PLAINTEXT
    yield
    os.environ.pop("COMPLAINTS_VAR_DIR", None)
    os.environ.pop("COMPLAINTS_PAYLOAD_KEY", None)
    os.environ.update(saved)


@pytest.fixture
def mail_sink():
    sink = MailSink(port=0)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp(mail_sink) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=mail_sink.port)


@pytest.fixture
def store(tmp_path) -> RecordStore:
    records = RecordStore(f"sqlite:///{tmp_path / 'records.db'}")
    records.create_schema()
    yield records
    records.close()


@pytest_asyncio.fixture(scope="session")
async def time_skipping_env():
    """The dev server with a virtual clock per workflow (fast-forward one complaint at a time)."""
    env = await start_simulated_temporal()
    yield env
    await env.shutdown()


@pytest_asyncio.fixture(scope="session")
async def dev_server_env():
    """A plain local dev server (real time), for actions against a running engine."""
    with stdout_to_stderr():
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=temporal_binary(), data_converter=DATA_CONVERTER
        )
    yield env
    await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    return f"test-{uuid.uuid4()}"


@pytest_asyncio.fixture
async def engine(time_skipping_env, store, smtp, task_queue):
    """A worker running the real workflow and activity on the time-skipping server."""
    async with build_worker(time_skipping_env.client, store, smtp, task_queue):
        yield time_skipping_env


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    """A kept database for `simulate --database` (and what reads it), on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kept.db'}"
        return
    from sqlalchemy import text

    from tests.test_store import _postgres_admin

    url, admin = _postgres_admin()
    name = f"complaints_sim_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        RecordStore(url.set(database=name).render_as_string(hide_password=False)).close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def reference_year_store(tmp_path_factory):
    """A year shaped like the reference council's 2023-24 (`complaints caseload`, seed 7),
    run through the real engine by `complaints simulate`: (scenario, timeline, store URL).
    Made once: the annual report's tests all read it."""
    from cli.main import main

    work = tmp_path_factory.mktemp("reference-year")
    scenario = work / "scenario.yaml"
    assert main(["caseload", "--like", "reference-2023-24", "--seed", "7", "--out", str(scenario)]) == 0
    url = f"sqlite:///{work / 'records.db'}"
    timeline = work / "timeline.jsonl"
    assert main(["simulate", str(scenario), "--out", str(timeline), "--database", url]) == 0
    return scenario, timeline, url
