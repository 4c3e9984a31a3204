"""Check your complaint, from the link in the family's letters, on the real engine: the page
shows the stage, the due date and the family's letters and nothing else; the family asks
for the next stage when the rules allow (a refusal shows the rule's reason); the
Complaints Team stops the link (it then 404s) and makes a new one (that works); a
guessed token, or a complaint whose records are gone, 404s; officers' notices link to
the complaint's page, which asks them to sign in.
"""

from __future__ import annotations

import asyncio
import html
import re
import secrets
import time

from sqlalchemy import delete, select

from cli.directory import load_directory
from models import actions as a
from store.record_store import complaints
from tests.web_harness import BASE, csrf_token
from web import family_links
from web.formats import long_date
from web.tables import audit_log


def words(page) -> str:
    main = page.text.split('id="main-content"', 1)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


def new_ref() -> str:
    # The engine is shared by the whole test session: each complaint its own reference.
    return f"CS-FAM-{secrets.token_hex(4)}"


def mail_to(sink, address: str, subject_has: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in sink.messages:
            if address in str(message["To"]) and subject_has in str(message["Subject"]):
                return message
        sink.wait_for(len(sink.messages) + 1, timeout=0.5)
    raise AssertionError(f"no mail to {address} about {subject_has!r}")


def check_path(web, ref: str) -> str:
    token = family_links.link_for(web.store.engine, ref)
    assert token is not None
    return f"/check/{token}"


def audit_events(web) -> list[tuple]:
    with web.store.engine.connect() as conn:
        return [(r.who, r.event, r.ref, r.detail) for r in conn.execute(select(audit_log))]


async def test_the_family_sees_stage_due_date_and_letters_and_no_officer(web):
    ref = new_ref()
    await web.register(ref, email="family@example.org")
    officer = next(o for o in load_directory().officers if o.id == "io-1")
    assert (await web.act(ref, "assign", a.Assign("io-1", by="Sam Clerk"))).done

    # The acknowledgement carries the link; it is the one the page answers to.
    acknowledgement = await asyncio.to_thread(mail_to, web.mail_sink, "family@example.org", "received")
    link = re.search(r"Check your complaint online:\s+(\S+)", acknowledgement.get_body(("plain",)).get_content())
    assert link.group(1) == BASE + check_path(web, ref)

    page = await web.client().get(check_path(web, ref))
    assert page.status_code == 200
    seen = words(page)
    record = web.store.complaint(ref)
    assert f"Your complaint {ref}" in seen
    assert "Stage 1 (local resolution)" in seen
    assert "We are looking into your complaint" in seen
    assert f"Our response is due {long_date(record['stages'][0]['due'])}" in seen
    assert f"Your complaint {ref}: we have received it" in seen          # the letter, readable
    assert "Thank you for telling us about your complaint" in seen
    # Nothing about the people handling it, nor what happened inside the council.
    for hidden in (officer.name, officer.email, "Sam Clerk", "io-1"):
        assert hidden not in page.text
    assert "Ask for the next stage" not in seen        # stage 1 is neither answered nor late
    assert "Exit this page" in page.text
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"
    assert ("public", "public", ref, "viewed the complaint's check page") in audit_events(web)

    # The officer's assignment links to the complaint's page, which asks them to sign in.
    assignment = await asyncio.to_thread(mail_to, web.mail_sink, officer.email, "assigned to you")
    text = assignment.get_body(("plain",)).get_content()
    assert f"Open the complaint: {BASE}/complaints/{ref}" in " ".join(text.split())
    assert "/check/" not in text
    staff_page = await web.client().get(f"/complaints/{ref}")
    assert staff_page.status_code == 303 and staff_page.headers["location"].startswith("/sign-in")


async def test_the_family_asks_for_the_next_stage(web):
    ref = new_ref()
    await web.register(ref)
    assert (await web.act(ref, "assign", a.Assign("io-1"))).done
    assert (await web.act(ref, "respond", a.Respond("not_upheld"))).done
    family = web.client()
    path = check_path(web, ref)
    page = await family.get(path)
    assert "We have sent you our response" in words(page) and "Ask for the next stage" in words(page)
    assert "You disagree with our response" in words(page)

    unchosen = await family.post(path, data={"csrf_token": csrf_token(page.text)})
    assert unchosen.status_code == 422
    assert "Select why you are asking for the next stage" in words(unchosen)

    asked = await family.post(path, data={"csrf_token": csrf_token(page.text), "reason": "disagree"})
    assert asked.status_code == 303 and asked.headers["location"] == path
    after = await family.get(path)
    assert "You have asked for the next stage" in words(after)
    assert "Stage 2" in words(after)
    record = web.store.complaint(ref)
    assert record["stage"] == 2
    assert record["history"][-1]["action"] == "escalate" and record["history"][-1]["by"] == "the complainant (online)"

    # Asking again at once (a form sent twice): the rules refuse, and the page says why in their words.
    again = await family.post(path, data={"csrf_token": csrf_token(page.text), "reason": "disagree"})
    assert again.status_code == 422
    assert "There is a problem" in words(again) and "has not been answered and is not overdue" in words(again)
    assert web.store.complaint(ref)["stage"] == 2


async def test_the_team_stops_the_link_and_makes_a_new_one(web):
    ref = new_ref()
    await web.register(ref)
    old = check_path(web, ref)
    assert (await web.client().get(old)).status_code == 200
    clerk = await web.signed_in("clerk-fam", {"clerk"}, name="Sam Clerk")
    page_with_token = await clerk.get("/sign-in")

    stopped = await clerk.post(f"/complaints/{ref}/family-link",
                               data={"csrf_token": csrf_token(page_with_token.text), "action": "revoke"})
    assert stopped.status_code == 303 and stopped.headers["location"] == f"/complaints/{ref}"
    gone = await web.client().get(old)
    assert gone.status_code == 404
    council = web.app.state.web.council
    assert "This link no longer works" in words(gone) and council.telephone in words(gone)
    assert family_links.link_for(web.store.engine, ref) is None          # later letters carry none
    assert family_links.state(web.store.engine, ref) == "stopped"

    renewed = await clerk.post(f"/complaints/{ref}/family-link",
                               data={"csrf_token": csrf_token(page_with_token.text), "action": "renew"})
    assert renewed.status_code == 303
    new = check_path(web, ref)
    assert new != old
    assert (await web.client().get(new)).status_code == 200
    assert (await web.client().get(old)).status_code == 404
    events = audit_events(web)
    assert ("clerk-fam", "action", ref, "family link stopped") in events
    assert ("clerk-fam", "action", ref, "family link renewed") in events

    # Only the Complaints Team: an officer, or a reference that does not exist, gets the one 403.
    officer = await web.signed_in("officer-fam", {"officer"}, directory_id="io-1")
    token = csrf_token((await officer.get("/sign-in")).text)
    refused = await officer.post(f"/complaints/{ref}/family-link", data={"csrf_token": token, "action": "revoke"})
    assert refused.status_code == 403
    unknown = await clerk.post("/complaints/CS-NO-SUCH/family-link",
                               data={"csrf_token": csrf_token(page_with_token.text), "action": "revoke"})
    assert unknown.status_code == 403
    assert (await web.client().get(new)).status_code == 200


async def test_a_guessed_token_or_a_removed_complaint_is_not_found(web):
    ref = new_ref()
    await web.register(ref)
    path = check_path(web, ref)
    client = web.client()
    for guess in (f"/check/{ref}", "/check/" + secrets.token_urlsafe(32)[:43], "/check/x", path[:-1] + "A"):
        if guess == path:
            continue
        answer = await client.get(guess)
        assert answer.status_code == 404 and "This link no longer works" in words(answer)
        assert ref not in answer.text
    # The complaint's records removed: its link opens nothing.
    with web.store.engine.begin() as conn:
        conn.execute(delete(complaints).where(complaints.c.ref == ref))
    assert (await client.get(path)).status_code == 404


def test_a_token_is_long_keyed_and_never_the_reference(tmp_path, monkeypatch):
    monkeypatch.setenv(family_links.KEY_FILE_VARIABLE, str(tmp_path / "keys" / "link.key"))
    token = family_links.token_for("CS-2026-0001", 0)
    assert len(token) == 43 and "CS-2026" not in token
    assert family_links.token_for("CS-2026-0001", 1) != token           # a renewed link is another
    key = tmp_path / "keys" / "link.key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert family_links.token_for("CS-2026-0001", 0) == token           # the same key, the same token
    monkeypatch.setenv(family_links.KEY_FILE_VARIABLE, str(tmp_path / "other.key"))
    assert family_links.token_for("CS-2026-0001", 0) != token           # another council's key, another

