"""The `complaints` command.

`deadline` and `simulate` follow shared/spec/contracts.md exactly; the other
subcommands drive a running engine (see cli/engine_commands.py).
"""

from __future__ import annotations

import argparse
import sys

from cli import caseload_command, offline_commands, report_command


class Usage(Exception):
    """Bad input on the command line: one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit with its usage text
        raise Usage(message)


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog="complaints", description="Children's services complaints engine")
    commands = top.add_subparsers(dest="command", required=True, parser_class=_Parser)
    offline_commands.add(commands)
    report_command.add(commands)
    caseload_command.add(commands)
    try:
        from cli import engine_commands
    except ImportError:  # pragma: no cover - engine commands not installed
        engine_commands = None
    if engine_commands is not None:
        engine_commands.add(commands)
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
