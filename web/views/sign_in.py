"""Signing in and out. Local accounts (Argon2) are the embedded default; a council's own
identity provider signs in through OpenID Connect (``web.oidc``) when it is configured.
After signing in, the person goes back to the page they were sent from (a path on this
site only), or to their home page.
"""

from __future__ import annotations

import asyncio

from starlette.routing import Route

from web import audit
from web.accounts import check_password
from web.forms import Errors, text
from web.navigation import home
from web.pages import Page, page_for


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to, never another site (//evil.example, /\\evil)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    return target


@page_for(public=True)
async def sign_in(page: Page):
    next_page = safe_next(page.request.query_params.get("next") or (page.form or {}).get("next"))
    errors = Errors()
    if page.request.method == "POST":
        username = text(page.form, "username", errors, label="your username")
        password = page.form.get("password") or ""
        if not password:
            errors.add("password", "Enter your password")
        if not errors:
            found = await asyncio.to_thread(check_password, page.app.engine, username, password)
            if found is None:
                await asyncio.to_thread(audit.record, page.app.engine, None, audit.SIGN_IN_FAILED, None,
                                        "username or password not recognised")
                errors.add("username", "The username or password is not right")
            else:
                page.session.renew()
                page.session.clear()
                page.session["username"] = found.username
                page.person = found.person()
                await page.audit(audit.SIGN_IN, detail="local account")
                return page.redirect(next_page or home(page.person))
    timed_out = page.session.pop("timed_out", None)
    return page.form_page("sign_in.html", errors, next=next_page, timed_out=timed_out,
                          oidc=page.app.settings.oidc is not None,
                          username=(page.form or {}).get("username", ""))


@page_for()
async def sign_out(page: Page):
    if page.request.method == "POST":
        await page.audit(audit.SIGN_OUT)
        page.session.renew()
        page.session.clear()
        return page.redirect("/sign-in")
    return page.render("sign_out.html")


routes = [Route("/sign-in", sign_in, methods=["GET", "POST"]),
          Route("/sign-out", sign_out, methods=["GET", "POST"])]
