"""What a family wrote when they complained online, in their own words: what happened and
what they would like to happen (and the service, when it was not one on the list). The
engine's record keeps the facts the rules need; these words are for the people handling
the complaint, so they live beside it, one row per complaint, in the web app's tables.

``texts(engine, ref)`` gives them to the complaint's page (None for a complaint that
came by letter, email or telephone).
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, Engine, String, Table, Text, delete, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from store.schema import UTCDateTime
from web.tables import metadata

complaint_texts = Table(
    "web_complaint_texts", metadata,
    Column("ref", String(64), primary_key=True),
    Column("about", Text),                      # the service in their words, when not one listed
    Column("what_happened", Text, nullable=False),
    Column("would_like", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

_READY: set[int] = set()


def _ready(engine: Engine) -> None:
    """The table, made on first use: it may be newer than the database."""
    if id(engine) in _READY:
        return
    try:
        complaint_texts.create(engine, checkfirst=True)
    except (OperationalError, ProgrammingError):
        pass  # made at the same moment elsewhere
    _READY.add(id(engine))


def keep(engine: Engine, ref: str, *, about: str | None, what_happened: str, would_like: str) -> None:
    """Keep a complaint's words. Raises IntegrityError when the reference already has some:
    the public form takes that as "this reference is taken" and tries the next."""
    _ready(engine)
    with engine.begin() as conn:
        conn.execute(insert(complaint_texts).values(
            ref=ref, about=about, what_happened=what_happened, would_like=would_like,
            created_at=datetime.now(timezone.utc)))


def forget(engine: Engine, ref: str) -> None:
    """Take back the words of a complaint the engine refused: a refused complaint leaves nothing."""
    _ready(engine)
    with engine.begin() as conn:
        conn.execute(delete(complaint_texts).where(complaint_texts.c.ref == ref))


def texts(engine: Engine, ref: str) -> dict | None:
    """{"about", "what_happened", "would_like", "created_at"}, or None."""
    _ready(engine)
    with engine.connect() as conn:
        row = conn.execute(select(complaint_texts).where(complaint_texts.c.ref == ref)).first()
    if row is None:
        return None
    return {"about": row.about, "what_happened": row.what_happened, "would_like": row.would_like,
            "created_at": row.created_at}
