"""Resolve `$ref`s: bundle a spec split over several files into one document, and say what the webhooks reach.

External schemas become `#/components/schemas/<Name>` entries, so every model keeps a name;
other external references (a path item, a request body) are inlined. The loaded files are never
changed: the bundle is a new value, with a map back to where each part came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .load import FileSet, SourceFile
from .problems import Level, Problem, SpecError, pointer_join, pointer_parts

_SCHEMA_SLOTS = frozenset({"schema"})


@dataclass(frozen=True)
class Origin:
    """Where a part of the bundle came from."""

    file: SourceFile
    pointer: str


@dataclass
class Bundle:
    """One self-contained document, with the origin of every part and the problems met."""

    document: dict[str, Any]
    origins: dict[str, Origin]
    reference_problems: list[tuple[str, Problem]] = field(default_factory=list)

    def locate(self, pointer: str) -> tuple[SourceFile, str]:
        """The file and source pointer behind a pointer into the bundle."""
        parts = pointer_parts(pointer)
        for size in range(len(parts), -1, -1):
            prefix = pointer_join("", *parts[:size])
            if prefix in self.origins:
                origin = self.origins[prefix]
                return origin.file, pointer_join(origin.pointer, *parts[size:])
        root = self.origins[""]
        return root.file, pointer

    def problems(self, roots: set[str], *, strict: bool) -> list[Problem]:
        """Broken references: errors where the webhooks reach them (or when strict), warnings elsewhere."""
        return [
            problem if strict or is_within(pointer, roots) else replace(problem, level=Level.WARNING)
            for pointer, problem in self.reference_problems
        ]

    def problem(self, pointer: str, message: str, level: Level = Level.ERROR) -> Problem:
        """A problem at a pointer into the bundle, placed in its source file and line."""
        file, source_pointer = self.locate(pointer)
        return Problem(file.name, file.line(source_pointer), source_pointer, message, level)


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer; KeyError when there is none."""
    node = document
    for token in pointer_parts(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


class _Bundler:
    def __init__(self, files: FileSet, root: SourceFile) -> None:
        self.files = files
        self.root = root
        self.origins: dict[str, Origin] = {"": Origin(root, "")}
        self.problems: list[tuple[str, Problem]] = []
        self.added_schemas: dict[str, Any] = {}
        self.schema_names: dict[tuple[Path, str], str] = {}
        root_schemas = (root.data.get("components") or {}).get("schemas") if isinstance(root.data, dict) else None
        self.taken_names = set(root_schemas) if isinstance(root_schemas, dict) else set()
        self.inlining: list[tuple[Path, str]] = []

    def report(self, dst: str, problem: Problem) -> None:
        self.problems.append((dst, problem))

    def run(self) -> Bundle:
        document = self.copy(self.root.data, self.root, "", "", in_schema=False)
        if self.added_schemas:
            components = dict(document.get("components") or {})
            components["schemas"] = {**(components.get("schemas") or {}), **self.added_schemas}
            document["components"] = components
        return Bundle(document, self.origins, self.problems)

    def copy(self, node: Any, file: SourceFile, src: str, dst: str, *, in_schema: bool) -> Any:
        if isinstance(node, list):
            return [
                self.copy(item, file, pointer_join(src, i), pointer_join(dst, i), in_schema=in_schema)
                for i, item in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self.reference(node, file, src, dst, in_schema=in_schema)
        return {
            key: self.copy(
                value,
                file,
                pointer_join(src, key),
                pointer_join(dst, key),
                in_schema=in_schema or _enters_schema(dst, key),
            )
            for key, value in node.items()
        }

    def reference(self, node: dict[str, Any], file: SourceFile, src: str, dst: str, *, in_schema: bool) -> Any:
        target = self.target(node["$ref"], file, pointer_join(src, "$ref"), dst)
        siblings = {
            key: self.copy(value, file, pointer_join(src, key), pointer_join(dst, key), in_schema=in_schema)
            for key, value in node.items()
            if key != "$ref"
        }
        if target is None:
            return {"$ref": node["$ref"], **siblings}
        target_file, fragment = target
        if target_file is self.root:
            return {"$ref": "#" + fragment, **siblings}
        if in_schema:
            return {"$ref": "#/components/schemas/" + self.bundle_schema(target_file, fragment), **siblings}
        return self.inline(target_file, fragment, src, dst, siblings=siblings, referrer=file)

    def target(self, ref: str, file: SourceFile, at: str, dst: str) -> tuple[SourceFile, str] | None:
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            self.report(dst, _problem(file, at, f"remote $ref is not supported: {ref}"))
            return None
        target_file = file
        if parts.path:
            path = file.path.parent / unquote(parts.path)
            try:
                target_file = self.files.get(path)
            except SpecError as exc:
                reason = exc.problems[0].message
                if reason == "file does not exist":
                    self.report(dst, _problem(file, at, f"$ref points to a missing file: {ref}"))
                else:
                    rendered = "; ".join(p.render() for p in exc.problems)
                    self.report(dst, _problem(file, at, f"$ref to a file that cannot be loaded: {rendered}"))
                return None
        fragment = unquote(parts.fragment)
        if fragment and not fragment.startswith("/"):
            self.report(dst, _problem(file, at, f"$ref fragment is not a JSON pointer: {ref}"))
            return None
        try:
            resolve_pointer(target_file.data, fragment)
        except KeyError:
            self.report(dst, _problem(file, at, f"$ref does not resolve: {ref}"))
            return None
        return target_file, fragment

    def bundle_schema(self, file: SourceFile, fragment: str) -> str:
        key = (file.path.resolve(), fragment)
        if key not in self.schema_names:
            name = self.free_name(file, fragment)
            self.schema_names[key] = name
            dst = pointer_join("/components/schemas", name)
            self.origins[dst] = Origin(file, fragment)
            value = resolve_pointer(file.data, fragment)
            self.added_schemas[name] = self.copy(value, file, fragment, dst, in_schema=True)
        return self.schema_names[key]

    def free_name(self, file: SourceFile, fragment: str) -> str:
        parts = pointer_parts(fragment)
        base = parts[-1] if parts else file.path.stem
        candidates = [base, f"{file.path.stem}_{base}"] + [f"{base}{n}" for n in range(2, 10_000)]
        name = next(candidate for candidate in candidates if candidate not in self.taken_names)
        self.taken_names.add(name)
        return name

    def inline(
        self, file: SourceFile, fragment: str, src: str, dst: str, *, siblings: dict[str, Any], referrer: SourceFile
    ) -> Any:
        key = (file.path.resolve(), fragment)
        if key in self.inlining:
            self.report(dst, _problem(referrer, pointer_join(src, "$ref"), "$ref cycle outside schemas"))
            return siblings
        self.inlining.append(key)
        self.origins[dst] = Origin(file, fragment)
        value = self.copy(resolve_pointer(file.data, fragment), file, fragment, dst, in_schema=False)
        self.inlining.pop()
        return {**value, **siblings} if isinstance(value, dict) else value


def _enters_schema(dst: str, key: str) -> bool:
    return key in _SCHEMA_SLOTS or dst == "/components/schemas"


def _problem(file: SourceFile, pointer: str, message: str) -> Problem:
    return Problem(file.name, file.line(pointer), pointer, message)


def bundle(files: FileSet, root: SourceFile) -> Bundle:
    """Bundle the spec rooted at `root` into one document; problems are collected, not raised."""
    return _Bundler(files, root).run()


def reached_roots(document: dict[str, Any], start: str = "/webhooks") -> set[str]:
    """Pointers whose subtrees the webhooks reach, following local `$ref`s."""
    roots: set[str] = set()
    pending = [start]
    while pending:
        pointer = pending.pop()
        if is_within(pointer, roots):
            continue
        roots = {root for root in roots if not is_within(root, {pointer})} | {pointer}
        try:
            node = resolve_pointer(document, pointer)
        except KeyError:
            continue
        pending.extend(_local_refs(node))
    return roots


def _local_refs(node: Any) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                found.append(unquote(ref[1:]))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def is_within(pointer: str, roots: set[str]) -> bool:
    """Whether a pointer lies inside (or is) one of the given subtrees."""
    if pointer in roots:
        return True
    parts = pointer_parts(pointer)
    return any(pointer_join("", *parts[:size]) in roots for size in range(len(parts)))


def webhook_document(document: dict[str, Any], roots: set[str]) -> dict[str, Any]:
    """The part of a bundled document that the webhooks reach: what models and checks need."""
    kept: dict[str, Any] = {
        key: document[key] for key in ("openapi", "info", "jsonSchemaDialect", "webhooks") if key in document
    }
    components: dict[str, Any] = {}
    for section, entries in (document.get("components") or {}).items():
        if not isinstance(entries, dict):
            continue
        reached = {
            name: value
            for name, value in entries.items()
            if is_within(pointer_join("/components", section, name), roots)
        }
        if reached:
            components[section] = reached
    if components:
        kept["components"] = components
    return kept
