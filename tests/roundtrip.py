"""The round trip every generated package must pass: declarations, shapes, and behaviour on payloads."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pydantic
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException
from hypothesis_jsonschema import from_schema

from generator.contract import (
    body_examples,
    declaration_differences,
    inline_refs,
    mutations,
    shape_differences,
    source_validator,
    webhooks_with_bodies,
)
from generator.ir import Webhook
from generator.resolve import resolve_pointer

from .conftest import Imported

# Beyond this, one draw can take minutes (Polar's schemas, unrolled); such webhooks are checked on examples only.
MAX_INLINED_SCHEMA_CHARS = 200_000


def accepts(model: Any, payload: Any) -> bool:
    try:
        model.model_validate(payload)
    except pydantic.ValidationError:
        return False
    return True


def check_declarations(imported: Imported) -> None:
    differences = declaration_differences(imported.document, imported.webhooks.app.openapi())
    assert differences == []


def check_shapes(imported: Imported) -> list[str]:
    openapi = imported.webhooks.app.openapi()
    differences = []
    for webhook in webhooks_with_bodies(imported.generated.spec):
        body = webhook.body
        assert body is not None
        source = resolve_pointer(imported.document, body.schema_pointer)
        content = openapi["webhooks"][webhook.key][webhook.method]["requestBody"]["content"]
        produced = content[body.media_type]["schema"]
        differences += [f"{webhook.key}: {d}" for d in shape_differences(imported.document, source, openapi, produced)]
    return differences


def disagreements_on(imported: Imported, webhook: Webhook, payloads: list[Any]) -> list[str]:
    """Payloads (and their mutations) on which the model and the source schema disagree."""
    assert webhook.body is not None
    validator = source_validator(imported.document, webhook.body.schema_pointer)
    source = resolve_pointer(imported.document, webhook.body.schema_pointer)
    model = imported.model(webhook)
    found = []
    for payload in payloads:
        if not validator.is_valid(payload):
            continue
        if not accepts(model, payload):
            found.append(f"{webhook.key}: refused a valid payload {payload!r}"[:400])
            continue
        for what, mutated in mutations(imported.document, source, payload):
            if not validator.is_valid(mutated) and accepts(model, mutated):
                found.append(f"{webhook.key}: accepted an invalid payload ({what})"[:400])
    return found


def generated_payloads(imported: Imported, webhook: Webhook, count: int) -> list[Any]:
    """Up to `count` payloads from the source schema (hypothesis-jsonschema), without shrinking."""
    assert webhook.body is not None
    schema = inline_refs(imported.document, resolve_pointer(imported.document, webhook.body.schema_pointer))
    payloads: list[Any] = []
    if len(json.dumps(schema)) > MAX_INLINED_SCHEMA_CHARS:
        return payloads  # hypothesis-jsonschema cannot be interrupted while it canonicalises a schema this big

    def collect() -> None:
        @settings(
            max_examples=count,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(from_schema(schema) if schema is not False else st.nothing())
        def keep(payload: Any) -> None:
            payloads.append(payload)

        keep()

    # Unsatisfiable after unrolling recursion, or beyond hypothesis-jsonschema: callers count what came out.
    with contextlib.suppress(HypothesisException):
        collect()
    return payloads


def examples_of(imported: Imported, webhook: Webhook) -> list[Any]:
    return body_examples(imported.document, webhook)
