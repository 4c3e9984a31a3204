"""`complaints report`: the statutory annual report from the record store."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from cli.stores import StoreUnavailable, open_existing_store, store_problem
from council import CouncilError


def add(commands) -> None:
    report = commands.add_parser(
        "report", help="the statutory annual report for a financial year (HTML, CSVs, summary.json)")
    report.add_argument("--year", required=True, help="the financial year, like 2023-24 (April to March)")
    report.add_argument("--out", required=True, type=Path, help="the folder to write the report into")
    report.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    report.add_argument("--history", type=Path, metavar="FILE.yaml",
                        help="the council's published totals for the years before the engine")
    report.add_argument("--suppress-below", type=int, default=0, metavar="N",
                        help='show counts below N as "fewer than N" in the HTML and CSVs')
    report.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="judge unanswered complaints as on this day (default today)")
    report.add_argument("--part-year", action="store_true",
                        help="report a year the record store covers only in part, marked as covering "
                             "only the dates its records do (refused without it)")
    report.set_defaults(run=run_report)


def fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2


def run_report(args) -> int:
    from reports.annual_report import PartYearError, build, write
    from reports.history import HistoryError, load_history
    from reports.year import FinancialYear

    try:
        year = FinancialYear.parse(args.year)
    except ValueError as problem:
        return fail(f"--year {problem}")
    if args.suppress_below < 0:
        return fail(f"--suppress-below must be 0 or more, not {args.suppress_below}")
    try:
        as_of = date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        return fail(f"--as-of {args.as_of!r} is not a date (YYYY-MM-DD)")
    try:
        history = load_history(args.history)
    except HistoryError as problem:
        return fail(f"--history {problem}")
    try:
        store = open_existing_store(args.database)
    except StoreUnavailable as problem:
        return fail(str(problem))
    try:
        report = build(store, year, history, as_of=as_of, suppress_below=args.suppress_below,
                       part_year=args.part_year)
    except PartYearError as problem:
        return fail(str(problem))
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    except CouncilError as problem:
        return fail(str(problem))
    finally:
        store.close()
    try:
        written = write(report, args.out)
    except OSError as problem:
        return fail(f"cannot write the report to {args.out}: {problem.strerror or problem}")
    print(f"annual report {year.label}: {written[0]} ({len(written) - 2} tables as CSV, summary.json)")
    return 0
