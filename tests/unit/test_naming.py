"""Titled inline object branches of a union are moved to a component of their title's name (models only)."""

from __future__ import annotations

from typing import Any

from generator.models.codegen import generate_models
from generator.models.naming import titled_branches_named
from generator.models.prepare import prepare

from .specs import openapi, post, ref


def _titled(title: str) -> dict[str, Any]:
    return {"title": title, "type": "object", "properties": {"a": {"type": "string"}}}


def test_a_branch_takes_its_title_unless_shared_or_taken_then_its_place_and_its_title() -> None:
    schemas = {
        "Holder": {
            "type": "object",
            "properties": {
                "u": {"oneOf": [_titled("Shared"), _titled("Own"), _titled("Taken")]},
                "v": {"items": {"anyOf": [_titled("shared"), _titled("Own too")]}},
            },
        },
        "Taken": {"type": "string"},
    }
    named, moved = titled_branches_named(schemas)
    properties = named["Holder"]["properties"]
    assert properties["u"] == {"oneOf": [ref("HolderUShared"), ref("Own"), ref("HolderUTaken")]}
    assert properties["v"] == {"items": {"anyOf": [ref("HolderVShared"), ref("OwnToo")]}}
    assert named["HolderVShared"] == _titled("shared") and named["Taken"] == {"type": "string"}
    assert moved["HolderUShared"] == "/components/schemas/Holder/properties/u/oneOf/0"
    assert moved["OwnToo"] == "/components/schemas/Holder/properties/v/items/anyOf/1"
    assert schemas["Holder"]["properties"]["u"]["oneOf"][0] == _titled("Shared")  # the input is not changed


def test_a_branch_stays_when_alone_untitled_pointed_into_or_of_allof() -> None:
    untitled = {"type": "object", "properties": {"b": {}}}
    schemas = {
        "Alone": {"oneOf": [_titled("Lone"), {"type": "string", "title": "Text"}]},
        "Untitled": {"anyOf": [untitled, _titled("Named")]},
        "Pointed": {"oneOf": [_titled("Target"), _titled("Other")]},
        "User": {"$ref": "#/components/schemas/Pointed/oneOf/0/properties/a"},
        "Merged": {"allOf": [_titled("One"), _titled("Two")]},
        "Mapped": {
            "oneOf": [_titled("Cat"), _titled("Dog")],
            "discriminator": {"propertyName": "a", "mapping": {"c": "#/components/schemas/Mapped/oneOf/0"}},
        },
    }
    named, moved = titled_branches_named(schemas)
    assert named["Alone"] == schemas["Alone"]
    assert named["Untitled"] == {"anyOf": [untitled, ref("Named")]}
    assert named["Pointed"] == {"oneOf": [_titled("Target"), ref("Other")]}
    assert named["Merged"] == schemas["Merged"]
    assert named["Mapped"]["oneOf"] == [_titled("Cat"), ref("Dog")]
    assert set(moved) == {"Named", "Other", "Dog"}


def test_a_moved_branch_is_read_in_turn_and_keeps_its_source_pointer() -> None:
    inner = {"oneOf": [_titled("Deep"), _titled("Deeper")]}
    outer = {"title": "Outer", "type": "object", "properties": {"inner": inner}}
    named, moved = titled_branches_named({"Top": {"oneOf": [outer, _titled("Side")]}})
    assert named["Outer"]["properties"]["inner"] == {"oneOf": [ref("Deep"), ref("Deeper")]}
    assert moved["Deep"] == "/components/schemas/Top/oneOf/0/properties/inner/oneOf/0"


def test_a_number_left_inside_a_moved_branch_is_warned_where_the_branch_stands_in_the_source() -> None:
    untitled = {"type": "object", "required": ["b"], "properties": {"b": {"type": "string"}}}
    outer = {
        "title": "Outer",
        "type": "object",
        "properties": {"inner": {"oneOf": [untitled, {**untitled, "required": ["a"]}]}},
    }
    document = openapi({"top": post(ref("Top"))}, schemas={"Top": {"oneOf": [outer, _titled("Side")]}})
    models, problems = generate_models(prepare(document))
    assert models is not None
    assert [(p.rule, p.pointer) for p in problems] == [
        ("numbered-name", "/components/schemas/Top/oneOf/0/properties/inner/oneOf/1")
    ]
