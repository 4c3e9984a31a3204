"""One way of saying what is wrong with a file or a record, for every command."""

from __future__ import annotations

import re

from pydantic import ValidationError

# A day written the British way (03/11/2026, 3-11-26): the clerk meant a date.
_DAY_FIRST = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})\s*")
# What pydantic adds to a field's path for each member of `date | datetime`.
_UNION_MEMBERS = {"date", "datetime"}


def _where(loc: tuple, whole: str) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[-1] in _UNION_MEMBERS:
        parts = parts[:-1]
    return ".".join(parts) or whole


def _not_a_date(value: object) -> str | None:
    """'03/11/2026 is not a date; write 2026-11-03' for a date written day first."""
    if not isinstance(value, str):
        return None
    found = _DAY_FIRST.fullmatch(value)
    if found is None:
        return f"{value} is not a date; write it as YYYY-MM-DD"
    day, month, year = (int(x) for x in found.groups())
    if year < 100:
        year += 2000
    return f"{value.strip()} is not a date; write {year:04d}-{month:02d}-{day:02d}"


def field_errors(error: ValidationError, whole: str = "(record)") -> str:
    """'field stages.0.working_days: Input should be ...; field ...' on one line. A date
    the library cannot read is said in words a clerk can act on, once."""
    said: list[str] = []
    for e in error.errors():
        where = _where(e["loc"], whole)
        reason = e["msg"]
        if e["type"].startswith(("date", "datetime")) and (words := _not_a_date(e.get("input"))) is not None:
            reason = words
        line = f"field {where}: {reason}"
        if line not in said:
            said.append(line)
    return "; ".join(said)
