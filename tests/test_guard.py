"""The contract check: a body model checks only what its own types cannot say, wherever that is.

Each webhook hides a keyword no Pydantic type carries (`uniqueItems`, `oneOf` without a discriminator)
behind the structure the model does carry: properties, items, maps, `$ref`s, recursion, `X | None`,
and a union. Every payload is judged by the source schema and by the model, and both must agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.commands.fidelity.measure import accepts
from generator.models.contract_check import CHECKS, attached_checks, check_pointer

from .conftest import Imported, generate_document

UNIQUE_TAGS = {"type": "array", "uniqueItems": True, "items": {"type": "string"}}
CONTACT = {
    "type": "object",
    "properties": {
        "reach": {
            "oneOf": [
                {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
            ]
        }
    },
}
SCHEMAS: dict[str, Any] = {
    "Node": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "tags": UNIQUE_TAGS,
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    "Contact": CONTACT,
    "Tagged": {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"const": "tagged"}, "tags": UNIQUE_TAGS},
    },
    "Plain": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "plain"}}},
}
BODIES: dict[str, Any] = {
    "recursive": {
        "type": "object",
        "properties": {
            "unrelated": {"type": "object", "properties": {"count": {"type": "integer"}}},
            "tree": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
        },
    },
    "nullable": {
        "type": "object",
        "properties": {"contact": {"anyOf": [{"$ref": "#/components/schemas/Contact"}, {"type": "null"}]}},
    },
    "map": {
        "type": "object",
        "properties": {
            "contacts": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Contact"}}
        },
    },
    # Declared properties are not "others": the check must not hold them to additionalProperties.
    "others": {"type": "object", "properties": {"a": {"type": "string"}}, "additionalProperties": UNIQUE_TAGS},
    # Names that a URI fragment must percent-encode.
    "escaped": {"type": "object", "properties": {"a%41b": UNIQUE_TAGS, "c d": UNIQUE_TAGS, "e/f~g": UNIQUE_TAGS}},
    # A discriminator that B does not require cannot tag (normalize.py drops it): oneOf is then checked whole.
    "loose-tag": {
        "type": "object",
        "properties": {
            "v": {
                "oneOf": [
                    {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}}},
                    {"type": "object", "properties": {"x": {"type": "string"}}},
                ],
                "discriminator": {"propertyName": "kind"},
            }
        },
    },
    "one-of-null": {
        "type": "object",
        "properties": {
            "v": {"oneOf": [{"type": ["object", "null"], "properties": {"tags": UNIQUE_TAGS}}, {"type": "null"}]}
        },
    },
    "union": {
        "type": "object",
        "properties": {
            "item": {"anyOf": [{"$ref": "#/components/schemas/Tagged"}, {"$ref": "#/components/schemas/Plain"}]}
        },
    },
}
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Guards", "version": "1.0.0"},
    "components": {"schemas": SCHEMAS},
    "webhooks": {
        key: {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": schema}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
        for key, schema in BODIES.items()
    },
}
BOTH = {"email": "e", "phone": "p"}
# (webhook, payload, what the source schema says)
CASES = [
    ("recursive", {"tree": [{"name": "a", "tags": ["x", "y"], "children": [{"name": "b", "tags": ["x"]}]}]}, True),
    (
        "recursive",
        {"tree": [{"name": "a", "children": [{"name": "b", "children": [{"name": "c", "tags": ["x", "x"]}]}]}]},
        False,
    ),
    ("recursive", {"tree": [{"name": "a", "tags": ["x", "x"]}]}, False),
    ("recursive", {"unrelated": {"count": "many"}}, False),  # the model's own work
    ("nullable", {"contact": None}, True),
    ("nullable", {"contact": {"reach": {"email": "e"}}}, True),
    ("nullable", {"contact": {"reach": BOTH}}, False),
    ("map", {"contacts": {"a": {"reach": {"phone": "p"}}}}, True),
    ("map", {"contacts": {"a": {"reach": {"phone": "p"}}, "b": {"reach": BOTH}}}, False),
    ("others", {"a": "x"}, True),
    ("others", {"a": "x", "z": ["x", "y"]}, True),
    ("others", {"z": ["x", "x"]}, False),
    ("escaped", {"a%41b": ["x"], "c d": ["y"], "e/f~g": ["z"]}, True),
    ("escaped", {"a%41b": ["x", "x"]}, False),
    ("escaped", {"c d": ["y", "y"]}, False),
    ("escaped", {"e/f~g": ["z", "z"]}, False),
    ("loose-tag", {"v": {"x": "1"}}, True),
    ("loose-tag", {"v": {"kind": "a", "x": 1}}, True),
    ("loose-tag", {"v": {"kind": "a", "x": "1"}}, False),  # both branches hold, so oneOf refuses it
    ("one-of-null", {"v": {"tags": ["x"]}}, True),
    ("one-of-null", {"v": None}, False),  # both branches take null, so oneOf refuses it
    ("union", {"item": {"kind": "plain"}}, True),
    ("union", {"item": {"kind": "tagged", "tags": ["x"]}}, True),
    # Tagged refuses the repeated tag and Plain the kind: no branch holds, though Plain's own check is empty.
    ("union", {"item": {"kind": "tagged", "tags": ["x", "x"]}}, False),
]


@pytest.fixture(scope="module")
def guards(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return generate_document(tmp_path_factory.mktemp("guards"), SPEC, "guards_webhooks")


def _component(imported: Imported, key: str) -> str:
    """The contract's pointer of a webhook's body: inline bodies become components named like their models."""
    return "/components/schemas/" + imported.webhook(key).body.model_name


def _checks(imported: Imported) -> dict[str, Any]:
    """Every check of the package's contract, from all its shares (a check two shares hold is the same in both)."""
    checks: dict[str, Any] = {}
    for share in sorted(Path(imported.models.__file__).parent.parent.glob("_contracts/_*.json")):
        for pointer, check in json.loads(share.read_text(encoding="utf-8"))[CHECKS].items():
            assert checks.setdefault(pointer, check) == check, pointer
    return checks


