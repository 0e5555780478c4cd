"""The judge of `hookgen fidelity`: the source schema's own validator, and the spec's own examples."""

from __future__ import annotations

from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ...ir import Spec, Webhook
from ...spec.walk import deref

SPEC_URI = "urn:hookgen:spec"


def source_validator(
    document: dict[str, Any], pointer: str, *, format_checker: jsonschema.FormatChecker | None = None
) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema at `pointer` in the bundled spec (formats not asserted)."""
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, Resource.from_contents(document, DRAFT202012))
    return jsonschema.Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"}, registry=registry, format_checker=format_checker
    )


def body_examples(document: dict[str, Any], webhook: Webhook) -> list[Any]:
    """The examples the spec gives for a webhook's body: media type `example`/`examples`, then the schema's
    `examples` and its `example` (deprecated in 3.1, but what specs converted from 3.0 carry)."""
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
    found += [schema["example"]] if "example" in schema else []
    return found


def webhooks_with_bodies(spec: Spec) -> list[Webhook]:
    """The webhooks whose payload has a model."""
    return [webhook for webhook in spec.webhooks if webhook.body is not None]
