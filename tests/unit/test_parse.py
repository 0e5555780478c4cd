"""The IR: handler names (collisions are warnings), signatures (unusable ones are errors), headers, bodies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.errors import Level, Problem
from generator.ir import Spec
from generator.ir.parse import build_spec
from generator.models.codegen import Models
from generator.models.prepare import prepare
from generator.spec.bundle import bundle

from .conftest import WriteFiles
from .specs import line_of, openapi, post, ref


def parsed(write: WriteFiles, files: dict[str, Any]) -> tuple[Spec, list[Problem]]:
    """The IR of a spec, with models named `<schema>Model` (no datamodel-code-generator run)."""
    bundled, problems = bundle(write(files))
    assert bundled is not None
    assert problems == []
    model_input = prepare(bundled.document)
    names = model_input.document["components"]["schemas"]
    return build_spec(bundled, model_input.body_schemas, Models(code="", class_names={n: f"{n}Model" for n in names}))


def test_names_come_from_operation_id_else_the_key(write: WriteFiles) -> None:
    webhooks = {"payment.succeeded": post({"type": "object"}), "x": post({"type": "object"}, operationId="onRefund")}
    spec, problems = parsed(write, {"openapi.yaml": openapi(webhooks)})
    assert problems == []
    assert [(w.key, w.python_name, w.operation_id) for w in spec.webhooks] == [
        ("payment.succeeded", "payment_succeeded", None),
        ("x", "on_refund", "onRefund"),
    ]


def test_colliding_and_reserved_names_are_numbered_in_spec_order_with_a_warning(write: WriteFiles) -> None:
    webhooks = {
        "payment.succeeded": post({"type": "object"}),
        "payment-succeeded": post({"type": "object"}),
        "other": post({"type": "object"}, operationId="paymentSucceeded"),
        "app": post({"type": "object"}),
        "class": post({"type": "object"}),
    }
    spec, problems = parsed(write, {"openapi.yaml": openapi(webhooks)})
    assert [w.python_name for w in spec.webhooks] == [
        "payment_succeeded",
        "payment_succeeded_2",
        "payment_succeeded_3",
        "app_2",
        "class_",
    ]
    root = Path("openapi.yaml")
    # Each warning points at the webhook's operation, whose mapping starts at its first key.
    assert [(p.line, p.pointer, p.message, p.level) for p in problems] == [
        (
            line_of(root, "payment-succeeded:") + 2,
            "/webhooks/payment-succeeded/post",
            "name 'payment_succeeded' is taken; this webhook is `payment_succeeded_2`",
            Level.WARNING,
        ),
        (
            line_of(root, "other:") + 2,
            "/webhooks/other/post",
            "name 'payment_succeeded' is taken; this webhook is `payment_succeeded_3`",
            Level.WARNING,
        ),
        (
            line_of(root, "app:") + 2,
            "/webhooks/app/post",
            "name 'app' is taken; this webhook is `app_2`",
            Level.WARNING,
        ),
    ]


def test_a_collision_in_an_inlined_path_item_is_located_in_its_file(write: WriteFiles) -> None:
    files = {
        "openapi.yaml": openapi({"a.b": post({"type": "object"}), "a-b": {"$ref": "hooks.yaml#/ab"}}),
        "hooks.yaml": {"ab": post({"type": "object"})},
    }
    _, problems = parsed(write, files)
    assert [(p.file, p.pointer, p.level) for p in problems] == [("hooks.yaml", "/ab/post", Level.WARNING)]


def test_signatures_from_the_root_and_per_webhook(write: WriteFiles) -> None:
    webhooks = {
        "default": post({"type": "object"}),
        "own": post({"type": "object"}, **{"x-webhook-signature": {"scheme": "stripe", "id-field": "event"}}),
    }
    spec, problems = parsed(write, {"openapi.yaml": openapi(webhooks, **{"x-webhook-signature": "github"})})
    assert problems == []
    assert spec.signature is not None
    assert spec.signature.declaration == {"scheme": "github"}
    signatures = {w.key: w.signature.declaration if w.signature else None for w in spec.webhooks}
    assert signatures == {"default": {"scheme": "github"}, "own": {"scheme": "stripe", "id-field": "event"}}


def test_no_declaration_means_no_scheme(write: WriteFiles) -> None:
    document = openapi({"a": post({"type": "object"})})
    del document["x-webhook-signature"]
    spec, problems = parsed(write, {"openapi.yaml": document})
    assert problems == []
    assert spec.signature is None
    assert spec.webhooks[0].signature is None


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("nope", "x-webhook-signature: unknown scheme 'nope'"),
        (["github"], "x-webhook-signature must be a mapping"),
        ({"scheme": "hmac"}, "x-webhook-signature: scheme hmac needs a header"),
        ({"scheme": "github", "colour": "red"}, "x-webhook-signature: scheme github does not take colour"),
        ({"algorithm": "sha256"}, "x-webhook-signature: missing scheme"),
    ],
)
def test_an_unusable_signature_is_an_error_at_its_line(write: WriteFiles, declaration: Any, message: str) -> None:
    webhooks = {"a": post({"type": "object"}, **{"x-webhook-signature": declaration})}
    _, problems = parsed(write, {"openapi.yaml": openapi(webhooks)})
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.pointer, problem.level) == (
        "openapi.yaml",
        "/webhooks/a/post/x-webhook-signature",
        Level.ERROR,
    )
    assert problem.line == line_of(Path("openapi.yaml"), "x-webhook-signature") + (
        0 if isinstance(declaration, str) else 1
    )
    assert problem.message.startswith(message)


def test_an_unusable_root_signature_is_an_error_at_the_root(write: WriteFiles) -> None:
    document = openapi({"a": post({"type": "object"})}, **{"x-webhook-signature": {"scheme": "pgp"}})
    spec, problems = parsed(write, {"openapi.yaml": document})
    assert [(p.pointer, p.level) for p in problems] == [("/x-webhook-signature", Level.ERROR)]
    assert spec.signature is None


def test_headers(write: WriteFiles) -> None:
    path_item = {
        "parameters": [
            {"name": "X-Id", "in": "header", "schema": {"type": "string"}},
            {"name": "X-Path-Only", "in": "header", "required": True, "schema": {"type": "boolean"}},
        ],
        **post(
            {"type": "object"},
            parameters=[
                {"name": "x-id", "in": "header", "schema": {"type": "integer"}},  # overrides the path item's
                {"name": "X-Tags", "in": "header", "schema": {"type": "array", "items": {"type": "string"}}},
                {"$ref": "#/components/parameters/Body"},
                {"name": "page", "in": "query", "schema": {"type": "integer"}},
            ],
        ),
    }
    document = openapi(
        {"a": path_item},
        components={"parameters": {"Body": {"name": "Body", "in": "header", "schema": ref("Text")}}},
        schemas={"Text": {"type": "string"}},
    )
    spec, problems = parsed(write, {"openapi.yaml": document})
    headers = [(h.name, h.python_name, h.python_type, h.required) for h in spec.webhooks[0].headers]
    assert headers == [
        ("x-id", "x_id", "int", False),
        ("X-Path-Only", "x_path_only", "bool", True),
        ("X-Tags", "x_tags", "str", False),
        ("Body", "body_2", "str", False),  # `body` is the handler's own parameter
    ]
    assert spec.webhooks[0].headers[3].declaration["schema"] == {"type": "string"}  # the $ref inlined
    assert [(p.pointer, p.message, p.level, p.rule) for p in problems] == [
        (
            "/webhooks/a/post",
            "header 'Body': name 'body' is taken; its parameter is `body_2`",
            Level.WARNING,
            "name-collision",
        ),
        ("/webhooks/a/post", "header 'X-Tags' has schema type 'array'; it is read as a string", Level.WARNING, ""),
    ]


def test_bodies_name_their_model_and_schema(write: WriteFiles) -> None:
    content = {"application/json": {"schema": ref("Pet")}, "application/xml": {"schema": {"type": "string"}}}
    document = openapi(
        {"pet": {"post": {"description": "d", "requestBody": {"required": True, "content": content}}}},
        schemas={"Pet": {"type": "object"}},
    )
    spec, _ = parsed(write, {"openapi.yaml": document})
    bodies = [(b.media_type, b.model_name, b.schema_pointer, b.required) for b in spec.webhooks[0].bodies]
    assert bodies == [
        ("application/json", "PetModel", "/webhooks/pet/post/requestBody/content/application~1json/schema", True),
        (
            "application/xml",
            "PetPayloadModel",
            "/webhooks/pet/post/requestBody/content/application~1xml/schema",
            True,
        ),
    ]
    assert spec.webhooks[0].body is not None
    assert spec.webhooks[0].body.media_type == "application/json"


def test_spec_and_webhook_fields(write: WriteFiles) -> None:
    operation = post(
        {"type": "object"},
        summary="S",
        tags=["billing"],
        deprecated=True,
        security=[{"basic": []}],
        responses={"204": {"description": "done"}, "default": {"$ref": "#/components/responses/Err"}},
        **{"x-team": "payments"},
    )
    document = openapi(
        {"a": operation},
        components={
            "responses": {"Err": {"description": "failed"}},
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}, "unused": {"type": "apiKey"}},
        },
    )
    document["info"] = {"title": "Shop", "version": "2.1"}
    spec, _ = parsed(write, {"openapi.yaml": document})
    webhook = spec.webhooks[0]
    assert (spec.title, spec.version, spec.description) == ("Shop", "2.1", None)
    assert (webhook.summary, webhook.tags, webhook.deprecated) == ("S", ("billing",), True)
    assert [(r.status, r.description) for r in webhook.responses] == [("204", "done"), ("default", "failed")]
    assert webhook.success_status == 204
    assert webhook.extensions == {"x-team": "payments"}
    assert list(spec.webhook_security_schemes) == ["basic"]
