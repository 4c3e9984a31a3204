"""Register a complaint (``/complaints/new``): the Complaints Team types in a complaint that
came by letter, by telephone, by email, in person or on a paper form.

GOV.UK's grouped questions, then check answers::

    /complaints/new                  the complaint (procedure, date received, how it came,
                                     service area, reasons, child, when it happened, late)
    /complaints/new/complainant      who complains, and how we write to them
    /complaints/new/what-they-said   their words (optional)
    /complaints/new/check            check the answers, then register

The answers wait in the session (never in a URL) and go once the complaint is registered.
Registering builds the same ``models.actions.Registration`` as ``complaints register``
(received at 10:00 London on the day given, or now when that day is today; the directory
as it is now; ``by`` the signed-in person) and starts the workflow through
``web.engine.register``. A registration the rules refuse (a matter more than a year old
not accepted late) shows the rule's reason and is kept in the record store for the annual
report, as the command line keeps it; nothing else is written.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

from markupsafe import escape
from sqlalchemy.exc import IntegrityError
from starlette.responses import Response
from starlette.routing import Route

from cli.directory import DirectoryError, load_directory
from models import actions as a
from models.complaint import COMPLAINANT_TYPES, Complainant
from models.field_checks import (
    ADDRESS_LINE_MAX, ADDRESS_LINES_MAX, EARLIEST, EMAIL_MAX, FREE_TEXT_MAX, LINE_MAX, address_problem,
    complainant_problem, email_problem, registration_problem,
)
from policies import PolicyError, available_policies
from rules.complaint import Refused
from rules.moments import LONDON
from web import audit, complaint_texts, form_once, queries
from web import engine as web_engine
from web.access import CLERK, COMPLAINTS_MANAGER
from web.formats import long_date
from web.forms import Errors, choice, date_field, date_items, text
from web.labels import LABELS, choices, in_words, label
from web.pages import Page, page_for
from web.references import next_reference
from web.views.public_form import SERVICES
from workflows.engine import complaint_input

SESSION_KEY = "registering"
BASE = "/complaints/new"
ACTION_HOUR = 10            # a complaint dated a past day was received at 10:00 that day (as a scenario's)
CHILD_LIMIT = 100
WAIT_FOR_RECORD = 10.0      # seconds to wait for the worker to record the complaint before showing it

# How a complaint came, as the channel code kept with it (web.labels words them).
CHANNELS = ["letter", "phone", "email", "in_person", "online_form"]
# What complaints are about: the codes the annual report counts (caseload.texts.REASONS).
REASONS = list(LABELS["reason"])
ANOTHER_AREA = "another"
WRITE_BY = ["email", "post"]

# The pages: (path under BASE, template, what must be answered for it to be done).
STEPS = [("", "register/complaint.html", "policy"),
         ("/complainant", "register/complainant.html", "write_by"),
         ("/what-they-said", "register/what_they_said.html", "said")]


# ----------------------------------------------------------------------------- answers

def _answers(page: Page) -> dict:
    return dict(page.session.get(SESSION_KEY) or {})


def _save(page: Page, answers: dict) -> None:
    page.session[SESSION_KEY] = answers     # a new dict: the session saves what is assigned


def _missing(answers: dict) -> str | None:
    """The first page still to answer, or None."""
    return next((BASE + path for path, _, needed in STEPS if needed not in answers), None)


def _today() -> date:
    return datetime.now(LONDON).date()


def _text(form, name: str, errors: Errors, *, label: str, limit: int, required: bool = False,
          lines: bool = False) -> str | None:
    """A clerk's answer, optional unless said (a letter's words may hold "<": every page shows
    them escaped)."""
    return text(form, name, errors, label=label, limit=limit, required=required, lines=lines)


def _date(form, name: str, errors: Errors, *, label: str, required: bool) -> date | None:
    found = date_field(form, name, errors, label=label, required=required, not_after=_today())
    if found is not None and found < EARLIEST:
        errors.add(f"{name}-year", f"{label[0].upper()}{label[1:]} must be in {EARLIEST.year} or later")
        return None
    return found


def _policies() -> list[tuple[str, str]]:
    """The procedures in the order the labels give them, any other after."""
    found = available_policies()
    ordered = [p for p in LABELS["policy"] if p in found] + sorted(found - set(LABELS["policy"]))
    return choices("policy", ordered)


async def _areas(page: Page) -> list[str]:
    """The service areas used so far, and the public form's, for the select."""
    used = await page.db(queries.service_areas, page.app.engine)
    return sorted(set(used) | {area for area, _ in SERVICES}, key=str.lower)


