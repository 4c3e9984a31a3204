"""`complaints list [SEARCH]`: the complaints a team works from, from the record store
(``--database URL``, else ``DATABASE_URL``): the open ones, overdue first, then by due
date; or the closed and withdrawn ones (``--closed``), or all (``--all``). Filters
combine: ``--overdue``, ``--due-within N`` (working days), ``--officer``, ``--stage``,
``--policy``, and SEARCH, a reference's beginning or part of the complainant's name.

The name is only looked in, in the record store's query: it is never printed here (only
`complaints status` shows it, for the complaints team).
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime

from cli.command_line import UserError, fail
from cli.stores import StoreUnavailable, open_existing_store, store_problem
from policies import PolicyError, available_policies, load_policy
from rules.bank_holidays import complaint_days_off
from rules.calendar import WorkingCalendar
from rules.complaint import LONDON

EXAMPLES = """\
examples:
  complaints list --overdue
  complaints list --due-within 5 --officer io-1
  complaints list CS-2026            (references starting CS-2026)
  complaints list smith --closed     (closed or withdrawn, the complainant's name holding "smith")
  complaints list --stage 2 --policy children-statutory --json"""


def _working_days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of working days") from None
    if not 0 <= n <= 1000:
        raise argparse.ArgumentTypeError(f"{n} is not a number of working days from 0 to 1000")
    return n


def _stage(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a stage number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{n} is not a stage number")
    return n


def add(commands) -> None:
    listing = commands.add_parser(
        "list", help="open complaints, overdue first, then by due date (filters and a search)",
        description="The complaints a team works from: open ones (open, suspended, discontinued) unless "
                    "--closed or --all, overdue first, then by due date. Filters combine. No complainant's "
                    "name is shown: SEARCH only finds by it.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    listing.add_argument("search", nargs="?", metavar="SEARCH",
                         help="a reference's beginning, or part of the complainant's name (either ignoring case)")
    listing.add_argument("--overdue", action="store_true", help="only those past their due date, unanswered")
    listing.add_argument("--due-within", type=_working_days, metavar="N",
                         help="only those due within N working days from today, overdue ones included "
                              "(counted with the bank holidays and the policy's closure days)")
    listing.add_argument("--officer", metavar="ID", help="only those whose current stage is with this officer")
    listing.add_argument("--stage", type=_stage, metavar="N", help="only those at this stage")
    listing.add_argument("--policy", metavar="NAME", help="only those under this procedure")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--closed", action="store_true", help="closed and withdrawn complaints instead of open ones")
    which.add_argument("--all", action="store_true", help="every complaint, open or not")
    listing.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    listing.add_argument("--json", action="store_true", help="a JSON list, one object a complaint")
    listing.set_defaults(run=run_list)


def _letters(row: dict) -> str:
    words = []
    if row["letters_failed"]:
        words.append(f"{row['letters_failed']} FAILED")
    if row["letters_waiting"]:
        words.append(f"{row['letters_waiting']} waiting")
    return ", ".join(words)


def due_by(today: date, working_days: int) -> tuple[date, dict[str, date]]:
    """The last day a complaint may fall due to be within ``working_days`` of ``today``: with
    the bank holidays alone, and for each procedure with closure days of its own."""
    plain = WorkingCalendar(complaint_days_off(today)).add_working_days(today, working_days)
    by_policy = {}
    for name in sorted(available_policies()):
        try:
            closure = load_policy(name).closure_days
        except PolicyError:
            continue            # a file that does not validate runs no complaint
        if closure:
            by_policy[name] = WorkingCalendar(complaint_days_off(today, closure)).add_working_days(today, working_days)
    return plain, by_policy


def _row(r: dict, trouble: dict[str, tuple[int, int]]) -> dict:
    waiting, failed = trouble.get(r["ref"], (0, 0))
    day = lambda value: value.isoformat() if value else None  # noqa: E731
    return {"ref": r["ref"], "policy": r["policy"], "stage": r["stage"], "status": r["status"],
            "officer": r["officer"], "due": day(r["due"]), "overdue": r["overdue"],
            "answered": day(r["answered"]), "closed_on": day(r["closed_on"]), "withdrawn_on": day(r["withdrawn_on"]),
            "letters_waiting": waiting, "letters_failed": failed}


def _due_cell(r: dict) -> str:
    if r["answered"]:
        return f"answered {r['answered']}"
    if r["status"] == "closed":
        return f"closed {r['closed_on'] or ''}".rstrip()
    if r["status"] == "withdrawn":
        return f"withdrawn {r['withdrawn_on'] or ''}".rstrip()
    return r["due"] or "-"


def run_list(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    today = datetime.now(LONDON).date()
    which = "closed" if args.closed else "all" if args.all else "open"
    try:
        limit, limits = due_by(today, args.due_within) if args.due_within is not None else (None, None)
        store = open_existing_store(args.database)
        rows = store.find_complaints(today, which=which, overdue=args.overdue, due_by=limit, due_by_policy=limits,
                                     officer=args.officer, stage=args.stage, policy=args.policy, search=args.search)
        trouble = store.letters_in_trouble()
    except (StoreUnavailable, UserError) as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    listed = [_row(r, trouble) for r in rows]
    if args.json:
        print(json.dumps(listed))
        return 0
    if not listed:
        filtered = any((args.search, args.overdue, args.due_within is not None, args.officer, args.stage,
                        args.policy))
        print("no complaints match" if filtered else {"open": "no open complaints", "closed": "no closed complaints",
                                                      "all": "no complaints"}[which])
        return 0
    header = ("REF", "POLICY", "STAGE", "STATUS", "OFFICER", "DUE", "", "LETTERS")
    table = [header] + [
        (r["ref"], r["policy"], str(r["stage"]), r["status"], r["officer"] or "-", _due_cell(r),
         "OVERDUE" if r["overdue"] else "", _letters(r))
        for r in listed
    ]
    if not any(line[-1] for line in table[1:]):
        table = [line[:-1] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    for line in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    return 0
