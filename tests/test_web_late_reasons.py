"""Why a response was late, and the stage 2 investigating officer's recommendations, from
the web app's forms on the real engine: the respond form asks why when the response would
be late (and only then), from the council's list; the reason is said afterwards with its
own form, offered on the complaint's page; a code not on the list is refused and changes
nothing; the complaint's page shows the reason in words and the recommendations."""

from __future__ import annotations

from datetime import datetime, timedelta

from models import actions as a
from rules.moments import LONDON
from tests.test_web_actions import audited, done, error_summary, new_ref, people, send, shown_values
from tests.web_harness import csrf_token
from web.actions_open import actions_for
from web.formats import long_date

LATE_QUESTION = "Why is the response late?"


async def late_complaint(web, ref: str) -> None:
    """Received six weeks ago and assigned the next day: its stage 1 response is late today."""
    received = datetime.now(LONDON) - timedelta(days=42)
    await web.register(ref, received=received)
    assigned = await web.act(ref, "assign", a.Assign(officer="io-1", on=(received + timedelta(days=1)).date()))
    assert assigned.done, assigned.message


def stage(web, ref: str, number: int = 1) -> dict:
    return next(s for s in web.store.complaint(ref)["stages"] if s["stage"] == number)


def open_to(web, ref: str, who) -> list[str]:
    from cli.directory import load_directory

    return [x["text"] for x in actions_for(who, web.store.complaint(ref), load_directory().officers)]


async def test_a_late_response_needs_its_reason_which_the_complaint_page_shows_in_words(web):
    REF = new_ref()
    clerk, one, _, _ = await people(web)
    await late_complaint(web, REF)
    form = await one.get(f"/complaints/{REF}/respond")
    assert LATE_QUESTION in form.text
    assert "Staff capacity" in form.text and "Waiting for information from another agency or team" in form.text
    assert "It is not published in the annual report" in form.text
    assert "Recommendations of the investigating officer" not in form.text, "only at stage 2"

    before = web.store.complaint(REF)["revision"]
    answer = await send(one, REF, "respond", {"outcome": "upheld", "where": "note", "where-note": "Case file"})
    assert answer.status_code == 422
    assert error_summary(answer.text) == "Select why the response is late"
    assert 'href="#why-late"' in answer.text
    forged = await send(one, REF, "respond", {"outcome": "upheld", "why-late": "holidays", "where": "note",
                                              "where-note": "Case file"})
    assert forged.status_code == 422 and error_summary(forged.text) == "Select why the response is late"
    assert web.store.complaint(REF)["revision"] == before, "nothing recorded"
    assert stage(web, REF)["responded"] is None

    page = await one.get(f"/complaints/{REF}/respond")
    asked = await one.post(f"/complaints/{REF}/respond", data={
        **shown_values(page.text), "outcome": "upheld", "why-late": "staff_capacity",
        "late-note": "Two officers off sick in March", "where": "note", "where-note": "Case file"})
    assert asked.headers["location"] == f"/complaints/{REF}/respond/check"
    check = await one.get(asked.headers["location"])
    assert "Why it is late" in check.text and "Staff capacity" in check.text
    assert "Two officers off sick in March" in check.text and "staff_capacity" not in check.text
    assert web.store.complaint(REF)["revision"] == before, "nothing recorded before it is checked"
    answer = await one.post(asked.headers["location"], data={"csrf_token": csrf_token(check.text)})
    assert answer.status_code == 303

    kept = stage(web, REF)
    assert (kept["on_time"], kept["late_reason"], kept["late_note"]) == (
        False, "staff_capacity", "Two officers off sick in March")
    shown = (await clerk.get(f"/complaints/{REF}")).text
    assert "Why it was late" in shown and "Staff capacity" in shown and "staff_capacity" not in shown
    assert "Two officers off sick in March" in shown
    assert "Say why the response was late" not in shown, "the reason is recorded already"
    assert (REF, "respond upheld staff_capacity") in audited(web, "action")
    assert not any("sick" in d for _, d in audited(web, "action")), "the note stays out of the audit log"


