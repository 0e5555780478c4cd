"""Walk JSON Schema (2020-12) objects by their keywords, so property names are never mistaken for keywords."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .problems import pointer_join, pointer_parts
from .resolve import resolve_pointer

COMPONENT = "#/components/schemas/"

SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SCHEMA_VALUES = (
    "items",
    "additionalProperties",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
)
SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")

Transform = Callable[[dict[str, Any]], dict[str, Any]]


def map_schema(schema: Any, transform: Transform) -> Any:
    """A new schema with `transform` applied to every schema object, innermost first."""
    if not isinstance(schema, dict):
        return schema
    result = dict(schema)
    for key in SCHEMA_MAPS:
        if isinstance(result.get(key), dict):
            result[key] = {name: map_schema(value, transform) for name, value in result[key].items()}
    for key in SCHEMA_VALUES:
        if key in result:
            result[key] = map_schema(result[key], transform)
    for key in SCHEMA_LISTS:
        if isinstance(result.get(key), list):
            result[key] = [map_schema(value, transform) for value in result[key]]
    return transform(result)


def without_extensions(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema object without vendor extensions (`x-...`), which carry no validation meaning."""
    return {key: value for key, value in schema.items() if not key.startswith("x-")}


def with_null_for_nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.0's `nullable: true` as its author meant it: `null` is one more accepted value."""
    if "nullable" not in schema:
        return schema
    result = {key: value for key, value in schema.items() if key != "nullable"}
    if schema["nullable"] is not True:
        return result
    if isinstance(result.get("enum"), list) and None not in result["enum"]:
        result["enum"] = [*result["enum"], None]
    declared = result.get("type")
    if isinstance(declared, str):
        return {**result, "type": [declared, "null"]}
    if isinstance(declared, list):
        return {**result, "type": declared if "null" in declared else [*declared, "null"]}
    annotations: dict[str, Any] = {key: result.pop(key) for key in ("title", "description") if key in result}
    return {**annotations, "anyOf": [result, {"type": "null"}]}


def subschema_pointers(pointer: str, schema: dict[str, Any]) -> Iterator[str]:
    """The JSON pointers of a schema object's direct subschemas (not what its `$ref` points to)."""
    for key in SCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            yield from (pointer_join(pointer, key, name) for name in schema[key])
    for key in SCHEMA_VALUES:
        if isinstance(schema.get(key), dict):
            yield pointer_join(pointer, key)
    for key in SCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            yield from (pointer_join(pointer, key, index) for index in range(len(schema[key])))


def reachable_schemas(document: dict[str, Any], pointer: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object reachable from `pointer` (local `$ref`s followed), once each, with its pointer."""
    seen: set[str] = set()
    pending = [pointer]
    while pending:
        at = pending.pop()
        if at in seen:
            continue
        seen.add(at)
        schema = resolve_pointer(document, at)
        if not isinstance(schema, dict):
            continue
        yield at, schema
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            pending.append(ref[1:])
        pending += reversed(list(subschema_pointers(at, schema)))


def inline_refs(document: dict[str, Any], schema: Any, *, depth: int = 2, _stack: tuple[str, ...] = ()) -> Any:
    """A self-contained copy of a schema with every local `$ref` inlined.

    Recursion is unrolled `depth` times, then cut with `false`: what remains accepts a subset of
    what the source accepts, which is what a generator of valid payloads needs.
    """
    if isinstance(schema, list):
        return [inline_refs(document, item, depth=depth, _stack=_stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#"):
        if _stack.count(ref) >= depth:
            return False
        target = inline_refs(document, resolve_pointer(document, ref[1:]), depth=depth, _stack=(*_stack, ref))
        siblings = {k: inline_refs(document, v, depth=depth, _stack=_stack) for k, v in schema.items() if k != "$ref"}
        if not siblings:
            return target
        return {"allOf": [target], **siblings}
    return {key: inline_refs(document, value, depth=depth, _stack=_stack) for key, value in schema.items()}


def component_ref_name(ref: object) -> str | None:
    """The component a `#/components/schemas/NAME` reference names (unescaped), else None."""
    if not (isinstance(ref, str) and ref.startswith(COMPONENT)):
        return None
    parts = pointer_parts(ref[len(COMPONENT) - 1 :])
    return parts[0] if len(parts) == 1 else None
