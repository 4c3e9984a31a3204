"""Make a complaint (no sign-in): the GOV.UK question pages, one thing per page.

/complain (start) -> who are you -> your name -> who is it about -> what happened ->
what you would like to happen -> how to write to you -> check your answers -> done.

The answers wait in the visitor's server-side session (never in a URL) until they send
them, and go when they do. Sending registers the complaint through the engine, exactly as
the Complaints Team does (``web.engine.register``), under the children's statutory
procedure; the family's own words go beside it (``web.complaint_texts``). A complaint the
engine refuses, or one never sent, leaves nothing behind. At most
``settings.public_per_hour`` complaints an hour are taken from one address.

Every page works without JavaScript: the conditional questions are shown as plain
fields, and the character count is a hint.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from starlette.routing import Route

from cli.directory import DirectoryError, load_directory
from models import actions as a
from models.complaint import COMPLAINANT_TYPES, Complainant
from models.field_checks import ADDRESS_LINE_MAX, LINE_MAX, address_problem, email_problem
from rules.moments import LONDON
from web import audit, complaint_texts
from web import engine as web_engine
from web.forms import Errors, choice, text
from web.labels import choices
from web.pages import Page, page_for
from web.references import next_reference

POLICY = "children-statutory"
CHANNEL = "online form"
BY = "online form"
SERVICE_NAME = "Make a complaint"
STORY_LIMIT = 5000          # what happened, what they would like to happen
CHILD_LIMIT = 100
SESSION_KEY = "complaint"   # the answers so far
DONE_KEY = "complained"     # what the confirmation page shows

# The services a family can pick (the record's service area, and the words they read).
SERVICES = [
    ("Children in care", "Children in care"),
    ("Child protection", "Child protection"),
    ("Children with disabilities", "Children with disabilities"),
    ("Early help", "Early help"),
    ("Family support", "Family support"),
    ("Fostering", "Fostering"),
    ("Adoption", "Adoption"),
    ("Leaving care", "Leaving care (care leavers)"),
    ("MASH / front door", "First contact with children's services"),
]
OTHER_SERVICE = "other"
WRITE_BY = [("email", "By email"), ("post", "By post")]

# The pages in order: (path part, template).
STEPS = ["who", "name", "about", "what-happened", "would-like", "contact"]

# A tag (<b>, </p>, <!-- -->, <script ...>): what someone pasting markup sends; "a < b" or
# "<3" is still ordinary writing.


# ----------------------------------------------------------------------------- answers

def _answers(page: Page) -> dict:
    return dict(page.session.get(SESSION_KEY) or {})


def _save(page: Page, answers: dict) -> None:
    page.session[SESSION_KEY] = answers   # a new dict: the session saves what is assigned


def _missing(answers: dict) -> str | None:
    """The first page still to answer, or None."""
    needed = {"who": "type", "name": "name", "about": "service", "what-happened": "what_happened",
              "would-like": "would_like", "contact": "write_by"}
    return next((step for step in STEPS if not answers.get(needed[step])), None)


def _field(form, name: str, errors: Errors, *, label: str, limit: int, required: bool = True,
           lines: bool = False) -> str | None:
    """A family's answer: no HTML tags besides the usual checks (web.forms.text)."""
    return text(form, name, errors, label=label, limit=limit, required=required, lines=lines, no_tags=True)


# ----------------------------------------------------------------------------- the pages

def _step_urls(step: str, changing: bool) -> tuple[str, str]:
    """(back link, next page) for a question page."""
    if changing:
        return "/complain/check", "/complain/check"
    i = STEPS.index(step)
    back = "/complain" if i == 0 else f"/complain/{STEPS[i - 1]}"
    after = f"/complain/{STEPS[i + 1]}" if i + 1 < len(STEPS) else "/complain/check"
    return back, after


def _question(step: str, template: str, read):
    """A question page: shows its answers (or what was typed), and on a good POST keeps them
    and goes on (back to the check page when the visitor came from its Change link)."""

    @page_for(public=True)
    async def view(page: Page):
        changing = bool(page.request.query_params.get("change") or (page.form or {}).get("change"))
        back, after = _step_urls(step, changing)
        answers = _answers(page)
        errors = Errors()
        values = answers
        if page.request.method == "POST":
            found = read(page.form, errors)
            if not errors:
                answers.update(found)
                _save(page, answers)
                if changing and _missing(answers) is None:
                    return page.redirect("/complain/check")
                return page.redirect(after if not changing else f"/complain/{_missing(answers)}")
            values = {**answers, **{k: page.form.get(k, "") for k in page.form.keys()}}
        return page.form_page(template, errors, values=values, back=back, changing=changing,
                              service_name=SERVICE_NAME, **_options())

    view.__name__ = f"complain_{step.replace('-', '_')}"
    return view


