"""OpenAPI 3.0 documents, and `x-webhooks` in any 3.x, read as the OpenAPI 3.1 document their authors meant."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from generator.errors import Level, Problem
from generator.spec.bundle import Bundle, bundle
from generator.spec.upgrade import numeric_bounds, upgrade
from generator.spec.validate import validate

from .conftest import WriteFiles
from .specs import body_pointer, line_of, openapi, post, ref


def upgraded(write: WriteFiles, files: dict[str, Any]) -> tuple[Bundle, list[Problem]]:
    bundled, problems = bundle(write(files))
    assert bundled is not None
    assert problems == []
    return upgrade(bundled)


def openapi_30(webhooks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An OpenAPI 3.0 document whose webhooks are written as `x-webhooks`."""
    document = openapi({}, **extra)
    del document["webhooks"]
    return {**document, "openapi": "3.0.3", "x-webhooks": webhooks}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({"type": "string", "nullable": True}, {"type": ["string", "null"]}),
        ({"type": "string", "nullable": False}, {"type": "string"}),
        ({"type": "string", "enum": ["a"], "nullable": True}, {"type": ["string", "null"], "enum": ["a", None]}),
        (
            {"description": "d", "$ref": "#/components/schemas/Pet", "nullable": True},
            {"description": "d", "anyOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "null"}]},
        ),
        ({"type": "integer", "minimum": 1, "exclusiveMinimum": True}, {"type": "integer", "exclusiveMinimum": 1}),
        ({"type": "integer", "minimum": 1, "exclusiveMinimum": False}, {"type": "integer", "minimum": 1}),
        ({"maximum": 9, "exclusiveMaximum": True, "minimum": 0}, {"exclusiveMaximum": 9, "minimum": 0}),
        ({"type": "integer", "exclusiveMaximum": True}, {"type": "integer"}),
        ({"type": "string", "example": "x"}, {"type": "string", "examples": ["x"]}),
        ({"type": "object", "example": {"a": 1}}, {"type": "object", "examples": [{"a": 1}]}),
    ],
)
def test_a_3_0_schema_becomes_what_3_1_says_for_it(write: WriteFiles, source: Any, expected: Any) -> None:
    document = openapi_30(
        {"w": post({"type": "object", "properties": {"p": source}})}, components={"schemas": {"Pet": {}}}
    )
    result, _ = upgraded(write, {"openapi.yaml": document})
    properties = result.document["webhooks"]["w"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert properties["properties"]["p"] == expected


def test_numeric_bounds_keep_the_bound_where_it_was() -> None:
    schema = {"minimum": 1, "type": "number", "exclusiveMinimum": True}
    assert list(numeric_bounds(schema)) == ["exclusiveMinimum", "type"]


def test_the_whole_3_0_document_is_rewritten_once_with_one_warning_counting_each_kind(write: WriteFiles) -> None:
    schemas = {
        "Pet": {"type": "object", "nullable": True, "properties": {"n": {"type": "integer", "example": 3}}},
        "Age": {"type": "integer", "minimum": 0, "exclusiveMinimum": True, "nullable": True},
    }
    document = openapi_30({"w": post(ref("Pet")), "x-internal": True}, components={"schemas": schemas})
    source = copy.deepcopy(document)
    result, problems = upgraded(write, {"openapi.yaml": document})
    assert result.document["openapi"] == "3.1.0"
    assert "x-webhooks" not in result.document
    assert list(result.document["webhooks"]) == ["w"]
    assert result.document["components"]["schemas"]["Age"] == {"type": ["integer", "null"], "exclusiveMinimum": 0}
    assert [(p.pointer, p.level, p.line) for p in problems] == [("/openapi", Level.WARNING, 1)]
    assert problems[0].message == (
        "OpenAPI 3.0.3 document read as OpenAPI 3.1.0: `x-webhooks` -> `webhooks`, "
        "`example` in a schema -> `examples` (1), boolean `exclusiveMinimum`/`exclusiveMaximum` -> numeric (1), "
        "vendor extensions among `x-webhooks` dropped (1), `nullable: true` -> a `null` type (2)"
    )
    assert document == source  # the loaded document is never changed


def test_a_3_1_document_is_left_as_it_is(write: WriteFiles) -> None:
    document = openapi({"w": post({"type": "string", "nullable": True, "example": "x"})})
    bundled, _ = bundle(write({"openapi.yaml": document}))
    assert bundled is not None
    assert upgrade(bundled) == (bundled, [])


def test_x_webhooks_in_a_3_1_document_is_read_as_webhooks_and_only_that(write: WriteFiles) -> None:
    document = openapi_30({"w": post({"type": "string", "nullable": True})})
    document["openapi"] = "3.1.0"
    result, problems = upgraded(write, {"openapi.yaml": document})
    schema = result.document["webhooks"]["w"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"type": "string", "nullable": True}
    assert [p.message for p in problems] == ["OpenAPI 3.1.0 document read as OpenAPI 3.1.0: `x-webhooks` -> `webhooks`"]


def test_a_webhook_written_as_a_callback_becomes_its_path_item(write: WriteFiles) -> None:
    document = openapi_30({"inbound": {"{$request.body#/callback}": post({"type": "string"})}})
    result, _ = upgraded(write, {"openapi.yaml": document})
    assert result.document["webhooks"] == {"inbound": post({"type": "string"})}


def test_problems_in_an_upgraded_document_point_at_the_source_lines(write: WriteFiles) -> None:
    pet = {"type": "object", "nullable": True, "required": ["name"], "properties": {"name": {"type": 5}}}
    document = openapi_30({"w": post(ref("Pet")), "empty": {"summary": "no operation"}})
    path = write({"openapi.yaml": document, "pet.yaml": pet})
    text = path.read_text(encoding="utf-8").replace("'#/components/schemas/Pet'", "pet.yaml")
    path.write_text(text, encoding="utf-8")
    bundled, _ = bundle(path)
    assert bundled is not None
    result, _ = upgrade(bundled)
    _, problems = validate(result)
    assert [(p.file, p.line, p.pointer) for p in problems] == [
        ("openapi.yaml", line_of(path, "summary: no operation"), "/x-webhooks/empty"),
    ]
    reached, problems = validate(replace_webhooks(result))
    assert reached is not None
    assert [(p.file, p.line) for p in problems if p.level is Level.ERROR] == [
        ("pet.yaml", line_of(path.parent / "pet.yaml", "type: 5"))
    ]


def replace_webhooks(result: Bundle) -> Bundle:
    """The bundle without its operation-less webhook, so that validation goes on to the schemas."""
    webhooks = {k: v for k, v in result.document["webhooks"].items() if k != "empty"}
    return Bundle({**result.document, "webhooks": webhooks}, result.origins, result.sources)


def test_a_3_0_document_without_webhooks_is_refused_after_the_upgrade(write: WriteFiles) -> None:
    result, _ = upgraded(write, {"openapi.yaml": openapi_30({})})
    reached, problems = validate(result)
    assert reached is None
    assert [p.message for p in problems] == ["`webhooks` is empty: there is nothing to generate"]


def test_a_missing_file_under_x_webhooks_is_an_error_where_the_webhooks_reach_it(write: WriteFiles) -> None:
    body = body_pointer("w").replace("/webhooks", "/x-webhooks", 1) + "/$ref"
    document = openapi_30({"w": post({"$ref": "absent.yaml"})})
    _, problems = bundle(write({"openapi.yaml": document}))
    assert [(p.pointer, p.level) for p in problems] == [(body, Level.ERROR)]


def test_a_missing_file_in_a_webhook_response_is_a_warning(write: WriteFiles) -> None:
    document = openapi_30({"w": post({"type": "string"}, responses={"200": {"$ref": "absent.yaml"}})})
    _, problems = bundle(write({"openapi.yaml": document}))
    assert [(p.pointer, p.level) for p in problems] == [("/x-webhooks/w/post/responses/200/$ref", Level.WARNING)]
