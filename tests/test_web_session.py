"""Sessions: a session left alone past WEB_SESSION_MINUTES is refused and sent to sign in
(saying why), "Stay signed in" keeps one going, signed-in pages carry what the warning
needs; the cookie is HTTP-only, SameSite=Lax, and Secure when the service is on https;
signing in renews the session's id, so an id known before is worthless after.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

import httpx
from sqlalchemy import select, update

from tests.web_harness import BASE, csrf_token
from web.app import create_app
from web.sessions import COOKIE, sessions
from web.settings import WebSettings


def _age(web, client: httpx.AsyncClient, minutes: float) -> None:
    """Make the client's session look as if its last page was ``minutes`` ago."""
    id_hash = hashlib.sha256(client.cookies[COOKIE].encode()).hexdigest()
    with web.store.engine.begin() as conn:
        changed = conn.execute(update(sessions).where(sessions.c.id_hash == id_hash).values(
            last_seen=datetime.now(timezone.utc) - timedelta(minutes=minutes))).rowcount
    assert changed == 1


def _last_seen(web, client: httpx.AsyncClient) -> datetime:
    id_hash = hashlib.sha256(client.cookies[COOKIE].encode()).hexdigest()
    with web.store.engine.connect() as conn:
        return conn.execute(select(sessions.c.last_seen).where(sessions.c.id_hash == id_hash)).scalar_one()


async def test_a_session_left_alone_past_the_timeout_is_sent_to_sign_in_saying_why(web):
    clerk = await web.signed_in("sam", {"clerk"})
    _age(web, clerk, 29)
    assert (await clerk.get("/sign-out")).status_code == 200, "29 minutes is within the 30"
    _age(web, clerk, 31)
    answer = await clerk.get("/sign-out")
    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in?next=%2Fsign-out"
    sign_in = await clerk.get(answer.headers["location"])
    assert "You were signed out because you had not done anything for a while" in sign_in.text
    assert (await clerk.get("/sign-out")).status_code == 303, "still signed out"


