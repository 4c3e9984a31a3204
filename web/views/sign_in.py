"""Signing in and out, one's own password, and staying signed in.

Local accounts (Argon2) are the embedded default; a council's own identity provider signs
in through OpenID Connect (``web.oidc``) when it is configured. After signing in, the
person goes back to the page they were sent from (a path on this site only), or to their
home page. Every sign-in renews the session's id: an id known before is worthless after.

A local account with a one-time password (the first administrator, a new account) is not
signed in until its person has chosen their own password at ``/account/password``; until
then the session only knows whose password is due, and no other page lets them in.

``/session/stay`` keeps a session going (``web/static/timeout.js`` posts to it from the
warning it shows before the session times out).
"""

from __future__ import annotations

import asyncio

from starlette.responses import Response
from starlette.routing import Route

from web import audit, oidc
from web.accounts import account, check_password, set_password
from web.forms import Errors, text
from web.navigation import home
from web.pages import Page, page_for

# A chosen password: long enough to be a passphrase, short enough to hash quickly.
PASSWORD_MIN, PASSWORD_MAX = 12, 500
OIDC_DETAIL = "council identity provider"


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to, never another site (//evil.example, /\\evil)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")) or "\\" in target:
        return None
    return target


def _signed_in(page: Page, found) -> None:
    """The session, under a new id, now belongs to ``found``."""
    page.session.renew()
    page.session.clear()
    page.session["username"] = found.username
    page.person = found.person()


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
            elif found.must_change_password:
                # Not signed in yet: only the password page knows whose password is due.
                page.session.renew()
                page.session.clear()
                page.session["password_due"] = found.username
                if next_page:
                    page.session["next"] = next_page
                return page.redirect("/account/password")
            else:
                _signed_in(page, found)
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


# -- the council's identity provider ---------------------------------------------------

def _redirect_uri(page: Page) -> str:
    return page.app.settings.base_url + "/sign-in/callback"


async def _could_not_sign_in(page: Page, problem: oidc.SignInFailed) -> Response:
    """Fail closed: nobody signed in, the attempt audited with what failed (never who)."""
    await asyncio.to_thread(audit.record, page.app.engine, None, audit.SIGN_IN_FAILED, None,
                            f"{OIDC_DETAIL}: {problem}")
    page.session.pop("oidc", None)
    if isinstance(problem, oidc.NoRole):
        return page.render("account/no_role.html", status=403)
    return page.render("account/could_not_sign_in.html", status=400)


@page_for(public=True)
async def sign_in_council(page: Page):
    settings = page.app.settings.oidc
    if settings is None:
        return page.render("errors/not_found.html", status=404)
    try:
        url, pending = await oidc.start(settings, _redirect_uri(page))
    except oidc.SignInFailed as problem:
        return await _could_not_sign_in(page, problem)
    next_page = safe_next(page.request.query_params.get("next"))
    page.session["oidc"] = {**pending, "next": next_page}
    return page.redirect(url)


@page_for(public=True)
async def sign_in_callback(page: Page):
    settings = page.app.settings.oidc
    if settings is None:
        return page.render("errors/not_found.html", status=404)
    pending = page.session.pop("oidc", None)
    try:
        claims = await oidc.finish(settings, _redirect_uri(page), pending, page.request.query_params)
        found = await page.db(oidc.account_for, page.app.engine, claims)
    except oidc.SignInFailed as problem:
        return await _could_not_sign_in(page, problem)
    _signed_in(page, found)
    await page.audit(audit.SIGN_IN, detail=OIDC_DETAIL)
    return page.redirect(safe_next(pending.get("next")) or home(page.person))


# -- one's own password ------------------------------------------------------------------

def _new_password(form, errors: Errors) -> str | None:
    new = form.get("new_password") or ""
    again = form.get("new_password_again") or ""
    if not new:
        errors.add("new_password", "Enter a new password")
    elif len(new) < PASSWORD_MIN:
        errors.add("new_password", f"Your new password must be {PASSWORD_MIN} characters or more")
    elif len(new) > PASSWORD_MAX:
        errors.add("new_password", f"Your new password must be {PASSWORD_MAX} characters or fewer")
    elif not again:
        errors.add("new_password_again", "Enter your new password again")
    elif again != new:
        errors.add("new_password_again", "The two passwords are not the same")
    return None if errors else new


@page_for(public=True)
async def change_password(page: Page):
    """Any signed-in local account changes its password here; a one-time password must be changed here first."""
    due = page.session.get("password_due") if page.person is None else None
    username = page.person.username if page.person else due
    if username is None:
        return page.redirect("/sign-in")
    found = await page.db(account, page.app.engine, username)
    if found is None or not found.active or not found.local:
        if page.person is None:
            page.session.pop("password_due", None)
            return page.redirect("/sign-in")
        return page.render("account/no_password.html")
    errors = Errors()
    if page.request.method == "POST":
        if page.person is not None:
            current = page.form.get("current_password") or ""
            if not current:
                errors.add("current_password", "Enter your current password")
            elif await page.db(check_password, page.app.engine, username, current) is None:
                errors.add("current_password", "Your current password is not right")
        new = _new_password(page.form, errors)
        if new and await page.db(check_password, page.app.engine, username, new) is not None:
            errors.add("new_password", "Your new password must be different from the old one")
        if not errors:
            await page.db(set_password, page.app.engine, username, new)
            next_page = safe_next(page.session.get("next"))
            _signed_in(page, found)
            if due:
                await page.audit(audit.SIGN_IN, detail="local account")
            await page.audit(audit.ADMIN, detail="changed own password")
            return page.redirect(next_page or home(page.person), banner="Your password has been changed")
    return page.form_page("account/password.html", errors, first_time=due is not None)


# -- staying signed in -----------------------------------------------------------------

@page_for()
async def stay_signed_in(page: Page):
    """Saving the session (as every page does) is what keeps it going; nothing else to do."""
    if "application/json" in page.request.headers.get("accept", ""):
        return Response(status_code=204)
    return page.redirect(safe_next(page.form.get("next")) or home(page.person))


routes = [Route("/sign-in", sign_in, methods=["GET", "POST"]),
          Route("/sign-in/council", sign_in_council, methods=["GET"]),
          Route("/sign-in/callback", sign_in_callback, methods=["GET"]),
          Route("/sign-out", sign_out, methods=["GET", "POST"]),
          Route("/account/password", change_password, methods=["GET", "POST"]),
          Route("/session/stay", stay_signed_in, methods=["POST"])]