# ----------------------------------------------------------------------------- reading each page

def _read_complaint(form, errors: Errors, areas: list[str]) -> dict:
    policy = choice(form, "policy", [p for p, _ in _policies()], errors, message="Select the procedure")
    received = _date(form, "received", errors, label="the date received", required=True)
    channel = choice(form, "channel", CHANNELS, errors, message="Select how the complaint came")
    area = choice(form, "service_area", [*areas, ANOTHER_AREA], errors,
                  message="Select the service area, or another service area")
    if area == ANOTHER_AREA:
        area = _text(form, "service_area_other", errors, label="the service area", limit=LINE_MAX, required=True)
    reasons = [r for r in form.getlist("reasons") if r in REASONS]
    if len(reasons) != len(form.getlist("reasons")):
        errors.add("reasons", "Select the reasons from the list")
    child = _text(form, "child", errors, label="the child's reference", limit=CHILD_LIMIT)
    matter = _date(form, "matter", errors, label="the date it happened", required=False)
    if matter and received and matter > received:
        errors.add("matter-day", "The date it happened must be the same as or before the date received")
    late = _text(form, "late_reason", errors, label="the reason to accept it late", limit=FREE_TEXT_MAX, lines=True)
    return {"policy": policy, "received": received.isoformat() if received else None, "channel": channel,
            "service_area": area, "reasons": reasons, "child": child,
            "matter": matter.isoformat() if matter else None, "late_reason": late}


def _address(form, errors: Errors) -> str | None:
    """The envelope's lines, one a line, the UK postcode last (in capitals)."""
    text = _text(form, "address", errors, label="the postal address", limit=ADDRESS_LINES_MAX * (ADDRESS_LINE_MAX + 1),
                 lines=True)
    if text is None:
        return None
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        errors.add("address", "Enter the postal address on at least 2 lines, with the postcode on the last line")
    elif len(lines) > ADDRESS_LINES_MAX:
        errors.add("address", f"Enter the postal address on {ADDRESS_LINES_MAX} lines or fewer")
    elif any(len(line) > ADDRESS_LINE_MAX for line in lines):
        errors.add("address", f"Each line of the postal address must be {ADDRESS_LINE_MAX} characters or fewer")
    else:
        lines[-1] = lines[-1].upper()
        address = "\n".join(lines)
        if address_problem(address) is None:
            return address
        errors.add("address", "Enter a real UK postcode on the last line of the address, like ZZ1 1ZZ")
    return None


def _read_complainant(form, errors: Errors) -> dict:
    name = _text(form, "name", errors, label="the complainant's name", limit=LINE_MAX, required=True)
    kind = choice(form, "type", COMPLAINANT_TYPES, errors, message="Select who the complainant is")
    email = (form.get("email") or "").strip() or None
    if email is not None:
        if len(email) > EMAIL_MAX:
            errors.add("email", f"Email address must be {EMAIL_MAX} characters or fewer")
            email = None
        elif email_problem(email) is not None:
            errors.add("email", "Enter an email address in the correct format, like name@example.com")
            email = None
    typed_email = bool((form.get("email") or "").strip())
    address = _address(form, errors)
    typed_address = bool((form.get("address") or "").strip())
    write_by = choice(form, "write_by", WRITE_BY, errors, message="Select how we write to the complainant")
    if not typed_email and not typed_address:
        errors.add("email", "Enter an email address or a postal address, or both")
    elif write_by == "email" and not typed_email:
        errors.add("email", "Enter the email address, to write to them by email")
    elif write_by == "post" and not typed_address:
        errors.add("address", "Enter the postal address, to write to them by post")
    found = {"name": name, "type": kind, "email": email, "address": address, "write_by": write_by}
    if not errors:
        # The record's own check, as the engine will run it (it should find nothing more).
        problem = complainant_problem(Complainant(**found), _today())
        if problem is not None:
            errors.add("write_by", f"The complainant's details cannot be kept: {problem.reason}")
    return found


def _read_said(form, errors: Errors) -> dict:
    happened = _text(form, "what_happened", errors, label="what happened", limit=FREE_TEXT_MAX, lines=True)
    would_like = _text(form, "would_like", errors, label="what they would like to happen", limit=FREE_TEXT_MAX,
                       lines=True)
    return {"said": True, "what_happened": happened, "would_like": would_like}


# ----------------------------------------------------------------------------- showing each page

