"""A form that changes a complaint is sent once: each one shown carries a random id, and
an action claims it (in the database, so two clicks in two tabs, or a form posted again
from the browser's history, cannot both pass) before it goes to the engine. A refused
action lets go of its claim, so the person can correct the form and send it again.
"""

from __future__ import annotations

import secrets
import weakref
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, Engine, MetaData, String, Table, delete, insert
from sqlalchemy.exc import IntegrityError

from store.schema import UTCDateTime

metadata = MetaData()

sent_forms = Table(
    "web_sent_forms", metadata,
    Column("form_id", String(64), primary_key=True),
    Column("at", UTCDateTime, nullable=False, index=True),
)

# A form's id is kept a week: longer than any session, so a replay is always caught.
KEPT = timedelta(days=7)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def _ensure(engine: Engine) -> None:
    if engine not in _ready:
        metadata.create_all(engine)
        _ready.add(engine)


def new_id() -> str:
    return secrets.token_urlsafe(18)


def claim(engine: Engine, form_id: str) -> bool:
    """Claim the form for one action; False when it was sent already."""
    _ensure(engine)
    now = datetime.now(timezone.utc)
    try:
        with engine.begin() as conn:
            conn.execute(delete(sent_forms).where(sent_forms.c.at < now - KEPT))
            conn.execute(insert(sent_forms).values(form_id=form_id[:64], at=now))
    except IntegrityError:
        return False
    return True


def release(engine: Engine, form_id: str) -> None:
    """The action was refused: the same form may be corrected and sent again."""
    _ensure(engine)
    with engine.begin() as conn:
        conn.execute(delete(sent_forms).where(sent_forms.c.form_id == form_id[:64]))
