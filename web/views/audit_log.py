"""The audit log, for the complaints manager: sign-ins, views and actions, newest first,
filtered by person, complaint and dates, 50 lines a page, and the filtered lines as CSV.

The filter is posted and kept in the session (like the complaints' search by name), so
an address never carries whom someone was looking for; pages are ``/audit?page=N``.
Reading the log is not itself a line in it; downloading it is.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from sqlalchemy import func, select
from starlette.responses import Response
from starlette.routing import Route

from rules.moments import LONDON
from web import audit
from web.access import COMPLAINTS_MANAGER
from web.accounts import accounts
from web.forms import Errors, date_field, date_items, text
from web.pages import Page, page_for

PER_PAGE = 50
SESSION_KEY = "audit_filter"
PUBLIC = "public"
# What each event is called on the page (the log keeps the codes).
EVENT_WORDS = {
    audit.SIGN_IN: "Signed in", audit.SIGN_IN_FAILED: "Sign-in failed", audit.SIGN_OUT: "Signed out",
    audit.VIEW: "Viewed", audit.ACTION: "Action", audit.REFUSED: "Refused", audit.DOWNLOAD: "Downloaded",
    audit.ADMIN: "Account change", audit.PUBLIC: "Public form",
}


def _kept(page: Page) -> tuple[audit.AuditFilter, dict]:
    """The session's filter, and the form's fields as typed (to show them again)."""
    kept = page.session.get(SESSION_KEY) or {}
    f = audit.AuditFilter(who=kept.get("who") or None, ref=kept.get("ref") or None,
                          since=date.fromisoformat(kept["since"]) if kept.get("since") else None,
                          until=date.fromisoformat(kept["until"]) if kept.get("until") else None)
    return f, kept.get("fields") or {}


def _filter_from(form, errors: Errors, people: set[str]) -> audit.AuditFilter:
    who = form.get("who") or None
    if who and who not in people:
        errors.add("who", "Select someone from the list")
        who = None
    ref = text(form, "ref", errors, label="the complaint’s reference", required=False, limit=64)
    since = date_field(form, "from", errors, label="the ‘from’ date", required=False)
    until = date_field(form, "to", errors, label="the ‘to’ date", required=False)
    if since and until and since > until:
        errors.add("from-day", "The ‘from’ date must be the same as or before the ‘to’ date")
    return audit.AuditFilter(who=who, ref=ref.upper() if ref else None, since=since, until=until)


def _count(engine, f: audit.AuditFilter) -> int:
    query = audit._query(f).order_by(None).subquery()
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(query)).scalar_one()


def _people(engine) -> list[tuple[str, str]]:
    """Who may be chosen: every account, and members of the public (the public form)."""
    return [(a.username, a.name if not a.local else f"{a.name} ({a.username})") for a in accounts(engine)] + [
        (PUBLIC, "Members of the public")]


@page_for(COMPLAINTS_MANAGER)
async def audit_page(page: Page):
    engine = page.app.engine
    people = await page.db(_people, engine)
    errors = Errors()
    if page.request.method == "POST":
        if page.form.get("action") == "clear":
            page.session.pop(SESSION_KEY, None)
            return page.redirect("/audit")
        chosen = _filter_from(page.form, errors, {p[0] for p in people})
        if not errors:
            fields = {k: page.form.get(k) or "" for k in ("who", "ref", "from-day", "from-month", "from-year",
                                                          "to-day", "to-month", "to-year")}
            page.session[SESSION_KEY] = {
                "who": chosen.who, "ref": chosen.ref, "since": chosen.since.isoformat() if chosen.since else None,
                "until": chosen.until.isoformat() if chosen.until else None, "fields": fields}
            return page.redirect("/audit")
        return page.form_page("audit/log.html", errors, form=page.form, people=people, lines=None,
                              date_items=date_items, filtered=False)
    f, fields = _kept(page)
    total = await page.db(_count, engine, f)
    pages = max(1, math.ceil(total / PER_PAGE))
    try:
        number = min(max(1, int(page.request.query_params.get("page", "1"))), pages)
    except ValueError:
        number = 1
    lines = await page.db(audit.lines, engine, f, offset=(number - 1) * PER_PAGE, limit=PER_PAGE)
    return page.form_page("audit/log.html", errors, form=fields, people=people, lines=lines, total=total,
                          number=number, pages=pages, per_page=PER_PAGE, event_words=EVENT_WORDS,
                          date_items=date_items, filtered=f != audit.AuditFilter(), names=dict(people))


@page_for(COMPLAINTS_MANAGER)
async def audit_download(page: Page):
    f, _ = _kept(page)
    body = await page.db(audit.as_csv, page.app.engine, f)
    await page.audit(audit.DOWNLOAD, detail="audit log CSV" + (" (filtered)" if f != audit.AuditFilter() else ""))
    name = f"audit-log-{datetime.now(LONDON):%Y-%m-%d}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


routes = [Route("/audit", audit_page, methods=["GET", "POST"]),
          Route("/audit/download", audit_download, methods=["GET"])]