async def test_a_response_dated_before_its_due_date_is_not_asked_why(web):
    """Sent in time, though recorded today: the question does not apply, and the rules
    record it as on time."""
    REF = new_ref()
    _, one, _, _ = await people(web)
    await late_complaint(web, REF)
    sent = (datetime.now(LONDON) - timedelta(days=40)).date()
    words = await done(one, REF, "respond", {"outcome": "not_upheld", "where": "note", "where-note": "Case file",
                                              "on-day": str(sent.day), "on-month": str(sent.month),
                                              "on-year": str(sent.year)})
    assert words.startswith("Response recorded for stage 1: on time.")
    kept = stage(web, REF)
    assert (kept["on_time"], kept["late_reason"]) == (True, None)


async def test_the_reason_said_afterwards_from_its_own_form(web):
    REF = new_ref()
    clerk, one, two, _ = await people(web)
    await late_complaint(web, REF)
    taken = await web.act(REF, "respond", a.Respond("upheld"))          # late, and no reason given
    assert taken.done, taken.message
    assert stage(web, REF)["late_reason"] is None

    from web.access import Person
    team = Person("sam", "Sam Clerk", frozenset({"clerk"}))
    io1 = Person("olive", "Olive", frozenset({"officer"}), "io-1")
    io2 = Person("oscar", "Oscar", frozenset({"officer"}), "io-2")
    assert "Say why the response was late" in open_to(web, REF, team)
    assert "Say why the response was late" in open_to(web, REF, io1)
    assert "Say why the response was late" not in open_to(web, REF, io2)
    page = (await one.get(f"/complaints/{REF}")).text
    assert f'href="/complaints/{REF}/late-reason"' in page
    assert "Why it was late" in page and "Not recorded" in page
    assert (await two.get(f"/complaints/{REF}/late-reason")).status_code == 403

    form = await clerk.get(f"/complaints/{REF}/late-reason")
    assert "Say why the response was late" in form.text and "Why was the response late?" in form.text
    assert f"after its due date of {long_date(stage(web, REF)['due'])}" in form.text
    before = web.store.complaint(REF)["revision"]
    empty = await send(clerk, REF, "late-reason", {})
    assert empty.status_code == 422 and error_summary(empty.text) == "Select why the response was late"
    forged = await send(clerk, REF, "late-reason", {"reason": "holidays", "note": "Summer"})
    assert forged.status_code == 422 and error_summary(forged.text) == "Select why the response was late"
    assert 'value="holidays"' not in forged.text
    assert web.store.complaint(REF)["revision"] == before, "nothing changed"

    words = await done(clerk, REF, "late-reason", {"reason": "waiting_for_information",
                                                    "note": "The school's records came late"})
    assert words == ("Why the stage 1 response was late is recorded: "
                     "Waiting for information from another agency or team.")
    record = web.store.complaint(REF)
    kept = stage(web, REF)
    assert (kept["late_reason"], kept["late_note"]) == ("waiting_for_information", "The school's records came late")
    assert (record["history"][-1]["action"], record["history"][-1]["by"]) == ("late_reason", "Sam Clerk")
    shown = (await clerk.get(f"/complaints/{REF}")).text
    assert "Waiting for information from another agency or team" in shown
    assert "waiting_for_information" not in shown
    assert "Say why the response was late" not in open_to(web, REF, team), "said once, no longer offered"
    assert (REF, "late-reason stage-1 waiting_for_information") in audited(web, "action")


async def test_a_reason_for_a_response_in_time_is_refused_in_words(web):
    REF = new_ref()
    clerk, one, _, _ = await people(web)
    await web.register(REF)
    await web.act(REF, "assign", a.Assign(officer="io-1"))
    form = await one.get(f"/complaints/{REF}/respond")
    assert LATE_QUESTION not in form.text and "Anything to add" not in form.text
    assert (await done(one, REF, "respond", {"outcome": "upheld", "where": "note", "where-note": "Case file"})
            ).startswith("Response recorded for stage 1: on time.")
    before = web.store.complaint(REF)["revision"]
    refused = await send(clerk, REF, "late-reason", {"reason": "staff_capacity"})
    assert refused.status_code == 422
    due, answered = stage(web, REF)["due"], stage(web, REF)["responded"]
    assert error_summary(refused.text) == (f"The response is not late: due {long_date(due)}, "
                                           f"answered on {long_date(answered)}")
    assert web.store.complaint(REF)["revision"] == before


