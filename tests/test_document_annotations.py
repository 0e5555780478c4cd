"""The round trip of schemas on tiny specs: each keyword the models cannot hold by themselves reaches the app's
`/openapi.json` (tests/compare.annotation_differences, which the corpus test runs on every real spec)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import Imported, generate_document
from .roundtrip import check_annotations


def _one_webhook(tmp_path: Path, package: str, schemas: dict[str, Any], body: str = "Event") -> Imported:
    """A spec whose one webhook `event` carries the component schema `body`, generated and imported."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Annotations", "version": "1"},
        "webhooks": {
            "event": {
                "post": {
                    "summary": "An event",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
                    },
                    "responses": {"200": {"description": "Received."}},
                }
            }
        },
        "components": {"schemas": schemas},
    }
    return generate_document(tmp_path, spec, package)


def _schemas(imported: Imported) -> dict[str, Any]:
    return imported.webhooks.app.openapi()["components"]["schemas"]


def test_an_enum_class_carries_its_title_examples_and_description(tmp_path: Path) -> None:
    """Pydantic titles an enum with its class name and keeps no examples: the Enum template gives it the spec's."""
    imported = _one_webhook(
        tmp_path,
        "annotations_enum",
        {
            "Kind": {
                "type": "string",
                "title": "Kind of event",
                "description": "  What happened,\n  indented.\n",
                "enum": ["created", "deleted"],
                "example": "created",
            },
            "Event": {
                "type": "object",
                "properties": {
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "mode": {"type": "string", "title": "Mode", "enum": ["live", "test"], "examples": ["live"]},
                },
            },
        },
    )
    schemas = _schemas(imported)
    kind = schemas["Kind"]
    assert (kind["title"], kind["example"], kind["description"]) == (
        "Kind of event",
        "created",
        "  What happened,\n  indented.\n",
    )
    mode = schemas["EventMode"]
    assert (mode["title"], mode["examples"]) == ("Mode", ["live"])
    assert check_annotations(imported) == []
    # Documented only: the enum still reads its values, and refuses others.
    assert imported.models.Event.model_validate({"kind": "deleted"}).kind == imported.models.Kind.DELETED
    assert list(imported.models.Kind) == [imported.models.Kind.CREATED, imported.models.Kind.DELETED]


def test_string_keywords_beside_a_typed_time_or_date_are_documented(tmp_path: Path) -> None:
    """datamodel-code-generator drops `pattern`/`minLength`/`maxLength` beside `format: time` (Adyen's `HH:mm:SS`)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_time",
        {
            "Event": {
                "type": "object",
                "properties": {
                    "closing": {"type": "string", "format": "time", "pattern": "^[0-2][0-9]:", "maxLength": 30},
                    "day": {"type": ["string", "null"], "format": "date", "minLength": 10},
                },
            }
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert (properties["closing"]["pattern"], properties["closing"]["maxLength"]) == ("^[0-2][0-9]:", 30)
    assert properties["day"]["minLength"] == 10
    assert check_annotations(imported) == []
    # The model still types the time, as before.
    assert str(imported.models.Event.model_validate({"closing": "10:00:00Z"}).closing) == "10:00:00+00:00"


def test_a_derived_model_documents_its_bases_and_not_their_title_as_its_own(tmp_path: Path) -> None:
    """`allOf: [{$ref: Base}, {...}]` is a subclass, whose schema Pydantic writes flat (Clerk's, Paddle's)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_bases",
        {
            "Base": {
                "type": "object",
                "title": "The base",
                "description": "What every event has.",
                "examples": [{"id": "e1"}],
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            },
            "Event": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "properties": {"at": {"type": "integer"}}},
                ]
            },
        },
    )
    assert imported.models.Event.__bases__ == (imported.models.Base,)
    event = _schemas(imported)["Event"]
    assert [(base["title"], base["description"], base["examples"]) for base in event["allOf"]] == [
        ("The base", "What every event has.", [{"id": "e1"}])
    ]
    # The flat schema keeps every field; the base's title and examples are not the derived class's own.
    assert set(event["properties"]) == {"id", "at"}
    assert (event["title"], "examples" in event) == ("Event", False)
    assert check_annotations(imported) == []
