"""Where datamodel-code-generator's models cannot follow a schema exactly: found, so they are never silent.

Each finding is a warning at the schema's JSON pointer, naming the webhooks whose payloads reach it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from .models import BodyKey, deref
from .problems import Level, Problem, pointer_join
from .resolve import Bundle, resolve_pointer
from .schemas import SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_VALUES

_TYPED_BY = ("type", "$ref", "allOf", "anyOf", "oneOf", "const", "enum")


def find_deviations(bundle: Bundle, body_pointers: dict[BodyKey, str]) -> list[Problem]:
    """One warning per schema the models read differently, naming every webhook that reaches it."""
    reached_by: dict[tuple[str, str], set[str]] = {}
    for (key, _, _), pointer in body_pointers.items():
        for at, message in _walk(bundle.document, pointer, set(), in_all_of=False):
            reached_by.setdefault((at, message), set()).add(key)
    return [
        replace(
            bundle.problem(at, f"{message} (webhooks: {', '.join(sorted(keys))})", Level.WARNING),
            webhooks=tuple(sorted(keys)),
        )
        for (at, message), keys in sorted(reached_by.items())
    ]


def documented_webhooks(warnings: list[Problem]) -> set[str]:
    """The webhooks a deviation warning names: where models are known to read payloads differently."""
    return {key for problem in warnings for key in problem.webhooks}


def _walk(document: dict[str, Any], pointer: str, seen: set[str], *, in_all_of: bool) -> Iterator[tuple[str, str]]:
    if pointer in seen:
        return
    seen.add(pointer)
    schema = resolve_pointer(document, pointer)
    if not isinstance(schema, dict):
        return
    yield from _check(document, pointer, schema, in_all_of=in_all_of)
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        yield from _walk(document, ref[1:], seen, in_all_of=False)
    for at in _subschema_pointers(pointer, schema):
        yield from _walk(document, at, seen, in_all_of="/allOf/" in at[len(pointer) :])


def _subschema_pointers(pointer: str, schema: dict[str, Any]) -> Iterator[str]:
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            yield from (pointer_join(pointer, key, name) for name in schema[key])
    for key in SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            yield pointer_join(pointer, key)
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            yield from (pointer_join(pointer, key, index) for index in range(len(schema[key])))


def _check(
    document: dict[str, Any], pointer: str, schema: dict[str, Any], *, in_all_of: bool
) -> Iterator[tuple[str, str]]:
    # An allOf branch is typed by its siblings and parent, so only free-standing schemas are flagged.
    if not in_all_of and "properties" in schema and not any(key in schema for key in _TYPED_BY):
        yield pointer, "`properties` without `type`: the schema also accepts non-objects, the model only objects"
    if schema.get("nullable") is True:
        yield (
            pointer,
            "OpenAPI 3.0 `nullable: true` in a 3.1 document, where it means nothing: "
            "the model follows the author and accepts null",
        )
    yield from _overridden_properties(document, pointer, schema)


def _overridden_properties(document: dict[str, Any], pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # datamodel-code-generator keeps an inherited property's schema when a later allOf branch refines it.
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return
    inherited: set[str] = set()
    for index, branch in enumerate(branches):
        resolved = deref(document, branch)
        properties = resolved.get("properties") if isinstance(resolved, dict) else None
        if not isinstance(properties, dict):
            continue
        if not (isinstance(branch, dict) and "$ref" in branch):
            for name in sorted(set(properties) & inherited):
                at = pointer_join(pointer, "allOf", index, "properties", name)
                yield at, f"property {name!r} refines an inherited one; the model may keep the inherited schema"
        inherited |= set(properties)
