"""One mail waiting in (or already sent from) the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass
class OutboxMail:
    """A rendered notification, stored with the complaint before anyone mails it.

    ``(ref, key)`` identifies it: the key is the notice's key, unique within the
    complaint, so saving the same notice again (a retried activity) writes nothing new.
    ``message_id`` is the Message-ID header, fixed at render time so a mail that is
    delivered twice after a crash can be recognised as the same mail.
    """

    ref: str
    key: str
    stage: int
    kind: str
    recipient: str          # an officer id, "complainant" or "complaints_team"
    to_name: str
    to_email: str
    event_at: datetime      # timezone-aware
    due: date | None
    subject: str
    text_body: str
    html_body: str
    message_id: str
    # The notice as JSON, to write the letter again (a template mended after it failed).
    notice: str | None = None
    # Why it cannot go, when it could not be written at all (delivery never tries it).
    failure: str | None = None
    # Tries that failed for now (delivery waits longer after each).
    attempts: int = 0
    # "email" (delivery sends it) or "post" (its PDF waits to be printed: `complaints post`).
    channel: str = "email"
    pdf: bytes | None = None
