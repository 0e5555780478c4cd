"""Compare two schemas by meaning, as a consumer that validates what the provider sends would see them.

Both sides are followed through `$ref`s first, so a component renamed (or a schema moved into one) is not a
change. `allOf` branches are folded into one view (their properties, `required` and types merged), so splitting
a schema into `allOf` parts is not a change either. Each pair of schema objects is compared once (`_memo`): a
schema shared by many webhooks is compared once and its findings name every webhook, and a pair already being
compared (a recursive schema) is not entered again, which keeps GitHub-size specs to a few seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ...spec import pointers
from ...spec.walk import ref_target
from .changes import Change, Place, Side, change

_ANNOTATIONS = frozenset({"$ref", "description", "summary", "title", "$comment", "deprecated", "example", "examples"})
# A larger value loosens the upper bounds; a smaller one loosens the lower bounds.
_UPPER = ("maxLength", "maxItems", "maxProperties", "maximum", "exclusiveMaximum")
_LOWER = ("minLength", "minItems", "minProperties", "minimum", "exclusiveMinimum")
_EXACT = ("pattern", "format", "multipleOf")
_MAX_DEPTH = 64

Places = Callable[[], tuple[Place, Place]]


@dataclass
class View:
    """A schema object as a consumer reads it: `$ref`s followed and `allOf` branches folded in."""

    pointer: str
    node: dict[str, Any]
    types: frozenset[str] | None = None  # None: any type
    properties: dict[str, str] = field(default_factory=dict)  # name -> pointer of its schema
    required: set[str] = field(default_factory=set)


def resolve(document: dict[str, Any], pointer: str) -> tuple[str, Any]:
    """The pointer and value a schema's `$ref`s lead to; a `$ref` with constraints beside it stays where it is."""
    seen: set[str] = set()
    node = _at(document, pointer)
    target = ref_target(node)
    while target is not None and target not in seen:
        seen.add(target)
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        found = _at(document, target)
        if set(siblings) - _ANNOTATIONS:
            return pointer, {**found, **siblings} if isinstance(found, dict) else found
        pointer, node = target, found
        target = ref_target(node)
    return pointer, node


def _at(document: dict[str, Any], pointer: str) -> Any:
    try:
        return pointers.resolve(document, pointer)
    except KeyError:
        return None