async def test_the_timeout_is_the_one_configured(web):
    app = create_app(WebSettings(session_minutes=5), web.store, web.temporal, web.task_queue)
    password = web.add_user("sam", {"clerk"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        assert (await web.sign_in(client, "sam", password)).status_code == 303
        page = await client.get("/sign-out")
        assert 'data-session-minutes="5"' in page.text
        _age(web, client, 6)
        assert (await client.get("/sign-out")).status_code == 303


async def test_stay_signed_in_keeps_the_session_going(web):
    clerk = await web.signed_in("sam", {"clerk"})
    page = await clerk.get("/sign-out")
    token = re.search(r'data-session-token="([^"]+)"', page.text).group(1)
    _age(web, clerk, 28)
    stayed = await clerk.post("/session/stay", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert stayed.status_code == 204
    assert datetime.now(timezone.utc) - _last_seen(web, clerk) < timedelta(minutes=1)
    _age(web, clerk, 28)
    without_js = await clerk.post("/session/stay", data={"csrf_token": token, "next": "/sign-out"})
    assert without_js.status_code == 303 and without_js.headers["location"] == "/sign-out"
    forged = await clerk.post("/session/stay", data={"csrf_token": "not-the-token"},
                              headers={"Accept": "application/json"})
    assert forged.status_code == 400
    stranger = await web.client().post("/session/stay", data={"csrf_token": token})
    assert stranger.status_code == 303 and stranger.headers["location"].startswith("/sign-in")


async def test_signed_in_pages_carry_the_warning_and_its_script_and_public_ones_do_not(web):
    clerk = await web.signed_in("sam", {"clerk"})
    page = await clerk.get("/sign-out")
    assert 'data-session-minutes="30"' in page.text and 'src="/static/timeout.js"' in page.text
    assert "<script>" not in page.text, "no inline script: the page's values are data attributes"
    script = await clerk.get("/static/timeout.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "/session/stay" in script.text and "Stay signed in" in script.text
    public = await web.client().get("/sign-in")
    assert "data-session-token" not in public.text and "timeout.js" not in public.text


async def test_the_cookie_is_http_only_lax_and_not_secure_over_http(web):
    password = web.add_user("sam", {"clerk"})
    answer = await web.sign_in(web.client(), "sam", password)
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie


async def test_the_cookie_is_secure_when_the_service_is_on_https(web):
    app = create_app(WebSettings(base_url="https://complaints.example.gov.uk"), web.store, web.temporal,
                     web.task_queue)
    password = web.add_user("sam", {"clerk"})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://complaints.example.gov.uk") \
            as client:
        form = await client.get("/sign-in")
        assert "secure" in form.headers["set-cookie"].lower(), "even the session before sign-in"
        answer = await client.post("/sign-in", data={"csrf_token": csrf_token(form.text), "username": "sam",
                                                     "password": password})
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


async def test_signing_in_renews_the_session_id_so_one_known_before_is_worthless(web):
    password = web.add_user("sam", {"clerk"})
    victim = web.client()
    form = await victim.get("/sign-in")
    planted = victim.cookies[COOKIE]          # what an attacker who set or saw the cookie knows
    answer = await victim.post("/sign-in", data={"csrf_token": csrf_token(form.text), "username": "sam",
                                                 "password": password})
    assert answer.status_code == 303
    assert victim.cookies[COOKIE] != planted
    assert (await victim.get("/sign-out")).status_code == 200, "the victim is signed in"
    attacker = web.client()
    attacker.cookies.set(COOKIE, planted)
    assert (await attacker.get("/sign-out")).status_code == 303, "the old id signs no one in"


async def test_signing_out_ends_the_session(web):
    clerk = await web.signed_in("sam", {"clerk"})
    known = clerk.cookies[COOKIE]
    assert (await web.form(clerk, "/sign-out", {})).status_code == 303
    replay = web.client()
    replay.cookies.set(COOKIE, known)
    assert (await replay.get("/sign-out")).status_code == 303


async def test_in_a_browser_the_warning_comes_two_minutes_before_and_staying_signed_in_works(web):
    """Chromium with its clock under the test's control (Playwright's clock: no waiting)."""
    from playwright.async_api import expect

    from tests.browser import Visitor, chromium

    base = await web.serve()
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    async with chromium() as browser:
        sam = await Visitor.open(browser, base)
        await sam.page.clock.install()
        await sam.sign_in("sam", password)
        await sam.goto("/sign-out")
        warning = sam.page.get_by_role("dialog", name="You’re about to be signed out")
        await sam.page.clock.fast_forward("27:50")
        assert await warning.count() == 0, "nothing before the last two minutes"
        await sam.page.clock.fast_forward("00:15")
        await expect(warning).to_be_visible()
        await expect(warning).to_contain_text("we will sign you out in 2 minutes")
        await sam.check("session-timeout-warning")
        await warning.get_by_role("button", name="Stay signed in").click()
        await expect(warning).to_be_hidden()
        await sam.page.clock.fast_forward("27:00")
        await expect(warning).to_be_hidden()
        await sam.page.clock.fast_forward("01:30")
        await expect(warning).to_be_visible()
        # Nothing done this time: once the server has ended the session, the page goes to sign in.
        cookie = next(c["value"] for c in await sam.context.cookies() if c["name"] == COOKIE)
        _age_cookie(web, cookie, 31)
        async with sam.page.expect_navigation(url=re.compile(r"/sign-in\?next=%2Fsign-out$")):
            await sam.page.clock.fast_forward("02:10")
        assert "You were signed out because you had not done anything for a while" in await sam.main_text()
        sam.assert_no_problems()
        await sam.close()


def _age_cookie(web, cookie: str, minutes: float) -> None:
    id_hash = hashlib.sha256(cookie.encode()).hexdigest()
    with web.store.engine.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id_hash == id_hash).values(
            last_seen=datetime.now(timezone.utc) - timedelta(minutes=minutes)))
