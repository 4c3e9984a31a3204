"""Playwright helpers for the web app's browser tests: Debian's chromium, a person's own
browser (cookies and all), axe-core, screenshots, and the words a page shows.

    async with chromium() as browser:
        family = await Visitor.open(browser, base)
        await family.goto("/complain")
        await family.check("01-start")       # axe-core finds nothing; a screenshot is kept

Playwright's own browser download does not work on these machines: `make test` installs
Debian's chromium (`make browser`). A visitor's context keeps the app's Content-Security-
Policy: axe-core is evaluated through the DevTools protocol, which the policy does not
govern, so a page that breaks the policy (an inline script or style) still shows up as a
console error here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Locator, Page, Response, async_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "web"
# WCAG 2.2 AA, as the issue asks: every level-A and -AA rule of 2.0, 2.1 and 2.2.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A laptop's screen: the screenshot is what the person sees first, small enough to keep.
VIEWPORT = {"width": 1024, "height": 768}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    assert CHROMIUM.exists(), "Debian's chromium is missing: `make test` installs it (`make browser`)"
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


class Visitor:
    """One person at one browser: their own cookies, their own tab.

    Everything that goes wrong in the page is kept in ``problems`` (a script error, a
    console error such as a Content-Security-Policy refusal, a file that failed to load)
    and ``assert_no_problems()`` fails on it."""

    def __init__(self, context: BrowserContext, page: Page, base: str):
        self.context, self.page, self.base = context, page, base
        self.problems: list[str] = []
        self.pages_seen: dict[str, str] = {}       # screenshot name -> path, for the code check
        page.on("pageerror", lambda e: self.problems.append(f"{self.path}: script error: {e}"))
        page.on("console", lambda m: self.problems.append(f"{self.path}: console {m.type}: {m.text}")
                if m.type == "error" and not _expected_console_error(m.text) else None)
        page.on("requestfailed", lambda r: self.problems.append(
            f"{self.path}: request failed: {r.url.removeprefix(base)} ({r.failure})")
            if not _navigation_left(r.failure) else None)

    @classmethod
    async def open(cls, browser: Browser, base: str, *, javascript: bool = True) -> Visitor:
        context = await browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript,
                                            accept_downloads=True, locale="en-GB", timezone_id="Europe/London")
        context.set_default_timeout(15_000)
        return cls(context, await context.new_page(), base)

    async def close(self) -> None:
        await self.context.close()

    # -- where we are -------------------------------------------------------------------

    @property
    def path(self) -> str:
        url = self.page.url
        return url[len(self.base):] if url.startswith(self.base) else url

    async def goto(self, path: str, status: int = 200) -> Response:
        answer = await self.page.goto(self.base + path, wait_until="load")
        assert answer is not None
        assert answer.status == status, f"{path}: {answer.status}, wanted {status}\n{await self.text()}"
        return answer

    async def text(self) -> str:
        """What the page shows: the body's rendered text (hidden things are not in it)."""
        return await self.page.inner_text("body")

    async def main_text(self) -> str:
        return await self.page.inner_text("main")

    async def heading(self) -> str:
        return (await self.page.inner_text("h1")).strip()

    async def banner(self) -> str:
        """The success banner's words (empty when there is none)."""
        found = self.page.locator(".govuk-notification-banner")
        return (await found.inner_text()).strip() if await found.count() else ""

    async def errors(self) -> list[str]:
        """The error summary's messages (empty when there is none)."""
        return [t.strip() for t in await self.page.locator(".govuk-error-summary__list li").all_inner_texts()]

    # -- doing things, as a mouse user does -----------------------------------------------

    async def sign_in(self, username: str, password: str, *, landing: str | None = None) -> None:
        if not self.path.startswith("/sign-in"):
            await self.goto("/sign-in")
        await self.page.get_by_label("Username").fill(username)
        await self.page.get_by_label("Password", exact=True).fill(password)
        await self.press_button("Sign in")
        assert not self.path.startswith("/sign-in"), f"{username} did not get in: {await self.errors()}"
        if landing is not None:
            assert self.path == landing, (self.path, landing)

    async def press_button(self, name: str) -> None:
        """Press a button (or a link styled as one) and wait for the next page."""
        async with self.page.expect_navigation(wait_until="load"):
            await self.page.get_by_role("button", name=name, exact=True).click()

    async def follow(self, name: str, *, within: str = "body") -> None:
        async with self.page.expect_navigation(wait_until="load"):
            await self.page.locator(within).get_by_role("link", name=name, exact=True).first.click()

    async def choose(self, label: str) -> None:
        await self.page.get_by_label(label, exact=True).check()

    async def fill(self, label: str, value: str) -> None:
        await self.page.get_by_label(label, exact=True).fill(value)

    async def select(self, label: str, option: str) -> None:
        await self.page.get_by_label(label, exact=True).select_option(label=option)

    async def fill_date(self, day: int, month: int | str, year: int, *, group: str | None = None) -> None:
        """A GOV.UK date input: its Day, Month and Year boxes (within the fieldset named ``group``)."""
        scope = self.page.get_by_role("group", name=group) if group else self.page
        await scope.get_by_label("Day", exact=True).fill(str(day))
        await scope.get_by_label("Month", exact=True).fill(str(month))
        await scope.get_by_label("Year", exact=True).fill(str(year))

    # -- the keyboard alone ----------------------------------------------------------------

    async def focus_is_on(self, target: Locator) -> bool:
        return await target.count() > 0 and await target.first.evaluate("el => el === document.activeElement")

    async def tab_to(self, target: Locator, *, back: bool = False, limit: int = 80) -> None:
        """Press Tab (Shift+Tab with ``back``) until ``target`` has the focus, checking at each
        stop that the focus can be seen. Fails when the focus never gets there."""
        stops: list[str] = []
        for _ in range(limit):
            if await self.focus_is_on(target):
                return
            await self.page.keyboard.press("Shift+Tab" if back else "Tab")
            stops.append(await self.assert_focus_visible())
        raise AssertionError(f"{self.path}: Tab never reached {target}; it went through:\n  " + "\n  ".join(stops))

    async def key(self, key: str, *, navigates: bool = False) -> None:
        """Press a key; with ``navigates``, wait for the page it leads to."""
        if navigates:
            async with self.page.expect_navigation(wait_until="load"):
                await self.page.keyboard.press(key)
        else:
            await self.page.keyboard.press(key)

    async def type(self, words: str) -> None:
        await self.page.keyboard.type(words)

    async def assert_focus_visible(self) -> str:
        """The focused element shows it has the focus (the GOV.UK yellow: an outline, a
        box shadow or, for a radio or checkbox, the ring drawn around its label's box).
        Returns a short description of the element, for messages."""
        seen = await self.page.evaluate(FOCUS_SEEN)
        assert seen["visible"], f"{self.path}: the focus cannot be seen on {seen['what']} ({seen['style']})"
        return seen["what"]

    # -- checking --------------------------------------------------------------------------

    async def axe(self) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.2 AA violations on the page as it is now."""
        if not await self.page.evaluate("() => typeof window.axe === 'object'"):
            await self.page.evaluate(AXE.read_text())
        return await self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),"
            " summary: n.failureSummary}))}))",
            WCAG_22_AA)

    async def assert_accessible(self, where: str = "") -> None:
        violations = await self.axe()
        assert not violations, f"axe-core on {where or self.path}:\n{readable(violations)}"

    async def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        self.pages_seen[name] = self.path
        return path

    async def check(self, name: str) -> None:
        """A page reached: a screenshot kept under ``name``, then axe-core finds nothing,
        no engine code shows, and nothing went wrong in the page."""
        await self.shot(name)
        await self.assert_accessible(f"{name} ({self.path})")
        shown = await self.codes_shown()
        assert not shown, f"{name} ({self.path}) shows engine codes: {shown}"
        self.assert_no_problems()

    async def codes_shown(self) -> list[str]:
        """Engine codes in the page's words. A name set as code on purpose (``<code>``: the
        cookies page names its cookie) is not one."""
        quoted = " ".join(await self.page.locator("code").all_inner_texts())
        return [c for c in codes_in(await self.text()) if c not in codes_in(quoted)]

    def assert_no_problems(self) -> None:
        problems, self.problems[:] = list(self.problems), []
        assert not problems, "\n".join(problems)


# Where the focus is, and whether a sighted keyboard user can see it.
FOCUS_SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: true, what: 'the page', style: ''};
  const what = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.value || el.name
    || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
  const ring = (s) => (s.boxShadow && s.boxShadow !== 'none')
    || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== 'rgba(0, 0, 0, 0)');
  // A GOV.UK radio or checkbox hides its input and rings the box its label draws.
  const drawn = (el.matches('.govuk-radios__input, .govuk-checkboxes__input') && el.nextElementSibling)
    ? getComputedStyle(el.nextElementSibling, '::before') : getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const onScreen = r.width > 0 && r.height > 0;
  return {visible: el.matches(':focus-visible') && ring(drawn) && onScreen, what,
          style: `outline ${drawn.outlineStyle} ${drawn.outlineWidth} ${drawn.outlineColor}; shadow ${drawn.boxShadow}`};
}"""


