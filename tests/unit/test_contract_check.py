"""Which body schemas need the contract check, what the check holds, and how it is attached to a model class."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from generator.models.contract_check import (
    GUARD_ATTRIBUTE,
    attached_checks,
    body_checks,
    check_pointer,
    contract_document,
    guarded_bodies,
)
from generator.models.contract_shares import contract_share
from generator.spec.pointers import fragment

from .specs import ref

A = {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "a"}}}
B = {"type": "object", "properties": {"kind": {"const": "b"}}}  # does not require the tag
SCHEMAS: dict[str, Any] = {
    "A": A,
    "B": B,
    "Plain": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "self": {"anyOf": [ref("Plain"), {"type": "null"}]}},
    },
    "Tagged": {"oneOf": [ref("A")], "discriminator": {"propertyName": "kind"}},
    "Untagged": {"oneOf": [ref("A"), ref("B")], "discriminator": {"propertyName": "kind"}},
    "OrNull": {"oneOf": [ref("A"), {"type": "null"}]},
    "AnyOfAlone": {"anyOf": [ref("A"), ref("B")]},
    "AnyOfBeside": {"anyOf": [ref("A"), ref("B")], "type": ["object", "null"]},
    "Deep": {
        "type": "object",
        "properties": {
            "x": {"type": "object", "properties": {"y": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}},
            "z": {"type": "string"},
        },
    },
    "Node": {"type": "object", "properties": {"next": ref("Node"), "tags": {"type": "array", "uniqueItems": True}}},
    "a/b %25": {"type": "object", "properties": {"v": {"not": {"const": 0}}}},
    # What datamodel-code-generator's models read more widely than the schema (contract_check._read_more_widely).
    "Level": {"type": "object", "properties": {"level": {"type": "integer", "enum": [2, 3]}}},
    "Flag": {"type": "object", "properties": {"flag": {"const": True}}},
    "Shape": {"type": "object", "properties": {"point": {"const": {"x": 1}}}},
    "Words": {"type": "object", "properties": {"word": {"type": "string", "enum": ["a", "b"]}}},
    "Closed": {"type": "object", "properties": {"a": {**ref("A"), "additionalProperties": False}}},
    "RefNull": {"type": "object", "properties": {"a": {**ref("A"), "type": ["object", "null"]}}},
    "EnumNull": {"type": "object", "properties": {"e": {"type": ["string", "null"], "enum": ["a"]}}},
    "EnumWithNull": {"type": "object", "properties": {"e": {"type": ["string", "null"], "enum": ["a", None]}}},
    "Ghost": {"type": "object", "required": ["ghost"], "properties": {"a": {"type": "string"}}},
    "Never": {"type": "object", "properties": {"gone": False}},
    "TypelessMap": {"type": "object", "properties": {"m": {"additionalProperties": {"type": "string"}}}},
    # Tagged: every branch requires the tag, but B2 does not pin it, so {"kind": "a"} can match both.
    "B2": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
    "Unpinned": {"oneOf": [ref("A"), ref("B2")], "discriminator": {"propertyName": "kind"}},
    "B3": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["b"]}}},
    "Pinned": {"oneOf": [ref("A"), ref("B3")], "discriminator": {"propertyName": "kind"}},
}
CONTRACT = {"components": {"schemas": SCHEMAS}}


@pytest.mark.parametrize(
    ("body", "guarded"),
    [
        ("Plain", False),
        ("Tagged", False),  # a discriminator every branch requires picks exactly one
        ("OrNull", False),  # X | None
        ("AnyOfAlone", False),  # a union
        ("Untagged", True),
        ("AnyOfBeside", True),
        ("Deep", True),
        ("Node", True),
        ("a/b %25", True),
        ("Level", True),
        ("Flag", True),
        ("Shape", True),
        ("Words", False),
        ("Closed", True),
        ("RefNull", True),
        ("EnumNull", True),
        ("EnumWithNull", False),
        ("Ghost", True),
        ("Never", True),
        ("TypelessMap", True),
        ("Unpinned", True),
        ("Pinned", False),
    ],
)
def test_which_bodies_need_the_check(body: str, guarded: bool) -> None:
    guards = guarded_bodies(CONTRACT, [body])
    assert bool(guards.bodies) is guarded


def test_guards_name_bodies_by_escaped_pointer_and_every_schema_on_the_way() -> None:
    guards = guarded_bodies(CONTRACT, ["Plain", "Deep", "a/b %25", "Deep"])
    assert guards.bodies == {"Deep": "/components/schemas/Deep", "a/b %25": "/components/schemas/a~1b %25"}
    assert guards.needing == {
        "/components/schemas/Deep",
        "/components/schemas/Deep/properties/x",
        "/components/schemas/Deep/properties/x/properties/y",
        "/components/schemas/a~1b %25",
        "/components/schemas/a~1b %25/properties/v",
        "/components/schemas/a~1b %25/properties/v/not",  # `const: 0`: Literal[0] would read false
    }


def check_validator(document: dict[str, Any], body_pointer: str) -> jsonschema.Draft202012Validator:
    """The validator a generated package builds for a body's check (as `_contract.py` does)."""
    uri = "urn:hookgen:contract"
    registry: Registry[Any] = Registry().with_resource(uri, Resource.from_contents(document, DRAFT202012))
    return jsonschema.Draft202012Validator({"$ref": uri + fragment(check_pointer(body_pointer))}, registry=registry)


