"""Make a complaint online (no sign-in), on the real engine: each question page, its errors
(empty, too long, markup), the check page and its Change links, the confirmation with the
reference and the response date, the acknowledgement at the mail sink with a working link
to check the complaint; a refused or abandoned complaint leaves nothing; the rate limit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
from datetime import datetime

from sqlalchemy import func, select

from rules.moments import LONDON
from store.record_store import complaints
from tests.web_harness import csrf_token
from web import complaint_texts
from web.formats import long_date
from web.tables import audit_log, family_links
from web.views import public_form

STORY = "My son's review meeting was cancelled three times.\nNobody told us why."
WISH = "An apology, and a date for the meeting."
ANSWERS = {
    "who": {"type": "parent"},
    "name": {"name": "Pat Parent"},
    "about": {"child": "AB", "service": "Fostering"},
    "what-happened": {"what_happened": STORY},
    "would-like": {"would_like": WISH},
    "contact": {"write_by": "email", "email": "pat@example.org"},
}


def title(page) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)).strip()


def words(page) -> str:
    """What a reader sees of the page's main content."""
    main = page.text.split('id="main-content"', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


async def post(client, path: str, data: dict):
    """Post a question page as a browser does: the page's own form, with its token."""
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    extra = {"change": "1"} if "change=1" in path else {}
    return await client.post(path.split("?")[0] + ("?change=1" if extra else ""),
                             data={"csrf_token": csrf_token(page.text), **extra, **data})


async def answer_all(client, **changes) -> None:
    for step, data in ANSWERS.items():
        done = await post(client, f"/complain/{step}", {**data, **changes.get(step.replace("-", "_"), {})})
        assert done.status_code == 303, (step, words(done)[:400])


def refs_in_store(web) -> int:
    with web.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(complaints)).scalar_one()


