"""The main journeys with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys; no
mouse, no clicks), checking at every stop that the focus can be seen, and that the skip
link takes a keyboard user past the header to the page's content.
"""

from __future__ import annotations

import re

from tests.browser import Visitor, chromium, unique_number


async def skip_to_content(visitor: Visitor) -> None:
    """The first Tab on a page reaches the skip link; Enter on it moves on to the main
    content, so the next Tab lands inside <main>, not in the header's links."""
    await visitor.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    await visitor.key("Tab")
    skip = visitor.page.get_by_role("link", name="Skip to main content")
    assert await visitor.focus_is_on(skip), "the first Tab reaches the skip link"
    await visitor.assert_focus_visible()
    await visitor.key("Enter")
    await visitor.page.wait_for_url(re.compile("#main-content$"))
    await visitor.key("Tab")
    inside = await visitor.page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside, f"after the skip link, Tab goes into the main content ({await visitor.assert_focus_visible()})"


async def keyboard_sign_in(visitor: Visitor, username: str, password: str) -> None:
    page = visitor.page
    await skip_to_content(visitor)
    await visitor.tab_to(page.get_by_label("Username"), back=True)
    await visitor.type(username)
    await visitor.tab_to(page.get_by_label("Password", exact=True))
    await visitor.type(password)
    await visitor.tab_to(page.get_by_role("button", name="Sign in", exact=True))
    await visitor.key("Enter", navigates=True)
    assert not visitor.path.startswith("/sign-in"), await visitor.errors()


async def test_staff_sign_in_with_the_keyboard_alone(web):
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    base = await web.serve()
    async with chromium() as browser:
        clerk = await Visitor.open(browser, base)
        await clerk.goto("/sign-in")
        await keyboard_sign_in(clerk, "sam", password)
        assert clerk.path == "/"
        clerk.assert_no_problems()
        await clerk.close()


async def tab_and_press(visitor: Visitor, target, key: str = "Enter") -> None:
    """Tab to a button or link and press it; the next page loads."""
    await visitor.tab_to(target)
    await visitor.key(key, navigates=True)


async def choose_radio(visitor: Visitor, group: str, answer: str) -> None:
    """Tab into a radio group, then arrow keys to the answer (arrows select as they move, as
    a keyboard user does it); Space checks the first one when the group starts empty."""
    page = visitor.page
    fieldset = page.get_by_role("group", name=group)
    radios = fieldset.get_by_role("radio")
    await visitor.tab_to(radios.first)
    await visitor.key("Space")
    names = [await r.evaluate("el => el.labels[0].innerText.trim()") for r in await radios.all()]
    for _ in range(names.index(answer)):
        await visitor.key("ArrowDown")
    chosen = fieldset.get_by_role("radio", name=answer, exact=True)
    assert await chosen.is_checked(), f"{answer} is chosen"
    assert await visitor.focus_is_on(chosen)
    await visitor.assert_focus_visible()


async def test_a_family_complains_with_the_keyboard_alone(web):
    base = await web.serve()
    async with chromium() as browser:
        family = await Visitor.open(browser, base)
        page = family.page
        await family.goto("/complain")
        await skip_to_content(family)
        await tab_and_press(family, page.get_by_role("button", name="Start now"))

        await choose_radio(family, "Who are you?", "Parent")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        await family.tab_to(page.get_by_label("What is your name?"))
        await family.type("Pat Parent")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        await family.tab_to(page.get_by_label("The child's first name or initials (optional)"))
        await family.type("J")
        await choose_radio(family, "Which service is it about?", "Children in care")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        # Sent empty: the error summary takes the focus, its link takes the focus to the field.
        await tab_and_press(family, page.get_by_role("button", name="Continue"))
        assert await family.errors() == ["Enter what happened"]
        summary_link = page.locator(".govuk-error-summary").get_by_role("link", name="Enter what happened")
        await family.tab_to(summary_link)
        await family.key("Enter")
        assert await family.focus_is_on(page.get_by_label("What happened?"))
        await family.type("Nobody told us the social worker had changed.")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        await family.tab_to(page.get_by_label("What would you like to happen?"))
        await family.type("An apology.")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        await choose_radio(family, "How should we write to you?", "By email")
        # The email box is revealed right after its radio: the next Tab reaches it.
        await family.key("Tab")
        assert await family.focus_is_on(page.get_by_label("Email address")), await family.assert_focus_visible()
        await family.type("pat.parent@example.org")
        await tab_and_press(family, page.get_by_role("button", name="Continue"))

        assert await family.heading() == "Check your answers before sending your complaint"
        await tab_and_press(family, page.get_by_role("button", name="Send complaint"))
        assert "Complaint sent" in await family.main_text()
        family.assert_no_problems()
        await family.close()


async def test_a_clerk_assigns_a_complaint_with_the_keyboard_alone(web):
    password = web.add_user("sam", {"clerk"}, name="Sam Patel")
    ref = f"CS-2026-{unique_number()}"
    await web.register(ref)
    base = await web.serve()
    async with chromium() as browser:
        clerk = await Visitor.open(browser, base)
        page = clerk.page
        await clerk.goto("/sign-in")
        await keyboard_sign_in(clerk, "sam", password)
        assert clerk.path == "/"

        await skip_to_content(clerk)
        await tab_and_press(clerk, page.locator("main").get_by_role("link", name=ref, exact=True).first)
        assert clerk.path == f"/complaints/{ref}"
        assign = page.locator("main").get_by_role("link", name="Assign an investigating officer", exact=True)
        await tab_and_press(clerk, assign)
        assert clerk.path == f"/complaints/{ref}/assign"

        # Sent without an officer: the error summary, then its link to the Select.
        await tab_and_press(clerk, page.get_by_role("button", name="Assign", exact=True))
        assert await clerk.errors() == ["Select an officer"]
        await clerk.tab_to(page.locator(".govuk-error-summary").get_by_role("link", name="Select an officer"))
        await clerk.key("Enter")
        officer = page.get_by_label("Who will investigate?")
        assert await clerk.focus_is_on(officer)
        await clerk.assert_focus_visible()
        # A Select takes the arrow keys while closed: down to the officer.
        wanted = "Investigating Officer One, reports to Team Manager"
        for _ in range(10):
            chosen = await officer.evaluate("el => el.options[el.selectedIndex].text")
            if chosen == wanted:
                break
            await clerk.key("ArrowDown")
        assert chosen == wanted
        await tab_and_press(clerk, page.get_by_role("button", name="Assign", exact=True))
        assert clerk.path == f"/complaints/{ref}", await clerk.errors()
        assert "Investigating Officer One" in await clerk.banner()
        await clerk.shot("keyboard-assigned")
        clerk.assert_no_problems()
        await clerk.close()
