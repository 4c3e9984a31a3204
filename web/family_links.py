"""The family's link to "Check your complaint": ``<base>/check/<token>``.

The token is long and random-looking and never the reference alone: it is the HMAC-SHA256
of (reference, generation) under the council's own secret key, written URL-safe (43
characters). The database keeps only a hash of it (``web.tables.family_links``), so the
database alone cannot open a family's page; the letter writer in the worker and the web
app, which share the key file, work the same token out again whenever they need it.

- The generation is how many times the complaint's link has been stopped: renewing
  makes a token nobody has seen.
- ``revoke`` stops the link and it stays stopped: letters sent after it carry no link
  (``link_for`` says None) until the Complaints Team makes a new one (``renew``).
- ``ref_for`` opens a link only while it is not stopped and the complaint is still in
  the record store: a complaint whose records were removed has no page.

The key is ``link.key`` in ``COMPLAINTS_VAR_DIR`` (``var``), made on first use (0600);
``COMPLAINTS_LINK_KEY_FILE`` names another file. Links start with ``WEB_BASE_URL`` (the
web app and the worker must share the key file and the base address).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from store.record_store import complaints
from web.tables import family_links

KEY_FILE_VARIABLE = "COMPLAINTS_LINK_KEY_FILE"
BASE_URL_VARIABLE = "WEB_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
# A token as link_for writes it: 32 bytes, base64url without padding.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")

# key file path -> (mtime_ns, key): read again only when the file changes.
_KEYS: dict[Path, tuple[int, bytes]] = {}
# Engines whose database has the links table (the worker may run before the web app made it).
_READY: set[int] = set()


def key_path() -> Path:
    named = os.environ.get(KEY_FILE_VARIABLE)
    if named:
        return Path(named)
    return Path(os.environ.get("COMPLAINTS_VAR_DIR") or "var") / "link.key"


def _make_key(path: Path) -> None:
    """Write a new key where none is, atomically: a second process starting at the same
    moment either makes the file or reads the one the first made, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
    finally:
        draft.unlink(missing_ok=True)


def _key() -> bytes:
    path = key_path()
    if not path.exists():
        _make_key(path)
    stamp = path.stat().st_mtime_ns
    cached = _KEYS.get(path)
    if cached is None or cached[0] != stamp:
        key = base64.b64decode(path.read_text().strip())
        if len(key) < 16:
            raise ValueError(f"the family links' key in {path} is too short; delete it to make a new one")
        cached = _KEYS[path] = (stamp, key)
    return cached[1]


def token_for(ref: str, generation: int) -> str:
    digest = hmac.new(_key(), f"{ref}\n{generation}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _ready(engine: Engine) -> None:
    if id(engine) in _READY:
        return
    try:
        family_links.create(engine, checkfirst=True)
    except (OperationalError, ProgrammingError):
        pass  # made at the same moment by the other process
    _READY.add(id(engine))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _counts(conn, ref: str) -> tuple[int, int]:
    """(links ever made, links stopped) for the complaint."""
    made, stopped = conn.execute(
        select(func.count(), func.count(family_links.c.revoked_at)).where(family_links.c.ref == ref)).one()
    return made, stopped


def _add(engine: Engine, ref: str, token: str) -> None:
    hashed = _hash(token)
    try:
        with engine.begin() as conn:
            if conn.execute(select(family_links.c.ref).where(family_links.c.token_hash == hashed)).first() is None:
                conn.execute(insert(family_links).values(token_hash=hashed, ref=ref, created_at=_now()))
    except IntegrityError:
        pass  # made at the same moment by the other process


def link_for(engine: Engine, ref: str) -> str | None:
    """The complaint's token, its row made if need be; None while its link is stopped."""
    _ready(engine)
    with engine.connect() as conn:
        made, stopped = _counts(conn, ref)
    if made and made == stopped:
        return None
    token = token_for(ref, stopped)
    _add(engine, ref, token)
    return token


def revoke(engine: Engine, ref: str) -> bool:
    """Stop the complaint's link; True if there was one working."""
    _ready(engine)
    with engine.begin() as conn:
        done = conn.execute(update(family_links).where(
            family_links.c.ref == ref, family_links.c.revoked_at.is_(None)).values(revoked_at=_now()))
    return done.rowcount > 0


def renew(engine: Engine, ref: str) -> str:
    """A new link for the complaint; any old one stops working."""
    revoke(engine, ref)
    with engine.connect() as conn:
        _, stopped = _counts(conn, ref)
    token = token_for(ref, stopped)
    _add(engine, ref, token)
    return token


def state(engine: Engine, ref: str) -> str:
    """"working", "stopped", or "none" (no letter has carried a link yet)."""
    _ready(engine)
    with engine.connect() as conn:
        made, stopped = _counts(conn, ref)
    return "none" if not made else "stopped" if made == stopped else "working"


def ref_for(engine: Engine, token: str) -> str | None:
    """The complaint a token opens; None when it is unknown, stopped, or the complaint's
    records are gone."""
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        return None
    _ready(engine)
    with engine.connect() as conn:
        row = conn.execute(select(family_links.c.ref).where(
            family_links.c.token_hash == _hash(token), family_links.c.revoked_at.is_(None))).first()
        if row is None:
            return None
        if conn.execute(select(complaints.c.ref).where(complaints.c.ref == row.ref)).first() is None:
            return None
    return row.ref


def base_url() -> str:
    """The address people use, as the web app works it out (``web.settings``): WEB_BASE_URL,
    else WEB_HOST and WEB_PORT, else http://127.0.0.1:8000."""
    named = os.environ.get(BASE_URL_VARIABLE)
    if named:
        return named.rstrip("/")
    host, port = os.environ.get("WEB_HOST"), os.environ.get("WEB_PORT")
    if host or port:
        return f"http://{host or '127.0.0.1'}:{port or '8000'}"
    return DEFAULT_BASE_URL


def check_url(token: str) -> str:
    return f"{base_url()}/check/{token}"


def complaint_url(ref: str) -> str:
    """The complaint's page for staff (it asks them to sign in: an email can be forwarded)."""
    return f"{base_url()}/complaints/{ref}"


def letter_links(engine: Engine, ref: str) -> dict[str, str]:
    """What the letter writer adds to a complaint's notices: the family's link (while it
    works) and the staff page's address."""
    links = {"complaint_link": complaint_url(ref)}
    token = link_for(engine, ref)
    if token is not None:
        links["check_link"] = check_url(token)
    return links
