"""The form of each action of the rulebook: what it asks (for the page), how its answers
become the action's request record (models.actions), and what the audit log says of it.

Each form checks only what a form must (a field left empty, a date that is no day of the
calendar, an amount that is not a number); every field of the request is then checked as
on every other path (models.field_checks.request_problem, the CLI's check), and the rules
themselves are the workflow's: a refusal comes back in the rule's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from models import actions as a
from models.complaint import COST_ITEMS, ESCALATION_REASONS, OMBUDSMAN_RESULTS, OUTCOMES, SUSPENSION_REASONS, Officer
from models.field_checks import FREE_TEXT_MAX, LINE_MAX, request_problem
from web.forms import Errors, choice, date_field, text
from web.labels import label
from web.response_files import NOTE_MAX, Upload


@dataclass
class Context:
    """What a form needs to know of the complaint and the person."""

    ref: str
    record: dict
    today: date
    officers: list[Officer]                      # the council's directory now
    choosable: list[Officer]                     # whom this person may pick in an officer Select
    send_directory: list[Officer] | None = None  # sent with an assignment (None: the complaint's copy)
    upload: Upload | None = None                 # the response file kept for this form
    upload_error: str | None = None


@dataclass(frozen=True)
class ActionForm:
    heading: str
    fields: Callable[[Context], list[dict]]
    read: Callable[[Any, Errors, Context], object | None]
    detail: Callable[[Any], str]                 # what the audit log says: the action and codes only
    submit: str = "Continue"
    step: str | None = None                      # "confirm" (MOJ Confirm an action) or "check" (answers)
    intro: str | None = None
    # A field the shared checks refuse -> (the form's field id, its name in a sentence).
    problem_fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    refusal_field: str = "on-day"                # where a rule's refusal points in the error summary
    multipart: bool = False


# ------------------------------------------------------------------------ the fields


def radios(id: str, legend: str, items: list[tuple[str, str]], hint: str | None = None,
           reveal: dict[str, dict] | None = None) -> dict:
    for revealed in (reveal or {}).values():
        revealed["nested"] = True        # a question inside an answer: a plain label, not a heading
    return {"kind": "radios", "id": id, "legend": legend, "hint": hint,
            "items": [{"value": v, "text": t, "reveal": (reveal or {}).get(v)} for v, t in items]}


def textarea(id: str, label_text: str, hint: str | None = None, rows: int = 5) -> dict:
    return {"kind": "textarea", "id": id, "label": label_text, "hint": hint, "rows": rows}


def text_input(id: str, label_text: str, hint: str | None = None, prefix: str | None = None,
               classes: str = "", inputmode: str | None = None) -> dict:
    return {"kind": "input", "id": id, "label": label_text, "hint": hint, "prefix": prefix, "classes": classes,
            "inputmode": inputmode}


def date_input(id: str = "on", legend: str = "When did this happen?", hint: str | None = None,
               today: bool = True) -> dict:
    return {"kind": "date", "id": id, "legend": legend, "hint": hint or "For example, 27 3 2026",
            "today": today}


def officer_select(ctx: Context, label_text: str) -> dict:
    by_id = {o.id: o for o in ctx.officers}
    return {"kind": "select", "id": "officer", "label": label_text,
            "items": [(o.id, officer_words(o, by_id)) for o in ctx.choosable]}


def officer_words(officer: Officer, by_id: dict[str, Officer]) -> str:
    """"name, team": the team named by whom it reports to, as the directory has no other name for it."""
    manager = by_id.get(officer.manager or "")
    return f"{officer.name}, reports to {manager.name}" if manager else officer.name


def response_where(ctx: Context) -> dict:
    kept = f"You uploaded {ctx.upload.filename}. Choose another file to replace it." if ctx.upload else None
    return radios("where", "Where is the response?", [("file", "Upload the response"),
                                                      ("note", "Say where it is kept")], reveal={
        "file": {"kind": "file", "id": "response-file", "label": "The response letter",
                 "hint": kept or "A PDF or Word document, up to 5 MB"},
        "note": textarea("where-note", "Where is the response kept?",
                         hint="For example, the case management system, under the child's record", rows=3),
    })


# ------------------------------------------------------------------------ reading answers


MONEY = re.compile(r"\d{1,9}(\.\d{1,2})?")


def money(form, name: str, errors: Errors, *, label_text: str, required: bool = True) -> float | None:
    """An amount in pounds: "1200", "1,200.50" or "£1,200.50"."""
    raw = (form.get(name) or "").strip().replace(",", "").removeprefix("£").strip()
    if not raw:
        if required:
            errors.add(name, f"Enter {label_text}")
        return None
    if not MONEY.fullmatch(raw):
        errors.add(name, f"{label_text[0].upper()}{label_text[1:]} must be an amount in pounds, like 1200.50")
        return None
    return float(raw)


def on_day(form, errors: Errors, ctx: Context, label_text: str = "the date") -> date | None:
    """The day it happened: today or before (the rules check it against the complaint)."""
    return date_field(form, "on", errors, label=label_text, not_after=ctx.today)


def late_reason(form, errors: Errors) -> dict[str, Any]:
    reason = text(form, "late-reason", errors, label="why it is accepted late", required=False, limit=FREE_TEXT_MAX)
    return {"late_accepted": reason is not None, "late_reason": reason}


def _assign(form, errors: Errors, ctx: Context) -> a.Assign | None:
    officer = choice(form, "officer", [o.id for o in ctx.choosable], errors, message="Select an officer")
    on = on_day(form, errors, ctx)
    return None if errors else a.Assign(officer=officer, officers=ctx.send_directory, on=on)


EXTENSION_REASONS = [("complex", "The complaint is complex"), ("advocate", "An advocate is needed"),
                     ("other", "Another reason")]


def _extend(form, errors: Errors, ctx: Context) -> a.Extend | None:
    reason = choice(form, "reason", EXTENSION_REASONS, errors, message="Select why the stage needs more time")
    if reason == "other":
        # The extension letter says "The reason is: ..." with the words typed here.
        reason = text(form, "reason-detail", errors, label="the reason", limit=LINE_MAX)
    new_due = date_field(form, "new-due", errors, label="the new due date", required=False)
    on = on_day(form, errors, ctx)
    return None if errors else a.Extend(reason=reason, new_due=new_due, on=on)


def _stopping(kind: type, dated: bool):
    def read(form, errors: Errors, ctx: Context):
        reason = choice(form, "reason", SUSPENSION_REASONS, errors, message="Select the reason")
        detail = text(form, "detail", errors, label="which proceedings", required=False, limit=FREE_TEXT_MAX)
        on = on_day(form, errors, ctx) if dated else None
        if errors:
            return None
        return kind(reason=reason, detail=detail, on=on) if dated else kind(reason=reason, detail=detail)
    return read


def _resume(form, errors: Errors, ctx: Context) -> a.Resume | None:
    on = on_day(form, errors, ctx, "the date the clock restarts")
    return None if errors else a.Resume(on=on)


RESPONSE_OUTCOMES = [o for o in OUTCOMES if o != "no_response"]


def _respond(form, errors: Errors, ctx: Context) -> a.Respond | None:
    outcome = choice(form, "outcome", RESPONSE_OUTCOMES, errors, message="Select the outcome")
    on = on_day(form, errors, ctx, "the date the response was sent")
    where = choice(form, "where", ["file", "note"], errors, message="Select where the response is")
    if where == "file" and ctx.upload is None:
        errors.add("response-file", ctx.upload_error or "Select the file with the response")
    if where == "note":
        text(form, "where-note", errors, label="where the response is kept", limit=NOTE_MAX)
    return None if errors else a.Respond(outcome=outcome, on=on)


def _learning(form, errors: Errors, ctx: Context) -> a.SubmitLearning | None:
    learnt = text(form, "text", errors, label="what will change", limit=FREE_TEXT_MAX)
    return None if errors else a.SubmitLearning(text=learnt)


def _escalate(form, errors: Errors, ctx: Context) -> a.Escalate | None:
    reason = choice(form, "reason", ESCALATION_REASONS, errors, message="Select why they ask for the next stage")
    late = late_reason(form, errors)
    on = on_day(form, errors, ctx, "the date they asked")
    return None if errors else a.Escalate(reason=reason, on=on, **late)


def _appoint(form, errors: Errors, ctx: Context) -> a.AppointIndependentPerson | None:
    name = text(form, "name", errors, label="the independent person's name", limit=LINE_MAX)
    return None if errors else a.AppointIndependentPerson(name=name)


def _dated(kind: type, label_text: str):
    def read(form, errors: Errors, ctx: Context):
        on = on_day(form, errors, ctx, label_text)
        return None if errors else kind(on=on)
    return read


def _resubmit(form, errors: Errors, ctx: Context) -> a.Resubmit | None:
    late = late_reason(form, errors)
    return None if errors else a.Resubmit(**late)


def _withdraw(form, errors: Errors, ctx: Context) -> a.Withdraw | None:
    reason = text(form, "reason", errors, label="why", required=False, limit=FREE_TEXT_MAX)
    on = on_day(form, errors, ctx, "the date they withdrew it")
    return None if errors else a.Withdraw(reason=reason, on=on)


def _decision(form, errors: Errors, ctx: Context) -> a.OmbudsmanDecision | None:
    result = choice(form, "result", OMBUDSMAN_RESULTS, errors, message="Select what the Ombudsman decided")
    remedy = money(form, "remedy", errors, label_text="the remedy", required=False)
    on = on_day(form, errors, ctx, "the date of the decision")
    return None if errors else a.OmbudsmanDecision(result=result, remedy_gbp=remedy, on=on)


def _cost(form, errors: Errors, ctx: Context) -> a.RecordCost | None:
    stage = choice(form, "stage", ["2", "3"], errors, message="Select the stage")
    item = choice(form, "item", COST_ITEMS, errors, message="Select what it paid for")
    amount = money(form, "amount", errors, label_text="the amount")
    on = on_day(form, errors, ctx, "the date of the cost")
    return None if errors else a.RecordCost(stage=int(stage), item=item, amount_gbp=amount, on=on)


def request_errors(update: str, request: object, spec: ActionForm, errors: Errors, today: date) -> None:
    """Every field as the rules and the record store take it (models.field_checks), in the
    form's own terms: which field, and what is wrong with it."""
    problem = request_problem(update, request, today)
    if problem is None:
        return
    name = problem.field.split(".")[0]
    field_id, words = spec.problem_fields.get(name, (spec.refusal_field, "The answer"))
    errors.add(field_id, f"{words} {problem.reason}")


