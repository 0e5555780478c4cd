"""Careless specs: what validates but is almost certainly not what the author meant, found at its line.

A misspelled keyword (`propertes`) leaves a schema that accepts anything; a `required` name no property
declares; a `discriminator` mapping to a schema that does not exist; a `default` of the wrong type; two
operations with one `operationId`. Each is a finding of a rule (spec/rules.py): a warning (an error under
`--strict`), except a mapping to nothing, an error by default: the models could not be tagged.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..errors import Level, Problem
from . import pointers
from .bundle import Bundle
from .rules import finding
from .walk import document_schemas, operations, subschemas
from .webhook_lint import SIGNATURE_EXTENSION, schema_examples, webhook_findings

# JSON Schema 2020-12's keywords, and those OpenAPI 3.1 adds (and 3.0's `nullable`, which hookgen reads).
KEYWORDS = frozenset(
    {
        *("$schema", "$id", "$ref", "$anchor", "$dynamicRef", "$dynamicAnchor", "$defs", "$comment", "$vocabulary"),
        *("definitions", "type", "enum", "const", "multipleOf", "maximum", "exclusiveMaximum", "minimum"),
        *("exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems"),
        *("maxContains", "minContains", "maxProperties", "minProperties", "required", "dependentRequired"),
        *("allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "items"),
        *("contains", "properties", "patternProperties", "additionalProperties", "propertyNames"),
        *("unevaluatedItems", "unevaluatedProperties", "format", "contentEncoding", "contentMediaType"),
        *("contentSchema", "title", "description", "default", "deprecated", "readOnly", "writeOnly", "examples"),
        *("discriminator", "xml", "externalDocs", "example", "nullable"),
    }
)
_COMPOSITIONS = frozenset({"allOf", "anyOf", "oneOf"})
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def careless_findings(
    bundle: Bundle, reached: dict[str, Any], *, strict: bool, default_signature: bool = False
) -> list[Problem]:
    """Every finding of the lint rules in what the webhooks reach, located in its file and line, with its rule.

    `default_signature`: a signature scheme is configured for webhooks that declare none.
    """
    found = [(at, message, "operation-id") for at, message in _operation_ids(reached)]
    signed = default_signature or SIGNATURE_EXTENSION in bundle.document  # the reached part keeps no root keys
    found += webhook_findings(reached, default_signature=signed)
    schemas = list(_schema_objects(reached))
    for pointer, schema in schemas:
        found += _schema_findings(pointer, schema)
        mappings = _missing_mappings(bundle.document, pointer, schema)
        found += [(at, message, "discriminator-mapping") for at, message in mappings]
    found += schema_examples(reached, iter(schemas))
    return [rule_finding(bundle, at, message, rule_id, strict=strict) for at, message, rule_id in found]


def rule_finding(bundle: Bundle, pointer: str, message: str, rule_id: str, *, strict: bool = False) -> Problem:
    """A finding of a rule at a pointer into the bundle, at the rule's default level (an error when strict)."""
    problem = finding(bundle.problem(pointer, message), rule_id)
    return replace(problem, level=Level.ERROR) if strict else problem


def default_fits(schema: dict[str, Any]) -> bool:
    """Whether a schema's `default` has one of its types and is one of its `enum` values (as far as these say)."""
    if "default" not in schema:
        return True
    value = schema["default"]
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else None
    if types is not None and not any(_has_type(value, name) for name in types if isinstance(name, str)):
        return False
    return not (isinstance(schema.get("enum"), list) and value not in schema["enum"])


def _has_type(value: Any, name: str) -> bool:
    if isinstance(value, bool) and name in ("integer", "number"):
        return False
    if name == "integer" and isinstance(value, float):
        return value.is_integer()
    return isinstance(value, _JSON_TYPES.get(name, ()))


def _schema_objects(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object written in the document (each once, `$ref`s not followed), with its pointer."""
    for top, schema in document_schemas(document):
        stack = [(top, schema)]
        while stack:
            pointer, node = stack.pop()
            if isinstance(node, dict):
                yield pointer, node
                stack += subschemas(pointer, node)  # each with its value: no walk from the root per child


def _schema_findings(pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for key in schema:
        if key in KEYWORDS or not isinstance(key, str) or key.startswith("x-"):
            continue
        close = difflib.get_close_matches(key, KEYWORDS, n=1, cutoff=0.75)
        if close:
            message = f"unknown keyword {key!r} (did you mean {close[0]!r}?): it is ignored"
            yield pointers.join(pointer, key), message, "unknown-keyword"
    yield from ((at, message, "undeclared-required") for at, message in _undeclared_required(pointer, schema))
    if not default_fits(schema):
        at = pointers.join(pointer, "default")
        message = f"default {schema['default']!r} does not fit the schema's type or enum: the models leave it out"
        yield at, message, "default-mismatch"


def _undeclared_required(pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    # A branch of a composition may require what a sibling branch declares; so may a schema that composes.
    in_composition = pointers.parts(pointer)[-2:-1] in (["allOf"], ["anyOf"], ["oneOf"])
    declared = schema.get("properties")
    if in_composition or _COMPOSITIONS & set(schema) or "$ref" in schema or not isinstance(declared, dict):
        return
    for index, name in enumerate(schema.get("required") or []):
        if not isinstance(name, str) or name in declared or schema.get("patternProperties"):
            continue
        closed = schema.get("additionalProperties") is False
        why = "no payload can have it (additionalProperties: false)" if closed else "a misspelt property?"
        yield pointers.join(pointer, "required", index), f"required property {name!r} is not declared: {why}"


def _missing_mappings(document: dict[str, Any], pointer: str, schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    discriminator = schema.get("discriminator")
    mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
    if not isinstance(mapping, dict):
        return
    names = (document.get("components") or {}).get("schemas") or {}
    for value, target in mapping.items():
        if isinstance(target, str) and target.startswith("#"):
            try:
                pointers.resolve(document, target[1:])
                continue
            except KeyError:
                pass
        elif isinstance(target, str) and target in names:
            continue
        at = pointers.join(pointer, "discriminator", "mapping", value)
        yield at, f"discriminator mapping {value!r} names a schema that does not exist: {target!r}"


def _operation_ids(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    found = [(key, method, op["operationId"]) for key, method, op in operations(document) if "operationId" in op]
    counts = Counter(str(operation_id) for _, _, operation_id in found)
    for key, method, operation_id in found:
        if counts[str(operation_id)] > 1:
            at = pointers.join("/webhooks", key, method, "operationId")
            times = counts[str(operation_id)]
            yield at, f"operationId {operation_id!r} is used by {times} operations; it must be unique"
