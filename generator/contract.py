"""Compare what was generated with the spec it came from: declarations, schema shapes and behaviour.

Used by the tests (and, later, by `hookgen check`). Every function returns a list of differences,
empty when the two agree.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .ir import Spec, Webhook
from .models import deref, operations
from .schemas import inline_refs

SPEC_URI = "urn:hookgen:spec"
_COMPARED_FIELDS = ("operationId", "summary", "description", "tags", "deprecated")


def declaration_differences(source: dict[str, Any], generated: dict[str, Any]) -> list[str]:
    """How the generated app's `webhooks` differ from the source's: keys, methods, metadata, headers, statuses."""
    source_ops = {(key, method): operation for key, method, operation in operations(source)}
    generated_ops = {(key, method): operation for key, method, operation in operations(generated)}
    differences = [f"{key} {method}: missing" for key, method in source_ops.keys() - generated_ops.keys()]
    differences += [f"{key} {method}: not in the spec" for key, method in generated_ops.keys() - source_ops.keys()]
    for (key, method), operation in source_ops.items():
        produced = generated_ops.get((key, method))
        if produced is None:
            continue
        at = f"{key} {method}"
        for name in _COMPARED_FIELDS:
            expected, actual = _field(operation, name), _field(produced, name)
            if expected != actual:
                differences.append(f"{at}: {name} is {actual!r}, the spec says {expected!r}")
        if _headers(source, operation) != _headers(generated, produced):
            differences.append(f"{at}: headers {_headers(generated, produced)} != {_headers(source, operation)}")
        if set(operation.get("responses") or {}) != set(produced.get("responses") or {}):
            differences.append(f"{at}: statuses {sorted(produced['responses'])} != {sorted(operation['responses'])}")
    return sorted(differences)


def _field(operation: dict[str, Any], name: str) -> Any:
    defaults: dict[str, Any] = {"tags": [], "deprecated": False, "description": None}
    value = operation.get(name, defaults.get(name))
    return value or defaults.get(name) if name == "description" else value


def _headers(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """Header parameters by lower-case name: required, deprecated, description and schema, `$ref`s inlined."""
    headers = {}
    for declared in operation.get("parameters") or []:
        parameter = inline_refs(document, deref(document, declared))
        if parameter.get("in") == "header":
            headers[parameter["name"].lower()] = (
                bool(parameter.get("required")),
                bool(parameter.get("deprecated")),
                parameter.get("description"),
                parameter.get("schema"),
            )
    return headers


@dataclass
class _Walk:
    source_doc: dict[str, Any]
    model_doc: dict[str, Any]
    seen: set[tuple[int, int]] = field(default_factory=set)
    differences: list[str] = field(default_factory=list)


def shape_differences(
    source_doc: dict[str, Any], source: Any, model_doc: dict[str, Any], model: Any, at: str = ""
) -> list[str]:
    """Structural differences between a source schema and a model's JSON schema.

    Compared after resolving refs and merging `allOf`/`anyOf`/`oneOf` branches: property names,
    required names, enum values, and the same recursively. Titles, descriptions and the like
    (what Pydantic adds) are ignored.
    """
    walk = _Walk(source_doc, model_doc)
    _compare(walk, source, model, at or "/")
    return walk.differences


def _compare(walk: _Walk, source: Any, model: Any, at: str) -> None:
    left, right = _shape(walk.source_doc, source), _shape(walk.model_doc, model)
    marker = (id(left["origin"]), id(right["origin"]))
    if marker in walk.seen:
        return
    walk.seen.add(marker)
    if set(left["properties"]) != set(right["properties"]):
        walk.differences.append(f"{at}: properties {sorted(right['properties'])} != {sorted(left['properties'])}")
    if left["required"] != right["required"]:
        walk.differences.append(f"{at}: required {sorted(right['required'])} != {sorted(left['required'])}")
    if left["enum"] is not None and left["enum"] != right["enum"]:
        walk.differences.append(f"{at}: enum {right['enum']} != {left['enum']}")
    for name in set(left["properties"]) & set(right["properties"]):
        _compare(walk, left["properties"][name], right["properties"][name], f"{at.rstrip('/')}/{name}")
    if left["items"] is not None and right["items"] is not None:
        _compare(walk, left["items"], right["items"], f"{at.rstrip('/')}/[]")


def _shape(document: dict[str, Any], schema: Any) -> dict[str, Any]:
    shape: dict[str, Any] = {
        "properties": {},
        "required": set(),
        "enum": None,
        "items": None,
        "closed": False,
        "origin": schema,
    }
    _merge(document, schema, shape, set())
    return shape


def _merge(document: dict[str, Any], schema: Any, shape: dict[str, Any], seen: set[int]) -> None:
    schema = deref(document, schema)
    if not isinstance(schema, dict) or id(schema) in seen:
        return
    seen.add(id(schema))
    for name, value in (schema.get("properties") or {}).items():
        # A property declared by several branches must satisfy all of them.
        existing = shape["properties"].get(name)
        shape["properties"][name] = value if existing is None or existing is value else {"allOf": [existing, value]}
    shape["required"] |= set(schema.get("required") or [])
    shape["closed"] |= schema.get("additionalProperties") is False and not schema.get("patternProperties")
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None:
        # Null is compared by behaviour (mutations), not here: a model writes `X | None` as an enum with None.
        shape["enum"] = sorted({repr(v) for v in values if v is not None} | set(shape["enum"] or []))
    if isinstance(schema.get("items"), dict):
        existing = shape["items"]
        shape["items"] = schema["items"] if existing is None else {"allOf": [existing, schema["items"]]}
    for branch in schema.get("allOf") or []:
        _merge(document, branch, shape, seen)
    for keyword in ("anyOf", "oneOf"):
        branches = [b for b in schema.get(keyword) or [] if deref(document, b) != {"type": "null"}]
        for branch in branches:
            branch_shape = _shape(document, branch)
            shape["properties"].update(branch_shape["properties"])
            if branch_shape["enum"] is not None:
                shape["enum"] = sorted(set(branch_shape["enum"]) | set(shape["enum"] or []))
            shape["items"] = shape["items"] or branch_shape["items"]
        if len(branches) == 1:
            shape["required"] |= _shape(document, branches[0])["required"]


def source_validator(
    document: dict[str, Any], pointer: str, *, format_checker: jsonschema.FormatChecker | None = None
) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema at `pointer` in the bundled spec (formats not asserted)."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, Resource.from_contents(document, DRAFT202012))
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry, format_checker=format_checker
    )


def body_examples(document: dict[str, Any], webhook: Webhook) -> list[Any]:
    """The examples the spec gives for a webhook's body (media type `example`/`examples`, schema `examples`)."""
    body = webhook.body
    if body is None:
        return []
    operation = deref(document, document["webhooks"][webhook.key])[webhook.method]
    request = deref(document, operation.get("requestBody")) or {}
    media = (request.get("content") or {}).get(body.media_type) or {}
    found = [media["example"]] if "example" in media else []
    named = [deref(document, e) for e in (media.get("examples") or {}).values()]
    found += [e["value"] for e in named if isinstance(e, dict) and "value" in e]
    schema = deref(document, media.get("schema")) or {}
    found += [e for e in schema.get("examples") or []] if isinstance(schema.get("examples"), list) else []
    return found


