"""The council's own identity: who writes the letters and the annual report.

A council sets its name, postal address, telephone, website, complaints team email and
signature (the name and role that sign its letters) once, in one YAML file, validated
with pydantic like the policies: a file that does not validate is refused with its name
and the field at fault. Which file:

1. the path in ``COMPLAINTS_COUNCIL_FILE``, when set (it must exist);
2. else ``council.yaml`` in the folder the engine runs from;
3. else the example shipped here (``council/example.yaml``: Example Borough Council,
   made up), so that ``make up`` and the tests write whole letters.

The record activity renders every letter, so loading is cached per process, keyed by the
file's path, modification time and size: a letter costs one ``stat``, and a council
that edits its file sees the change in the next letter, without a restart.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from models.field_checks import email_problem, text_problem
from models.yaml_files import YamlFileError, read_model_file

EXAMPLE = Path(__file__).with_name("example.yaml")
LOCAL_FILE = "council.yaml"
ENVIRONMENT_VARIABLE = "COMPLAINTS_COUNCIL_FILE"

_NAME_MAX = 120
_ADDRESS_LINES_MAX = 8


def _checked(problem_of):
    def check(value: Any) -> Any:
        problem = problem_of(value)
        if problem is not None:
            raise ValueError(problem)
        return value
    return check


def _line_problem(value: Any, limit: int = _NAME_MAX) -> str | None:
    """One line of text, not blank: it is printed in every letter."""
    if (problem := text_problem(value, limit)) is not None:
        return problem
    if not value.strip():
        return "is empty"
    return None


# A telephone number as a family dials it: digits, spaces, and a leading + (+44 ...).
_TELEPHONE = re.compile(r"\+?[0-9][0-9 ()-]*[0-9]")


def _telephone_problem(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return "is a number to YAML, which drops its leading 0: write it in quotes, such as '01632 960000'"
    if (problem := _line_problem(value, 30)) is not None:
        return problem
    digits = sum(c.isdigit() for c in value)
    if not _TELEPHONE.fullmatch(value.strip()) or not 6 <= digits <= 15:
        return "is not a telephone number: write its digits and spaces, such as 01632 960000"
    return None


_DOMAIN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")


def _website(value: Any) -> Any:
    """'www.example.gov.uk/complaints' is taken as its https:// address."""
    if isinstance(value, str) and value.strip() and "://" not in value:
        return "https://" + value.strip()
    return value


def _website_problem(value: Any) -> str | None:
    if (problem := _line_problem(value, 200)) is not None:
        return problem
    scheme, _, rest = value.partition("://")
    host = rest.split("/", 1)[0]
    if scheme not in ("https", "http") or any(c.isspace() for c in value) or not _DOMAIN.fullmatch(host):
        return "is not a web address: write it as https://www.example.gov.uk/complaints"
    return None


Line = Annotated[str, AfterValidator(_checked(_line_problem))]
Telephone = Annotated[Any, AfterValidator(_checked(_telephone_problem))]
Website = Annotated[str, BeforeValidator(_website), AfterValidator(_checked(_website_problem))]
Email = Annotated[str, AfterValidator(_checked(email_problem))]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Signature(_Frozen):
    """Who signs the letters to families: 'Sam Example', 'Children's Complaints Manager'."""

    name: Line
    role: Line


class Council(_Frozen):
    name: Line                      # "Example Borough Council": letters, headers, the report's title
    # The postal address, one line a line, without the council's name (letters put it first).
    address: Annotated[list[Line], Field(min_length=1, max_length=_ADDRESS_LINES_MAX)]
    telephone: Telephone
    website: Website
    email: Email                    # the complaints team's: for questions, and for copies
    signature: Signature

    @property
    def postal_address(self) -> str:
        """The name and address on one line: 'Example Borough Council, Town Hall, ...'."""
        return ", ".join([self.name, *self.address])

    @property
    def website_shown(self) -> str:
        """The web address as a letter prints it: 'www.example.gov.uk/complaints'."""
        return self.website.split("://", 1)[1].rstrip("/")


class CouncilError(ValueError):
    """A council file that cannot be read, or does not validate; the message names it and the field."""


@dataclass(frozen=True)
class CouncilFile:
    """The council, and the file it came from (for the banner, and for errors)."""

    council: Council
    path: Path
    source: str                     # "COMPLAINTS_COUNCIL_FILE", "council.yaml" or "example"

    @property
    def is_example(self) -> bool:
        return self.source == "example"


def council_path(environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """The file the council is read from, and why that one."""
    env = os.environ if environ is None else environ
    named = (env.get(ENVIRONMENT_VARIABLE) or "").strip()
    if named:
        return Path(named), ENVIRONMENT_VARIABLE
    local = Path(LOCAL_FILE)
    if local.is_file():
        return local, LOCAL_FILE
    return EXAMPLE, "example"


def load_council_file(path: Path) -> Council:
    """The file read and validated, every time (``current`` is the cached one)."""
    try:
        return read_model_file(path, Council, whole="(top level)")
    except YamlFileError as exc:
        raise CouncilError(f"council file {path}: {exc.reason}") from None


# path -> ((mtime_ns, size, inode), what reading it gave: a CouncilFile or a CouncilError)
_CACHE: dict[Path, tuple[tuple[int, int, int], CouncilFile | CouncilError]] = {}
_LOCK = threading.Lock()


def current_file(environ: Mapping[str, str] | None = None) -> CouncilFile:
    """The council in use, read again only when its file has changed on disk."""
    path, source = council_path(environ)
    try:
        st = path.stat()
    except OSError as exc:
        raise CouncilError(f"council file {path}: cannot be read ({exc.strerror or exc})") from None
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is None or cached[0] != stamp:
        try:
            found: CouncilFile | CouncilError = CouncilFile(load_council_file(path), path, source)
        except CouncilError as problem:
            found = problem
        with _LOCK:
            _CACHE[key] = (stamp, found)
    else:
        found = cached[1]
    if isinstance(found, CouncilError):
        raise CouncilError(str(found))
    if found.source != source or found.path != path:     # the same file, reached another way
        found = CouncilFile(found.council, path, source)
    return found


def current(environ: Mapping[str, str] | None = None) -> Council:
    """The council whose letters and report these are."""
    return current_file(environ).council
