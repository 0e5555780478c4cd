"""What Clerk's round trip found: untyped `allOf` payloads, empty `responses`, and required names under unions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openapi_spec_validator import OpenAPIV31SpecValidator

from generator.commands.fidelity.mutations import mutations, shape

from .conftest import generate_document

BASE = {"properties": {"object": {"type": "string"}}, "required": ["object"]}
DATA = {"properties": {"id": {"type": "string"}}, "required": ["id"]}


def _document(operation: dict[str, Any], *, responses: bool = True) -> dict[str, Any]:
    """A one-webhook document, lint-clean but for what `operation` says (and `responses`, when False)."""
    declared = {
        "description": "A thing was created.",
        "x-webhook-signature": {"scheme": "standard-webhooks"},
        **({"responses": {"200": {"description": "Received."}}} if responses else {}),
        **operation,
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Untyped", "version": "1"},
        "webhooks": {"thing.created": {"post": declared}},
        "components": {"schemas": {"Base": BASE, "Data": DATA}},
    }


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def test_an_allof_payload_with_no_type_anywhere_is_warned_about(tmp_path: Path) -> None:
    """Clerk's payloads: `allOf` of untyped branches takes any JSON value (null too); the model takes objects."""
    schema = {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {"properties": {"data": {"$ref": "#/components/schemas/Data"}}},
        ]
    }
    imported = generate_document(
        tmp_path, _document({"requestBody": _body({**schema, "required": ["data"]})}), "untyped"
    )
    [warning] = imported.generated.warnings
    assert warning.message.startswith(
        "`properties` without `type`: the schema also allows a body that is not an object"
    )
    assert warning.webhooks == ("thing.created",)


def test_an_allof_payload_typed_in_one_branch_is_not_warned_about(tmp_path: Path) -> None:
    schema = {"allOf": [{"$ref": "#/components/schemas/Base"}, {"type": "object", "properties": {"x": {}}}]}
    imported = generate_document(tmp_path, _document({"requestBody": _body(schema)}), "typed")
    assert imported.generated.warnings == []


def test_a_webhook_without_responses_is_declared_without_an_empty_responses_object(tmp_path: Path) -> None:
    """OpenAPI 3.1 allows an operation without `responses`, not with `responses: {}` (Clerk's 45 webhooks)."""
    schema = {"type": "object", "properties": {"id": {"type": "string"}}}
    imported = generate_document(tmp_path, _document({"requestBody": _body(schema)}, responses=False), "no_responses")
    declared = imported.webhooks.app.openapi()
    assert "responses" not in declared["webhooks"]["thing.created"]["post"]
    OpenAPIV31SpecValidator(declared).validate()
    assert imported.webhooks.app.openapi() == declared  # asking twice gives the same document


def test_names_every_object_branch_of_a_union_requires_are_required() -> None:
    """Clerk's SAMLAccountConnection (`anyOf` of two `required` lists) and `data` (a class or any non-object)."""
    two_classes = {
        "anyOf": [
            {"type": "object", "required": ["id", "domain"], "properties": {"id": {}, "domain": {}}},
            {"type": "object", "required": ["id", "domains"], "properties": {"id": {}, "domains": {}}},
        ]
    }
    assert shape({}, two_classes)["required"] == {"id"}
    object_or_scalar = {"anyOf": [{"type": "object", "required": ["id"]}, {"type": ["string", "number", "null"]}]}
    assert shape({}, object_or_scalar)["required"] == {"id"}
    shared = {"required": ["id"], "anyOf": [{"required": ["domain"]}, {"required": ["domains"]}]}
    assert shape({}, shared)["required"] == {"id"}
    dropped = [value for what, value in mutations({}, two_classes, {"id": "1", "domain": "d"}) if "dropped" in what]
    assert dropped == [{"domain": "d"}]  # fidelity now drops `id`, which both branches require