@pytest.mark.parametrize(("key", "payload", "valid"), CASES)
def test_the_model_agrees_with_the_schema(guards: Imported, key: str, payload: Any, valid: bool) -> None:
    assert guards.verdicts(key, payload) == (valid, valid)


@pytest.mark.parametrize("key", sorted(BODIES))
def test_drawn_payloads_and_their_mutations_agree(guards: Imported, key: str) -> None:
    result = guards.drawn(key)
    assert result.payloads > 0
    assert result.first == (), result.first


def test_a_check_follows_only_the_paths_that_lead_to_what_the_model_cannot_say(guards: Imported) -> None:
    checks = _checks(guards)
    body = _component(guards, "recursive")
    assert checks[body] == {"properties": {"tree": {"$ref": "#" + check_pointer(body + "/properties/tree")}}}
    node = "/components/schemas/Node"
    assert checks[node] == {
        "properties": {
            "tags": {"$ref": "#" + check_pointer(node + "/properties/tags")},
            "children": {"$ref": "#" + check_pointer(node + "/properties/children")},
        }
    }
    # The keyword itself is checked whole, against the contract's own schema.
    assert checks[node + "/properties/tags"] == {"$ref": "#" + node + "/properties/tags"}


def test_a_union_that_needs_a_check_is_checked_whole(guards: Imported) -> None:
    item = _component(guards, "union") + "/properties/item"
    assert _checks(guards)[item] == {"$ref": "#" + item}


def test_a_nullable_reference_is_checked_through_its_branch(guards: Imported) -> None:
    contact = _component(guards, "nullable") + "/properties/contact"
    assert _checks(guards)[contact] == {
        "anyOf": [{"$ref": "#" + check_pointer(contact + "/anyOf/0")}, {"type": "null"}]
    }


# Body models of every shape datamodel-code-generator gives: a class, a subclass (`allOf`) of a body or of a
# model that is no body, a RootModel, and an enum, which cannot carry a check.
SHAPES: dict[str, Any] = {
    "Parent": {"type": "object", "properties": {"p": {"type": "string"}}},
    "CheckedParent": {"type": "object", "properties": {"tags": UNIQUE_TAGS}},
    "ChildOfChecked": {
        "allOf": [
            {"$ref": "#/components/schemas/CheckedParent"},
            {"type": "object", "properties": {"more": UNIQUE_TAGS}},
        ]
    },
    "Child": {
        "allOf": [{"$ref": "#/components/schemas/Parent"}, {"type": "object", "properties": {"tags": UNIQUE_TAGS}}]
    },
    "Either": CONTACT["properties"]["reach"],
    "Plain": {"type": "object", "properties": {"x": {"type": "string"}}},
    "Level": {"type": "string", "enum": ["low", "high"], "not": {"const": "high"}},
}
SHAPE_BODIES = ["CheckedParent", "ChildOfChecked", "Child", "Either", "Plain", "Level"]
SHAPES_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Shapes", "version": "1.0.0"},
    "components": {"schemas": SHAPES},
    "webhooks": {
        name.lower(): {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
        for name in SHAPE_BODIES
    },
}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return generate_document(tmp_path_factory.mktemp("shapes"), SHAPES_SPEC, "shapes_webhooks")


def test_each_body_that_needs_a_check_carries_its_own_and_no_other_class_does(shapes: Imported) -> None:
    code = shapes.models_source()
    checked = ["CheckedParent", "ChildOfChecked", "Child", "Either"]
    assert attached_checks(code) == {name: check_pointer(f"/components/schemas/{name}") for name in checked}


def test_the_check_of_the_most_derived_body_runs_on_its_payload(shapes: Imported) -> None:
    payload = {"tags": ["a"], "more": ["x", "x"]}
    assert shapes.verdicts("childofchecked", payload) == (False, False)
    assert accepts(shapes.models.CheckedParent, payload)  # its own check does not read `more`


def test_a_root_model_body_carries_its_check(shapes: Imported) -> None:
    assert shapes.verdicts("either", {"email": "e"}) == (True, True)
    assert shapes.verdicts("either", BOTH) == (False, False)


def test_a_body_whose_model_cannot_carry_its_check_is_a_warning(shapes: Imported) -> None:
    unchecked = [problem.message for problem in shapes.generated.warnings if "is not a class" in problem.message]
    assert unchecked == ["model Level is not a class: it cannot check what its schema's keywords say"]
