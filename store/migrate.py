"""Bring an existing record store up to the current tables, on every start.

New tables are created by ``metadata.create_all``; a column added to a table since the
store was made is added here, empty (or with its server default), and so is an index
(``create_all`` makes a table's indexes only with the table). Those are the only kinds
of change the schema has had: anything more (a renamed column, a new constraint) needs a
real migration tool, and this module should give way to one.
"""

from __future__ import annotations

import logging

from sqlalchemy import Engine, inspect, text

from store.schema import metadata

log = logging.getLogger(__name__)


def _literal(value: object) -> str:
    text = str(value)
    return text if text.lstrip("-").isdigit() else "'" + text.replace("'", "''") + "'"


def add_missing_columns(engine: Engine) -> list[str]:
    """Add every column the tables define and the database lacks; returns 'table.column's."""
    added: list[str] = []
    existing = inspect(engine)
    preparer = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if not existing.has_table(table.name):
                continue
            have = {c["name"] for c in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in have:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                default = f" DEFAULT {_literal(column.server_default.arg)}" if column.server_default is not None else ""
                conn.execute(text(
                    f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN {preparer.quote(column.name)} {kind}{default}"
                ))
                added.append(f"{table.name}.{column.name}")
        for table in metadata.sorted_tables:
            if not existing.has_table(table.name):
                continue
            have = {i["name"] for i in existing.get_indexes(table.name)}
            for index in table.indexes:
                if index.name not in have:
                    index.create(conn, checkfirst=True)
                    added.append(f"{table.name}.{index.name}")
    if added:
        log.info("record store: added %s", ", ".join(added))
    return added
