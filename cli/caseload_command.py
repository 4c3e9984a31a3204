"""`complaints caseload`: a generated year of complaints as a scenario file.

    complaints caseload --like reference-2023-24 --seed 7 [--out scenario.yaml]

writes a scenario for `complaints simulate` whose annual report has exactly the named
profile's figures (caseload/); stdout when there is no --out. An unknown profile is one
line on stderr and exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path


def add(commands) -> None:
    caseload = commands.add_parser(
        "caseload", help="generate a year of complaints as a scenario",
        description="A year of complaints shaped like a council's annual report, as a scenario file.",
    )
    caseload.add_argument("--like", required=True, metavar="PROFILE", help="the year to resemble: reference-2023-24")
    caseload.add_argument("--seed", type=int, default=1, help="which complaint gets what, the dates, the texts")
    caseload.add_argument("--out", metavar="FILE", help="write the scenario here (default stdout)")
    caseload.set_defaults(run=run_caseload)


def run_caseload(args) -> int:
    # Imported here: the generator loads the policies and the calendar, which the other
    # commands do not need.
    from caseload import UnknownProfile, generate
    from caseload.directory import dump_scenario

    try:
        scenario = generate(args.like, args.seed)
    except UnknownProfile as unknown:
        print(f"complaints: {unknown}", file=sys.stderr)
        return 2
    if args.out:
        with Path(args.out).open("w", encoding="utf-8") as out:
            dump_scenario(scenario, out)
    else:
        dump_scenario(scenario, sys.stdout)
    return 0
