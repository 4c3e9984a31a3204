"""The web app's own tables, beside the record store's: staff accounts, the audit log and
the families' links. They live in the same database as the complaints, so a council has
one thing to back up; ``create(engine)`` adds them (and the audit log's guard) if missing.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean, Column, Engine, Integer, MetaData, String, Table, Text, text,
)

from store.schema import UTCDateTime

metadata = MetaData()

users = Table(
    "web_users", metadata,
    Column("username", String(200), primary_key=True),      # sign-in name (local) or "oidc:<sub>"
    Column("name", Text, nullable=False),                   # as shown and recorded as "by"
    Column("email", Text),
    # Comma-separated roles (web.access.ROLES).
    Column("roles", Text, nullable=False),
    # The person's id in the council's directory (officers and managers).
    Column("directory_id", String(64)),
    Column("password_hash", Text),                          # Argon2; None for identity-provider accounts
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

audit_log = Table(
    "web_audit_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False, index=True),
    Column("who", String(200), nullable=False, index=True),  # username, or "public"
    Column("name", Text, nullable=False),                    # the person's name at the time
    Column("event", String(40), nullable=False),             # sign-in, view, action, ...
    Column("ref", String(64), index=True),                   # the complaint, where there is one
    Column("detail", Text, nullable=False, default=""),
)

family_links = Table(
    "web_family_links", metadata,
    # Only a hash of the token is kept: the database alone cannot open a family's page.
    Column("token_hash", String(64), primary_key=True),
    Column("ref", String(64), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

# The audit log is append-only in the database itself, not only in the app's code.
_GUARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS web_audit_log_no_update BEFORE UPDATE ON web_audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS web_audit_log_no_delete BEFORE DELETE ON web_audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION web_audit_log_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql",
        "DROP TRIGGER IF EXISTS web_audit_log_no_change ON web_audit_log",
        "CREATE TRIGGER web_audit_log_no_change BEFORE UPDATE OR DELETE ON web_audit_log "
        "FOR EACH ROW EXECUTE FUNCTION web_audit_log_append_only()",
    ],
}


def create(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        for statement in _GUARDS.get(engine.dialect.name, []):
            conn.execute(text(statement))
