"""Where a stage's response is: the letter itself (a PDF or Word file an officer uploads)
or a note of where it is kept. The engine records the response's outcome and day; the
document stays here, in the council's own database beside the complaint's records.

A file is kept when the officer uploads it, before they check their answers, and is
attached to the stage once the response is recorded; one never attached is swept after
a day. Only the person's username and the file's own name go with it.
"""

from __future__ import annotations

import re
import secrets
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import PurePosixPath, PureWindowsPath

from sqlalchemy import (
    Boolean, Column, Engine, Integer, LargeBinary, MetaData, String, Table, Text, and_, delete, insert, select,
    update,
)

from store.schema import UTCDateTime

MAX_FILE_BYTES = 5 * 1024 * 1024          # a response letter; a scanned one is rarely more
NOTE_MAX = 1_000
KINDS = {
    # suffix: (what the file must start with, its media type)
    ".pdf": ((b"%PDF-",), "application/pdf"),
    ".docx": ((b"PK\x03\x04",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".doc": ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "application/msword"),
}

metadata = MetaData()

responses = Table(
    "web_responses", metadata,
    Column("id", String(32), primary_key=True),
    Column("ref", String(64), nullable=False, index=True),
    Column("stage", Integer),                               # set when the response is recorded
    Column("filename", Text),                               # a file's own name, or None for a note
    Column("media_type", String(100)),
    Column("size", Integer),
    Column("data", LargeBinary),
    Column("note", Text),                                   # where the response is kept
    Column("who", String(200), nullable=False),             # the username that added it
    Column("at", UTCDateTime, nullable=False),
    Column("attached", Boolean, nullable=False, default=False),
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()


def ensure(engine: Engine) -> None:
    """Create the table on first use (once per engine)."""
    if engine not in _ready:
        metadata.create_all(engine)
        _ready.add(engine)


@dataclass(frozen=True)
class Upload:
    id: str
    filename: str


def safe_name(filename: str | None) -> str:
    """The file's own name without any folder, control characters or excess length."""
    name = PureWindowsPath(PurePosixPath(filename or "").name).name
    name = re.sub(r"[\x00-\x1f\x7f\"\\/]", "", name).strip() or "response"
    return name[-120:]


def file_problem(filename: str | None, data: bytes) -> str | None:
    """Why the uploaded file cannot be kept (GOV.UK's words), or None."""
    if not data:
        return "The selected file is empty"
    if len(data) > MAX_FILE_BYTES:
        return "The selected file must be smaller than 5 MB"
    kind = KINDS.get(PurePosixPath(safe_name(filename)).suffix.lower())
    if kind is None or not data.startswith(kind[0]):
        return "The selected file must be a PDF or a Word document"
    return None


def keep_upload(engine: Engine, ref: str, filename: str, data: bytes, who: str) -> Upload:
    """Keep a checked file until the response is recorded (and sweep old ones not attached)."""
    ensure(engine)
    name = safe_name(filename)
    media = KINDS[PurePosixPath(name).suffix.lower()][1]
    upload = Upload(secrets.token_urlsafe(16), name)
    now = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(delete(responses).where(and_(responses.c.attached.is_(False),
                                                  responses.c.at < now - timedelta(days=1))))
        conn.execute(insert(responses).values(id=upload.id, ref=ref, filename=name, media_type=media,
                                              size=len(data), data=data, who=who, at=now, attached=False))
    return upload


def attach(engine: Engine, ref: str, stage: int, who: str, *, upload_id: str | None = None,
           note: str | None = None) -> None:
    """The response is recorded: its file (kept earlier) or a note of where it is."""
    ensure(engine)
    with engine.begin() as conn:
        if upload_id:
            conn.execute(update(responses).where(responses.c.id == upload_id, responses.c.ref == ref)
                         .values(stage=stage, attached=True))
        if note:
            conn.execute(insert(responses).values(id=secrets.token_urlsafe(16), ref=ref, stage=stage, note=note,
                                                  who=who, at=datetime.now(timezone.utc), attached=True))


def pending_upload(engine: Engine, ref: str, upload_id: str | None) -> Upload | None:
    """A file kept for this complaint and not yet attached."""
    if not upload_id:
        return None
    ensure(engine)
    with engine.connect() as conn:
        row = conn.execute(select(responses.c.id, responses.c.filename).where(
            responses.c.id == upload_id, responses.c.ref == ref, responses.c.attached.is_(False))).first()
    return Upload(row.id, row.filename) if row else None


def responses_of(engine: Engine, ref: str) -> list[dict]:
    """The complaint's recorded responses, by stage: file name and size, or the note."""
    ensure(engine)
    with engine.connect() as conn:
        rows = conn.execute(select(responses.c.id, responses.c.stage, responses.c.filename, responses.c.size,
                                   responses.c.note, responses.c.at)
                            .where(responses.c.ref == ref, responses.c.attached.is_(True))
                            .order_by(responses.c.stage, responses.c.at))
        return [dict(r._mapping) for r in rows]


def response_file(engine: Engine, ref: str, file_id: str) -> tuple[str, str, bytes] | None:
    """An attached file of the complaint: its name, media type and bytes."""
    ensure(engine)
    with engine.connect() as conn:
        row = conn.execute(select(responses.c.filename, responses.c.media_type, responses.c.data).where(
            responses.c.id == file_id, responses.c.ref == ref, responses.c.attached.is_(True),
            responses.c.data.is_not(None))).first()
    return (row.filename, row.media_type, row.data) if row else None
