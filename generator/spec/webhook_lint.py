"""The lint rules about webhooks as a whole: body, examples, responses, descriptions, signature schemes.

Each finding names its rule (spec/rules.py) and is placed where the thing is written (a `$ref` is followed to
it), or where it is missing. Examples are validated with JSON Schema 2020-12 against the bundled document
(formats not asserted; a `$ref` outside it cannot be, nothing is fetched).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from . import pointers
from .walk import HTTP_METHODS, ref_target

SIGNATURE_EXTENSION = "x-webhook-signature"
_SUCCESS = re.compile(r"2(\d\d|XX)")
_SPEC_URI = "urn:hookgen:lint"
_JSON = re.compile(r"^application/(.+\+)?json\s*(;.*)?$", re.IGNORECASE)

Finding = tuple[str, str, str]  # (pointer, message, rule id)


def webhook_findings(document: dict[str, Any], *, default_signature: bool = False) -> list[Finding]:
    """Every finding of the webhook rules (`default_signature`: the document or configuration gives a scheme)."""
    found: list[Finding] = []
    operations = list(_operations(document))
    signed = default_signature
    if not signed and not any(SIGNATURE_EXTENSION in operation for _, _, operation in operations):
        message = "no webhook declares a signature scheme (x-webhook-signature): receivers expect Standard Webhooks"
        found.append(("", message, "signature-scheme"))
        signed = True  # said once for the document, not once per webhook
    validator = _ExampleValidator(document)
    for name, at, operation in operations:
        found += _body(document, name, at, operation, validator)
        found += _responses(document, name, at, operation)
        if not (_text(operation.get("description")) or _text(operation.get("summary"))):
            found.append((at, f"webhook {name} has no description or summary", "missing-description"))
        if not signed and SIGNATURE_EXTENSION not in operation:
            message = f"webhook {name} has no x-webhook-signature and the document none: Standard Webhooks is expected"
            found.append((at, message, "signature-scheme"))
    return found


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(`KEY METHOD`, the operation's pointer, the operation) of each webhook, at the place it is written."""
    for key in document.get("webhooks") or {}:
        at, item = _follow(document, pointers.join("/webhooks", key))
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, dict) else None
            if isinstance(operation, dict):
                yield f"{key} {method}", pointers.join(at, method), operation


def _body(
    document: dict[str, Any], name: str, at: str, operation: dict[str, Any], validator: _ExampleValidator
) -> list[Finding]:
    if "requestBody" not in operation:
        return [(at, f"webhook {name} has no request body: there is no payload to model", "request-body")]
    where, body = _follow(document, pointers.join(at, "requestBody"))
    content = body.get("content") if isinstance(body, dict) else None
    media = content.items() if isinstance(content, dict) else []
    with_schema = [(media_type, value) for media_type, value in media if isinstance(value, dict) and "schema" in value]
    found: list[Finding] = []
    if not any(_JSON.match(media_type) for media_type, _ in with_schema):
        found.append((where, f"webhook {name}'s request body has no JSON media type with a schema", "request-body"))
    elif not (isinstance(body, dict) and body.get("required") is True):
        message = f"webhook {name}'s request body is not `required: true`: an empty delivery would be valid"
        found.append((where, message, "request-body"))
    for media_type, value in with_schema:
        found += validator.media_examples(pointers.join(where, "content", media_type), value)
    return found


def _responses(document: dict[str, Any], name: str, at: str, operation: dict[str, Any]) -> list[Finding]:
    responses = operation.get("responses")
    if isinstance(responses, dict) and any(_SUCCESS.fullmatch(str(status)) for status in responses):
        return []
    message = f"webhook {name} declares no 2xx response: what a receiver answers on success is undocumented"
    return [(pointers.join(at, "responses") if "responses" in operation else at, message, "success-response")]


class _ExampleValidator:
    """Validates examples against schemas of the document (its `$ref`s resolved inside it)."""

    def __init__(self, document: dict[str, Any]) -> None:
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self.document = document

    def media_examples(self, pointer: str, media: dict[str, Any]) -> list[Finding]:
        """A finding for each example of a media type (`example`, `examples.*.value`) its schema refuses."""
        schema_at = pointers.join(pointer, "schema")
        found = []
        if media.get("example") is not None:  # as a schema's: `example: null` is read as no example
            found += self.check(schema_at, media["example"], pointers.join(pointer, "example"))
        examples = media.get("examples")
        for key in examples if isinstance(examples, dict) else {}:
            where, example = _follow(self.document, pointers.join(pointer, "examples", key))
            if isinstance(example, dict) and "value" in example:
                found += self.check(schema_at, example["value"], pointers.join(where, "value"))
        return found

    def check(self, schema_at: str, value: Any, at: str) -> list[Finding]:
        """The first reason the schema at `schema_at` refuses `value`, as a finding at `at` (none if it fits)."""
        validator = jsonschema.Draft202012Validator(
            {"$ref": _SPEC_URI + pointers.fragment(schema_at)}, registry=self.registry
        )
        try:
            error = next(iter(validator.iter_errors(value)), None)
        except (Unresolvable, RecursionError, Exception):  # noqa: BLE001 - a bad pattern raises re.error, and so on
            return []  # a schema that cannot be used is reported by validation, not here
        return [] if error is None else [(at, f"example does not fit its schema: {_reason(error)}", "invalid-example")]


def schema_examples(document: dict[str, Any], schemas: Iterator[tuple[str, dict[str, Any]]]) -> list[Finding]:
    """A finding for each item of a schema's `examples` the schema itself refuses."""
    validator = _ExampleValidator(document)
    found = []
    for pointer, schema in schemas:
        examples = schema.get("examples")
        for index, example in enumerate(examples if isinstance(examples, list) else []):
            found += validator.check(pointer, example, pointers.join(pointer, "examples", index))
        if schema.get("example") is not None:  # deprecated in 3.1, still common; `null` there often means none
            found += validator.check(pointer, schema["example"], pointers.join(pointer, "example"))
    return found


def _reason(error: ValidationError) -> str:
    where = pointers.join("", *error.absolute_path) or "/"
    message = str(error.message)
    return f"{where}: {message if len(message) <= 160 else message[:157] + '...'}"


def _follow(document: dict[str, Any], pointer: str) -> tuple[str, Any]:
    """The pointer and value at `pointer`, local `$ref`s followed to where the value is written."""
    node = pointers.resolve(document, pointer)
    seen = {pointer}
    while (target := ref_target(node)) is not None and target not in seen:
        try:
            node = pointers.resolve(document, target)
        except KeyError:
            break
        pointer = target
        seen.add(target)
    return pointer, node


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
