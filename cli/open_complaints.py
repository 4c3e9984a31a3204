"""`complaints list`: the open complaints, overdue first, then by due date, from the
record store (``--database URL``, else ``DATABASE_URL``); no complainant's name."""

from __future__ import annotations

import json
from datetime import datetime

from cli.command_line import fail
from cli.stores import StoreUnavailable, open_existing_store, store_problem
from rules.complaint import LONDON


def add(commands) -> None:
    listing = commands.add_parser("list", help="open complaints, overdue first, then by due date")
    listing.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)


def _letters(row: dict) -> str:
    words = []
    if row["letters_failed"]:
        words.append(f"{row['letters_failed']} FAILED")
    if row["letters_waiting"]:
        words.append(f"{row['letters_waiting']} waiting")
    return ", ".join(words)


def run_list(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store = open_existing_store(args.database)
        rows = store.open_complaints(datetime.now(LONDON).date())
        trouble = store.letters_in_trouble()
    except StoreUnavailable as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    listed = [
        {"ref": r["ref"], "policy": r["policy"], "stage": r["stage"], "status": r["status"],
         "officer": r["officer"], "due": r["due"].isoformat() if r["due"] else None,
         "overdue": r["overdue"], "letters_waiting": trouble.get(r["ref"], (0, 0))[0],
         "letters_failed": trouble.get(r["ref"], (0, 0))[1]}
        for r in rows
    ]
    if args.json:
        print(json.dumps(listed))
        return 0
    if not listed:
        print("no open complaints")
        return 0
    header = ("REF", "POLICY", "STAGE", "STATUS", "OFFICER", "DUE", "", "LETTERS")
    table = [header] + [
        (r["ref"], r["policy"], str(r["stage"]), r["status"], r["officer"] or "-", r["due"] or "-",
         "OVERDUE" if r["overdue"] else "", _letters(r))
        for r in listed
    ]
    if not any(line[-1] for line in table[1:]):
        table = [line[:-1] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return 0
