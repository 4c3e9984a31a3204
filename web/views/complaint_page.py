"""A complaint's page (``/complaints/<ref>``): who complained and about what, the deadline
and how it was worked out, the people, the actions open now, the family's link, what the
complainant wrote, everything that happened and every letter sent.

Anyone signed in may ask; ``web.access.may_see`` (with every officer the complaint ever
had) decides. A person who may not see it, and a reference that does not exist, get the
same 403. Every view is written to the audit log (the reference only, nothing personal).
The page shows words, never the engine's codes (``web.labels``, and the history's words
below).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response
from starlette.routing import Route

from cli.directory import DirectoryError, load_directory
from models.complaint import COMPLAINANT, COMPLAINTS_TEAM, Officer
from policies import Policy, PolicyError, load_policy
from rules.deadline_explained import Deadline, complaint_calendar, explain
from rules.moments import LONDON
from web import audit, response_files
from web.access import Person, may_see
from web.formats import date_and_time, long_date
from web.labels import label, late_reason_words
from web.pages import Page, page_for


class ComplaintRef(Convertor):
    """A reference in a path; never ``new``, which is the register-a-complaint page."""

    regex = r"(?!new(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("complaint_ref", ComplaintRef())

# A family's link in a letter's text: shown as what it is, never as the working link.
FAMILY_LINK = re.compile(r"(/check/)[A-Za-z0-9_-]{43}")


# ---------------------------------------------------------------------- the history in words

# What each action in the history is called on the page.
ACTIONS = {
    "register": "Complaint registered",
    "assign": "Investigating officer assigned",
    "reassign": "Investigating officer changed",
    "extend": "More time given",
    "suspend": "Clock stopped",
    "resume": "Clock restarted",
    "respond": "Response sent",
    "late_reason": "Why the response was late",
    "escalate": "Next stage asked for",
    "appoint_independent_person": "Independent person appointed",
    "submit_learning": "Lessons-learnt form submitted",
    "panel_held": "Review panel met",
    "panel_report": "Review panel's report received",
    "discontinue": "Discontinued because of proceedings",
    "proceedings_ended": "Proceedings ended",
    "resubmit": "Resubmitted after proceedings",
    "withdraw": "Withdrawn",
    "refer_to_ombudsman": "Referred to the Ombudsman",
    "ombudsman_decision": "The Ombudsman's decision",
    "record_cost": "Cost recorded",
    "window_closed": "Closed: the time to ask for the next stage ran out",
    "resubmission_window_closed": "Closed: the time to resubmit ran out",
    "archived": "Records archived",
}
CODE = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
ISO_DAY = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")


def _days_in_words(text: str) -> str:
    """"due 2024-05-30" as "due Thursday 30 May 2024"."""
    def one(match: re.Match) -> str:
        try:
            return long_date(datetime.fromisoformat(match.group(1)).date())
        except ValueError:
            return match.group(1)
    return ISO_DAY.sub(one, text)


def history_words(entry: dict, officer_name) -> tuple[str, str]:
    """(what happened, the detail) in words, for one line of the history."""
    action, detail = entry["action"], (entry.get("detail") or "").strip()
    what = ACTIONS.get(action) or label("action", action)
    if action == "register":
        return what, f"Under the {label('policy', detail)}" if detail else ""
    if action == "assign":
        return what, officer_name(detail)
    if action == "reassign":
        before, _, after = detail.partition(" -> ")
        return what, f"From {officer_name(before)} to {officer_name(after)}" if after else officer_name(detail)
    if action == "extend":
        reason, _, due = detail.rpartition("; due ")
        if not reason:
            reason, due = detail, ""
        reason = label("extension_reason", reason) if CODE.match(reason) else reason
        return what, f"Reason: {reason}. Now due {_days_in_words(due)}" if due else f"Reason: {reason}"
    if action == "suspend":
        reason, _, note = detail.partition("; ")
        return what, f"{label('suspension_reason', reason)}{': ' + note if note else ''}"
    if action == "respond":
        return what, f"Outcome: {label('outcome', detail)}"
    if action == "escalate":
        return what, label("escalation_reason", detail)
    if action == "late_reason":
        stage, _, reason = detail.partition(": ")
        return what, f"{stage.capitalize()}: {late_reason_words(reason)}" if reason else late_reason_words(detail)
    if action == "discontinue":
        return what, label("suspension_reason", detail)
    if action == "ombudsman_decision":
        return what, label("ombudsman_result", detail)
    if action == "record_cost":
        words = detail.split()
        if len(words) == 3 and words[0] == "stage":
            return what, f"Stage {words[1]}: {label('cost_item', words[2])}"
    if action == "submit_learning" and detail.startswith("stage "):
        return what, f"Stage {detail.removeprefix('stage ')}"
    if CODE.match(detail) and ("_" in detail or "-" in detail):
        return what, label(action, detail)
    return what, _days_in_words(detail)


# ---------------------------------------------------------------------- reading the complaint

@dataclass
class Seen:
    """What the page needs, read in one go off the event loop."""

    record: dict
    officers: list[Officer]
    policy: Policy | None
    mail: list[dict]
    link_state: str | None
    texts: dict | None


def _officers() -> list[Officer]:
    try:
        return load_directory().officers
    except DirectoryError:
        return []


def _assigned(record: dict) -> set[str]:
    """Every officer the complaint ever had, at any stage."""
    ids = {a["officer"] for a in record["assignments"]}
    for s in record["stages"]:
        ids |= {s.get("officer"), s.get("responding_officer")}
    return {i for i in ids if i}


def _policy(record: dict) -> Policy | None:
    try:
        return load_policy(record["policy"])
    except PolicyError:
        return None


def _texts(engine, ref: str) -> dict | None:
    try:
        from web.complaint_texts import texts
    except ImportError:
        return None
    return texts(engine, ref)


def _link_state(engine, ref: str) -> str | None:
    try:
        from web import family_links
    except ImportError:
        return None
    return family_links.state(engine, ref)


def read(app, ref: str, person: Person) -> Seen | None:
    """The complaint as ``person`` may see it, or None (not theirs, or no such complaint)."""
    record = app.store.complaint(ref)
    if record is None:
        return None
    officers = _officers()
    if not may_see(person, _assigned(record), officers):
        return None
    return Seen(record, officers, _policy(record), app.store.sent_mail(ref),
                _link_state(app.engine, ref) if person.team else None, _texts(app.engine, ref))


# ---------------------------------------------------------------------- the page's parts

def deadline(seen: Seen, today) -> Deadline | None:
    record = seen.record
    if not record["stages"]:
        return None
    stage = record["stages"][-1]
    policy = seen.policy
    closure = list(policy.closure_days) if policy and policy.version == record["policy_version"] else []
    reached = [today, *(d for s in record["stages"] for d in (s.get("due"), s.get("responded")) if d)]
    calendar = complaint_calendar(record["received"].astimezone(LONDON).date(), closure, max(reached))
    panel_days = None
    if policy is not None:
        try:
            rules = policy.stage(stage["stage"])
        except (KeyError, ValueError, IndexError):
            rules = None
        if rules is not None and rules.panel is not None:
            panel_days = (rules.panel.recommendations_working_days, rules.panel.final_response_working_days)
    return explain(stage, calendar, today, history=record["history"], status=record["status"],
                   panel_days=panel_days)


def badges(record: dict) -> list[str]:
    kind = record["complainant_type"]
    found = []
    if kind in ("child", "child_with_advocate"):
        found.append("Child")
    if kind == "child_with_advocate":
        found.append("Advocate")
    return found


def stage_name(policy: Policy | None, number: int) -> str:
    if policy is None:
        return f"Stage {number}"
    try:
        return f"Stage {number}: {policy.stage(number).name}"
    except (KeyError, ValueError, IndexError):
        return f"Stage {number}"


def how_we_write(record: dict) -> dict:
    """How letters reach the complainant: by email to ..., or by post to the address's lines."""
    by_post = record.get("complainant_write_by") == "post" or not record.get("complainant_email")
    address = [line.strip() for line in re.split(r"[\n,]", record.get("complainant_address") or "") if line.strip()]
    return {"by_post": by_post, "email": record.get("complainant_email") or "", "address": address}


