"""`complaints report`: the statutory annual report from the record store, with the council's
commentary (reports/commentary.py) in its sections."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from cli.stores import StoreUnavailable, open_existing_store, store_problem
from council import CouncilError


def add(commands) -> None:
    report = commands.add_parser(
        "report", help="the statutory annual report for a financial year (HTML, CSVs, summary.json)",
        description="The statutory annual report for a financial year: the figures from the record store, "
                    "the council's own words from its commentary file. A final report needs commentary in "
                    "every section that must have it; --draft builds one marked as a draft without.",
        epilog="example: complaints report --year 2023-24 --commentary-template --out 2023-24.md; then, once "
               "written: complaints report --year 2023-24 --commentary 2023-24.md --out report-2023-24 --pdf")
    report.add_argument("--year", required=True, help="the financial year, like 2023-24 (April to March)")
    report.add_argument("--out", type=Path,
                        help="the folder to write the report into (with --commentary-template: the file to write "
                             "the template to, default the screen)")
    report.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    report.add_argument("--history", type=Path, metavar="FILE.yaml",
                        help="the council's published totals for the years before the engine")
    report.add_argument("--suppress-below", type=int, default=0, metavar="N",
                        help="hide counts below N, and every figure one could be worked out from, as [c] in the "
                             "HTML, PDF and CSVs (summary.json keeps the exact figures, for scripts)")
    report.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="judge unanswered complaints as on this day (default today)")
    report.add_argument("--part-year", action="store_true",
                        help="report a year the record store covers only in part, marked as covering "
                             "only the dates its records do (refused without it)")
    report.add_argument("--commentary", type=Path, metavar="FILE.md",
                        help="the council's commentary, one Markdown block per section (default: the web app's "
                             "file for the year, COMPLAINTS_COMMENTARY_DIR/YEAR.md, when there is one)")
    report.add_argument("--draft", action="store_true",
                        help="build the report marked as a draft, each section still without the council's "
                             "commentary marked (a final report is refused while one it needs has none)")
    report.add_argument("--pdf", action="store_true", help="also write report.pdf (A4) beside report.html")
    report.add_argument("--commentary-template", action="store_true",
                        help="write a starting commentary file for the year, every section's heading with what "
                             "to write there, to --out or the screen")
    report.set_defaults(run=run_report)


def fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2


def _commentary(args, year_label: str):
    """The commentary asked for (or the web app's for the year), and where it came from; or the
    message saying why it cannot be read."""
    from reports.commentary import CommentaryError, commentary_path, load

    path = args.commentary
    if path is None:
        path = commentary_path(year_label)
        if not path.is_file():
            return None, None, None
    try:
        return load(path), path, None
    except CommentaryError as problem:
        return None, path, f"the commentary file {problem}"


def run_report(args) -> int:
    from reports.annual_report import CommentaryMissing, PartYearError, build, render_html, write
    from reports.commentary import CommentaryError, template
    from reports.history import HistoryError, load_history
    from reports.year import FinancialYear

    try:
        year = FinancialYear.parse(args.year)
    except ValueError as problem:
        return fail(f"--year {problem}")
    if args.out is None and not args.commentary_template:
        return fail("--out is needed: the folder to write the report into")
    if args.commentary_template and args.out is not None and args.out.exists():
        return fail(f"{args.out} already exists: a template is written only where nothing would be lost")
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
    commentary, used, problem = (None, None, None) if args.commentary_template else _commentary(args, year.label)
    if problem:
        return fail(problem)
    try:
        store = open_existing_store(args.database)
    except StoreUnavailable as problem:
        return fail(str(problem))
    try:
        # The template lists the sections of this year's report, so it is built as a draft.
        report = build(store, year, history, as_of=as_of, suppress_below=args.suppress_below,
                       part_year=args.part_year, commentary=commentary,
                       draft=args.draft or args.commentary_template)
    except PartYearError as problem:
        return fail(str(problem))
    except CommentaryMissing as problem:
        where = used or "a commentary file (--commentary FILE.md)"
        return fail(f"{problem} (add them to {where}, or pass --draft)")
    except CommentaryError as problem:
        return fail(f"the commentary file {used}: {problem}")
    except SQLAlchemyError as problem:
        return fail(f"cannot read the record store: {store_problem(problem)}")
    except CouncilError as problem:
        return fail(str(problem))
    finally:
        store.close()
    if args.commentary_template:
        return _write_template(template(report.slots(), year.label), args.out)
    try:
        written = write(report, args.out)
        if args.pdf:
            from reports.pdf import pdf_bytes

            pdf = args.out / "report.pdf"
            pdf.write_bytes(pdf_bytes(render_html(report)))
    except OSError as problem:
        return fail(f"cannot write the report to {args.out}: {problem.strerror or problem}")
    words = f"commentary from {used}" if used else "no commentary file"
    kind = "draft" if args.draft else "final"
    print(f"annual report {year.label} ({kind}, {words}): {written[0]}{' and report.pdf' if args.pdf else ''} "
          f"({len(written) - 2} tables as CSV, summary.json)")
    return 0


def _write_template(text: str, out: Path | None) -> int:
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        with out.open("x", encoding="utf-8") as f:
            f.write(text)
    except OSError as problem:
        return fail(f"cannot write the commentary template to {out}: {problem.strerror or problem}")
    print(f"commentary template written to {out}: write under each heading, then pass it as --commentary")
    return 0