def codes(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


# ------------------------------------------------------------------------ the table

_ON = {"on": ("on-day", "The date")}
_REASON = {"reason": ("reason", "The reason"), "detail": ("detail", "Which proceedings")}
_LATE = {"late_reason": ("late-reason", "Why it is accepted late")}

FORMS: dict[str, ActionForm] = {
    "assign": ActionForm(
        "Assign an investigating officer",
        lambda ctx: [officer_select(ctx, "Who will investigate?"), date_input()],
        _assign, lambda r: codes("assign", r.officer), submit="Assign",
        problem_fields={"officer": ("officer", "The officer"), "officers": ("officer", "The directory"), **_ON},
        refusal_field="officer"),
    "reassign": ActionForm(
        "Reassign to another officer",
        lambda ctx: [officer_select(ctx, "Who will take over?"), date_input()],
        _assign, lambda r: codes("reassign", r.officer), submit="Reassign",
        intro="The due date stays the same: the clock is the complainant's, not the officer's.",
        problem_fields={"officer": ("officer", "The officer"), "officers": ("officer", "The directory"), **_ON},
        refusal_field="officer"),
    "extend": ActionForm(
        "Extend the deadline",
        lambda ctx: [radios("reason", "Why does the stage need more time?", EXTENSION_REASONS, reveal={
                         "other": text_input("reason-detail", "The reason, as the complainant will read it")}),
                     date_input("new-due", "New due date (optional)",
                                hint="Only if earlier than the most the stage may be extended to. "
                                     "For example, 14 12 2026", today=False),
                     date_input()],
        _extend, lambda r: codes("extend", r.reason if r.reason in dict(EXTENSION_REASONS) else "other"),
        submit="Extend the deadline", intro="A stage can be extended once. We will write to the complainant.",
        problem_fields={"reason": ("reason-detail", "The reason"), "new_due": ("new-due-day", "The new due date"),
                        **_ON},
        refusal_field="reason"),
    "suspend": ActionForm(
        "Stop the clock",
        lambda ctx: [radios("reason", "Why does the clock stop?", [(c, label("suspension_reason", c))
                                                                   for c in SUSPENSION_REASONS]),
                     textarea("detail", "Which proceedings (optional)",
                              hint="For example, care proceedings in the Family Court", rows=3),
                     date_input()],
        _stopping(a.Suspend, dated=True), lambda r: codes("suspend", r.reason), step="confirm",
        problem_fields={**_REASON, **_ON}, refusal_field="reason"),
    "resume": ActionForm(
        "Restart the clock", lambda ctx: [date_input(legend="When does the clock restart?")],
        _resume, lambda r: "resume", step="confirm", problem_fields=_ON),
    "respond": ActionForm(
        "Record the response",
        lambda ctx: [radios("outcome", "What was the outcome?", [(c, label("outcome", c))
                                                                 for c in RESPONSE_OUTCOMES]),
                     date_input(legend="When was the response sent?"),
                     response_where(ctx)],
        _respond, lambda r: codes("respond", r.outcome), step="check", multipart=True,
        problem_fields={"outcome": ("outcome", "The outcome"), **_ON}, refusal_field="outcome"),
    "submit-learning": ActionForm(
        "Lessons-learnt form",
        lambda ctx: [textarea("text", "What will change because of this complaint?",
                              hint="What the service will do differently, and who will do it", rows=8)],
        _learning, lambda r: "submit-learning", submit="Send the form",
        problem_fields={"text": ("text", "What will change")}, refusal_field="text"),
    "escalate": ActionForm(
        "Move to the next stage",
        lambda ctx: [radios("reason", "Why does the complainant ask for the next stage?",
                            [(c, label("escalation_reason", c)) for c in ESCALATION_REASONS]),
                     textarea("late-reason", "If they asked after the deadline, why is it accepted? (optional)",
                              rows=3),
                     date_input(legend="When did they ask?")],
        _escalate, lambda r: codes("escalate", r.reason, "late" if r.late_accepted else None),
        submit="Move to the next stage", problem_fields={"reason": ("reason", "The reason"), **_LATE, **_ON},
        refusal_field="reason"),
    "appoint-independent-person": ActionForm(
        "Appoint the independent person",
        lambda ctx: [text_input("name", "The independent person's name", classes="govuk-!-width-two-thirds")],
        _appoint, lambda r: "appoint-independent-person", submit="Appoint",
        intro="The independent person oversees the stage 2 investigation. We will write to the complainant.",
        problem_fields={"name": ("name", "The name")}, refusal_field="name"),
    "panel-held": ActionForm(
        "Record that the review panel met", lambda ctx: [date_input(legend="When did the panel meet?")],
        _dated(a.PanelHeld, "the date the panel met"), lambda r: "panel-held", submit="Save",
        problem_fields=_ON),
    "panel-report": ActionForm(
        "Record the panel's recommendations",
        lambda ctx: [date_input(legend="When did the recommendations arrive?")],
        _dated(a.PanelReport, "the date the recommendations arrived"), lambda r: "panel-report", submit="Save",
        problem_fields=_ON),
    "discontinue": ActionForm(
        "Discontinue for proceedings",
        lambda ctx: [radios("reason", "Why is the complaint set aside?",
                            [(c, label("suspension_reason", c)) for c in SUSPENSION_REASONS]),
                     textarea("detail", "Which proceedings (optional)",
                              hint="For example, care proceedings in the Family Court", rows=3)],
        _stopping(a.Discontinue, dated=False), lambda r: codes("discontinue", r.reason), step="confirm",
        problem_fields=_REASON, refusal_field="reason"),
    "proceedings-ended": ActionForm(
        "Record that the proceedings ended", lambda ctx: [date_input(legend="When did the proceedings end?")],
        _dated(a.ProceedingsEnded, "the date the proceedings ended"), lambda r: "proceedings-ended",
        submit="Save", problem_fields=_ON),
    "resubmit": ActionForm(
        "Reopen the complaint",
        lambda ctx: [textarea("late-reason", "If it is resubmitted after the deadline, why is it accepted? "
                                             "(optional)", rows=3)],
        _resubmit, lambda r: codes("resubmit", "late" if r.late_accepted else None), submit="Reopen",
        intro="The stage starts again with its full time, from today.", problem_fields=_LATE,
        refusal_field="late-reason"),
    "withdraw": ActionForm(
        "Withdraw the complaint",
        lambda ctx: [textarea("reason", "Why was it withdrawn? (optional)", rows=3),
                     date_input(legend="When did they withdraw it?")],
        _withdraw, lambda r: "withdraw", step="confirm",
        problem_fields={"reason": ("reason", "The reason"), **_ON}, refusal_field="reason"),
    "refer-to-ombudsman": ActionForm(
        "Record a referral to the Ombudsman",
        lambda ctx: [date_input(legend="When did the complainant go to the Ombudsman?")],
        _dated(a.ReferToOmbudsman, "the date of the referral"), lambda r: "refer-to-ombudsman", submit="Save",
        problem_fields=_ON),
    "ombudsman-decision": ActionForm(
        "Record the Ombudsman's decision",
        lambda ctx: [radios("result", "What did the Ombudsman decide?",
                            [(c, label("ombudsman_result", c)) for c in OMBUDSMAN_RESULTS]),
                     text_input("remedy", "Financial remedy (optional)", hint="In pounds, for example 250",
                                prefix="£", classes="govuk-input--width-10", inputmode="decimal"),
                     date_input(legend="When did the Ombudsman decide?")],
        _decision, lambda r: codes("ombudsman-decision", r.result), submit="Save",
        problem_fields={"result": ("result", "The result"), "remedy_gbp": ("remedy", "The remedy"), **_ON},
        refusal_field="result"),
    "record-cost": ActionForm(
        "Record a cost",
        lambda ctx: [radios("stage", "Which stage?", [("2", "Stage 2"), ("3", "Stage 3")]),
                     radios("item", "What did it pay for?", [(c, label("cost_item", c)) for c in COST_ITEMS]),
                     text_input("amount", "Amount", hint="In pounds, for example 1200.50", prefix="£",
                                classes="govuk-input--width-10", inputmode="decimal"),
                     date_input(legend="When was the cost incurred?")],
        _cost, lambda r: codes("record-cost", f"stage-{r.stage}", r.item), submit="Save",
        problem_fields={"stage": ("stage", "The stage"), "item": ("item", "The item"),
                        "amount_gbp": ("amount", "The amount"), **_ON},
        refusal_field="amount"),
}
