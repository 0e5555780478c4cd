"""No traceback, ever: random OpenAPI documents, valid and broken, end in exit 0, or exit 2 with located lines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.commands.cli import main

# FILE[:LINE]: POINTER: message (a pointer may hold spaces: webhook keys and property names are free text).
LINE = re.compile(r"^[^:]+(:\d+)?: /.*?: .+$")

JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=8),
)
JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8,
)
# Words a spec is made of, with plausible values, so random documents reach deep into the pipeline instead
# of all failing at the top; now and then any JSON at all.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "type": st.one_of(
        st.sampled_from(["object", "string", "integer", "number", "boolean", "array", "null"]),
        st.lists(st.sampled_from(["object", "string", "null"]), min_size=1, max_size=2, unique=True),
    ),
    "required": st.lists(st.sampled_from(["a", "b", "kind", "id"]), max_size=3),
    "enum": st.lists(JSON_SCALARS, min_size=1, max_size=3),
    "const": JSON_SCALARS,
    "$ref": st.sampled_from(["#/components/schemas/A", "#/components/schemas/B", "#/nope"]),
    "format": st.sampled_from(["date-time", "date", "time", "uuid", "email", "int64", "uri"]),
    "pattern": st.sampled_from(["^a", "[0-9]+", "^\\w+$"]),
    "nullable": st.booleans(),
    "default": JSON_SCALARS,
    "examples": st.lists(JSON, max_size=2),
    "discriminator": st.fixed_dictionaries({"propertyName": st.sampled_from(["kind", "type"])}),
    "x-webhook-signature": st.sampled_from(["github", "stripe", "nope", {"scheme": "hmac", "header": "X-Sig"}]),
}
KEYWORDS = st.sampled_from(
    [*VALUES, "properties", "items", "oneOf", "anyOf", "allOf", "not", "additionalProperties", "$defs"]
)


@st.composite
def schemas(draw: st.DrawFn, depth: int = 2) -> Any:
    """A schema-ish value: mostly keywords with plausible values, sometimes anything at all."""
    if depth == 0 or draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    schema: dict[str, Any] = {}
    for keyword in draw(st.lists(KEYWORDS, max_size=4, unique=True)):
        if keyword in ("properties", "$defs"):
            schema[keyword] = draw(st.dictionaries(st.text(max_size=5), schemas(depth - 1), max_size=3))
        elif keyword in ("oneOf", "anyOf", "allOf"):
            schema[keyword] = draw(st.lists(schemas(depth - 1), max_size=3))
        elif keyword in ("items", "not", "additionalProperties"):
            schema[keyword] = draw(schemas(depth - 1))
        else:
            schema[keyword] = draw(
                st.one_of(VALUES[keyword], JSON) if draw(st.integers(0, 9)) == 0 else VALUES[keyword]
            )
    return schema


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """An OpenAPI 3.1 document with webhooks, a few components, and random damage anywhere."""
    webhooks = {}
    for key in draw(st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=3, unique=True)):
        operation: dict[str, Any] = {
            "requestBody": {"content": {"application/json": {"schema": draw(schemas())}}},
            "responses": {"200": {"description": "ok"}},
        }
        if draw(st.booleans()):
            operation["operationId"] = draw(st.text(max_size=6))
        if draw(st.booleans()):
            operation["parameters"] = [{"name": draw(st.text(max_size=6)), "in": "header", "schema": draw(schemas(1))}]
        webhooks[key] = {draw(st.sampled_from(["post", "put", "get"])): operation}
    document: dict[str, Any] = {
        "openapi": draw(st.sampled_from(["3.1.0"] * 8 + ["3.1.1", "3.0.3", 3.1])),
        "info": {"title": draw(st.text(max_size=8)), "version": draw(st.text(max_size=5))},
        "webhooks": webhooks,
        "components": {"schemas": draw(st.dictionaries(st.sampled_from(["A", "B", "C"]), schemas(), max_size=3))},
    }
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 2]))):
        _damage(document, draw(st.lists(st.text(max_size=4), max_size=4)), draw(JSON))
    return document


def _damage(document: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = document
    for wanted in path:
        if isinstance(node, dict) and node:
            key = wanted if wanted in node else sorted(node)[len(wanted) % len(node)]
            if not isinstance(node[key], dict):
                node[key] = value
                return
            node = node[key]
    if isinstance(node, dict):
        node[path[-1] if path else "x"] = value


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=documents())
def test_any_document_ends_in_exit_0_or_located_problems(
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str], document: dict[str, Any]
) -> None:
    folder = tmp_path_factory.mktemp("any")
    (folder / "spec.json").write_text(json.dumps(document), encoding="utf-8")
    status = main(["generate", str(folder / "spec.json"), "--output", str(folder / "out"), "--package", "p"])
    stderr = capsys.readouterr().err
    assert status in (0, 2), stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("hookgen: ")]
    assert all(LINE.match(line) for line in lines), stderr
    if status == 2:
        assert lines and not (folder / "out").exists(), stderr
    else:
        assert (folder / "out" / "p" / "models" / "__init__.py").is_file()


def test_the_strategy_reaches_generation(tmp_path: Path) -> None:
    """Not every drawn document is refused at the top: some generate (else the test above proves little)."""
    generated = 0

    @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(document=documents())
    def count(document: dict[str, Any]) -> None:
        nonlocal generated
        spec = tmp_path / "spec.json"
        spec.write_text(json.dumps(document), encoding="utf-8")
        out = tmp_path / f"out{generated}"
        if main(["generate", str(spec), "--output", str(out), "--package", "p"]) == 0:
            generated += 1

    count()
    assert generated >= 3
