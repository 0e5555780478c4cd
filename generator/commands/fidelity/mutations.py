"""Payload mutations for `hookgen fidelity`, and the merged shape of a schema they are made from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...spec.walk import deref


def shape(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    """A schema's shape, `$ref`s followed and branches merged: properties, required names, enum, items, closed."""
    merged: dict[str, Any] = {
        "properties": {},
        "required": set(),
        "enum": None,
        "items": None,
        "closed": False,
        "origin": schema,
    }
    _merge(document, schema, merged, set())
    return merged


def _merge(document: dict[str, Any], schema: Any, into: dict[str, Any], seen: set[int]) -> None:
    schema = deref(document, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    for name, value in (schema.get("properties") or {}).items():
        # A property declared by several branches must satisfy all of them.
        existing = into["properties"].get(name)
        into["properties"][name] = value if existing is None or existing is value else {"allOf": [existing, value]}
    into["required"] |= set(schema.get("required") or [])
    into["closed"] |= schema.get("additionalProperties") is False and not schema.get("patternProperties")
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None:
        # Null is compared by behaviour (mutations), not here: a model writes `X | None` as an enum with None.
        into["enum"] = sorted({repr(v) for v in values if v is not None} | set(into["enum"] or []))
    if isinstance(schema.get("items"), dict):
        existing = into["items"]
        into["items"] = schema["items"] if existing is None else {"allOf": [existing, schema["items"]]}
    for branch in schema.get("allOf") or []:
        _merge(document, branch, into, seen)
    for keyword in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(keyword) or [] if deref(document, b) != {"type": "null"}]
        for branch in branches:
            branch_shape = shape(document, branch)
            into["properties"].update(branch_shape["properties"])
            if branch_shape["enum"] is not None:
                into["enum"] = sorted(set(branch_shape["enum"]) | set(into["enum"] or []))
            into["items"] = into["items"] or branch_shape["items"]
        # An object matches some branch that admits objects: the names all of those require are required.
        admitting = [shape(document, b)["required"] for b in branches if _admits_objects(document, b)]
        if admitting:
            into["required"] |= set.intersection(*admitting)


def _admits_objects(document: dict[str, Any], schema: Any) -> bool:
    """Whether a schema's own `type` lets an object through (`required` constrains objects only)."""
    schema = deref(document, schema)
    if not isinstance(schema, dict) or "type" not in schema:
        return schema is not False
    types = schema["type"]
    return "object" in types if isinstance(types, list) else types == "object"


def mutations(document: dict[str, Any], schema: Any, payload: Any, *, depth: int = 3) -> Iterator[tuple[str, Any]]:
    """Simple changes to a payload, at the top and `depth` levels down.

    Each required property dropped, a wrong type (also the ones Pydantic's lax mode would take: a number
    as a numeric string, a number as a boolean, a boolean as an integer), a value outside an enum, null,
    and an extra key where `additionalProperties` is false. Each change comes with the JSON pointer it was made at.
    """
    yield from _mutate(document, schema, payload, "", depth)


def _mutate(document: dict[str, Any], schema: Any, value: Any, at: str, depth: int) -> Iterator[tuple[str, Any]]:
    merged = shape(document, schema)
    if isinstance(value, list) and value and depth > 0 and merged["items"] is not None:
        for what, item in _mutate(document, merged["items"], value[0], f"{at}/0", depth - 1):
            yield what, [item, *value[1:]]
        return
    if not isinstance(value, dict):
        return
    for name in sorted(merged["required"]):
        if name in value:
            yield f"{at}/{name} dropped (required)", {k: v for k, v in value.items() if k != name}
    for name, child in value.items():
        here = f"{at}/{name}"
        for what, changed in _replacements(document, merged["properties"].get(name, {}), child, here):
            yield what, {**value, name: changed}
        if depth > 0:
            for what, changed in _mutate(document, merged["properties"].get(name, {}), child, here, depth - 1):
                yield what, {**value, name: changed}
    if merged["closed"]:
        yield f"{at}/hookgen_extra added (additionalProperties: false)", {**value, "hookgen_extra": 1}


def _replacements(document: dict[str, Any], schema: Any, value: Any, at: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, str):
        yield f"{at} as an integer", 12345
    elif isinstance(value, bool | int | float):
        yield f"{at} as a string", "not-a-number"
        yield from _lax_scalars(value, at)
    elif isinstance(value, dict | list):
        yield f"{at} as a string", "x"
    if value is not None:
        yield f"{at} as null", None
    if shape(document, schema)["enum"] is not None:
        yield f"{at} outside its enum", "hookgen-not-in-enum"


def _lax_scalars(value: bool | float, at: str) -> Iterator[tuple[str, Any]]:
    """The wrong types Pydantic's lax mode would read as this scalar's type: "5" or true for 5, 1 for true."""
    if isinstance(value, bool):
        yield f"{at} as an integer", int(value)
        yield f"{at} as a string", str(value).lower()
        return
    yield f"{at} as a numeric string", str(value)
    yield f"{at} as a boolean", True
