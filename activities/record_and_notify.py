"""The one activity the complaint workflow runs: keep the record, then send the mail.

Step 1 writes the complaint's snapshot and its new notices (rendered) to the outbox in
one transaction; a retry writes nothing new, because outbox rows are keyed by the
complaint's reference and the notice's key. Step 2 sends every notice of this batch
that the outbox has not marked sent, marking each as soon as the SMTP server accepts
it. If the worker dies between those two moments the mail may go again, once: the
unavoidable window of SMTP itself (RFC 1047), kept to a few instructions long.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone

from temporalio import activity

from models.complaint import Notice
from notifications.mailer import MailPool, SmtpSettings, build_message, message_id_for
from notifications.render import RenderedMail, render
from store.record_store import OutboxMail, RecordStore
from models.workflow_io import RecordAndNotify

log = logging.getLogger(__name__)


def outbox_mail(notice: Notice) -> OutboxMail:
    mail = render(notice)
    return OutboxMail(
        ref=notice.ref,
        key=notice.key,
        stage=notice.stage,
        kind=notice.kind,
        recipient=notice.to,
        to_name=notice.to_name,
        to_email=notice.to_email,
        event_at=notice.at,
        due=notice.due,
        subject=mail.subject,
        text_body=mail.text,
        html_body=mail.html,
        message_id=message_id_for(notice.ref, notice.key),
    )


def message_for(mail: OutboxMail, sender: str):
    """The email for an outbox row: exactly the text stored when the notice was recorded."""
    notice = Notice(
        key=mail.key, ref=mail.ref, stage=mail.stage, kind=mail.kind, to=mail.recipient,
        to_name=mail.to_name, to_email=mail.to_email, at=mail.event_at, due=mail.due,
    )
    rendered = RenderedMail(subject=mail.subject, text=mail.text_body, html=mail.html_body)
    return build_message(notice, rendered, sender=sender, message_id=mail.message_id)


class ComplaintActivities:
    def __init__(self, store: RecordStore, smtp: SmtpSettings) -> None:
        self.store = store
        self.smtp = smtp
        self.mail = MailPool(smtp)

    async def close(self) -> None:
        await self.mail.close()

    @activity.defn(name="record_and_notify")
    async def record_and_notify(self, batch: RecordAndNotify) -> int:
        """Returns how many mails this attempt sent."""
        mails = [outbox_mail(n) for n in batch.notices]
        unsent = await asyncio.to_thread(self.store.save, batch.state, mails)
        if not mails:
            return 0
        ref = batch.state.ref
        if unsent:
            async with self.mail.session(purpose=f"{len(unsent)} notice(s) for {ref}") as session:
                for mail in unsent:
                    activity.heartbeat(mail.key)
                    await session.send(message_for(mail, self.smtp.sender))
                    # Marked the moment the server accepts it: a retry sends only the rest.
                    await asyncio.to_thread(self.store.mark_sent, ref, mail.key, datetime.now(timezone.utc))
        # Kinds and counts only: the reference is a council number, the rest stays in the store.
        log.info("%s: %d notice(s) sent", ref, len(unsent))
        return len(unsent)
