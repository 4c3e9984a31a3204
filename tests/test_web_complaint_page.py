"""A complaint's page on the real engine: the due date and how it was worked out after an
extension, a suspension and a resumption; still late when the clock stopped late; who may
see it (the assigned officer, their manager) and the one 403 for everyone else and for a
reference that does not exist; an audit line per view; a name with markup shown as text;
and no engine code anywhere in the page."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser

from sqlalchemy import func, select

from models import actions as a
from rules.deadline_explained import complaint_calendar
from rules.deadlines import due_after_suspension, due_date
from rules.moments import LONDON
from tests.browser import Visitor, chromium, codes_in
from web.formats import long_date
from web.tables import audit_log


def today() -> date:
    return datetime.now(LONDON).date()


CALENDAR = complaint_calendar(today() - timedelta(days=400), until=today() + timedelta(days=400))


def working_days_ago(n: int) -> date:
    return CALENDAR.working_days_before(CALENDAR.start_day(today()) if CALENDAR.is_working_day(today())
                                        else today(), n)


def received_on(day: date) -> datetime:
    return datetime.combine(day, time(10), LONDON)


class _Text(HTMLParser):
    """A page's visible words (what a person reads), without scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.words.append(data)


def visible(page_html: str) -> str:
    parser = _Text()
    parser.feed(page_html)
    return re.sub(r"\s+", " ", " ".join(parser.words))


def views(web, ref: str) -> int:
    with web.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.ref == ref, audit_log.c.event == "view")).scalar_one()


async def test_extended_suspended_and_resumed_shows_the_rules_due_date_and_why(web):
    ref = "CS-WEB-DL-1"
    received = working_days_ago(30)
    await web.register(ref, received=received_on(received), complainant_type="child_with_advocate",
                       name="Zoë Ångström")
    extend_on = CALENDAR.add_working_days(received, 2)
    stop_on = CALENDAR.add_working_days(received, 4)
    resume_on = CALENDAR.add_working_days(received, 11)
    for update, request in (("assign", a.Assign("io-1", on=received, by="Sam Patel")),
                            ("extend", a.Extend("complex", on=extend_on, by="Sam Patel")),
                            ("suspend", a.Suspend("court_proceedings", on=stop_on, by="Sam Patel")),
                            ("resume", a.Resume(on=resume_on, by="Sam Patel"))):
        done = await web.act(ref, update, request)
        assert done.done, done.message

    stage = web.store.complaint(ref)["stages"][-1]
    first = due_date(CALENDAR, received, 10)
    extended = CALENDAR.add_working_days(first, 10)
    expected = due_after_suspension(CALENDAR, extended, stop_on, resume_on)
    assert stage["due"] == expected

    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Patel")
    page = await clerk.get(f"/complaints/{ref}")
    assert page.status_code == 200
    words = visible(page.text)
    assert f"Due {long_date(expected)} (stage 1)" in words
    assert f"Received {long_date(received)}, a working day, so counting starts there." in words
    assert "Stage 1 allows 10 working days; weekends and bank holidays do not count" in words
    assert f"due {long_date(first)}." in words
    assert (f"Extended on {long_date(extend_on)} by 10 working days, as the complaint is complex: "
            f"due {long_date(extended)}.") in words
    paused = CALENDAR.working_days_after_until(stop_on, resume_on)
    left = CALENDAR.working_days_after_until(stop_on, extended)
    assert (f"Clock stopped {long_date(stop_on)} for court proceedings, restarted {long_date(resume_on)}: "
            f"{paused} working days paused, {left} working days were left. Now due {long_date(expected)}") in words
    # The summary: badges from the complainant's type, the procedure and status in words.
    assert "Child" in words and "Advocate" in words
    assert "Children's statutory procedure" in words and "Stage 1: Local resolution" in words
    assert "Investigating Officer One" in words               # the officer by name, never an id
    assert "Clock stopped" in words and "Clock restarted" in words     # the timeline
    assert "by Sam Patel" in words
    assert "Acknowledgement to Zoë Ångström (the complainant)" in words   # a letter, readable
    assert "The family's link" in words and 'value="renew" name="action"' in page.text
    assert "court_proceedings" not in page.text and "children-statutory" not in page.text
    assert codes_in(words) == []


async def test_late_when_the_clock_stopped_says_still_late(web):
    ref = "CS-WEB-DL-2"
    received = working_days_ago(30)
    await web.register(ref, received=received_on(received))
    await web.act(ref, "assign", a.Assign("io-1", on=received))
    done = await web.act(ref, "suspend", a.Suspend("police_investigation",
                                                   on=CALENDAR.add_working_days(received, 15)))
    assert done.done, done.message
    clerk = await web.signed_in("sam", {"clerk"})
    words = visible((await clerk.get(f"/complaints/{ref}")).text)
    assert "5 working days late when the clock stopped; still 5 working days late" in words
    assert "working days left" not in words and "were left" not in words
    assert "Police investigation" in words