def _navigation_left(failure: str | None) -> bool:
    """A request cut short because the page moved on (a download, the next page) is no fault."""
    return bool(failure) and "ERR_ABORTED" in failure


def _expected_console_error(text: str) -> bool:
    """Chromium logs every 4xx page it loads; the tests check those statuses themselves."""
    return "Failed to load resource: the server responded with a status of 4" in text


def readable(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    at {node['target']}: {node['html']}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


# -- engine codes in a page's words ----------------------------------------------------------

def engine_codes() -> set[str]:
    """Every code the engine uses that a person should never read: the code tuples, the kinds
    of letter, stage 3's clocks, the procedures' file names and the example directory's ids.
    Plain words among them ("open", "upheld", "email") are left out: only codes that look
    like codes (an underscore, or a hyphenated slug) can be told apart from English."""
    from models import complaint as m
    from policies import __file__ as policies_init

    codes: set[str] = set()
    for name in ("COMPLAINANT_TYPES", "OUTCOMES", "ESCALATION_REASONS", "SUSPENSION_REASONS", "STATUSES",
                 "OMBUDSMAN_RESULTS", "WRITE_BY", "COST_ITEMS"):
        codes.update(getattr(m, name))
    codes.update(str(k) for k in m.NoticeKind)
    codes.update((m.PANEL_MEETING, m.PANEL_REPORT, m.FINAL_RESPONSE, m.COMPLAINTS_TEAM))
    codes.update(p.stem for p in Path(policies_init).parent.glob("*.yaml"))
    return {c for c in codes if "_" in c or "-" in c}


# A word joined by underscores is a code wherever it is (English never writes one).
UNDERSCORED = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# An officer's directory id (io-1, tm-1) shown where their name belongs.
DIRECTORY_ID = re.compile(r"\b(?:dir|hos|tm|io)-\d+\b")


def codes_in(text: str) -> list[str]:
    """The engine codes in ``text`` (a page's visible words), each once, in order."""
    found: list[str] = []
    for code in sorted(engine_codes(), key=len, reverse=True):
        if re.search(rf"(?<![\w@.-]){re.escape(code)}(?![\w@-])", text):
            found.append(code)
    for pattern in (UNDERSCORED, DIRECTORY_ID):
        found += [m.group(0) for m in pattern.finditer(text)]
    return list(dict.fromkeys(found))


# -- the mail sink ---------------------------------------------------------------------------

def mails(sink, ref: str, kind: str | None = None, to: str | None = None) -> list[Message]:
    """The messages the sink holds for a complaint (of one kind, to one recipient id)."""
    return [m for m in sink.messages if m["X-Complaint-Ref"] == ref
            and (kind is None or m["X-Notification-Kind"] == kind)
            and (to is None or m["X-Notification-Recipient"] == to)]


def body_of(message: Message) -> str:
    part = message.get_body(("plain", "html")) if hasattr(message, "get_body") else message
    return part.get_content()


LINK = re.compile(r"https?://[^\s<>\"')]+")


def links_in(message: Message) -> list[str]:
    return LINK.findall(body_of(message))
