"""What the commands share: a mistake the user can fix is one line on stderr and exit 2."""

from __future__ import annotations

import sys
from datetime import date


class UserError(Exception):
    """Something the user can fix: printed as one line on stderr, exit 2."""


def fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2


def given_date(option: str, text: str | None) -> date | None:
    """The date typed after ``option`` (YYYY-MM-DD), None when not given."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None
