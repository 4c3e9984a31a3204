"""Serving the web app beside the engine (``make up``), or on its own::

    python -m web.server      # against an engine and record store already running

uvicorn serves it in the same event loop as the worker. Its access log is off: a
family's link carries a token, and a log is no place for one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

import uvicorn
from temporalio.client import Client

from store.record_store import RecordStore
from web import tables
from web.access import ADMIN, COMPLAINTS_MANAGER
from web.accounts import add_account, any_admin, one_time_password
from web.app import create_app
from web.settings import WebSettings

FIRST_ADMIN = "admin"


def first_administrator(store: RecordStore) -> str | None:
    """Create the first administrator when there is none; returns its one-time password
    (to print once), else None. The password must be changed at the first sign-in."""
    tables.create(store.engine)
    if any_admin(store.engine):
        return None
    password = one_time_password()
    add_account(store.engine, FIRST_ADMIN, "Administrator", {ADMIN, COMPLAINTS_MANAGER}, password=password,
                must_change_password=True)
    return password


class WebServer:
    def __init__(self, settings: WebSettings, store: RecordStore, client: Client, task_queue: str) -> None:
        self.settings = settings
        app = create_app(settings, store, client, task_queue)
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                access_log=False, lifespan="off", server_header=False,
                                limit_concurrency=200, timeout_keep_alive=5)
        self.server = uvicorn.Server(config)
        self.task: asyncio.Task | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()     # raises what stopped it (the port taken, say)
                raise RuntimeError("the web server stopped as it started")
            await asyncio.sleep(0.05)

    @property
    def port(self) -> int:
        """The port it listens on (the one chosen when WEB_PORT=0)."""
        for server in self.server.servers:
            for sock in server.sockets:
                return sock.getsockname()[1]
        return self.settings.port

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.task, 10)


async def _main() -> int:
    from workflows.engine import TemporalSettings, connect

    temporal = TemporalSettings.from_env()
    settings = WebSettings.from_env()
    store = RecordStore(os.environ.get("DATABASE_URL") or "sqlite:///var/complaints.db")
    store.create_schema()
    password = first_administrator(store)
    client = await connect(temporal, require_key=True)
    server = WebServer(settings, store, client, temporal.task_queue)
    await server.start()
    print(f"The web app is at {settings.base_url}", flush=True)
    if password:
        print(f"  Sign in as {FIRST_ADMIN} with the one-time password {password}", flush=True)
    with contextlib.suppress(asyncio.CancelledError):
        await server.task
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main()))
