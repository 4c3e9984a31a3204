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
from types import SimpleNamespace
from typing import Any

from council import late_reasons as council_late_reasons
from models import actions as a
from models.complaint import COST_ITEMS, ESCALATION_REASONS, OMBUDSMAN_RESULTS, OUTCOMES, SUSPENSION_REASONS, Officer
from models.field_checks import (
    FREE_TEXT_MAX, LINE_MAX, RECOMMENDATION_MAX, RECOMMENDATIONS_MAX, request_problem, text_problem,
)
from rules.lateness import RECOMMENDATIONS_STAGE, late_if_answered
from web.formats import long_date
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

    def record_stage(self) -> dict:
        """The record store's row of the complaint's current stage."""
        for stage in self.record.get("stages", []):
            if stage["stage"] == self.record.get("stage"):
                return stage
        return {"stage": self.record.get("stage")}


@dataclass(frozen=True)
class ActionForm:
    heading: str
    fields: Callable[[Context], list[dict]]
    read: Callable[[Any, Errors, Context], object | None]
    detail: Callable[[Any], str]                 # what the audit log says: the action and codes only
    submit: str = "Continue"
    step: str | None = None                      # "confirm" (MOJ Confirm an action) or "check" (answers)
    intro: str | Callable[[Context], str | None] | None = None
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


def problem_text(id: str, text_: str) -> dict:
    """Something the form cannot ask until it is put right, said where the question would be."""
    return {"kind": "problem", "id": id, "text": text_}


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


# ------------------------------------------------------------------------ why a response is late


def council_reasons() -> tuple[council_late_reasons.LateReasons | None, str | None]:
    """The council's list of reasons for lateness as it is now, or why it cannot be read."""
    try:
        return council_late_reasons.current(), None
    except council_late_reasons.LateReasonsError as problem:
        return None, (f"The council's list of reasons for lateness cannot be read, so the reason cannot be "
                      f"recorded. Ask the Complaints Team to put it right: {problem}")


def late_if_sent_on(ctx: Context, day: date) -> bool:
    """Whether the current stage's response, sent on ``day``, would be late: the rules' own
    test (rules.lateness), on the stage as the record store keeps it."""
    stage = ctx.record_stage()
    kept = SimpleNamespace(clock=stage.get("clock"), clocks_met=stage.get("clocks_met") or [],
                           due=stage.get("due"))
    # The test reads the stage only; the complaint itself is not needed.
    return late_if_answered(None, kept, day)  # type: ignore[arg-type]


def late_questions(ctx: Context, reason_id: str, note_id: str, legend: str) -> list[dict]:
    """Why it is late, from the council's list, and a note that stays with the complaint."""
    listed, problem = council_reasons()
    if listed is None:
        return [problem_text(reason_id, problem)]
    return [radios(reason_id, legend, list(listed.reasons.items())),
            textarea(note_id, "Anything to add (optional)", rows=3,
                     hint="It is kept with the complaint for the Complaints Team. It is not published "
                          "in the annual report.")]


def read_late_reason(form, errors: Errors, reason_id: str, note_id: str, message: str,
                     ) -> tuple[str | None, str | None, list[str] | None]:
    """(the code, the note, the council's list of codes it was chosen from)."""
    listed, problem = council_reasons()
    if listed is None:
        errors.add(reason_id, problem)
        return None, None, None
    reason = choice(form, reason_id, listed.codes, errors, message=message)
    note = text(form, note_id, errors, label="what you added", required=False, limit=FREE_TEXT_MAX, lines=True)
    return reason, note, listed.codes


def recommendations_question() -> dict:
    return textarea("recommendations", "Recommendations of the investigating officer (one per line)",
                    hint=f"Optional. Each on a line of its own, up to {RECOMMENDATION_MAX:,} characters. "
                         "They are published in the annual report, so name nobody.", rows=6)


def read_recommendations(form, errors: Errors) -> list[str]:
    """One recommendation a line, blank lines left out, each as long as the rules take."""
    raw = (form.get("recommendations") or "").replace("\r\n", "\n").replace("\r", "\n")
    if text_problem(raw, (RECOMMENDATION_MAX + 1) * RECOMMENDATIONS_MAX, free_text=True) is not None:
        errors.add("recommendations", f"The recommendations must be at most {RECOMMENDATIONS_MAX} lines of "
                                      f"{RECOMMENDATION_MAX:,} characters, with no control characters")
        return []
    lines = [line.strip() for line in raw.split("\n") if line.strip()]
    if len(lines) > RECOMMENDATIONS_MAX:
        errors.add("recommendations", f"Write at most {RECOMMENDATIONS_MAX} recommendations, one per line; "
                                      f"there are {len(lines)}")
        return []
    for n, line in enumerate(lines, start=1):
        if len(line) > RECOMMENDATION_MAX:
            errors.add("recommendations", f"Recommendation {n} must be {RECOMMENDATION_MAX:,} characters or "
                                          f"fewer; it is {len(line):,}")
            return []
    return lines


