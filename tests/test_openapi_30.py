"""An OpenAPI 3.0 document generates exactly what its OpenAPI 3.1 equivalent generates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import generate_document

PET_31 = {
    "type": ["object", "null"],
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "examples": ["Rex"]},
        "age": {"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 40},
        "kind": {"type": ["string", "null"], "enum": ["cat", "dog", None]},
        "owner": {"description": "who", "anyOf": [{"$ref": "#/components/schemas/Owner"}, {"type": "null"}]},
    },
}
PET_30 = {
    "type": "object",
    "nullable": True,
    "required": ["name"],
    "properties": {
        "name": {"type": "string", "example": "Rex"},
        "age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "maximum": 40, "exclusiveMaximum": True},
        "kind": {"type": "string", "enum": ["cat", "dog"], "nullable": True},
        "owner": {"description": "who", "$ref": "#/components/schemas/Owner", "nullable": True},
    },
}
OWNER = {"type": "object", "properties": {"id": {"type": "string"}}}


def document(version: str, webhooks_key: str, pet: dict[str, Any]) -> dict[str, Any]:
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}
    operation = {
        "operationId": "petAdded",
        "summary": "A pet was added",
        "requestBody": body,
        "responses": {"200": {"description": "ok"}},
    }
    return {  # lint-clean: the only warning of the 3.0 document is the upgrade's
        "openapi": version,
        "info": {"title": "Pets", "version": "1.0.0"},
        "x-webhook-signature": {"scheme": "standard-webhooks"},
        webhooks_key: {"pet.added": {"post": operation}},
        "components": {"schemas": {"Pet": pet, "Owner": OWNER}},
    }


def test_a_3_0_document_generates_the_same_package_as_its_3_1_equivalent(tmp_path: Path) -> None:
    new = generate_document(tmp_path / "31", document("3.1.0", "webhooks", PET_31), "pets_webhooks")
    old = generate_document(tmp_path / "30", document("3.0.3", "x-webhooks", PET_30), "pets_webhooks")
    assert old.generated.document == new.generated.document
    models = [text for path, text in new.generated.files.items() if path.startswith("pets_webhooks/models/")]
    assert any("| None" in text for text in models)  # the nullable fields are nullable
    assert old.generated.files == new.generated.files
    assert old.webhooks.app.openapi()["openapi"].startswith("3.1")
    assert [p.message for p in old.generated.warnings] == [
        "OpenAPI 3.0.3 document read as OpenAPI 3.1.0: `x-webhooks` -> `webhooks`, `example` in a schema -> "
        "`examples` (1), boolean `exclusiveMinimum`/`exclusiveMaximum` -> numeric (1), `nullable: true` -> a "
        "`null` type (3)"
    ]
    assert new.generated.warnings == []