def webhooks_with_bodies(spec: Spec) -> list[Webhook]:
    """The webhooks whose payload has a model."""
    return [webhook for webhook in spec.webhooks if webhook.body is not None]


def mutations(document: dict[str, Any], schema: Any, payload: Any, *, depth: int = 3) -> Iterator[tuple[str, Any]]:
    """Simple changes to a payload, at the top and `depth` levels down.

    Each required property dropped, a wrong type, a value outside an enum, null, and an extra key
    where `additionalProperties` is false. Each change comes with the JSON pointer it was made at.
    """
    yield from _mutate(document, schema, payload, "", depth)


def _mutate(document: dict[str, Any], schema: Any, value: Any, at: str, depth: int) -> Iterator[tuple[str, Any]]:
    shape = _shape(document, schema)
    if isinstance(value, list) and value and depth > 0 and shape["items"] is not None:
        for what, item in _mutate(document, shape["items"], value[0], f"{at}/0", depth - 1):
            yield what, [item, *value[1:]]
        return
    if not isinstance(value, dict):
        return
    for name in sorted(shape["required"]):
        if name in value:
            yield f"{at}/{name} dropped (required)", {k: v for k, v in value.items() if k != name}
    for name, child in value.items():
        here = f"{at}/{name}"
        for what, changed in _replacements(document, shape["properties"].get(name, {}), child, here):
            yield what, {**value, name: changed}
        if depth > 0:
            for what, changed in _mutate(document, shape["properties"].get(name, {}), child, here, depth - 1):
                yield what, {**value, name: changed}
    if shape["closed"]:
        yield f"{at}/hookgen_extra added (additionalProperties: false)", {**value, "hookgen_extra": 1}


def _replacements(document: dict[str, Any], schema: Any, value: Any, at: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, str):
        yield f"{at} as an integer", 12345
    elif isinstance(value, bool | int | float):
        yield f"{at} as a string", "not-a-number"
    elif isinstance(value, dict | list):
        yield f"{at} as a string", "x"
    if value is not None:
        yield f"{at} as null", None
    if _shape(document, schema)["enum"] is not None:
        yield f"{at} outside its enum", "hookgen-not-in-enum"