def letter_rows(mail: list[dict], officer_name) -> list[dict]:
    rows = []
    for m in mail:
        if m.get("failed_at"):
            state = f"Could not be sent ({date_and_time(m['failed_at'])})"
        elif m.get("channel") == "post":
            state = (f"Printed and posted {date_and_time(m['printed_at'])}" if m.get("printed_at")
                     else "Waiting to be printed and posted")
        elif m.get("sent_at"):
            state = f"Sent {date_and_time(m['sent_at'])}"
        else:
            state = "Waiting to be sent"
        if m["recipient"] == COMPLAINANT:
            to = f"{m['to_name']} (the complainant)"
        elif m["recipient"] == COMPLAINTS_TEAM:
            to = "The Complaints Team"
        else:
            to = officer_name(m["recipient"])
        rows.append({
            "kind": label("notice", m["kind"]), "subject": m["subject"], "to": to, "state": state,
            "stage": m["stage"], "at": m["event_at"], "post": m.get("channel") == "post",
            "text": FAMILY_LINK.sub(r"\1… (the family's own link, not shown here)", m.get("text_body") or ""),
        })
    return rows


def stage_cards(seen: Seen, officer_name) -> list[dict]:
    cards = []
    for s in seen.record["stages"]:
        rows = [("Started", long_date(s["start_day"])),
                ("Working days allowed", f"{s['working_days']}"),
                ("First due date", long_date(s["original_due"]))]
        if s.get("request_reason"):
            rows.append(("Why it was asked for", label("escalation_reason", s["request_reason"])))
        if s.get("late_accepted_reason"):
            rows.append(("Accepted late because", s["late_accepted_reason"]))
        if s.get("extended_due"):
            rows.append(("Extended to", long_date(s["extended_due"])))
        for n, held in enumerate(s.get("suspensions") or [], start=1):
            stopped = f"{long_date(held['on'])} ({label('suspension_reason', held['reason'])})"
            back = f"; restarted {long_date(held['resumed'])}" if held.get("resumed") else "; not restarted yet"
            rows.append((f"Clock stopped{'' if len(s['suspensions']) == 1 else f' ({n})'}", stopped + back))
        rows.append(("Due", long_date(s["due"]) if s.get("due") else "No due date while the clock is stopped"
                     if s.get("suspended_on") else "No due date"))
        if s.get("officer") or s.get("stage") != 3:
            rows.append(("Investigating officer", officer_name(s.get("officer")) if s.get("officer")
                         else "Not assigned yet"))
        if s.get("independent_person"):
            rows.append(("Independent person", s["independent_person"]))
        if s.get("panel_held"):
            rows.append(("Review panel met", long_date(s["panel_held"])))
        if s.get("panel_report"):
            rows.append(("Panel's report received", long_date(s["panel_report"])))
        if s.get("responded"):
            timely = "on time" if s.get("on_time") else "late" if s.get("on_time") is False else ""
            rows.append(("Answered", f"{long_date(s['responded'])}{', ' + timely if timely else ''}"))
        if s.get("responded") and s.get("on_time") is False:
            rows.append(("Why it was late", late_reason_words(s.get("late_reason"))))
            if s.get("late_note"):
                rows.append(("Anything added about why", s["late_note"]))
        if s.get("outcome"):
            rows.append(("Outcome", label("outcome", s["outcome"])))
        if s.get("recommendations"):
            # A list: the card shows it as bullets.
            rows.append(("Recommendations of the investigating officer", list(s["recommendations"])))
        if s.get("learning_submitted"):
            rows.append(("Lessons-learnt form", f"Submitted {long_date(s['learning_submitted'])}"))
        cards.append({"title": stage_name(seen.policy, s["stage"]), "rows": rows})
    return cards


