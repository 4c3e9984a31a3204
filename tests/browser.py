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

import functools
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import Message
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, BrowserContext, Locator, Page, Response, async_playwright
from playwright.async_api import Error as PlaywrightError

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

    def __init__(self, context: BrowserContext, page: Page, base: str, javascript: bool = True):
        self.context, self.page, self.base, self.javascript = context, page, base, javascript
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
        return cls(context, await context.new_page(), base, javascript)

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
        """The focused element shows it has the focus (the GOV.UK yellow: an outline, a box
        shadow, a yellow background or, for a radio or checkbox, the ring drawn around its
        label's box).
        Returns a short description of the element, for messages."""
        seen = await self.page.evaluate(FOCUS_SEEN)
        assert seen["visible"], f"{self.path}: the focus cannot be seen on {seen['what']} ({seen['style']})"
        return seen["what"]

    # -- checking --------------------------------------------------------------------------

    async def axe(self) -> list[dict[str, Any]]:
        """axe-core's WCAG 2.2 AA violations on the page as it is now."""
        if not await self.page.evaluate("() => typeof window.axe === 'object'"):
            await self.page.evaluate(AXE.read_text())
        return await self.page.evaluate(AXE_RUN, WCAG_22_AA)

    async def assert_accessible(self, where: str = "") -> None:
        violations = await self.axe()
        assert not violations, f"axe-core on {where or self.path}:\n{readable(violations)}"

    async def shot(self, name: str) -> Path:
        """The viewport as tests/artifacts/web/<name>.png, in 256 colours (GOV.UK pages have
        few; the files stay small enough to keep in the repository)."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        png = await self.page.screenshot()
        try:
            from PIL import Image          # WeasyPrint's own dependency
        except ImportError:
            path.write_bytes(png)
        else:
            with Image.open(io.BytesIO(png)) as image:
                image.convert("RGB").quantize(256).save(path, optimize=True)
        self.pages_seen[name] = self.path
        return path

    async def check(self, name: str) -> None:
        """A page reached: a screenshot kept under ``name``, then axe-core finds nothing,
        no engine code shows, and nothing went wrong in the page. (axe-core is JavaScript:
        without it, the same pages are checked by the runs with it.)"""
        await self.shot(name)
        if self.javascript:
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


# axe-core's violations, less one the GOV.UK Design System keeps on purpose: aria-expanded on
# a radio or checkbox that reveals a question (the conditional reveal). ARIA allows it only on
# some roles, but screen readers announce it and the Design System's research found it helps;
# it is their documented known issue (alphagov/govuk-frontend#979, #1280). Only that attribute,
# on that component, is let through: any other fault on the same input still fails.
AXE_RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  const govukReveal = (node) => {
    const el = document.querySelector(node.target.join(' '));
    const reveals = el && el.matches('.govuk-radios__input[aria-controls], .govuk-checkboxes__input[aria-controls]');
    const attributes = [...node.any, ...node.all, ...node.none].flatMap(c => [].concat((c.data || {}).values || []));
    return reveals && attributes.length > 0 && attributes.every(a => String(a).startsWith('aria-expanded'));
  };
  return result.violations
    .map(v => ({...v, nodes: v.id === 'aria-allowed-attr' ? v.nodes.filter(n => !govukReveal(n)) : v.nodes}))
    .filter(v => v.nodes.length > 0)
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}));
}"""