async def test_a_family_complains_online_from_start_to_acknowledgement(web):
    client = web.client()
    start = await client.get("/complain")
    assert start.status_code == 200
    assert "Make a complaint about children's services" in words(start)
    assert "Exit this page" in start.text and 'href="/complain/who"' in start.text

    # Who are you: Radios with the complainant types' words, a Back link, errors.
    who = await client.get("/complain/who")
    assert "Parent" in words(who) and "Foster carer" in words(who) and "foster_carer" not in words(who)
    assert 'href="/complain"' in who.text and "govuk-back-link" in who.text and "govuk-exit-this-page" in who.text
    empty = await post(client, "/complain/who", {})
    assert empty.status_code == 422
    assert title(empty).startswith("Error: Who are you?")
    assert "There is a problem" in words(empty) and "Select who you are" in words(empty)
    wrong = await post(client, "/complain/who", {"type": "court_proceedings"})
    assert wrong.status_code == 422
    went = await post(client, "/complain/who", {"type": "parent"})
    assert went.status_code == 303 and went.headers["location"] == "/complain/name"

    # Your name: empty, too long, markup.
    for bad, message in (("", "Enter your full name"),
                         ("x" * 201, "Your full name must be 200 characters or fewer"),
                         ("<script>alert(1)</script>", "Your full name must not include HTML tags")):
        refused = await post(client, "/complain/name", {"name": bad})
        assert refused.status_code == 422 and title(refused).startswith("Error: ")
        assert message in words(refused)
        assert "<script>alert(1)" not in refused.text
    went = await post(client, "/complain/name", {"name": "Pat Parent"})
    assert went.headers["location"] == "/complain/about"

    # Who it is about: the service is needed, the child's initials are not.
    about = await post(client, "/complain/about", {"child": "AB"})
    assert about.status_code == 422 and "Select the service your complaint is about" in words(about)
    assert 'value="AB"' in about.text                       # what was typed stays
    went = await post(client, "/complain/about", ANSWERS["about"])
    assert went.headers["location"] == "/complain/what-happened"

    # What happened: a Character count, the limit, markup.
    story = await client.get("/complain/what-happened")
    assert "govuk-character-count" in story.text and "5,000 characters" in words(story)
    for bad, message in (("", "Enter what happened"),
                         ("x" * 5001, "What happened must be 5,000 characters or fewer"),
                         ("<b>bold</b>", "What happened must not include HTML tags")):
        refused = await post(client, "/complain/what-happened", {"what_happened": bad})
        assert refused.status_code == 422 and message in words(refused)
    # Ordinary writing with a "<" is not markup: a family may compare, or send a heart.
    went = await post(client, "/complain/what-happened", {"what_happened": "He sees us less than his sister does (son < sister) <3"})
    assert went.headers["location"] == "/complain/would-like"
    went = await post(client, "/complain/what-happened", {"what_happened": STORY})
    assert went.headers["location"] == "/complain/would-like"
    went = await post(client, "/complain/would-like", {"would_like": WISH})
    assert went.headers["location"] == "/complain/contact"

    # How to write: the chosen way's fields are needed, and checked.
    contact = await post(client, "/complain/contact", {})
    assert "Select how we should write to you" in words(contact)
    bad_email = await post(client, "/complain/contact", {"write_by": "email", "email": "pat.example.org"})
    assert "Enter an email address in the correct format, like name@example.com" in words(bad_email)
    bad_post = await post(client, "/complain/contact", {"write_by": "post", "address_line_1": "1 Road",
                                                        "town": "Town", "postcode": "NOT A CODE"})
    assert "Enter a real UK postcode" in words(bad_post)
    went = await post(client, "/complain/contact", ANSWERS["contact"])
    assert went.headers["location"] == "/complain/check"

    # Check your answers: everything played back once, each with its Change link.
    check = await client.get("/complain/check")
    seen = words(check)
    for shown in ("Parent", "Pat Parent", "AB", "Fostering", "Nobody told us why.", WISH, "pat@example.org"):
        assert shown in seen
    assert seen.count("pat@example.org") == 1
    for step in public_form.STEPS:
        assert f'href="/complain/{step}?change=1"' in check.text

    # Change the name: back to the check page, not through every question again.
    change = await client.get("/complain/name?change=1")
    assert 'href="/complain/check"' in change.text and 'value="Pat Parent"' in change.text
    changed = await post(client, "/complain/name?change=1", {"name": "Pat Q Parent"})
    assert changed.status_code == 303 and changed.headers["location"] == "/complain/check"
    assert "Pat Q Parent" in words(await client.get("/complain/check"))

    # Send it.
    check = await client.get("/complain/check")
    sent = await client.post("/complain/check", data={"csrf_token": csrf_token(check.text)})
    assert sent.status_code == 303 and sent.headers["location"] == "/complain/done"
    done = await client.get("/complain/done")
    ref = re.search(r"CS-\d{4}-\d{4}", words(done)).group(0)
    assert ref.startswith(f"CS-{datetime.now(LONDON).year}-")
    assert "govuk-panel" in done.text and "Complaint sent" in words(done)
    assert "We have sent you an acknowledgement by email, to pat@example.org" in words(done)
    await web.settled(ref)
    record = web.store.complaint(ref)
    assert f"We will send you our response by {long_date(record['stages'][0]['due'])}" in words(done)
    assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday) \d{1,2} [A-Z][a-z]+ \d{4}", words(done))

    # Registered as the Complaints Team would, with the family's words beside it.
    assert record["channel"] == "online form" and record["policy"] == "children-statutory"
    assert record["complainant_name"] == "Pat Q Parent" and record["service_area"] == "Fostering"
    assert record["child"] == "AB" and record["complainant_type"] == "parent"
    assert record["history"][0]["by"] == "online form"
    kept = complaint_texts.texts(web.store.engine, ref)
    assert kept["what_happened"] == STORY and kept["would_like"] == WISH

    # The answers are gone from the session once sent.
    again = await client.get("/complain/check")
    assert again.status_code == 303 and again.headers["location"] == "/complain/who"

    # The acknowledgement arrives, with a link that opens the family's page.
    acknowledgement = await asyncio.to_thread(_mail_to, web.mail_sink, "pat@example.org")
    text = acknowledgement.get_body(("plain",)).get_content()
    assert ref in acknowledgement["Subject"]
    link = re.search(r"Check your complaint online:\s+(\S+)", text).group(1)
    assert link.startswith("http://127.0.0.1:8000/check/") and ref not in link
    assert link in acknowledgement.get_body(("html",)).get_content()
    family = await web.client().get(link.removeprefix("http://127.0.0.1:8000"))
    assert family.status_code == 200 and ref in words(family)
    with web.store.engine.connect() as conn:
        events = [(r.event, r.ref, r.detail) for r in conn.execute(select(audit_log))]
    assert ("public", ref, "complained online") in events
    assert all("Pat" not in (detail or "") for _, _, detail in events)


