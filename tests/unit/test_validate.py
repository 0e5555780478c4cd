"""Validation levels: what stops generation is an error, benign findings are warnings until strict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from generator.errors import Level, Problem
from generator.spec import pointers
from generator.spec import validate as validate_module
from generator.spec.bundle import bundle
from generator.spec.load import load_file
from generator.spec.validate import validate

from .conftest import WriteFiles
from .specs import body_pointer, line_of, openapi, post, ref


def validated(write: WriteFiles, document: Any, *, strict: bool = False) -> tuple[Any, list[Problem]]:
    bundled, problems = bundle(write({"openapi.yaml": document}), strict=strict)
    assert bundled is not None
    assert problems == []
    return validate(bundled, strict=strict)


def findings(write: WriteFiles, schema: dict[str, Any], *, strict: bool = False) -> list[tuple[str, Level]]:
    """(pointer below the body schema, level) of every finding about a webhook whose body is `schema`."""
    reached, problems = validated(write, openapi({"w": post(schema)}), strict=strict)
    assert reached is not None
    at = body_pointer("w")
    return [(p.pointer.removeprefix(at), p.level) for p in problems]


def test_a_valid_spec_gives_the_reached_document_and_no_problems(write: WriteFiles) -> None:
    document = openapi(
        {"pet": post(ref("Pet"))},
        schemas={"Pet": {"type": "object"}, "Unused": {"type": "strin"}},  # unreached: not checked
        paths={"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}},
    )
    reached, problems = validated(write, document)
    assert problems == []
    assert reached == {
        "openapi": "3.1.0",
        "info": document["info"],
        "webhooks": document["webhooks"],
        "components": {"schemas": {"Pet": {"type": "object"}}},
    }


@pytest.mark.parametrize(
    ("document", "pointer", "message"),
    [
        (["a", "list"], "", "not an OpenAPI document: the top level is a list, not a map"),
        ({"info": {}}, "", "not an OpenAPI document: there is no `openapi` field"),
        ({"swagger": "2.0"}, "", "not an OpenAPI document: there is no `openapi` field (this is Swagger 2.0)"),
        # 3.0 documents are upgraded before validation (upgrade.py, test_upgrade.py); other versions are refused.
        (
            {"openapi": "3.2.0", "webhooks": {}},
            "/openapi",
            "OpenAPI 3.2.0 is not supported: hookgen reads OpenAPI 3.1 and 3.0",
        ),
        (
            {"openapi": "2.0", "webhooks": {}},
            "/openapi",
            "OpenAPI 2.0 is not supported: hookgen reads OpenAPI 3.1 and 3.0",
        ),
        ({"openapi": "3.1.0"}, "", "the document has no `webhooks` section: there is nothing to generate"),
        (
            {"openapi": "3.1.0", "webhooks": ["a"]},
            "/webhooks",
            "`webhooks` must be a map of names to path items, not a list",
        ),
        ({"openapi": "3.1.0", "webhooks": {}}, "/webhooks", "`webhooks` is empty: there is nothing to generate"),
    ],
)
def test_a_document_without_usable_webhooks_gives_none_and_one_error(
    write: WriteFiles, document: Any, pointer: str, message: str
) -> None:
    reached, problems = validated(write, document)
    assert reached is None
    assert [(p.pointer, p.message, p.level) for p in problems] == [(pointer, message, Level.ERROR)]
    assert problems[0].file == "openapi.yaml"


def test_each_webhook_must_be_a_path_item_with_an_operation(write: WriteFiles) -> None:
    document = openapi({"a/b": "text", "empty": {"summary": "s"}, "fine": post({"type": "object"})})
    reached, problems = validated(write, document)
    assert reached is None
    assert [(p.pointer, p.message) for p in problems] == [
        ("/webhooks/a~1b", "webhook 'a/b' must be a path item (a map), not a string"),
        ("/webhooks/empty", "webhook 'empty' declares no operation (post, put, ...)"),
    ]


def test_an_invalid_schema_the_webhooks_reach_is_an_error_at_its_line(write: WriteFiles) -> None:
    document = openapi({"w": post({"type": "object", "properties": {"name": {"type": "strin"}}})})
    _, problems = validated(write, document)
    pointer = pointers.join(body_pointer("w"), "properties", "name", "type")
    assert [(p.file, p.line, p.pointer, p.level) for p in problems] == [
        ("openapi.yaml", line_of(Path("openapi.yaml"), "type: strin"), pointer, Level.ERROR)
    ]
    assert "'strin' is not one of" in problems[0].message


def test_a_response_without_description_is_an_error(write: WriteFiles) -> None:
    document = openapi({"w": post({"type": "object"}, responses={"200": {}})})
    _, problems = validated(write, document)
    assert [(p.pointer, p.message, p.level) for p in problems] == [
        ("/webhooks/w/post/responses/200", "'description' is a required property", Level.ERROR)
    ]


BENIGN = {
    "duplicate required": ({"type": "object", "required": ["a", "a"]}, "/required"),
    "boolean exclusiveMinimum": ({"type": "integer", "minimum": 0, "exclusiveMinimum": True}, "/exclusiveMinimum"),
    "examples not a list": ({"type": "integer", "examples": 3}, "/examples"),
    "nested": (
        {"type": "object", "properties": {"n": {"type": "integer", "exclusiveMaximum": True}}},
        "/properties/n/exclusiveMaximum",
    ),
}


@pytest.mark.parametrize("case", BENIGN)
def test_benign_findings_are_warnings(write: WriteFiles, case: str) -> None:
    schema, at = BENIGN[case]
    assert findings(write, schema) == [(at, Level.WARNING)]


@pytest.mark.parametrize("case", BENIGN)
def test_benign_findings_are_errors_when_strict(write: WriteFiles, case: str) -> None:
    schema, at = BENIGN[case]
    # openapi-spec-validator, which strict also runs, may report the same finding again (at the root).
    assert (at, Level.ERROR) in findings(write, schema, strict=True)
    assert {level for _, level in findings(write, schema, strict=True)} == {Level.ERROR}


def test_strict_checks_what_the_webhooks_do_not_reach(write: WriteFiles) -> None:
    document = openapi({"pet": post(ref("Pet"))}, schemas={"Pet": {"type": "object"}, "Unused": {"type": "strin"}})
    _, problems = validated(write, document, strict=True)
    assert problems
    assert {p.level for p in problems} == {Level.ERROR}
    assert any("strin" in p.message for p in problems)


@pytest.mark.parametrize("name", ["example", "default", "examples"])
def test_an_invalid_schema_under_a_property_named_like_a_benign_keyword_is_an_error(
    write: WriteFiles, name: str
) -> None:
    schema = {"type": "object", "properties": {name: {"type": "strin"}}}
    assert findings(write, schema) == [(f"/properties/{name}/type", Level.ERROR)]


def test_a_default_response_without_description_is_an_error(write: WriteFiles) -> None:
    document = openapi({"w": post({"type": "object"}, responses={"default": {}})})
    _, problems = validated(write, document)
    assert [(p.pointer, p.level, p.rule) for p in problems] == [
        ("/webhooks/w/post/responses", Level.WARNING, "success-response"),  # `default` is not a 2xx
        ("/webhooks/w/post/responses/default", Level.ERROR, ""),
    ]


def test_a_default_of_the_wrong_type_is_a_warning(write: WriteFiles) -> None:
    assert findings(write, {"type": "integer", "default": "seven"}) == [("/default", Level.WARNING)]


@pytest.mark.parametrize(
    ("schemas", "pointer", "text"),
    [
        # A bare value: openapi-spec-validator's error holds it, not where it is; found through its schema.
        ({"F": {"type": "integer", "minimum": 1, "default": 0}}, "/components/schemas/F/default", "default: 0"),
        (
            {"F": {"type": "object", "properties": {"a": {"type": "integer", "minimum": 1}}, "default": {"a": 0}}},
            "/components/schemas/F/default/a",
            "a: 0",
        ),
        (
            {"F": {"type": "object", "properties": {"s": {"type": "string", "enum": ["x"], "default": "y"}}}},
            "/components/schemas/F/properties/s/default",
            "default: y",
        ),
    ],
)
def test_strict_places_a_refused_bare_value_at_its_line(
    write: WriteFiles, schemas: dict[str, Any], pointer: str, text: str
) -> None:
    _, problems = validated(write, openapi({"w": post(ref("F"))}, schemas=schemas), strict=True)
    found = [(p.pointer, p.line) for p in problems if p.message.startswith("openapi-spec-validator:")]
    assert found == [(pointer, line_of(Path("openapi.yaml"), text))]


_INVALID_SCHEMAS = [
    {"type": "strin"},
    {"required": "id"},
    {"properties": []},
    {"properties": {"a": {"minimum": "1"}}},
    {"allOf": [{"enum": 3}, {"items": [{}]}]},
    {"$defs": {"x": {"type": ["string", 5]}}, "pattern": 5},
]


@pytest.mark.parametrize("schema", _INVALID_SCHEMAS)
def test_the_fast_checker_reports_exactly_what_jsonschema_reports(schema: dict[str, Any]) -> None:
    slow = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    expected = sorted((list(e.absolute_path), e.message) for e in slow.iter_errors(schema))
    found = sorted(
        (list(e.absolute_path), e.message) for e in validate_module._schema_meta_validator().iter_errors(schema)
    )
    assert expected  # each case is invalid
    assert found == expected


def test_jsonschema_is_asked_only_about_what_jsonschema_rs_finds_invalid(monkeypatch: pytest.MonkeyPatch) -> None:
    checker = validate_module._schema_meta_validator()
    asked: list[Any] = []
    real = checker.slow

    class Spy:
        def iter_errors(self, instance: Any) -> Any:
            asked.append(instance)
            return real.iter_errors(instance)

    monkeypatch.setattr(checker, "slow", Spy())
    valid = {"type": "object", "properties": {"id": {"type": "integer", "minimum": 1}}, "required": ["id"]}
    assert list(checker.iter_errors(valid)) == []
    assert asked == []
    assert [e.validator for e in checker.iter_errors({"type": "strin"})] == ["anyOf"]
    assert asked == [{"type": "strin"}]


@pytest.mark.parametrize("name", ["openapi.json", "openapi.yaml"])
def test_nesting_deeper_than_jsonschema_rs_can_walk_is_refused_at_load(write: WriteFiles, name: str) -> None:
    # jsonschema-rs overflows its stack (a crash, not an exception) on a value nested about 10,000 deep; the
    # loader refuses such documents first, so validation never hands it one.
    text = '{"a": ' * 20_000 + "1" + "}" * 20_000
    source, problems = load_file(write({name: text}))
    assert source is None
    assert len(problems) == 1
    assert problems[0].message.startswith("invalid JSON" if name.endswith("json") else "invalid YAML")
    assert "nest" in problems[0].message
