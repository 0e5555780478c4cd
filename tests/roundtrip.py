"""The round trip every generated package must pass: declarations, shapes, and behaviour on payloads."""

from __future__ import annotations

from typing import Any

from generator.commands.fidelity.judge import body_examples, webhooks_with_bodies
from generator.ir import Webhook
from generator.spec import pointers
from generator.spec.pointers import resolve as resolve_pointer

from .compare import annotation_differences, declaration_differences, shape_differences
from .conftest import Imported

# Beyond this, one draw can take minutes (Polar's schemas, unrolled); such webhooks are checked on examples only.
MAX_INLINED_SCHEMA_CHARS = 200_000


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


def examples_of(imported: Imported, webhook: Webhook) -> list[Any]:
    return body_examples(imported.document, webhook)


def check_annotations(imported: Imported) -> list[str]:
    """Every description, title, example, format, enum and constraint of each body's source in the app document."""
    openapi = imported.webhooks.app.openapi()
    differences = []
    for webhook in webhooks_with_bodies(imported.generated.spec):
        for body in webhook.bodies:
            at = pointers.join("/webhooks", webhook.key, webhook.method, "requestBody", "content", body.media_type)
            found = annotation_differences(imported.document, body.schema_pointer, openapi, at + "/schema")
            differences += [f"{webhook.key}: {d}" for d in found]
    return differences