@pytest.mark.usefixtures("deadline")
@pytest.mark.parametrize(
    ("body", "payload", "valid"),
    [
        ("Deep", {"x": {"y": "s"}}, True),
        ("Deep", {"x": {"y": 1.5}}, False),  # neither branch of the oneOf
        ("Deep", {"x": {"y": "s"}, "z": 3}, True),  # `z` is the model's to check, not the contract check's
        ("Node", {"next": {"next": {"tags": [1, 2]}}}, True),
        ("Node", {"next": {"next": {"tags": [1, 1]}}}, False),  # recursion followed
        ("a/b %25", {"v": 1}, True),
        ("a/b %25", {"v": 0}, False),  # the check's $refs are percent-encoded fragments
    ],
)
def test_the_contract_document_checks_what_the_model_cannot(body: str, payload: Any, valid: bool) -> None:
    guards = guarded_bodies(CONTRACT, SCHEMAS)
    document = contract_document(CONTRACT, guards, frozenset({"date-time"}))
    assert document["components"] == CONTRACT["components"]
    assert document["assertedFormats"] == ["date-time"]
    assert check_validator(document, guards.bodies[body]).is_valid(payload) is valid
    # The body's share of the contract, all a generated package reads for it, says the same.
    share = contract_share(document, [check_pointer(guards.bodies[body])])
    assert len(json.dumps(share)) < len(json.dumps(document)) / 2
    assert check_validator(share, guards.bodies[body]).is_valid(payload) is valid


def test_a_share_holds_what_its_checks_reach_in_the_document_s_order() -> None:
    guards = guarded_bodies(CONTRACT, ["Deep", "Node", "Closed"])
    document = contract_document(CONTRACT, guards, frozenset({"date-time"}))
    share = contract_share(document, [check_pointer(guards.bodies["Closed"]), check_pointer(guards.bodies["Node"])])
    assert share["assertedFormats"] == ["date-time"]
    # Closed's check refers to Closed, whose property refers to A; Node's refers to itself. Deep is no one's.
    assert list(share["components"]["schemas"]) == ["A", "Node", "Closed"]
    assert all(share["components"]["schemas"][name] == SCHEMAS[name] for name in ["A", "Node", "Closed"])
    assert list(share["$defs"]) == [key for key in document["$defs"] if not key.startswith("/components/schemas/Deep")]


@pytest.mark.parametrize("ref_to", ["#anchor", "other.json#/components/schemas/A", "#/elsewhere", "#"])
def test_a_share_of_a_document_with_a_reference_it_does_not_follow_is_the_whole_document(ref_to: str) -> None:
    guards = guarded_bodies(CONTRACT, ["Deep", "Node"])
    document = copy.deepcopy(contract_document(CONTRACT, guards, frozenset()))
    node = check_pointer(guards.bodies["Node"])
    assert contract_share(document, [node]) != document
    document["components"]["schemas"]["Node"] = {**SCHEMAS["Node"], "properties": {"odd": {"$ref": ref_to}}}
    assert contract_share(document, [node]) == document
    assert contract_share(document, [check_pointer(guards.bodies["Deep"])]) != document


MODELS = f"""\
from __future__ import annotations

from pydantic import BaseModel

from ._contract import contract_check


class Deep(BaseModel):
    {GUARD_ATTRIBUTE} = contract_check("/$defs/~1components~1schemas~1Deep")
    z: str | None = None


class Plain(BaseModel):
    other = contract_check("/not/the/guard")


Alias = int
"""


def test_body_checks_name_each_guarded_body_with_its_check_pointer() -> None:
    checks = body_checks(guarded_bodies(CONTRACT, SCHEMAS))
    assert checks["Deep"] == check_pointer("/components/schemas/Deep") == "/$defs/~1components~1schemas~1Deep"
    assert "Plain" not in checks


def test_attached_checks_reads_back_the_classes_that_carry_one() -> None:
    assert attached_checks(MODELS) == {"Deep": "/$defs/~1components~1schemas~1Deep"}
