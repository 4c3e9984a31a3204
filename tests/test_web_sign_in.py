"""Signing in with a local account: the right password gets in, a wrong one says so
without saying which was wrong, and every other page sends a stranger to sign in."""

from __future__ import annotations

from sqlalchemy import select

from tests.web_harness import csrf_token
from web.tables import audit_log


async def test_a_clerk_signs_in_and_lands_on_the_dashboard(web):
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    client = web.client()
    answer = await web.sign_in(client, "sam", password)
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    with web.store.engine.connect() as conn:
        events = [(r.who, r.event) for r in conn.execute(select(audit_log))]
    assert ("sam", "sign-in") in events


async def test_a_wrong_password_is_refused_without_saying_which_was_wrong(web):
    web.add_user("sam", {"clerk"})
    client = web.client()
    answer = await web.sign_in(client, "sam", "not-the-password")
    assert answer.status_code == 422
    assert "The username or password is not right" in answer.text
    assert answer.text.count("govuk-error-summary") >= 1
    unknown = await web.sign_in(client, "nobody", "x")
    assert "The username or password is not right" in unknown.text


async def test_a_stranger_is_sent_to_sign_in_and_back(web):
    client = web.client()
    answer = await client.get("/sign-out?x=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fsign-out%3Fx%3D1"


async def test_a_form_without_its_token_changes_nothing(web):
    password = web.add_user("sam", {"clerk"})
    client = web.client()
    await client.get("/sign-in")
    answer = await client.post("/sign-in", data={"username": "sam", "password": password})
    assert answer.status_code == 400
    assert "Your form could not be accepted" in answer.text
    page = await client.get("/sign-in")
    forged = await client.post("/sign-in", data={"csrf_token": csrf_token(page.text) + "x", "username": "sam",
                                                 "password": password})
    assert forged.status_code == 400


async def test_every_page_carries_a_strict_content_security_policy(web):
    answer = await web.client().get("/sign-in")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in answer.text
    assert answer.headers["cache-control"] == "no-store"
