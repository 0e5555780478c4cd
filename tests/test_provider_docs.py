"""The provider's documentation: the declared app's `/openapi.json` says what the spec says, and one call adds it
to the provider's own FastAPI app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.spec.walk import operations

from .conftest import EXAMPLE_KEYS, EXAMPLE_SPEC, Imported, generate_document
from .roundtrip import check_annotations


def _strings_under(value: Any, key: str) -> set[str]:
    """Every string written under `key` anywhere in a JSON value."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            found.update(v for k, v in item.items() if k == key and isinstance(v, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _spec_files() -> list[Path]:
    return sorted(EXAMPLE_SPEC.parent.rglob("*.yaml"))


def test_field_descriptions_reach_the_runtime_and_the_json_schema(example: Imported) -> None:
    money = example.models.Money
    assert money.model_fields["value"].description == "Amount in minor units (cents)."
    assert money.model_json_schema()["properties"]["value"]["description"] == "Amount in minor units (cents)."
    fee = example.models.NewSubscription.model_fields["monthly_fee"]
    assert fee.description == "Monthly price in the account's currency."


def test_the_app_document_holds_every_description_of_the_spec_folder(example: Imported) -> None:
    written = set().union(*(_strings_under(yaml.safe_load(f.read_text("utf-8")), "description") for f in _spec_files()))
    assert len(written) >= 20  # the walk found the spec's words (operations, tags, schemas, properties, headers)
    documented = _strings_under(example.webhooks.app.openapi(), "description")
    assert sorted(written - documented) == []


def test_the_app_document_keeps_info_tags_extensions_and_examples(example: Imported) -> None:
    source = example.document
    document = example.webhooks.app.openapi()
    assert document["info"]["contact"] == source["info"]["contact"]
    assert document["tags"] == source["tags"]
    assert document["x-webhook-signature"] == source["x-webhook-signature"]
    for key, method, operation in operations(source):
        media = operation["requestBody"]["content"]["application/json"]
        produced = document["webhooks"][key][method]["requestBody"]["content"]["application/json"]
        for name in ("example", "examples"):
            # Nulls included: FastAPI's own document drops every null (`trial_ends_at: null` in `monthly`).
            assert produced.get(name) == media.get(name), (key, name)
    OpenAPIV31SpecValidator(document).validate()


def test_responses_are_exactly_the_declared_ones(example: Imported) -> None:
    """No `content: {application/json: {schema: {}}}` of FastAPI's own on a response declared without content."""
    document = example.webhooks.app.openapi()
    for key, method, operation in operations(example.document):
        assert document["webhooks"][key][method]["responses"] == operation["responses"], key


def test_response_content_headers_and_vendor_extensions_are_kept(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Docs", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}, "x-logo": "l"},
        "x-provider": {"region": None},
        "webhooks": {
            "ping": {
                "post": {
                    "x-retries": 3,
                    "requestBody": {
                        "description": "The ping.\n",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Ping"},
                                "examples": {"one": {"$ref": "#/components/examples/One"}},
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Acknowledged.",
                            "headers": {"X-Ack": {"description": "The ack id.", "schema": {"type": "string"}}},
                            "content": {"application/json": {"schema": {"type": "object"}, "example": {"ok": None}}},
                        },
                        "default": {"description": "Anything else: retried."},
                    },
                }
            }
        },
        "components": {
            "schemas": {"Ping": {"type": "object", "properties": {"at": {"type": "string"}}}},
            "examples": {"One": {"summary": "One ping", "value": {"at": None}}},
        },
    }
    imported = generate_document(tmp_path, spec, "docs_extras")
    document = imported.webhooks.app.openapi()
    operation = document["webhooks"]["ping"]["post"]
    assert operation["responses"] == spec["webhooks"]["ping"]["post"]["responses"]  # type: ignore[index]
    assert operation["x-retries"] == 3
    assert operation["requestBody"]["description"] == "The ping.\n"
    assert operation["requestBody"]["content"]["application/json"]["examples"] == {
        "one": {"summary": "One ping", "value": {"at": None}}
    }
    assert document["info"]["license"] == {"name": "MIT", "identifier": "MIT"}
    assert document["info"]["x-logo"] == "l"
    assert document["x-provider"] == {"region": None}
    OpenAPIV31SpecValidator(document).validate()