def _options() -> dict:
    return {"complainant_types": choices("complainant_type", COMPLAINANT_TYPES), "services": SERVICES,
            "other_service": OTHER_SERVICE, "write_by_options": WRITE_BY, "story_limit": STORY_LIMIT}


def _read_who(form, errors: Errors) -> dict:
    found = choice(form, "type", COMPLAINANT_TYPES, errors, message="Select who you are")
    return {"type": found}


def _read_name(form, errors: Errors) -> dict:
    return {"name": _field(form, "name", errors, label="your full name", limit=LINE_MAX)}


def _read_about(form, errors: Errors) -> dict:
    child = _field(form, "child", errors, label="the child's first name or initials", limit=CHILD_LIMIT,
                   required=False)
    service = choice(form, "service", [s for s, _ in SERVICES] + [OTHER_SERVICE], errors,
                     message="Select the service your complaint is about")
    about = None
    if service == OTHER_SERVICE:
        about = _field(form, "about", errors, label="the service", limit=LINE_MAX, required=False)
    return {"child": child, "service": service, "about": about}


def _read_what_happened(form, errors: Errors) -> dict:
    return {"what_happened": _field(form, "what_happened", errors, label="what happened", limit=STORY_LIMIT,
                                    lines=True)}


def _read_would_like(form, errors: Errors) -> dict:
    return {"would_like": _field(form, "would_like", errors, label="what you would like to happen",
                                 limit=STORY_LIMIT, lines=True)}


def _read_contact(form, errors: Errors) -> dict:
    write_by = choice(form, "write_by", [w for w, _ in WRITE_BY], errors, message="Select how we should write to you")
    found: dict = {"write_by": write_by, "email": None, "address_line_1": None, "address_line_2": None,
                   "town": None, "postcode": None}
    if write_by == "email":
        email = (form.get("email") or "").strip()
        if not email:
            errors.add("email", "Enter your email address")
        elif email_problem(email) is not None:
            errors.add("email", "Enter an email address in the correct format, like name@example.com")
        else:
            found["email"] = email
    elif write_by == "post":
        line_1 = _field(form, "address_line_1", errors, label="address line 1, typically the building and street",
                        limit=ADDRESS_LINE_MAX)
        line_2 = _field(form, "address_line_2", errors, label="address line 2", limit=ADDRESS_LINE_MAX,
                        required=False)
        town = _field(form, "town", errors, label="town or city", limit=ADDRESS_LINE_MAX)
        postcode = _field(form, "postcode", errors, label="your postcode", limit=10)
        if line_1 and town and postcode:
            if address_problem("\n".join(x for x in (line_1, line_2, town, postcode.upper()) if x)) is not None:
                errors.add("postcode", "Enter a real UK postcode, like ZZ1 1ZZ")
        found.update(address_line_1=line_1, address_line_2=line_2, town=town,
                     postcode=postcode.upper() if postcode else None)
    return found


def _address(answers: dict) -> str | None:
    lines = [answers.get(k) for k in ("address_line_1", "address_line_2", "town", "postcode")]
    return "\n".join(x for x in lines if x) or None


@page_for(public=True)
async def start(page: Page):
    return page.render("public/start.html", service_name=SERVICE_NAME)


# ----------------------------------------------------------------------------- sending