# Where the focus is, and whether a sighted keyboard user can see it.
FOCUS_SEEN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {visible: true, what: 'the page', style: ''};
  const what = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${(el.innerText || el.value || el.name
    || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
  // The GOV.UK focus: a yellow outline, a box shadow, or a yellow background (links, the MOJ sub navigation).
  const ring = (s) => (s.boxShadow && s.boxShadow !== 'none')
    || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && s.outlineColor !== 'rgba(0, 0, 0, 0)')
    || s.backgroundColor === 'rgb(255, 221, 0)';
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

@functools.cache
def engine_codes() -> frozenset[str]:
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
    return frozenset(c for c in codes if "_" in c or "-" in c)


# A word joined by underscores is a code wherever it is (English never writes one); a file's
# name (cli/example_directory.yaml) or an email address is not.
UNDERSCORED = re.compile(r"(?<![\w/.@-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/@-]|\.[a-z])")
# An officer's directory id (io-1, tm-1) shown where their name belongs.
DIRECTORY_ID = re.compile(r"\b(?:dir|hos|tm|io)-\d+\b", re.IGNORECASE)


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


# -- every page a person can reach -----------------------------------------------------------

# Paths a crawl leaves alone: the front end's files, signing out, and the council's identity
# provider (not running in these tests).
NOT_PAGES = ("/static/", "/assets/", "/sign-out", "/sign-in/council")
# Parts of an address that name one complaint, person or year: pages alike but for these are one kind.
_ONE_OF_MANY = re.compile(r"/(?:CS-[A-Z0-9-]+|[0-9a-f-]{8,}|[A-Za-z0-9_-]{43}|\d{4}-\d{2}|io-\d|tm-\d|hos-\d|dir-\d)"
                          r"(?=/|$)")


def kind_of_page(path: str) -> str:
    """/complaints/CS-2026-0001/assign -> /complaints/*/assign (the query string dropped)."""
    return _ONE_OF_MANY.sub("/*", path.split("?")[0])


async def crawl(visitor: Visitor, starts: list[str], *, limit: int = 150, per_kind: int = 20):
    """Every page reachable by links from ``starts`` (same site, GET, HTML only), each yielded
    once as (path, status) with the visitor on it. Downloads (CSV, PDF) are left; at most ``per_kind`` pages of one kind (a complaint's page for each complaint),
    ``limit`` in all."""
    queue, seen, kinds = list(starts), set(), {}
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(NOT_PAGES):
            continue
        seen.add(path)
        kind = kind_of_page(path)
        if kinds.get(kind, 0) >= per_kind:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        try:
            answer = await visitor.page.goto(visitor.base + path, wait_until="load")
        except PlaywrightError as e:
            if "Download is starting" in str(e):        # a CSV or PDF: not a page
                continue
            raise
        if answer is None or "text/html" not in answer.headers.get("content-type", ""):
            continue
        if visitor.path.split("#")[0] != path:          # a redirect: its target is crawled on its own
            queue.append(visitor.path.split("#")[0])
            continue
        yield path, answer.status if answer else 0
        hrefs = await visitor.page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            href = href.split("#")[0]
            if href.startswith(visitor.base):
                href = href[len(visitor.base):]
            # Sorting a list again shows the same words in another order: one order is enough.
            if "sort=" in href or "order=" in href:
                continue
            if href.startswith("/") and not href.startswith("//") and href not in seen:
                queue.append(href)


# -- a caseload with every kind of thing a page might show as a code ------------------------------

async def varied_caseload(web, year: int | None = None) -> dict[str, str]:
    """Complaints registered and acted on through the engine, so that the pages have every
    kind of thing to show in words: each procedure, complainants of many kinds (one by post),
    a clock stopped for court proceedings, outcomes, an escalation, an independent person and
    a cost, the Ombudsman's decision, a withdrawal, an overdue complaint with its officer's
    manager told. Returns what each reference is for."""
    from datetime import datetime, timedelta

    from models import actions as a
    from rules.moments import LONDON

    now = datetime.now(LONDON)
    year = year or now.year
    refs: dict[str, str] = {}
    # The tests share one Temporal server, where a workflow's id (the reference) is taken for good.
    block = unique_number() * 10

    async def ok(ref: str, update: str, request: object) -> None:
        done = await web.act(ref, update, request)
        assert done.done, f"{ref} {update}: {done.message}"

    async def complaint(n: int, why: str, address: str | None = None, **kw) -> str:
        ref = f"CS-{year}-{block + n % 10}"
        if address is None:
            await web.register(ref, **kw)
        else:
            await by_letter(web, ref, address, **kw)
        refs[ref] = why
        return ref

    stopped = await complaint(901, "clock stopped for court proceedings", complainant_type="child_with_advocate",
                              name="Riley Child", child="Riley Child")
    await ok(stopped, "assign", a.Assign("io-1", by="Sam Patel"))
    await ok(stopped, "suspend", a.Suspend("court_proceedings", "care proceedings, Family Court", by="Sam Patel"))

    stage2 = await complaint(902, "stage 2 with an independent person and a cost", complainant_type="family_member")
    await ok(stage2, "assign", a.Assign("io-2"))
    await ok(stage2, "respond", a.Respond("partially_upheld"))
    await ok(stage2, "escalate", a.Escalate("disagree"))
    await ok(stage2, "appoint_independent_person", a.AppointIndependentPerson("Jo Independent"))
    await ok(stage2, "record_cost", a.RecordCost(2, "independent_person", 350.0))

    by_post = await complaint(903, "corporate, by post, not upheld, at the Ombudsman", policy="corporate",
                              complainant_type="foster_carer", address="1 High Street\nExampletown\nEX1 2AB")
    await ok(by_post, "assign", a.Assign("io-1"))
    await ok(by_post, "respond", a.Respond("not_upheld"))
    await ok(by_post, "refer_to_ombudsman", a.ReferToOmbudsman())
    await ok(by_post, "ombudsman_decision", a.OmbudsmanDecision("upheld_fault_no_injustice", 250.0))

    await complaint(904, "the Complaint Handling Code, unassigned", policy="complaint-handling-code",
                    complainant_type="special_guardian")

    withdrawn = await complaint(905, "withdrawn", complainant_type="professional")
    await ok(withdrawn, "withdraw", a.Withdraw("resolved informally"))

    # Received six weeks ago and assigned the next day: overdue now.
    received = now - timedelta(days=42)
    late = await complaint(906, "overdue", received=received, complainant_type="parent")
    await ok(late, "assign", a.Assign("io-1", on=(received + timedelta(days=1)).date()))

    answered = await complaint(907, "answered, no finding, awaiting its lessons-learnt form")
    await ok(answered, "assign", a.Assign("io-2"))
    await ok(answered, "respond", a.Respond("no_finding"))
    return refs


def unique_number() -> int:
    """A number for a reference no other test has used: the tests share one Temporal server,
    where a workflow's id (the complaint's reference) is taken for good."""
    import uuid

    return 10_000 + uuid.uuid4().int % 90_000


async def by_letter(web, ref: str, address: str, *, policy: str = "children-statutory",
                    complainant_type: str = "parent", name: str = "Alex Carer") -> None:
    """A complaint that came by letter from someone with no email: the council writes by post."""
    from datetime import datetime, timedelta

    from cli.directory import load_directory
    from models import actions as a
    from models.complaint import Complainant
    from rules.moments import LONDON
    from web import engine as web_engine

    directory = load_directory()
    reg = a.Registration(
        ref=ref, policy=policy, received=datetime.now(LONDON) - timedelta(minutes=1),
        complainant=Complainant(name=name, email=None, type=complainant_type, address=address, write_by="post"),
        officers=directory.officers, complaints_team_email=directory.complaints_team_email, channel="letter",
        service_area="Fostering", reasons=["communication"])
    done = await web_engine.register(web.temporal, web.task_queue, reg)
    assert isinstance(done, web_engine.Registered), done
    await web.settled(ref)


async def escalated_complaint(web, ref: str, officer: str = "io-1", name: str = "Casey Parent") -> None:
    """A complaint whose investigating officer missed the due date, so that the engine's own
    chasing tells the officer's manager (the escalation notice), as it does at 9:00 on the
    first working day a stage is overdue.

    The engine chases from the day a complaint is registered, so a complaint merely dated
    back is not escalated before tomorrow morning. This one runs on the engine's simulated
    clock (as ``simulate`` does): its clock starts a few seconds before 9:00 on the last
    working day, received so that its stage 1 was due the working day before; it is
    assigned then, and at 9:00 on its clock the rules send the overdue notice, the family's
    apology and the escalation to the officer's manager."""
    import asyncio
    from datetime import datetime, time, timedelta

    from sqlalchemy import select

    from cli.directory import load_directory
    from models import actions as a
    from models.complaint import Complainant
    from rules.calendar import WorkingCalendar
    from rules.complaint import Complaint
    from rules.moments import LONDON
    from store.record_store import outbox
    from workflows.complaint import ComplaintWorkflow
    from workflows.engine import complaint_input

    directory = load_directory()

    def registration(received: datetime) -> a.Registration:
        return a.Registration(
            ref=ref, policy="children-statutory", received=received,
            complainant=Complainant(name=name, email="casey@example.org", type="parent"),
            officers=directory.officers, complaints_team_email=directory.complaints_team_email,
            channel="email", service_area="Child protection", reasons=["communication"], by="Sam Patel")

    today = datetime.now(LONDON).date()
    calendar = WorkingCalendar(complaint_input(registration(datetime.now(LONDON))).days_off)
    chase_day = today - timedelta(days=1)
    while not calendar.is_working_day(chase_day):
        chase_day -= timedelta(days=1)
    hour = time(9)
    for back in range(10, 40):
        received = datetime.combine(chase_day - timedelta(days=back), time(10), LONDON)
        inp = complaint_input(registration(received))
        complaint, _ = Complaint.register(inp.registration, inp.policy, WorkingCalendar(inp.days_off), received)
        due = complaint.state.current.due
        hour = time(inp.policy.chasing.hour)
        if calendar.working_days_after_until(due, chase_day) == 1:
            break
    else:
        raise AssertionError("no day received makes the stage one working day overdue")
    start = datetime.combine(chase_day, hour, LONDON) - timedelta(seconds=15)
    await web.temporal.start_workflow(ComplaintWorkflow.run, complaint_input(inp.registration, simulated_start=start),
                                      id=ref, task_queue=web.task_queue)
    await web.settled(ref)
    done = await web.act(ref, "assign", a.Assign(officer, by="Sam Patel"))
    assert done.done, done.message
    manager = next(o.manager for o in directory.officers if o.id == officer)
    for _ in range(600):
        with web.store.engine.connect() as conn:
            if conn.execute(select(outbox.c.ref).where(outbox.c.ref == ref, outbox.c.kind == "escalation",
                                                       outbox.c.recipient == manager)).first():
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{ref} was never escalated to {manager}")
