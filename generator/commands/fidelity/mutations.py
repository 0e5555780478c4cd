"""Payload mutations for `hookgen fidelity`, and the merged shape of a schema they are made from."""

from __future__ import annotations

import re
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
    as a numeric string, a number as a boolean, a boolean as an integer; a date-time without seconds, without an
    offset, with a space, as an epoch number; a date-time for a date; a time without seconds or offset), a value
    outside an enum, null, an extra key where `additionalProperties` is false, and a tagged `oneOf`'s tag set to
    another branch's. Each change comes with the JSON pointer it was made at; `cause` names its kind.
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
        yield from _loose_dates(value, at)
    elif isinstance(value, bool | int | float):
        yield f"{at} as a string", "not-a-number"
        yield from _lax_scalars(value, at)
    elif isinstance(value, dict | list):
        yield f"{at} as a string", "x"
    if value is not None:
        yield f"{at} as null", None
    if shape(document, schema)["enum"] is not None:
        yield f"{at} outside its enum", "hookgen-not-in-enum"
    if isinstance(value, dict):
        yield from _other_tags(document, schema, value, at)
        yield from _other_branches(document, schema, value, at)


# What RFC 3339 refuses and Pydantic alone reads: made of a string that is a date-time, a date or a time.
_DATE_TIME = re.compile(r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}):(\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_TIME = re.compile(r"(\d{2}:\d{2}):(\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:\d{2})", re.ASCII)
EPOCH = 1_700_000_000


def _loose_dates(value: str, at: str) -> Iterator[tuple[str, Any]]:
    """A date-time without seconds, without an offset, with a space for `T`, as an epoch number; a date as a date-time;
    a time without seconds or offset."""
    if match := _DATE_TIME.fullmatch(value):
        day, minutes, seconds, offset = match.groups()
        yield f"{at} as a date-time without seconds", f"{day}T{minutes}{offset}"
        yield f"{at} as a date-time without an offset", f"{day}T{minutes}:{seconds}"
        yield f"{at} as a date-time with a space", f"{day} {minutes}:{seconds}{offset}"
        yield f"{at} as an epoch number", EPOCH
    elif _DATE.fullmatch(value):
        yield f"{at} as a date-time for a date", f"{value}T00:00:00Z"
        yield f"{at} as an epoch number", EPOCH
    elif match := _TIME.fullmatch(value):
        minutes, seconds, offset = match.groups()
        yield f"{at} as a time without seconds", f"{minutes}{offset}"
        yield f"{at} as a time without an offset", f"{minutes}:{seconds}"


def _other_tags(document: dict[str, Any], schema: Any, value: dict[str, Any], at: str) -> Iterator[tuple[str, Any]]:
    """The tag of a tagged `oneOf` set to each value another branch pins: a payload two branches may accept."""
    schema = deref(document, schema)
    discriminator = schema.get("discriminator") if isinstance(schema, dict) else None
    name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    if name not in value:
        return
    pinned = set()
    for branch in schema.get("oneOf") or []:
        tag = shape(document, branch)["properties"].get(name)
        tag = deref(document, tag) if tag is not None else None
        if isinstance(tag, dict):
            pinned |= {v for v in tag.get("enum", [tag["const"]] if "const" in tag else []) if isinstance(v, str)}
    for other in sorted(pinned - {value[name]}):
        yield f"{at}/{name} as another branch's tag ({other!r}, oneOf)", {**value, name: other}


def _lax_scalars(value: bool | float, at: str) -> Iterator[tuple[str, Any]]:
    """The wrong types Pydantic's lax mode would read as this scalar's type: "5" or true for 5, 1 for true."""
    if isinstance(value, bool):
        yield f"{at} as an integer for a boolean", int(value)
        yield f"{at} as a string for a boolean", str(value).lower()
        return
    yield f"{at} as a numeric string", str(value)
    yield f"{at} as a boolean", True


_SIMPLE_VALUES: dict[str, Any] = {"string": "x", "integer": 1, "number": 1.5, "boolean": True}


def _other_branches(document: dict[str, Any], schema: Any, value: dict[str, Any], at: str) -> Iterator[tuple[str, Any]]:
    """A `oneOf` payload given what each other branch requires and it lacks: a payload two branches may accept."""
    schema = deref(document, schema)
    for index, branch in enumerate(schema.get("oneOf") or [] if isinstance(schema, dict) else []):
        branch_shape = shape(document, branch)
        added = {}
        for name in sorted(branch_shape["required"] - set(value)):
            filler = _simple_value(deref(document, branch_shape["properties"].get(name)))
            if filler is None:
                break
            added[name] = filler
        else:
            if added:
                yield f"{at} with branch {index}'s required properties (oneOf)", {**value, **added}


def _simple_value(schema: Any) -> Any:
    """A value a simple property schema allows: its const or first enum value, or one of its type; else None."""
    if not isinstance(schema, dict):
        return None
    if "const" in schema:
        return schema["const"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    return _SIMPLE_VALUES.get(kind) if isinstance(kind, str) else None


# The kinds of change a mutation makes, by the end of its description (`cause`); the table counts disagreements by them.
CAUSES = (
    ("as a numeric string", "numeric string"),
    ("as a boolean", "boolean for a number"),
    ("as an integer for a boolean", "integer for a boolean"),
    ("as a string for a boolean", "string for a boolean"),
    ("dropped (required)", "required dropped"),
    ("as a date-time without seconds", "date-time without seconds"),
    ("as a date-time without an offset", "date-time without offset"),
    ("as a date-time with a space", "date-time with a space"),
    ("as an epoch number", "epoch number"),
    ("as a date-time for a date", "date-time for a date"),
    ("as a time without seconds", "time without seconds"),
    ("as a time without an offset", "time without offset"),
    ("oneOf)", "two oneOf branches"),
    ("outside its enum", "outside enum"),
    ("as null", "null"),
    ("(additionalProperties: false)", "extra property"),
)


def cause(what: str) -> str:
    """The kind of a mutation, from its description: a lax-scalar, date, oneOf, or plain wrong-type change."""
    for ending, kind in CAUSES:
        if what.endswith(ending):
            return kind
    if what.endswith("as an integer") or what.endswith("as a string"):
        return "wrong type"
    return "other"