# What stages 2 and 3 need before they can be answered, in order: (the action that does it,
# its words, the stage record's field that says it is done).
STAGE_TASKS = {
    2: (("assign", "Assign an investigating officer", "officer"),
        ("appoint-independent-person", "Appoint an independent person", "independent_person"),
        ("respond", "Send the stage 2 response", "responded")),
    3: (("panel-held", "Hold the review panel", "panel_held"),
        ("panel-report", "Receive the panel's recommendations", "panel_report"),
        ("respond", "Send the final response", "responded")),
}


def stage_tasks(seen: Seen, open_now: list[dict]) -> list[dict]:
    """The current stage's set-up (stage 2) or clocks (stage 3) as a GOV.UK Task list: each
    task done, to do (a link when this person may do it now), or waiting for the one before."""
    record = seen.record
    if not record["stages"] or record["status"] not in ("open", "suspended"):
        return []
    current = record["stages"][-1]
    tasks = STAGE_TASKS.get(current["stage"], ())
    if current["stage"] == 2 and seen.policy is not None:
        try:
            needs_person = seen.policy.stage(2).independent_person
        except (KeyError, ValueError, IndexError):
            needs_person = False
        tasks = tuple(t for t in tasks if t[0] != "appoint-independent-person" or needs_person)
    links = {item["path"].rsplit("/", 1)[-1]: item["path"] for item in open_now}
    items, before_done = [], True
    for action, words, done_field in tasks:
        done = bool(current.get(done_field))
        item: dict = {"title": {"text": words}}
        if done:
            item["status"] = {"text": "Completed"}
        elif not before_done and current["stage"] == 3:
            item["status"] = {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
        else:
            item["status"] = {"tag": {"text": "To do", "classes": "govuk-tag--blue"}}
            if action in links:
                item["href"] = links[action]
        items.append(item)
        before_done = done
    return items


def actions_open(person: Person, record: dict, officers: list[Officer]) -> list[dict]:
    try:
        from web.actions_open import actions_for
    except ImportError:
        return []
    return list(actions_for(person, record, officers) or [])


# ---------------------------------------------------------------------- the view

@page_for()
async def complaint_page(page: Page) -> Response:
    ref = page.request.path_params["ref"]
    seen = await page.db(read, page.app, ref, page.person)
    if seen is None:
        await page.audit(audit.REFUSED, ref, "complaint page")
        return page.forbidden()
    await page.audit(audit.VIEW, ref, "complaint page")
    record = seen.record
    names = {o.id: o.name for o in seen.officers}

    def officer_name(officer_id: str | None) -> str:
        if not officer_id:
            return ""
        return names.get(officer_id, "an officer no longer in the directory")

    today = datetime.now(LONDON).date()
    current = record["stages"][-1] if record["stages"] else None
    history = []
    for entry in reversed(record["history"]):
        what, detail = history_words(entry, officer_name)
        detail = detail[:1].upper() + detail[1:]
        history.append({"what": what, "detail": detail, "at": entry["at"], "by": entry.get("by")})
    open_now = actions_open(page.person, record, seen.officers)
    return page.render(
        "complaint/page.html",
        ref=ref, record=record, badges=badges(record), policy_name=label("policy", record["policy"]),
        reasons=", ".join(label("reason", r) for r in record["reasons"]),
        stage_name=stage_name(seen.policy, record["stage"]), status_words=label("status", record["status"]),
        deadline=await page.db(deadline, seen, today), writing=how_we_write(record),
        officer=officer_name(current.get("officer")) if current else "",
        officers_before=_officers_before(record, officer_name),
        actions=open_now, tasks=stage_tasks(seen, open_now), link_state=seen.link_state,
        texts=seen.texts, history=history, letters=letter_rows(seen.mail, officer_name),
        stages=stage_cards(seen, officer_name),
        responses=await page.db(response_files.responses_of, page.app.engine, ref),
    )


def _officers_before(record: dict, officer_name) -> list[str]:
    """Everyone who handled the complaint before its current officer, each once, with their stage."""
    current = record["stages"][-1].get("officer") if record["stages"] else None
    seen: dict[str, int] = {}
    for a in record["assignments"]:
        seen.setdefault(a["officer"], a["stage"])
    return [f"{officer_name(i)} (stage {stage})" for i, stage in seen.items() if i != current]


routes = [Route("/complaints/{ref:complaint_ref}", complaint_page, methods=["GET"])]
