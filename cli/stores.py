"""Opening the record store for a command that reads it, with one clear error when it cannot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from store.record_store import RecordStore, database_url


class StoreUnavailable(Exception):
    """The record store named cannot be read; the message says which and why."""


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def open_existing_store(url: str | None) -> RecordStore:
    """The record store at ``url`` (default DATABASE_URL), which must exist and hold complaints.

    A report or a listing from a mistyped SQLite path must not create an empty database
    and print an empty report as if the council had no complaints.
    """
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"--database {url!r} is not a database URL") from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:" \
            and not parsed.database.startswith("file:") and not Path(parsed.database).is_file():
        raise StoreUnavailable(f"there is no record store at {shown}")
    try:
        store = RecordStore(url)
        if not inspect(store.engine).has_table("complaints"):
            raise StoreUnavailable(f"the record store at {shown} has no complaints yet (has a worker used it?)")
    except (SQLAlchemyError, ImportError) as problem:
        raise StoreUnavailable(
            f"cannot read the record store at {shown}: {one_line(problem).split(' [SQL')[0][:200]}") from None
    return store
