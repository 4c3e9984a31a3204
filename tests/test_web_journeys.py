"""The service's journeys end to end in Debian's chromium, on the real engine (Temporal dev
server, the real worker, a SQLite record store, a real mail sink), as each person does
them: a family complains online; a clerk sees it on the dashboard and assigns it; the
officer opens the link in the assignment email, signs in, asks for more time and
responds; the family asks for the next stage from the link in their letter; a manager
sees a complaint escalated to them; a clerk stops and restarts the clock; the complaints
manager reads the audit log and downloads it.

Every page reached is screenshotted (tests/artifacts/web/NN-name.png), checked by
axe-core (WCAG 2.2 AA), searched for engine codes, and nothing may go wrong in it.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlsplit

from tests.browser import Visitor, chromium, escalated_complaint, links_in, mails, unique_number

STORY = ("My son's social worker changed three times in two months and nobody told us. "
         "We missed a review meeting because the letter went to our old address.")
WISH = "An apology, and one social worker who stays."


async def complain_online(family: Visitor, shots: str = "") -> str:
    """The public form, one question a page; returns the reference the panel shows.
    Screenshots are named ``<shots>NN-name``."""
    await family.goto("/complain")
    await family.check(f"{shots}01-complain-start")
    await family.press_button("Start now")

    assert await family.heading() == "Who are you?"
    await family.check(f"{shots}02-complain-who")
    await family.choose("Parent")
    await family.press_button("Continue")

    await family.check(f"{shots}03-complain-name")
    await family.fill("What is your name?", "Pat Parent")
    await family.press_button("Continue")

    await family.check(f"{shots}04-complain-about")
    await family.fill("The child's first name or initials (optional)", "J")
    await family.choose("Children in care")
    await family.press_button("Continue")

    await family.check(f"{shots}05-complain-what-happened")
    await family.fill("What happened?", STORY)
    await family.press_button("Continue")

    await family.check(f"{shots}06-complain-would-like")
    await family.fill("What would you like to happen?", WISH)
    await family.press_button("Continue")

    # The email box is revealed by choosing "By email" (the GOV.UK conditional reveal).
    await family.check(f"{shots}07-complain-contact")
    await family.choose("By email")
    await family.fill("Email address", "pat.parent@example.org")
    await family.check(f"{shots}07b-complain-contact-email")
    await family.press_button("Continue")

    assert await family.heading() == "Check your answers before sending your complaint"
    shown = await family.main_text()
    assert STORY in shown and WISH in shown and "pat.parent@example.org" in shown and "Parent" in shown
    await family.check(f"{shots}08-complain-check")
    await family.press_button("Send complaint")

    assert "Complaint sent" in await family.main_text()
    await family.check(f"{shots}09-complain-sent")
    found = re.search(r"CS-\d{4}-\d{4}", await family.page.inner_text(".govuk-panel"))
    assert found, await family.main_text()
    return found.group(0)


async def test_a_complaint_from_the_family_to_the_audit_log(web):
    passwords = {
        "sam": web.add_user("sam", {"clerk"}, name="Sam Patel"),
        "olu": web.add_user("olu", {"officer"}, "io-1", name="Investigating Officer One"),
        "tess": web.add_user("tess", {"manager"}, "tm-1", name="Team Manager"),
        "morgan": web.add_user("morgan", {"complaints_manager"}, name="Morgan Lee"),
    }
    base = await web.serve()
    async with chromium() as browser:
        # -- a family complains online ------------------------------------------------------
        family = await Visitor.open(browser, base)
        ref = await complain_online(family)
        await web.settled(ref)

        # -- a clerk sees it on the dashboard and assigns it ----------------------------------
        clerk = await Visitor.open(browser, base)
        await clerk.goto("/sign-in")
        await clerk.check("10-sign-in")
        await clerk.sign_in("sam", passwords["sam"], landing="/")
        await assign_from_the_dashboard(clerk, ref, STORY)
        await clerk.check("15-assigned")

        # -- the officer follows the link in the assignment email -----------------------------
        sent = await wait_for_mail(web, ref, "assignment", "io-1")
        link = next(lk for lk in links_in(sent) if f"/complaints/{ref}" in lk)
        officer = await Visitor.open(browser, base)
        await officer.page.goto(base + urlsplit(link).path)
        assert officer.path.startswith("/sign-in?next="), officer.path
        await officer.check("16-officer-sign-in")
        await officer.sign_in("olu", passwords["olu"], landing=f"/complaints/{ref}")
        await officer.check("17-officer-complaint")

        await officer.follow("Extend the deadline", within="main")
        await officer.check("18-extend")
        await officer.choose("The complaint is complex")
        await officer.press_button("Extend the deadline")
        assert officer.path == f"/complaints/{ref}", await officer.errors()
        assert await officer.banner()
        await officer.check("19-extended")

        await officer.follow("Record the response", within="main")
        await officer.check("20-respond")
        await officer.choose("Partially upheld")
        await officer.choose("Say where it is kept")
        await officer.fill("Where is the response kept?", "The case management system, under J's record")
        await officer.press_button("Continue")
        assert await officer.heading() == "Check the response before you record it", await officer.errors()
        await officer.check("21-respond-check")
        await officer.press_button("Record the response")
        assert officer.path == f"/complaints/{ref}", await officer.errors()
        assert "on time" in (await officer.banner()).lower()
        await officer.check("22-responded")

        # -- the family asks for the next stage from the link in their letter ------------------
        response = await wait_for_mail(web, ref, "response_issued", "complainant")
        check_link = next(lk for lk in links_in(response) if "/check/" in lk)
        await family.goto(urlsplit(check_link).path)
        assert ref in await family.heading()
        await family.check("23-family-check")
        await family.choose("You disagree with our response")
        await family.press_button("Ask for the next stage")
        assert "You have asked for the next stage" in await family.banner(), await family.errors()
        await family.check("24-family-escalated")
        assert web.store.complaint(ref)["stage"] == 2

        # -- a manager sees a complaint escalated to them --------------------------------------
        late = f"{ref[:8]}{unique_number()}"
        await escalated_complaint(web, late, "io-1")
        manager = await Visitor.open(browser, base)
        await manager.sign_in("tess", passwords["tess"], landing="/team")
        escalated = manager.page.locator("table", has=manager.page.locator("caption",
                                                                           has_text="Escalated to you"))
        assert late in await escalated.inner_text(), await manager.main_text()
        await manager.check("25-team-escalated")
        await manager.follow(late, within="main")
        await manager.check("26-manager-complaint")

        # -- a clerk stops the clock and restarts it ---------------------------------------------
        await clerk.goto(f"/complaints/{ref}")
        await clerk.follow("Stop the clock", within="main")
        await clerk.check("27-suspend")
        await clerk.choose("Court proceedings")
        await clerk.fill("Which proceedings (optional)", "Care proceedings in the Family Court")
        await clerk.press_button("Continue")
        assert await clerk.heading() == "Stop the clock?", await clerk.errors()
        await clerk.check("28-suspend-confirm")
        await clerk.press_button("Stop the clock")
        assert clerk.path == f"/complaints/{ref}", await clerk.errors()
        assert "clock" in (await clerk.banner()).lower()
        await clerk.check("29-suspended")
        assert web.store.complaint(ref)["status"] == "suspended"

        await clerk.follow("Restart the clock", within="main")
        await clerk.check("30-resume")
        await clerk.press_button("Continue")
        assert await clerk.heading() == "Restart the clock?", await clerk.errors()
        await clerk.check("31-resume-confirm")
        await clerk.press_button("Restart the clock")
        assert clerk.path == f"/complaints/{ref}", await clerk.errors()
        assert await clerk.banner()
        await clerk.check("32-resumed")
        assert web.store.complaint(ref)["status"] == "open"

        # -- the complaints manager reads the audit log and downloads it ----------------------------
        cm = await Visitor.open(browser, base)
        await cm.sign_in("morgan", passwords["morgan"], landing="/")
        await cm.follow("Audit log")
        log = await cm.main_text()
        assert "sam" in log or "Sam Patel" in log
        await cm.check("33-audit")
        await cm.fill("Complaint reference", ref)
        await cm.press_button("Apply filter")
        await cm.check("34-audit-filtered")
        async with cm.page.expect_download() as download_info:
            await cm.page.get_by_role("link", name=re.compile("^Download CSV")).click()
        download = await download_info.value
        rows = list(csv.reader(io.StringIO(open(await download.path(), encoding="utf-8").read())))
        assert len(rows) > 3 and any(ref in ",".join(r) for r in rows[1:])
        assert all(ref in ",".join(r) for r in rows[1:]), "the download is the filtered lines"

        for visitor in (family, clerk, officer, manager, cm):
            visitor.assert_no_problems()
            await visitor.close()


async def assign_from_the_dashboard(clerk: Visitor, ref: str, story: str, shots: str = "") -> None:
    """A signed-in clerk finds the complaint among those not yet assigned, opens it and
    assigns it (sending the form empty first: the error summary)."""
    unassigned = clerk.page.get_by_role("region", name=re.compile("^Not yet assigned"))
    assert ref in await unassigned.inner_text(), await clerk.main_text()
    await clerk.check(f"{shots}11-dashboard")
    await clerk.follow(ref, within="main")
    assert clerk.path == f"/complaints/{ref}"
    assert story in await clerk.main_text()
    await clerk.check(f"{shots}12-complaint")

    await clerk.follow("Assign an investigating officer", within="main")
    await clerk.check(f"{shots}13-assign")
    await clerk.press_button("Assign")
    assert "Select an officer" in await clerk.errors()
    assert (await clerk.page.title()).startswith("Error: ")
    await clerk.check(f"{shots}14-assign-error")
    await clerk.select("Who will investigate?", "Investigating Officer One, reports to Team Manager")
    await clerk.press_button("Assign")
    assert clerk.path == f"/complaints/{ref}", await clerk.errors()
    assert "Investigating Officer One" in await clerk.banner()


async def test_the_family_complains_and_a_clerk_assigns_it_without_javascript(web):
    """Every page works without JavaScript: the same journey in a browser that runs none
    (the conditional questions shown as plain fields, the MOJ button menu as buttons)."""
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    base = await web.serve()
    async with chromium() as browser:
        family = await Visitor.open(browser, base, javascript=False)
        ref = await complain_online(family, shots="nojs-")
        assert "js-enabled" not in (await family.page.get_attribute("body", "class") or "")
        await web.settled(ref)
        assert web.store.complaint(ref)["complainant_email"] == "pat.parent@example.org"

        clerk = await Visitor.open(browser, base, javascript=False)
        await clerk.sign_in("sam", password, landing="/")
        await assign_from_the_dashboard(clerk, ref, STORY, shots="nojs-")
        await clerk.check("nojs-15-assigned")
        assert web.store.complaint(ref)["stages"][0]["officer"] == "io-1"
        for visitor in (family, clerk):
            visitor.assert_no_problems()
            await visitor.close()


async def wait_for_mail(web, ref: str, kind: str, to: str):
    """The first message of ``kind`` to ``to`` for the complaint, once delivery has sent it."""
    import asyncio

    for _ in range(300):
        found = mails(web.mail_sink, ref, kind, to)
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {kind} to {to} for {ref}: "
                         f"{[(m['X-Notification-Kind'], m['X-Notification-Recipient']) for m in mails(web.mail_sink, ref)]}")
