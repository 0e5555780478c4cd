"""Names for the inline objects of one union: each titled one is given its title, where a number would be the rest.

datamodel-code-generator names an inline model from where it stands (`parent-prefixed`): every inline object branch
of one `oneOf`/`anyOf` stands at the same place, so all but the first are told apart by a number only
(`CustomerPreferredContact`, `CustomerPreferredContact1`). A branch with a `title` says its own name
(`EmailContact`): such a branch is moved, in the models' document only, to a component schema of that name, which
the models then name it by. Titles are not used anywhere else (datamodel-code-generator's `use_title_as_name` would
make a class of every titled scalar: Polar's 215 classes became 1,296).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..names import pascal_case
from ..spec import pointers
from ..spec.walk import COMPONENT, SCHEMA_KEYWORDS, SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES, local_refs


def titled_branches_named(schemas: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The component schemas with each titled inline object branch of a union as a component of its title's name.

    Only unions with two inline object branches or more are read. A branch is named by its title when no component
    has that name and no other such branch has that title (GitHub repeats `User` and `Team` in 21 payloads), else by
    its place and its title (`CustomerShipToAddress`); it keeps its place when that is taken too, or when a `$ref` or
    a discriminator's `mapping` points inside it. Returns the schemas and, for each moved branch, its name and the JSON
    pointer it stands at in the source.
    """
    refs = {ref for schema in schemas.values() for ref in (*local_refs(schema), *_mapped(schema))}
    counted = _moved(_Mover(dict(schemas), refs, frozenset()), schemas)
    shared = frozenset(name for name, count in Counter(counted.titles).items() if count > 1)
    mover = _moved(_Mover(dict(schemas), refs, shared), schemas)
    return mover.schemas, mover.moved


def _moved(mover: _Mover, schemas: dict[str, Any]) -> _Mover:
    """The mover after reading every component, and every branch it moved in turn."""
    pending = [(name, pointers.join("/components/schemas", name)) for name in schemas]
    while pending:
        name, at = pending.pop(0)
        mover.owner, mover.base = name, at
        mover.schemas[name] = mover.named(mover.schemas[name], at)
        pending += mover.new
        mover.new = []
    return mover


class _Mover:
    """Moves titled union branches out of the schemas of one component (`owner`) at a time."""

    def __init__(self, schemas: dict[str, Any], refs: set[str], shared: frozenset[str]) -> None:
        self.schemas = schemas
        self.shared = shared  # titles' names more than one branch has: each is named by its place too
        self.titles: list[str] = []  # the title's name of every branch read
        self.refs = refs  # every local `$ref`'s pointer: a branch one points into stays where it is
        self.moved: dict[str, str] = {}
        self.new: list[tuple[str, str]] = []  # the branches moved while reading the owner, to read in turn
        self.owner = ""
        self.base = ""  # where the owner stands in the source

    def named(self, schema: Any, at: str) -> Any:
        """The schema at `at` with its unions' titled object branches moved (those of its subschemas too)."""
        if not isinstance(schema, dict):
            return schema
        result = dict(schema)
        if SCHEMA_KEYWORDS.isdisjoint(result):
            return result
        for key in SCHEMA_MAPS:
            if isinstance(result.get(key), dict):
                result[key] = {
                    name: self.named(value, pointers.join(at, key, name)) for name, value in result[key].items()
                }
        for key in SCHEMA_VALUES:
            if key in result:
                result[key] = self.named(result[key], pointers.join(at, key))
        for key in SCHEMA_LISTS:
            if isinstance(result.get(key), list):
                moving = key in ("oneOf", "anyOf") and sum(map(_inline_object, result[key])) > 1
                result[key] = [
                    self._branch(value, pointers.join(at, key, i), moving) for i, value in enumerate(result[key])
                ]
        return result

    def _free_title(self, branch: Any, at: str) -> str | None:
        """A titled inline object branch's name: its title's, else its place's and its title's, if free.

        Its place's name is datamodel-code-generator's for it: the owner's name and the properties on the way
        (`Customer` + `ShipTo` + `Address`).
        """
        title = branch.get("title") if _inline_object(branch) else None
        if not isinstance(title, str) or not title.strip():
            return None
        name = pascal_case(title, fallback="Model")
        self.titles.append(name)
        placed = pascal_case(" ".join([self.owner, *_properties_on_the_way(at[len(self.base) :])]), fallback="Model")
        placed += name
        candidates = (placed,) if name in self.shared else (name, placed)
        return next((candidate for candidate in candidates if candidate not in self.schemas), None)

    def _branch(self, branch: Any, at: str, moving: bool) -> Any:
        name = self._free_title(branch, at) if moving and not _pointed_into(at, self.refs) else None
        if name is None:
            return self.named(branch, at)
        self.schemas[name] = branch
        self.moved[name] = at
        self.new.append((name, at))
        return {"$ref": COMPONENT + pointers.escape(name)}


def _mapped(node: Any) -> list[str]:
    """The pointers every discriminator `mapping` inside a JSON value names (`#/a/b` -> `/a/b`)."""
    found = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            mapping = (
                item.get("discriminator", {}).get("mapping") if isinstance(item.get("discriminator"), dict) else None
            )
            if isinstance(mapping, dict):
                found += [value[1:] for value in mapping.values() if isinstance(value, str) and value.startswith("#")]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _properties_on_the_way(pointer: str) -> list[str]:
    """The property names a pointer inside a schema goes through (`/properties/a/items/properties/b` -> a, b)."""
    tokens, names, index = pointers.parts(pointer), [], 0
    while index < len(tokens):
        if tokens[index] == "properties" and index + 1 < len(tokens):
            names.append(tokens[index + 1])
            index += 1
        index += 1
    return names


def _inline_object(branch: Any) -> bool:
    return (
        isinstance(branch, dict) and "$ref" not in branch and (branch.get("type") == "object" or "properties" in branch)
    )


def _pointed_into(at: str, refs: set[str]) -> bool:
    return any(ref == at or ref.startswith(at + "/") for ref in refs)
