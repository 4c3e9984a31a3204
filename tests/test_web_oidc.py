"""Signing in with a council's identity provider, against a real one: the npm
`oidc-provider` run by Node (tests/oidc_provider/provider.mjs), its own login and consent
forms filled in as a browser would, the app in-process. Whatever goes wrong fails
closed: "We could not sign you in", nobody signed in, no account made, the attempt audited.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx
import pytest
from sqlalchemy import select

from web.accounts import account
from web.app import create_app
from web.sessions import COOKIE
from web.settings import OidcSettings, WebSettings
from web.tables import audit_log, users

ROOT = Path(__file__).resolve().parents[1]
PROVIDER = ROOT / "tests" / "oidc_provider" / "provider.mjs"
APP = "http://127.0.0.1:8000"
CLIENT_ID, SECRET = "complaints-web", "a-test-secret-nobody-uses"


def _start_provider(claims_in: str):
    if not (ROOT / "web" / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("the test OpenID provider is not installed: run `make` (npm ci --prefix web)")
    process = subprocess.Popen(
        ["node", str(PROVIDER), "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "OIDC_TEST_CLIENT_ID": CLIENT_ID,
             "OIDC_TEST_CLIENT_SECRET": SECRET, "OIDC_TEST_REDIRECT_URI": f"{APP}/sign-in/callback",
             "OIDC_TEST_CLAIMS_IN": claims_in})
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail(f"the test OpenID provider did not start (exit {process.wait()})")
    return process, json.loads(line)["issuer"]


@pytest.fixture(scope="module")
def provider():
    """The provider putting roles in the ID token (as Microsoft Entra ID does)."""
    process, issuer = _start_provider("id_token")
    yield issuer
    process.terminate()
    process.wait(10)


@pytest.fixture(scope="module")
def userinfo_provider():
    """The provider keeping every claim but the subject for its userinfo endpoint."""
    process, issuer = _start_provider("userinfo")
    yield issuer
    process.terminate()
    process.wait(10)


def browser(web, issuer: str, secret: str = SECRET) -> httpx.AsyncClient:
    """A browser for the app (in-process, at APP) and the provider (on its real port)."""
    app = create_app(WebSettings(oidc=OidcSettings(issuer, CLIENT_ID, secret)), web.store, web.temporal,
                     web.task_queue)
    return httpx.AsyncClient(mounts={APP: httpx.ASGITransport(app=app)}, follow_redirects=False, timeout=20)


def _form(page: httpx.Response) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', page.text)
    assert action, page.text[:2000]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    return urljoin(str(page.url), html.unescape(action.group(1))), hidden


async def to_the_callback(client: httpx.AsyncClient, login: str, next_page: str = "/sign-out") -> str:
    """From "Sign in with your council account" through the provider's login and consent
    forms; returns the address the provider sends the browser back to (not yet followed)."""
    answer = await client.get(f"{APP}/sign-in/council?{urlencode({'next': next_page})}")
    assert answer.status_code == 303, answer.text
    for _ in range(20):
        if answer.status_code in (302, 303):
            target = urljoin(str(answer.url), answer.headers["location"])
            if target.startswith(APP):
                return target
            answer = await client.get(target)
            continue
        assert answer.status_code == 200, (answer.status_code, answer.text[:2000])
        action, fields = _form(answer)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="anything the provider's dev form takes")
        answer = await client.post(action, data=fields)
    raise AssertionError("the provider never sent the browser back")


def _events(web) -> list[tuple[str, str, str]]:
    with web.store.engine.connect() as conn:
        return [(r.who, r.event, r.detail) for r in conn.execute(select(audit_log).order_by(audit_log.c.seq))]


def _accounts(web) -> list[str]:
    with web.store.engine.connect() as conn:
        return [r.username for r in conn.execute(select(users.c.username))]


async def test_a_clerk_signs_in_with_the_council_account_and_goes_back_to_the_page(web, provider):
    async with browser(web, provider) as client:
        sign_in = await client.get(f"{APP}/sign-in")
        assert "Sign in with your council account" in sign_in.text
        callback = await to_the_callback(client, "sam", next_page="/sign-out")
        query = dict(parse_qsl(urlsplit(callback).query))
        assert query.keys() >= {"code", "state"}
        before = client.cookies[COOKIE]
        answer = await client.get(callback)
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-out"
        assert client.cookies[COOKIE] != before, "signing in renews the session's id"
        page = await client.get(f"{APP}/sign-out")
        assert page.status_code == 200 and "Sign out" in page.text
    sam = account(web.store.engine, "oidc:sam")
    assert sam is not None and sam.name == "Sam Patel" and sam.email == "sam.patel@example.org"
    assert sam.roles == {"clerk"} and not sam.local and sam.directory_id is None
    assert ("oidc:sam", "sign-in", "council identity provider") in _events(web)


async def test_the_directory_claim_and_only_known_roles_are_kept(web, provider):
    async with browser(web, provider) as client:
        assert (await client.get(await to_the_callback(client, "io-1"))).status_code == 303
    officer = account(web.store.engine, "oidc:io-1")
    assert officer.roles == {"officer"} and officer.directory_id == "io-1"
    async with browser(web, provider) as client:
        assert (await client.get(await to_the_callback(client, "chris"))).status_code == 303
    assert account(web.store.engine, "oidc:chris").roles == {"complaints_manager"}


async def test_roles_read_from_userinfo_when_the_id_token_does_not_carry_them(web, userinfo_provider):
    async with browser(web, userinfo_provider) as client:
        answer = await client.get(await to_the_callback(client, "io-1"))
        assert answer.status_code == 303
    officer = account(web.store.engine, "oidc:io-1")
    assert officer.roles == {"officer"} and officer.directory_id == "io-1" and officer.name == "Ira Officer"


async def test_no_role_this_service_knows_is_refused_with_a_clear_page(web, provider):
    for login in ("visitor", "nobody"):
        async with browser(web, provider) as client:
            answer = await client.get(await to_the_callback(client, login))
            assert answer.status_code == 403
            assert "Your account cannot use this service yet" in answer.text
            assert (await client.get(f"{APP}/sign-out")).status_code == 303, "not signed in"
    assert _accounts(web) == []
    failed = [e for e in _events(web) if e[1] == "sign-in failed"]
    assert failed == [("public", "sign-in failed", "council identity provider: no role this service knows")] * 2


async def test_a_wrong_client_secret_fails_closed(web, provider):
    async with browser(web, provider, secret="not-the-secret") as client:
        answer = await client.get(await to_the_callback(client, "sam"))
        assert answer.status_code == 400 and "We could not sign you in" in answer.text
        assert (await client.get(f"{APP}/sign-out")).status_code == 303, "not signed in"
    assert _accounts(web) == []
    assert _events(web)[-1][1:] == ("sign-in failed", "council identity provider: code not exchanged (OAuthError)")


async def test_a_tampered_or_replayed_answer_fails_closed(web, provider):
    async with browser(web, provider) as client:
        callback = await to_the_callback(client, "sam")
        query = dict(parse_qsl(urlsplit(callback).query))
        tampered = f"{APP}/sign-in/callback?{urlencode({**query, 'state': query['state'] + 'x'})}"
        answer = await client.get(tampered)
        assert answer.status_code == 400 and "We could not sign you in" in answer.text
        # The untouched answer is no good either now: a sign-in is tried once.
        again = await client.get(callback)
        assert again.status_code == 400 and "We could not sign you in" in again.text
    assert _accounts(web) == []
    details = [e[2] for e in _events(web) if e[1] == "sign-in failed"]
    assert details == ["council identity provider: state did not match",
                       "council identity provider: no sign-in was started in this browser"]


async def test_an_answer_from_another_browser_fails_closed(web, provider):
    """A code and state sent to someone else's browser (a forged link) signs no one in."""
    async with browser(web, provider) as victim, browser(web, provider) as attacker:
        callback = await to_the_callback(attacker, "sam")
        await victim.get(f"{APP}/sign-in")
        answer = await victim.get(callback)
        assert answer.status_code == 400
    assert _accounts(web) == []


async def test_a_provider_that_is_down_fails_closed(web):
    async with browser(web, "http://127.0.0.1:9") as client:
        answer = await client.get(f"{APP}/sign-in/council")
        assert answer.status_code == 400 and "We could not sign you in" in answer.text
    assert _events(web)[-1][1:] == ("sign-in failed",
                                    "council identity provider: identity provider unreachable (ConnectError)")


async def test_an_account_switched_off_here_stays_off(web, provider):
    async with browser(web, provider) as client:
        assert (await client.get(await to_the_callback(client, "sam"))).status_code == 303
    from web.accounts import set_roles

    set_roles(web.store.engine, "oidc:sam", {"clerk"}, None, active=False)
    async with browser(web, provider) as client:
        answer = await client.get(await to_the_callback(client, "sam"))
        assert answer.status_code == 400
    assert _events(web)[-1][2] == "council identity provider: account switched off"


async def test_without_a_provider_there_is_no_council_sign_in(web):
    client = web.client()
    assert "council account" not in (await client.get("/sign-in")).text
    assert (await client.get("/sign-in/council")).status_code == 404