async def test_who_may_see_it_and_the_one_403(web):
    ref = "CS-WEB-DL-3"
    await web.register(ref, name="<b>O'Brien & Sons</b> Zoë")
    await web.act(ref, "assign", a.Assign("io-1"))
    officer = await web.signed_in("olu", {"officer"}, directory_id="io-1")
    other = await web.signed_in("tam", {"officer"}, directory_id="io-2")
    manager = await web.signed_in("tess", {"manager"}, directory_id="tm-1")

    before = views(web, ref)
    seen = await officer.get(f"/complaints/{ref}")
    assert seen.status_code == 200
    assert views(web, ref) == before + 1                      # one audit line per view
    assert "&lt;b&gt;O&#39;Brien &amp; Sons&lt;/b&gt; Zoë" in seen.text     # the markup is shown, not run
    assert "<b>O'Brien" not in seen.text
    assert "<b>O'Brien & Sons</b> Zoë" in visible(seen.text)
    assert "The family's link" not in seen.text             # the team's alone

    refused = await other.get(f"/complaints/{ref}")
    unknown = await other.get("/complaints/CS-NO-SUCH-1")
    assert refused.status_code == unknown.status_code == 403
    assert refused.text == unknown.text
    assert "O&#39;Brien" not in refused.text
    assert views(web, ref) == before + 1                      # a refusal is no view

    assert (await manager.get(f"/complaints/{ref}")).status_code == 200
    assert views(web, ref) == before + 2
    with web.store.engine.connect() as conn:
        details = [r.detail for r in conn.execute(select(audit_log).where(audit_log.c.ref == ref))]
    assert not any("Brien" in d for d in details)


async def test_the_complaint_page_passes_axe_with_and_without_javascript(web):
    ref = "CS-WEB-DL-4"
    received = working_days_ago(20)
    await web.register(ref, received=received_on(received), complainant_type="child_with_advocate")
    await web.act(ref, "assign", a.Assign("io-1", on=received))
    await web.act(ref, "extend", a.Extend("complex", on=CALENDAR.add_working_days(received, 1)))
    await web.act(ref, "suspend", a.Suspend("court_proceedings", on=CALENDAR.add_working_days(received, 2)))
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    base = await web.serve()
    async with chromium() as browser:
        for javascript in (True, False):
            clerk = await Visitor.open(browser, base, javascript=javascript)
            await clerk.sign_in("sam", password)
            await clerk.goto(f"/complaints/{ref}")
            await clerk.check(f"page-complaint{'' if javascript else '-no-js'}")
            shown = await clerk.main_text()
            assert "Clock stopped since" in shown and "Timeline" in shown
            letter = next(m for m in web.store.sent_mail(ref) if m["kind"] == "acknowledgement")
            first_line = next(line for line in letter["text_body"].splitlines() if line.strip()).strip()
            assert first_line not in shown
            await clerk.page.get_by_text("Acknowledgement to").first.click()     # a letter opens in place
            assert first_line in await clerk.main_text()
            clerk.assert_no_problems()
            await clerk.close()


async def test_stage_2_set_up_is_a_task_list_that_follows_the_complaint(web):
    """At stage 2 the page lists what the stage needs (an officer, an independent person for
    the statutory procedure, the response): each to do, with a link for whoever may do it
    now, until it is done."""
    import uuid

    ref = f"CS-T{uuid.uuid4().hex[:6].upper()}"
    await web.register(ref)
    assert (await web.act(ref, "assign", a.Assign(officer="io-1"))).done
    assert (await web.act(ref, "respond", a.Respond(outcome="not_upheld"))).done
    assert (await web.act(ref, "escalate", a.Escalate(reason="disagree"))).done
    clerk = await web.signed_in("clerk-tasks", {"clerk"})

    page = (await clerk.get(f"/complaints/{ref}")).text
    assert "What stage 2 needs" in page
    tasks = re.findall(r'<li class="govuk-task-list__item.*?</li>', page, re.S)
    assert [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t)).strip() for t in tasks] == [
        "Assign an investigating officer To do", "Appoint an independent person To do",
        "Send the stage 2 response To do"]
    assert f'href="/complaints/{ref}/assign"' in tasks[0]

    assert (await web.act(ref, "assign", a.Assign(officer="io-2"))).done
    assert (await web.act(ref, "appoint_independent_person", a.AppointIndependentPerson(name="Ida Person"))).done
    page = (await clerk.get(f"/complaints/{ref}")).text
    tasks = re.findall(r'<li class="govuk-task-list__item.*?</li>', page, re.S)
    assert ["Completed" in t for t in tasks] == [True, True, False]
