"""Opening the record store for a command, with one clear error when it cannot.

Every command that reads or writes the record store opens it here, from ``--database``
or else ``DATABASE_URL``. What cannot be used (not a URL, a kind of database the engine
does not speak, a database that does not answer) is a ``StoreUnavailable``: one line,
which never repeats a URL that could not be read (it may hold a password).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from cli.command_line import UserError
from store.engine import DEFAULT_URL, normalise_url
from store.record_store import RecordStore

EXAMPLES = "such as sqlite:///var/complaints.db or postgresql://HOST/NAME"


class StoreUnavailable(UserError):
    """The record store named cannot be used; the message says which and why."""


def one_line(text: object) -> str:
    return " ".join(str(text).split())


def store_problem(problem: Exception) -> str:
    # SQLAlchemy appends the statement and a link to its documentation: not for a clerk.
    return one_line(problem).split(" [SQL")[0].split(" (Background on")[0][:200]


def checked_url(url: str | None) -> tuple[URL, str]:
    """The record store's URL, ``url`` else DATABASE_URL, and its text; refused (without
    repeating it) when it is not a URL of a database the engine can use. Opens nothing."""
    source = "--database" if url else "DATABASE_URL"
    text = url or os.environ.get("DATABASE_URL", DEFAULT_URL)
    try:
        parsed = make_url(text)
        usable = make_url(normalise_url(text))
    except (ArgumentError, ValueError):
        raise StoreUnavailable(f"{source} is not a database URL ({EXAMPLES})") from None
    try:
        usable.get_dialect().import_dbapi()
    except (ArgumentError, ImportError):
        raise StoreUnavailable(f"{source} names a kind of database the engine cannot use "
                               f"({parsed.drivername}); give one {EXAMPLES}") from None
    return parsed, text


def store_at(url: str | None, must_exist: bool = False) -> tuple[RecordStore, str]:
    """The record store at ``url`` (default DATABASE_URL), and its URL to show without a password.

    With ``must_exist``, a SQLite file that is not there is refused: reading must not
    create an empty database and report on it as if the council had no complaints.
    """
    parsed, text = checked_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if must_exist and parsed.get_backend_name() == "sqlite" and parsed.database \
            and parsed.database != ":memory:" and not parsed.database.startswith("file:") \
            and not Path(parsed.database).is_file():
        raise StoreUnavailable(f"there is no record store at {shown}")
    try:
        return RecordStore(text), shown
    except (SQLAlchemyError, ImportError, OSError) as problem:
        raise StoreUnavailable(f"cannot read the record store at {shown}: {store_problem(problem)}") from None


def writable_store(url: str | None) -> tuple[RecordStore, str]:
    """The record store at ``url`` (default DATABASE_URL), answering and with its tables."""
    store, shown = store_at(url)
    try:
        store.create_schema()
    except (SQLAlchemyError, OSError) as problem:
        raise StoreUnavailable(f"cannot write to the record store at {shown}: {store_problem(problem)}") from None
    return store, shown


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
