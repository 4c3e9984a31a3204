"""How every page is served: its session, who is signed in and whether they may be here,
the form token on every POST, the templates, and the headers that keep a page private.

A view is ``async def view(page: Page) -> Response`` wrapped in ``@page_for(...)``::

    @page_for(CLERK, COMPLAINTS_MANAGER)
    async def dashboard(page: Page) -> Response:
        return page.render("dashboard.html", queues=...)

``@page_for(public=True)`` serves anyone (the family's pages); ``@page_for()`` any
signed-in person. A POST without the session's form token is refused before the view
runs, with a GOV.UK error page, and changes nothing.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from web import audit
from web.access import Person
from web.accounts import account
from web.formats import FILTERS
from web.forms import Errors
from web.labels import label
from web.navigation import home, navigation
from web.sessions import COOKIE, Session

# The largest form the app reads (the public form's longest answers are 10,000 characters each).
MAX_FORM_BYTES = 200_000
# Field names a form may have at most (a form stuffed with thousands of fields is refused).
MAX_FORM_FIELDS = 200

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def templates() -> Environment:
    env = Environment(
        loader=ChoiceLoader([
            PackageLoader("web", "templates"),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals["label"] = label
    env.globals["home"] = home          # the header's link: each person's own home page, never a 403
    return env


@dataclass
class Page:
    """One request, as a view sees it."""

    request: Request
    app: Any                      # web.app.WebApp
    session: Session
    person: Person | None
    form: FormData | None = None
    status: int = 200

    def render(self, template: str, status: int | None = None, **context: Any) -> HTMLResponse:
        html = self.app.templates.get_template(template).render(
            page=self, person=self.person, council=self.app.council, csrf=self.session.csrf,
            navigation=navigation(self.person, self.request.url.path),
            banner=self.session.pop("banner") if "banner" in self.session else None, **context)
        return HTMLResponse(html, status_code=status or self.status)

    def form_page(self, template: str, errors: Errors, **context: Any) -> HTMLResponse:
        """A form again, with its errors (422), or as first shown."""
        return self.render(template, status=422 if errors else 200, errors=errors, **context)

    def redirect(self, path: str, banner: str | None = None) -> RedirectResponse:
        if banner:
            self.session["banner"] = banner
        return RedirectResponse(path, status_code=303)

    def forbidden(self) -> HTMLResponse:
        """The one answer to a page or complaint the person may not see, or that does not exist."""
        return self.render("errors/forbidden.html", status=403)

    def audit(self, event: str, ref: str | None = None, detail: str = "") -> Awaitable[None]:
        return asyncio.to_thread(audit.record, self.app.engine, self.person, event, ref, detail)

    def db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Awaitable[Any]:
        """Run a blocking store call off the event loop."""
        return asyncio.to_thread(fn, *args, **kwargs)


View = Callable[[Page], Awaitable[Response]]


def page_for(*roles: str, public: bool = False,
             max_bytes: int = MAX_FORM_BYTES) -> Callable[[View], Callable[[Request], Awaitable[Response]]]:
    """Serve a view to the signed-in people with one of ``roles`` (any signed-in person when
    none are given), or to anyone when ``public``. ``max_bytes`` raises the body's limit for
    a form that uploads a file (its text fields stay within MAX_FORM_BYTES each)."""

    def wrap(view: View) -> Callable[[Request], Awaitable[Response]]:
        @functools.wraps(view)
        async def endpoint(request: Request) -> Response:
            web = request.app.state.web
            session = await asyncio.to_thread(web.sessions.load, request.cookies.get(COOKIE))
            person = await _person(web, session)
            page = Page(request, web, session, person)
            response = await _serve(page, view, roles, public, max_bytes)
            new_token = await asyncio.to_thread(web.sessions.save, session)
            if new_token:
                response.set_cookie(COOKIE, new_token, httponly=True, samesite="lax",
                                    secure=web.settings.secure_cookies, path="/")
            elif session.ended:
                response.delete_cookie(COOKIE, path="/")
            for name, value in HEADERS.items():
                response.headers.setdefault(name, value)
            return response

        return endpoint

    return wrap


async def _person(web, session: Session) -> Person | None:
    """The signed-in person, read afresh: an account switched off or changed takes effect at once."""
    username = session.get("username")
    if not username:
        return None
    found = await asyncio.to_thread(account, web.engine, username)
    if found is None or not found.active:
        session.renew()
        session.clear()
        return None
    return found.person()


async def _serve(page: Page, view: View, roles: tuple[str, ...], public: bool,
                 max_bytes: int = MAX_FORM_BYTES) -> Response:
    request = page.request
    if not public and page.person is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target, safe='')}", status_code=303)
    if roles and not (page.person and page.person.roles & set(roles)):
        return page.forbidden()
    if request.method == "POST":
        if not await _body_within_limit(request, max_bytes):
            return page.render("errors/too_large.html", status=413)
        try:
            page.form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_BYTES)
        except Exception:  # noqa: BLE001 - a malformed body is the sender's problem, said plainly
            return page.render("errors/bad_form.html", status=400)
        if not page.session.get("csrf") or page.form.get("csrf_token") != page.session.get("csrf"):
            return page.render("errors/bad_form.html", status=400)
    return await view(page)


async def _body_within_limit(request: Request, max_bytes: int = MAX_FORM_BYTES) -> bool:
    """Read the body, refusing it past ``max_bytes`` whatever its Content-Length says."""
    if int(request.headers.get("content-length") or 0) > max_bytes:
        return False
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            return False
    request._body = bytes(body)  # Starlette's own cache: request.form() reads it from here
    return True
