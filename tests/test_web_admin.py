"""Staff accounts: the administrator lists, adds (the one-time password shown once), changes
roles and switches accounts off, each at once and audited without a password; a one-time
password is replaced by one the person chooses before anything else; anyone signed in
with a local account changes their own password.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.web_harness import csrf_token
from web.accounts import account
from web.tables import audit_log

NEW_SAM = {"name": "Sam Patel", "username": "sam.patel", "email": "sam@council.example", "roles": ["officer"],
           "directory_id": "io-1"}


def _audit(web) -> list[tuple[str, str, str]]:
    with web.store.engine.connect() as conn:
        return [(r.who, r.event, r.detail) for r in conn.execute(select(audit_log).order_by(audit_log.c.seq))]


def _one_time_password(page_text: str) -> str:
    found = re.search(r"<code>([^<]+)</code>", page_text)
    assert found, page_text
    return found.group(1)


async def _choose_password(web, client, new: str, **more) -> object:
    return await web.form(client, "/account/password", {"new_password": new, "new_password_again": new, **more})


async def test_the_administrator_adds_an_account_and_sees_its_password_once(web):
    admin = await web.signed_in("root", {"admin"}, name="Ada Admin")
    form = await admin.get("/admin/users/new")
    assert "Investigating Officer One" in form.text, "the directory's people to choose from"
    assert "Complaints Team" in form.text and "Investigating officer" in form.text, "roles in words"
    added = await web.form(admin, "/admin/users/new", NEW_SAM)
    assert added.status_code == 200 and "Account added" in added.text
    password = _one_time_password(added.text)
    sam = account(web.store.engine, "sam.patel")
    assert sam.roles == {"officer"} and sam.directory_id == "io-1" and sam.must_change_password
    listing = await admin.get("/admin/users")
    assert "Sam Patel" in listing.text and "Password not yet chosen" in listing.text
    assert password not in listing.text and password not in (await admin.get("/admin/users/sam.patel")).text
    details = [d for who, event, d in _audit(web) if event == "admin"]
    assert details == ["added account sam.patel: roles officer; directory io-1"]
    assert all(password not in d for _, _, d in _audit(web))


async def test_adding_an_account_checks_every_field(web):
    admin = await web.signed_in("root", {"admin"})
    empty = await web.form(admin, "/admin/users/new", {})
    assert empty.status_code == 422 and empty.text.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in empty.text
    for message in ("Enter their full name", "Enter a username", "Select at least one role"):
        assert message in empty.text
    wrong = await web.form(admin, "/admin/users/new", {
        "name": "Sam", "username": "Sam Patel", "email": "not-an-address", "roles": ["manager", "wizard"]})
    assert "A username is up to 64 small letters" in wrong.text
    assert "Enter an email address in the correct format" in wrong.text
    assert "officers and managers need it" in wrong.text
    assert account(web.store.engine, "Sam Patel") is None
    await web.form(admin, "/admin/users/new", NEW_SAM)
    twice = await web.form(admin, "/admin/users/new", NEW_SAM)
    assert twice.status_code == 422 and "There is already an account with this username" in twice.text


async def test_only_the_administrator_manages_accounts(web):
    clerk = await web.signed_in("clerk", {"clerk", "complaints_manager"})
    for path in ("/admin/users", "/admin/users/new", "/admin/users/clerk"):
        assert (await clerk.get(path)).status_code == 403


async def test_a_one_time_password_must_be_replaced_before_anything_else(web):
    admin = await web.signed_in("root", {"admin"})
    password = _one_time_password((await web.form(admin, "/admin/users/new", NEW_SAM)).text)
    sam = web.client()
    first = await web.sign_in(sam, "sam.patel", password)
    assert first.status_code == 303 and first.headers["location"] == "/account/password"
    assert (await sam.get("/my-complaints")).status_code == 303, "not signed in until the password is chosen"
    page = await sam.get("/account/password")
    assert "Choose your password" in page.text and "Current password" not in page.text
    assert 'autocomplete="new-password"' in page.text and "onpaste" not in page.text
    short = await _choose_password(web, sam, "too-short")
    assert short.status_code == 422 and "Your new password must be 12 characters or more" in short.text
    same = await _choose_password(web, sam, password)
    assert "Your new password must be different from the old one" in same.text
    differ = await web.form(sam, "/account/password", {"new_password": "correct horse battery",
                                                       "new_password_again": "correct horse battery!"})
    assert "The two passwords are not the same" in differ.text
    done = await _choose_password(web, sam, "correct horse battery")
    assert done.status_code == 303 and done.headers["location"] == "/my-complaints"
    assert not account(web.store.engine, "sam.patel").must_change_password
    assert (await sam.get("/account/password")).status_code == 200
    again = web.client()
    assert (await web.sign_in(again, "sam.patel", password)).status_code == 422, "the one-time password is spent"
    assert (await web.sign_in(again, "sam.patel", "correct horse battery")).headers["location"] == "/my-complaints"
    events = [(who, event, detail) for who, event, detail in _audit(web) if who == "sam.patel"]
    assert events[:2] == [("sam.patel", "sign-in", "local account"), ("sam.patel", "admin", "changed own password")]


async def test_the_one_time_password_page_goes_back_to_the_link_followed(web):
    admin = await web.signed_in("root", {"admin"})
    password = _one_time_password((await web.form(admin, "/admin/users/new", NEW_SAM)).text)
    sam = web.client()
    form = await sam.get("/sign-in?next=%2Fsign-out")
    answer = await sam.post("/sign-in", data={"csrf_token": csrf_token(form.text), "username": "sam.patel",
                                              "password": password, "next": "/sign-out"})
    assert answer.headers["location"] == "/account/password"
    done = await _choose_password(web, sam, "a long pasted password 123")
    assert done.headers["location"] == "/sign-out"


async def test_a_signed_in_person_changes_their_password_with_the_current_one(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    page = await clerk.get("/account/password")
    assert "Change your password" in page.text and "Current password" in page.text
    wrong = await _choose_password(web, clerk, "a brand new password", current_password="not it")
    assert wrong.status_code == 422 and "Your current password is not right" in wrong.text
    missing = await _choose_password(web, clerk, "a brand new password")
    assert "Enter your current password" in missing.text


async def test_changing_roles_and_switching_off_take_effect_at_once(web):
    admin = await web.signed_in("root", {"admin"})
    clerk = await web.signed_in("clerk", {"clerk", "complaints_manager"})
    assert (await clerk.get("/audit")).status_code == 200
    edit = await admin.get("/admin/users/clerk")
    assert edit.status_code == 200 and "Give a new one-time password" in edit.text
    changed = await web.form(admin, "/admin/users/clerk", {"roles": ["clerk"], "directory_id": "", "active": "yes",
                                                          "action": "save"})
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/users"
    assert (await clerk.get("/audit")).status_code == 403, "no longer the complaints manager"
    off = await web.form(admin, "/admin/users/clerk", {"roles": ["clerk"], "directory_id": "", "active": "no",
                                                      "action": "save"})
    assert off.status_code == 303
    gone = await clerk.get("/sign-out")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/sign-in"), "signed out at once"
    listing = await admin.get("/admin/users")
    assert "Switched off" in listing.text
    assert [d for _, e, d in _audit(web) if e == "admin"] == [
        "changed account clerk: roles clerk; directory none; switched on",
        "changed account clerk: roles clerk; directory none; switched off"]


async def test_the_administrator_cannot_lock_themselves_out(web):
    admin = await web.signed_in("root", {"admin", "clerk"})
    answer = await web.form(admin, "/admin/users/root", {"roles": ["clerk"], "active": "yes", "action": "save"})
    assert answer.status_code == 422 and "You cannot switch off your own account" in answer.text
    answer = await web.form(admin, "/admin/users/root", {"roles": ["admin"], "active": "no", "action": "save"})
    assert answer.status_code == 422
    assert account(web.store.engine, "root").roles == {"admin", "clerk"}


async def test_a_new_one_time_password_for_someone_who_forgot_theirs(web):
    admin = await web.signed_in("root", {"admin"})
    old = web.add_user("sam", {"clerk"})
    answer = await web.form(admin, "/admin/users/sam", {"action": "new_password"})
    assert answer.status_code == 200 and "New one-time password" in answer.text
    password = _one_time_password(answer.text)
    client = web.client()
    assert (await web.sign_in(client, "sam", old)).status_code == 422
    assert (await web.sign_in(client, "sam", password)).headers["location"] == "/account/password"
    assert ("root", "admin", "new one-time password for sam") in _audit(web)


async def test_an_identity_provider_account_keeps_the_roles_its_provider_gives(web):
    from web.oidc import Claims, account_for

    account_for(web.store.engine, Claims("abc-123", "Pat Provider", None, frozenset({"manager"}), None))
    admin = await web.signed_in("root", {"admin"})
    listing = await admin.get("/admin/users")
    assert "Council account" in listing.text
    page = await admin.get("/admin/users/oidc%3Aabc-123")
    assert "Their council’s sign-in gives their roles" in page.text and "one-time password" not in page.text
    saved = await web.form(admin, "/admin/users/oidc%3Aabc-123", {"directory_id": "tm-1", "active": "yes",
                                                                  "roles": ["admin"], "action": "save"})
    assert saved.status_code == 303
    found = account(web.store.engine, "oidc:abc-123")
    assert found.roles == {"manager"} and found.directory_id == "tm-1"


async def test_in_a_browser_the_account_and_audit_pages_pass_axe_core(web):
    """The staff accounts' pages, choosing a password and the audit log, with and without
    errors, as Chromium draws them: axe-core (WCAG 2.2 AA) finds nothing, nothing breaks."""
    from tests.browser import Visitor, chromium

    base = await web.serve()
    password = web.add_user("root", {"admin", "complaints_manager"}, name="Ada Admin")
    async with chromium() as browser:
        ada = await Visitor.open(browser, base)
        await ada.sign_in("root", password)
        await ada.goto("/admin/users")
        await ada.check("admin-users")
        await ada.goto("/admin/users/new")
        await ada.press_button("Add account")
        assert "Select at least one role" in await ada.errors()
        await ada.check("admin-user-new-errors")
        await ada.fill("Full name", "Sam Patel")
        await ada.fill("Username", "sam.patel")
        await ada.choose("Investigating officer")
        await ada.select("Who they are in the directory", "Investigating Officer One (io1@council.example)")
        await ada.press_button("Add account")
        assert "Account added" in await ada.main_text()
        await ada.check("admin-user-added")
        await ada.goto("/admin/users/sam.patel")
        await ada.check("admin-user-change")
        await ada.goto("/account/password")
        await ada.press_button("Save password")
        await ada.check("account-password-errors")
        await ada.goto("/audit")
        await ada.check("audit-log")
        await ada.fill_date(14, 12, 2026, group="From")
        await ada.fill_date(1, 12, 2026, group="To")
        await ada.press_button("Apply filter")
        assert await ada.errors() == ["The ‘from’ date must be the same as or before the ‘to’ date"]
        await ada.check("audit-log-errors")
        ada.assert_no_problems()
        await ada.close()
