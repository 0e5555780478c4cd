"""What the tests compare between a generated package and its spec: declarations and schema shapes.

Every function returns a list of differences, empty when the two agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.commands.fidelity.mutations import shape as _shape
from generator.spec.walk import deref, inline_refs, operations, reachable_schemas

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
        if _media_types(source, operation) != _media_types(generated, produced):
            differences.append(
                f"{at}: media types {_media_types(generated, produced)} != {_media_types(source, operation)}"
            )
        if set(operation.get("responses") or {}) != set(produced.get("responses") or {}):
            differences.append(f"{at}: statuses {sorted(produced['responses'])} != {sorted(operation['responses'])}")
    return sorted(differences)


def _media_types(document: dict[str, Any], operation: dict[str, Any]) -> list[str]:
    """The media types of an operation's request body that carry a schema, in order."""
    content = (deref(document, operation.get("requestBody")) or {}).get("content") or {}
    return [media_type for media_type, media in content.items() if isinstance(media, dict) and "schema" in media]


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


# What the round trip of schemas compares: the spec's words, formats, enums and constraints. Types, `required`,
# `$ref` target names, defaults, discriminators and vendor extensions are not annotations compared here.
ANNOTATIONS = ("description", "title", "examples", "example", "format", "enum", "const")
CONSTRAINTS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)


def annotation_differences(source_doc: dict[str, Any], source: str, app_doc: dict[str, Any], app: str) -> list[str]:
    """Every annotation or constraint of the schemas reached from `source` that the app's schemas lack.

    Both sides are read as sets of (keyword, value) over every schema object reachable from the body schema,
    `$ref`s followed: where a value stands, and under which component name, is not compared. Numbers compare as
    JSON Schema compares them (`0` is `0.0`), and a schema's `example: X` is kept as `examples: [X]` (OpenAPI 3.1's
    keyword, which the models write): a produced `examples` list counts each of its items as an `example`; a
    produced `const` counts as a one-value `enum`.
    """
    produced = {pair for _, pair in _annotations(app_doc, app)}
    produced |= {
        ("example", _canonical("example", item))
        for _, schema in reachable_schemas(app_doc, app)
        if isinstance(schema.get("examples"), list)
        for item in schema["examples"]
    }
    # A one-value `enum` is a `Literal` in a model, which Pydantic writes as `const`.
    produced |= {("enum", _canonical("enum", [json.loads(value)])) for keyword, value in produced if keyword == "const"}
    missing = {f"{at}: {pair[0]} {pair[1]}" for at, pair in _annotations(source_doc, source) if pair not in produced}
    return sorted(missing)


def _annotations(document: dict[str, Any], pointer: str) -> Iterator[tuple[str, tuple[str, str]]]:
    for at, schema in reachable_schemas(document, pointer):
        for keyword in (*ANNOTATIONS, *CONSTRAINTS):
            if keyword in schema:
                yield at, (keyword, _canonical(keyword, schema[keyword]))


def _canonical(keyword: str, value: Any) -> str:
    if keyword == "enum" and isinstance(value, list):
        # A nullable enum is an enum and a null branch in a model: null is compared by behaviour, not here.
        value = sorted((v for v in value if v is not None), key=lambda v: json.dumps(v, sort_keys=True))
    return json.dumps(_numbers(value), sort_keys=True)


def _numbers(value: Any) -> Any:
    """A JSON value with every integral float written as an integer (JSON Schema's `1.0` is `1`)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _numbers(item) for key, item in value.items()}
    return value