def _mail_to(sink, address: str, timeout: float = 30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.messages:
            if address in str(message["To"]):
                return message
        sink.wait_for(len(sink.messages) + 1, timeout=0.5)
    raise AssertionError(f"no mail to {address}")


async def test_a_family_writes_by_post(web):
    client = web.client()
    await answer_all(client, contact={"write_by": "post", "email": "", "address_line_1": "1 High Street",
                                      "town": "Exampletown", "postcode": "zz1 1zz"})
    check = await client.get("/complain/check")
    assert "By post, to: 1 High Street Exampletown ZZ1 1ZZ" in words(check)
    sent = await client.post("/complain/check", data={"csrf_token": csrf_token(check.text)})
    assert sent.headers["location"] == "/complain/done"
    done = await client.get("/complain/done")
    assert "We have sent you an acknowledgement by post, to the address you gave us" in words(done)
    ref = re.search(r"CS-\d{4}-\d{4}", words(done)).group(0)
    await web.settled(ref)
    record = web.store.complaint(ref)
    assert record["complainant_address"] == "1 High Street\nExampletown\nZZ1 1ZZ"
    assert record["complainant_write_by"] == "post"


async def test_an_abandoned_complaint_stores_nothing(web):
    client = web.client()
    await answer_all(client)
    before = refs_in_store(web)
    # The family leaves at the check page: nothing is written anywhere but their session.
    assert refs_in_store(web) == before == 0
    with web.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaint_texts.complaint_texts)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(family_links)).scalar_one() == 0


async def test_a_complaint_the_engine_refuses_stores_nothing(web, monkeypatch):
    # A procedure the engine does not know: register refuses it before any workflow starts.
    monkeypatch.setattr(public_form, "POLICY", "no-such-procedure")
    client = web.client()
    await answer_all(client)
    workflows_before = await _workflows(web)
    check = await client.get("/complain/check")
    refused = await client.post("/complain/check", data={"csrf_token": csrf_token(check.text)})
    assert refused.status_code == 422
    assert title(refused).startswith("Error: ") and "We could not take your complaint" in words(refused)
    assert refs_in_store(web) == 0
    with web.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaint_texts.complaint_texts)).scalar_one() == 0
        assert conn.execute(select(func.count()).select_from(family_links)).scalar_one() == 0
    assert await _workflows(web) == workflows_before
    # The answers are still there to try again.
    assert "Pat Parent" in words(await client.get("/complain/check"))


async def _workflows(web) -> set[str]:
    return {w.id async for w in web.temporal.list_workflows()}


async def test_the_rate_limit_stops_more_complaints_from_one_address(web):
    web.app.state.web.settings = dataclasses.replace(web.settings, public_per_hour=1)
    first = web.client()
    await answer_all(first)
    check = await first.get("/complain/check")
    assert (await first.post("/complain/check", data={"csrf_token": csrf_token(check.text)})).status_code == 303
    second = web.client()
    await answer_all(second, name={"name": "Sam Second"})
    check = await second.get("/complain/check")
    over = await second.post("/complain/check", data={"csrf_token": csrf_token(check.text)})
    assert over.status_code == 429
    assert "You cannot send another complaint online just now" in words(over)
    with web.store.engine.connect() as conn:
        names = [r.complainant_name for r in conn.execute(select(complaints.c.complainant_name))]
    assert "Sam Second" not in names


async def test_references_follow_the_years_highest(web):
    from web.references import next_reference

    year = 2099       # a year no other test's complaint is in (the engine is shared by the session)
    assert next_reference(web.store, year) == f"CS-{year}-0001"
    await web.register(f"CS-{year}-014")       # as the command line writes them
    assert next_reference(web.store, year) == f"CS-{year}-0015"
    assert next_reference(web.store, year, after=f"CS-{year}-0015") == f"CS-{year}-0016"
    assert next_reference(web.store, year + 1) == f"CS-{year + 1}-0001"
