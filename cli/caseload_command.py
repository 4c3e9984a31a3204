"""`complaints caseload`: a generated year of complaints as a scenario file."""

from __future__ import annotations


def add(commands) -> None:
    caseload = commands.add_parser("caseload", help="generate a year of complaints as a scenario")
    caseload.set_defaults(run=lambda args: 2)
