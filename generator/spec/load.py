"""Load YAML or JSON spec files, keeping enough to point at a line when something is wrong.

A spec is untrusted input: only regular files are read, each up to MAX_FILE_BYTES; YAML aliases may not
expand a document past MAX_VALUES values nor refer to themselves; a key written twice in one mapping is an error.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import Problem
from .pointers import join, parts

MAX_FILE_BYTES = 64 * 1024 * 1024
# Values in one file once YAML aliases are expanded: GitHub's 4.8 MB webhooks spec holds 134,000.
MAX_VALUES = 2_000_000

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    """YAML loader that keeps dates as text and every mapping key as written, and notes keys written twice."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.repeats = False

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.repeats = self.repeats or bool(_repeated_keys(node))
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


_MERGE = "tag:yaml.org,2002:merge"


def _repeated_keys(node: yaml.MappingNode) -> list[str]:
    """The scalar keys a mapping node writes more than once (merge keys `<<` aside: they may be overridden)."""
    written = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode) and key.tag != _MERGE]
    return sorted(key for key, times in Counter(written).items() if times > 1)


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
    _json: JsonLines | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The path as shown in problems."""
        return display_path(self.path)

    def line(self, pointer: str) -> int | None:
        """The 1-based line where the value at a JSON pointer starts, if it can be found."""
        if self.path.suffix.lower() == ".json":  # parsed as JSON, so its lines are found without composing YAML
            if self._json is None:
                self._json = JsonLines(self.text)
            return self._json.line(pointer)
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

    def repeated_keys(self) -> list[Problem]:
        """An error for each key a mapping writes twice (one of the two would be dropped), naming both lines."""
        problems = []
        stack: list[tuple[str, Any]] = [("", self._composed())]
        while stack:
            pointer, node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key in _repeated_keys(node):
                    lines = [k.start_mark.line + 1 for k, _ in node.value if _is_key(k, key)]
                    message = f"key {key!r} is written twice in this mapping (first at line {lines[0]}): one is lost"
                    problems.append(Problem(self.name, lines[-1], join(pointer, key), message))
                stack += [(join(pointer, k.value), v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
            elif isinstance(node, yaml.SequenceNode):
                stack += [(join(pointer, index), item) for index, item in enumerate(node.value)]
        return sorted(problems)

    def _composed(self) -> Any:
        # Composing is slow on big files, so it is done only when a problem needs a line.
        if self._nodes is None:
            try:
                self._nodes = yaml.compose(self.text, Loader=_BaseLoader) or False
            except yaml.YAMLError:
                self._nodes = False
        return self._nodes or None


class JsonLines:
    """Lines of values in a JSON text, found by skipping siblings with the C decoder (no YAML composing).

    Each map or list on the way to a pointer is scanned once, its children's offsets kept: the first lookup
    costs about one parse of the containers it passes through, later ones share the scans.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._decoder = json.JSONDecoder()
        self._children: dict[int, dict[str, int] | list[int]] = {}
        self._newlines: list[int] | None = None

    def line(self, pointer: str) -> int | None:
        """The 1-based line where the value at `pointer` starts (the deepest one found on the way)."""
        offset = self._skip_space(0)
        for token in parts(pointer):
            children = self._scan(offset)
            if isinstance(children, dict):
                found = children.get(token)
            else:
                index = int(token) if token.isascii() and token.isdigit() else len(children)
                found = children[index] if index < len(children) else None
            if found is None:
                break
            offset = found
        if self._newlines is None:
            self._newlines = [match.start() for match in _NEWLINE.finditer(self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def _skip_space(self, offset: int) -> int:
        return _JSON_SPACE.match(self.text, offset).end()  # type: ignore[union-attr]  # matches the empty string

    def _scan(self, offset: int) -> dict[str, int] | list[int]:
        """The offsets of the children of the map or list starting at `offset` (none for a scalar)."""
        if offset not in self._children:
            try:
                self._children[offset] = self._read_children(offset)
            except (ValueError, IndexError):  # cannot happen on text json.loads read; a line is only a help
                self._children[offset] = []
        return self._children[offset]

    def _read_children(self, offset: int) -> dict[str, int] | list[int]:
        text, opening = self.text, self.text[offset : offset + 1]
        if opening not in ("{", "["):
            return []
        keys: dict[str, int] = {}
        items: list[int] = []
        at = self._skip_space(offset + 1)
        while text[at] not in "}]":
            if opening == "{":
                key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
                at = self._skip_space(self._skip_space(at) + 1)  # past the colon
                keys.setdefault(key, at)
            else:
                items.append(at)
            _, end = self._decoder.raw_decode(text, at)
            at = self._skip_space(end)
            if text[at] == ",":
                at = self._skip_space(at + 1)
        return keys if opening == "{" else items


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_NEWLINE = re.compile("\n")


def _is_key(node: Any, key: str) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == key


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
    """Read and parse one spec file: the file, or None and the located problems that stopped it."""
    name = display_path(path)
    text, problems = _read(path, name)
    if text is None:
        return None, problems
    if not text.strip():
        return None, [Problem(name, 1, "", "file is empty")]
    data, repeats, problems = _parse(text, path)
    if problems:
        return None, problems
    source = SourceFile(path=path, data=data, text=text)
    if repeats:
        return None, source.repeated_keys() or [Problem(name, None, "", "a key is written twice in one mapping")]
    return source, []


def _read(path: Path, name: str) -> tuple[str | None, list[Problem]]:
    """The file's text: only a regular file (never a FIFO or a device), and at most MAX_FILE_BYTES."""
    try:
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            return None, [Problem(name, None, "", "is a folder, not a spec file")]
        if not stat.S_ISREG(mode):
            return None, [Problem(name, None, "", "is not a regular file (a device, a FIFO, a socket...)")]
        with path.open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            return None, [Problem(name, None, "", f"is larger than {MAX_FILE_BYTES} bytes")]
        return raw.decode("utf-8"), []
    except FileNotFoundError:
        return None, [Problem(name, None, "", "file does not exist")]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(name, None, "", f"cannot be read: {exc}")]


def _parse(text: str, path: Path) -> tuple[Any, bool, list[Problem]]:
    """The data, whether some mapping writes a key twice, and the problems that stopped parsing."""
    name = display_path(path)
    if path.suffix.lower() == ".json":
        return _parse_json(text, name)
    loader = _SpecLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        return None, False, [Problem(name, line, "", f"invalid YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, False, [Problem(name, None, "", f"invalid YAML: {exc}")]
    except RecursionError:
        return None, False, [Problem(name, None, "", "invalid YAML: nested too deeply")]
    finally:
        loader.dispose()
    why = _alias_problem(data)
    return data, loader.repeats, [Problem(name, None, "", f"invalid YAML: {why}")] if why else []


def _parse_json(text: str, name: str) -> tuple[Any, bool, list[Problem]]:
    repeats = False

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeats
        result = dict(pairs)
        repeats = repeats or len(result) < len(pairs)
        return result

    try:
        return json.loads(text, object_pairs_hook=mapping, parse_constant=_not_json), repeats, []
    except json.JSONDecodeError as exc:
        return None, False, [Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg}")]
    except _NotJsonError as exc:
        return None, False, [Problem(name, None, "", f"invalid JSON: {exc} is not JSON (RFC 8259)")]
    except RecursionError:
        return None, False, [Problem(name, None, "", "invalid JSON: nested too deeply")]


class _NotJsonError(ValueError):
    """`NaN`, `Infinity` or `-Infinity`, which Python's json module reads but JSON does not have."""


def _not_json(constant: str) -> Any:
    raise _NotJsonError(constant)


def _alias_problem(data: Any) -> str | None:
    """Why YAML data is unusable: aliases past MAX_VALUES values or inside themselves, or a value JSON has not."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, finished = stack.pop()
        if not isinstance(node, dict | list):
            if not _is_json_scalar(node):
                return f"{node!r:.40} is not a JSON value (YAML tags such as !!binary, !!set or .nan have no JSON form)"
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if finished:
            sizes[id(node)] = 1 + sum(sizes.get(id(child), 1) for child in children)
            open_nodes.discard(id(node))
            if sizes[id(node)] > MAX_VALUES:
                return f"aliases expand the document past {MAX_VALUES} values"
        elif id(node) in open_nodes:
            return "an alias refers to a mapping or list that contains it"
        elif id(node) not in sizes:
            open_nodes.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children)
    return None


def _is_json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | int | bool)


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
