"""The Complaints Team registers a complaint (/complaints/new), on the real engine: one from
a letter (written to by post: the acknowledgement joins the letters to print) and one from
a call (by email: it reaches the mail sink); errors on every page; a matter two years old
refused in the rule's words and kept as a refusal for the annual report, then registered
with a reason to accept it late; officers and managers get the 403; a form without its
token is refused.
"""

from __future__ import annotations

import asyncio
import html
import re
import time
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

from sqlalchemy import func, select

from rules.moments import LONDON
from store.record_store import complaints
from tests.web_harness import csrf_token
from web import complaint_texts
from web.formats import long_date
from web.tables import audit_log

LETTER = {"policy": "children-statutory", "channel": "letter", "service_area": "Fostering",
          "reasons": ["communication", "placement"], "child": "AB-17"}
WRITER = {"name": "Sam Letterwriter", "type": "foster_carer", "email": "",
          "address": "12 Mill Lane\r\nExampletown\r\nzz1 2ab", "write_by": "post"}
CALLER = {"name": "Chris Caller", "type": "parent", "email": "chris@example.org", "address": "", "write_by": "email"}
STORY = "The placement review was moved twice.\nNobody told us."
WISH = "A date for the review."


def today() -> date:
    return datetime.now(LONDON).date()


def day_fields(name: str, day: date) -> dict:
    return {f"{name}-day": str(day.day), f"{name}-month": str(day.month), f"{name}-year": str(day.year)}


def title(page) -> str:
    return html.unescape(re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)).strip()


def words(page) -> str:
    """What a reader sees of the page's main content."""
    main = page.text.split('id="main-content"', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


class _Shown(HTMLParser):
    """The values a browser sends from a form as shown (hidden fields, boxes, what is chosen)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, object] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            if a.get("type") == "checkbox":
                self.values.setdefault(a["name"], []).append(a.get("value") or "")
            else:
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""


def shown(page) -> dict:
    parser = _Shown()
    parser.feed(page.text.split('id="main-content"', 1)[1].split("</form>", 1)[0])
    return parser.values


async def post(client, path: str, data: dict, *, keep_shown: bool = False):
    """Post a page's form as a browser does, with its token (and, if asked, what it shows)."""
    page = await client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    sent = {**(shown(page) if keep_shown else {}), "csrf_token": csrf_token(page.text), **data}
    return await client.post(path.split("?")[0] + ("?change=1" if "change=1" in path else ""), data=sent)


async def fill_in(client, complaint: dict, complainant: dict, said: dict | None = None) -> None:
    for path, data in (("/complaints/new", complaint), ("/complaints/new/complainant", complainant),
                       ("/complaints/new/what-they-said", said or {})):
        went = await post(client, path, data, keep_shown=path == "/complaints/new")
        assert went.status_code == 303, (path, words(went)[:600])


def refs_in_store(web) -> int:
    with web.store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(complaints)).scalar_one()


def audit_lines(web) -> list[tuple]:
    with web.store.engine.connect() as conn:
        return [(r.event, r.ref, r.detail) for r in conn.execute(select(audit_log))]


