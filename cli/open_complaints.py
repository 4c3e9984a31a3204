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


def run_list(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    try:
        store = open_existing_store(args.database)
        rows = store.open_complaints(datetime.now(LONDON).date())
    except StoreUnavailable as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    listed = [
        {"ref": r["ref"], "policy": r["policy"], "stage": r["stage"], "status": r["status"],
         "officer": r["officer"], "due": r["due"].isoformat() if r["due"] else None,
         "overdue": r["overdue"]}
        for r in rows
    ]
    if args.json:
        print(json.dumps(listed))
        return 0
    if not listed:
        print("no open complaints")
        return 0
    header = ("REF", "POLICY", "STAGE", "STATUS", "OFFICER", "DUE", "")
    table = [header] + [
        (r["ref"], r["policy"], str(r["stage"]), r["status"], r["officer"] or "-", r["due"] or "-",
         "OVERDUE" if r["overdue"] else "")
        for r in listed
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return 0
