"""Each cause of disagreement in ../shared/FIDELITY.md, reproduced in a small spec and shown fixed.

One webhook per cause; every case is judged twice, by the source schema and by the generated model,
and both must agree: on the payloads named here, and on what `hookgen fidelity` draws and mutates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.commands.fidelity.measure import accepts

from .conftest import Imported, generate_document

USER = {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}}
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Causes", "version": "1.0.0"},
    "components": {
        "schemas": {
            "User": USER,
            # Adyen's *ItemWrapper: `properties` without `type` accepts any non-object too.
            "ItemWrapper": {"properties": {"item": {"type": "string"}}},
            # Polar: a discriminator whose property one branch does not require.
            "Sum": {"type": "object", "required": ["func"], "properties": {"func": {"const": "sum"}}},
            "Count": {"type": "object", "properties": {"func": {"const": "count"}}},
            # GitHub / Paddle: an allOf branch restating a property of the branch it extends.
            "Base": {
                "type": "object",
                "x-enum-descriptions": {"odd": "a vendor extension of unexpected shape"},
                "properties": {
                    "user": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/User"}]},
                    "data": {"type": "object"},
                },
            },
        }
    },
    "webhooks": {},
}
BODIES: dict[str, Any] = {
    "typeless": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ItemWrapper"}}},
    },
    "optional-tag": {
        "type": "object",
        "properties": {
            "aggregation": {
                "oneOf": [{"$ref": "#/components/schemas/Sum"}, {"$ref": "#/components/schemas/Count"}],
                "discriminator": {"propertyName": "func"},
            }
        },
    },
    "one-of": {
        "type": "object",
        "properties": {
            "contact": {
                "oneOf": [
                    {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                    {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
                ]
            }
        },
    },
    "null-excluded": {
        "type": "object",
        "properties": {
            "account": {"anyOf": [{"$ref": "#/components/schemas/User"}], "type": ["null", "object"]},
        },
    },
    "restated": {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {
                "type": "object",
                "properties": {
                    "user": {"$ref": "#/components/schemas/User"},
                    "data": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                },
            },
        ]
    },
    "author-nullable": {"type": "object", "properties": {"image": {"type": "string", "nullable": True}}},
    "formats": {
        "type": "object",
        "properties": {"id": {"type": "string", "format": "uuid4"}, "at": {"type": "string", "format": "date-time"}},
    },
}
for key, schema in BODIES.items():
    SPEC["webhooks"][key] = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}},
        }
    }

# (webhook, payload, what the source schema says)
CASES = [
    ("typeless", {"items": [{"item": "a"}, None, "x", 3, []]}, True),
    ("typeless", {"items": [{"item": 3}]}, False),
    ("optional-tag", {"aggregation": {}}, True),
    ("optional-tag", {"aggregation": {"func": "sum"}}, True),
    ("optional-tag", {"aggregation": {"func": "max"}}, False),
    ("one-of", {"contact": {"email": "e"}}, True),
    ("one-of", {"contact": {"email": "e", "phone": "p"}}, False),
    ("one-of", {"contact": {}}, False),
    ("null-excluded", {"account": {"login": "ada"}}, True),
    ("null-excluded", {"account": None}, False),
    ("restated", {"user": {"login": "ada"}, "data": {"id": 1}}, True),
    ("restated", {"user": None}, False),
    ("restated", {"data": {"id": "one"}}, False),
    ("formats", {"id": "not-a-uuid", "at": "2026-11-27T10:00:00Z"}, True),
    ("formats", {"at": 12345}, False),
]


@pytest.fixture(scope="module")
def causes(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return generate_document(tmp_path_factory.mktemp("causes"), SPEC, "causes_webhooks")


@pytest.mark.parametrize(("key", "payload", "valid"), CASES)
def test_the_model_agrees_with_the_schema(causes: Imported, key: str, payload: Any, valid: bool) -> None:
    assert causes.verdicts(key, payload) == (valid, valid)


@pytest.mark.parametrize("key", sorted(set(BODIES) - {"author-nullable"}))
def test_drawn_payloads_and_their_mutations_agree(causes: Imported, key: str) -> None:
    result = causes.drawn(key)
    assert result.payloads > 0
    assert result.first == (), result.first


def test_a_restated_property_is_typed_by_the_branch_that_says_more(causes: Imported) -> None:
    event = causes.model(causes.webhook("restated")).model_validate({"user": {"login": "ada"}, "data": {"id": 1}})
    assert event.data.id == 1  # the refinement, not Base's bare `object` (it was lost to dict[str, Any])
    assert event.user.login == "ada"


def test_author_nullable_is_followed_and_warned(causes: Imported) -> None:
    webhook = causes.webhook("author-nullable")
    assert accepts(causes.model(webhook), {"image": None})
    warned = [p for p in causes.generated.warnings if "nullable: true" in p.message]
    assert [(p.webhooks, p.pointer.endswith("/image")) for p in warned] == [(("author-nullable",), True)]


def test_no_deviation_is_left_undocumented(causes: Imported) -> None:
    documented = {key for p in causes.generated.warnings for key in p.webhooks}
    assert documented == {"author-nullable"}


def test_the_generated_package_names_no_extension(causes: Imported) -> None:
    code = Path(causes.models.__file__).read_text(encoding="utf-8")
    assert "x-enum-descriptions" not in code
