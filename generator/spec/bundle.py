"""Resolve `$ref`s: bundle a spec split over several files into one document, with a map back to its sources.

A `$ref` reads only regular files inside the root document's folder, or inside the folders given as
`ref_roots` (`[tool.hookgen] ref-roots`); remote references are refused and nothing touches the network.
A refused `$ref` is named in the error, never the content of what it pointed at.

External schemas become `#/components/schemas/<Name>` entries, so every model keeps a name;
other external references (a path item, a request body) are inlined. The loaded files are never
changed: the bundle is a new value, with a map back to where each part came from.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from ..errors import Level, Problem
from ..names import free_name
from . import pointers
from .load import FileSet, SourceFile, display_path
from .walk import in_webhook_response, reached_roots, webhooks_pointer

_SCHEMA_SLOTS = frozenset({"schema"})
_NOT_COMPONENT_KEY = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Origin:
    """Where a part of the bundle came from."""

    file: SourceFile
    pointer: str


@dataclass(frozen=True)
class Bundle:
    """One self-contained document, with the origin of every part and every file it was made of."""

    document: dict[str, Any]
    origins: dict[str, Origin]
    sources: tuple[SourceFile, ...]

    @property
    def root(self) -> SourceFile:
        """The file the spec starts from."""
        return self.origins[""].file

    def digest(self) -> str:
        """The SHA-256 of every file the bundle was made of: its path (from the root's folder) and its text."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # Once per bundle: a child forked from this process (models/child.py) inherits it with the bundle.
        digest = hashlib.sha256()
        base = self.root.path.resolve().parent
        for source in sorted(self.sources, key=lambda source: str(source.path.resolve())):
            name = os.path.relpath(source.path.resolve(), base)
            digest.update(f"{len(name)}:{name}{len(source.text)}:".encode() + source.text.encode())
        return digest.hexdigest()

    @cached_property
    def webhook_roots(self) -> Set[str]:
        """The pointers whose subtrees the webhooks reach (`walk.reached_roots`), found once per bundle: the bundle
        itself, validation, the models' input and the child's decision each need them (on GitHub's spec 0.06-0.1 s a
        walk)."""
        return frozenset(reached_roots(self.document)) if isinstance(self.document, dict) else frozenset()

    def locate(self, pointer: str) -> tuple[SourceFile, str]:
        """The file and source pointer behind a pointer into the bundle."""
        tokens = pointers.parts(pointer)
        for size in range(len(tokens), -1, -1):
            prefix = pointers.join("", *tokens[:size])
            if prefix in self.origins:
                origin = self.origins[prefix]
                return origin.file, pointers.join(origin.pointer, *tokens[size:])
        return self.root, pointer

    def problem(self, pointer: str, message: str, level: Level = Level.ERROR) -> Problem:
        """A problem at a pointer into the bundle, placed in its source file and line."""
        file, source_pointer = self.locate(pointer)
        return Problem(file.name, file.line(source_pointer), source_pointer, message, level)


def bundle(
    spec_path: Path, *, strict: bool = False, ref_roots: Sequence[Path] = ()
) -> tuple[Bundle | None, list[Problem]]:
    """Load the spec rooted at `spec_path` and bundle it into one document.

    A `$ref` that cannot be followed is an error where the webhooks reach it (or when strict), else a warning.
    """
    files = FileSet()
    root, problems = files.load(spec_path)
    if root is None:
        return None, problems
    allowed = (spec_path.resolve().parent, *(folder.resolve() for folder in ref_roots))
    bundler = _Bundler(files, root, allowed)
    bundled = replace(bundler.run(), sources=tuple(files))
    roots = _blocking_roots(bundled)
    found = [
        problem if strict or _blocks(at, roots) else replace(problem, level=Level.WARNING)
        for at, problem in bundler.problems
    ]
    return bundled, found


def _blocking_roots(bundled: Bundle) -> Set[str]:
    """The subtrees the webhooks reach, `x-webhooks`' in a spec written before OpenAPI 3.1 (upgrade.py reads them as
    `webhooks` later, in a bundle of its own)."""
    document = bundled.document
    if isinstance(document, dict) and webhooks_pointer(document) == "/x-webhooks":
        return reached_roots(document, "/x-webhooks")
    return bundled.webhook_roots


class _Bundler:
    def __init__(self, files: FileSet, root: SourceFile, allowed: tuple[Path, ...]) -> None:
        self.files = files
        self.root = root
        self.allowed = allowed
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
        return Bundle(document, self.origins, ())

    def copy(self, node: Any, file: SourceFile, src: str, dst: str, *, in_schema: bool) -> Any:
        if isinstance(node, list):
            return [
                self.copy(item, file, pointers.join(src, i), pointers.join(dst, i), in_schema=in_schema)
                if isinstance(item, dict | list)
                else item  # a scalar is itself: no pointers to make for it
                for i, item in enumerate(node)
            ]
        if not isinstance(node, dict):
            return node
        if isinstance(node.get("$ref"), str):
            return self.reference(node, file, src, dst, in_schema=in_schema)
        copied = {
            key: self.copy(
                value,
                file,
                pointers.join(src, key),
                pointers.join(dst, key),
                in_schema=in_schema or _enters_schema(dst, key),
            )
            if isinstance(value, dict | list)
            else value
            for key, value in node.items()
        }
        mapping = node.get("discriminator", {}).get("mapping") if isinstance(node.get("discriminator"), dict) else None
        if in_schema and isinstance(mapping, dict):
            at = pointers.join(src, "discriminator", "mapping")
            copied["discriminator"] = {**copied["discriminator"], "mapping": self.mapping(mapping, file, at, dst)}
        return copied

    def mapping(self, mapping: dict[str, Any], file: SourceFile, src: str, dst: str) -> dict[str, Any]:
        """A discriminator's mapping with each reference into a file rewritten to where the bundle holds it.

        Mapping values are references written as plain strings (`INCOMING: ./IncomingTransaction.yaml`), so the
        `$ref` walk never sees them; unrewritten, the tag would name a file no model is generated from.
        """
        rewritten = {}
        for value, target in mapping.items():
            rewritten[value] = target
            local = isinstance(target, str) and target.startswith("#")
            if isinstance(target, str) and (_is_file_reference(target) or (local and file is not self.root)):
                found = self.target(target, file, pointers.join(src, value), dst)
                if found is not None:
                    target_file, fragment = found
                    name = self.bundle_schema(target_file, fragment)
                    rewritten[value] = "#" + pointers.join("/components/schemas", name)
        return rewritten

    def reference(self, node: dict[str, Any], file: SourceFile, src: str, dst: str, *, in_schema: bool) -> Any:
        target = self.target(node["$ref"], file, pointers.join(src, "$ref"), dst)
        siblings = {
            key: self.copy(value, file, pointers.join(src, key), pointers.join(dst, key), in_schema=in_schema)
            for key, value in node.items()
            if key != "$ref"
        }
        if target is None:
            return {"$ref": node["$ref"], **siblings}
        target_file, fragment = target
        if target_file is self.root:
            return {"$ref": "#" + fragment, **siblings}
        if in_schema:
            name = self.bundle_schema(target_file, fragment)
            return {"$ref": "#" + pointers.join("/components/schemas", name), **siblings}
        return self.inline(target_file, fragment, src, dst, siblings=siblings, referrer=file)

    def target(self, ref: str, file: SourceFile, at: str, dst: str) -> tuple[SourceFile, str] | None:
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            self.report(dst, _problem(file, at, f"remote $ref is not supported: {ref}"))
            return None
        target_file = file
        if parts.path:
            path = file.path.parent / unquote(parts.path)
            if not any(path.resolve().is_relative_to(folder) for folder in self.allowed):
                where = display_path(self.allowed[0])
                message = f"$ref reaches outside the spec's folder ({where}) and is not read: {ref}"
                self.report(dst, _problem(file, at, message + " (other folders: [tool.hookgen] ref-roots)"))
                return None
            loaded, problems = self.files.load(path)
            if loaded is None:
                if problems[0].message == "file does not exist":
                    self.report(dst, _problem(file, at, f"$ref points to a missing file: {ref}"))
                else:
                    rendered = "; ".join(p.render() for p in problems)
                    self.report(dst, _problem(file, at, f"$ref to a file that cannot be loaded: {rendered}"))
                return None
            target_file = loaded
        fragment = unquote(parts.fragment)
        if fragment and not fragment.startswith("/"):
            self.report(dst, _problem(file, at, f"$ref fragment is not a JSON pointer: {ref}"))
            return None
        try:
            pointers.resolve(target_file.data, fragment)
        except KeyError:
            self.report(dst, _problem(file, at, f"$ref does not resolve: {ref}"))
            return None
        return target_file, fragment

    def bundle_schema(self, file: SourceFile, fragment: str) -> str:
        key = (file.path.resolve(), fragment)
        if key not in self.schema_names:
            tokens = pointers.parts(fragment)
            base = _component_key(tokens[-1] if tokens else file.path.stem)
            stem = _component_key(file.path.stem)
            name = free_name(self.taken_names, base, f"{stem}_{base}", numbered=partial("{}{}".format, base))
            self.taken_names.add(name)
            self.schema_names[key] = name
            dst = pointers.join("/components/schemas", name)
            self.origins[dst] = Origin(file, fragment)
            value = pointers.resolve(file.data, fragment)
            self.added_schemas[name] = self.copy(value, file, fragment, dst, in_schema=True)
        return self.schema_names[key]

    def inline(
        self, file: SourceFile, fragment: str, src: str, dst: str, *, siblings: dict[str, Any], referrer: SourceFile
    ) -> Any:
        key = (file.path.resolve(), fragment)
        if key in self.inlining:
            self.report(dst, _problem(referrer, pointers.join(src, "$ref"), "$ref cycle outside schemas"))
            return siblings
        self.inlining.append(key)
        self.origins[dst] = Origin(file, fragment)
        value = self.copy(pointers.resolve(file.data, fragment), file, fragment, dst, in_schema=False)
        self.inlining.pop()
        return {**value, **siblings} if isinstance(value, dict) else value


def _is_file_reference(target: str) -> bool:
    """A mapping value that names a file (`./a.yaml`, `a.json#/A`), not a schema name or a local `#/...`."""
    return not target.startswith("#") and (
        "/" in target or "#" in target or target.endswith((".yaml", ".yml", ".json"))
    )


def _component_key(text: str) -> str:
    """A key OpenAPI allows in `components` (`^[a-zA-Z0-9._-]+$`) for a name an external file uses freely."""
    return _NOT_COMPONENT_KEY.sub("_", text) or "schema"


def _blocks(at: str, roots: Set[str]) -> bool:
    """Whether a `$ref` that cannot be followed here stops generation: the webhooks reach it, outside a response.

    A webhook's responses say what the receiver answers; the models and receivers need no more than their status.
    """
    return pointers.is_within(at, roots) and not in_webhook_response(at)


def _enters_schema(dst: str, key: str) -> bool:
    return key in _SCHEMA_SLOTS or dst == "/components/schemas"


def _problem(file: SourceFile, pointer: str, message: str) -> Problem:
    return Problem(file.name, file.line(pointer), pointer, message)
