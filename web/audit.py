"""The audit log: every sign-in, every view of a complaint's personal data and every
action, with the person, the time and what was seen or done. Append-only (the database
refuses to change or delete a line: ``web.tables``); the complaints manager reads and
exports it (``web.views.audit_log``).

What it holds is what happened, never the personal data itself: "viewed complaint",
"assign: officer io-2", not the complainant's name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Engine, insert, select

from rules.moments import LONDON
from web.access import Person
from web.tables import audit_log

SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, VIEW, ACTION, REFUSED, DOWNLOAD, ADMIN, PUBLIC = (
    "sign-in", "sign-in failed", "sign-out", "view", "action", "refused", "download", "admin", "public")


def record(engine: Engine, who: Person | None, event: str, ref: str | None = None, detail: str = "") -> None:
    with engine.begin() as conn:
        conn.execute(insert(audit_log).values(
            at=datetime.now(timezone.utc), who=who.username if who else "public",
            name=who.name if who else "member of the public", event=event, ref=ref, detail=detail[:2000]))


@dataclass(frozen=True)
class AuditFilter:
    who: str | None = None
    ref: str | None = None
    since: date | None = None
    until: date | None = None


def _query(f: AuditFilter):
    query = select(audit_log).order_by(audit_log.c.seq.desc())
    if f.who:
        query = query.where(audit_log.c.who == f.who)
    if f.ref:
        query = query.where(audit_log.c.ref == f.ref)
    if f.since:
        query = query.where(audit_log.c.at >= datetime.combine(f.since, time(), LONDON))
    if f.until:
        query = query.where(audit_log.c.at < datetime.combine(f.until + timedelta(days=1), time(), LONDON))
    return query


def lines(engine: Engine, f: AuditFilter, *, offset: int = 0, limit: int | None = 50) -> list[dict]:
    query = _query(f).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def as_csv(engine: Engine, f: AuditFilter) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Time (UK)", "Username", "Name", "Event", "Complaint", "Detail"])
    for line in lines(engine, f, limit=None):
        writer.writerow([line["at"].astimezone(LONDON).isoformat(timespec="seconds"), line["who"], line["name"],
                         line["event"], line["ref"] or "", _cell(line["detail"])])
    return out.getvalue()


def _cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