def _mail_to(sink, address: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.messages:
            if address in str(message["To"]):
                return message
        sink.wait_for(len(sink.messages) + 1, timeout=0.5)
    raise AssertionError(f"no mail to {address}")


async def _printed(web, ref: str, timeout: float = 30.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [row for row in web.store.print_queue() if row["ref"] == ref]
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"no letter for {ref} in the print queue")


async def test_a_clerk_registers_a_complaint_from_a_letter(web):
    clerk = await web.signed_in("clerk", {"clerk"}, name="Casey Clerk")
    nav = await clerk.get("/")
    assert 'href="/complaints/new"' in nav.text

    first = await clerk.get("/complaints/new")
    assert first.status_code == 200
    seen = words(first)
    for words_shown in ("Children's statutory procedure", "Corporate procedure", "Letter", "Telephone",
                        "In person", "Online form", "Service failure", "Fostering"):
        assert words_shown in seen
    assert "children-statutory" not in seen and "service_failure" not in seen
    # Today is there already.
    assert shown(first)["received-day"] == str(today().day) and shown(first)["received-year"] == str(today().year)

    received = today() - timedelta(days=2)
    await fill_in(clerk, {**LETTER, **day_fields("received", received)}, WRITER,
                  {"what_happened": STORY, "would_like": WISH})

    check = await clerk.get("/complaints/new/check")
    assert check.status_code == 200
    seen = words(check)
    for words_shown in ("Children's statutory procedure", long_date(received), "Letter", "Fostering",
                        "Communication", "Placement", "AB-17", "Sam Letterwriter", "Foster carer",
                        "12 Mill Lane Exampletown ZZ1 2AB", "By post", "Nobody told us.", WISH):
        assert words_shown in seen, words_shown
    for path in ("/complaints/new?change=1#policy", "/complaints/new/complainant?change=1#name",
                 "/complaints/new/what-they-said?change=1#would_like"):
        assert f'href="{path}"' in check.text

    # A Change link goes back to the check page, not through every page again.
    change = await clerk.get("/complaints/new/complainant?change=1")
    assert 'href="/complaints/new/check"' in change.text and 'value="Sam Letterwriter"' in change.text
    went = await post(clerk, "/complaints/new/complainant?change=1", {**WRITER, "name": "Sam Q Letterwriter"})
    assert went.status_code == 303 and went.headers["location"] == "/complaints/new/check"

    done = await clerk.post("/complaints/new/check", data={"csrf_token": csrf_token(check.text)})
    assert done.status_code == 303, words(done)[:600]
    ref = done.headers["location"].removeprefix("/complaints/")
    assert re.fullmatch(rf"CS-{datetime.now(LONDON).year}-\d{{4}}", ref)

    record = web.store.complaint(ref)
    assert record["policy"] == "children-statutory" and record["channel"] == "letter"
    assert record["service_area"] == "Fostering" and record["reasons"] == ["communication", "placement"]
    assert record["child"] == "AB-17" and record["complainant_type"] == "foster_carer"
    assert record["complainant_name"] == "Sam Q Letterwriter"
    assert record["complainant_address"] == "12 Mill Lane\nExampletown\nZZ1 2AB"
    assert record["complainant_write_by"] == "post" and not record["complainant_email"]
    arrived = record["received"].astimezone(LONDON)
    assert arrived.date() == received and (arrived.hour, arrived.minute) == (10, 0)
    assert record["history"][0]["by"] == "Casey Clerk"
    kept = complaint_texts.texts(web.store.engine, ref)
    assert kept["what_happened"] == STORY and kept["would_like"] == WISH

    # The complaint's page, with the banner in words.
    page = await clerk.get(f"/complaints/{ref}")
    due = record["stages"][0]["due"]
    assert (f"{ref} registered. Response due {long_date(due)}. The acknowledgement is waiting in the letters "
            f"to print.") in words(page)
    assert "How it came Letter" in words(page)

    # The acknowledgement waits in the print queue; nothing went by email.
    letters = await _printed(web, ref)
    assert [row["kind"] for row in letters] == ["acknowledgement"]

    # The answers are gone once registered.
    again = await clerk.get("/complaints/new/check")
    assert again.status_code == 303 and again.headers["location"] == "/complaints/new"
    assert "Sam" not in (await clerk.get("/complaints/new/complainant")).text

    lines = audit_lines(web)
    assert ("action", ref, "register children-statutory") in lines
    assert all("Sam" not in (detail or "") and "Mill" not in (detail or "") for _, _, detail in lines)


async def test_a_complaints_manager_registers_a_call_written_to_by_email(web):
    manager = await web.signed_in("cm", {"complaints_manager"}, name="Morgan Manager")
    await fill_in(manager, {"policy": "corporate", "channel": "phone", "service_area": "another",
                            "service_area_other": "School transport"}, CALLER)
    check = await manager.get("/complaints/new/check")
    seen = words(check)
    assert "Telephone" in seen and "School transport" in seen and "chris@example.org" in seen
    assert long_date(today()) in seen, "received today, as the page offered"
    done = await manager.post("/complaints/new/check", data={"csrf_token": csrf_token(check.text)})
    assert done.status_code == 303
    ref = done.headers["location"].removeprefix("/complaints/")

    record = web.store.complaint(ref)
    assert record["policy"] == "corporate" and record["channel"] == "phone" and record["reasons"] == []
    assert record["service_area"] == "School transport" and record["complainant_write_by"] == "email"
    assert record["complainant_email"] == "chris@example.org" and not record["complainant_address"]
    assert record["received"].astimezone(LONDON).date() == today()
    assert complaint_texts.texts(web.store.engine, ref) is None
    page = await manager.get(f"/complaints/{ref}")
    assert f"{ref} registered. Response due" in words(page)
    assert "We have sent the acknowledgement." in words(page)

    acknowledgement = await asyncio.to_thread(_mail_to, web.mail_sink, "chris@example.org")
    assert ref in acknowledgement["Subject"]
    assert [row for row in web.store.print_queue() if row["ref"] == ref] == []


async def test_errors_on_every_page(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    path = "/complaints/new"

    # The complaint: nothing chosen, and the date taken out.
    empty = await post(clerk, path, {"received-day": "", "received-month": "", "received-year": ""})
    assert empty.status_code == 422 and title(empty).startswith("Error: The complaint")
    seen = words(empty)
    for message in ("There is a problem", "Select the procedure", "Enter the date received",
                    "Select how the complaint came", "Select the service area, or another service area"):
        assert message in seen, message
    assert 'href="#policy"' in empty.text and 'href="#received-day"' in empty.text

    good = {**LETTER, **day_fields("received", today())}
    future = today() + timedelta(days=1)
    for data, message in (
            ({**good, **day_fields("received", future)}, "The date received must be today or in the past"),
            ({**good, "received-day": "31", "received-month": "2", "received-year": "2026"},
             "The date received must be a real date, like 27 3 2026"),
            ({**good, "received-month": ""}, "The date received must include a month"),
            ({**good, **day_fields("received", date(1999, 1, 4))}, "The date received must be in 2000 or later"),
            ({**good, "service_area": "another"}, "Enter the service area"),
            ({**good, "service_area": "Nowhere"}, "Select the service area, or another service area"),
            ({**good, "reasons": ["not_a_reason"]}, "Select the reasons from the list"),
            ({**good, "child": "x" * 101}, "The child's reference must be 100 characters or fewer"),
            ({**good, **day_fields("matter", future)}, "The date it happened must be today or in the past"),
            ({**good, **day_fields("received", today() - timedelta(days=3)), **day_fields("matter", today())},
             "The date it happened must be the same as or before the date received"),
            ({**good, "late_reason": "x" * 10_001}, "The reason to accept it late must be 10,000 characters or fewer"),
            ({**good, "policy": "made-up"}, "Select the procedure")):
        refused = await post(clerk, path, data)
        assert refused.status_code == 422, message
        assert message in words(refused), (message, words(refused)[:400])
    # What was typed stays, escaped.
    refused = await post(clerk, path, {**good, "child": "<b>AB</b>", "late_reason": "x" * 10_001})
    assert "&lt;b&gt;AB&lt;/b&gt;" in refused.text and "<b>AB</b>" not in refused.text
    assert 'value="Fostering" selected' in refused.text or 'selected value="Fostering"' in refused.text
    went = await post(clerk, path, good)
    assert went.status_code == 303 and went.headers["location"] == "/complaints/new/complainant"

    # The complainant.
    path = "/complaints/new/complainant"
    empty = await post(clerk, path, {})
    seen = words(empty)
    for message in ("Enter the complainant's name", "Select who the complainant is",
                    "Select how we write to the complainant", "Enter an email address or a postal address, or both"):
        assert message in seen, message
    for data, message in (
            ({**CALLER, "name": "x" * 201}, "The complainant's name must be 200 characters or fewer"),
            ({**CALLER, "email": "chris.example.org"},
             "Enter an email address in the correct format, like name@example.com"),
            ({**CALLER, "email": "chris@example.org", "write_by": "post"},
             "Enter the postal address, to write to them by post"),
            ({**WRITER, "write_by": "email"}, "Enter the email address, to write to them by email"),
            ({**WRITER, "address": "12 Mill Lane\nExampletown\nNOT A CODE"},
             "Enter a real UK postcode on the last line of the address, like ZZ1 1ZZ"),
            ({**WRITER, "address": "12 Mill Lane, Exampletown ZZ1 2AB"},
             "Enter the postal address on at least 2 lines, with the postcode on the last line"),
            ({**WRITER, "address": "x" * 101 + "\nZZ1 2AB"},
             "Each line of the postal address must be 100 characters or fewer"),
            ({**CALLER, "type": "court_proceedings"}, "Select who the complainant is")):
        refused = await post(clerk, path, data)
        assert refused.status_code == 422 and title(refused).startswith("Error: ")
        assert message in words(refused), (message, words(refused)[:400])
    markup = await post(clerk, path, {**CALLER, "name": "<script>alert(1)</script>", "email": "nope"})
    assert "<script>alert(1)" not in markup.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in markup.text
    went = await post(clerk, path, {**CALLER, "name": "<i>Chris</i> Caller"})
    assert went.status_code == 303 and went.headers["location"] == "/complaints/new/what-they-said"

    # What they said: optional, but not without limit.
    path = "/complaints/new/what-they-said"
    long = await post(clerk, path, {"what_happened": "x" * 10_001})
    assert long.status_code == 422 and "What happened must be 10,000 characters or fewer" in words(long)
    went = await post(clerk, path, {"what_happened": "<b>bold</b> words"})
    assert went.headers["location"] == "/complaints/new/check"

    # The check page shows the markup as written, never as markup.
    check = await clerk.get("/complaints/new/check")
    assert "&lt;i&gt;Chris&lt;/i&gt; Caller" in check.text and "<i>Chris</i>" not in check.text
    assert "&lt;b&gt;bold&lt;/b&gt; words" in check.text and "<b>bold</b>" not in check.text
    assert refs_in_store(web) == 0, "nothing registered while answering"


async def test_a_matter_two_years_old_is_refused_unless_accepted_late(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    matter = today() - timedelta(days=730)
    await fill_in(clerk, {**LETTER, **day_fields("received", today()), **day_fields("matter", matter)}, CALLER,
                  {"what_happened": STORY})
    check = await clerk.get("/complaints/new/check")
    assert long_date(matter) in words(check)
    refused = await clerk.post("/complaints/new/check", data={"csrf_token": csrf_token(check.text)})
    assert refused.status_code == 422 and title(refused).startswith("Error: ")
    seen = words(refused)
    assert (f"The complaint cannot be registered. The matter arose on {long_date(matter)}, more than 12 months "
            f"before the complaint was received ({long_date(today())}); give a reason to accept it late") in seen
    assert "late_accepted" not in refused.text and str(matter) not in seen
    assert refs_in_store(web) == 0
    refusals = web.store.refusals()
    assert len(refusals) == 1 and refusals[0]["policy"] == "children-statutory"
    assert refusals[0]["received"] == today() and "more than 12 months" in refusals[0]["reason"]
    with web.store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(complaint_texts.complaint_texts)).scalar_one() == 0
    assert any(event == "refused" and detail == "register children-statutory" for event, _, detail in audit_lines(web))

    # With a reason to accept it late, it is registered.
    went = await post(clerk, "/complaints/new?change=1",
                      {"late_reason": "They were in hospital for most of a year."}, keep_shown=True)
    assert went.status_code == 303 and went.headers["location"] == "/complaints/new/check"
    check = await clerk.get("/complaints/new/check")
    done = await clerk.post("/complaints/new/check", data={"csrf_token": csrf_token(check.text)})
    assert done.status_code == 303, words(done)[:600]
    ref = done.headers["location"].removeprefix("/complaints/")
    record = web.store.complaint(ref)
    assert record["matter_date"] == matter
    assert record["late_accepted_reason"] == "They were in hospital for most of a year."
    assert len(web.store.refusals()) == 1, "the refusal stays, for the annual report"


async def test_officers_managers_and_administrators_get_the_403(web):
    for who, roles, directory_id in (("olu", {"officer"}, "io-1"), ("tess", {"manager"}, "tm-1"),
                                     ("ada", {"admin"}, None)):
        person = await web.signed_in(who, roles, directory_id)
        for path in ("/complaints/new", "/complaints/new/complainant", "/complaints/new/what-they-said",
                     "/complaints/new/check"):
            page = await person.get(path)
            assert page.status_code == 403, (who, path)
            token = re.search(r'data-session-token="([^"]+)"', page.text).group(1)
            sent = await person.post(path, data={"csrf_token": token, **LETTER, **CALLER,
                                                 **day_fields("received", today())})
            assert sent.status_code == 403, (who, path)
        assert 'href="/complaints/new"' not in (await person.get("/complaints/new")).text
    assert refs_in_store(web) == 0


async def test_a_form_without_its_token_is_refused(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    await fill_in(clerk, {**LETTER, **day_fields("received", today())}, CALLER)
    sent = await clerk.post("/complaints/new/check", data={})
    assert sent.status_code == 400
    forged = await clerk.post("/complaints/new", data={"csrf_token": "not-the-token", **LETTER})
    assert forged.status_code == 400
    assert refs_in_store(web) == 0
    # The answers are still there to register properly.
    check = await clerk.get("/complaints/new/check")
    assert check.status_code == 200 and "Chris Caller" in words(check)

    # Starting again forgets them (a complaint half typed must not run into the next).
    first = await clerk.get("/complaints/new")
    assert "Clear the answers and start again" in words(first)
    cleared = await clerk.post("/complaints/new/start-again", data={"csrf_token": csrf_token(first.text)})
    assert cleared.status_code == 303 and cleared.headers["location"] == "/complaints/new"
    assert (await clerk.get("/complaints/new/check")).headers["location"] == "/complaints/new"
    assert "Clear the answers" not in words(await clerk.get("/complaints/new"))


async def test_the_register_pages_pass_axe_with_and_without_errors(web):
    """In chromium: each page as first shown and with its errors, the check page, and the
    refusal on it; axe-core (WCAG 2.2 AA) finds nothing, no engine code shows."""
    from tests.browser import Visitor, chromium

    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    base = await web.serve()
    async with chromium() as browser:
        visitor = await Visitor.open(browser, base)
        await visitor.sign_in("sam", password)
        await visitor.follow("Register a complaint")
        assert visitor.path == "/complaints/new"
        await visitor.check("axe-register-complaint")
        for box in ("Day", "Month", "Year"):
            await visitor.page.get_by_role("group", name="When did we receive it?").get_by_label(
                box, exact=True).fill("")
        await visitor.press_button("Continue")
        assert "Select the procedure" in await visitor.errors()
        await visitor.check("axe-register-complaint-errors")
        await visitor.choose("Children's statutory procedure")
        await visitor.fill_date(today().day, today().month, today().year, group="When did we receive it?")
        await visitor.choose("Letter")
        await visitor.select("Which service area is it about?", "Fostering")
        await visitor.choose("Communication")
        matter = today() - timedelta(days=730)
        await visitor.fill_date(matter.day, matter.month, matter.year, group="When did the matter happen? (optional)")
        await visitor.press_button("Continue")
        assert visitor.path == "/complaints/new/complainant", await visitor.errors()
        await visitor.check("axe-register-complainant")
        await visitor.press_button("Continue")
        assert "Enter the complainant's name" in await visitor.errors()
        await visitor.check("axe-register-complainant-errors")
        await visitor.fill("Full name", "Sam Letterwriter")
        await visitor.choose("Foster carer")
        await visitor.fill("Postal address (optional)", "12 Mill Lane\nExampletown\nZZ1 2AB")
        await visitor.choose("By post")
        await visitor.press_button("Continue")
        await visitor.check("axe-register-what-they-said")
        await visitor.fill("What happened (optional)", "x" * 10_001)
        await visitor.press_button("Continue")
        await visitor.check("axe-register-what-they-said-errors")
        await visitor.fill("What happened (optional)", STORY)
        await visitor.press_button("Continue")
        assert visitor.path == "/complaints/new/check"
        await visitor.check("axe-register-check")
        await visitor.press_button("Register the complaint")
        assert (await visitor.errors())[0].startswith("The complaint cannot be registered. The matter arose on")
        await visitor.check("axe-register-refused")
        await visitor.close()
