"""The Complaints Team's dashboard (``/``): their work, overdue first.

Five queues of up to ten complaints each (overdue, due within 3 working days, not yet
assigned, clock stopped, awaiting a lessons-learnt form), each with "View all" opening the
complaint list filtered the same way; then the open complaints counted by team and by
service area, most overdue first, each number linking to the list. Read in the database
(``web.queries``); no automatic refresh.
"""

from __future__ import annotations

from datetime import datetime

from starlette.routing import Route

from rules.moments import LONDON
from web import queries
from web.access import CLERK, COMPLAINTS_MANAGER
from web.pages import Page, page_for


@page_for(CLERK, COMPLAINTS_MANAGER)
async def dashboard(page: Page):
    today = datetime.now(LONDON).date()
    board = await page.db(queries.dashboard, page.app.engine, today)
    return page.render("dashboard.html", board=board, today=today)


routes = [Route("/", dashboard)]
