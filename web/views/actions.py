"""Every action of the rulebook as a form: ``/complaints/<ref>/<action>`` (web.md section 3).

A form is shown (GET) and sent (POST). Its answers are checked as a form checks them and
as every path checks a request (web.action_forms); suspending, restarting the clock,
discontinuing and withdrawing are confirmed on a page that says what will happen (the MOJ
"Confirm an action" pattern), and a response is checked before it is recorded: the
answers wait in the session meanwhile, so nothing personal goes into an address. Then the
complaint's workflow decides (web.engine.act): a refusal shows the form again with the
rule's own reason and changes nothing; an action done goes back to the complaint with a
banner saying what came of it, in words read from the record store afterwards.

Who may act is one table (web.actions_open); anyone else, and every unknown reference,
gets the same 403. Each action and each refusal goes into the audit log, with the action
and its codes only.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from markupsafe import Markup
from starlette.datastructures import UploadFile
from starlette.responses import Response
from starlette.routing import Route

from cli.directory import Directory, DirectoryError, load_directory
from models.field_checks import identifier_problem
from rules.moments import LONDON
from web import audit, form_once, response_files
from web.access import may_see
from web.action_banners import banner
from web.action_forms import FORMS, ActionForm, Context, request_errors
from web.actions_open import BY_PATH, choosable_officers, current_stage, may_take
from web.engine import act
from web.formats import long_date
from web.forms import Errors, date_items
from web.labels import label, late_reason_words
from web.pages import MAX_FORM_BYTES, Page, page_for

UPLOAD_BYTES = response_files.MAX_FILE_BYTES + MAX_FORM_BYTES
PENDING = "pending_actions"      # the session's answers waiting to be confirmed, by "<ref> <action>"


def _directory() -> Directory | None:
    try:
        return load_directory()
    except DirectoryError:
        return None


async def _context(page: Page, action: str) -> Context | None:
    """The complaint and the person's right to act on it; None for the one 403."""
    ref = page.request.path_params["ref"]
    if identifier_problem(ref) is not None:
        return None
    record = await page.db(page.app.store.complaint, ref)
    directory = await page.db(_directory)
    officers = directory.officers if directory else []
    if record is None:
        return None
    assigned = [x["officer"] for x in record.get("assignments", [])]
    if not may_see(page.person, assigned, officers) or not may_take(page.person, action, record, officers):
        return None
    return Context(ref=ref, record=record, today=datetime.now(LONDON).date(), officers=officers,
                   choosable=choosable_officers(page.person, action, officers),
                   # The council's directory as it is now, so staff who joined after the
                   # complaint was registered can be assigned (as the command line does it).
                   send_directory=None if directory is None or directory.example else directory.officers)


# ------------------------------------------------------------------------ pages


def _shown_fields(spec: ActionForm, ctx: Context, values, errors: Errors, posted: bool) -> list[dict]:
    """The form's fields, with each Date input's boxes as typed (or today, at first)."""
    fields = spec.fields(ctx)
    for f in fields:
        if f["kind"] == "date":
            default = ctx.today if f["today"] and not posted else None
            f["items"] = date_items(values, f["id"], errors, default)
            f["error"] = next((errors.get(f"{f['id']}-{part}") for part in ("day", "month", "year")
                               if errors.get(f"{f['id']}-{part}")), None)
    return fields


def _form(page: Page, action: str, ctx: Context, values, errors: Errors, form_id: str, posted: bool) -> Response:
    spec = FORMS[action]
    stage = current_stage(ctx.record)
    intro = spec.intro(ctx) if callable(spec.intro) else spec.intro
    return page.form_page(
        "actions/form.html", errors, ref=ctx.ref, action=action, heading=spec.heading, intro=intro,
        submit=spec.submit, multipart=spec.multipart, values=values or {}, form_id=form_id,
        fields=_shown_fields(spec, ctx, values or {}, errors, posted), stage=stage.get("stage"),
        upload=ctx.upload)


def _pending(page: Page, ctx: Context, action: str) -> dict | None:
    return (page.session.get(PENDING) or {}).get(f"{ctx.ref} {action}")


def _keep_pending(page: Page, ctx: Context, action: str, values: dict | None) -> None:
    pending = dict(page.session.get(PENDING) or {})
    key = f"{ctx.ref} {action}"
    if values is None:
        pending.pop(key, None)
    else:
        pending[key] = values
    page.session[PENDING] = pending       # set again: the session saves what is set