async def test_stage_2_recommendations_one_per_line(web):
    REF = new_ref()
    clerk, _, _, _ = await people(web)
    await web.register(REF)
    for update, request in (("assign", a.Assign(officer="io-1")), ("respond", a.Respond("not_upheld")),
                            ("escalate", a.Escalate("disagree")), ("assign", a.Assign(officer="hos-1"))):
        assert (await web.act(REF, update, request)).done, update
    form = await clerk.get(f"/complaints/{REF}/respond")
    assert "Recommendations of the investigating officer (one per line)" in form.text
    assert LATE_QUESTION not in form.text

    before = web.store.complaint(REF)["revision"]
    too_long = await send(clerk, REF, "respond", {"outcome": "partially_upheld", "where": "note",
                                                  "where-note": "Case file",
                                                  "recommendations": "Fine\n" + "x" * 1001})
    assert too_long.status_code == 422
    assert error_summary(too_long.text) == "Recommendation 2 must be 1,000 characters or fewer; it is 1,001"
    assert web.store.complaint(REF)["revision"] == before

    page = await clerk.get(f"/complaints/{REF}/respond")
    typed = "Apologise to the family in writing\r\n\r\n  Train the team on <b>recording</b> visits  \r\n\r\n"
    asked = await clerk.post(f"/complaints/{REF}/respond", data={
        **shown_values(page.text), "outcome": "partially_upheld", "where": "note", "where-note": "Case file",
        "recommendations": typed})
    check = await clerk.get(asked.headers["location"])
    assert "<li>Apologise to the family in writing</li>" in check.text
    assert "<li>Train the team on &lt;b&gt;recording&lt;/b&gt; visits</li>" in check.text
    answer = await clerk.post(asked.headers["location"], data={"csrf_token": csrf_token(check.text)})
    assert answer.status_code == 303
    assert stage(web, REF, 2)["recommendations"] == ["Apologise to the family in writing",
                                                    "Train the team on <b>recording</b> visits"]
    shown = (await clerk.get(f"/complaints/{REF}")).text
    assert "Recommendations of the investigating officer" in shown
    assert "<li>Train the team on &lt;b&gt;recording&lt;/b&gt; visits</li>" in shown


async def test_the_councils_own_list_is_offered_and_checked_against(web, tmp_path, monkeypatch):
    """The council's own list (COMPLAINTS_LATE_REASONS_FILE) is the one offered, and the
    request carries it, so the engine takes a reason the shipped list does not have; a list
    that cannot be read is said on the form, and nothing is recorded."""
    own = tmp_path / "late-reasons.yaml"
    own.write_text("reasons:\n  annual_leave: Staff on annual leave\n  other: Another reason\n")
    monkeypatch.setenv("COMPLAINTS_LATE_REASONS_FILE", str(own))
    REF = new_ref()
    clerk, one, _, _ = await people(web)
    await late_complaint(web, REF)
    form = await one.get(f"/complaints/{REF}/respond")
    assert "Staff on annual leave" in form.text and "Staff capacity" not in form.text

    own.write_text("reasons: [not, a, list]\n")
    before = web.store.complaint(REF)["revision"]
    broken = await send(one, REF, "respond", {"outcome": "upheld", "why-late": "annual_leave", "where": "note",
                                              "where-note": "Case file"})
    assert broken.status_code == 422
    assert error_summary(broken.text).startswith("The council's list of reasons for lateness cannot be read")
    assert str(own) in error_summary(broken.text)
    assert web.store.complaint(REF)["revision"] == before

    own.write_text("reasons:\n  annual_leave: Staff on annual leave\n  other: Another reason\n")
    words = await done(one, REF, "respond", {"outcome": "upheld", "why-late": "annual_leave", "where": "note",
                                              "where-note": "Case file"})
    assert words.startswith("Response recorded for stage 1:") and "late" in words
    assert stage(web, REF)["late_reason"] == "annual_leave"
    shown = (await clerk.get(f"/complaints/{REF}")).text
    assert "Staff on annual leave" in shown and "annual_leave" not in shown
