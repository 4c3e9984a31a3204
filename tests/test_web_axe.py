"""axe-core (WCAG 2.2 AA) on every page: the journeys check the pages they reach
(tests/test_web_journeys.py); these tests check the rest - signing in and out, the footer's
pages, the errors (403, 404, a form's error summary), and every page each role reaches by
link from their home page (the dashboard, lists with filters, a complaint and each of its
action forms, the directory, the print queue, the annual report, the audit log, staff
accounts, my complaints, my team, the family's page).

A page of each kind is screenshotted (tests/artifacts/web/axe-*.png); nothing may go wrong in
any page (a script error, a console error such as a refused inline script).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from notifications.sink import free_port
from tests.browser import Visitor, chromium, crawl, kind_of_page, links_in, mails, readable, varied_caseload
from tests.test_web_no_codes import late_responses
from web.server import WebServer
from web.settings import OidcSettings, WebSettings

STAFF = {
    # username: (roles, directory id, name)
    "sam": ({"clerk"}, None, "Sam Patel"),
    "morgan": ({"complaints_manager"}, None, "Morgan Lee"),
    "olu": ({"officer"}, "io-1", "Investigating Officer One"),
    "tess": ({"manager"}, "tm-1", "Team Manager"),
    "ada": ({"admin"}, None, "Ada Admin"),
}
# Pages of a kind checked by axe: the pages of one kind share their template, and the data
# in them (a complaint stopped, answered, at stage 2...) is what changes.
PER_KIND = 3
# The kinds of page kept as screenshots, under these names.
SHOTS = {
    "/": "axe-dashboard", "/complaints": "axe-complaints", "/complaints/*": "axe-complaint",
    "/my-complaints": "axe-my-complaints", "/team": "axe-team", "/directory": "axe-directory",
    "/directory/*/handover": "axe-handover", "/letters/print": "axe-print-queue",
    "/reports/annual": "axe-annual-report",
    "/audit": "axe-audit", "/admin/users": "axe-admin-users", "/admin/users/new": "axe-admin-new-user",
    "/account/password": "axe-account-password", "/complaints/*/record-cost": "axe-record-cost",
    "/complaints/*/ombudsman-decision": "axe-ombudsman-decision",
}


async def test_the_pages_anyone_can_reach_pass_axe(web):
    base = await web.serve()
    async with chromium() as browser:
        visitor = await Visitor.open(browser, base)
        await visitor.goto("/sign-in")
        await visitor.check("axe-sign-in")
        # Signing in with nothing typed: the error summary and the field's message.
        await visitor.press_button("Sign in")
        assert await visitor.errors() == ["Enter your username", "Enter your password"]
        assert (await visitor.page.title()).startswith("Error: ")
        await visitor.check("axe-sign-in-errors")
        for path in ("/accessibility", "/privacy", "/cookies"):
            await visitor.goto(path)
            await visitor.check(f"axe-{path[1:]}")
        await visitor.goto("/no-such-page", status=404)
        await visitor.check("axe-not-found")
        await visitor.goto(f"/check/{'x' * 43}", status=404)
        await visitor.check("axe-check-link-not-working")

        # A question of the public form sent empty: its error summary and message.
        await visitor.goto("/complain/who")
        await visitor.press_button("Continue")
        assert await visitor.errors() == ["Select who you are"]
        await visitor.check("axe-complain-who-error")
        await visitor.choose("Parent")
        await visitor.press_button("Continue")
        await visitor.press_button("Continue")
        assert await visitor.errors() == ["Enter your full name"]
        await visitor.check("axe-complain-name-error")
        await visitor.close()


async def test_signing_in_with_the_councils_account_passes_axe(web):
    """With a council identity provider configured, the sign-in page offers it first; a
    provider that cannot be reached fails closed with a page of its own."""
    server = WebServer(WebSettings(port=0, oidc=OidcSettings(f"http://127.0.0.1:{free_port()}", "complaints-web",
                                                             "a-secret-nobody-uses")),
                       web.store, web.temporal, web.task_queue)
    await server.start()
    web.served.append(server)
    async with chromium() as browser:
        visitor = await Visitor.open(browser, f"http://127.0.0.1:{server.port}")
        await visitor.goto("/sign-in")
        await visitor.check("axe-sign-in-council")
        await visitor.press_button("Sign in with your council account")
        assert visitor.path.startswith("/sign-in"), visitor.path
        await visitor.check("axe-sign-in-council-down")
        await visitor.close()


async def test_every_page_each_role_reaches_passes_axe(web):
    refs = await varied_caseload(web)
    late = await late_responses(web)
    passwords = {user: web.add_user(user, roles, directory_id, name)
                 for user, (roles, directory_id, name) in STAFF.items()}
    base = await web.serve()
    found: dict[str, str] = {}
    broken: dict[str, int] = {}            # a link that leads nowhere (404) or somewhere refused (403)
    kinds: dict[str, int] = {}
    shot: set[str] = set()

    async def look(visitor: Visitor, who: str, path: str) -> None:
        kind = kind_of_page(path)
        kinds[kind] = kinds.get(kind, 0) + 1
        if kinds[kind] > PER_KIND:
            return
        if kind in SHOTS and SHOTS[kind] not in shot:
            shot.add(SHOTS[kind])
            await visitor.shot(SHOTS[kind])
        if violations := await visitor.axe():
            found[f"{who} {path}"] = readable(violations)

    async with chromium() as browser:
        for user in STAFF:
            visitor = await Visitor.open(browser, base)
            await visitor.sign_in(user, passwords[user])
            async for path, status in crawl(visitor, [visitor.path, "/account/password", "/sign-out"],
                                            per_kind=PER_KIND):
                assert status < 500, f"{user} {path}: {status}"
                if status >= 400:
                    broken[f"{user} {path}"] = status
                await look(visitor, user, path)
            visitor.assert_no_problems()

            if user == "olu":
                # An officer guessing another complaint's reference: the one 403, which passes too.
                not_theirs = next(r for r, why in refs.items() if why.endswith("unassigned"))
                await visitor.goto(f"/complaints/{not_theirs}", status=403)
                await visitor.shot("axe-forbidden")
                await look(visitor, user, f"403 /complaints/{not_theirs}")
            if user == "morgan":
                # The council's commentary, written by the complaints manager: the year's page
                # links to it while the report is a draft.
                await visitor.goto("/reports/annual")
                await visitor.press_button("Show the report")
                await visitor.follow(f"Write the commentary for {visitor.path.rsplit('/', 1)[1]}")
                await visitor.shot("axe-annual-report-commentary")
                await look(visitor, user, visitor.path)
            if user == "sam":
                # Pages reached by a form rather than a link: a year's report, and the report
                # itself; the print queue's next batch taken.
                await visitor.goto("/reports/annual")
                await visitor.press_button("Show the report")
                await visitor.shot("axe-annual-report-year")
                await look(visitor, user, visitor.path)
                await visitor.follow(f"View the report {visitor.path.rsplit('/', 1)[1]}")
                await visitor.shot("axe-annual-report-page")
                await look(visitor, user, visitor.path)
                await visitor.goto("/letters/print")
                await visitor.press_button("Take the next batch")
                await visitor.shot("axe-print-batch-taken")
                await look(visitor, user, f"{visitor.path} (batch taken)")
                # Signing out asks first.
                await visitor.goto("/sign-out")
                await visitor.shot("axe-sign-out")
                await look(visitor, user, "/sign-out")
                # An action refused by the rules: the rule's reason in the error summary.
                answered = next(r for r, why in refs.items() if why.startswith("answered"))
                await visitor.goto(f"/complaints/{answered}/extend")
                await visitor.choose("The complaint is complex")
                await visitor.press_button("Extend the deadline")
                assert await visitor.errors(), "extending an answered stage is refused"
                await visitor.shot("axe-action-refused")
                await look(visitor, user, f"refused /complaints/{answered}/extend")
                # A late response: the reason asked with it (sent without one, its error), the
                # reason's own form afterwards, and the stage 2 recommendations on the page.
                respond, late_reason = late["the response's form, late"], late["the reason's own form"]
                await visitor.goto(respond)
                await visitor.choose("Upheld")
                await visitor.press_button("Continue")
                assert "Select why the response is late" in await visitor.errors()
                await visitor.shot("axe-respond-late-error")
                await look(visitor, user, f"late {respond}")
                await visitor.goto(late_reason)
                await visitor.shot("axe-late-reason")
                await look(visitor, user, f"late {late_reason}")
                await visitor.goto(late["a reason and recommendations"])
                await look(visitor, user, f"recommendations {late['a reason and recommendations']}")
            await visitor.close()

        # The family's page from the link in their letters, and its error summary.
        family = await Visitor.open(browser, base)
        for ref in refs:
            for message in mails(web.mail_sink, ref, to="complainant"):
                for link in links_in(message):
                    if "/check/" in link:
                        await family.goto(urlsplit(link).path)
                        await look(family, "family", urlsplit(link).path)
        answered = next(r for r, why in refs.items() if why.startswith("answered"))
        link = next(lk for m in mails(web.mail_sink, answered, to="complainant") for lk in links_in(m)
                    if "/check/" in lk)
        await family.goto(urlsplit(link).path)
        await family.press_button("Ask for the next stage")
        assert await family.errors() == ["Select why you are asking for the next stage"]
        await family.shot("axe-family-check-error")
        await look(family, "family", "/check/* (an error)")
        family.assert_no_problems()
        await family.close()

    print("kinds of page checked:", len(kinds), sorted(kinds))
    assert not found, "axe-core found:\n" + "\n".join(f"{where}:\n{v}" for where, v in found.items())
    assert not broken, f"links to pages that are not there (404) or refused (403): {broken}"
    for needed in ("/", "/complaints", "/complaints/*", "/complaints/*/assign", "/my-complaints", "/team",
                   "/directory", "/letters/print", "/reports/annual", "/audit", "/admin/users"):
        assert needed in kinds, f"no page {needed} was reached: {sorted(kinds)}"