def _as_form(answers: dict) -> dict:
    """The answers kept, as the form's fields show them."""
    values = {k: v for k, v in answers.items() if isinstance(v, str)}
    for name in ("received", "matter"):
        if answers.get(name):
            day = date.fromisoformat(answers[name])
            values.update({f"{name}-day": str(day.day), f"{name}-month": str(day.month),
                           f"{name}-year": str(day.year)})
    values["reasons"] = list(answers.get("reasons") or [])
    return values


def _posted(form) -> dict:
    """What was typed, to show again with the errors."""
    values: dict[str, Any] = {k: form.get(k) for k in form.keys()}
    values["reasons"] = form.getlist("reasons")
    return values


def _date_error(errors: Errors, name: str) -> dict | None:
    return next((errors.get(f"{name}-{part}") for part in ("day", "month", "year")
                 if errors.get(f"{name}-{part}")), None)


def _links(path: str, changing: bool) -> tuple[str, str]:
    """(back link, next page) of a question page."""
    if changing:
        return f"{BASE}/check", f"{BASE}/check"
    paths = [BASE + p for p, _, _ in STEPS]
    i = paths.index(path)
    back = "/" if i == 0 else paths[i - 1]
    return back, paths[i + 1] if i + 1 < len(paths) else f"{BASE}/check"


def _question(path: str, template: str, read):
    """A group of questions: shows the answers kept (or what was typed); a good POST keeps
    them and goes on (back to the check page when it came from a Change link)."""

    @page_for(CLERK, COMPLAINTS_MANAGER)
    async def view(page: Page) -> Response:
        changing = bool(page.request.query_params.get("change") or (page.form or {}).get("change"))
        back, after = _links(BASE + path, changing)
        answers = _answers(page)
        areas = await _areas(page) if path == "" else []
        errors = Errors()
        if page.request.method == "POST":
            found = read(page.form, errors, areas) if path == "" else read(page.form, errors)
            if not errors:
                answers.update(found)
                answers.setdefault("form_id", form_once.new_id())
                _save(page, answers)
                missing = _missing(answers)
                return page.redirect(after if not changing or missing is None else missing)
            values = _posted(page.form)
        else:
            values = _as_form(answers)
        today = _today()
        return page.form_page(
            template, errors, values=values, back=back, changing=changing, started=bool(answers),
            received_items=date_items(values, "received", errors, default=today),
            received_error=_date_error(errors, "received"),
            matter_items=date_items(values, "matter", errors), matter_error=_date_error(errors, "matter"),
            policies=_policies(), channels=choices("channel", CHANNELS), reasons=choices("reason", REASONS),
            areas=areas, another_area=ANOTHER_AREA, complainant_types=choices("complainant_type", COMPLAINANT_TYPES),
            write_by_options=choices("write_by", WRITE_BY), example_day=today)

    view.__name__ = "register" + (path.replace("/", "_").replace("-", "_") or "_complaint")
    return view


@page_for(CLERK, COMPLAINTS_MANAGER)
async def start_again(page: Page) -> Response:
    """Forget the answers so far (a complaint left half typed must not run into the next)."""
    page.session.pop(SESSION_KEY)
    return page.redirect(BASE)


# ----------------------------------------------------------------------------- registering

def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _received(answers: dict, now: datetime) -> datetime:
    day = date.fromisoformat(answers["received"])
    if day == now.date():
        return now.replace(microsecond=0)
    return datetime.combine(day, time(ACTION_HOUR), LONDON)


def _registration(ref: str, answers: dict, directory, by: str, now: datetime) -> a.Registration:
    late = answers.get("late_reason")
    return a.Registration(
        ref=ref, policy=answers["policy"], received=_received(answers, now),
        complainant=Complainant(name=answers["name"], email=answers.get("email"), type=answers["type"],
                                address=answers.get("address"), write_by=answers["write_by"]),
        officers=directory.officers, complaints_team_email=directory.complaints_team_email,
        channel=answers["channel"], service_area=answers.get("service_area"), reasons=list(answers["reasons"]),
        child=answers.get("child"), matter_date=_day(answers.get("matter")),
        late_accepted=late is not None, late_reason=late, by=by)


def _in_words(reason: str, officers) -> str:
    """The rule's reason as the team reads it: days in words, no field names."""
    reason = reason.replace("register it with late_accepted and a reason to accept it late",
                            "give a reason to accept it late (Change the complaint's answers)")
    return in_words(reason, officers).rstrip(".") + "."


