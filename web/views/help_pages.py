"""The footer's pages: accessibility, privacy, cookies (public)."""

from starlette.routing import Route

from web.pages import Page, page_for


@page_for(public=True)
async def accessibility(page: Page):
    return page.render("help/accessibility.html")


@page_for(public=True)
async def privacy(page: Page):
    return page.render("help/privacy.html")


@page_for(public=True)
async def cookies(page: Page):
    return page.render("help/cookies.html")


routes = [Route("/accessibility", accessibility), Route("/privacy", privacy), Route("/cookies", cookies)]