def _respond_fields(ctx: Context) -> list[dict]:
    fields = [radios("outcome", "What was the outcome?", [(c, label("outcome", c)) for c in RESPONSE_OUTCOMES]),
              date_input(legend="When was the response sent?")]
    # Asked only when the response would be late if sent today: a response dated earlier
    # may still be in time, and then the answer is not sent (see _respond).
    if late_if_sent_on(ctx, ctx.today):
        fields += late_questions(ctx, "why-late", "late-note", "Why is the response late?")
    if ctx.record_stage().get("stage") == RECOMMENDATIONS_STAGE:
        fields.append(recommendations_question())
    return [*fields, response_where(ctx)]


def _respond(form, errors: Errors, ctx: Context) -> a.Respond | None:
    outcome = choice(form, "outcome", RESPONSE_OUTCOMES, errors, message="Select the outcome")
    on = on_day(form, errors, ctx, "the date the response was sent")
    reason = note = codes_sent = None
    if on is not None and late_if_sent_on(ctx, on):
        reason, note, codes_sent = read_late_reason(form, errors, "why-late", "late-note",
                                                    "Select why the response is late")
    recommendations = (read_recommendations(form, errors)
                       if ctx.record_stage().get("stage") == RECOMMENDATIONS_STAGE else [])
    where = choice(form, "where", ["file", "note"], errors, message="Select where the response is")
    if where == "file" and ctx.upload is None:
        errors.add("response-file", ctx.upload_error or "Select the file with the response")
    if where == "note":
        text(form, "where-note", errors, label="where the response is kept", limit=NOTE_MAX)
    if errors:
        return None
    return a.Respond(outcome=outcome, on=on, late_reason=reason, late_note=note, late_reasons=codes_sent,
                     recommendations=recommendations)


def late_stages(record: dict) -> list[dict]:
    """The stages whose response was late, as the record store keeps them."""
    return [s for s in record.get("stages", []) if s.get("responded") is not None and s.get("on_time") is False]


def _late_reason_fields(ctx: Context) -> list[dict]:
    fields = []
    stages = late_stages(ctx.record)
    if len(stages) > 1:
        fields.append(radios("stage", "Which stage's response?", [
            (str(s["stage"]), f"Stage {s['stage']}, sent {long_date(s['responded'])}"
                              + ("" if s.get("late_reason") else " (no reason recorded yet)"))
            for s in stages]))
    return fields + late_questions(ctx, "reason", "note", "Why was the response late?")


def _late_reason_intro(ctx: Context) -> str | None:
    stages = late_stages(ctx.record)
    if len(stages) == 1:
        s = stages[0]
        return (f"The stage {s['stage']} response was sent on {long_date(s['responded'])}, after its due date "
                f"of {long_date(s['due'])}. The annual report counts why responses were late.")
    return "The annual report counts why responses were late."


def _late_reason(form, errors: Errors, ctx: Context) -> a.LateReason | None:
    stages = late_stages(ctx.record)
    stage: int | None = stages[0]["stage"] if len(stages) == 1 else None
    if len(stages) > 1:
        picked = choice(form, "stage", [str(s["stage"]) for s in stages], errors,
                        message="Select which stage's response was late")
        stage = int(picked) if picked else None
    reason, note, codes_sent = read_late_reason(form, errors, "reason", "note", "Select why the response was late")
    if errors:
        return None
    return a.LateReason(reason=reason, note=note, stage=stage, late_reasons=codes_sent)


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
        "Record the response", _respond_fields,
        _respond, lambda r: codes("respond", r.outcome, r.late_reason), step="check", multipart=True,
        problem_fields={"outcome": ("outcome", "The outcome"), "late_reason": ("why-late", "The reason"),
                        "late_note": ("late-note", "What you added"),
                        "late_reasons": ("why-late", "The council's list of reasons"),
                        "recommendations": ("recommendations", "The recommendations"), **_ON},
        refusal_field="outcome"),
    "late-reason": ActionForm(
        "Say why the response was late", _late_reason_fields, _late_reason,
        lambda r: codes("late-reason", f"stage-{r.stage}" if r.stage else None, r.reason), submit="Save",
        intro=_late_reason_intro,
        problem_fields={"reason": ("reason", "The reason"), "note": ("note", "What you added"),
                        "stage": ("stage", "The stage"), "late_reasons": ("reason", "The council's list of reasons")},
        refusal_field="reason"),
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
