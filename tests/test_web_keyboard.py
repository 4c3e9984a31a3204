"""The main journeys with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys; no
mouse, no clicks), checking at every stop that the focus can be seen, and that the skip
link takes a keyboard user past the header to the page's content.
"""

from __future__ import annotations

from tests.browser import Visitor, chromium


async def skip_to_content(visitor: Visitor) -> None:
    """The first Tab on a page reaches the skip link; Enter on it moves on to the main
    content, so the next Tab lands inside <main>, not in the header's links."""
    await visitor.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    await visitor.key("Tab")
    skip = visitor.page.get_by_role("link", name="Skip to main content")
    assert await visitor.focus_is_on(skip), "the first Tab reaches the skip link"
    await visitor.assert_focus_visible()
    await visitor.key("Enter")
    assert visitor.page.url.endswith("#main-content")
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