def test_each_distinct_header_parameter_is_declared_once_and_documented_on_every_webhook(tmp_path: Path) -> None:
    signature = {"name": "X-Signature", "in": "header", "required": True, "schema": {"type": "string"}}
    signature["description"] = "Signed by acme, 7c1e."
    attempt = {"name": "X-Attempt", "in": "header", "schema": {"type": "integer", "minimum": 1}, "example": 2}
    # The same Python name, declared otherwise: a header of its own.
    other_attempt = {**attempt, "description": "Counted from zero, 9f4b.", "schema": {"type": "integer"}}
    headers = {
        "alpha-hook": [signature, attempt],
        "beta-hook": [attempt, signature],
        "gamma-hook": [signature, other_attempt],
    }
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Headers", "version": "1"},
        "webhooks": {
            key: {
                "post": {
                    "parameters": parameters,
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": {"200": {"description": "ok"}},
                }
            }
            for key, parameters in headers.items()
        },
    }
    imported = generate_document(tmp_path, spec, "header_table")
    source = Path(imported.webhooks.__file__).read_text(encoding="utf-8")
    assert source.count("Signed by acme, 7c1e.") == 2  # one declaration: the parameter object and its description
    assert source.count("Counted from zero, 9f4b.") == 2
    assert [source.count(f'"{key}"') for key in headers] == [1, 1, 1]  # one entry per webhook, declared in a loop
    table, webhooks = imported.webhooks.declarations()
    assert list(table) == ["x_signature", "x_attempt", "x_attempt_2"]
    assert [webhook.headers for webhook in webhooks] == [
        ("x_signature", "x_attempt"),
        ("x_attempt", "x_signature"),
        ("x_signature", "x_attempt_2"),
    ]
    document = imported.webhooks.app.openapi()
    for key, parameters in headers.items():  # each webhook documents its own, in its order
        assert document["webhooks"][key]["post"]["parameters"] == parameters
    OpenAPIV31SpecValidator(document).validate()


def _provider_app() -> FastAPI:
    app = FastAPI(title="Acme API", version="9.9", openapi_tags=[{"name": "billing", "description": "Ours"}])

    @app.get("/orders/{order_id}", tags=["orders"])
    def get_order(order_id: int) -> dict[str, int]:
        return {"order_id": order_id}

    return app


def test_include_webhooks_adds_every_declaration_to_the_providers_own_app(example: Imported) -> None:
    app = _provider_app()
    app.openapi()  # a document built before the call must not hide the webhooks
    example.webhooks.include_webhooks(app)
    client = TestClient(app)
    assert client.get("/orders/7").json() == {"order_id": 7}  # the app's own routes still answer
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Acme API"
    assert "/orders/{order_id}" in document["paths"]
    assert list(document["webhooks"]) == EXAMPLE_KEYS
    declared = example.webhooks.app.openapi()
    for key in EXAMPLE_KEYS:
        assert document["webhooks"][key] == declared["webhooks"][key], key
    # Every schema the webhooks use is there, as the example app documents it.
    refs = {v for v in _strings_under(document["webhooks"], "$ref")}
    assert refs and all(r.removeprefix("#/components/schemas/") in document["components"]["schemas"] for r in refs)
    for name in {r.removeprefix("#/components/schemas/") for r in refs}:
        assert document["components"]["schemas"][name] == declared["components"]["schemas"][name], name
    # The app's own tag description wins; the contract's other tags are added.
    tags = {tag["name"]: tag.get("description") for tag in document["tags"]}
    assert tags["billing"] == "Ours"
    assert tags["subscriptions"] == "Subscription lifecycle"
    assert document["x-webhook-signature"] == {"scheme": "standard-webhooks"}
    # The app's own validation error schema stays: its route can answer 422.
    assert "HTTPValidationError" in document["components"]["schemas"]
    OpenAPIV31SpecValidator(json.loads(json.dumps(document))).validate()
    assert client.get("/docs").status_code == 200  # its rendering in a browser: tests/test_docs_browser.py


def test_include_webhooks_documents_the_same_on_every_request(example: Imported) -> None:
    app = _provider_app()
    example.webhooks.include_webhooks(app)
    client = TestClient(app)
    first = client.get("/openapi.json").json()
    assert client.get("/openapi.json").json() == first
    assert example.webhooks.app.openapi() == example.webhooks.app.openapi()


def test_every_annotation_of_the_example_schemas_is_in_the_app_document(example: Imported) -> None:
    """Descriptions, titles (`EmailContact` on an inline branch), examples, formats (`email`), enums, constraints."""
    assert check_annotations(example) == []


def test_constraints_are_written_with_json_schema_names(example: Imported) -> None:
    """A strict integer's `ge=1` is `minimum: 1` (Pydantic writes `ge` when a validator function wraps the type)."""
    schema = example.models.LineItem.model_json_schema()["properties"]["quantity"]
    assert schema["minimum"] == 1
    assert "ge" not in schema


def test_a_format_read_as_a_string_and_unique_items_are_documented(example: Imported) -> None:
    schemas = example.webhooks.app.openapi()["components"]["schemas"]
    assert schemas["EmailDeliveryStatusChangedPayload"]["properties"]["recipient"]["format"] == "email"
    assert schemas["Customer"]["properties"]["tags"]["uniqueItems"] is True
    assert schemas["EmailContact"]["title"] == "EmailContact"
    # Documented only: the model still reads the e-mail address as a plain string, and a repeated tag.
    example.models.Customer.model_validate({"id": "c", "email": "e", "tags": ["a", "a"]})
