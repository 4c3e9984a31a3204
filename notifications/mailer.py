"""Build a notification's email and send it over SMTP.

The machine headers (``X-Complaint-Ref`` and friends) let the engine's tools (the
simulation's timeline, exactly-once checks) read a mail without parsing its words.
They carry references, kinds, officer ids and dates: never a name or an address.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr
from zoneinfo import ZoneInfo

import aiosmtplib

from models.complaint import Notice
from notifications.render import RenderedMail

log = logging.getLogger(__name__)

LONDON = ZoneInfo("Europe/London")
MESSAGE_ID_DOMAIN = "complaints.local"
# A council's relay may be slow (virus scanning, say): wait a minute for each answer.
SEND_TIMEOUT_SECONDS = 60.0


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached, or it refused the message.

    ``permanent``: trying again cannot help (the server refused it for good with a 5xx,
    or the message cannot be put in SMTP's terms at all); otherwise it may go later.
    """

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


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
        ``SMTP_PASSWORD``, ``SMTP_STARTTLS`` and ``SMTP_TIMEOUT`` (seconds to wait for each
        answer). The defaults suit the local mail
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
            timeout=_seconds(env.get("SMTP_TIMEOUT"), SEND_TIMEOUT_SECONDS),
        )


def _seconds(text: str | None, default: float) -> float:
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"SMTP_TIMEOUT must be a number of seconds, not {text!r}") from None
    if not 1 <= value <= 600:
        raise ValueError(f"SMTP_TIMEOUT must be between 1 and 600 seconds, not {text!r}")
    return value


