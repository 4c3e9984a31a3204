"""Build a notification's email and send it over SMTP.

The machine headers (``X-Complaint-Ref`` and friends) let the engine's tools (the
simulation's timeline, exactly-once checks) read a mail without parsing its words.
They carry references, kinds, officer ids and dates: never a name or an address.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

import aiosmtplib

from models.complaint import Notice
from notifications.render import RenderedMail

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
MESSAGE_ID_DOMAIN = "complaints.local"
SEND_TIMEOUT_SECONDS = 30.0


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached, or it refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "127.0.0.1"
    port: int = 8025
    sender: str = "complaints@council.example"
    username: str | None = None
    password: str | None = field(default=None, repr=False)   # never printed
    starttls: bool = False
    timeout: float = SEND_TIMEOUT_SECONDS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SmtpSettings:
        """Read ``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_FROM``, ``SMTP_USERNAME``,
        ``SMTP_PASSWORD`` and ``SMTP_STARTTLS``. The defaults suit the local mail
        sink that ``make up`` starts."""
        env = os.environ if environ is None else environ
        port_text = env.get("SMTP_PORT") or "8025"
        try:
            port = int(port_text)
        except ValueError:
            raise ValueError(f"SMTP_PORT must be a number, not {port_text!r}") from None
        return cls(
            host=env.get("SMTP_HOST") or "127.0.0.1",
            port=port,
            sender=env.get("SMTP_FROM") or "complaints@council.example",
            username=env.get("SMTP_USERNAME") or None,
            password=env.get("SMTP_PASSWORD") or None,
            starttls=(env.get("SMTP_STARTTLS") or "").strip().lower() in ("1", "true", "yes", "on"),
        )


def message_id_for(ref: str, key: str, domain: str = MESSAGE_ID_DOMAIN) -> str:
    """The same notice always gets the same Message-ID, so a mail resent after a
    crash can be recognised as a duplicate. A hash, so it carries no personal data."""
    digest = hashlib.sha256(f"{ref}\x1f{key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _london(at: datetime) -> datetime:
    # Every timestamp carries its UTC offset; a naive one is taken as London time.
    return at.replace(tzinfo=LONDON) if at.tzinfo is None else at


def build_message(
    notice: Notice,
    mail: RenderedMail,
    *,
    sender: str,
    message_id: str | None = None,
) -> EmailMessage:
    """A multipart/alternative email (plain text first, then HTML) for one notice.

    ``message_id`` defaults to ``message_id_for(notice.ref, notice.key)``; the Date is
    the notice's own time (simulated time in a simulation), not the machine's clock.
    """
    at = _london(notice.at)
    message = EmailMessage()
    message["Message-ID"] = message_id or message_id_for(notice.ref, notice.key)
    message["Date"] = format_datetime(at)
    message["From"] = sender
    message["To"] = Address(display_name=notice.to_name or "", addr_spec=notice.to_email)
    message["Subject"] = mail.subject
    # RFC 3834: tells auto-responders not to answer a machine.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Complaint-Ref"] = notice.ref
    message["X-Complaint-Stage"] = str(notice.stage)
    message["X-Notification-Kind"] = notice.kind
    message["X-Notification-Recipient"] = notice.to
    message["X-Notification-Due"] = notice.due.isoformat() if notice.due else ""
    message["X-Notification-At"] = at.isoformat()
    message["X-Notification-Key"] = notice.key
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    return message


_ADDRESS = re.compile(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+")


def _without_addresses(text: str) -> str:
    # Servers echo addresses in their refusals; errors end up in logs and in
    # Temporal's history, where personal data must not go.
    return _ADDRESS.sub("<address>", text)


async def send(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raise ``MailNotSent`` if it is not accepted.

    Raising is what makes the activity retry: a notice counts as sent only once the
    server has said yes.
    """
    what = f"{message.get('X-Notification-Kind', '?')} for {message.get('X-Complaint-Ref', '?')}"
    where = f"{settings.host}:{settings.port}"
    try:
        await aiosmtplib.send(
            message,
            sender=parseaddr(str(message["From"]))[1] or None,
            hostname=settings.host,
            port=settings.port,
            username=settings.username,
            password=settings.password,
            start_tls=settings.starttls,
            timeout=settings.timeout,
        )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        detail = _without_addresses(str(exc)) or "no detail"
        # `from None`: the original exception may quote an address (see above).
        raise MailNotSent(
            f"could not send {what} through the SMTP server at {where}: "
            f"{type(exc).__name__}: {detail}"
        ) from None
    log.info("sent %s (%s)", what, message["Message-ID"])
