"""An officer's and a manager's own lists.

- ``/my-complaints`` (officer): the complaints with them now, by due date (overdue
  first), then those they had before (answered, handed on or closed), latest first.
- ``/team`` (manager): the complaints escalated to them (the chasing's escalation notice
  went to them, for the stage the complaint is at) and still overdue, most late first;
  then the rest of their team's open complaints. Reassigning within the team is on each
  complaint's page.
"""

from __future__ import annotations

from datetime import datetime

from starlette.routing import Route

from rules.moments import LONDON
from web import queries
from web.access import MANAGER, OFFICER, team_under
from web.pages import Page, page_for


@page_for(OFFICER)
async def my_complaints(page: Page):
    officer = page.person.directory_id
    today = datetime.now(LONDON).date()
    if officer:
        now, before = await page.db(queries.my_complaints, page.app.engine, today, officer)
    else:
        now, before = [], []
    return page.render("lists/my_complaints.html", now=now, before=before, linked=bool(officer))


@page_for(MANAGER)
async def team(page: Page):
    manager = page.person.directory_id
    today = datetime.now(LONDON).date()
    if manager:
        members = team_under(manager, queries.people().officers)
        escalated, others = await page.db(queries.escalated_to, page.app.engine, today, manager, members)
    else:
        escalated, others = [], []
    return page.render("lists/team.html", escalated=escalated, others=others, linked=bool(manager))


routes = [Route("/my-complaints", my_complaints), Route("/team", team)]