def message_id_for(ref: str, key: str, domain: str = MESSAGE_ID_DOMAIN) -> str:
    """The same notice always gets the same Message-ID, so a mail resent after a
    crash can be recognised as a duplicate. A hash, so it carries no personal data."""
    digest = hashlib.sha256(f"{ref}\x1f{key}".encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def _london(at: datetime) -> datetime:
    # Every timestamp carries its UTC offset; a naive one is taken as London time.
    return at.replace(tzinfo=LONDON) if at.tzinfo is None else at


def _header(text: str) -> str | Header:
    return text if text.isascii() else Header(text, "utf-8")


def build_message(
    notice: Notice,
    mail: RenderedMail,
    *,
    sender: str,
    message_id: str | None = None,
) -> Message:
    """A multipart/alternative email (plain text first, then HTML) for one notice.

    ``message_id`` defaults to ``message_id_for(notice.ref, notice.key)``; the Date is
    the notice's own time (simulated time in a simulation), not the machine's clock.
    Built with the classic MIME classes: the modern header machinery took several
    times as long as everything else in sending a notice.
    """
    at = _london(notice.at)
    message = MIMEMultipart("alternative")
    message["Message-ID"] = message_id or message_id_for(notice.ref, notice.key)
    message["Date"] = format_datetime(at)
    message["From"] = sender
    message["To"] = formataddr((notice.to_name or "", notice.to_email), charset="utf-8")
    message["Subject"] = _header(mail.subject)
    # RFC 3834: tells auto-responders not to answer a machine.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Complaint-Ref"] = notice.ref
    message["X-Complaint-Stage"] = str(notice.stage)
    message["X-Notification-Kind"] = notice.kind
    message["X-Notification-Recipient"] = notice.to
    message["X-Notification-Due"] = notice.due.isoformat() if notice.due else ""
    message["X-Notification-At"] = at.isoformat()
    message["X-Notification-Key"] = notice.key
    message.attach(MIMEText(mail.text, "plain", "utf-8"))
    message.attach(MIMEText(mail.html, "html", "utf-8"))
    return message


_ADDRESS = re.compile(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+")


def _without_addresses(text: str) -> str:
    # Servers echo addresses in their refusals; errors end up in logs and in
    # Temporal's history, where personal data must not go.
    return _ADDRESS.sub("<address>", text)


_FAILURES = (aiosmtplib.SMTPException, OSError, TimeoutError, UnicodeError, ValueError)


def _refused_for_good(exc: Exception) -> bool:
    """A 5xx from the server, for every recipient or for the message; or a message that
    cannot be said in SMTP (an address with characters the server does not take)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(r.code >= 500 for r in exc.recipients)
    if isinstance(exc, (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPConnectError,
                        aiosmtplib.SMTPTimeoutError)):
        return False
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return exc.code >= 500
    return isinstance(exc, (UnicodeError, ValueError))


def _not_sent(what: str, settings: SmtpSettings, exc: Exception) -> MailNotSent:
    detail = _without_addresses(str(exc)) or "no detail"
    return MailNotSent(
        f"could not send {what} through the SMTP server at {settings.host}:{settings.port}: "
        f"{type(exc).__name__}: {detail}",
        permanent=_refused_for_good(exc),
    )


def _what(message: Message) -> str:
    return f"{message.get('X-Notification-Kind', '?')} for {message.get('X-Complaint-Ref', '?')}"


class MailSession:
    """One connection to the SMTP server, for a batch of messages."""

    def __init__(self, settings: SmtpSettings, purpose: str = "mail") -> None:
        self.settings = settings
        self.purpose = purpose          # named in a connection failure, e.g. "overdue for CS-1"
        self._client = aiosmtplib.SMTP(
            hostname=settings.host, port=settings.port, username=settings.username,
            password=settings.password, start_tls=settings.starttls, timeout=settings.timeout,
        )

    async def __aenter__(self) -> MailSession:
        try:
            await self._client.connect()
        except _FAILURES as exc:
            # `from None`: the original exception may quote an address (see above).
            raise _not_sent(self.purpose, self.settings, exc) from None
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await self._client.quit()
        except _FAILURES:
            self._client.close()

    @property
    def connected(self) -> bool:
        return self._client.is_connected

    def drop(self) -> None:
        """Close the connection without a word to the server."""
        self._client.close()

    async def send(self, message: Message) -> None:
        """Hand the message over; raise ``MailNotSent`` if the server does not accept it.

        Raising is what makes the activity retry: a notice counts as sent only once the
        server has said yes.
        """
        what = _what(message)
        try:
            await self._client.send_message(message, sender=parseaddr(str(message["From"]))[1] or None)
        except _FAILURES as exc:
            raise _not_sent(what, self.settings, exc) from None
        log.info("sent %s (%s)", what, message["Message-ID"])


class MailPool:
    """SMTP connections kept open between batches of one worker.

    Most batches are a single notice; a new connection for each (connect, greeting,
    EHLO, QUIT) cost as much as the message itself. A connection goes back to the pool
    only after every send on it succeeded, and is taken again only while fresh, well
    inside the idle time a mail server allows (RFC 5321 asks servers for 5 minutes).
    """

    def __init__(self, settings: SmtpSettings, keep: int = 4, fresh_seconds: float = 10.0) -> None:
        self.settings = settings
        self.keep = keep
        self.fresh_seconds = fresh_seconds
        self._idle: list[tuple[MailSession, float]] = []

    @contextlib.asynccontextmanager
    async def session(self, purpose: str = "mail") -> AsyncIterator[MailSession]:
        session = self._take()
        if session is None:
            session = MailSession(self.settings, purpose)
            await session.__aenter__()
        session.purpose = purpose
        try:
            yield session
        except BaseException:
            # After a failure the connection's state is unknown: never reuse it.
            session.drop()
            raise
        if len(self._idle) < self.keep:
            self._idle.append((session, time.monotonic()))
        else:
            await session.__aexit__(None, None, None)

    def _take(self) -> MailSession | None:
        now = time.monotonic()
        while self._idle:
            session, since = self._idle.pop()
            if now - since < self.fresh_seconds and session.connected:
                return session
            session.drop()
        return None

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for session, _ in idle:
            await session.__aexit__(None, None, None)


async def send(settings: SmtpSettings, message: Message) -> None:
    """Send one message on a connection of its own."""
    async with MailSession(settings, purpose=_what(message)) as session:
        await session.send(message)
