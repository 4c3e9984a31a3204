"""Reading the council's YAML files: scenarios, complaints, the directory, policies.

One loader for all of them, so that a bare `on:` (as in `proceedings_ended`) is a key
and not the boolean YAML 1.1 makes of it, and one way of saying why a file cannot be
read, in a line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from models.validation import field_errors

Model = TypeVar("Model", bound=BaseModel)


class YamlFileError(ValueError):
    """A file that cannot be read, or is not YAML; the message names it and says why."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason  # without the file's name, for a caller that names it already


class _YamlLoader(yaml.SafeLoader):
    """Only true and false are booleans (YAML 1.1 also takes on/off/yes/no)."""


_YamlLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)


def read_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as exc:
        raise YamlFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return read_yaml(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise YamlFileError(path, f"not valid YAML{line}") from None


def read_model_file(path: Path, model: type[Model], whole: str = "(file)") -> Model:
    """The file read and checked as ``model``; a YamlFileError's reason names the field at fault."""
    data = read_yaml_file(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise YamlFileError(path, field_errors(exc, whole)) from None
