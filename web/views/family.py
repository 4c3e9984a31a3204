"""Check your complaint (no sign-in), from the link in the family's letters.

``/check/<token>`` shows the complaint's stage, where it is, the date our response is due
and the letters we sent the family, and nothing else: no officer, no notes, no history.
When the rules allow it, the family can ask for the next stage there; the workflow's
validator decides, as for any action, and a refusal shows the rule's reason.

A token that is unknown, stopped, or whose complaint's records are gone answers with the
same plain 404, saying how to reach the council. Every view is in the audit log (event
"public", the reference, never the token).

``/complaints/<ref>/family-link`` (the Complaints Team) stops the family's link or makes
a new one (``web.family_links``).
"""

from __future__ import annotations

from datetime import date, datetime

from markupsafe import escape
from starlette.routing import Route

from models import actions as a
from models.complaint import COMPLAINANT, ESCALATION_REASONS
from notifications.render import stage_words
from policies import PolicyError, load_policy
from rules.moments import LONDON
from web import audit, family_links
from web import engine as web_engine
from web.access import CLERK, COMPLAINTS_MANAGER
from web.forms import Errors, choice
from web.pages import Page, page_for

BY = "the complainant (online)"
SERVICE_NAME = "Check your complaint"

# The escalation reasons in the family's own person (web.labels words them for staff).
REASONS = {
    "late_response": "Our response was late",
    "no_response": "We have not sent a response",
    "no_actions": "We have not done what we said we would do",
    "disagree": "You disagree with our response",
}
assert set(REASONS) == set(ESCALATION_REASONS), "every escalation reason has the family's words"


def _policy(name: str):
    try:
        return load_policy(name)
    except PolicyError:
        return None


def _stage_name(record: dict) -> str:
    policy, number = _policy(record["policy"]), record["stage"]
    name = None
    if policy is not None:
        try:
            name = policy.stage(number).name
        except (KeyError, ValueError, IndexError):
            name = None
    words = stage_words(number, name)
    return words[:1].upper() + words[1:]


def _where(record: dict, stage: dict | None) -> str:
    """Where the complaint is, in a sentence the family can read."""
    status = record["status"]
    if status == "withdrawn":
        return "Withdrawn, as you asked"
    if status == "closed":
        return "Closed: our complaints procedure has finished"
    if status == "discontinued":
        return "Stopped for now, until the other proceedings are over"
    if status == "suspended":
        return "Paused: the clock on your complaint has stopped for now"
    if stage and stage.get("responded"):
        return "We have sent you our response"
    return "We are looking into your complaint"


def _may_ask_next(record: dict, stage: dict | None, today: date) -> bool:
    """Whether to offer "Ask for the next stage": open, a stage after this one, and this one
    answered or late. The rules have the last word."""
    policy = _policy(record["policy"])
    if record["status"] != "open" or stage is None or policy is None or record["stage"] >= policy.last_stage:
        return False
    return bool(stage.get("responded")) or (stage.get("due") is not None and stage["due"] < today)


def _letters(mail: list[dict]) -> list[dict]:
    """The letters sent to the family, readable: each paragraph a list of its lines."""
    found = []
    for letter in mail:
        if letter["recipient"] != COMPLAINANT or letter.get("failure"):
            continue
        if letter.get("channel") == "post":
            how = "Posted" if letter.get("printed_at") else "Being posted"
        else:
            how = "Sent by email" if letter.get("sent_at") else "Being sent by email"
        paragraphs = [p.split("\n") for p in letter["text_body"].strip().split("\n\n") if p.strip()]
        found.append({"subject": letter["subject"], "at": letter["event_at"], "how": how, "paragraphs": paragraphs})
    return found


async def _not_working(page: Page):
    await page.audit(audit.PUBLIC, None, "check link not recognised")
    return page.render("family/not_working.html", status=404, service_name=SERVICE_NAME)


@page_for(public=True)
async def check(page: Page):
    token = page.request.path_params["token"]
    ref = await page.db(family_links.ref_for, page.app.engine, token)
    record = await page.db(page.app.store.complaint, ref) if ref else None
    if record is None:
        return await _not_working(page)
    stage = next((s for s in record["stages"] if s["stage"] == record["stage"]), None)
    today = datetime.now(LONDON).date()
    errors = Errors()
    if page.request.method == "POST":
        reason = choice(page.form, "reason", list(REASONS), errors,
                        message="Select why you are asking for the next stage")
        if not errors:
            done = await web_engine.act(page.app.client, page.app.store, ref, "escalate", a.Escalate(reason, by=BY))
            if done.done:
                await page.audit(audit.PUBLIC, ref, f"asked for the next stage: {reason}")
                return page.redirect(f"/check/{token}", banner=str(escape(
                    "You have asked for the next stage. We will write to you to confirm it.")))
            await page.audit(audit.PUBLIC, ref, f"asked for the next stage: {reason}; refused")
            errors.add("reason", _sentence(done.message))
    else:
        await page.audit(audit.PUBLIC, ref, "viewed the complaint's check page")
    mail = await page.db(page.app.store.sent_mail, ref)
    due = stage.get("due") if stage and not stage.get("responded") and record["status"] == "open" else None
    return page.form_page(
        "family/check.html", errors, ref=ref, token=token, stage_name=_stage_name(record),
        where=_where(record, stage), due=due, late=due is not None and due < today,
        responded=stage.get("responded") if stage else None, letters=_letters(mail),
        may_ask=_may_ask_next(record, stage, today), reasons=list(REASONS.items()),
        chosen=(page.form or {}).get("reason"), service_name=SERVICE_NAME)


def _sentence(reason: str) -> str:
    reason = reason.strip()
    return (reason[:1].upper() + reason[1:]).rstrip(".") + "."


@page_for(CLERK, COMPLAINTS_MANAGER)
async def family_link(page: Page):
    ref = page.request.path_params["ref"]
    if not await page.db(page.app.store.exists, ref):
        return page.forbidden()
    action = page.form.get("action")
    if action == "revoke":
        await page.db(family_links.revoke, page.app.engine, ref)
        await page.audit(audit.ACTION, ref, "family link stopped")
        banner = ("The family's link to check their complaint online has been stopped. It no longer works, "
                  "and our letters will carry no link until you make a new one.")
        return page.redirect(f"/complaints/{ref}", banner=str(escape(banner)))
    if action == "renew":
        token = await page.db(family_links.renew, page.app.engine, ref)
        await page.audit(audit.ACTION, ref, "family link renewed")
        words = ("A new link has been made for the family, and the old one no longer works. "
                 "Our next letter to them will carry it:")
        url = family_links.check_url(token)
        banner = f'{escape(words)} <span class="govuk-!-text-break-word">{escape(url)}</span>'
        return page.redirect(f"/complaints/{ref}", banner=banner)
    return page.redirect(f"/complaints/{ref}")


routes = [
    Route("/check/{token}", check, methods=["GET", "POST"]),
    Route("/complaints/{ref}/family-link", family_link, methods=["POST"]),
]
