"""No engine code in any page: a person reads "Court proceedings", never `court_proceedings`.

A caseload with every kind of thing a page shows (each procedure, complainants of every
kind, a clock stopped, outcomes, an escalation, costs, the Ombudsman, a withdrawal, an
overdue complaint) is put through the engine; then each role's pages are crawled by link
from their home page in a real browser, and every page's visible words are searched for
the codes of models.complaint (the ones that look like codes: underscores, hyphenated
slugs), the procedures' file names, any word joined by underscores, and the directory's
ids where a name belongs. The family's "Check your complaint" page is opened from the
link in their letter.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from models import actions as a
from rules.moments import LONDON
from tests.browser import Visitor, body_of, chromium, codes_in, crawl, links_in, mails, unique_number, varied_caseload

STAFF = {
    # username: (roles, directory id, name)
    "sam": ({"clerk"}, None, "Sam Patel"),
    "morgan": ({"complaints_manager"}, None, "Morgan Lee"),
    "olu": ({"officer"}, "io-1", "Investigating Officer One"),
    "tess": ({"manager"}, "tm-1", "Team Manager"),
    "ada": ({"admin"}, None, "Ada Admin"),
}


async def late_responses(web) -> dict[str, str]:
    """Responses given late: one whose reason (a code of the council's list) and stage 2
    recommendations were recorded, one still without a reason, one still to be answered.
    Returns the pages that show or ask for them."""
    received = datetime.now(LONDON) - timedelta(days=42)
    # Answered late a few days ago: still in time to ask for stage 2 today.
    answered = (datetime.now(LONDON) - timedelta(days=4)).date()
    block = unique_number()
    refs = [f"CS-LATE-{block}-{n}" for n in range(3)]
    for ref in refs:
        await web.register(ref, received=received)
        assert (await web.act(ref, "assign", a.Assign("io-1", on=(received + timedelta(days=1)).date()))).done
    reasoned, unreasoned, unanswered = refs
    for update, request in (
            ("respond", a.Respond("upheld", on=answered,
                                  late_reason="officer_left_or_changed", late_note="handed over in the summer")),
            ("escalate", a.Escalate("late_response")),
            ("assign", a.Assign("hos-1")),
            ("respond", a.Respond("partially_upheld", recommendations=["Keep the family told every week"]))):
        done = await web.act(reasoned, update, request)
        assert done.done, (update, done.message)
    assert (await web.act(unreasoned, "respond", a.Respond("not_upheld"))).done
    return {"a reason and recommendations": f"/complaints/{reasoned}",
            "no reason yet": f"/complaints/{unreasoned}",
            "the reason's own form": f"/complaints/{unreasoned}/late-reason",
            "the response's form, late": f"/complaints/{unanswered}/respond"}


def check_links(sink, refs) -> dict[str, str]:
    """Each complaint's "Check your complaint" path, from the letters the family was sent."""
    found = {}
    for ref in refs:
        for message in mails(sink, ref, to="complainant"):
            for link in links_in(message):
                if "/check/" in link:
                    found[ref] = urlsplit(link).path
    return found


async def test_no_page_shows_an_engine_code(web):
    refs = await varied_caseload(web)
    late = await late_responses(web)
    passwords = {user: web.add_user(user, roles, directory_id, name)
                 for user, (roles, directory_id, name) in STAFF.items()}
    base = await web.serve()
    shown: dict[str, list[str]] = {}
    broken: dict[str, int] = {}
    reached: dict[str, int] = {}
    async with chromium() as browser:
        for user in STAFF:
            visitor = await Visitor.open(browser, base)
            await visitor.sign_in(user, passwords[user])
            count = 0
            async for path, status in crawl(visitor, [visitor.path], per_kind=8):
                count += 1
                if status >= 500:
                    broken[f"{user} {path}"] = status
                if codes := await visitor.codes_shown():
                    shown[f"{user} {path}"] = codes
            reached[user] = count
            if user == "sam":
                # Reasons for lateness are the council's codes: each page that shows or asks
                # for one, whether or not the crawl's share of complaint pages reached it.
                for what, path in late.items():
                    await visitor.goto(path)
                    if codes := await visitor.codes_shown():
                        shown[f"{user} {path} ({what})"] = codes
            await visitor.close()

        family = await Visitor.open(browser, base)
        links = check_links(web.mail_sink, refs)
        for ref, path in sorted(links.items()):
            await family.goto(path)
            if codes := await family.codes_shown():
                shown[f"family {ref}"] = codes
        await family.close()

    print("pages crawled per person:", reached, "family pages:", len(links))
    report = [f"  {where}: {', '.join(c)}" for where, c in shown.items()]
    report += [f"  {where}: the page failed ({status})" for where, status in broken.items()]
    assert not report, "engine codes shown (or pages that could not be read):\n" + "\n".join(report)
    assert reached["sam"] > 10, reached


def test_the_code_finder_knows_a_code_from_english():
    assert codes_in("Reason: court_proceedings. Outcome: partially_upheld") == ["court_proceedings",
                                                                                "partially_upheld"]
    assert codes_in("children-statutory procedure, assigned to io-1") == ["children-statutory", "io-1"]
    assert codes_in("Court proceedings. Partially upheld. Children's statutory procedure. "
                    "Write to pat_parent@example.org; see cli/example_directory.yaml; a well-known rule") == []
    assert codes_in("They asked for the late_response stage") == ["late_response"]
    assert codes_in("Io-2 was assigned at stage 1") == ["Io-2"], "an id capitalised at a sentence's start"
    assert body_of  # the mail helpers are shared with the journeys


async def test_a_refused_action_says_why_in_words(web):
    """A refusal shows the rule's own reason in the error summary: in words, as a person
    reads them - no procedure's file name, no officer's id."""
    refs = await varied_caseload(web)
    ref_for = {why.split(",")[0]: ref for ref, why in refs.items()}
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    base = await web.serve()
    shown: dict[str, list[str]] = {}
    async with chromium() as browser:
        clerk = await Visitor.open(browser, base)
        await clerk.sign_in("sam", password)

        # Stage 2 of the statutory procedure needs an officer new to the complaint.
        stage2 = ref_for["stage 2 with an independent person and a cost"]
        await clerk.goto(f"/complaints/{stage2}/assign")
        await clerk.select("Who will investigate?", "Investigating Officer Two, reports to Team Manager")
        await clerk.press_button("Assign")
        assert await clerk.errors(), "the stage 1 officer cannot take stage 2"
        shown["assigning stage 2 to the stage 1 officer"] = await clerk.codes_shown()

        # The Complaint Handling Code does not stop the clock.
        code = ref_for["the Complaint Handling Code"]
        await clerk.goto(f"/complaints/{code}/suspend")
        await clerk.choose("Court proceedings")
        await clerk.press_button("Continue")
        await clerk.press_button("Stop the clock")
        assert await clerk.errors(), "the Complaint Handling Code has no pause"
        shown["stopping the clock under the Complaint Handling Code"] = await clerk.codes_shown()
        await clerk.close()

    found = {why: codes for why, codes in shown.items() if codes}
    assert not found, "engine codes in a refusal's words:\n" + "\n".join(
        f"  {why}: {', '.join(codes)}" for why, codes in found.items())
