"""Every action of the rulebook as a form, on the real engine: each done from its form,
with the banner a person reads after it; a refusal in the rule's own words that changes
nothing; bad input on every form; a form without its token, or sent twice; and who may
do what (an officer not on the complaint, a manager outside their team, a clerk who may
not discontinue)."""

from __future__ import annotations

import html
import re
import uuid
from datetime import date, datetime
from html.parser import HTMLParser

from sqlalchemy import select

from cli.directory import load_directory
from models import actions as a
from rules.moments import LONDON
from tests.web_harness import csrf_token
from web.access import Person
from web.action_forms import FORMS
from web.actions_open import actions_for
from web.formats import long_date
from web.response_files import responses_of
from web.tables import audit_log

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def new_ref() -> str:
    """A reference of its own (the engine outlives each test)."""
    return f"CS-{uuid.uuid4().hex[:10].upper()}"


def today() -> date:
    return datetime.now(LONDON).date()


class _Inputs(HTMLParser):
    """The values a browser would send from a form as shown: hidden fields, text boxes,
    and the radios or options already chosen."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            if kind != "file":
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self.values.setdefault(a["name"], "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value") or ""


def typed_fields(page: str) -> list[str]:
    """The free-text boxes of a form (not dates or amounts)."""
    names = re.findall(r'<textarea[^>]*name="([^"]+)"', page)
    names += re.findall(r'<input[^>]*name="([^"]+)" type="text"', page)
    return [n for n in names if not re.search(r"-(day|month|year)$", n) and n not in ("amount", "remedy")]


def shown_values(page: str) -> dict[str, str]:
    parser = _Inputs()
    parser.feed(page)
    return parser.values


async def send(client, ref: str, action: str, data: dict, *, files: dict | None = None):
    """Fill in the action's form as shown (today already in its date) and send it; a
    confirm or check page is answered with its button. Returns the last response."""
    page = await client.get(f"/complaints/{ref}/{action}")
    assert page.status_code == 200, (action, page.status_code)
    answer = await client.post(f"/complaints/{ref}/{action}", data={**shown_values(page.text), **data},
                               files=files)
    step = FORMS[action].step
    if step and answer.status_code == 303 and answer.headers["location"].endswith(f"/{action}/{step}"):
        confirm = await client.get(answer.headers["location"])
        assert confirm.status_code == 200, confirm.text[:300]
        answer = await client.post(answer.headers["location"], data={"csrf_token": csrf_token(confirm.text)})
    return answer


async def banner_after(client, answer, ref: str) -> str:
    """The success banner on the page the action sends the person back to."""
    assert answer.status_code == 303, (answer.status_code, error_summary(answer.text))
    assert answer.headers["location"] == f"/complaints/{ref}"
    page = await client.get(answer.headers["location"])
    if page.status_code == 404:  # (the complaint page lives in its own module: any page shows the banner)
        page = await client.get(f"/complaints/{ref}/record-cost")
    found = re.search(r'govuk-notification-banner__content">(.*?)</div>', page.text, re.S)
    assert found, "a success banner"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())


def error_summary(page: str) -> str:
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split()) if found else ""


async def done(client, ref: str, action: str, data: dict, **more) -> str:
    return await banner_after(client, await send(client, ref, action, data, **more), ref)


def stage_of(web, ref: str) -> dict:
    record = web.store.complaint(ref)
    return next(s for s in record["stages"] if s["stage"] == record["stage"])


def audited(web, event: str) -> list[tuple[str, str]]:
    with web.store.engine.connect() as conn:
        return [(r.ref, r.detail) for r in conn.execute(select(audit_log).where(audit_log.c.event == event))]


async def people(web):
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    one = await web.signed_in("olive", {"officer"}, "io-1", name="Investigating Officer One")
    two = await web.signed_in("oscar", {"officer"}, "io-2", name="Investigating Officer Two")
    manager = await web.signed_in("tom", {"manager"}, "tm-1", name="Team Manager")
    return clerk, one, two, manager


# ------------------------------------------------------------------------ every action, done


async def test_a_complaint_goes_through_all_three_stages_from_the_forms(web):
    REF = new_ref()
    clerk, one, two, manager = await people(web)
    await web.register(REF)

    assert await done(clerk, REF, "assign", {"officer": "io-1"}) == \
        "Investigating Officer One is investigating. We emailed them."
    record = web.store.complaint(REF)
    assert record["history"][-1]["action"] == "assign" and record["history"][-1]["by"] == "Sam Clerk"

    # The officer asks for more time: the banner gives the new due date in words.
    words = await done(one, REF, "extend", {"reason": "complex"})
    assert words.startswith(f"The new due date is {long_date(stage_of(web, REF)['due'])}.")
    assert stage_of(web, REF)["extension_reason"] == "complex"

    # Stopping the clock is confirmed first, on a page that restates it.
    page = await one.get(f"/complaints/{REF}/suspend")
    assert page.status_code == 403
    asked = await clerk.post(f"/complaints/{REF}/suspend", data={
        **shown_values((await clerk.get(f"/complaints/{REF}/suspend")).text),
        "reason": "court_proceedings", "detail": "Care proceedings, Family Court"})
    assert asked.headers["location"] == f"/complaints/{REF}/suspend/confirm"
    confirm = await clerk.get(asked.headers["location"])
    assert "Stop the clock?" in confirm.text and "Court proceedings" in confirm.text
    assert "Care proceedings, Family Court" in confirm.text and "court_proceedings" not in confirm.text
    assert web.store.complaint(REF)["status"] == "open", "nothing is done before it is confirmed"
    answer = await clerk.post(asked.headers["location"], data={"csrf_token": csrf_token(confirm.text)})
    assert (await banner_after(clerk, answer, REF)).startswith("The clock has stopped.")
    assert web.store.complaint(REF)["status"] == "suspended"

    words = await done(clerk, REF, "resume", {})
    assert words.startswith(f"The clock has restarted. The new due date is {long_date(stage_of(web, REF)['due'])}.")

    # The officer's manager hands it to someone else in the team: same due date.
    due = stage_of(web, REF)["due"]
    assert await done(manager, REF, "reassign", {"officer": "io-2"}) == \
        f"Investigating Officer Two takes over. Due date unchanged: {long_date(due)}."
    assert (await one.get(f"/complaints/{REF}/respond")).status_code == 403, "no longer their complaint to answer"

    words = await done(two, REF, "respond", {"outcome": "partially_upheld", "where": "note",
                                              "where-note": "In the case file, letter of today"})
    assert words == "Response recorded for stage 1: on time. Fill in the lessons-learnt form"
    assert stage_of(web, REF)["outcome"] == "partially_upheld"
    assert await done(two, REF, "submit-learning", {"text": "Call the family back the same day."}) == \
        "The lessons-learnt form is in. The complaint is off the list of forms awaited."

    # Stage 2: a new officer, an independent person, a cost, a response by the team.
    words = await done(clerk, REF, "escalate", {"reason": "disagree"})
    assert words.startswith(f"Stage 2 has started. It is due {long_date(stage_of(web, REF)['due'])}.")
    refused = await send(clerk, REF, "assign", {"officer": "io-1"})
    assert refused.status_code == 422
    assert "needs someone other than the stage 1 officer" in error_summary(refused.text)
    assert await done(clerk, REF, "assign", {"officer": "hos-1"}) == \
        "Head of Service is investigating. We emailed them."
    assert await done(clerk, REF, "appoint-independent-person", {"name": "Ida <b>Person</b>"}) == \
        "Ida <b>Person</b> is the independent person. We have written to the complainant to tell them."
    assert await done(clerk, REF, "record-cost", {"stage": "2", "item": "investigator", "amount": "1,200.50"}) == \
        "Cost of £1,200.50 recorded. Stage 2 has cost £1,200.50 so far."
    assert (await done(clerk, REF, "respond", {"outcome": "not_upheld", "where": "note",
                                                "where-note": "Case file"})).startswith(
        "Response recorded for stage 2: on time.")

    # Stage 3: the review panel's clocks, then the final response.
    await done(clerk, REF, "escalate", {"reason": "late_response"})
    words = await done(clerk, REF, "panel-held", {})
    assert words == f"Panel meeting recorded. Its recommendations are due {long_date(stage_of(web, REF)['due'])}."
    words = await done(clerk, REF, "panel-report", {})
    assert words == f"The panel's recommendations are in. The final response is due " \
                    f"{long_date(stage_of(web, REF)['due'])}."
    assert (await done(clerk, REF, "respond", {"outcome": "upheld", "where": "note", "where-note": "Sent by post"})
            ) == "Response recorded for stage 3: on time."
    assert web.store.complaint(REF)["status"] == "closed"

    # After the council: the Ombudsman.
    assert await done(clerk, REF, "refer-to-ombudsman", {}) == "The referral to the Ombudsman is recorded."
    assert await done(clerk, REF, "ombudsman-decision", {"result": "upheld_fault_and_injustice", "remedy": "250"}) \
        == "The Ombudsman's decision is recorded: Upheld: fault and injustice."
    assert web.store.complaint(REF)["ombudsman"][0]["remedy_gbp"] == 250

    # The audit log has each action with its codes, and no name or free text.
    details = [d for r, d in audited(web, "action") if r == REF]
    assert details[:6] == ["assign io-1", "extend complex", "suspend court_proceedings", "resume", "reassign io-2",
                           "respond partially_upheld"]
    assert "record-cost stage-2 investigator" in details and "appoint-independent-person" in details
    assert not any("Ida" in d or "Care" in d or "family" in d for d in details)


async def test_discontinued_then_resubmitted_then_withdrawn(web):
    REF = new_ref()
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    boss = await web.signed_in("cara", {"complaints_manager"}, name="Cara Manager")
    await web.register(REF)

    assert (await clerk.get(f"/complaints/{REF}/discontinue")).status_code == 403
    page = await boss.get(f"/complaints/{REF}/discontinue")
    assert page.status_code == 200
    asked = await boss.post(f"/complaints/{REF}/discontinue", data={**shown_values(page.text),
                                                                    "reason": "police_investigation"})
    confirm = await boss.get(asked.headers["location"])
    assert "Discontinue this complaint?" in confirm.text and "govuk-button--warning" in confirm.text
    assert "Police investigation" in confirm.text
    answer = await boss.post(asked.headers["location"], data={"csrf_token": csrf_token(confirm.text)})
    assert await banner_after(boss, answer, REF) == \
        "The complaint is discontinued. We have written to the complainant about their right to resubmit it."
    assert web.store.complaint(REF)["status"] == "discontinued"

    words = await done(clerk, REF, "proceedings-ended", {})
    year_on = today().replace(year=today().year + 1) if (today().month, today().day) != (2, 29) \
        else date(today().year + 1, 2, 28)
    assert words == f"The proceedings ended on {long_date(today())}. " \
                    f"The complainant may resubmit it until {long_date(year_on)}."
    words = await done(clerk, REF, "resubmit", {})
    assert words == f"The complaint is open again at stage 1. It is due {long_date(stage_of(web, REF)['due'])}."

    page = await clerk.get(f"/complaints/{REF}/withdraw")
    asked = await clerk.post(f"/complaints/{REF}/withdraw", data={**shown_values(page.text),
                                                                  "reason": "Sorted out <script>x()</script>"})
    confirm = await clerk.get(asked.headers["location"])
    assert "govuk-button--warning" in confirm.text and "Withdraw this complaint?" in confirm.text
    assert "&lt;script&gt;x()&lt;/script&gt;" in confirm.text and "<script>x()" not in confirm.text
    answer = await clerk.post(asked.headers["location"], data={"csrf_token": csrf_token(confirm.text)})
    assert await banner_after(clerk, answer, REF) == \
        "The complaint is withdrawn. We have sent the complainant a confirmation."
    assert web.store.complaint(REF)["status"] == "withdrawn"
    assert [d for r, d in audited(web, "action") if r == REF] == [
        "discontinue police_investigation", "proceedings-ended", "resubmit", "withdraw"]


async def test_a_response_uploaded_as_a_file_is_checked_kept_and_downloaded(web):
    REF = new_ref()
    clerk, one, two, _ = await people(web)
    await web.register(REF)
    await web.act(REF, "assign", a.Assign(officer="io-1"))

    # Not a PDF or Word file, or too large: the form again, nothing kept or recorded.
    wrong = await send(one, REF, "respond", {"outcome": "upheld", "where": "file"},
                       files={"response-file": ("response.pdf", b"not a pdf at all", "application/pdf")})
    assert wrong.status_code == 422
    assert "The selected file must be a PDF or a Word document" in error_summary(wrong.text)
    big = await send(one, REF, "respond", {"outcome": "upheld", "where": "file"},
                     files={"response-file": ("response.pdf", PDF + b"0" * (5 * 1024 * 1024), "application/pdf")})
    assert big.status_code == 422 and "smaller than 5 MB" in error_summary(big.text)
    missing = await send(one, REF, "respond", {"outcome": "upheld", "where": "file"})
    assert missing.status_code == 422 and "Select the file with the response" in error_summary(missing.text)

    page = await one.get(f"/complaints/{REF}/respond")
    asked = await one.post(f"/complaints/{REF}/respond", data={**shown_values(page.text), "outcome": "upheld",
                                                                "where": "file"},
                           files={"response-file": ("C:\\letters\\stage 1 response.pdf", PDF, "application/pdf")})
    assert asked.headers["location"] == f"/complaints/{REF}/respond/check"
    check = await one.get(asked.headers["location"])
    assert "Uploaded: stage 1 response.pdf" in check.text and "Upheld" in check.text
    assert "Change" in check.text
    answer = await one.post(asked.headers["location"], data={"csrf_token": csrf_token(check.text)})
    assert (await banner_after(one, answer, REF)).startswith("Response recorded for stage 1: on time.")

    kept = responses_of(web.store.engine, REF)
    assert [(r["stage"], r["filename"], r["size"]) for r in kept] == [(1, "stage 1 response.pdf", len(PDF))]
    # The complaint's page links to it under its stage.
    shown = await clerk.get(f"/complaints/{REF}")
    assert f'href="/complaints/{REF}/responses/{kept[0]["id"]}">stage 1 response.pdf</a>' in shown.text
    download = await clerk.get(f"/complaints/{REF}/responses/{kept[0]['id']}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    assert (await two.get(f"/complaints/{REF}/responses/{kept[0]['id']}")).status_code == 403
    assert (REF, "response file") in audited(web, "download")


# ------------------------------------------------------------------------ refused, unchanged


async def test_a_refused_action_shows_the_rules_reason_and_changes_nothing(web):
    REF = new_ref()
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    await web.register(REF)
    before = web.store.complaint(REF)["revision"]
    answer = await send(clerk, REF, "resume", {})
    assert answer.status_code == 422
    assert error_summary(answer.text) == "The complaint is not suspended"
    assert answer.text.startswith("<!DOCTYPE html>") and "<title>Error: " in answer.text
    assert web.store.complaint(REF)["revision"] == before
    assert (REF, "resume") in audited(web, "refused")

    # What was typed is kept.
    answer = await send(clerk, REF, "extend", {"reason": "other", "reason-detail": "Waiting for the school",
                                                "new-due-day": "1", "new-due-month": "1", "new-due-year": "2031"})
    assert answer.status_code == 422
    assert "is beyond the furthest this stage may be extended to" in error_summary(answer.text)
    assert 'value="Waiting for the school"' in answer.text and 'value="2031"' in answer.text
    assert web.store.complaint(REF)["revision"] == before


async def test_the_same_form_sent_twice_is_done_once(web):
    REF = new_ref()
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    await web.register(REF)
    page = await clerk.get(f"/complaints/{REF}/assign")
    form = {**shown_values(page.text), "officer": "io-1"}
    first = await clerk.post(f"/complaints/{REF}/assign", data=form)
    assert first.status_code == 303
    revision = web.store.complaint(REF)["revision"]
    again = await clerk.post(f"/complaints/{REF}/assign", data=form)
    assert again.status_code == 400 and "had already been sent" in again.text
    assert web.store.complaint(REF)["revision"] == revision
    assert len(web.store.complaint(REF)["assignments"]) == 1
    # A fresh form for the same thing is refused by the rules instead.
    fresh = await send(clerk, REF, "assign", {"officer": "io-2"})
    assert fresh.status_code == 422 and "use reassign to change officer" in error_summary(fresh.text)

    # A confirmed action's page, posted again, finds nothing waiting to be confirmed.
    page = await clerk.get(f"/complaints/{REF}/suspend")
    asked = await clerk.post(f"/complaints/{REF}/suspend", data={**shown_values(page.text), "reason": "other"})
    confirm = await clerk.get(asked.headers["location"])
    token = csrf_token(confirm.text)
    assert (await clerk.post(asked.headers["location"], data={"csrf_token": token})).status_code == 303
    revision = web.store.complaint(REF)["revision"]
    replay = await clerk.post(asked.headers["location"], data={"csrf_token": token})
    assert replay.status_code == 400
    assert web.store.complaint(REF)["revision"] == revision


async def test_a_form_without_its_token_or_with_a_forged_one_changes_nothing(web):
    REF = new_ref()
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    await web.register(REF)
    before = web.store.complaint(REF)["revision"]
    page = await clerk.get(f"/complaints/{REF}/assign")
    values = {**shown_values(page.text), "officer": "io-1"}
    without = {k: v for k, v in values.items() if k != "csrf_token"}
    assert (await clerk.post(f"/complaints/{REF}/assign", data=without)).status_code == 400
    forged = await clerk.post(f"/complaints/{REF}/assign", data={**values, "csrf_token": values["csrf_token"] + "x"})
    assert forged.status_code == 400 and "Your form could not be accepted" in forged.text
    assert web.store.complaint(REF)["revision"] == before


# ------------------------------------------------------------------------ bad input on every form


async def test_every_form_refuses_bad_input_with_an_error_summary(web):
    REF = new_ref()
    clerk = await web.signed_in("cara", {"complaints_manager"}, name="Cara Manager")
    await web.register(REF)
    before = web.store.complaint(REF)["revision"]
    for action in FORMS:
        path = f"/complaints/{REF}/{action}"
        page = await clerk.get(path)
        assert page.status_code == 200, action
        shown = shown_values(page.text)
        blank = {k: ("" if k.startswith(("on-", "new-due-")) else v) for k, v in shown.items()}
        empty = await clerk.post(path, data=blank)
        assert empty.status_code == 422, (action, empty.status_code)
        assert "There is a problem" in empty.text and error_summary(empty.text), action
        assert "<title>Error: " in empty.text
        if "on-day" in shown:
            wrong = await clerk.post(path, data={**shown, "on-day": "31", "on-month": "2", "on-year": "2026"})
            assert wrong.status_code == 422
            assert "must be a real date, like 27 3 2026" in error_summary(wrong.text), action
            months = await clerk.post(path, data={**shown, "on-day": "3", "on-month": "December", "on-year": "2099"})
            assert "must be today or in the past" in error_summary(months.text), action
        for name in typed_fields(page.text):
            # (a field revealed by a radio is sent with its radio chosen)
            chosen = {"reason-detail": {"reason": "other"}, "where-note": {"where": "note"}}.get(name, {})
            long = await clerk.post(path, data={**shown, **chosen, name: "x" * 10_001})
            assert long.status_code == 422, (action, name)
            assert "characters or fewer" in error_summary(long.text), (action, name)
    assert web.store.complaint(REF)["revision"] == before, "no bad form changed the complaint"


async def test_markup_typed_into_a_form_is_shown_as_text(web):
    REF = new_ref()
    clerk = await web.signed_in("sam", {"clerk"}, name="Sam Clerk")
    await web.register(REF)
    typed = '<script>alert("x")</script>'
    answer = await send(clerk, REF, "submit-learning", {"text": typed})  # refused: nothing awaits the form
    assert answer.status_code == 422
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in answer.text or \
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in answer.text
    assert typed not in answer.text
    bad_amount = await send(clerk, REF, "record-cost", {"stage": "2", "item": "panel", "amount": "<b>12</b>"})
    assert "The amount must be an amount in pounds, like 1200.50" in error_summary(bad_amount.text)
    assert "<b>12</b>" not in bad_amount.text
    forged_choice = await send(clerk, REF, "assign", {"officer": "<i>io-1</i>"})
    assert forged_choice.status_code == 422 and error_summary(forged_choice.text) == "Select an officer"


async def test_dated_actions_ask_when_with_today_filled_in(web):
    REF = new_ref()
    clerk = await web.signed_in("cara", {"complaints_manager"}, name="Cara Manager")
    await web.register(REF)
    for action in ("assign", "reassign", "extend", "suspend", "resume", "respond", "escalate", "panel-held",
                   "panel-report", "withdraw"):
        page = await clerk.get(f"/complaints/{REF}/{action}")
        shown = shown_values(page.text)
        assert (shown["on-day"], shown["on-month"], shown["on-year"]) == \
            (str(today().day), str(today().month), str(today().year)), action
    assert "When did this happen?" in (await clerk.get(f"/complaints/{REF}/assign")).text


# ------------------------------------------------------------------------ who may do what


async def test_who_may_do_what(web):
    REF = new_ref()
    clerk, one, two, manager = await people(web)
    await web.register(REF)
    await web.act(REF, "assign", a.Assign(officer="io-1"))
    other = new_ref()
    await web.register(other)
    await web.act(other, "assign", a.Assign(officer="hos-1"))

    # An officer not on the complaint, and a reference that does not exist: the same 403.
    not_theirs = await two.get(f"/complaints/{REF}/respond")
    unknown = await two.get("/complaints/CS-2099-9999/respond")
    assert not_theirs.status_code == unknown.status_code == 403
    assert not_theirs.text.replace("CS-2099-9999", "") == unknown.text.replace("CS-2099-9999", "")
    assert (await clerk.get("/complaints/CS-2099-9999/assign")).status_code == 403
    before = web.store.complaint(REF)["revision"]
    posted = await two.post(f"/complaints/{REF}/extend", data={"csrf_token": csrf_token(
        (await two.get("/sign-out")).text), "reason": "complex"})
    assert posted.status_code == 403
    assert web.store.complaint(REF)["revision"] == before

    # The officer on it answers and asks for time; nothing else.
    for action in ("respond", "extend"):
        assert (await one.get(f"/complaints/{REF}/{action}")).status_code == 200, action
    for action in ("assign", "reassign", "suspend", "withdraw", "escalate", "discontinue", "record-cost"):
        assert (await one.get(f"/complaints/{REF}/{action}")).status_code == 403, action

    # A manager reassigns in their own team, to their own team.
    page = await manager.get(f"/complaints/{REF}/reassign")
    assert page.status_code == 200
    assert "Investigating Officer Two, reports to Team Manager" in page.text
    assert "Head of Service" not in page.text
    outside = await manager.post(f"/complaints/{REF}/reassign", data={**shown_values(page.text),
                                                                      "officer": "hos-1"})
    assert outside.status_code == 422 and error_summary(outside.text) == "Select an officer"
    assert web.store.complaint(REF)["revision"] == before
    assert (await manager.get(f"/complaints/{other}/reassign")).status_code == 403, "hos-1 is not in their team"
    assert (await manager.get(f"/complaints/{REF}/suspend")).status_code == 403

    # Only the complaints manager discontinues.
    boss = await web.signed_in("cara", {"complaints_manager"}, name="Cara Manager")
    assert (await clerk.get(f"/complaints/{REF}/discontinue")).status_code == 403
    assert (await boss.get(f"/complaints/{REF}/discontinue")).status_code == 200


async def test_the_complaint_page_lists_the_actions_open_to_each_person(web):
    REF = new_ref()
    clerk, one, two, manager = await people(web)
    officers = load_directory().officers
    await web.register(REF)
    record = web.store.complaint(REF)
    team = Person("sam", "Sam Clerk", frozenset({"clerk"}))
    boss = Person("cara", "Cara", frozenset({"complaints_manager"}))
    io1 = Person("olive", "Olive", frozenset({"officer"}), "io-1")
    tm1 = Person("tom", "Tom", frozenset({"manager"}), "tm-1")
    paths = lambda person, rec: [x["path"].rsplit("/", 1)[1] for x in actions_for(person, rec, officers)]  # noqa: E731
    assert paths(team, record) == ["assign", "extend", "suspend", "withdraw"]
    assert "discontinue" in paths(boss, record) and "discontinue" not in paths(team, record)
    assert paths(io1, record) == []

    await web.act(REF, "assign", a.Assign(officer="io-1"))
    record = web.store.complaint(REF)
    assert paths(io1, record) == ["extend", "respond"]
    assert paths(tm1, record) == ["reassign"]
    assert paths(team, record)[:3] == ["reassign", "extend", "suspend"]
    assert actions_for(io1, record, officers)[0] == {"path": f"/complaints/{REF}/extend",
                                                     "text": "Extend the deadline"}

    await web.act(REF, "suspend", a.Suspend(reason="other"))
    record = web.store.complaint(REF)
    assert "resume" in paths(team, record) and "suspend" not in paths(team, record)
    assert paths(io1, record) == []
