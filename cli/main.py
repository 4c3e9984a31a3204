"""The `complaints` command.

`deadline` and `simulate` follow docs/contracts.md exactly; `register`, the
actions of the rulebook and `status` drive a running engine (cli/engine_connection.py).

Every command module is imported here, plainly: one that cannot be imported stops the
command with its error, rather than leaving its commands out.
"""

from __future__ import annotations

import argparse
import sys

from cli import (
    caseload_command,
    complaint_status,
    compliments,
    letters,
    offline_commands,
    open_complaints,
    post,
    registering,
    report_command,
    rulebook_actions,
)

# Each adds its commands, in this order, to `complaints --help`.
COMMAND_MODULES = (
    offline_commands,    # deadline, simulate
    report_command,      # report
    caseload_command,    # caseload
    registering,         # register
    rulebook_actions,    # assign, extend, ..., record-cost
    complaint_status,    # status
    compliments,         # compliment
    open_complaints,     # list
    letters,             # retry-letters
    post,                # post
)


class Usage(Exception):
    """Bad input on the command line: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit with its usage text
        raise Usage(message)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="complaints", description="Children's services complaints engine")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for module in COMMAND_MODULES:
        module.add(commands)
    return top


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return args.run(args) or 0
    except Usage as problem:
        print(f"complaints: {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