def types_of(node: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types a schema allows by its `type` (and 3.0 `nullable`); None when it does not say."""
    declared = node.get("type")
    if isinstance(declared, str):
        found = {declared}
    elif isinstance(declared, list):
        found = {item for item in declared if isinstance(item, str)}
    else:
        return None
    if node.get("nullable") is True:
        found.add("null")
    return frozenset(found)


def view(document: dict[str, Any], pointer: str, _depth: int = 0) -> View:
    """The folded view of the schema at `pointer` (after its `$ref`s)."""
    pointer, node = resolve(document, pointer)
    if not isinstance(node, dict):
        return View(pointer, {})
    properties = node.get("properties")
    folded = View(pointer, node, types_of(node))
    if isinstance(properties, dict):
        folded.properties = {name: pointers.join(pointer, "properties", name) for name in properties}
    folded.required = {name for name in node.get("required") or [] if isinstance(name, str)}
    branches = node.get("allOf")
    branches = branches if isinstance(branches, list) else []
    for index in range(len(branches) if _depth < _MAX_DEPTH else 0):
        _fold(folded, view(document, pointers.join(pointer, "allOf", index), _depth + 1))
    return folded


def _fold(into: View, branch: View) -> None:
    for name, at in branch.properties.items():
        into.properties.setdefault(name, at)
    into.required |= branch.required
    if branch.types is not None:
        into.types = branch.types if into.types is None else into.types & branch.types


class SchemaDiff:
    """Compares schemas of two sides, remembering every pair it has compared."""

    def __init__(self, old: Side, new: Side) -> None:
        self.old, self.new = old, new
        self._memo: dict[tuple[str, str], list[Change]] = {}

    def compare(self, old_pointer: str, new_pointer: str, path: str) -> list[Change]:
        """Every change between the schema at `old_pointer` (old side) and `new_pointer` (new side)."""
        old, new = view(self.old.document, old_pointer), view(self.new.document, new_pointer)
        key = (old.pointer, new.pointer)
        if key not in self._memo:
            self._memo[key] = []  # a pair met again while being compared (a cycle) adds nothing
            self._memo[key] = list(self._changes(old, new, path))
        return self._memo[key]

    def _changes(self, old: View, new: View, path: str) -> Iterator[Change]:
        def places() -> tuple[Place, Place]:  # placing is slow on big files: only for what is reported
            return self.old.place(old.pointer), self.new.place(new.pointer)

        yield from _type_changes(old, new, path, places)
        yield from _enum_changes(old.node, new.node, path, places)
        yield from _constraint_changes(old.node, new.node, path, places)
        if old.node.get("description") != new.node.get("description") and "description" in old.node:
            yield change("description-changed", f"`{path}`: description changed", *places())
        yield from self._property_changes(old, new, path)
        yield from self._nested_changes(old, new, path)

    def _property_changes(self, old: View, new: View, path: str) -> Iterator[Change]:
        removed = [name for name in old.properties if name not in new.properties]
        added = [name for name in new.properties if name not in old.properties]
        for name in removed:
            hint = self._renamed_to(old.properties[name], {n: new.properties[n] for n in added})
            message = f"property `{path}.{name}` removed" + (f" (renamed to `{hint}`?)" if hint else "")
            yield change("property-removed", message, self.old.place(old.properties[name]), self.new.place(new.pointer))
        for name in added:
            rule = "required-property-added" if name in new.required else "property-added"
            what = "new required property" if name in new.required else "new optional property"
            message = f"{what} `{path}.{name}`"
            if rule == "required-property-added":
                message += ": consumers that upgrade first refuse deliveries of the old shape (retries last days)"
            yield change(rule, message, self.old.place(old.pointer), self.new.place(new.properties[name]))
        for name in (name for name in old.properties if name in new.properties):
            old_at, new_at = old.properties[name], new.properties[name]
            if name in old.required and name not in new.required:
                message = f"property `{path}.{name}` is no longer required"
                yield change("property-optional", message, self.old.place(old_at), self.new.place(new_at))
            elif name in new.required and name not in old.required:
                message = (
                    f"property `{path}.{name}` becomes required: consumers that upgrade first refuse old deliveries"
                )
                yield change("property-required", message, self.old.place(old_at), self.new.place(new_at))
            yield from self.compare(old_at, new_at, f"{path}.{name}")

    def _nested_changes(self, old: View, new: View, path: str) -> Iterator[Change]:
        for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
            if isinstance(old.node.get(key), dict) and isinstance(new.node.get(key), dict):
                yield from self.compare(pointers.join(old.pointer, key), pointers.join(new.pointer, key), path + suffix)
        if old.node.get("additionalProperties") is False and new.node.get("additionalProperties") is not False:
            message = f"`{path}` now allows properties it does not declare (additionalProperties: false lifted)"
            yield change(
                "additional-properties-allowed", message, self.old.place(old.pointer), self.new.place(new.pointer)
            )
        for key in ("oneOf", "anyOf"):
            yield from self._variant_changes(old, new, key, path)

    def _variant_changes(self, old: View, new: View, key: str, path: str) -> Iterator[Change]:
        olds, news = old.node.get(key), new.node.get(key)
        if not (isinstance(olds, list) and isinstance(news, list)):
            return
        if len(news) != len(olds):
            rule = "variant-added" if len(news) > len(olds) else "variant-removed"
            places = self.old.place(pointers.join(old.pointer, key)), self.new.place(pointers.join(new.pointer, key))
            yield change(rule, f"`{path}`: {key} has {len(news)} variants, was {len(olds)}", *places)
        else:
            for index in range(len(olds)):
                old_at, new_at = pointers.join(old.pointer, key, index), pointers.join(new.pointer, key, index)
                yield from self.compare(old_at, new_at, f"{path}<{key}[{index}]>")

    def _renamed_to(self, old_pointer: str, candidates: dict[str, str]) -> str | None:
        """The added property whose schema reads exactly like the removed one's, if exactly one does."""
        wanted = _fingerprint(self.old.document, old_pointer)
        same = [name for name, at in candidates.items() if _fingerprint(self.new.document, at) == wanted]
        return same[0] if len(same) == 1 else None


def _fingerprint(document: dict[str, Any], pointer: str) -> str:
    _, node = resolve(document, pointer)
    if isinstance(node, dict):
        node = {key: value for key, value in node.items() if key not in _ANNOTATIONS}
    return json.dumps(node, sort_keys=True, default=str)


def _type_changes(old: View, new: View, path: str, places: Places) -> Iterator[Change]:
    if old.types == new.types:
        return
    if old.types is None or new.types is None:
        rule = "constraint-tightened" if old.types is None else "type-changed"
        yield change(rule, f"`{path}`: type {_types(old.types)} -> {_types(new.types)}", *places())
        return
    # An integer is a number: number -> integer narrows, integer -> number widens.
    added = {t for t in new.types - old.types if not (t == "integer" and "number" in old.types)}
    if "null" in added:
        yield change("became-nullable", f"`{path}` becomes nullable", *places())
    if added - {"null"}:
        yield change("type-changed", f"`{path}`: type {_types(old.types)} -> {_types(new.types)}", *places())
    elif not added:
        yield change("type-narrowed", f"`{path}`: type {_types(old.types)} -> {_types(new.types)}", *places())


def _types(types: frozenset[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types))


def _values(node: dict[str, Any]) -> list[str] | None:
    if "const" in node:
        return [json.dumps(node["const"], sort_keys=True)]
    enum = node.get("enum")
    return [json.dumps(value, sort_keys=True) for value in enum] if isinstance(enum, list) else None


def _enum_changes(old: dict[str, Any], new: dict[str, Any], path: str, places: Places) -> Iterator[Change]:
    before, after = _values(old), _values(new)
    if before is None and after is None:
        return
    if after is None:
        yield change("enum-removed", f"`{path}`: enum dropped, any value of its type may come", *places())
    elif before is None:
        yield change("constraint-tightened", f"`{path}`: enum {', '.join(after)} added", *places())
    else:
        added = [value for value in after if value not in before]
        removed = [value for value in before if value not in after]
        if added:
            message = (
                f"`{path}`: enum gains {', '.join(added)}; hookgen's models are closed enums, so consumers "
                "on the old models refuse it until they regenerate"
            )
            yield change("enum-value-added", message, *places())
        if removed:
            yield change("enum-value-removed", f"`{path}`: enum loses {', '.join(removed)}", *places())


def _constraint_changes(old: dict[str, Any], new: dict[str, Any], path: str, places: Places) -> Iterator[Change]:
    for key in (*_UPPER, *_LOWER, *_EXACT):
        before, after = _number_or_text(old.get(key)), _number_or_text(new.get(key))
        if before == after:
            continue
        shown = f"`{path}`: {key} {_show(before)} -> {_show(after)}"
        if before is None:
            yield change("constraint-tightened", shown, *places())
        elif after is None or key in _EXACT or isinstance(before, str) or isinstance(after, str):
            yield change("constraint-loosened", shown, *places())
        elif (after < before) == (key in _UPPER):
            yield change("constraint-tightened", shown, *places())
        else:
            yield change("constraint-loosened", shown, *places())


def _number_or_text(value: Any) -> float | str | None:
    if isinstance(value, bool) or value is None:
        return None
    return value if isinstance(value, int | float | str) else None


def _show(value: float | str | None) -> str:
    return "(none)" if value is None else json.dumps(value)
