"""Delivery: the letters in the outbox go to the SMTP server, on their own.

Recording a complaint writes its letters to the outbox in the same transaction (the
``record`` activity); nothing there waits on mail. Delivery runs beside the worker and
drains the outbox: it takes a few letters at a time (holding each for a while, so a
second delivery never sends the same letter), sends them, and marks each sent the moment
the server accepts it. So a slow or dead mail server delays letters and nothing else:

- the server down, busy or slow (a connection refused, a timeout, a 4xx): the letter
  waits and is tried again, at growing intervals up to every five minutes;
- refused for good (a 5xx for its recipient, an address SMTP cannot carry), or never
  written (its template failed): the letter is marked failed with the reason, shown by
  ``status`` and ``list``, and not tried again until someone asks (``retry-letters``).

A delivery killed after the server accepted a letter and before it was marked sent will
send that letter again once its hold runs out: SMTP's own window (RFC 1047). The copy
carries the same Message-ID, so a receiver can tell it is the same letter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta, timezone

from models.complaint import Notice
from notifications.mailer import MailNotSent, MailPool, SmtpSettings, build_message
from notifications.render import RenderedMail
from store.outbox import OutboxMail
from store.record_store import RecordStore

log = logging.getLogger(__name__)

# Letters sent on one connection before delivery looks at the outbox afresh.
BATCH = 10
# Tries after a failure for now: 2 s, 4 s, 8 s ... up to every five minutes.
FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(minutes=5)
# With nothing to do, look again this often (another process may have recorded mail).
IDLE_POLL_SECONDS = 2.0


def message_for(mail: OutboxMail, sender: str):
    """The email for an outbox row: exactly the text stored when the notice was recorded."""
    notice = Notice(
        key=mail.key, ref=mail.ref, stage=mail.stage, kind=mail.kind, to=mail.recipient,
        to_name=mail.to_name, to_email=mail.to_email, at=mail.event_at, due=mail.due,
    )
    rendered = RenderedMail(subject=mail.subject, text=mail.text_body, html=mail.html_body)
    return build_message(notice, rendered, sender=sender, message_id=mail.message_id)


def retry_after(attempts: int) -> timedelta:
    """How long to wait before the next try, after ``attempts`` failed ones."""
    return min(LONGEST_RETRY, FIRST_RETRY * 2 ** max(0, attempts))


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Delivery:
    """Sends what the outbox holds; ``run`` until cancelled, or ``send_due`` once."""

    def __init__(self, store: RecordStore, smtp: SmtpSettings, mail: MailPool | None = None) -> None:
        self.store = store
        self.smtp = smtp
        self.mail = mail or MailPool(smtp)
        self._recorded = asyncio.Event()
        self._held: dict[tuple[str, str], OutboxMail] = {}   # letters taken and not yet done with
        self._claiming: asyncio.Future | None = None

    def recorded(self) -> None:
        """Told by the record activity: there is new mail (saves waiting for the next poll)."""
        self._recorded.set()

    async def run(self) -> None:
        while True:
            try:
                sent_any = await self.send_due()
            except Exception:  # the store unreachable for a moment: never stop delivering
                log.exception("delivery: could not read the outbox; trying again shortly")
                sent_any = False
            if sent_any:
                continue
            self._recorded.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._recorded.wait(), timeout=await self._idle_seconds())

    async def _idle_seconds(self) -> float:
        wake = await asyncio.to_thread(self.store.next_delivery_at)
        if wake is None:
            return IDLE_POLL_SECONDS
        return min(IDLE_POLL_SECONDS, max(0.05, (wake - _now()).total_seconds()))

    @property
    def hold(self) -> timedelta:
        """How long a letter is held while it is sent: longer than the server may take to
        answer, and no longer, so a delivery killed mid-send lets go of it soon."""
        return timedelta(seconds=2 * self.smtp.timeout + 10)

    def _claim(self) -> OutboxMail | None:
        # Noted as held inside the thread that takes it: if the worker stops while this
        # runs, the letter is still let go of on close.
        now = _now()
        taken = self.store.claim_mail(now, now + self.hold, 1)
        for mail in taken:
            self._held[(mail.ref, mail.key)] = mail
        return taken[0] if taken else None

    async def _take(self) -> OutboxMail | None:
        # Shielded: a worker stopping mid-claim lets the claim finish, and close() waits for
        # it, so what it took is let go of rather than held for nothing.
        self._claiming = asyncio.get_running_loop().run_in_executor(None, self._claim)
        return await asyncio.shield(self._claiming)

    def _done(self, mail: OutboxMail) -> None:
        self._held.pop((mail.ref, mail.key), None)

    async def send_due(self) -> bool:
        """Send what is due, up to a batch on one connection; True if any went (there may be more)."""
        first = await self._take()
        if first is None:
            return False
        batch = [first]
        done = 0
        try:
            async with self.mail.session(purpose="letters") as session:
                while True:
                    mail = batch[-1]
                    try:
                        await session.send(message_for(mail, self.smtp.sender))
                    except MailNotSent as exc:
                        if not exc.permanent:
                            raise
                        await asyncio.to_thread(self.store.mark_failed, mail.ref, mail.key, _now(), str(exc))
                        log.warning("%s: a %s letter was refused for good", mail.ref, mail.kind)
                    else:
                        # Marked the moment the server accepts it: a later try sends only the rest.
                        await asyncio.to_thread(self.store.mark_sent, mail.ref, mail.key, _now())
                    done += 1
                    self._done(mail)
                    if done == BATCH or (following := await self._take()) is None:
                        break
                    batch.append(following)
        except MailNotSent as exc:
            # Down, busy or slow: this letter and the rest of the batch wait their turn.
            for mail in batch[done:]:
                later = _now() + retry_after(mail.attempts)
                await asyncio.to_thread(self.store.postpone, mail.ref, mail.key, later, str(exc))
                self._done(mail)
            log.info("delivery: %d letter(s) waiting for the mail server", len(batch) - done)
            return done > 0
        return True

    async def close(self) -> None:
        """Stop: letters held but not sent are let go at once, for the next delivery."""
        if self._claiming is not None and not self._claiming.done():
            await asyncio.wait([self._claiming], timeout=30)
        held, self._held = list(self._held.values()), {}
        for mail in held:
            await asyncio.to_thread(self.store.release, mail.ref, mail.key)
        await self.mail.close()
