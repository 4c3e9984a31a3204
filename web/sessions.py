"""Sessions kept on the server: the cookie carries only a long random id (HTTP-only,
SameSite=Lax, Secure over https); what the session holds (who is signed in, the form
token, a family's answers while they complain) stays in the database, and is gone when
the session ends, times out or signs out.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Engine, String, Table, Text, delete, insert, select, update

from store.schema import UTCDateTime
from web.tables import metadata

COOKIE = "complaints_session"
# A session's last page is written down at most this often when nothing else in it changed:
# a write per page would cost more than the page (the timeout is minutes, not seconds).
TOUCH_EVERY = timedelta(seconds=30)

sessions = Table(
    "web_sessions", metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("data", Text, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False, index=True),
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Session(dict):
    """One visitor's session: a dict saved when the response goes, if it changed."""

    def __init__(self, token: str | None, data: dict, fresh: bool) -> None:
        super().__init__(data)
        self.token = token
        self.fresh = fresh
        self.changed = False
        self.ended = False
        self.last_seen: datetime | None = None

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.changed = True

    def pop(self, key, default=None):
        self.changed = True
        return super().pop(key, default)

    def renew(self) -> None:
        """A new id for the same visitor (on sign-in: a session id known before is worthless after)."""
        self.ended = True
        self.changed = True

    @property
    def csrf(self) -> str:
        if "csrf" not in self:
            self["csrf"] = secrets.token_urlsafe(32)
        return self["csrf"]


class SessionStore:
    def __init__(self, engine: Engine, minutes: int) -> None:
        self.engine = engine
        self.timeout = timedelta(minutes=minutes)

    def load(self, token: str | None, now: datetime | None = None) -> Session:
        now = now or datetime.now(timezone.utc)
        if token:
            with self.engine.connect() as conn:
                row = conn.execute(select(sessions).where(sessions.c.id_hash == _hash(token))).first()
            if row is not None and now - row.last_seen <= self.timeout:
                found = Session(token, json.loads(row.data), fresh=False)
                found.last_seen = row.last_seen
                return found
            if row is not None:
                self.drop(token)
                # Kept under a new id, so the sign-in page this request is sent to can say why.
                timed_out = Session(None, {"timed_out": True}, fresh=True)
                timed_out.changed = True
                return timed_out
        return Session(None, {}, fresh=True)

    def save(self, session: Session, now: datetime | None = None) -> str | None:
        """Keep the session; returns the cookie's new id when it has one."""
        now = now or datetime.now(timezone.utc)
        if session.ended and session.token:
            self.drop(session.token)
            session.token = None
        if session.token is None:
            if not session.changed:
                return None
            session.token = secrets.token_urlsafe(32)
            with self.engine.begin() as conn:
                conn.execute(insert(sessions).values(id_hash=_hash(session.token), data=json.dumps(dict(session)),
                                                     last_seen=now))
            return session.token
        if not session.changed and session.last_seen is not None and now - session.last_seen < TOUCH_EVERY:
            return None
        values: dict = {"last_seen": now}
        if session.changed:
            values["data"] = json.dumps(dict(session))
        with self.engine.begin() as conn:
            conn.execute(update(sessions).where(sessions.c.id_hash == _hash(session.token)).values(**values))
        return None

    def drop(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == _hash(token)))

    def sweep(self, now: datetime | None = None) -> int:
        now = now or datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            return conn.execute(delete(sessions).where(sessions.c.last_seen < now - self.timeout)).rowcount