class Limiter:
    """At most ``limit`` complaints an hour from one address, in memory (one app process)."""

    def __init__(self) -> None:
        self.taken: dict[str, deque[float]] = {}

    def take(self, who: str, limit: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self.taken.setdefault(who, deque())
        while times and now - times[0] >= 3600:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True

    def give_back(self, who: str) -> None:
        times = self.taken.get(who)
        if times:
            times.pop()


def _limiter(page: Page) -> Limiter:
    state = page.request.app.state
    if not hasattr(state, "public_limiter"):
        state.public_limiter = Limiter()
    return state.public_limiter


def _registration(ref: str, answers: dict, directory) -> a.Registration:
    service = answers.get("service")
    return a.Registration(
        ref=ref, policy=POLICY, received=datetime.now(LONDON),
        complainant=Complainant(name=answers["name"], email=answers.get("email"), type=answers["type"],
                                address=_address(answers), write_by=answers["write_by"]),
        officers=directory.officers, complaints_team_email=directory.complaints_team_email,
        channel=CHANNEL, service_area=service if service != OTHER_SERVICE else None,
        child=answers.get("child"), by=BY)


async def _send(page: Page, answers: dict) -> web_engine.Registered | web_engine.Outcome:
    """Register the complaint under the year's next free reference; its words kept beside
    it, and taken back if the engine refuses it."""
    store, engine = page.app.store, page.app.engine
    try:
        directory = await asyncio.to_thread(load_directory)
    except DirectoryError:
        return web_engine.Outcome.refused("the council's list of officers could not be read")
    year = datetime.now(LONDON).year
    ref = await page.db(next_reference, store, year)
    for _ in range(50):
        try:
            await page.db(complaint_texts.keep, engine, ref, about=answers.get("about"),
                          what_happened=answers["what_happened"], would_like=answers["would_like"])
        except IntegrityError:
            ref = await page.db(next_reference, store, year, ref)
            continue
        done = await web_engine.register(page.app.client, page.app.task_queue, _registration(ref, answers, directory))
        if isinstance(done, web_engine.Registered):
            return done
        await page.db(complaint_texts.forget, engine, ref)
        if done.message != f"There is already a complaint {ref}.":
            return done
        ref = await page.db(next_reference, store, year, ref)
    return web_engine.Outcome.refused("no reference was free")


@page_for(public=True)
async def check(page: Page):
    answers = _answers(page)
    if (missing := _missing(answers)) is not None:
        return page.redirect(f"/complain/{missing}")
    errors = Errors()
    if page.request.method == "POST":
        who = page.request.client.host if page.request.client else "unknown"
        limiter = _limiter(page)
        if not limiter.take(who, page.app.settings.public_per_hour):
            await page.audit(audit.PUBLIC, None, "online complaint refused: too many from one address")
            return page.render("public/too_many.html", status=429, service_name=SERVICE_NAME)
        done = await _send(page, answers)
        if isinstance(done, web_engine.Registered):
            page.session.pop(SESSION_KEY)
            page.session[DONE_KEY] = {"ref": done.ref, "due": done.due.isoformat() if done.due else None,
                                      "write_by": answers["write_by"], "email": answers.get("email")}
            await page.audit(audit.PUBLIC, done.ref, "complained online")
            return page.redirect("/complain/done")
        limiter.give_back(who)
        await page.audit(audit.PUBLIC, None, "online complaint refused by the engine")
        errors.add("submit", f"We could not take your complaint: {done.message}. Nothing has been sent. "
                             f"Try again, or contact us.")
    service = dict(SERVICES).get(answers.get("service"))
    return page.form_page("public/check.html", errors, answers=answers, service=service,
                          address=_address(answers), service_name=SERVICE_NAME)


@page_for(public=True)
async def done(page: Page):
    sent = page.session.get(DONE_KEY)
    if not sent:
        return page.redirect("/complain")
    due = date.fromisoformat(sent["due"]) if sent.get("due") else None
    return page.render("public/done.html", sent=sent, due=due, service_name=SERVICE_NAME)


routes = [
    Route("/complain", start, methods=["GET"]),
    Route("/complain/who", _question("who", "public/who.html", _read_who), methods=["GET", "POST"]),
    Route("/complain/name", _question("name", "public/name.html", _read_name), methods=["GET", "POST"]),
    Route("/complain/about", _question("about", "public/about.html", _read_about), methods=["GET", "POST"]),
    Route("/complain/what-happened", _question("what-happened", "public/what_happened.html", _read_what_happened),
          methods=["GET", "POST"]),
    Route("/complain/would-like", _question("would-like", "public/would_like.html", _read_would_like),
          methods=["GET", "POST"]),
    Route("/complain/contact", _question("contact", "public/contact.html", _read_contact), methods=["GET", "POST"]),
    Route("/complain/check", check, methods=["GET", "POST"]),
    Route("/complain/done", done, methods=["GET"]),
]
