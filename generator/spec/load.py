"""Load YAML or JSON spec files, keeping enough to point at a line when something is wrong."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from .pointers import parts

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML loader that keeps dates as text and every mapping key as written."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # `200:` is a status code, not an integer: OpenAPI keys are always strings.
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = key_node.value
            else:
                key = self.construct_object(key_node, deep=deep)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# `version: 2024-10-01` must stay a string, as it does in JSON.
_SpecLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def display_path(path: Path) -> str:
    """A path as a user wants to read it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


@dataclass
class SourceFile:
    """One loaded file: its parsed data, plus its text for finding lines on demand."""

    path: Path
    data: Any
    text: str
    _nodes: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The path as shown in problems."""
        return display_path(self.path)

    def line(self, pointer: str) -> int | None:
        """The 1-based line where the value at a JSON pointer starts, if it can be found."""
        node = self._composed()
        if node is None:
            return None
        line: int = node.start_mark.line + 1
        for token in parts(pointer):
            node = _child_node(node, token)
            if node is None:
                break
            line = node.start_mark.line + 1
        return line

    def _composed(self) -> Any:
        # Composing is slow on big files, so it is done only when a problem needs a line.
        if self._nodes is None:
            try:
                self._nodes = yaml.compose(self.text, Loader=_BaseLoader) or False
            except yaml.YAMLError:
                self._nodes = False
        return self._nodes or None


def _child_node(node: Any, token: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == token:
                return value_node
        return None
    if isinstance(node, yaml.SequenceNode) and token.isascii() and token.isdigit() and int(token) < len(node.value):
        return node.value[int(token)]
    return None


def load_file(path: Path) -> tuple[SourceFile | None, list[Problem]]:
    """Read and parse one spec file: the file, or None and the located problem that stopped it."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(name, None, "", "file does not exist")]
    except IsADirectoryError:
        return None, [Problem(name, None, "", "is a folder, not a spec file")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, "", f"cannot be read: {exc}")]
    if not text.strip():
        return None, [Problem(name, 1, "", "file is empty")]
    data, problems = _parse(text, path)
    return (None if problems else SourceFile(path=path, data=data, text=text)), problems


def _parse(text: str, path: Path) -> tuple[Any, list[Problem]]:
    name = display_path(path)
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text), []
        except json.JSONDecodeError as exc:
            return None, [Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg}")]
    try:
        return yaml.load(text, Loader=_SpecLoader), []  # noqa: S506 - a safe loader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, [Problem(name, line, "", f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, "", f"invalid YAML: {exc}")]


class FileSet:
    """The files of one spec, loaded once each, on demand, as references reach them."""

    def __init__(self) -> None:
        self._loaded: dict[Path, tuple[SourceFile | None, list[Problem]]] = {}

    def load(self, path: Path) -> tuple[SourceFile | None, list[Problem]]:
        """The loaded file at this path (loading it the first time), or None and why not."""
        resolved = path.resolve()
        if resolved not in self._loaded:
            self._loaded[resolved] = load_file(path)
        return self._loaded[resolved]

    def __iter__(self) -> Iterator[SourceFile]:
        return iter(source for source, _ in self._loaded.values() if source is not None)
