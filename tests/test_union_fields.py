"""A field whose schema is only a union is typed by the union itself: a handler reads `payload.payment.last4`.

A webhook body that is only a union stays a class (a `RootModel`): receivers, the contract check and the split
models package name one class per body. `oneOf` still means one: a payload two branches accept is refused.
"""

from __future__ import annotations

import base64
import importlib
import json
import time
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pydantic
import pytest
from fastapi.testclient import TestClient

from .compare import annotation_differences
from .conftest import Imported, generate_document

SECRET = "whsec_" + base64.b64encode(b"u" * 32).decode()


def _object(tag: str, field: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", field],
        "properties": {"type": {"const": tag}, field: {"type": "string"}},
    }


def _webhook(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "post": {
            "summary": "A delivery",
            "requestBody": {"required": True, "content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}},
        }
    }


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shop", "version": "1.0.0"},
    "x-webhook-signature": {"scheme": "standard-webhooks"},
    "webhooks": {
        "order.paid": _webhook({"$ref": "#/components/schemas/Order"}),
        "method.added": _webhook({"$ref": "#/components/schemas/PaymentMethod"}),
    },
    "components": {
        "schemas": {
            "Card": _object("card", "last4"),
            "BankTransfer": _object("bank_transfer", "iban"),
            "PaymentMethod": {
                "oneOf": [{"$ref": "#/components/schemas/Card"}, {"$ref": "#/components/schemas/BankTransfer"}],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {
                        "card": "#/components/schemas/Card",
                        "bank_transfer": "#/components/schemas/BankTransfer",
                    },
                },
            },
            # Untagged: a payload with both an email and a phone matches both branches, which oneOf refuses.
            "Email": {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
            "Phone": {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            "Contact": {
                "description": "Exactly one way to reach the customer.",
                "oneOf": [{"$ref": "#/components/schemas/Email"}, {"$ref": "#/components/schemas/Phone"}],
            },
            "Order": {
                "type": "object",
                "required": ["id", "payment", "contact"],
                "properties": {
                    "id": {"type": "string"},
                    "payment": {"description": "How the order was paid.", "$ref": "#/components/schemas/PaymentMethod"},
                    "refund_to": {"anyOf": [{"$ref": "#/components/schemas/PaymentMethod"}, {"type": "null"}]},
                    "methods": {"type": "array", "items": {"$ref": "#/components/schemas/PaymentMethod"}},
                    "contact": {"$ref": "#/components/schemas/Contact"},
                },
            },
        }
    },
}
ORDER = {
    "id": "o1",
    "payment": {"type": "card", "last4": "4242"},
    "refund_to": {"type": "bank_transfer", "iban": "DE00"},
    "methods": [{"type": "card", "last4": "1111"}, {"type": "bank_transfer", "iban": "FR00"}],
    "contact": {"email": "ada@example.com"},
}


def _present(model: Any, name: str) -> list[Any]:
    """The types an optional field takes when present (its annotation without the MISSING sentinel)."""
    return [arg for arg in typing.get_args(model.model_fields[name].annotation) if arg is not pydantic.MISSING]


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return generate_document(tmp_path_factory.mktemp("unions"), SPEC, "union_webhooks")


@pytest.fixture(scope="module")
def receivers(shop: Imported) -> ModuleType:
    return importlib.import_module("union_webhooks.receivers")


def test_a_field_that_is_only_a_union_is_annotated_with_the_union(shop: Imported) -> None:
    models = shop.models
    models.Order.model_rebuild()  # resolves the names defined after Order in its module
    payment = models.Order.model_fields["payment"]
    assert payment.annotation == models.Card | models.BankTransfer
    assert payment.discriminator == "type"
    assert payment.description == "How the order was paid."
    assert _present(models.Order, "refund_to") == [models.Card, models.BankTransfer, type(None)]
    assert _present(models.Order, "methods") == [list[models.Card | models.BankTransfer]]
    assert models.Order.model_fields["contact"].annotation == models.Email | models.Phone
    assert models.Order.model_fields["contact"].description == "Exactly one way to reach the customer."
    source = shop.models_source()
    assert (
        'payment: Annotated[Card | BankTransfer, Field(description="How the order was paid.", discriminator="type")]'
        in (source)
    )
    assert ".root" not in source


def test_a_body_that_is_only_a_union_stays_a_class(shop: Imported) -> None:
    body = shop.models.PaymentMethod
    assert issubclass(body, pydantic.RootModel)
    assert typing.get_args(body.model_fields["root"].annotation) == (shop.models.Card, shop.models.BankTransfer)
    assert shop.webhook("method.added").body.model_name == "PaymentMethod"  # type: ignore[union-attr]


def _signed(receivers: ModuleType, payload: Any, delivery_id: str) -> tuple[bytes, dict[str, str]]:
    signatures = importlib.import_module("union_webhooks._signatures")
    body = json.dumps(payload).encode()
    headers = signatures.StandardWebhooksScheme().sign(
        body, SECRET, delivery_id=delivery_id, timestamp=int(time.time())
    )
    return body, {**headers, "content-type": "application/json"}


class Handlers:
    """Reads the union fields as a handler would: attributes of the branch, no `.root`."""

    def __init__(self) -> None:
        self.read: list[Any] = []

    def order_paid(self, payload: Any) -> None:
        self.read.append(
            (
                payload.payment.last4,
                payload.refund_to.iban,
                [getattr(m, "last4", None) or m.iban for m in payload.methods],
                payload.contact.email,
            )
        )

    def method_added(self, payload: Any) -> None:
        self.read.append(payload.root.type)


def test_a_signed_delivery_reaches_the_handler_with_the_union_fields_read_directly(receivers: ModuleType) -> None:
    handlers = Handlers()
    client = TestClient(receivers.create_app(handlers, secrets=[SECRET]))
    body, headers = _signed(receivers, ORDER, "msg_order")
    assert client.post("/webhooks/order.paid", content=body, headers=headers).status_code == 200
    body, headers = _signed(receivers, {"type": "bank_transfer", "iban": "NL00"}, "msg_method")
    assert client.post("/webhooks/method.added", content=body, headers=headers).status_code == 200
    assert handlers.read == [("4242", "DE00", ["1111", "FR00"], "ada@example.com"), "bank_transfer"]


@pytest.mark.parametrize(
    "change",
    [
        {"contact": {"email": "a@example.com", "phone": "1"}},  # both branches of the untagged oneOf match
        {"payment": {"type": "card", "iban": "DE00"}},  # the tag's branch lacks its required property
        {"methods": [{"type": "cash"}]},
    ],
)
def test_a_payload_the_union_refuses_is_refused(receivers: ModuleType, change: dict[str, Any]) -> None:
    handlers = Handlers()
    client = TestClient(receivers.create_app(handlers, secrets=[SECRET]))
    body, headers = _signed(receivers, {**ORDER, **change}, "msg_bad")
    assert client.post("/webhooks/order.paid", content=body, headers=headers).status_code == 422
    assert handlers.read == []


def test_the_app_document_keeps_the_union_words(shop: Imported, tmp_path: Path) -> None:
    openapi = shop.webhooks.app.openapi()
    for key in ("order.paid", "method.added"):
        body = shop.webhook(key).body
        assert body is not None
        at = f"/webhooks/{key.replace('/', '~1')}/post/requestBody/content/application~1json/schema"
        assert annotation_differences(shop.document, body.schema_pointer, openapi, at) == []


@pytest.mark.parametrize("key", ["order.paid", "method.added"])
def test_drawn_payloads_and_their_mutations_agree(shop: Imported, key: str) -> None:
    # `hookgen fidelity`'s measure: drawn payloads and their mutations (another branch's properties or tag, too)
    # judged by the source schema and by the model.
    result = shop.drawn(key)
    assert result.payloads > 0
    assert result.first == (), result.first
