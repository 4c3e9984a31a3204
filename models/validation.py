"""One way of saying what is wrong with a file or a record, for every command."""

from __future__ import annotations

from pydantic import ValidationError


def field_errors(error: ValidationError, whole: str = "(record)") -> str:
    """'field stages.0.working_days: Input should be ...; field ...' on one line."""
    return "; ".join(
        f"field {'.'.join(str(p) for p in e['loc']) or whole}: {e['msg']}" for e in error.errors()
    )
