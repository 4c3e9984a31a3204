"""The council's directory of officers and the complaints team's address, for the CLI.

Read from the file ``COMPLAINTS_DIRECTORY`` names, else ``config/directory.yaml`` in the
current folder, else the example shipped beside this module. The format is a scenario
file's ``officers`` and ``complaints_team`` (other keys, such as a scenario's
``complaints``, are ignored, so a scenario file also serves as a directory).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from models.complaint import Officer
from models.field_checks import directory_problem
from models.yaml_files import YamlFileError, cached_while_unchanged, read_model_file
from simulation.scenario import ComplaintsTeamIn, OfficerIn

ENV_VAR = "COMPLAINTS_DIRECTORY"
DEFAULT_PATH = Path("config") / "directory.yaml"
EXAMPLE_PATH = Path(__file__).with_name("example_directory.yaml")


class DirectoryError(ValueError):
    """A directory file that is missing or does not validate; the message says which and why."""


class _DirectoryIn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    officers: list[OfficerIn]
    complaints_team: ComplaintsTeamIn


@dataclass(frozen=True)
class Directory:
    officers: list[Officer]
    complaints_team_email: str
    path: Path
    # True when the council has not named a directory and the shipped example is used.
    example: bool = False


def directory_path() -> tuple[Path, bool]:
    """Where the directory is read from, and whether that is the shipped example."""
    named = os.environ.get(ENV_VAR)
    if named:
        return Path(named), False
    if DEFAULT_PATH.is_file():
        return DEFAULT_PATH, False
    return EXAMPLE_PATH, True


def load_directory() -> Directory:
    path, example = directory_path()
    return replace(_read_directory(path), example=example)


@cached_while_unchanged
def _read_directory(path: Path) -> Directory:
    try:
        parsed = read_model_file(path, _DirectoryIn)
    except YamlFileError as exc:
        raise DirectoryError(f"directory {exc}") from None
    # Every field as each complaint will carry it (models.field_checks), before an id is shown.
    problem = directory_problem(parsed.officers, parsed.complaints_team.email)
    if problem is not None:
        raise DirectoryError(f"directory {path}: {problem}")
    ids = [o.id for o in parsed.officers]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise DirectoryError(f"directory {path}: officer id {', '.join(duplicates)} appears twice")
    unknown = sorted({o.manager for o in parsed.officers if o.manager and o.manager not in ids})
    if unknown:
        raise DirectoryError(f"directory {path}: manager {', '.join(unknown)} is not an officer in it")
    return Directory(
        officers=[Officer(**o.model_dump()) for o in parsed.officers],
        complaints_team_email=parsed.complaints_team.email,
        path=path,
    )
