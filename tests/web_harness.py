"""The web app on a real engine, for tests: a Temporal dev server (real time), the real
worker, a real record store (SQLite, or PostgreSQL where a test asks), a real mail sink,
and the app served either in-process (``harness.client()``, httpx over ASGI) or on a real
port (``await harness.serve()``, for a browser).

    async def test_clerk_sees_it(web):
        clerk = await web.signed_in("clerk", {"clerk"})
        await web.register("CS-2026-0001")
        page = await clerk.get("/complaints/CS-2026-0001")
        assert "CS-2026-0001" in page.text

``web.form(client, path, data)`` fetches the form first for its token, as a browser does.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest_asyncio

from cli.directory import load_directory
from models import actions as a
from models.complaint import Complainant
from rules.moments import LONDON
from store.record_store import RecordStore
from web import engine as web_engine
from web.accounts import add_account
from web.app import create_app
from web.server import WebServer
from web.settings import WebSettings
from worker import build_worker

BASE = "http://127.0.0.1:8000"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has a form with its token"
    return found.group(1)


@dataclass
class WebHarness:
    app: Any
    store: RecordStore
    temporal: Any                      # temporalio Client
    task_queue: str
    mail_sink: Any
    settings: WebSettings
    served: list = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=BASE,
                                 follow_redirects=False)

    def add_user(self, username: str, roles: set[str], directory_id: str | None = None,
                 name: str | None = None) -> str:
        password = secrets.token_urlsafe(12)
        add_account(self.store.engine, username, name or username.replace("-", " ").title(), roles,
                    password=password, directory_id=directory_id)
        return password

    async def sign_in(self, client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
        page = await client.get("/sign-in")
        return await client.post("/sign-in", data={"csrf_token": csrf_token(page.text), "username": username,
                                                   "password": password})

    async def signed_in(self, username: str, roles: set[str], directory_id: str | None = None,
                        name: str | None = None) -> httpx.AsyncClient:
        password = self.add_user(username, roles, directory_id, name)
        client = self.client()
        answer = await self.sign_in(client, username, password)
        assert answer.status_code == 303, answer.text
        return client

    async def form(self, client: httpx.AsyncClient, path: str, data: dict[str, Any],
                   *, form_path: str | None = None) -> httpx.Response:
        """Post ``data`` to ``path`` with the token of the form at ``form_path`` (default ``path``)."""
        page = await client.get(form_path or path)
        assert page.status_code == 200, (page.status_code, page.text[:500])
        return await client.post(path, data={"csrf_token": csrf_token(page.text), **data})

    async def register(self, ref: str, *, policy: str = "children-statutory", received: datetime | None = None,
                       name: str = "Pat Parent", email: str | None = "pat@example.org",
                       complainant_type: str = "parent", **more: Any) -> web_engine.Registered:
        """A complaint registered through the engine, as the command line does it."""
        directory = load_directory()
        reg = a.Registration(
            ref=ref, policy=policy, received=received or datetime.now(LONDON) - timedelta(minutes=1),
            complainant=Complainant(name=name, email=email, type=complainant_type),
            officers=directory.officers, complaints_team_email=directory.complaints_team_email,
            channel=more.pop("channel", "email"), service_area=more.pop("service_area", "Children in care"),
            reasons=more.pop("reasons", ["communication"]), **more)
        done = await web_engine.register(self.temporal, self.task_queue, reg)
        assert isinstance(done, web_engine.Registered), done
        await self.settled(ref)
        return done

    async def act(self, ref: str, update: str, request: object) -> web_engine.Outcome:
        done = await web_engine.act(self.temporal, self.store, ref, update, request)
        await self.settled(ref)
        return done

    async def settled(self, ref: str) -> None:
        """Wait until the record store has the complaint (the worker records it)."""
        import asyncio

        for _ in range(200):
            if self.store.exists(ref):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{ref} never reached the record store")

    async def serve(self) -> str:
        """Serve the app on a free loopback port; returns its base URL."""
        server = WebServer(WebSettings(port=0), self.store, self.temporal, self.task_queue)
        await server.start()
        self.served.append(server)
        return f"http://127.0.0.1:{server.port}"


@pytest_asyncio.fixture
async def web(dev_server_env, store, smtp, mail_sink, task_queue):
    """The web app on the real engine (dev server, real time), SQLite records, a mail sink."""
    settings = WebSettings()
    async with build_worker(dev_server_env.client, store, smtp, task_queue):
        app = create_app(settings, store, dev_server_env.client, task_queue)
        harness = WebHarness(app, store, dev_server_env.client, task_queue, mail_sink, settings)
        yield harness
        for server in harness.served:
            await server.stop()
