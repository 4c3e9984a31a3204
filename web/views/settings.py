"""The council's settings as the engine uses them (``/settings``, the Complaints Team and
the administrator): who signs the letters and where families write, the procedures' time
limits and chasing, and how staff sign in. They are files a council keeps under change
control (``council.yaml``, ``policies/``, the directory), so the page shows them and says
which file to change; each is read again as soon as it changes.
"""

from __future__ import annotations

from starlette.routing import Route

import council
from cli.directory import DirectoryError, directory_path
from policies import PolicyError, available_policies, load_policy
from web.access import ADMIN, CLERK, COMPLAINTS_MANAGER
from web.pages import Page, page_for


def _procedures() -> tuple[list, list[str]]:
    found, broken = [], []
    for name in sorted(available_policies()):
        try:
            found.append(load_policy(name))
        except PolicyError as problem:
            broken.append(str(problem))
    return found, broken


@page_for(CLERK, COMPLAINTS_MANAGER, ADMIN)
async def settings_page(page: Page):
    try:
        council_file = council.current_file()
        council_problem = None
    except council.CouncilError as problem:
        council_file, council_problem = None, str(problem)
    procedures, broken = await page.db(_procedures)
    try:
        directory_file, directory_example = directory_path()
    except DirectoryError:
        directory_file, directory_example = None, False
    web = page.app.settings
    return page.render("settings/settings.html", council_file=council_file, council_problem=council_problem,
                       procedures=procedures, broken=broken, directory_file=directory_file,
                       directory_example=directory_example, web=web)


routes = [Route("/settings", settings_page)]
