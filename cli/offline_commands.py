"""Commands that need no running engine: `deadline` and `simulate`."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from datetime import date
from pathlib import Path

from cli.stores import StoreUnavailable, writable_store
from council.late_reasons import LateReasonsError
from policies import PolicyError, load_policy
from rules.bank_holidays import complaint_days_off
from rules.calendar import WorkingCalendar
from rules.deadlines import due_date


def add(commands) -> None:
    deadline = commands.add_parser("deadline", help="when a stage's response is due")
    deadline.add_argument("--policy", required=True)
    deadline.add_argument("--stage", required=True, type=int)
    deadline.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    deadline.set_defaults(run=run_deadline)

    simulate = commands.add_parser("simulate", help="run a scenario through the engine on simulated time")
    simulate.add_argument("scenario", type=Path)
    simulate.add_argument("--out", type=Path)
    simulate.add_argument("--database", help="keep the records in this database (URL)")
    simulate.set_defaults(run=run_simulate)


def fail(message: str) -> int:
    print(f"complaints: {message}", file=sys.stderr)
    return 2


def deadline(policy_name: str, stage_number: int, start: date) -> dict:
    policy = load_policy(policy_name)
    stage = policy.stage(stage_number)
    calendar = WorkingCalendar(complaint_days_off(start, policy.closure_days))
    due = due_date(calendar, start, stage.working_days)
    furthest = due_date(calendar, start, stage.max_working_days) if stage.max_working_days else None
    return {
        "policy": policy.name,
        "stage": stage.stage,
        "from": start.isoformat(),
        "start_day": calendar.start_day(start).isoformat(),
        "working_days": stage.working_days,
        "due": due.isoformat(),
        "max_working_days": stage.max_working_days,
        "max_due": furthest.isoformat() if furthest else None,
    }


def calendar_date(text: str) -> date:
    """A date written YYYY-MM-DD, and only that (Python also takes 20240327 and week dates)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)


def run_deadline(args) -> int:
    try:
        start = calendar_date(args.start)
    except ValueError:
        return fail(f"--from {args.start!r} is not a date (YYYY-MM-DD)")
    try:
        result = deadline(args.policy, args.stage, start)
    except PolicyError as problem:
        return fail(str(problem))
    except KeyError as problem:
        return fail(problem.args[0])
    except OverflowError:
        return fail(f"--from {args.start} is too far ahead to count working days from")
    print(json.dumps(result))
    return 0


def run_simulate(args) -> int:
    from simulation.runner import simulate
    from simulation.scenario import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as problem:
        return fail(f"{args.scenario}: {problem}")
    if args.database:
        try:
            writable_store(args.database)   # refused now, in one line, not in the middle of the run
        except StoreUnavailable as problem:
            return fail(str(problem))
    try:
        lines = asyncio.run(simulate(scenario, args.database))
    except LateReasonsError as problem:
        # Read before the run starts, so nothing has been simulated or kept yet.
        return fail(str(problem))
    text = "".join(json.dumps(line) + "\n" for line in lines)
    if args.out:
        args.out.write_text(text)
    else:
        sys.stdout.write(text)
    return 0
