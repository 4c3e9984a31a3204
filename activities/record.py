"""The activity that keeps a complaint's record: its snapshot, and its letters in the outbox.

One transaction writes the complaint as it now stands and every new notice, rendered, to
the outbox; a retry writes nothing new, because outbox rows are keyed by the complaint's
reference and the notice's key. Nothing here touches SMTP: delivery drains the outbox on
its own (``notifications.delivery``), so an action returns as soon as its record is
written, whatever the mail server is doing. A notice that cannot be rendered is stored as
a failed letter, with the reason, and the record goes on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from collections.abc import Callable

from pydantic import TypeAdapter
from temporalio import activity

from models.complaint import Notice
from models.workflow_io import RecordAndNotify
from notifications.mailer import message_id_for
from models.complaint import COMPLAINANT
from notifications.posted import letter_pdf
from notifications.render import RenderedMail, render
from store.outbox import OutboxMail
from store.record_store import RecordStore
from web import family_links

log = logging.getLogger(__name__)

NOTICE_JSON = TypeAdapter(Notice)


def outbox_mail(notice: Notice) -> OutboxMail:
    """The letter for a notice, rendered; or, if it cannot be, the letter marked failed."""
    mail = OutboxMail(
        ref=notice.ref, key=notice.key, stage=notice.stage, kind=notice.kind, recipient=notice.to,
        to_name=notice.to_name, to_email=notice.to_email, event_at=notice.at, due=notice.due,
        subject="", text_body="", html_body="", message_id=message_id_for(notice.ref, notice.key),
        notice=NOTICE_JSON.dump_json(notice).decode(),
    )
    return written(mail, notice)


def written(mail: OutboxMail, notice: Notice) -> OutboxMail:
    try:
        rendered = render(notice)
    except Exception as exc:  # a template missing or broken: the letter fails, not the record
        # The reason names the template's fault, never the notice's details.
        mail.failure = f"the {notice.kind} letter could not be written: {type(exc).__name__}: {str(exc)[:200]}"
        mail.subject = mail.text_body = mail.html_body = ""
        return mail
    mail.subject, mail.text_body, mail.html_body, mail.failure = rendered.subject, rendered.text, rendered.html, None
    return mail


def posted(mail: OutboxMail, name: str, address: str | None) -> OutboxMail:
    """The letter as it goes by post: its PDF for the print queue (or the reason there is none)."""
    mail.channel = "post"
    if mail.failure is not None:
        return mail
    if not address:
        mail.failure = "the letter goes by post, and the complaint has no postal address"
        return mail
    try:
        mail.pdf = letter_pdf(RenderedMail(mail.subject, mail.text_body, mail.html_body), name, address)
    except Exception as exc:  # the PDF fails the letter, never the record
        mail.failure = f"the {mail.kind} letter could not be made a PDF: {type(exc).__name__}: {str(exc)[:200]}"
    return mail


def rewritten(mail: OutboxMail) -> OutboxMail:
    """A failed letter written again from its notice (after its template was mended)."""
    if mail.notice is None:
        return mail
    return written(mail, NOTICE_JSON.validate_json(mail.notice))


class ComplaintActivities:
    def __init__(self, store: RecordStore, recorded: Callable[[], None] = lambda: None) -> None:
        self.store = store
        self.recorded = recorded    # tells delivery there is new mail

    def links(self, batch: RecordAndNotify) -> dict[str, dict[str, str]]:
        """The links a batch's letters carry. Written into the letters only: the workflow
        never sees them, so its history is the same with or without them."""
        ref = batch.state.ref
        family: dict[str, str] = {}
        if any(n.to == COMPLAINANT for n in batch.notices):
            try:
                token = family_links.link_for(self.store.engine, ref)
            except Exception as exc:  # noqa: BLE001 - a letter without the link beats no letter
                log.warning("%s: the family's link could not be made (%s); letters go without it",
                            ref, type(exc).__name__)
                token = None
            if token is not None:
                family["check_link"] = family_links.check_url(token)
        return {"family": family, "staff": {"complaint_link": family_links.complaint_url(ref)}}

    @activity.defn(name="record")
    async def record(self, batch: RecordAndNotify) -> int:
        """Returns how many new letters went into the outbox."""
        complainant = batch.state.complainant
        # The letters say how the council writes to the family (by email, or by post), and
        # carry the links to the complaint online (the family's, and the staff page).
        way = "post" if complainant.by_post else "email"
        links = await asyncio.to_thread(self.links, batch) if batch.notices else {}
        mails = [outbox_mail(replace(n, details={**n.details, "write_by": way, **links["family"]})
                             if n.to == COMPLAINANT else replace(n, details={**n.details, **links["staff"]}))
                 for n in batch.notices]
        if complainant.by_post:
            for mail in mails:
                if mail.recipient == COMPLAINANT:
                    await asyncio.to_thread(posted, mail, complainant.name, complainant.address)
        await asyncio.to_thread(self.store.save, batch.state, mails)
        if mails:
            self.recorded()
        failed = sum(1 for m in mails if m.failure)
        # Kinds and counts only: the reference is a council number, the rest stays in the store.
        log.info("%s: recorded at revision %d, %d letter(s) queued, %d could not be written",
                 batch.state.ref, batch.state.revision, len(mails) - failed, failed)
        return len(mails)

    # Complaints started before recording and delivery were two things still run this one
    # (their histories name it); it now records, and delivery sends, as for the others.
    @activity.defn(name="record_and_notify")
    async def record_and_notify(self, batch: RecordAndNotify) -> int:
        return await self.record(batch)
