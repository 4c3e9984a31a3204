"""The Complaints Team's dashboard: its queues in the order the team works them, with the
officer's name, the due date and the working days late or left in words, and the counts by
team and by service area; complaints made and acted on through the real engine.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time

from models import actions as a
from rules.bank_holidays import complaint_days_off
from rules.calendar import WorkingCalendar
from rules.chasing import overdue_day_number
from rules.moments import LONDON

REF = re.compile(r'href="/complaints/([A-Z0-9-]+)"')


def new_ref() -> str:
    """A reference of its own (the engine's dev server outlives a test)."""
    return f"CS-{today().year}-{uuid.uuid4().hex[:8].upper()}"


def today() -> date:
    return datetime.now(LONDON).date()


def calendar() -> WorkingCalendar:
    return WorkingCalendar(complaint_days_off(today()))


def working_days_ago(n: int) -> datetime:
    """10:00 on the working day ``n`` working days before today."""
    day = calendar().working_days_before(calendar().start_day(today()), n) if n else today()
    return datetime.combine(day, time(10), LONDON)


def section(html: str, key: str) -> str:
    found = re.search(rf'<section[^>]*aria-labelledby="queue-{key}".*?</section>', html, re.S)
    assert found, f"the dashboard has the {key} queue"
    return found.group(0)


def table_row(html: str, table_id: str, name: str) -> list[str]:
    """The numbers of the counts table's row headed ``name``."""
    table = re.search(rf'<table class="govuk-table" id="{table_id}">.*?</table>', html, re.S).group(0)
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        if f">{name}</th>" in row:
            cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">(.*?)</td>', row, re.S)
            return [re.sub(r"<span.*?</span>|<[^>]+>", "", c).strip() for c in cells]
    raise AssertionError(f"no row {name} in {table_id}")


def words(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.group(0) if main else html))


async def ok(web, ref: str, update: str, request: object) -> None:
    done = await web.act(ref, update, request)
    assert done.done, f"{ref} {update}: {done.message}"


async def caseload(web) -> dict[str, str]:
    """One complaint for each queue (two where the order matters)."""
    refs = {k: new_ref() for k in ("very_late", "late", "soon", "new", "waiting", "stopped", "answered")}
    await web.register(refs["very_late"], received=working_days_ago(30), service_area="Fostering")
    await ok(web, refs["very_late"], "assign", a.Assign("io-1", by="Sam Patel"))
    await web.register(refs["late"], received=working_days_ago(14), service_area="Fostering")
    await ok(web, refs["late"], "assign", a.Assign("io-2", by="Sam Patel"))
    await web.register(refs["soon"], received=working_days_ago(8))
    await ok(web, refs["soon"], "assign", a.Assign("io-1", by="Sam Patel"))
    await web.register(refs["new"])
    await web.register(refs["waiting"], received=working_days_ago(3))
    await web.register(refs["stopped"], received=working_days_ago(2))
    await ok(web, refs["stopped"], "assign", a.Assign("io-1", by="Sam Patel"))
    await ok(web, refs["stopped"], "suspend", a.Suspend("court_proceedings", "care proceedings", by="Sam Patel"))
    await web.register(refs["answered"], received=working_days_ago(4))
    await ok(web, refs["answered"], "assign", a.Assign("io-2", by="Sam Patel"))
    await ok(web, refs["answered"], "respond", a.Respond("upheld", by="Investigating Officer Two"))
    return refs


def late_by(web, ref: str) -> int:
    due = web.store.complaint(ref)["stages"][-1]["due"]
    return overdue_day_number(calendar(), due, today())


async def test_the_dashboard_shows_each_queue_in_the_order_the_team_works_it(web):
    refs = await caseload(web)
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    page = await clerk.get("/")
    assert page.status_code == 200, page.text[:500]
    html = page.text

    overdue = section(html, "overdue")
    assert REF.findall(overdue) == [refs["very_late"], refs["late"]], "most working days late first"
    assert f"{late_by(web, refs['very_late'])} working days late" in overdue
    assert f"{late_by(web, refs['late'])} working days late" in overdue
    assert "Investigating Officer One" in overdue and "Investigating Officer Two" in overdue
    assert "io-1" not in words(overdue), "the officer's name, never their id"
    assert ">Overdue</strong>" in overdue, "the status is a Tag in words"
    assert 'href="/complaints?due=overdue"' in overdue, "View all opens the list filtered"

    soon = section(html, "soon")
    assert REF.findall(soon) == [refs["soon"]]
    due = web.store.complaint(refs["soon"])["stages"][-1]["due"]
    left = calendar().working_days_after_until(today(), due)
    assert left <= 3 and (f"{left} working day" in soon or "Due today" in soon)
    assert f"{due:%A} {due.day} {due:%B %Y}" in soon, "the due date in words"

    unassigned = section(html, "unassigned")
    assert REF.findall(unassigned) == [refs["waiting"], refs["new"]], "longest waiting first"
    assert "Not yet assigned" in unassigned

    stopped = section(html, "suspended")
    assert REF.findall(stopped) == [refs["stopped"]]
    assert "Clock stopped" in stopped and "working days left" in stopped

    learning = section(html, "learning")
    assert REF.findall(learning) == [refs["answered"]]
    assert "0 of 3 reminders sent" in learning and "Investigating Officer Two" in learning

    text = words(html)
    for code in ("children-statutory", "court_proceedings", "io-2", "tm-1"):
        assert code not in text


async def test_the_counts_by_team_and_service_area_come_most_overdue_first(web):
    await caseload(web)
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    html = (await clerk.get("/")).text
    # io-1 and io-2 are both in Team Manager's team: open, overdue, due soon, unassigned, stopped
    assert table_row(html, "by-team", "Team Manager’s team") == ["5", "2", "1", "0", "1"]
    assert table_row(html, "by-team", "No investigating officer") == ["2", "0", "0", "2", "0"]
    assert table_row(html, "by-area", "Fostering") == ["2", "2", "0", "0", "0"]
    assert table_row(html, "by-area", "Children in care") == ["5", "0", "1", "2", "1"]
    areas = re.search(r'id="by-area".*?</table>', html, re.S).group(0)
    assert areas.index(">Fostering<") < areas.index(">Children in care<"), "most overdue first"
    assert 'href="/complaints?team=tm-1&amp;due=overdue"' in html, "each count links to the list"
    listed = await clerk.get("/complaints?team=tm-1&due=overdue")
    assert len(REF.findall(listed.text)) == 2


async def test_only_the_complaints_team_has_the_dashboard(web):
    for username, roles, directory_id in (("olu", {"officer"}, "io-1"), ("tess", {"manager"}, "tm-1"),
                                          ("ada", {"admin"}, None)):
        client = await web.signed_in(username, roles, directory_id)
        answer = await client.get("/")
        assert answer.status_code == 403
        assert "You cannot see this page" in answer.text
    manager = await web.signed_in("morgan", {"complaints_manager"})
    assert (await manager.get("/")).status_code == 200


async def test_an_empty_dashboard_says_so(web):
    clerk = await web.signed_in("sam", {"clerk"})
    html = (await clerk.get("/")).text
    assert "No complaint is overdue." in html
    assert "Every complaint has an investigating officer." in html
    assert "No open complaints." in html
