"""The directory for the Complaints Team: each person's managers in words and their open
complaints; handing a leaver's complaints over at once, each reassigned by the rules, a
refused one listed with the rule's reason."""

from __future__ import annotations

import html
import re
import uuid

from sqlalchemy import select

from models.actions import Assign, Respond
from web.tables import audit_log


def new_ref() -> str:
    return f"CS-{uuid.uuid4().hex[:8].upper()}"


def words(page_html: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page_html)).split())


async def assigned_to(web, officer: str) -> str:
    ref = new_ref()
    await web.register(ref)
    done = await web.act(ref, "assign", Assign(officer))
    assert done.done, done.message
    return ref


async def test_the_directory_shows_each_persons_managers_in_words_and_their_open_complaints(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    for _ in range(2):
        await assigned_to(web, "io-1")
    await assigned_to(web, "io-2")
    page = await clerk.get("/directory")
    assert page.status_code == 200
    text = words(page.text)
    assert "cli/example_directory.yaml" in text and "example directory" in text
    rows = {html.unescape(m.group(1)): words(m.group(2)) for m in re.finditer(
        r'<th scope="row" class="govuk-table__header">([^<]+)</th>(.*?)</tr>', page.text, flags=re.S)}
    assert rows["Investigating Officer One"] == (
        "io1@council.example Team Manager, then Head of Service, then Director of Children's Services 2 "
        "Hand over Investigating Officer One's complaints")
    assert rows["Investigating Officer Two"].startswith(
        "io2@council.example Team Manager, then Head of Service, then Director of Children's Services 1 ")
    assert rows["Director of Children's Services"] == "dir1@council.example Nobody: the top of the chain 0"
    assert "io-1" not in text, "no codes: people by name"


async def test_a_leavers_complaints_are_handed_over_and_a_refused_one_says_why(web):
    clerk = await web.signed_in("clerk", {"clerk"}, name="Sam Patel")
    first, second, answered = [await assigned_to(web, "io-1") for _ in range(3)]
    done = await web.act(answered, "respond", Respond("upheld"))
    assert done.done, done.message

    form = await clerk.get("/directory/io-1/handover")
    assert form.status_code == 200
    for ref in (first, second, answered):
        assert re.search(rf'value="{ref}" checked', form.text), "every open complaint is ticked"

    result = await web.form(clerk, "/directory/io-1/handover",
                            {"complaints": [first, second, answered], "officer": "io-2"})
    assert result.status_code == 200, result.text[:2000]
    text = words(result.text)
    assert "2 of 3 complaints handed over" in text
    assert f"{first} Handed over Investigating Officer Two takes over; due date unchanged" in text
    assert f"{second} Handed over" in text
    assert re.search(rf"{answered} Not handed over Stage 1 was answered on \w+day \d+ \w+ \d{{4}}; "
                     "there is nothing left to investigate", text), text

    for ref in (first, second):
        record = web.store.complaint(ref)
        assert record["stages"][-1]["officer"] == "io-2"
        assert record["history"][-1]["by"] == "Sam Patel"
    assert web.store.complaint(answered)["stages"][-1]["officer"] == "io-1"
    with web.store.engine.connect() as conn:
        logged = {(r.ref, r.event) for r in conn.execute(select(audit_log))}
    assert {(first, "action"), (second, "action"), (answered, "refused")} <= logged


async def test_a_handover_needs_complaints_and_an_officer(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    ref = await assigned_to(web, "io-1")
    answer = await web.form(clerk, "/directory/io-1/handover", {"officer": ""})
    assert answer.status_code == 422
    assert "Error: " in answer.text and 'href="#complaints"' in answer.text and 'href="#officer"' in answer.text
    assert "Select the officer taking over" in answer.text
    assert web.store.complaint(ref)["stages"][-1]["officer"] == "io-1"
    same = await web.form(clerk, "/directory/io-1/handover", {"complaints": [ref], "officer": "io-1"})
    assert same.status_code == 422, "the leaver is not offered to take their own complaints"


async def test_an_unknown_person_is_the_same_403(web):
    clerk = await web.signed_in("clerk", {"clerk"})
    answer = await clerk.get("/directory/nobody/handover")
    assert answer.status_code == 403 and "You cannot see this page" in answer.text


async def test_officers_and_managers_cannot_use_the_directory(web):
    for username, roles, directory_id in (("olu", {"officer"}, "io-1"), ("mo", {"manager"}, "tm-1"),
                                          ("ada", {"admin"}, None)):
        someone = await web.signed_in(username, roles, directory_id)
        for path in ("/directory", "/directory/io-1/handover"):
            answer = await someone.get(path)
            assert answer.status_code == 403, (username, path)
        answer = await someone.post("/directory/io-1/handover", data={"officer": "io-2"})
        assert answer.status_code == 403
