"""References for complaints made online: ``CS-<year>-<number>``, four digits at least
(CS-2026-0001), one more than the highest of the year in the record store (a reference
the command line gave, CS-2026-014, counts as 14).

Two families submitting at the same moment may be given the same number: the second's
registration is refused as a duplicate, and the public form asks ``next_reference`` again
with ``after`` the one refused.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from store.record_store import RecordStore, complaints

PREFIX = "CS"


def _number(ref: str, year: int) -> int | None:
    found = re.fullmatch(rf"{PREFIX}-{year}-(\d{{1,9}})", ref)
    return int(found.group(1)) if found else None


def next_reference(store: RecordStore, year: int, after: str | None = None) -> str:
    """The year's next free reference (after ``after``, when that one was taken)."""
    with store.engine.connect() as conn:
        refs = conn.execute(select(complaints.c.ref).where(complaints.c.ref.like(f"{PREFIX}-{year}-%"))).scalars()
        numbers = [n for n in (_number(r, year) for r in refs) if n is not None]
    if after is not None and (n := _number(after, year)) is not None:
        numbers.append(n)
    return f"{PREFIX}-{year}-{max(numbers, default=0) + 1:04d}"
