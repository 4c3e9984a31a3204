"""The council's directory, for the Complaints Team: who is in it, whom each person reports
to, how many open complaints each has now; and handing over a leaver's open complaints
at once.

The directory is the command line's (``cli.directory``): the file ``COMPLAINTS_DIRECTORY``
names, else ``config/directory.yaml``, else the shipped example, which the page says is
example data. A handover is one ``reassign`` per complaint, each through the complaint's
workflow (``web.engine.act``), so each is judged by the rules on its own: one refused
(answered already, say) does not stop the others, and the page lists what came of each.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from starlette.routing import Route

from cli.directory import Directory, DirectoryError, load_directory
from models import actions as a
from models.complaint import Officer
from rules.moments import LONDON
from web import audit
from web.access import CLERK, COMPLAINTS_MANAGER
from web.engine import act
from web.forms import Errors
from web.labels import in_words
from web.pages import Page, page_for

# How many reassignments go to the engine at once: enough that a leaver's fifty complaints
# take seconds, few enough not to crowd out everyone else's pages.
AT_ONCE = 5


def chain_in_words(officer: Officer, by_id: dict[str, Officer]) -> str:
    """Whom the person reports to, upward: "Team Manager, then Head of Service, then Director"."""
    names: list[str] = []
    seen = {officer.id}
    manager = officer.manager
    while manager and manager in by_id and manager not in seen:   # a loop in the file stops, not hangs
        seen.add(manager)
        names.append(by_id[manager].name)
        manager = by_id[manager].manager
    return ", then ".join(names)


@dataclass(frozen=True)
class Row:
    officer: Officer
    chain: str
    open_count: int


def _rows(directory: Directory, counts: Counter) -> list[Row]:
    by_id = {o.id: o for o in directory.officers}
    return [Row(o, chain_in_words(o, by_id), counts.get(o.id, 0)) for o in directory.officers]


def _open_by_officer(store) -> Counter:
    today = datetime.now(LONDON).date()
    return Counter(row["officer"] for row in store.find_complaints(today, which="open") if row["officer"])


def _open_of(store, officer_id: str) -> list[dict]:
    return store.find_complaints(datetime.now(LONDON).date(), which="open", officer=officer_id)


async def _directory(page: Page) -> Directory | str:
    """The directory, or what is wrong with its file (in the loader's words: file and field)."""
    try:
        return await page.db(load_directory)
    except DirectoryError as problem:
        return str(problem)


@page_for(CLERK, COMPLAINTS_MANAGER)
async def directory_page(page: Page):
    directory = await _directory(page)
    if isinstance(directory, str):
        return page.render("directory/directory.html", problem=directory, rows=[], directory=None)
    counts = await page.db(_open_by_officer, page.app.store)
    return page.render("directory/directory.html", problem=None, directory=directory,
                       rows=_rows(directory, counts))


def reason_in_words(reason: str, officers: list[Officer]) -> str:
    """The rule's reason as a person reads it (web.labels.in_words)."""
    return in_words(reason, officers)


@dataclass(frozen=True)
class Result:
    ref: str
    done: bool
    message: str


@page_for(CLERK, COMPLAINTS_MANAGER)
async def handover(page: Page):
    directory = await _directory(page)
    leaver_id = page.request.path_params["officer_id"]
    by_id = {o.id: o for o in directory.officers} if isinstance(directory, Directory) else {}
    leaver = by_id.get(leaver_id)
    if leaver is None:
        return page.forbidden()
    complaints = await page.db(_open_of, page.app.store, leaver.id)
    others = [o for o in directory.officers if o.id != leaver.id]
    errors = Errors()
    chosen = [c["ref"] for c in complaints]
    taker_id = ""
    if page.request.method == "POST":
        offered = {c["ref"] for c in complaints}
        chosen = [ref for ref in page.form.getlist("complaints") if ref in offered]
        taker_id = page.form.get("officer") or ""
        if not chosen:
            errors.add("complaints", f"Select the complaints to hand over from {leaver.name}")
        if taker_id not in {o.id for o in others}:
            errors.add("officer", "Select the officer taking over")
        if not errors:
            taker = by_id[taker_id]
            results = await _hand_over(page, chosen, taker, directory.officers)
            return page.render("directory/handover_done.html", leaver=leaver, taker=taker, results=results,
                               moved=sum(r.done for r in results))
    return page.form_page("directory/handover.html", errors, leaver=leaver, complaints=complaints,
                          others=others, chosen=set(chosen), taker_id=taker_id)


async def _hand_over(page: Page, refs: list[str], taker: Officer, officers: list[Officer]) -> list[Result]:
    """Each complaint reassigned on its own; the rules decide each, and each is audited."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(ref: str) -> Result:
        async with gate:
            outcome = await act(page.app.client, page.app.store, ref, "reassign",
                                a.Assign(officer=taker.id, officers=officers, by=page.person.name))
        if outcome.done:
            await page.audit(audit.ACTION, ref, f"reassign: officer {taker.id} (handover)")
        else:
            await page.audit(audit.REFUSED, ref, f"reassign: officer {taker.id} (handover)")
        return Result(ref, outcome.done, reason_in_words(outcome.message, officers))

    return list(await asyncio.gather(*(one(ref) for ref in refs)))


routes = [
    Route("/directory", directory_page, methods=["GET"]),
    Route("/directory/{officer_id}/handover", handover, methods=["GET", "POST"]),
]
