"""The rewrites that make datamodel-code-generator's models type well, and the contract schemas they leave alone."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.models.normalize import (
    NON_OBJECT_TYPES,
    for_contract,
    is_loose_object,
    is_pure_union,
    normalize,
    tags_every_branch,
    without_extensions,
)
from generator.spec.upgrade import with_null_for_nullable

from .specs import ref

NOT_AN_OBJECT = {"type": NON_OBJECT_TYPES}


def test_vendor_extensions_are_dropped_everywhere_but_properties_named_x_stay() -> None:
    schemas = {
        "Event": {
            "type": "object",
            "x-enum-descriptions": ["crashes the generator"],
            "properties": {
                "x-request-id": {"type": "string", "x-internal": True},
                "items": {"type": "array", "items": {"type": "integer", "x-format": "cents"}},
            },
        }
    }
    expected = {
        "Event": {
            "type": "object",
            "properties": {
                "x-request-id": {"type": "string"},
                "items": {"type": "array", "items": {"type": "integer"}},
            },
        }
    }
    assert normalize(schemas) == expected
    assert for_contract(schemas) == expected


def test_without_extensions() -> None:
    assert without_extensions({"type": "string", "x-a": 1, "xa": 2}) == {"type": "string", "xa": 2}


@pytest.mark.parametrize(
    ("schema", "loose"),
    [
        ({"properties": {"a": {}}}, True),
        ({"properties": {"a": {}}, "description": "d", "required": ["a"]}, True),
        ({"properties": {"a": {}}, "type": "object"}, False),
        ({"properties": {"a": {}}, "allOf": [{}]}, False),
        ({"properties": {"a": {}}, "$ref": "#/components/schemas/X"}, False),
        ({"type": "object"}, False),
        (True, False),
    ],
)
def test_is_loose_object(schema: Any, loose: bool) -> None:
    assert is_loose_object(schema) is loose


def test_a_loose_object_is_typed_and_every_place_using_it_also_takes_non_objects() -> None:
    schemas = {
        "Wrapper": {"properties": {"value": {"type": "string"}}},
        "Event": {
            "type": "object",
            "properties": {
                "one": {**ref("Wrapper"), "description": "kept beside the union"},
                "inline": {"properties": {"b": {"type": "integer"}}},
                "many": {"type": "array", "items": ref("Wrapper")},
                "map": {"type": "object", "additionalProperties": ref("Wrapper")},
                "either": {"anyOf": [ref("Wrapper"), {"type": "integer"}]},
            },
        },
    }
    normalized = normalize(schemas)
    assert normalized["Wrapper"] == {"properties": {"value": {"type": "string"}}, "type": "object"}
    assert normalized["Event"]["properties"] == {
        "one": {"description": "kept beside the union", "anyOf": [ref("Wrapper"), NOT_AN_OBJECT]},
        "inline": {"anyOf": [{"properties": {"b": {"type": "integer"}}, "type": "object"}, NOT_AN_OBJECT]},
        "many": {"type": "array", "items": {"anyOf": [ref("Wrapper"), NOT_AN_OBJECT]}},
        "map": {"type": "object", "additionalProperties": {"anyOf": [ref("Wrapper"), NOT_AN_OBJECT]}},
        "either": {"anyOf": [{"anyOf": [ref("Wrapper"), NOT_AN_OBJECT]}, {"type": "integer"}]},
    }
    assert for_contract(schemas) == schemas  # the contract means what the source means


def test_a_typed_object_is_not_widened() -> None:
    schemas = {
        "Typed": {"type": "object", "properties": {}},
        "Event": {"properties": {"t": ref("Typed")}, "type": "object"},
    }
    assert normalize(schemas) == schemas


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        ({"type": ["string", "integer"], "nullable": True}, {"type": ["string", "integer", "null"]}),
        ({"type": ["string", "null"], "nullable": True}, {"type": ["string", "null"]}),
        ({"type": "string", "enum": ["a"], "nullable": True}, {"type": ["string", "null"], "enum": ["a", None]}),
        ({"type": "string", "enum": ["a", None], "nullable": True}, {"type": ["string", "null"], "enum": ["a", None]}),
        (
            {**ref("Money"), "title": "T", "description": "D", "nullable": True},
            {"title": "T", "description": "D", "anyOf": [ref("Money"), {"type": "null"}]},
        ),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        ({"type": "string"}, {"type": "string"}),
    ],
)
def test_nullable_true_accepts_null(schema: dict[str, Any], expected: dict[str, Any]) -> None:
    assert with_null_for_nullable(schema) == expected


def test_nullable_is_read_in_nested_schemas_for_models_and_contract_alike() -> None:
    schemas = {"Event": {"type": "object", "properties": {"note": {"type": "string", "nullable": True}}}}
    expected = {"Event": {"type": "object", "properties": {"note": {"type": ["string", "null"]}}}}
    assert normalize(schemas) == expected
    assert for_contract(schemas) == expected


def kind(value: str, *, required: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"kind": {"const": value}},
        **({"required": ["kind"]} if required else {}),
    }


def union(*names: str) -> dict[str, Any]:
    return {"oneOf": [ref(name) for name in names], "discriminator": {"propertyName": "kind"}}


def test_a_discriminator_every_branch_requires_is_kept() -> None:
    schemas = {
        "A": kind("a", required=True),
        "B": {"allOf": [ref("Base"), {"properties": {"kind": {"const": "b"}}}]},  # required through allOf
        "C": ref("A"),  # required through a $ref
        "Base": {"type": "object", "required": ["kind"]},
        "Union": union("A", "B", "C"),
    }
    assert tags_every_branch(schemas["Union"], schemas)
    assert normalize(schemas)["Union"] == schemas["Union"]


def test_a_discriminator_some_branch_does_not_require_is_dropped_for_the_models_only() -> None:
    schemas = {"A": kind("a", required=True), "B": kind("b", required=False), "Union": union("A", "B")}
    assert not tags_every_branch(schemas["Union"], schemas)
    assert normalize(schemas)["Union"] == {"oneOf": [ref("A"), ref("B")]}
    assert for_contract(schemas)["Union"] == schemas["Union"]


def test_a_discriminator_some_branch_does_not_pin_is_dropped_for_the_models_only() -> None:
    # datamodel-code-generator would tag B with its schema's name, `Literal["B"]`, refusing every other kind.
    loose = {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}}
    schemas = {"A": kind("a", required=True), "B": loose, "Union": union("A", "B")}
    assert not tags_every_branch(schemas["Union"], schemas)
    assert normalize(schemas)["Union"] == {"oneOf": [ref("A"), ref("B")]}
    assert for_contract(schemas)["Union"] == schemas["Union"]
    pinned = {**loose, "properties": {"kind": {"type": "string", "enum": ["b", "c"]}}}
    assert tags_every_branch(schemas["Union"], {**schemas, "B": pinned})


@pytest.mark.usefixtures("deadline")
def test_a_self_referencing_branch_does_not_loop() -> None:
    loop = {"allOf": [ref("Loop"), {"properties": {"kind": {"const": "loop"}}}], "required": ["kind"]}
    schemas = {"Loop": loop, "Union": union("Loop")}
    assert tags_every_branch(schemas["Union"], schemas)
    assert not tags_every_branch({"oneOf": [ref("Loop")]}, schemas)  # no discriminator


def test_a_restated_property_is_kept_in_the_branch_that_says_more() -> None:
    detailed = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    schemas = {
        "Base": {"type": "object", "properties": {"data": {"type": "object"}, "kind": {"type": "string"}}},
        "Event": {"allOf": [ref("Base"), {"properties": {"data": detailed, "kind": {"description": "vaguer"}}}]},
    }
    before = copy.deepcopy(schemas)
    merged = normalize(schemas)["Event"]["allOf"]
    assert merged == [
        # `data` says more in the later branch, `kind` in the earlier one.
        {"type": "object", "properties": {"kind": {"type": "string"}}},
        {"properties": {"data": detailed}},
    ]
    assert normalize(schemas)["Base"] == schemas["Base"]  # the component itself is unchanged
    assert for_contract(schemas) == schemas
    assert schemas == before


def test_a_restated_property_in_inline_branches() -> None:
    event = {
        "allOf": [
            {"properties": {"data": {"type": "object"}, "id": {"type": "string"}}},
            {"properties": {"data": {"type": "object", "properties": {"x": {"type": "integer"}}}}},
        ]
    }
    assert normalize({"Event": event})["Event"]["allOf"] == [
        {"properties": {"id": {"type": "string"}}},
        event["allOf"][1],
    ]


def test_a_ref_with_siblings_is_not_rewritten_as_a_branch() -> None:
    schemas = {
        "Base": {"type": "object", "properties": {"data": {"type": "object"}}},
        "Event": {
            "allOf": [
                {**ref("Base"), "description": "not a bare reference"},
                {"properties": {"data": {"type": "object", "properties": {"x": {"type": "integer"}}}}},
            ]
        },
    }
    assert normalize(schemas)["Event"] == schemas["Event"]


def test_normalize_does_not_change_its_input() -> None:
    schemas = {
        "Wrapper": {"properties": {"v": {"type": "string", "nullable": True}}, "x-a": 1},
        "Union": union("Wrapper"),
        "List": {"type": "array", "items": ref("Wrapper")},
    }
    before = copy.deepcopy(schemas)
    normalize(schemas)
    for_contract(schemas)
    assert schemas == before


def _holder(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def test_a_use_of_a_pure_union_is_the_union_itself_and_only_a_property_keeps_its_tag() -> None:
    tagged = union("A", "B")
    schemas = {
        "A": kind("a", required=True),
        "B": kind("b", required=True),
        "Union": tagged,
        "Holder": _holder(
            one={**ref("Union"), "description": "The one."},
            titled={**ref("Union"), "title": "T"},  # a title is also copied for the document (`x-title`)
            maybe={"anyOf": [ref("Union"), {"type": "null"}]},
            many={"type": "array", "items": ref("Union")},
            by_name={"type": "object", "additionalProperties": ref("Union")},
            either={"oneOf": [ref("Union"), {"type": "string"}]},
        ),
    }
    branches = [ref("A"), ref("B")]
    assert normalize(schemas)["Holder"]["properties"] == {
        "one": {**tagged, "description": "The one."},
        "titled": {**tagged, "title": "T", "x-title": "T"},
        "maybe": {"anyOf": [*branches, {"type": "null"}]},
        "many": {"type": "array", "items": {"oneOf": branches}},
        "by_name": {"type": "object", "additionalProperties": {"oneOf": branches}},
        "either": {"oneOf": [{"oneOf": branches}, {"type": "string"}]},
    }
    assert normalize(schemas)["Union"] == tagged  # the component keeps its class (a body may be it)
    assert for_contract(schemas)["Holder"] == schemas["Holder"]


def test_a_union_whose_words_a_place_would_lose_stays_a_reference() -> None:
    described = {"description": "How it was paid.", "oneOf": [ref("A"), ref("B")]}
    schemas = {
        "A": kind("a", required=True),
        "B": kind("b", required=True),
        "Union": described,
        "Holder": _holder(
            same=ref("Union"),
            other={**ref("Union"), "description": "Another text."},
            many={"type": "array", "items": ref("Union")},
        ),
    }
    properties = normalize(schemas)["Holder"]["properties"]
    assert properties["same"] == described
    assert properties["other"] == {**ref("Union"), "description": "Another text."}
    assert properties["many"] == {"type": "array", "items": ref("Union")}


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "object", "properties": {"a": {"type": "string"}}}, ref("A")]},  # an inline object
        {"oneOf": [{"type": "string", "enum": ["x"]}, ref("A")]},  # an inline enum
        {"oneOf": [ref("A"), ref("B")], "required": ["kind"]},  # more than a union
        {"oneOf": [ref("A")]},  # one branch
        {"allOf": [ref("A"), ref("B")]},
    ],
)
def test_what_is_not_a_pure_union_is_left_a_reference(schema: dict[str, Any]) -> None:
    assert not is_pure_union(schema)
    schemas = {"A": kind("a", required=True), "B": kind("b", required=True), "U": schema, "Holder": _holder(u=ref("U"))}
    assert normalize(schemas)["Holder"]["properties"]["u"] == ref("U")


@pytest.mark.usefixtures("deadline")
def test_a_union_that_uses_itself_is_copied_once_along_a_path() -> None:
    schemas = {
        "Tree": {"oneOf": [ref("Leaf"), ref("Node")]},
        "Leaf": {"type": "string"},
        "Node": _holder(children={"type": "array", "items": ref("Tree")}),
        "Holder": _holder(tree=ref("Tree")),
    }
    assert is_pure_union(schemas["Tree"])
    assert normalize(schemas)["Holder"]["properties"]["tree"] == schemas["Tree"]


def test_boolean_component_schemas_pass_through() -> None:
    """`true` and `false` are schemas too (a body of `false` refuses everything): found by tests/test_any_spec.py."""
    assert normalize({"Nothing": False, "Anything": True}) == {"Nothing": False, "Anything": True}
