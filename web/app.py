"""The web app: ``create_app(...)`` builds it on a record store and a Temporal client.

Each area of the service is a module of ``web.views`` with its own ``routes``; this
module puts them together with the front end's files: the GOV.UK Frontend and MOJ
Frontend as npm installed them (``web/node_modules``, from the pinned lock file, never
fetched at run time), and the app's own few (``web/static``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from temporalio.client import Client

import council
from store.record_store import RecordStore
from web import tables
from web.pages import HEADERS, templates
from web.sessions import SessionStore
from web.settings import WebSettings

log = logging.getLogger("web")

# The first part of a path, as the log may name it.
KNOWN_AREAS = {"complaints", "complain", "check", "my-complaints", "team", "directory", "letters", "reports",
               "audit", "admin", "sign-in", "sign-out", "account", "session", "static", "assets"}

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
GOVUK = NODE_MODULES / "govuk-frontend" / "dist" / "govuk"
MOJ = NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"


class FrontEndMissing(RuntimeError):
    pass


@dataclass
class WebApp:
    """What every page needs (``request.app.state.web``)."""

    settings: WebSettings
    store: RecordStore
    client: Client | None          # the Temporal client; None only in tests of pages that read
    task_queue: str
    sessions: SessionStore
    templates: Environment
    started_with: council.Council        # the council when the app started

    @property
    def engine(self) -> Engine:
        return self.store.engine

    @property
    def council(self) -> council.Council:
        """The council as its file says now (read again only when it changes), as the letters
        have it; the one the app started with if the file has since been broken."""
        try:
            return council.current()
        except council.CouncilError:
            return self.started_with


def _without_govuk_font(css: str) -> str:
    """The GOV.UK Frontend's styles without the GOV.UK typeface, which is for GOV.UK alone:
    its @font-face rules go, and the fonts fall back to the system's Arial."""
    css = re.sub(r"@font-face\{[^}]*\}", "", css)
    return css.replace("GDS Transport,", "").replace("font-family:GDS Transport", "font-family:arial,sans-serif")


def _front_end() -> dict[str, tuple[bytes, str]]:
    needed = [GOVUK / "govuk-frontend.min.css", GOVUK / "govuk-frontend.min.js",
              MOJ / "moj-frontend.min.css", MOJ / "moj-frontend.min.js"]
    missing = [p for p in needed if not p.is_file()]
    if missing:
        raise FrontEndMissing(f"the web app's front end is not installed ({missing[0]} is missing): "
                              f"run `make up` (or `npm ci --prefix web`)")
    files = {
        "govuk-frontend.min.css": (_without_govuk_font(needed[0].read_text()).encode(), "text/css"),
        "govuk-frontend.min.js": (needed[1].read_bytes(), "text/javascript"),
        "moj-frontend.min.css": (needed[2].read_bytes(), "text/css"),
        "moj-frontend.min.js": (needed[3].read_bytes(), "text/javascript"),
    }
    for own in (HERE / "static").iterdir():
        kind = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}.get(own.suffix)
        if kind:
            files[own.name] = (own.read_bytes(), kind)
    return files


def _static(files: dict[str, tuple[bytes, str]]):
    async def serve(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            return PlainTextResponse("Not found", status_code=404)
        response = Response(found[0], media_type=found[1])
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
    return serve


def routes() -> list:
    from web.views import ALL_ROUTES
    return ALL_ROUTES


def create_app(settings: WebSettings, store: RecordStore, client: Client | None, task_queue: str) -> Starlette:
    files = _front_end()
    tables.create(store.engine)
    web = WebApp(settings, store, client, task_queue, SessionStore(store.engine, settings.session_minutes),
                 templates(), council.current())
    app = _App(routes=[
        Route("/static/{name}", _static(files)),
        Mount("/assets/images", StaticFiles(directory=GOVUK / "assets" / "images")),
        Route("/assets/manifest.json", lambda r: FileResponse(GOVUK / "assets" / "manifest.json")),
        *routes(),
    ], exception_handlers={404: _not_found, 405: _not_found, Exception: _server_error})
    app.state.web = web
    return app


class _App(Starlette):
    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:
            # Starlette raises again after _server_error has answered, so that a server may
            # log the traceback; its text may quote a complaint, so it is not logged.
            if scope["type"] != "http":
                raise


def _error_page(request: Request, template: str, status: int) -> Response:
    from web.pages import Page
    from web.sessions import Session
    page = Page(request, request.app.state.web, Session(None, {}, fresh=True), None)
    response = page.render(template, status=status)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


async def _server_error(request: Request, exc: Exception) -> Response:
    """A page that failed: the person is told plainly; the log says which kind of page and
    which error, never the exception's text or the address (it may carry a family's token)."""
    first = request.url.path.strip("/").split("/")[0] or "dashboard"
    log.error("a %s page failed: %s", first if first in KNOWN_AREAS else "other", type(exc).__name__)
    return _error_page(request, "errors/server_error.html", 500)


async def _not_found(request: Request, exc: Exception) -> Response:
    return _error_page(request, "errors/not_found.html", 404)
