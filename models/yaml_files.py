"""Reading the council's YAML files: scenarios, complaints, the directory, policies.

One loader for all of them, so that a bare `on:` (as in `proceedings_ended`) is a key
and not the boolean YAML 1.1 makes of it, and one way of saying why a file cannot be
read, in a line.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from models.validation import field_errors

Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


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


_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class NotADate(yaml.constructor.ConstructorError):
    """A value written as a date that is no day of the calendar (2023-02-30)."""

    def __init__(self, text: str, mark: Any, key: Any = None) -> None:
        what = "a date and time; write it as YYYY-MM-DDTHH:MM" if any(c in text for c in "Tt ") \
            else "a date; write it as YYYY-MM-DD"
        self.text = f"{key}: {text} is not {what}" if key is not None else f"{text} is not {what}"
        super().__init__(None, None, self.text, mark)


def _timestamp(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        raise NotADate(node.value, node.start_mark) from None


def _mapping(loader: _YamlLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    # Named by its key: "received: 2023-02-30 is not a date", not a traceback.
    for key_node, value_node in node.value:
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _TIMESTAMP:
            try:
                yaml.SafeLoader.construct_yaml_timestamp(loader, value_node)
            except ValueError:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                raise NotADate(value_node.value, value_node.start_mark, key) from None
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_YamlLoader.add_constructor(_TIMESTAMP, _timestamp)
_YamlLoader.construct_mapping = _mapping  # type: ignore[method-assign]


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_YamlLoader)


def read_yaml_file(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as exc:
        raise YamlFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        return read_yaml(text)
    except NotADate as exc:
        raise YamlFileError(path, f"{exc.text} (line {exc.problem_mark.line + 1})") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise YamlFileError(path, f"not valid YAML{line}") from None


def cached_while_unchanged(load: Callable[[Path], T]) -> Callable[[Path], T]:
    """``load(path)``, read again only when the file changes (its modification time, size or
    inode): the web app reads the directory and the procedures on every page, and parsing
    YAML each time would cost more than the page. What ``load`` raises is never cached."""
    cache: dict[Path, tuple[tuple[int, int, int], T]] = {}
    lock = threading.Lock()

    @functools.wraps(load)
    def cached(path: Path) -> T:
        try:
            seen = path.stat()
        except OSError:
            return load(path)
        key = (seen.st_mtime_ns, seen.st_size, seen.st_ino)
        with lock:
            hit = cache.get(path)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = load(path)
        with lock:
            cache[path] = (key, value)
        return value

    return cached


def read_model_file(path: Path, model: type[Model], whole: str = "(file)") -> Model:
    """The file read and checked as ``model``; a YamlFileError's reason names the field at fault."""
    data = read_yaml_file(path)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise YamlFileError(path, field_errors(exc, whole)) from None
