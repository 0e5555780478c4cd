"""Walk JSON Schema (2020-12) objects by their keywords, so property names are never mistaken for keywords."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
