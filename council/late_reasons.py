"""Why a response was late: the list of reasons the council keeps.

Like the council's own details (``council/__init__.py``), the list is one YAML file the
council edits, validated with pydantic, and which file is used is decided the same way:

1. the path in ``COMPLAINTS_LATE_REASONS_FILE``, when set (it must exist);
2. else ``late-reasons.yaml`` in the folder the engine runs from;
3. else the list shipped here (``council/late-reasons.yaml``).

The commands and the web app send the list they read with each reason, so the workflow
checks a reason against the council's list without reading a file (which a replay could
not repeat). A request that carries no list (a scenario, an older script) is checked
against the shipped list, ``SHIPPED``, read once when the engine starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from models.yaml_files import YamlFileError, cached_while_unchanged, read_model_file

SHIPPED_FILE = Path(__file__).with_name("late-reasons.yaml")
LOCAL_FILE = "late-reasons.yaml"
ENVIRONMENT_VARIABLE = "COMPLAINTS_LATE_REASONS_FILE"

# A code goes into the record store's String(64) column and into the command line.
_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_WORDS_MAX = 200


def _codes_and_words(reasons: dict[str, str]) -> dict[str, str]:
    for code, words in reasons.items():
        if not _CODE.fullmatch(code):
            raise ValueError(f"{code!r} is not a code: use lower case letters, digits and _ (at most 64)")
        if not isinstance(words, str) or not words.strip() or len(words) > _WORDS_MAX or "\n" in words:
            raise ValueError(f"{code}: its words must be one line of at most {_WORDS_MAX} characters")
    return reasons


class LateReasons(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # code -> the words shown, in the order the council wrote them.
    reasons: Annotated[dict[str, str], Field(min_length=1, max_length=100), AfterValidator(_codes_and_words)]

    @property
    def codes(self) -> list[str]:
        return list(self.reasons)

    def words(self, code: str | None) -> str:
        """The reason in words; a code no longer on the list is shown as it was kept."""
        if code is None:
            return "Not recorded"
        return self.reasons.get(code, code.replace("_", " ").capitalize())


class LateReasonsError(ValueError):
    """A list that cannot be read, or does not validate; the message names the file and the field."""


def late_reasons_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = (env.get(ENVIRONMENT_VARIABLE) or "").strip()
    if named:
        return Path(named)
    local = Path(LOCAL_FILE)
    return local if local.is_file() else SHIPPED_FILE


@cached_while_unchanged
def load_late_reasons(path: Path) -> LateReasons:
    try:
        return read_model_file(path, LateReasons, whole="(top level)")
    except YamlFileError as exc:
        raise LateReasonsError(f"reasons for lateness file {path}: {exc.reason}") from None


def current(environ: Mapping[str, str] | None = None) -> LateReasons:
    """The council's list as it is now (read again only when its file changes)."""
    return load_late_reasons(late_reasons_path(environ))


SHIPPED: LateReasons = load_late_reasons(SHIPPED_FILE)
