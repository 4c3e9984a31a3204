"""Opening the record store for a command, with one clear error when it cannot."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from store.record_store import RecordStore, database_url


class StoreUnavailable(Exception):
    """The record store named cannot be used; the message says which and why."""


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def store_problem(problem: Exception) -> str:
    # SQLAlchemy appends the statement and a link to its documentation: not for a clerk.
    return one_line(problem).split(" [SQL")[0].split(" (Background on")[0][:200]


def store_at(url: str | None, must_exist: bool = False) -> tuple[RecordStore, str]:
    """The record store at ``url`` (default DATABASE_URL), and its URL to show without a password.

    With ``must_exist``, a SQLite file that is not there is refused: reading must not
    create an empty database and report on it as if the council had no complaints.
    """
    url = url or database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"--database {url!r} is not a database URL") from None
    shown = parsed.render_as_string(hide_password=True)
    if must_exist and parsed.get_backend_name() == "sqlite" and parsed.database \
            and parsed.database != ":memory:" and not parsed.database.startswith("file:") \
            and not Path(parsed.database).is_file():
        raise StoreUnavailable(f"there is no record store at {shown}")
    try:
        return RecordStore(url), shown
    except (SQLAlchemyError, ImportError) as problem:
        raise StoreUnavailable(f"cannot read the record store at {shown}: {store_problem(problem)}") from None


def has_complaints(store: RecordStore) -> bool:
    return inspect(store.engine).has_table("complaints")


def open_existing_store(url: str | None) -> RecordStore:
    """The record store at ``url`` (default DATABASE_URL), which must exist and hold complaints."""
    store, shown = store_at(url, must_exist=True)
    try:
        if not has_complaints(store):
            raise StoreUnavailable(f"the record store at {shown} has no complaints yet (has a worker used it?)")
    except SQLAlchemyError as problem:
        raise StoreUnavailable(f"cannot read the record store at {shown}: {store_problem(problem)}") from None
    return store
