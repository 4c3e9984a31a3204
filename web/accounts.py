"""Staff accounts: local ones with Argon2 password hashes (the embedded default), and
those a council's identity provider signs in (``web.oidc``), which have no password here.

``make up`` creates the first administrator with a one-time password it prints once;
no password is ever in the repository. Roles are ``web.access.ROLES``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from web.access import ROLES, Person
from web.tables import users

_hasher = PasswordHasher()
# Compared against when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class Account:
    username: str
    name: str
    email: str | None
    roles: frozenset[str]
    directory_id: str | None
    must_change_password: bool
    active: bool
    local: bool

    def person(self) -> Person:
        return Person(self.username, self.name, self.roles, self.directory_id)


def _account(row) -> Account:
    return Account(row.username, row.name, row.email, frozenset(r for r in row.roles.split(",") if r),
                   row.directory_id, row.must_change_password, row.active, row.password_hash is not None)


def _checked_roles(roles: set[str] | frozenset[str]) -> str:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise AccountError(f"unknown role {', '.join(unknown)} (roles: {', '.join(ROLES)})")
    if not roles:
        raise AccountError("an account needs at least one role")
    return ",".join(sorted(roles))


def one_time_password() -> str:
    return secrets.token_urlsafe(12)


def add_account(engine: Engine, username: str, name: str, roles: set[str], *, password: str | None = None,
                email: str | None = None, directory_id: str | None = None,
                must_change_password: bool = False) -> Account:
    username = username.strip()
    if not username or len(username) > 200:
        raise AccountError("a username is 1 to 200 characters")
    with engine.begin() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise AccountError(f"there is already an account {username!r}")
        conn.execute(insert(users).values(
            username=username, name=name.strip(), email=email, roles=_checked_roles(roles),
            directory_id=directory_id, password_hash=_hasher.hash(password) if password else None,
            must_change_password=must_change_password, active=True, created_at=datetime.now(timezone.utc)))
    found = account(engine, username)
    assert found is not None
    return found


def account(engine: Engine, username: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    return _account(row) if row else None


def accounts(engine: Engine) -> list[Account]:
    with engine.connect() as conn:
        return [_account(r) for r in conn.execute(select(users).order_by(users.c.name))]


def any_admin(engine: Engine) -> bool:
    return any("admin" in a.roles and a.active for a in accounts(engine))


def check_password(engine: Engine, username: str, password: str) -> Account | None:
    """The active local account whose password this is, else None (never says which was wrong)."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.username == username.strip())).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active or not row.password_hash:
        return None
    if _hasher.check_needs_rehash(stored):
        set_password(engine, row.username, password, must_change=row.must_change_password)
    return _account(row)


def set_password(engine: Engine, username: str, password: str, *, must_change: bool = False) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == username).values(
            password_hash=_hasher.hash(password), must_change_password=must_change))


def set_roles(engine: Engine, username: str, roles: set[str], directory_id: str | None, active: bool) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.username == username).values(
            roles=_checked_roles(roles), directory_id=directory_id or None, active=active))