def _answers(form) -> dict[str, str]:
    """The form's typed answers (no token, no file), to wait in the session."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}


async def _upload(page: Page, ctx: Context, values) -> None:
    """A response file sent with the form is checked and kept; or the one kept before."""
    sent = page.form.get("response-file") if page.form is not None else None
    if isinstance(sent, UploadFile) and sent.filename:
        data = await sent.read(response_files.MAX_FILE_BYTES + 1)
        problem = response_files.file_problem(sent.filename, data)
        if problem is not None:
            ctx.upload_error = problem
            return
        ctx.upload = await page.db(response_files.keep_upload, page.app.engine, ctx.ref, sent.filename, data,
                                   page.person.username)
        return
    ctx.upload = await page.db(response_files.pending_upload, page.app.engine, ctx.ref, values.get("upload-id"))


def _read(action: str, ctx: Context, values, errors: Errors, person_name: str):
    spec = FORMS[action]
    request = spec.read(values, errors, ctx)
    if request is None:
        return None
    request.by = person_name
    request_errors(BY_PATH[action].update, request, spec, errors, ctx.today)
    return None if errors else request


def _form_view(action: str):
    spec = FORMS[action]

    async def view(page: Page) -> Response:
        ctx = await _context(page, action)
        if ctx is None:
            if page.request.method == "POST":
                await page.audit(audit.REFUSED, _ref_or_none(page), f"{action} not allowed")
            return page.forbidden()
        if page.request.method == "GET":
            values = (_pending(page, ctx, action) or {}) if page.request.query_params.get("change") else {}
            if values.get("upload-id"):
                ctx.upload = await page.db(response_files.pending_upload, page.app.engine, ctx.ref,
                                           values["upload-id"])
            return _form(page, action, ctx, values, Errors(), values.get("form_id") or form_once.new_id(),
                         posted=False)
        values = page.form
        form_id = values.get("form_id") or form_once.new_id()
        if spec.multipart:
            await _upload(page, ctx, values)
        errors = Errors()
        request = _read(action, ctx, values, errors, page.person.name)
        if request is None:
            return _form(page, action, ctx, values, errors, form_id, posted=True)
        if spec.step:
            answers = {**_answers(values), "form_id": form_id}
            if ctx.upload is not None and values.get("where") == "file":
                answers["upload-id"] = ctx.upload.id
            _keep_pending(page, ctx, action, answers)
            return page.redirect(f"/complaints/{ctx.ref}/{action}/{spec.step}")
        return await _act(page, action, ctx, request, values, form_id)

    view.__name__ = f"action_{action.replace('-', '_')}"
    return view


def _ref_or_none(page: Page) -> str | None:
    ref = page.request.path_params.get("ref")
    return ref if identifier_problem(ref) is None else None


# ------------------------------------------------------------------------ confirm and check


def _summary(action: str, ctx: Context, values: dict, request) -> list[dict]:
    """What the person said, restated, each with a way back to change it."""
    change = f"/complaints/{ctx.ref}/{action}?change=1"
    rows: list[tuple[str, str, str]] = []
    if hasattr(request, "outcome"):
        rows.append(("Outcome", label("outcome", request.outcome), "outcome"))
    if action == "respond":
        where = (f"Uploaded: {ctx.upload.filename}" if values.get("where") == "file" and ctx.upload
                 else values.get("where-note", ""))
        rows.append(("Response", where, "where"))
        if request.late_reason:
            rows.append(("Why it is late", late_reason_words(request.late_reason), "why-late"))
            if request.late_note:
                rows.append(("Anything to add", request.late_note, "late-note"))
        if request.recommendations:
            listed = Markup('<ul class="govuk-list govuk-list--bullet">{}</ul>').format(
                Markup("").join(Markup("<li>{}</li>").format(r) for r in request.recommendations))
            rows.append(("Recommendations", listed, "recommendations"))
    if action in ("suspend", "discontinue"):
        rows.append(("Reason", label("suspension_reason", request.reason), "reason"))
        if request.detail:
            rows.append(("Which proceedings", request.detail, "detail"))
    if action == "withdraw" and request.reason:
        rows.append(("Why", request.reason, "reason"))
    if getattr(request, "on", None) is not None:
        rows.append(("Date", long_date(request.on), "on-day"))
    return [{"key": {"text": k}, "value": {"html": v} if isinstance(v, Markup) else {"text": v},
             "actions": {"items": [{"href": f"{change}#{anchor}", "text": "Change",
                                    "visuallyHiddenText": k.lower()}]}} for k, v, anchor in rows]


CONFIRM = {
    # action: (question, what will happen, button, warning)
    "suspend": ("Stop the clock?", ["The deadline is held until you restart the clock: the working days "
                                    "left are kept.", "We will write to the complainant to tell them."],
                "Stop the clock", False),
    "resume": ("Restart the clock?", ["The new due date adds the working days the clock was stopped.",
                                      "We will write to the complainant with the new due date."],
               "Restart the clock", False),
    "discontinue": ("Discontinue this complaint?", [
        "Nothing more is done on it until the proceedings end. Then the complainant may resubmit it.",
        "We will write to the complainant about their right to resubmit it."], "Discontinue the complaint", True),
    "withdraw": ("Withdraw this complaint?", ["Nothing more can be done to it once it is withdrawn.",
                                              "We will send the complainant a confirmation."],
                 "Withdraw the complaint", True),
    "respond": ("Check the response before you record it", ["We will send the complainant the outcome, "
                                                            "and say how to ask for the next stage."],
                "Record the response", False),
}


def _step_view(action: str):
    async def view(page: Page) -> Response:
        ctx = await _context(page, action)
        if ctx is None:
            if page.request.method == "POST":
                await page.audit(audit.REFUSED, _ref_or_none(page), f"{action} not allowed")
            return page.forbidden()
        values = _pending(page, ctx, action)
        if values is None:
            if page.request.method == "POST":
                # Sent already (or never filled in): nothing to confirm, nothing changed.
                return page.render("errors/bad_form.html", status=400)
            return page.redirect(f"/complaints/{ctx.ref}/{action}")
        ctx.upload = await page.db(response_files.pending_upload, page.app.engine, ctx.ref, values.get("upload-id"))
        errors = Errors()
        request = _read(action, ctx, values, errors, page.person.name)
        if request is None:
            return _form(page, action, ctx, values, errors, values.get("form_id") or form_once.new_id(), posted=True)
        if page.request.method == "POST":
            return await _act(page, action, ctx, request, values, values.get("form_id") or form_once.new_id())
        question, lines, button, warning = CONFIRM[action]
        return page.render("actions/confirm.html", ref=ctx.ref, action=action, question=question, lines=lines,
                           button=button, warning=warning, rows=_summary(action, ctx, values, request),
                           heading=FORMS[action].heading)

    view.__name__ = f"action_{action.replace('-', '_')}_{FORMS[action].step}"
    return view


# ------------------------------------------------------------------------ doing it


async def _act(page: Page, action: str, ctx: Context, request, values, form_id: str) -> Response:
    spec, update = FORMS[action], BY_PATH[action].update
    if not await page.db(form_once.claim, page.app.engine, form_id):
        return page.render("errors/bad_form.html", status=400)
    detail = spec.detail(request)
    outcome = await act(page.app.client, page.app.store, ctx.ref, update, request)
    if not outcome.done:
        await page.db(form_once.release, page.app.engine, form_id)
        await page.audit(audit.REFUSED, ctx.ref, detail)
        errors = Errors()
        reason = outcome.message.strip()
        errors.add(spec.refusal_field, reason[:1].upper() + reason[1:])
        return _form(page, action, ctx, values, errors, form_id, posted=True)
    await page.audit(audit.ACTION, ctx.ref, detail)
    if spec.step:
        _keep_pending(page, ctx, action, None)
    record = await page.db(page.app.store.complaint, ctx.ref) or ctx.record
    if action == "respond":
        answered = current_stage(record).get("stage")
        await page.db(response_files.attach, page.app.engine, ctx.ref, answered, page.person.username,
                      upload_id=ctx.upload.id if values.get("where") == "file" and ctx.upload else None,
                      note=values.get("where-note") if values.get("where") == "note" else None)
    return page.redirect(f"/complaints/{ctx.ref}", banner=str(banner(action, record, request, ctx.officers)))


# ------------------------------------------------------------------------ a response's file


@page_for()
async def response_download(page: Page) -> Response:
    ref, file_id = page.request.path_params["ref"], page.request.path_params["file_id"]
    record = await page.db(page.app.store.complaint, ref) if identifier_problem(ref) is None else None
    directory = await page.db(_directory)
    officers = directory.officers if directory else []
    if record is None or not may_see(page.person, [x["officer"] for x in record["assignments"]], officers):
        return page.forbidden()
    found = await page.db(response_files.response_file, page.app.engine, ref, file_id)
    if found is None:
        return page.forbidden()
    name, media_type, data = found
    await page.audit(audit.DOWNLOAD, ref, "response file")
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name, safe='')}"})


def _routes() -> list[Route]:
    found = []
    for action, spec in FORMS.items():
        size = UPLOAD_BYTES if spec.multipart else MAX_FORM_BYTES
        found.append(Route(f"/complaints/{{ref}}/{action}", page_for(max_bytes=size)(_form_view(action)),
                           methods=["GET", "POST"]))
        if spec.step:
            found.append(Route(f"/complaints/{{ref}}/{action}/{spec.step}", page_for()(_step_view(action)),
                               methods=["GET", "POST"]))
    found.append(Route("/complaints/{ref}/responses/{file_id}", response_download))
    return found


assert set(FORMS) == set(BY_PATH), "every action has its form and its line in the table of who may do it"
routes = _routes()
