"""Where the records live, and one shared engine per database."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

DEFAULT_URL = "sqlite:///var/complaints.db"

# A worker and the CLI may both hold the SQLite file; wait this long for the other's
# write to finish rather than fail with "database is locked".
SQLITE_BUSY_SECONDS = 30

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """Give PostgreSQL URLs the psycopg 3 driver unless they name one.

    ``postgresql://`` alone would make SQLAlchemy look for psycopg2, which is not installed.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def ensure_sqlite_folder(url: str) -> None:
    """The SQLite file's folder, made its owner's alone (0700) when it is new: the
    records are children's social care data."""
    path = _sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)


def _create_private_file(path: Path) -> None:
    """A new SQLite file, readable by its owner only (0600) whatever the umask; SQLite
    gives its -wal and -shm files the database file's permissions. An existing file is
    left as it is; a folder that cannot be written to is SQLite's to report."""
    if path.exists():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError:   # there already (another process was quicker), or not ours to create
        pass


def database_url() -> str:
    """The database named by ``DATABASE_URL``, else a SQLite file under ``var/``."""
    url = normalise_url(os.environ.get("DATABASE_URL", DEFAULT_URL))
    ensure_sqlite_folder(url)
    return url


def _on_sqlite_connect(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the CLI read while the worker writes; NORMAL is durable enough with WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _read_only_connection_is_dead(context) -> None:
    """SQLite opens a file it cannot write read-only, without a word, and the connection
    stays so when the file is writable again. Treat it as a dead connection: the pool
    drops it and the next try opens the file afresh."""
    if "readonly database" in str(context.original_exception):
        context.is_disconnect = True
        # SQLite closes a connection only once its statements are gone, and the failed
        # one lives on in the exception's traceback: close it now, or the file stays
        # open read-only (and shared, read-only, with the next connection).
        cursor = getattr(context.execution_context, "cursor", None)
        if cursor is not None:
            cursor.close()


def engine_for(url: str) -> Engine:
    """One engine (and so one small pool) per database, shared by every RecordStore.

    ``hide_parameters``: a failed statement's error (which reaches logs, and Temporal's
    history as the activity's failure) names the statement, never the values: names,
    addresses and letters stay in the database."""
    url = normalise_url(url)
    with _engines_lock:
        engine = _engines.get(url)
        if engine is not None:
            return engine
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            ensure_sqlite_folder(url)
            options: dict = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS,
                                              "check_same_thread": False}, "hide_parameters": True}
            if _sqlite_file(url) is None:
                # An in-memory database exists once per connection: keep just one.
                options["poolclass"] = StaticPool
            engine = create_engine(url, **options)
            if (path := _sqlite_file(url)) is not None:
                # Before SQLite opens the file, which it would create readable by all.
                event.listen(engine, "do_connect", lambda *_: _create_private_file(path))
            event.listen(engine, "connect", _on_sqlite_connect)
            event.listen(engine, "handle_error", _read_only_connection_is_dead)
        else:
            engine = create_engine(url, pool_size=5, max_overflow=5, pool_pre_ping=True, hide_parameters=True)
        _engines[url] = engine
        return engine


def dispose_engine(url: str) -> None:
    """Close the pooled connections to one database (tests drop it afterwards)."""
    with _engines_lock:
        engine = _engines.pop(normalise_url(url), None)
    if engine is not None:
        engine.dispose()
