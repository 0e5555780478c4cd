"""Every body schema gets a component name: a bare `$ref` keeps its own, inline bodies are hoisted under a free one."""

from __future__ import annotations

import copy
from typing import Any

from generator.models.prepare import prepare

from .specs import openapi, post, ref

JSON = "application/json"


def body_names(document: dict[str, Any]) -> dict[tuple[str, str, str], str]:
    return prepare(document).body_schemas


def test_a_bare_ref_body_keeps_its_component_name() -> None:
    document = openapi(
        {"a": post(ref("Pet")), "b": post({**ref("a/b"), "description": "annotations only"})},
        schemas={"Pet": {"type": "object"}, "a/b": {"type": "integer"}},
    )
    model_input = prepare(document)
    assert model_input.body_schemas == {("a", "post", JSON): "Pet", ("b", "post", JSON): "a/b"}
    assert set(model_input.document["components"]["schemas"]) == {"Pet", "a/b"}


def test_inline_bodies_are_hoisted_under_names_from_the_key_and_method() -> None:
    webhooks = {
        "payment.succeeded": post({"type": "object"}),
        "/AUTHORISATION": {"put": {"requestBody": {"content": {JSON: {"schema": {"type": "object"}}}}}},
        "deep": post({"$ref": "#/components/schemas/Pet/properties/owner"}),  # not a component: hoisted
        "sibling": post({**ref("Pet"), "type": "object"}),  # more than annotations beside the $ref: hoisted
    }
    document = openapi(webhooks, schemas={"Pet": {"properties": {"owner": {"type": "string"}}}})
    model_input = prepare(document)
    assert model_input.body_schemas == {
        ("payment.succeeded", "post", JSON): "PaymentSucceededPayload",
        ("/AUTHORISATION", "put", JSON): "AuthorisationPutPayload",
        ("deep", "post", JSON): "DeepPayload",
        ("sibling", "post", JSON): "SiblingPayload",
    }
    schemas = model_input.document["components"]["schemas"]
    assert schemas["PaymentSucceededPayload"] == {"type": "object"}
    assert schemas["DeepPayload"] == {"$ref": "#/components/schemas/Pet/properties/owner"}


def test_a_taken_hoisted_name_gets_the_media_type_then_a_number() -> None:
    webhooks = {
        "payment.succeeded": post({"type": "object"}),
        "payment-succeeded": post({"type": "string"}),
        "PaymentSucceeded": post({"type": "integer"}),
    }
    document = openapi(webhooks, schemas={"PaymentSucceededPayload": {"type": "boolean"}})
    model_input = prepare(document)
    assert model_input.body_schemas == {
        ("payment.succeeded", "post", JSON): "PaymentSucceededApplicationJsonPayload",
        ("payment-succeeded", "post", JSON): "PaymentSucceededPayload2",
        ("PaymentSucceeded", "post", JSON): "PaymentSucceededPayload3",
    }
    schemas = model_input.document["components"]["schemas"]
    assert schemas["PaymentSucceededPayload"] == {"type": "boolean"}  # the spec's own component is untouched
    assert schemas["PaymentSucceededPayload3"] == {"type": "integer"}


def test_each_media_type_of_a_body_is_named() -> None:
    content = {
        JSON: {"schema": {"type": "object"}},
        "application/xml": {"schema": {"type": "string"}},
        "text/plain": {},
    }
    document = openapi({"order": {"post": {"requestBody": {"content": content}}}})
    assert body_names(document) == {
        ("order", "post", JSON): "OrderPayload",
        ("order", "post", "application/xml"): "OrderApplicationXmlPayload",
    }


def test_request_body_refs_are_followed() -> None:
    document = openapi(
        {"pet": {"post": {"requestBody": {"$ref": "#/components/requestBodies/PetBody"}}}},
        components={"requestBodies": {"PetBody": {"content": {JSON: {"schema": ref("Pet")}}}}},
    )
    document["components"]["schemas"] = {"Pet": {"type": "object"}}
    assert body_names(document) == {("pet", "post", JSON): "Pet"}


def test_models_get_normalized_schemas_and_the_contract_the_source_meaning() -> None:
    union = {"oneOf": [ref("A")], "discriminator": {"propertyName": "kind"}, "x-vendor": 1}
    document = openapi(
        {"u": post(union)},
        schemas={"A": {"type": "object", "properties": {"kind": {"type": "string"}}}},
        paths={"/ignored": {}},
    )
    model_input = prepare(document)
    assert model_input.document == {
        "openapi": "3.1.0",
        "info": {"title": "models", "version": "0"},
        "components": {
            "schemas": {"A": document["components"]["schemas"]["A"], "UPayload": {"oneOf": [ref("A")]}},
        },
    }
    contract = model_input.contract["components"]["schemas"]
    assert contract["UPayload"] == {"oneOf": [ref("A")], "discriminator": {"propertyName": "kind"}}
    # The run's input alone (the child's): the same document and bodies, no contract.
    run_input = prepare(document, contract=False)
    assert (run_input.document, run_input.body_schemas, run_input.moved, run_input.contract) == (
        model_input.document,
        model_input.body_schemas,
        model_input.moved,
        {},
    )


def test_prepare_does_not_change_the_document() -> None:
    document = openapi({"a": post({"type": "object", "x-a": 1})}, schemas={"Pet": {"type": "string", "nullable": True}})
    before = copy.deepcopy(document)
    prepare(document)
    assert document == before
