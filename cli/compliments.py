"""`complaints compliment`: a compliment about staff, for the annual report.

Compliments are not complaints: no workflow, straight into the record store
(``--database URL``, else ``DATABASE_URL``).
"""

from __future__ import annotations

from datetime import datetime

from cli.command_line import UserError, fail, given_date
from cli.stores import store_problem, writable_store
from models.field_checks import compliment_problem
from rules.complaint import LONDON


def add(commands) -> None:
    compliment = commands.add_parser("compliment", help="record a compliment about staff (annual report)")
    compliment.add_argument("--team", required=True)
    compliment.add_argument("--officer", help="the officer complimented, if one")
    compliment.add_argument("--on", metavar="YYYY-MM-DD", help="the date received (default today)")
    compliment.add_argument("--text", required=True)
    compliment.add_argument("--database", help="the record store's URL (default DATABASE_URL)")
    compliment.set_defaults(run=run_compliment)


def run_compliment(args) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    today = datetime.now(LONDON).date()
    try:
        received = given_date("--on", args.on) or today
        problem = compliment_problem(received, args.team, args.officer, args.text, today)
        if problem is not None:
            flag = "--on" if problem.field == "date" else f"--{problem.field}"
            raise UserError(f"compliment refused: {flag}: {problem.reason}")
        store, shown = writable_store(args.database)
    except UserError as problem:
        return fail(str(problem))
    try:
        store.add_compliment(received, args.team, args.officer, args.text)
    except SQLAlchemyError as problem:
        return fail(f"cannot write to the record store at {shown}: {store_problem(problem)}")
    print(f"compliment for {args.team} recorded ({received})")
    return 0
