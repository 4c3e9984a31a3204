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


def current_user() -> str | None:
    """The user running the command (``getpass.getuser``), None when the system cannot say."""
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return None


def who_did_it(given: str | None) -> str | None:
    """Who did an action, for its history: ``--by NAME``, else the user running the command.
    (Its length and characters are checked with the action's other fields.)"""
    if given is None:
        return current_user()
    if not given.strip():
        raise UserError("--by: give the name of who did it")
    return given


BY_HELP = "who did it, kept in the complaint's history (one line, at most 200 characters; " \
          "default: the user running the command)"

