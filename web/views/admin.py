"""Staff accounts, for the administrator: the list, adding one (its one-time password
shown once, on the page that made it, and never kept), changing someone's roles and
directory entry, switching an account off or on, and a new one-time password.

Every change takes effect at once (``web.pages`` reads the account afresh on each
request) and is audited (event ``admin``) by username, roles and directory id: never a
password, never a name.

Accounts signed in by the council's identity provider (``oidc:...``) take their roles
from it at every sign-in; here they can be switched off, and given a directory entry the
provider does not send.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from markupsafe import escape
from starlette.routing import Route

from cli.directory import DirectoryError, load_directory
from web import audit
from web.access import ADMIN, MANAGER, OFFICER, ROLE_NAMES, ROLES
from web.accounts import (
    AccountError, account, accounts, add_account, one_time_password, set_password, set_roles,
)
from web.forms import Errors, text
from web.pages import Page, page_for

USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# Officers and managers see complaints through their place in the directory.
NEED_DIRECTORY = (OFFICER, MANAGER)


def user_path(username: str) -> str:
    return "/admin/users/" + quote(username, safe="")


async def _people(page: Page) -> list:
    """The directory's people, or none when the file cannot be read (the directory page says why)."""
    try:
        return (await page.db(load_directory)).officers
    except DirectoryError:
        return []


def _roles(form, errors: Errors) -> set[str]:
    chosen = {r for r in form.getlist("roles") if r in ROLES}
    if not chosen:
        errors.add("roles", "Select at least one role")
    return chosen


def _directory(form, people, roles: set[str], errors: Errors) -> str | None:
    chosen = form.get("directory_id") or None
    if chosen and chosen not in {p.id for p in people}:
        errors.add("directory_id", "Select someone in the directory, or nobody")
        return None
    if not chosen and roles & set(NEED_DIRECTORY):
        errors.add("directory_id", "Select who they are in the directory: officers and managers need it")
    return chosen


def _summary(roles, directory_id: str | None) -> str:
    return f"roles {','.join(sorted(roles))}; directory {directory_id or 'none'}"


@page_for(ADMIN)
async def users_list(page: Page):
    people = {p.id: p for p in await _people(page)}
    return page.render("admin/users.html", accounts=await page.db(accounts, page.app.engine), people=people,
                       role_names=ROLE_NAMES, user_path=user_path)


@page_for(ADMIN)
async def add_user(page: Page):
    people = await _people(page)
    errors = Errors()
    form = page.form or {}
    if page.request.method == "POST":
        name = text(form, "name", errors, label="their full name")
        username = (form.get("username") or "").strip()
        if not username:
            errors.add("username", "Enter a username")
        elif not USERNAME.fullmatch(username):
            errors.add("username", "A username is up to 64 small letters, numbers, dots, hyphens or underscores, "
                                   "starting with a letter or number")
        email = text(form, "email", errors, label="their email address", required=False, limit=320)
        if email and not EMAIL.fullmatch(email):
            errors.add("email", "Enter an email address in the correct format, like name@example.org")
        roles = _roles(form, errors)
        directory_id = _directory(form, people, roles, errors)
        if not errors:
            password = one_time_password()
            try:
                await page.db(add_account, page.app.engine, username, name, roles, password=password, email=email,
                              directory_id=directory_id, must_change_password=True)
            except AccountError:
                errors.add("username", "There is already an account with this username")
            else:
                await page.audit(audit.ADMIN, detail=f"added account {username}: {_summary(roles, directory_id)}")
                # Shown on this page only: it is not kept anywhere, and a reload does not show it again.
                return page.render("admin/user_added.html", username=username, name=name, password=password,
                                   user_path=user_path(username))
    return page.form_page("admin/user_form.html", errors, adding=True, form=form, people=people,
                          chosen_roles=set(form.getlist("roles")) if form else set(), role_names=ROLE_NAMES,
                          roles=ROLES)


@page_for(ADMIN)
async def change_user(page: Page):
    username = page.request.path_params["username"]
    found = await page.db(account, page.app.engine, username)
    if found is None:
        return page.render("errors/not_found.html", status=404)
    people = await _people(page)
    errors = Errors()
    form = page.form
    if page.request.method == "POST" and form.get("action") == "new_password" and found.local:
        password = one_time_password()
        await page.db(set_password, page.app.engine, username, password, must_change=True)
        await page.audit(audit.ADMIN, detail=f"new one-time password for {username}")
        return page.render("admin/user_added.html", username=username, name=found.name, password=password,
                           user_path=user_path(username), renewed=True)
    if page.request.method == "POST":
        roles = _roles(form, errors) if found.local else set(found.roles)
        directory_id = _directory(form, people, roles, errors)
        active = form.get("active") != "no"
        if username == page.person.username and (not active or ADMIN not in roles):
            errors.add("active" if not active else "roles",
                       "You cannot switch off your own account or take away your own administrator role")
        if not errors:
            await page.db(set_roles, page.app.engine, username, roles, directory_id, active)
            state = "switched on" if active else "switched off"
            await page.audit(audit.ADMIN, detail=f"changed account {username}: {_summary(roles, directory_id)}; "
                                                 f"{state}")
            return page.redirect("/admin/users", banner=f"{escape(found.name)}’s account is saved")
    return page.form_page("admin/user_form.html", errors, adding=False, account=found, people=people,
                          form=form or {"directory_id": found.directory_id or "",
                                        "active": "yes" if found.active else "no"},
                          chosen_roles=set(form.getlist("roles")) if form else set(found.roles),
                          role_names=ROLE_NAMES, roles=ROLES, user_path=user_path(username))


routes = [
    Route("/admin/users", users_list, methods=["GET"]),
    Route("/admin/users/new", add_user, methods=["GET", "POST"]),
    Route("/admin/users/{username:path}", change_user, methods=["GET", "POST"]),
]