async def _register(page: Page, answers: dict) -> web_engine.Registered | str:
    """Register the complaint under the year's next free reference, or say why not."""
    store, engine = page.app.store, page.app.engine
    try:
        directory = await asyncio.to_thread(load_directory)
    except DirectoryError:
        return "The council's list of officers could not be read. Nothing has been registered; try again later."
    now = datetime.now(LONDON)
    year = now.year
    ref = await page.db(next_reference, store, year)
    reg = _registration(ref, answers, directory, page.person.name, now)
    problem = registration_problem(reg, now.date())
    if problem is not None:
        return f"The complaint cannot be kept as it is: {problem}. Change the answers and try again."
    try:
        await page.db(complaint_input, reg)
    except Refused as refused:
        # Kept for the annual report (refused complaints are counted), as `complaints register` keeps it.
        await page.db(store.add_refusal, ref, reg.policy, reg.received.astimezone(LONDON).date(), now, str(refused))
        await page.audit(audit.REFUSED, ref, f"register {reg.policy}")
        return "The complaint cannot be registered. " + _in_words(str(refused), directory.officers)
    except PolicyError:
        return "The procedure could not be read. Nothing has been registered; try again later."
    said = answers.get("what_happened") or answers.get("would_like")
    for _ in range(50):
        reg.ref = ref
        if said:
            try:
                await page.db(complaint_texts.keep, engine, ref, about=None,
                              what_happened=answers.get("what_happened") or "",
                              would_like=answers.get("would_like") or "")
            except IntegrityError:
                ref = await page.db(next_reference, store, year, ref)
                continue
        done = await web_engine.register(page.app.client, page.app.task_queue, reg)
        if isinstance(done, web_engine.Registered):
            return done
        if said:
            await page.db(complaint_texts.forget, engine, ref)
        if done.message != f"There is already a complaint {ref}.":
            return "The complaint cannot be registered. " + _in_words(done.message, directory.officers)
        ref = await page.db(next_reference, store, year, ref)
    return "No reference was free. Nothing has been registered; try again later."


async def _recorded(page: Page, ref: str) -> bool:
    """Whether the worker has put the new complaint in the record store (its page reads it there)."""
    loop = asyncio.get_running_loop()
    until = loop.time() + WAIT_FOR_RECORD
    while loop.time() < until:
        if await page.db(page.app.store.exists, ref):
            return True
        await asyncio.sleep(0.1)
    return False


def _banner(done: web_engine.Registered, write_by: str, shown: bool) -> str:
    words = f"{done.ref} registered."
    if done.due:
        words += f" Response due {long_date(done.due)}."
    words += (" We have sent the acknowledgement." if write_by == "email"
              else " The acknowledgement is waiting in the letters to print.")
    if not shown:
        words += " It will be in the list of complaints in a moment."
    return str(escape(words))


@page_for(CLERK, COMPLAINTS_MANAGER)
async def check(page: Page) -> Response:
    answers = _answers(page)
    if (missing := _missing(answers)) is not None:
        return page.redirect(missing)
    errors = Errors()
    if page.request.method == "POST":
        form_id = answers.get("form_id") or form_once.new_id()
        if not await page.db(form_once.claim, page.app.engine, form_id):
            return page.render("errors/bad_form.html", status=400)
        done = await _register(page, answers)
        if isinstance(done, web_engine.Registered):
            page.session.pop(SESSION_KEY)
            await page.audit(audit.ACTION, done.ref, f"register {answers['policy']}")
            shown = await _recorded(page, done.ref)
            return page.redirect(f"/complaints/{done.ref}" if shown else "/complaints",
                                 banner=_banner(done, answers["write_by"], shown))
        await page.db(form_once.release, page.app.engine, form_id)
        errors.add("submit", done)
    return page.form_page(
        "register/check.html", errors, answers=answers, policy=label("policy", answers["policy"]),
        received=date.fromisoformat(answers["received"]), channel=label("channel", answers["channel"]),
        reasons=[label("reason", r) for r in answers.get("reasons") or []],
        matter=_day(answers.get("matter")),
        complainant_type=label("complainant_type", answers["type"]), write_by=label("write_by", answers["write_by"]))


routes = [
    *(Route(BASE + path, _question(path, template, read), methods=["GET", "POST"])
      for (path, template, _), read in zip(STEPS, (_read_complaint, _read_complainant, _read_said), strict=True)),
    Route(f"{BASE}/check", check, methods=["GET", "POST"]),
    Route(f"{BASE}/start-again", start_again, methods=["POST"]),
]
