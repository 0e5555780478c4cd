"""The one walker: `$ref`s followed the same way everywhere, keywords told from property names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.spec import walk

from .specs import openapi, post, ref

# A payload that contains itself, through a list of children and a parent.
NODE = {
    "type": "object",
    "properties": {
        "parent": ref("Node"),
        "children": {"type": "array", "items": ref("Node")},
        "not": {"type": "string"},  # a property named like a keyword
    },
}


@pytest.mark.parametrize(
    ("node", "target"),
    [
        ({"$ref": "#/components/schemas/A"}, "/components/schemas/A"),
        ({"$ref": "#"}, ""),
        ({"$ref": "other.yaml#/A"}, None),
        ({"$ref": 3}, None),
        ({"type": "object"}, None),
        ("#/components/schemas/A", None),
    ],
)
def test_ref_target(node: Any, target: str | None) -> None:
    assert walk.ref_target(node) == target


def test_deref_follows_a_chain_and_keeps_siblings() -> None:
    document = {"a": {"$ref": "#/b", "title": "A"}, "b": {"type": "string", "title": "B"}}
    assert walk.deref(document, {"$ref": "#/a", "description": "d"}) == {
        "type": "string",
        "title": "A",  # the nearer sibling wins
        "description": "d",
    }
    assert walk.deref(document, {"type": "integer"}) == {"type": "integer"}
    assert walk.deref(document, None) is None


@pytest.mark.usefixtures("deadline")
def test_deref_stops_on_a_ref_cycle() -> None:
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "self": {"$ref": "#/self"}}
    assert walk.ref_target(walk.deref(document, {"$ref": "#/a"})) in {"/a", "/b"}
    assert walk.deref(document, {"$ref": "#/self"}) == {"$ref": "#/self"}


def test_deref_of_a_missing_target_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        walk.deref({}, {"$ref": "#/missing"})


def test_operations_in_spec_order_through_path_item_refs() -> None:
    document = openapi(
        {
            "z.first": {"put": {"operationId": "p"}, "post": {"operationId": "o"}, "parameters": []},
            "a.second": {"$ref": "#/components/pathItems/shared"},
            "empty": {"summary": "no operations", "get": "not an operation"},
        },
        components={"pathItems": {"shared": {"delete": {"operationId": "d"}}}},
    )
    found = [(key, method, operation["operationId"]) for key, method, operation in walk.operations(document)]
    assert found == [("z.first", "put", "p"), ("z.first", "post", "o"), ("a.second", "delete", "d")]
    assert walk.operations({"openapi": "3.1.0"}) == []


def test_body_contents_follows_request_body_refs() -> None:
    media = {"application/json": {"schema": {"type": "object"}}}
    document = {"components": {"requestBodies": {"Body": {"content": media}}}}
    assert walk.body_contents(document, {"requestBody": {"$ref": "#/components/requestBodies/Body"}}) == media
    assert walk.body_contents(document, {}) == {}
    assert walk.body_contents(document, {"requestBody": {"content": "not a map"}}) == {}


def test_local_refs_finds_every_local_ref_only() -> None:
    node = {"a": [{"$ref": "#/x"}, {"b": {"$ref": "#/y", "c": {"$ref": "#/z"}}}], "d": {"$ref": "other.yaml#/w"}}
    assert sorted(walk.local_refs(node)) == ["/x", "/y", "/z"]


@pytest.mark.usefixtures("deadline")
def test_reached_roots_are_the_subtrees_the_webhooks_reach() -> None:
    document = openapi(
        {"pet": post(ref("Pet"))},
        schemas={
            "Pet": {"properties": {"owner": ref("Owner"), "tag": {"$ref": "#/components/schemas/Tag/properties/x"}}},
            "Owner": {"properties": {"pet": ref("Pet"), "broken": ref("Missing")}},
            "Tag": {"properties": {"x": {"type": "string"}}},
            "Unused": {"properties": {"pet": ref("Pet")}},
        },
        paths={"/pets": {"get": {}}},
    )
    assert walk.reached_roots(document) == {
        "/webhooks",
        "/components/schemas/Pet",
        "/components/schemas/Owner",
        "/components/schemas/Tag/properties/x",
        "/components/schemas/Missing",
    }


def test_reached_roots_keep_the_outermost_subtree() -> None:
    # First a part of Tag is reached, then Tag whole: only Tag remains.
    document = openapi(
        {"a": post({"$ref": "#/components/schemas/Tag/properties/x"}), "b": post(ref("Tag"))},
        schemas={"Tag": {"properties": {"x": {"type": "string"}}}},
    )
    assert walk.reached_roots(document) == {"/webhooks", "/components/schemas/Tag"}


def test_webhook_document_keeps_only_what_the_webhooks_reach() -> None:
    document = openapi(
        {"pet": post(ref("Pet"))},
        schemas={"Pet": {"type": "object"}, "Unused": {"type": "string"}},
        paths={"/pets": {}},
        jsonSchemaDialect="https://spec.openapis.org/oas/3.1/dialect/base",
    )
    document["components"]["securitySchemes"] = {"basic": {"type": "http", "scheme": "basic"}}
    reached = walk.webhook_document(document, walk.reached_roots(document))
    assert reached == {
        "openapi": "3.1.0",
        "info": document["info"],
        "jsonSchemaDialect": document["jsonSchemaDialect"],
        "webhooks": document["webhooks"],
        "components": {"schemas": {"Pet": {"type": "object"}}},
    }


def test_map_schema_transforms_innermost_first_and_leaves_the_input_alone() -> None:
    schema = {
        "title": "root",
        "properties": {"items": {"title": "property named items"}, "list": {"items": {"title": "item"}}},
        "allOf": [{"title": "branch"}],
        "additionalProperties": False,
        "not": {"title": "not"},
    }
    before = copy.deepcopy(schema)
    seen: list[str] = []

    def mark(node: dict[str, Any]) -> dict[str, Any]:
        seen.append(node.get("title", "?"))
        return {**node, "seen": True}

    result = walk.map_schema(schema, mark)
    assert schema == before
    assert seen == ["property named items", "item", "?", "not", "branch", "root"]
    assert result["properties"]["items"] == {"title": "property named items", "seen": True}
    assert result["properties"]["list"]["items"]["seen"] is True
    assert result["additionalProperties"] is False
    assert walk.map_schema(True, mark) is True


def test_subschema_pointers_and_schema_children() -> None:
    schema = {
        "$ref": "#/components/schemas/Base",
        "properties": {"a/b": {}, "not": {}},
        "items": {"type": "string"},
        "additionalProperties": True,
        "oneOf": [{}, {}],
    }
    expected = ["/s/properties/a~1b", "/s/properties/not", "/s/items", "/s/oneOf/0", "/s/oneOf/1"]
    assert list(walk.subschema_pointers("/s", schema)) == expected
    assert list(walk.schema_children("/s", schema)) == ["/components/schemas/Base", *expected]


@pytest.mark.usefixtures("deadline")
def test_reachable_schemas_on_recursive_schemas_visits_each_once() -> None:
    document = openapi({}, schemas={"Node": NODE, "Unused": {"type": "string"}})
    found = [pointer for pointer, _ in walk.reachable_schemas(document, "/components/schemas/Node")]
    assert len(found) == len(set(found))
    assert set(found) == {
        "/components/schemas/Node",
        "/components/schemas/Node/properties/parent",
        "/components/schemas/Node/properties/children",
        "/components/schemas/Node/properties/children/items",
        "/components/schemas/Node/properties/not",
    }


def test_schema_users_walk_from_several_starts_once_and_lead_back_to_them() -> None:
    shared = {"type": "object", "properties": {"id": {"type": "integer"}}}
    document = openapi(
        {},
        schemas={
            "A": {"properties": {"s": ref("Shared")}},
            "B": {"items": ref("Shared")},
            "C": {"type": "string"},
            "Shared": shared,
        },
    )
    starts = ["/components/schemas/A", "/components/schemas/B", "/components/schemas/C"]
    reached, users = walk.schema_users(document, *starts)
    alone = {at for start in starts for at, _ in walk.reachable_schemas(document, start)}
    assert set(reached) == alone
    id_pointer = "/components/schemas/Shared/properties/id"
    assert walk.leading_to(users, id_pointer) & set(starts) == {"/components/schemas/A", "/components/schemas/B"}
    assert walk.leading_to(users, "/components/schemas/C") == {"/components/schemas/C"}


@pytest.mark.usefixtures("deadline")
def test_reachable_schemas_on_a_pure_ref_cycle_terminates() -> None:
    document = {"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/c"}}
    assert [pointer for pointer, _ in walk.reachable_schemas(document, "/a")] == ["/a", "/b"]
    assert [pointer for pointer, _ in walk.reachable_schemas(document, "/c")] == ["/c"]


@pytest.mark.usefixtures("deadline")
def test_inline_refs_unrolls_recursion_then_cuts_it() -> None:
    document = openapi({}, schemas={"Node": NODE})
    inlined = walk.inline_refs(document, ref("Node"), depth=2)
    parent = inlined["properties"]["parent"]
    assert parent["properties"]["parent"] is False
    assert parent["properties"]["children"]["items"] is False
    assert "$ref" not in str(inlined)


def test_inline_refs_keeps_siblings_beside_the_target() -> None:
    document = openapi({}, schemas={"Name": {"type": "string"}})
    assert walk.inline_refs(document, {"$ref": "#/components/schemas/Name", "description": "d"}) == {
        "allOf": [{"type": "string"}],
        "description": "d",
    }


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("#/components/schemas/Pet", "Pet"),
        ("#/components/schemas/a~1b", "a/b"),
        ("#/components/schemas/c~0d", "c~d"),
        ("#/components/schemas/Pet/properties/x", None),
        ("#/components/requestBodies/Pet", None),
        ("other.yaml#/components/schemas/Pet", None),
        (None, None),
    ],
)
def test_component_ref_name(reference: object, name: str | None) -> None:
    assert walk.component_ref_name(reference) == name
