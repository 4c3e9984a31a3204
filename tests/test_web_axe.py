"""axe-core (WCAG 2.2 AA) on every page the journeys do not reach: signing in and out, the
footer's pages, the errors, and each role's own pages. The journeys check the pages they
reach themselves (tests/test_web_journeys.py).

Each page is also screenshotted (tests/artifacts/web/page-*.png) and its words searched for
engine codes; nothing may go wrong in the page (a script error, a refused inline script).
"""

from __future__ import annotations

from tests.browser import Visitor, chromium


async def test_the_pages_anyone_can_reach_pass_axe(web):
    base = await web.serve()
    async with chromium() as browser:
        visitor = await Visitor.open(browser, base)
        await visitor.goto("/sign-in")
        await visitor.check("page-sign-in")
        # Signing in with nothing typed: the error summary and the field's message.
        await visitor.press_button("Sign in")
        assert await visitor.errors() == ["Enter your username", "Enter your password"]
        assert (await visitor.page.title()).startswith("Error: ")
        await visitor.check("page-sign-in-errors")
        for path, name in (("/accessibility", "accessibility"), ("/privacy", "privacy"), ("/cookies", "cookies")):
            await visitor.goto(path)
            await visitor.check(f"page-{name}")
        await visitor.goto("/no-such-page", status=404)
        await visitor.check("page-not-found")
        await visitor.close()
